import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { testJpeg, testPng } from '../../test/images.js';
import { buildPdf, readPdfText } from './pdf.js';
import { checkImage, IMAGE_MAX_BYTES } from './images.js';

describe('checking an uploaded logo', () => {
  it('accepts a PNG (with or without transparency) and a JPEG, by their bytes, with their size', () => {
    expect(checkImage(testPng(120, 60))).toEqual({ ok: true, type: 'image/png', width: 120, height: 60 });
    expect(checkImage(testPng(40, 40, { alpha: true }))).toEqual({
      ok: true,
      type: 'image/png',
      width: 40,
      height: 40,
    });
    expect(checkImage(testJpeg(64, 32))).toEqual({ ok: true, type: 'image/jpeg', width: 64, height: 32 });
  });

  it.each([
    ['an empty file', Buffer.alloc(0), 'The file is empty'],
    ['a GIF', Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1'), 'not a PNG or JPEG'],
    ['an SVG called logo.png', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'not a PNG or JPEG'],
    ['a PNG cut short', testPng(40, 40).subarray(0, 60), 'The PNG file is damaged'],
    ['a JPEG cut short', testJpeg(40, 40).subarray(0, 30), 'The JPEG file is damaged'],
    ['a tiny PNG', testPng(8, 8), 'at least 16 pixels'],
    ['a huge PNG', testPng(2400, 20), 'at most 2000 pixels'],
    ['a huge JPEG', testJpeg(16, 3000), 'at most 2000 pixels'],
    ['a file over the size limit', Buffer.concat([testPng(40, 40), Buffer.alloc(IMAGE_MAX_BYTES)]), 'KB or smaller'],
  ])('refuses %s, saying why', (_what, bytes, message) => {
    const r = checkImage(bytes);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain(message);
  });

  it('refuses a PNG whose pixel data is not what its header says (pdfkit would fail on it later)', () => {
    const good = testPng(40, 40, { alpha: true });
    // The same header with too few rows of pixels.
    const short = Buffer.from(good);
    const idat = short.indexOf('IDAT', 0, 'latin1');
    const length = short.readUInt32BE(idat - 4);
    const fewer = deflateSync(Buffer.alloc(10 * (1 + 40 * 4)));
    const broken = Buffer.concat([
      short.subarray(0, idat - 4),
      Buffer.from([0, 0, 0, 0]),
      Buffer.from('IDAT', 'latin1'),
      fewer,
      Buffer.alloc(4),
      short.subarray(idat + 4 + length + 4),
    ]);
    broken.writeUInt32BE(fewer.length, idat - 4);
    const r = checkImage(broken);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain('damaged');
  });

  it('gives images pdfkit draws in the letterhead', async () => {
    for (const logo of [testPng(48, 24), testPng(48, 24, { alpha: true }), testJpeg(48, 24)]) {
      const pdf = await buildPdf(
        { title: 'Logo', school: { name: 'Test School', logo }, createdAt: '2026-12-07T09:00:00Z', compress: false },
        (doc) => doc.paragraph('Hello'),
      );
      expect(pdf.includes('/Subtype /Image')).toBe(true);
      expect(readPdfText(pdf)).toContain('Test School');
    }
  });
});
