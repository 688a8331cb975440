import { describe, expect, it } from 'vitest';
import { buildPdf, pdfPageCount, readPdfText, safeText } from './pdf.js';

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

  it('replaces characters the standard fonts cannot print', () => {
    expect(safeText('Smart ‘quotes’ – and 😀 £5')).toBe("Smart 'quotes' - and ? £5");
  });
});
