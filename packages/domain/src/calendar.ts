/**
 * The school calendar: terms and closures compiled into numbered school sessions, school days
 * and school weeks, so that every measure can work on dense arrays.
 *
 * - A school session is the AM or PM of a Monday–Friday inside a term (inclusive), less closures.
 * - A school day is a date with at least one school session.
 * - A school week is a Monday–Sunday week with at least one school session.
 *
 * @see ../../../shared/reference/attendance-rules.md §1 and §4 (checked 2026-11-25)
 */
import { addDays, isPlainDate, isWeekday, mondayOf, type PlainDate, type Session } from './dates.js';
import type { ValidationIssue } from './result.js';

export interface Term {
  readonly name: string;
  readonly start: PlainDate;
  readonly end: PlainDate;
}

export type ClosureSession = Session | 'ALL';

export interface Closure {
  readonly date: PlainDate;
  readonly session: ClosureSession;
  readonly reason: string;
}

export interface CalendarInput {
  readonly terms: readonly Term[];
  readonly closures: readonly Closure[];
}

/** A compiled calendar. Session, day and week numbers are dense and chronological. */
export interface SchoolCalendar {
  readonly terms: readonly Term[];
  readonly closures: readonly Closure[];
  readonly sessionCount: number;
  /** Date of each school session. */
  readonly sessionDate: readonly PlainDate[];
  /** 0 for AM, 1 for PM. */
  readonly sessionIsPM: Uint8Array;
  /** School day number of each session. */
  readonly sessionDay: Int32Array;
  /** School week number of each session. */
  readonly sessionWeek: Int32Array;
  readonly dayCount: number;
  readonly dayDate: readonly PlainDate[];
  /** First session of each school day; entry `dayCount` is `sessionCount`. */
  readonly dayFirstSession: Int32Array;
  readonly weekCount: number;
  /** Monday of each school week. */
  readonly weekMonday: readonly PlainDate[];
  /** First session of each school week; entry `weekCount` is `sessionCount`. */
  readonly weekFirstSession: Int32Array;
  /** School day number by date. */
  readonly dayByDate: ReadonlyMap<PlainDate, number>;
  /** Closed sessions by date (only weekdays inside a term). */
  readonly closedByDate: ReadonlyMap<PlainDate, { readonly AM: boolean; readonly PM: boolean }>;
}

/**
 * Checks the calendar and compiles it. Problems come back as issues with the path of the
 * offending field (e.g. `['terms', 2, 'end']`), never as exceptions.
 *
 * @example
 * const r = compileCalendar({ terms: [{ name: 'Autumn 1', start: d('2025-09-03'), end: d('2025-10-24') }], closures: [] });
 * // r.ok && r.value.sessionCount === 76
 */
export function compileCalendar(
  input: CalendarInput,
): { ok: true; value: SchoolCalendar } | { ok: false; issues: ValidationIssue[] } {
  const issues: ValidationIssue[] = [];
  const terms = [...input.terms].map((t, i) => ({ t, i })).sort((a, b) => (a.t.start < b.t.start ? -1 : 1));
  for (const { t, i } of terms) {
    if (t.end < t.start) {
      issues.push({
        path: ['terms', i, 'end'],
        message: `term "${t.name}" ends (${t.end}) before it starts (${t.start})`,
      });
    }
  }
  for (let k = 1; k < terms.length; k++) {
    const prev = terms[k - 1]!;
    const cur = terms[k]!;
    if (cur.t.start <= prev.t.end) {
      issues.push({
        path: ['terms', cur.i, 'start'],
        message: `term "${cur.t.name}" (from ${cur.t.start}) overlaps term "${prev.t.name}" (to ${prev.t.end})`,
      });
    }
  }
  if (issues.length > 0) return { ok: false, issues };

  const inTerm = (date: PlainDate): boolean => terms.some(({ t }) => t.start <= date && date <= t.end);
  const closedByDate = new Map<PlainDate, { AM: boolean; PM: boolean }>();
  input.closures.forEach((c, i) => {
    if (!isWeekday(c.date) || !inTerm(c.date)) {
      issues.push({
        path: ['closures', i, 'date'],
        message: `closure on ${c.date} is not a weekday inside a term, so there is no school session to close (check the date)`,
      });
      return;
    }
    const entry = closedByDate.get(c.date) ?? { AM: false, PM: false };
    if (c.session === 'AM' || c.session === 'ALL') entry.AM = true;
    if (c.session === 'PM' || c.session === 'ALL') entry.PM = true;
    closedByDate.set(c.date, entry);
  });
  if (issues.length > 0) return { ok: false, issues };

  const sessionDate: PlainDate[] = [];
  const isPM: number[] = [];
  const sessionDayArr: number[] = [];
  const sessionWeekArr: number[] = [];
  const dayDate: PlainDate[] = [];
  const dayFirst: number[] = [];
  const weekMonday: PlainDate[] = [];
  const weekFirst: number[] = [];
  const dayByDate = new Map<PlainDate, number>();

  for (const { t } of terms) {
    for (let date = t.start; date <= t.end; date = addDays(date, 1)) {
      if (!isWeekday(date)) continue;
      const closed = closedByDate.get(date);
      const am = !closed?.AM;
      const pm = !closed?.PM;
      if (!am && !pm) continue;
      const monday = mondayOf(date);
      if (weekMonday[weekMonday.length - 1] !== monday) {
        weekMonday.push(monday);
        weekFirst.push(sessionDate.length);
      }
      dayByDate.set(date, dayDate.length);
      dayDate.push(date);
      dayFirst.push(sessionDate.length);
      for (const half of [0, 1]) {
        if ((half === 0 && am) || (half === 1 && pm)) {
          sessionDate.push(date);
          isPM.push(half);
          sessionDayArr.push(dayDate.length - 1);
          sessionWeekArr.push(weekMonday.length - 1);
        }
      }
    }
  }
  dayFirst.push(sessionDate.length);
  weekFirst.push(sessionDate.length);

  return {
    ok: true,
    value: {
      terms: terms.map(({ t }) => t),
      closures: [...input.closures],
      sessionCount: sessionDate.length,
      sessionDate,
      sessionIsPM: Uint8Array.from(isPM),
      sessionDay: Int32Array.from(sessionDayArr),
      sessionWeek: Int32Array.from(sessionWeekArr),
      dayCount: dayDate.length,
      dayDate,
      dayFirstSession: Int32Array.from(dayFirst),
      weekCount: weekMonday.length,
      weekMonday,
      weekFirstSession: Int32Array.from(weekFirst),
      dayByDate,
      closedByDate,
    },
  };
}

/** The number of a school session, or -1 when the date and session are not a school session. */
export function sessionIndex(cal: SchoolCalendar, date: PlainDate, session: Session): number {
  const day = cal.dayByDate.get(date);
  if (day === undefined) return -1;
  const first = cal.dayFirstSession[day]!;
  const next = cal.dayFirstSession[day + 1]!;
  const want = session === 'PM' ? 1 : 0;
  for (let s = first; s < next; s++) if (cal.sessionIsPM[s] === want) return s;
  return -1;
}

/** True when the date and session fall on a planned closure inside a term. */
export function isClosedSession(cal: SchoolCalendar, date: PlainDate, session: Session): boolean {
  const c = cal.closedByDate.get(date);
  return c !== undefined && c[session];
}

/** Number of the last school session on or before a date (both sessions of that date count); -1 if none. */
export function lastSessionOnOrBefore(cal: SchoolCalendar, date: PlainDate): number {
  let lo = 0;
  let hi = cal.sessionCount; // first index with sessionDate > date
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cal.sessionDate[mid]! <= date) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** Number of the first school session on or after a date; `sessionCount` if none. */
export function firstSessionOnOrAfter(cal: SchoolCalendar, date: PlainDate): number {
  let lo = 0;
  let hi = cal.sessionCount;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cal.sessionDate[mid]! < date) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Number of the last school day on or before a date; -1 if none. */
export function lastDayOnOrBefore(cal: SchoolCalendar, date: PlainDate): number {
  const s = lastSessionOnOrBefore(cal, date);
  return s < 0 ? -1 : cal.sessionDay[s]!;
}

/**
 * Counts school days with a date in `[from, to]` (both inclusive).
 *
 * @example countSchoolDays(cal, d('2025-09-01'), d('2025-09-05')) // 3 when term starts on Wednesday 3rd
 */
export function countSchoolDays(cal: SchoolCalendar, from: PlainDate, to: PlainDate): number {
  if (to < from) return 0;
  const lastDay = lastDayOnOrBefore(cal, to);
  const before = lastDayOnOrBefore(cal, addDays(from, -1));
  return lastDay - before;
}

/** The session label of a session number. */
export function sessionLabel(cal: SchoolCalendar, s: number): Session {
  return cal.sessionIsPM[s] === 1 ? 'PM' : 'AM';
}

/** True when the string is a valid closure session. */
export function isClosureSession(value: string): value is ClosureSession {
  return value === 'AM' || value === 'PM' || value === 'ALL';
}

/** Checks raw calendar data (as parsed from JSON) and turns it into a {@link CalendarInput}. */
export function parseCalendarInput(
  raw: unknown,
):
  | { ok: true; value: CalendarInput }
  | { ok: false; issues: ValidationIssue[]; partial: CalendarInput; termsOk: boolean } {
  const issues: ValidationIssue[] = [];
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return {
      ok: false,
      issues: [{ path: [], message: 'the calendar must be an object with "terms" and "closures"' }],
      partial: { terms: [], closures: [] },
      termsOk: false,
    };
  }
  const obj = raw as Record<string, unknown>;
  const terms: Term[] = [];
  const closures: Closure[] = [];
  if (!Array.isArray(obj['terms'])) {
    issues.push({ path: ['terms'], message: '"terms" must be a list of {"name", "start", "end"}' });
  } else if (obj['terms'].length === 0) {
    issues.push({ path: ['terms'], message: '"terms" is empty: give at least one term' });
  } else {
    obj['terms'].forEach((t: unknown, i) => {
      if (typeof t !== 'object' || t === null || Array.isArray(t)) {
        issues.push({ path: ['terms', i], message: 'a term must be an object {"name", "start", "end"}' });
        return;
      }
      const rec = t as Record<string, unknown>;
      const name = rec['name'];
      const start = rec['start'];
      const end = rec['end'];
      let ok = true;
      if (name !== undefined && typeof name !== 'string') {
        issues.push({ path: ['terms', i, 'name'], message: 'term "name" must be text' });
        ok = false;
      }
      for (const [key, v] of [
        ['start', start],
        ['end', end],
      ] as const) {
        if (typeof v !== 'string' || !isPlainDate(v)) {
          issues.push({
            path: ['terms', i, key],
            message: `term "${key}" must be a date YYYY-MM-DD, got ${JSON.stringify(v)}`,
          });
          ok = false;
        }
      }
      if (ok)
        terms.push({
          name: (name as string | undefined) ?? `Term ${i + 1}`,
          start: start as PlainDate,
          end: end as PlainDate,
        });
    });
  }
  const rawClosures = obj['closures'] ?? [];
  if (!Array.isArray(rawClosures)) {
    issues.push({ path: ['closures'], message: '"closures" must be a list of {"date", "session", "reason"}' });
  } else {
    rawClosures.forEach((c: unknown, i) => {
      if (typeof c !== 'object' || c === null || Array.isArray(c)) {
        issues.push({ path: ['closures', i], message: 'a closure must be an object {"date", "session", "reason"}' });
        return;
      }
      const rec = c as Record<string, unknown>;
      const date = rec['date'];
      const session = rec['session'] ?? 'ALL';
      const reason = rec['reason'] ?? '';
      let ok = true;
      if (typeof date !== 'string' || !isPlainDate(date)) {
        issues.push({
          path: ['closures', i, 'date'],
          message: `closure "date" must be a date YYYY-MM-DD, got ${JSON.stringify(date)}`,
        });
        ok = false;
      }
      if (typeof session !== 'string' || !isClosureSession(session)) {
        issues.push({
          path: ['closures', i, 'session'],
          message: `closure "session" must be "AM", "PM" or "ALL", got ${JSON.stringify(session)}`,
        });
        ok = false;
      }
      if (typeof reason !== 'string') {
        issues.push({ path: ['closures', i, 'reason'], message: 'closure "reason" must be text' });
        ok = false;
      }
      if (ok) closures.push({ date: date as PlainDate, session: session as ClosureSession, reason: reason as string });
    });
  }
  if (issues.length === 0) return { ok: true, value: { terms, closures } };
  const termsOk = !issues.some((i) => i.path[0] === 'terms');
  return { ok: false, issues, partial: { terms, closures }, termsOk };
}
