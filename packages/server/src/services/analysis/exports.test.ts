import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { csvField, exportTable, pickTable, toCsv, type ExportTable } from './exports.js';

const table: ExportTable = {
  name: 'Weekly trend',
  title: 'Attendance by week',
  columns: [
    { key: 'week', label: 'Week' },
    { key: 'rate', label: 'Attendance rate', kind: 'rate' },
    { key: 'note', label: 'Note, if any' },
  ],
  rows: [
    { week: 'w/c 2025-09-01', rate: 0.95, note: 'He said "no", then left' },
    { week: '=HYPERLINK("http://x")', rate: -0.01, note: null },
  ],
};

describe('CSV', () => {
  it('quotes commas, quotes and line breaks', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('line\nbreak')).toBe('"line\nbreak"');
    expect(csvField(' padded')).toBe('" padded"');
    expect(csvField('plain')).toBe('plain');
    expect(csvField(null)).toBe('');
    expect(csvField(Number.NaN)).toBe('');
  });

  it('defuses text a spreadsheet would run as a formula, but not numbers', () => {
    expect(csvField('=1+1')).toBe("'=1+1");
    expect(csvField('+44 7700')).toBe("'+44 7700");
    expect(csvField('-2')).toBe("'-2");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('\tx')).toBe("'\tx");
    expect(csvField(-2)).toBe('-2');
  });

  it('writes the header and rows with CRLF and a byte order mark', () => {
    expect(toCsv(table)).toBe(
      '\uFEFFWeek,Attendance rate,"Note, if any"\r\n' +
        'w/c 2025-09-01,0.95,"He said ""no"", then left"\r\n' +
        '"\'=HYPERLINK(""http://x"")",-0.01,\r\n',
    );
  });
});

describe('exportTable', () => {
  it('names the file after the table', () => {
    const csv = exportTable(table, 'csv');
    expect(csv.fileName).toBe('weekly-trend.csv');
    expect(csv.contentType).toBe('text/csv; charset=utf-8');
    const xlsx = exportTable(table, 'xlsx');
    expect(xlsx.fileName).toBe('weekly-trend.xlsx');
    const sheet = strFromU8(unzipSync(new Uint8Array(xlsx.body as Buffer))['xl/worksheets/sheet1.xml']!);
    expect(sheet).toContain('<c r="B2" s="2"><v>0.95</v></c>');
    expect(sheet).toContain('Note, if any');
  });

  it('picks a table by name and says which exist when it is not there', () => {
    expect(pickTable([table], undefined)).toBe(table);
    expect(pickTable([table], 'Weekly trend')).toBe(table);
    expect(() => pickTable([table], 'nope')).toThrow(AppError);
  });
});
