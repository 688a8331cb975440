// Draws the web app's icons (packages/server/public/icons/): a white tick on Rollcall's blue, as
// PNG at 192 and 512 pixels (the sizes browsers ask a manifest for; the tick sits inside the
// middle 80%, so the same picture serves as a maskable icon) and as SVG. Run by hand when the
// picture changes: `node packages/server/scripts/make-icons.mjs`; the files are committed.
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const OUT = fileURLToPath(new URL('../public/icons/', import.meta.url));
const BLUE = [0x1d, 0x70, 0xb8];
// The tick as two strokes in a 0..1 square, and the stroke's half width.
const TICK = [
  [0.28, 0.52, 0.43, 0.67],
  [0.43, 0.67, 0.73, 0.35],
];
const HALF_WIDTH = 0.055;

function distanceToSegment(px, py, [x1, y1, x2, y2]) {
  const dx = x2 - x1;
  const dy = y2 - y1;
  const t = Math.max(0, Math.min(1, ((px - x1) * dx + (py - y1) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (x1 + t * dx), py - (y1 + t * dy));
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buffer) {
  let c = 0xffffffff;
  for (const byte of buffer) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function png(size) {
  const samples = 4; // 4 × 4 samples a pixel: smooth edges
  const rows = [];
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 3);
    for (let x = 0; x < size; x++) {
      let covered = 0;
      for (let sy = 0; sy < samples; sy++)
        for (let sx = 0; sx < samples; sx++) {
          const px = (x + (sx + 0.5) / samples) / size;
          const py = (y + (sy + 0.5) / samples) / size;
          if (TICK.some((s) => distanceToSegment(px, py, s) <= HALF_WIDTH)) covered++;
        }
      const a = covered / (samples * samples);
      for (let c = 0; c < 3; c++) row[1 + x * 3 + c] = Math.round(BLUE[c] * (1 - a) + 255 * a);
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // truecolour RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows), { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

for (const size of [192, 512]) writeFileSync(`${OUT}icon-${size}.png`, png(size));
const path = TICK.map(
  ([x1, y1, x2, y2], i) =>
    `${i === 0 ? `M${Math.round(x1 * 100)} ${Math.round(y1 * 100)}` : ''}L${Math.round(x2 * 100)} ${Math.round(y2 * 100)}`,
).join('');
writeFileSync(
  `${OUT}icon.svg`,
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100"><rect width="100" height="100" fill="#1d70b8"/>` +
    `<path d="${path}" fill="none" stroke="#fff" stroke-width="${HALF_WIDTH * 200}" stroke-linecap="round" stroke-linejoin="round"/></svg>\n`,
);
