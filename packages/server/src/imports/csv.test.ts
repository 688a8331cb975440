import { describe, expect, it } from 'vitest';
import { parseCsv } from './csv.js';

describe('parseCsv', () => {
  it('reads a header and records with their line numbers, skipping blank lines', () => {
    const t = parseCsv('UPN, Date ,session,code\nA,2025-09-03,AM,/\n\nB,2025-09-03,PM,\\\n');
    expect(t.header).toEqual(['upn', 'date', 'session', 'code']);
    expect(t.records).toEqual([
      { line: 2, fields: ['A', '2025-09-03', 'AM', '/'] },
      { line: 4, fields: ['B', '2025-09-03', 'PM', '\\'] },
    ]);
    expect(t.problems).toEqual([]);
  });

  it('handles CRLF, a BOM and a last line without a newline', () => {
    const t = parseCsv('\ufeffa,b\r\n1,2\r\n3,4');
    expect(t.header).toEqual(['a', 'b']);
    expect(t.records.map((r) => r.fields)).toEqual([
      ['1', '2'],
      ['3', '4'],
    ]);
  });

  it('reads quoted fields with commas, doubled quotes and line breaks, and keeps counting lines', () => {
    const t = parseCsv('name,note\n"Smith, J","said ""hello""\nthen left"\nlast,row\n');
    expect(t.records[0]).toEqual({ line: 2, fields: ['Smith, J', 'said "hello"\nthen left'] });
    expect(t.records[1]).toEqual({ line: 4, fields: ['last', 'row'] });
  });

  it('reports an unclosed quote with its line', () => {
    const t = parseCsv('a,b\n1,2\n"3,4\n');
    expect(t.problems).toEqual([{ line: 3, message: expect.stringContaining('not closed') as string }]);
  });

  it('gives an empty header for an empty file', () => {
    expect(parseCsv('').header).toEqual([]);
  });
});

describe('unsafe characters in a CSV file', () => {
  it('drops NUL, control characters and bidi overrides from every field, keeping lines and quotes', () => {
    const t = parseCsv('upn,surname\r\nA1,"Ann\u0000\u202e\r\nLee"\nB2,Bo\u001b[2Jb\n');
    expect(t.records.map((r) => r.fields)).toEqual([
      ['A1', 'Ann\r\nLee'],
      ['B2', 'Bo[2Jb'],
    ]);
    expect(t.records.map((r) => r.line)).toEqual([2, 4]);
  });
});
