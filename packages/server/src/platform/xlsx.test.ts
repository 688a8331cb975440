import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { columnName, writeXlsx } from './xlsx.js';

describe('writeXlsx', () => {
  const bytes = writeXlsx({
    name: 'Trends: week [1]',
    header: ['Week', 'Rate', 'Note'],
    rows: [
      ['w/c 2025-09-01', 0.95, 'a & <b>'],
      ['=SUM(A1)', -3, null],
    ],
  });
  const files = unzipSync(bytes);

  it('writes a workbook with one sheet and its parts', () => {
    expect(Object.keys(files).sort()).toEqual([
      '[Content_Types].xml',
      '_rels/.rels',
      'xl/_rels/workbook.xml.rels',
      'xl/styles.xml',
      'xl/workbook.xml',
      'xl/worksheets/sheet1.xml',
    ]);
    expect(strFromU8(files['xl/workbook.xml']!)).toContain('<sheet name="Trends  week  1" sheetId="1" r:id="rId1"/>');
  });

  it('writes the header row in bold, numbers as numbers and text as escaped inline strings', () => {
    const xml = strFromU8(files['xl/worksheets/sheet1.xml']!);
    expect(xml).toContain('<c r="A1" s="1" t="inlineStr"><is><t xml:space="preserve">Week</t></is></c>');
    expect(xml).toContain('<c r="B2"><v>0.95</v></c>');
    expect(xml).toContain('<c r="C2" t="inlineStr"><is><t xml:space="preserve">a &amp; &lt;b&gt;</t></is></c>');
    expect(xml).toContain('<c r="B3"><v>-3</v></c>');
    // Text that looks like a formula stays text (no <f> element).
    expect(xml).toContain('<t xml:space="preserve">=SUM(A1)</t>');
    expect(xml).not.toContain('<f>');
    expect(xml).toContain('<row r="3"><c r="A3"');
    expect(xml).not.toContain('r="C3"');
  });

  it('gives the same bytes for the same table', () => {
    expect(writeXlsx({ name: 'x', header: ['a'], rows: [[1]] })).toEqual(
      writeXlsx({ name: 'x', header: ['a'], rows: [[1]] }),
    );
  });

  it('names columns past Z', () => {
    expect([0, 25, 26, 27, 51, 52, 701, 702].map(columnName)).toEqual(['A', 'Z', 'AA', 'AB', 'AZ', 'BA', 'ZZ', 'AAA']);
  });
});

describe('percentage columns', () => {
  it('show fractions as percentages while keeping them numbers, and only in the columns asked for', () => {
    const files = unzipSync(
      writeXlsx({
        name: 'Rates',
        header: ['Group', 'Attendance', 'Pupils'],
        rows: [['7A', 0.953, 25]],
        percentColumns: [1],
      }),
    );
    const sheet = strFromU8(files['xl/worksheets/sheet1.xml']!);
    expect(sheet).toContain('<c r="B2" s="2"><v>0.953</v></c>');
    expect(sheet).toContain('<c r="C2"><v>25</v></c>');
    const styles = strFromU8(files['xl/styles.xml']!);
    expect(styles).toMatch(
      /<styleSheet[^>]*><numFmts count="1"><numFmt numFmtId="164" formatCode="0\.0%"\/><\/numFmts><fonts/,
    );
    expect(styles).toContain('<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>');
  });
});
