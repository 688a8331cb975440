/**
 * Text of a file whatever encoding a spreadsheet or an MIS saved it in (docs/mis-import.md):
 * UTF-8 with or without a byte-order mark, UTF-16 (little- or big-endian, with a byte-order mark,
 * or without one when every other byte is zero, as some exports write), and Windows-1252 (Excel's
 * "CSV" on Windows) for bytes that are not UTF-8.
 */

export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

/** Which encoding the bytes are in, by byte-order mark, then by the pattern of zero bytes, then by UTF-8 validity. */
export function detectEncoding(bytes: Uint8Array): TextEncoding {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  // Without a BOM: UTF-16 text of Latin letters has a zero in every other byte.
  const sample = Math.min(bytes.length, 4096) & ~1;
  if (sample >= 4) {
    let evenZero = 0;
    let oddZero = 0;
    for (let i = 0; i < sample; i += 2) {
      if (bytes[i] === 0) evenZero++;
      if (bytes[i + 1] === 0) oddZero++;
    }
    const pairs = sample / 2;
    if (oddZero > pairs * 0.4 && evenZero === 0) return 'utf-16le';
    if (evenZero > pairs * 0.4 && oddZero === 0) return 'utf-16be';
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return 'utf-8';
  } catch {
    return 'windows-1252';
  }
}

/**
 * The bytes as text, in the encoding detected, without a byte-order mark.
 *
 * @example decodeText(Buffer.from([0x93, 0x41, 0x94])) // '“A”' (Windows-1252)
 */
export function decodeText(bytes: Uint8Array): string {
  const encoding = detectEncoding(bytes);
  const text = encoding === 'windows-1252' ? decodeWindows1252(bytes) : new TextDecoder(encoding).decode(bytes);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Windows-1252's characters for bytes 0x80–0x9F (the rest are Latin-1); undefined bytes stay as they are. */
const CP1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

/** Node's TextDecoder reads "windows-1252" as Latin-1 (curly quotes and € come out as control characters): decoded here. */
function decodeWindows1252(bytes: Uint8Array): string {
  const out: string[] = [];
  const CHUNK = 8192;
  for (let i = 0; i < bytes.length; i += CHUNK) {
    const part = bytes.subarray(i, i + CHUNK);
    let s = '';
    for (const b of part) s += b >= 0x80 && b <= 0x9f ? CP1252_HIGH[b - 0x80]! : String.fromCharCode(b);
    out.push(s);
  }
  return out.join('');
}
