import { describe, expect, it } from 'vitest';
import { csvField, writeCsv } from './csv-writer.js';
import { cleanText, oneLine, terminalSafe } from './text-safety.js';

describe('the one CSV writer', () => {
  it('defuses every formula start, including a leading tab or carriage return', () => {
    for (const start of ['=', '+', '-', '@', '\t', '\r']) {
      const field = csvField(`${start}HYPERLINK("http://x")`);
      expect(field.replace(/^"/, ''), JSON.stringify(start)).toMatch(/^'/);
    }
    expect(csvField('Smith-Jones')).toBe('Smith-Jones');
    expect(csvField(-2.5)).toBe('-2.5');
  });

  it('never writes NUL, control characters or bidi overrides', () => {
    const field = csvField('Ann\u0000\u001b[31m\u202eevil\u2066x\u2069');
    expect(field).toBe('Ann[31mevilx');
    // Right-to-left marks that Arabic and Hebrew names need are kept.
    expect(csvField('\u200fنور')).toBe('\u200fنور');
  });

  it('writes RFC 4180 with CRLF, an optional byte order mark and LF on request', () => {
    expect(writeCsv(['a', 'b'], [['x,y', 'say "hi"']])).toBe('a,b\r\n"x,y","say ""hi"""\r\n');
    expect(writeCsv(['a'], [[1]], { bom: true, lineEnd: '\n' })).toBe('\uFEFFa\n1\n');
    expect(writeCsv(['a'], [[null], [undefined], [true]])).toBe('a\r\n\r\n\r\ntrue\r\n');
  });
});

describe('text safety', () => {
  it('cleanText keeps tabs and line breaks and drops the rest', () => {
    expect(cleanText('a\tb\nc\r\nd\u0000\u0085\u202d')).toBe('a\tb\nc\r\nd');
  });

  it('oneLine makes a header-safe single line', () => {
    expect(oneLine(' Absence\r\nBcc: x@y \u202e')).toBe('Absence Bcc: x@y');
  });

  it('terminalSafe shows escape sequences instead of letting the terminal obey them', () => {
    expect(terminalSafe('Ann\u001b]0;pwned\u0007 Lee\n')).toBe('Ann\\x1b]0;pwned\\x07 Lee\n');
    expect(terminalSafe('over\rwrite\r\n')).toBe('over\\x0dwrite\r\n');
    expect(terminalSafe('\u009b31m\u202e')).toBe('\\x9b31m\\u202e');
  });
});
