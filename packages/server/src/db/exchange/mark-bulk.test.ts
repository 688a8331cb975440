import { describe, expect, it } from 'vitest';
import { copyText } from './mark-bulk.js';

describe("COPY's text format", () => {
  it('escapes backslash, tab and line ends, writes null as \\N and leaves the rest as it is', () => {
    // The PM present mark is a backslash: it must reach PostgreSQL as one.
    expect(copyText('\\')).toBe('\\\\');
    expect(copyText('/')).toBe('/');
    expect(copyText('Imported from a\tb\r\nc.csv')).toBe('Imported from a\\tb\\r\\nc.csv');
    expect(copyText('Zażółć gęślą jaźń')).toBe('Zażółć gęślą jaźń');
    expect(copyText(null)).toBe('\\N');
    expect(copyText('\\N')).toBe('\\\\N');
    expect(copyText(15)).toBe('15');
  });
});
