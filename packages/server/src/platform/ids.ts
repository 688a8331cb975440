/** The one place that makes ids and random tokens. */
import { createHash, randomBytes, randomFillSync } from 'node:crypto';

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
/** Random bytes drawn in blocks: one call to the system's generator serves 512 ids. */
const pool = Buffer.alloc(4096);
let poolAt = pool.length;
let lastMs = -1;
/** The 12-bit counter in the id's `rand_a` field (RFC 9562 §6.2, method 1). */
let sequence = 0;

function randomByte(): number {
  if (poolAt >= pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  return pool[poolAt++]!;
}

/**
 * A new id: a UUID version 7 (RFC 9562), time-ordered, so rows written together sit together in
 * the primary-key index (history and audit rows are written far more than they are read).
 * Monotonic within the process: ids made in the same millisecond carry a counter (started at a
 * random point in its lower half), and should it run out the timestamp moves on by one, so every
 * id sorts after the one before. Readers that keep a watermark ("history rows with an id above
 * the last one seen", services/analysis/cohort.ts) depend on it.
 */
export function newId(): string {
  let ms = Date.now();
  if (ms > lastMs) {
    lastMs = ms;
    sequence = ((randomByte() << 8) | randomByte()) & 0x7ff;
  } else {
    ms = lastMs;
    if (++sequence > 0xfff) {
      ms = ++lastMs;
      sequence = 0;
    }
  }
  // 48-bit milliseconds: the top 16 bits and the low 32 bits, taken apart without bit operators
  // (which are 32-bit in JavaScript).
  const high = Math.floor(ms / 0x100000000);
  const low = ms % 0x100000000;
  return (
    HEX[(high >>> 8) & 0xff]! +
    HEX[high & 0xff]! +
    HEX[(low >>> 24) & 0xff]! +
    HEX[(low >>> 16) & 0xff]! +
    '-' +
    HEX[(low >>> 8) & 0xff]! +
    HEX[low & 0xff]! +
    '-' +
    HEX[0x70 | (sequence >>> 8)]! + // version 7
    HEX[sequence & 0xff]! +
    '-' +
    HEX[0x80 | (randomByte() & 0x3f)]! + // RFC 4122 variant
    HEX[randomByte()]! +
    '-' +
    HEX[randomByte()]! +
    HEX[randomByte()]! +
    HEX[randomByte()]! +
    HEX[randomByte()]! +
    HEX[randomByte()]! +
    HEX[randomByte()]!
  );
}

/** A random token for cookies and CSRF (URL-safe, 256 bits). */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** SHA-256 of a token, hex: session tokens are stored only as their hash. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Random bytes for a secret (an authenticator app's key). */
export function newSecretBytes(size: number): Uint8Array {
  return new Uint8Array(randomBytes(size));
}

/** Crockford-style base32 without I, L, O, U: easy to read aloud and type. */
const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A one-time recovery code, `XXXXX-XXXXX` (50 random bits). */
export function newRecoveryCode(): string {
  const chars = [...randomBytes(10)].map((b) => CODE_ALPHABET[b & 31]!).join('');
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}
