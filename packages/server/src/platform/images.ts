/**
 * Checks an uploaded image (a school's logo) before it is stored and printed in every letter's
 * letterhead: PNG or JPEG only, recognised by its bytes (never by the file name or the browser's
 * claimed type), within a size and dimension limit, and whole enough for pdfkit to embed it.
 *
 * A PNG is decompressed here, bounded, and its rows checked: pdfkit decodes some PNGs (alpha,
 * interlaced) in a zlib callback where a broken stream would throw outside any try/catch, so a
 * PNG that passes this check is one pdfkit can draw without failing.
 */
import { inflateSync } from 'node:zlib';

/** The largest file accepted. */
export const IMAGE_MAX_BYTES = 512 * 1024;
/** The smallest and largest width or height accepted, in pixels. */
export const IMAGE_MIN_PIXELS = 16;
export const IMAGE_MAX_PIXELS = 2000;

export type ImageType = 'image/png' | 'image/jpeg';

export type ImageCheck =
  | { readonly ok: true; readonly type: ImageType; readonly width: number; readonly height: number }
  | { readonly ok: false; readonly message: string };

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const refuse = (message: string): ImageCheck => ({ ok: false, message });

/** What an image is and how big, or why it cannot be used (in words for the person uploading). */
export function checkImage(bytes: Buffer): ImageCheck {
  if (bytes.length === 0) return refuse('The file is empty. Choose a PNG or JPEG image.');
  if (bytes.length > IMAGE_MAX_BYTES)
    return refuse(`The image must be ${IMAGE_MAX_BYTES / 1024} KB or smaller; this file is larger.`);
  let found: ImageCheck;
  if (bytes.subarray(0, 8).equals(PNG_SIGNATURE)) found = checkPng(bytes);
  else if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) found = checkJpeg(bytes);
  else return refuse('The file is not a PNG or JPEG image. Save the logo as PNG or JPEG and choose it again.');
  if (!found.ok) return found;
  const { width, height } = found;
  if (width < IMAGE_MIN_PIXELS || height < IMAGE_MIN_PIXELS)
    return refuse(
      `The image is ${width} × ${height} pixels: it must be at least ${IMAGE_MIN_PIXELS} pixels wide and high.`,
    );
  if (width > IMAGE_MAX_PIXELS || height > IMAGE_MAX_PIXELS)
    return refuse(
      `The image is ${width} × ${height} pixels: it must be at most ${IMAGE_MAX_PIXELS} pixels wide and high.`,
    );
  return found;
}

const BROKEN_PNG = 'The PNG file is damaged or unfinished. Save it again and choose it again.';

/** Bits per pixel of a PNG colour type and bit depth, or null when the pair is not allowed. */
function pngBitsPerPixel(colourType: number, depth: number): number | null {
  const allowed: Record<number, { channels: number; depths: number[] }> = {
    0: { channels: 1, depths: [1, 2, 4, 8, 16] },
    2: { channels: 3, depths: [8, 16] },
    3: { channels: 1, depths: [1, 2, 4, 8] },
    4: { channels: 2, depths: [8, 16] },
    6: { channels: 4, depths: [8, 16] },
  };
  const a = allowed[colourType];
  return a && a.depths.includes(depth) ? a.channels * depth : null;
}

/** The Adam7 passes: first column and row, then the step across and down. */
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

function checkPng(bytes: Buffer): ImageCheck {
  let at = 8;
  let header: { width: number; height: number; bpp: number; interlaced: boolean } | null = null;
  let needsPalette = false;
  let hasPalette = false;
  const data: Buffer[] = [];
  let ended = false;
  while (at + 8 <= bytes.length) {
    const length = bytes.readUInt32BE(at);
    const type = bytes.toString('latin1', at + 4, at + 8);
    const start = at + 8;
    if (start + length + 4 > bytes.length) return refuse(BROKEN_PNG);
    const chunk = bytes.subarray(start, start + length);
    if (header === null && type !== 'IHDR') return refuse(BROKEN_PNG);
    if (type === 'IHDR') {
      if (header !== null || length !== 13) return refuse(BROKEN_PNG);
      const bpp = pngBitsPerPixel(chunk[9]!, chunk[8]!);
      if (bpp === null || chunk[10] !== 0 || chunk[11] !== 0 || chunk[12]! > 1) return refuse(BROKEN_PNG);
      header = { width: chunk.readUInt32BE(0), height: chunk.readUInt32BE(4), bpp, interlaced: chunk[12] === 1 };
      needsPalette = chunk[9] === 3;
    } else if (type === 'PLTE') {
      if (length === 0 || length % 3 !== 0) return refuse(BROKEN_PNG);
      hasPalette = true;
    } else if (type === 'IDAT') data.push(chunk);
    else if (type === 'IEND') {
      ended = true;
      break;
    }
    at = start + length + 4;
  }
  if (!header || !ended || data.length === 0) return refuse(BROKEN_PNG);
  const { width, height, bpp, interlaced } = header;
  // Checked before decompressing, so a huge image is never inflated.
  if (width < IMAGE_MIN_PIXELS || height < IMAGE_MIN_PIXELS || width > IMAGE_MAX_PIXELS || height > IMAGE_MAX_PIXELS)
    return { ok: true, type: 'image/png', width, height };
  if (needsPalette && !hasPalette) return refuse(BROKEN_PNG);
  // Each row: a filter byte (0–4) and its pixels; interlaced images row by row in each pass.
  const rows: number[] = [];
  const passes = interlaced ? ADAM7 : ([[0, 0, 1, 1]] as const);
  for (const [x0, y0, dx, dy] of passes) {
    const w = width > x0 ? Math.ceil((width - x0) / dx) : 0;
    const h = height > y0 ? Math.ceil((height - y0) / dy) : 0;
    if (w === 0) continue;
    for (let i = 0; i < h; i++) rows.push(1 + Math.ceil((w * bpp) / 8));
  }
  const expected = rows.reduce((a, b) => a + b, 0);
  let pixels: Buffer;
  try {
    pixels = inflateSync(Buffer.concat(data), { maxOutputLength: expected + 1 });
  } catch {
    return refuse(BROKEN_PNG);
  }
  if (pixels.length !== expected) return refuse(BROKEN_PNG);
  let row = 0;
  for (const size of rows) {
    if (pixels[row]! > 4) return refuse(BROKEN_PNG);
    row += size;
  }
  return { ok: true, type: 'image/png', width, height };
}

const BROKEN_JPEG = 'The JPEG file is damaged or unfinished. Save it again and choose it again.';

/** Start-of-frame markers: baseline, extended, progressive and lossless, Huffman or arithmetic. */
const SOF = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

function checkJpeg(bytes: Buffer): ImageCheck {
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return refuse(BROKEN_JPEG);
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at += 1; // fill byte
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) break; // end of image, or scan data before any frame
    const length = bytes.readUInt16BE(at + 2);
    if (length < 2 || at + 2 + length > bytes.length) return refuse(BROKEN_JPEG);
    if (SOF.has(marker)) {
      if (length < 8) return refuse(BROKEN_JPEG);
      const height = bytes.readUInt16BE(at + 5);
      const width = bytes.readUInt16BE(at + 7);
      const components = bytes[at + 9]!;
      if (width === 0 || height === 0 || ![1, 3, 4].includes(components)) return refuse(BROKEN_JPEG);
      if (!bytes.includes(Buffer.from([0xff, 0xda]), at)) return refuse(BROKEN_JPEG);
      return { ok: true, type: 'image/jpeg', width, height };
    }
    at += 2 + length;
  }
  return refuse(BROKEN_JPEG);
}
