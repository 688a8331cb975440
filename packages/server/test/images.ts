/**
 * Small, real images for tests: a PNG written row by row (zlib and CRC-32 from Node) and a
 * baseline JPEG of one grey made by hand (one-symbol Huffman tables: every 8 × 8 block is
 * "no change in brightness, then end of block"). Both open in any decoder (poppler, pdfkit).
 */
import { crc32, deflateSync } from 'node:zlib';

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/** An RGB (or RGBA, with `alpha`) PNG of one colour, non-interlaced. */
export function testPng(
  width: number,
  height: number,
  opts: { alpha?: boolean; rgb?: [number, number, number] } = {},
): Buffer {
  const [r, g, b] = opts.rgb ?? [29, 112, 184];
  const channels = opts.alpha ? 4 : 3;
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = opts.alpha ? 6 : 2;
  const row = Buffer.alloc(1 + width * channels);
  for (let x = 0; x < width; x++) {
    row[1 + x * channels] = r;
    row[2 + x * channels] = g;
    row[3 + x * channels] = b;
    if (opts.alpha) row[4 + x * channels] = 200;
  }
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(raw)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A greyscale baseline JPEG, mid grey. */
export function testJpeg(width: number, height: number): Buffer {
  const seg = (marker: number, body: number[]) => [
    0xff,
    marker,
    (body.length + 2) >> 8,
    (body.length + 2) & 0xff,
    ...body,
  ];
  const blocks = Math.ceil(width / 8) * Math.ceil(height / 8);
  const bits = blocks * 2; // a 1-bit DC code and a 1-bit end-of-block code per block, both 0
  const scan = new Array<number>(Math.ceil(bits / 8)).fill(0);
  if (bits % 8 !== 0) scan[scan.length - 1] = (1 << (8 - (bits % 8))) - 1; // padded with 1 bits
  const oneCode = (tableClass: number) => [tableClass, 1, ...new Array<number>(15).fill(0), 0];
  return Buffer.from([
    0xff,
    0xd8,
    ...seg(0xdb, [0, ...new Array<number>(64).fill(1)]),
    ...seg(0xc0, [8, height >> 8, height & 0xff, width >> 8, width & 0xff, 1, 1, 0x11, 0]),
    ...seg(0xc4, oneCode(0x00)),
    ...seg(0xc4, oneCode(0x10)),
    ...seg(0xda, [1, 1, 0x00, 0, 63, 0]),
    ...scan,
    0xff,
    0xd9,
  ]);
}
