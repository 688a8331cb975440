/**
 * Growing delays for anything guessed (passwords, second-factor codes): a key counts failures and
 * is refused for a delay that doubles with each failure past the free ones. Nothing locks.
 * @see https://pages.nist.gov/800-63-4/sp800-63b.html (rate limiting: no permanent lockout)
 */
import type { DbOrTrx } from '../../db/connect.js';
import { countFailure, refuseUntil, throttleStates } from '../../db/accounts/sign-in-throttle.js';
import { AppError } from '../errors.js';

const MINUTE_MS = 60_000;

function plus(iso: string, ms: number): string {
  return new Date(new Date(iso).getTime() + ms).toISOString();
}

/** The first delay, doubled at each further failure up to {@link MAX_DELAY_MINUTES}. */
export const FIRST_DELAY_SECONDS = 30;
export const MAX_DELAY_MINUTES = 15;
/** A key's count starts again this long after its last failure. */
export const RESET_AFTER_MINUTES = 60;
/**
 * The delay after a key's `failures`-th failure: none for the free ones, then
 * {@link FIRST_DELAY_SECONDS} doubling to {@link MAX_DELAY_MINUTES}.
 *
 * @example delaySeconds(6, 5) === 30; delaySeconds(7, 5) === 60; delaySeconds(99, 5) === 900
 */
export function delaySeconds(failures: number, free: number): number {
  if (failures <= free) return 0;
  return Math.min(MAX_DELAY_MINUTES * 60, FIRST_DELAY_SECONDS * 2 ** Math.min(failures - free - 1, 20));
}

/** "30 seconds", "1 minute", "8 minutes": how long to wait, rounded up to a whole minute past one. */
export function waitInWords(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

export function throttledMessage(seconds: number): string {
  return `You have tried to sign in too many times. Wait ${waitInWords(seconds)}, then try again.`;
}

/** The Retry-After of a TOO_MANY_ATTEMPTS error, in seconds (at least 1). */
export function retryAfterSeconds(e: AppError): number {
  const s = e.details['retryAfterSeconds'];
  return typeof s === 'number' && s > 0 ? Math.ceil(s) : MAX_DELAY_MINUTES * 60;
}

/** A TOO_MANY_ATTEMPTS error for a wait. */
export function throttledError(seconds: number, message = throttledMessage(seconds)): AppError {
  return new AppError('TOO_MANY_ATTEMPTS', message, { retryAfterSeconds: seconds });
}

export interface CountedKey {
  readonly key: string;
  /** Failures before the key is delayed. */
  readonly free: number;
}

/** The seconds until the latest refusal of these keys ends, or 0. */
export async function refusedForKeys(db: DbOrTrx, keys: readonly string[], now: string): Promise<number> {
  const states = await throttleStates(db, keys);
  let until = 0;
  for (const st of states.values()) {
    if (st.refusedUntil !== null && st.refusedUntil > now) until = Math.max(until, Date.parse(st.refusedUntil));
  }
  return until === 0 ? 0 : Math.ceil((until - Date.parse(now)) / 1000);
}

/** Counts a failure on each key and starts its delay; returns each key's new count. */
export async function countFailures(
  db: DbOrTrx,
  keys: readonly CountedKey[],
  now: string,
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const resetBefore = plus(now, -RESET_AFTER_MINUTES * MINUTE_MS);
  for (const k of keys) {
    const failures = await countFailure(db, k.key, { at: now, resetBefore });
    counts.set(k.key, failures);
    const delay = delaySeconds(failures, k.free);
    if (delay > 0) await refuseUntil(db, k.key, plus(now, delay * 1000));
  }
  return counts;
}

/** Counts one failure on one key (see {@link countFailures}). */
export async function countThrottleFailure(db: DbOrTrx, key: string, free: number, now: string): Promise<number> {
  return (await countFailures(db, [{ key, free }], now)).get(key) ?? 0;
}
