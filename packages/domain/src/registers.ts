/**
 * Register times and lateness: when a register is open, and what an arrival is coded.
 *
 * - Arriving after the register opened and before it closed is `L` (present), with minutes late.
 * - Arriving after it closed but before the session ends is `U` (unauthorised absence).
 * - A register is open for at most 30 minutes, the same length for every session.
 *
 * Minutes late are counted from the moment the register opens.
 *
 * @see ../../../shared/reference/attendance-rules.md §1 (checked 2026-11-25)
 */
import type { Session } from './dates.js';

/** @see ../../../shared/reference/attendance-rules.md §1 (checked 2026-11-25) */
export const MAX_REGISTER_OPEN_MINUTES = 30;

export interface RegisterWindow {
  /** `HH:MM` when the register opens (the start of the session). */
  readonly opens: string;
  /** `HH:MM` when it closes. */
  readonly closes: string;
}

export type RegisterTimes = Readonly<Record<Session, RegisterWindow>>;

/**
 * The default times of the seed primary school: AM 08:50–09:20, PM 13:00–13:10.
 * @see ../../../shared/seeds/000_fc0f941c00c384e8.txt (register times)
 */
export const DEFAULT_REGISTER_TIMES: RegisterTimes = {
  AM: { opens: '08:50', closes: '09:20' },
  PM: { opens: '13:00', closes: '13:10' },
};

const TIME_RE = /^([01]\d|2[0-3]):([0-5]\d)$/;

export function isTimeOfDay(value: string): boolean {
  return TIME_RE.test(value);
}

/** Minutes since midnight for `HH:MM`. */
export function minutesOfDay(time: string): number {
  const m = TIME_RE.exec(time);
  if (!m) throw new Error(`not a time HH:MM: ${time}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** Problems with a school's register times (empty when they are lawful). */
export function checkRegisterTimes(times: RegisterTimes): { session: Session; message: string }[] {
  const out: { session: Session; message: string }[] = [];
  for (const session of ['AM', 'PM'] as const) {
    const w = times[session];
    if (!isTimeOfDay(w.opens) || !isTimeOfDay(w.closes)) {
      out.push({ session, message: 'times must be HH:MM (24-hour clock)' });
      continue;
    }
    const open = minutesOfDay(w.closes) - minutesOfDay(w.opens);
    if (open <= 0) out.push({ session, message: `the register must close after it opens (${w.opens}–${w.closes})` });
    else if (open > MAX_REGISTER_OPEN_MINUTES) {
      out.push({
        session,
        message: `the register may be open for at most ${MAX_REGISTER_OPEN_MINUTES} minutes, not ${open}`,
      });
    }
  }
  return out;
}

export type RegisterState = 'notYetOpen' | 'open' | 'closed';

/** Whether a register is open at a time of day. */
export function registerState(window: RegisterWindow, time: string): RegisterState {
  const t = minutesOfDay(time);
  if (t < minutesOfDay(window.opens)) return 'notYetOpen';
  // Minute resolution: arriving at the closing minute itself is still before the close.
  if (t <= minutesOfDay(window.closes)) return 'open';
  return 'closed';
}

/**
 * The code and minutes late for a pupil arriving at a time: `L` before the close, `U` after.
 * Arriving before the register opens is on time (`null` code: mark present as usual).
 *
 * @example arrivalMark(DEFAULT_REGISTER_TIMES.AM, '09:05') // { code: 'L', minutesLate: 15 }
 * @example arrivalMark(DEFAULT_REGISTER_TIMES.AM, '09:35') // { code: 'U', minutesLate: 45 }
 */
export function arrivalMark(
  window: RegisterWindow,
  arrivedAt: string,
): { code: 'L' | 'U' | null; minutesLate: number } {
  const late = minutesOfDay(arrivedAt) - minutesOfDay(window.opens);
  if (late <= 0) return { code: null, minutesLate: 0 };
  return { code: registerState(window, arrivedAt) === 'closed' ? 'U' : 'L', minutesLate: late };
}
