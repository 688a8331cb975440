import { describe, expect, it } from 'vitest';
import { decodeText, detectEncoding } from './decode.js';
import { parseCsv } from './csv.js';

const csv = 'upn,surname\nA1,Zoë “Test”\n';

describe('decoding files from any MIS or spreadsheet', () => {
  it('reads UTF-8 with and without a byte-order mark, UTF-16 both ways, and Windows-1252', () => {
    const utf8 = Buffer.from(csv, 'utf8');
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8]);
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(csv, 'utf16le')]);
    const leNoBom = Buffer.from(csv, 'utf16le');
    const be = Buffer.from(le);
    be.swap16();
    const cp1252 = Buffer.from([
      ...Buffer.from('upn,surname\nA1,Zo', 'latin1'),
      0xeb,
      0x20,
      0x93,
      ...Buffer.from('Test', 'latin1'),
      0x94,
      0x0a,
    ]);
    expect([utf8, bom, le, leNoBom, be, cp1252].map(detectEncoding)).toEqual([
      'utf-8',
      'utf-8',
      'utf-16le',
      'utf-16le',
      'utf-16be',
      'windows-1252',
    ]);
    for (const b of [utf8, bom, le, leNoBom, be, cp1252]) expect(decodeText(b)).toBe(csv);
  });

  it('refuses lone carriage returns with a clear message, not one long line', () => {
    const t = parseCsv('upn,surname\rA1,Able\r');
    expect(t.header).toEqual([]);
    expect(t.problems).toEqual([
      {
        line: 1,
        message:
          'the lines end with a carriage return alone (an old Mac format): save the file with Windows (CRLF) or Unix (LF) line endings',
      },
    ]);
    expect(parseCsv('upn,surname\r\nA1,Able\r\n').records).toHaveLength(1);
  });
});
