/** The one place that makes ids and random tokens. */
import { createHash, randomBytes, randomUUID } from 'node:crypto';

export function newId(): string {
  return randomUUID();
}

/** A random token for cookies and CSRF (URL-safe, 256 bits). */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** SHA-256 of a token, hex: session tokens are stored only as their hash. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
