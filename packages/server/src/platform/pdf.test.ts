import { describe, expect, it } from 'vitest';
import { buildPdf, hasRightToLeft, pdfPageCount, readPdfText, safeText, unprintableCharacters } from './pdf.js';

const school = { name: 'Example Primary School', address: '1 High Street\nTowntown TS1 1AA' };
const createdAt = '2026-11-26T09:00:00.000Z';

describe('buildPdf', () => {
  it('writes the school header, headings, paragraphs, tables, signatures and page numbers', async () => {
    const pdf = await buildPdf({ title: 'Test document', school, createdAt, compress: false }, (doc) => {
      doc.heading('Attendance certificate', 1);
      doc.paragraph('First paragraph.\n\nSecond paragraph.');
      doc.keyValues([
        ['Pupil', 'Ada Lovelace'],
        ['Rate', '91.2%'],
      ]);
      doc.table(
        [{ header: 'Date' }, { header: 'AM' }, { header: 'PM' }],
        Array.from({ length: 120 }, (_, i) => [`Day ${i + 1}`, '/', '\\']),
      );
      doc.bullets(['one', 'two']);
      doc.signature(['Headteacher']);
    });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const text = readPdfText(pdf);
    for (const s of [
      'Example Primary School',
      'Attendance certificate',
      'First paragraph.',
      'Second paragraph.',
      'Ada Lovelace',
      'Day 120',
      'Headteacher',
    ]) {
      expect(text).toContain(s);
    }
    const pages = pdfPageCount(pdf);
    expect(pages).toBeGreaterThan(1);
    expect(text).toContain(`Page ${pages} of ${pages}`);
    // the header row is repeated on the next page
    expect(text.split('\n').filter((l) => l === 'Date').length).toBeGreaterThan(1);
  });

  it('is deterministic for the same content and creation date', async () => {
    const draw = (doc: Parameters<Parameters<typeof buildPdf>[1]>[0]): void => doc.paragraph('Same text');
    const a = await buildPdf({ title: 'T', school, createdAt }, draw);
    const b = await buildPdf({ title: 'T', school, createdAt }, draw);
    expect(a.equals(b)).toBe(true);
  });

  it('keeps typography the embedded font prints and replaces only what it cannot (emoji, Arabic script)', () => {
    expect(safeText('Smart ‘quotes’ – and 😀 £5 €')).toBe('Smart ‘quotes’ – and ? £5 €');
    expect(safeText('محمد')).toBe('????');
    expect(unprintableCharacters('Łukasz 😀 محمد')).toEqual(['😀', 'م', 'ح', 'د']);
    expect(hasRightToLeft('Ali محمد')).toBe(true);
    expect(hasRightToLeft('Łukasz Nguyễn')).toBe(false);
  });

  // Made-up names in the alphabets of families in English schools (none from the seeds).
  const NAMES = [
    ['Polish', 'Łucja Wiśniewska-Żółkiewska'],
    ['Czech', 'Šimon Žák Řehoř Ďurčo'],
    ['Romanian', 'Ștefan Țăranu Bălănescu Îngerașu'],
    ['Lithuanian', 'Žygimantas Ąžuolaitis Ėglė Ųsaitė'],
    ['Turkish', 'Çağrı Işıkoğlu Şükrü Gündüz İnce'],
    ['Vietnamese', 'Nguyễn Thị Hồng Phượng Trần Đức Ưng'],
    ['Greek', 'Αλέξανδρος Παπαδόπουλος Ευδοξία'],
    ['Cyrillic', 'Дмитрий Иванов Ёлкина Україна Їжак'],
  ] as const;

  for (const compress of [false, true]) {
    it(`prints names in every family's alphabet and reads them back exactly (${compress ? 'compressed' : 'plain'})`, async () => {
      const pdf = await buildPdf(
        { title: 'Names', school: { name: 'Școala Example' }, createdAt: '2026-12-07T09:00:00Z', compress },
        (doc) => {
          doc.heading('Pupils');
          for (const [, name] of NAMES) doc.paragraph(name);
          doc.table(
            [{ header: 'Language' }, { header: 'Name', width: 3 }],
            NAMES.map(([l, n]) => [l, n]),
          );
          doc.keyValues(NAMES.map(([l, n]) => [l, n]));
        },
      );
      const lines = readPdfText(pdf).split('\n');
      for (const [language, name] of NAMES) {
        // Heading, paragraph, table row and key-value row: the name whole every time.
        expect(
          lines.filter((l) => l === name),
          language,
        ).toHaveLength(3);
        expect(
          lines.filter((l) => l.includes(name)),
          language,
        ).toHaveLength(3);
      }
      expect(lines[0]).toBe('Școala Example');
      // The font is embedded (subset), not a standard font.
      expect(pdf.toString('latin1')).toMatch(/\/FontFile2 /);
      expect(pdf.toString('latin1')).toMatch(/\/BaseFont \/[A-Z]{6}\+NotoSans-Regular/);
    });
  }
});
