/**
 * Case facts from marks and the case record: the figures `evaluate` (domain policy) reads.
 * Pure functions over a compiled calendar and a pupil's compact marks; the database reads are
 * in evaluation.ts.
 *
 * Readings where the policy or the rules are silent (see docs/casework.md):
 * - "the last N school weeks" is the school week containing "as of" and the N-1 school weeks
 *   before it (as the penalty-notice window of attendance-rules.md §4);
 * - a day counts towards "consecutive days absent" when it has an absence mark (authorised or
 *   unauthorised) and no attendance; days whose sessions are all "not possible" are stepped over;
 *   a day with attendance or without marks ends the run;
 * - school weeks in a stage are whole school weeks from the week the stage was entered to the
 *   week of "as of" (0 in the week of entry).
 */
import {
  addDays,
  CODE_FLAGS,
  factsAskedFor,
  FLAG_ILLNESS,
  CAT_APPROVED_ACTIVITY,
  CAT_AUTHORISED,
  CAT_NONE,
  CAT_NOT_POSSIBLE,
  CAT_PRESENT,
  CAT_UNAUTHORISED,
  CODE_CATEGORY,
  firstSessionOnOrAfter,
  lastSessionOnOrBefore,
  type AnchorFact,
  type AttendancePolicy,
  type PlainDate,
  type ReviewPoint,
  type SchoolCalendar,
} from '@rollcall/domain';

/**
 * Every "last N school weeks" the policy's conditions ask about, nested conditions included
 * (`factsAskedFor` walks the whole condition tree).
 */
export function weeksAskedFor(policy: AttendancePolicy): number[] {
  return [...factsAskedFor(policy).weeks];
}

/** Sessions attended and possible between two session numbers (inclusive), skipping a range. */
export function rateOver(
  codes: Uint8Array,
  from: number,
  to: number,
  skip?: { from: number; to: number } | null,
): { possible: number; attended: number; rate: number | null } {
  let possible = 0;
  let attended = 0;
  for (let s = Math.max(0, from); s <= to; s++) {
    if (skip && s >= skip.from && s <= skip.to) continue;
    const cat = CODE_CATEGORY[codes[s] ?? 0]!;
    if (cat === CAT_NONE || cat === CAT_NOT_POSSIBLE) continue;
    possible++;
    if (cat === CAT_PRESENT || cat === CAT_APPROVED_ACTIVITY) attended++;
  }
  return { possible, attended, rate: possible > 0 ? attended / possible : null };
}

/** Absence sessions, unauthorised sessions and illness (I) sessions between two session numbers. */
export function absenceCounts(
  codes: Uint8Array,
  from: number,
  to: number,
): { absent: number; unauthorised: number; illness: number } {
  let absent = 0;
  let unauthorised = 0;
  let illness = 0;
  for (let s = Math.max(0, from); s <= to; s++) {
    const id = codes[s] ?? 0;
    const cat = CODE_CATEGORY[id]!;
    if (cat !== CAT_AUTHORISED && cat !== CAT_UNAUTHORISED) continue;
    absent++;
    if (cat === CAT_UNAUTHORISED) unauthorised++;
    if ((CODE_FLAGS[id]! & FLAG_ILLNESS) !== 0) illness++;
  }
  return { absent, unauthorised, illness };
}

/** School days after `from` up to and including `to` (0 on the day itself). */
export function schoolDaysSince(cal: SchoolCalendar, from: PlainDate, to: PlainDate): number {
  if (to <= from) return 0;
  const a = lastSessionOnOrBefore(cal, from);
  const b = lastSessionOnOrBefore(cal, to);
  if (b < 0) return 0;
  const dayA = a < 0 ? -1 : cal.sessionDay[a]!;
  return Math.max(0, cal.sessionDay[b]! - dayA);
}

/** Whole calendar months from `from` to `to` (2026-01-19 → 2026-04-19 is 3; → 2026-04-18 is 2). */
export function calendarMonthsBetween(from: PlainDate, to: PlainDate): number {
  const [fy, fm, fd] = from.split('-').map(Number) as [number, number, number];
  const [ty, tm, td] = to.split('-').map(Number) as [number, number, number];
  let months = (ty - fy) * 12 + (tm - fm);
  if (td < fd) months--;
  return Math.max(0, months);
}

/** The date `months` calendar months after `from` (clamped to the month's last day). */
export function addCalendarMonths(from: PlainDate, months: number): PlainDate {
  const [y, m, d] = from.split('-').map(Number) as [number, number, number];
  const total = y * 12 + (m - 1) + months;
  const year = Math.floor(total / 12);
  const month = (total % 12) + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const day = Math.min(d, last);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}` as PlainDate;
}

/** Time since a start date through the school's calendar. */
export function anchorFact(cal: SchoolCalendar, on: PlainDate, asOf: PlainDate): AnchorFact {
  return {
    on,
    schoolDays: schoolDaysSince(cal, on, asOf),
    schoolWeeks: schoolWeeksBetween(cal, on, asOf),
    calendarMonths: calendarMonthsBetween(on, asOf),
  };
}

/** A check day of the school year with its label. */
export interface CheckDay {
  readonly on: PlainDate;
  readonly label: string;
}

/** The last school day of each half-term (calendar term) in the academic year from `yearStart`. */
export function halfTermCheckDays(cal: SchoolCalendar, yearStart: PlainDate, yearEnd: PlainDate): CheckDay[] {
  const out: CheckDay[] = [];
  for (const t of [...cal.terms].sort((a, b) => (a.start < b.start ? -1 : 1))) {
    if (t.end < yearStart || t.start > yearEnd) continue;
    const s = lastSessionOnOrBefore(cal, t.end);
    if (s < 0) continue;
    const day = cal.sessionDate[s]!;
    if (day < t.start || day < yearStart) continue;
    out.push({ on: day, label: `${t.name} half-term check` });
  }
  return out;
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** The policy's review points as school days of the academic year from `yearStart` (in order). */
export function reviewPointDays(cal: SchoolCalendar, points: readonly ReviewPoint[], yearStart: PlainDate): CheckDay[] {
  const startYear = Number(yearStart.slice(0, 4));
  const out: CheckDay[] = [];
  for (const p of points) {
    const year = p.month >= 8 ? startYear : startYear + 1;
    const mm = String(p.month).padStart(2, '0');
    const monthStart = `${year}-${mm}-01` as PlainDate;
    const monthEnd = addDays(addCalendarMonths(monthStart, 1), -1);
    let on: PlainDate | null = null;
    if (p.kind === 'date') {
      const s = firstSessionOnOrAfter(cal, `${year}-${mm}-${String(p.day).padStart(2, '0')}` as PlainDate);
      on = s >= 0 && s < cal.sessionCount ? cal.sessionDate[s]! : null;
    } else if (p.which === 'first') {
      const s = firstSessionOnOrAfter(cal, monthStart);
      on = s >= 0 && s < cal.sessionCount && cal.sessionDate[s]! <= monthEnd ? cal.sessionDate[s]! : null;
    } else {
      const s = lastSessionOnOrBefore(cal, monthEnd);
      on = s >= 0 && cal.sessionDate[s]! >= monthStart ? cal.sessionDate[s]! : null;
    }
    if (!on) continue;
    const label =
      p.label ??
      (p.kind === 'date'
        ? `review point of ${p.day} ${MONTHS[p.month - 1]}`
        : `review point (${p.which} school week of ${MONTHS[p.month - 1]})`);
    out.push({ on, label });
  }
  return out.sort((a, b) => (a.on < b.on ? -1 : a.on > b.on ? 1 : 0));
}

export interface RecentFigures {
  readonly rateOverLastWeeks: Record<number, number | null>;
  readonly unauthorisedInLastWeeks: Record<number, number>;
  readonly consecutiveDaysAbsent: number;
}

/**
 * Rates and counts over the last N school weeks up to "as of", and the run of days absent.
 * `rollFrom`/`rollTo` are session numbers (inclusive) of the time on roll.
 */
export function recentFigures(
  cal: SchoolCalendar,
  asOf: PlainDate,
  codes: Uint8Array,
  rollFrom: number,
  rollTo: number,
  weeks: readonly number[],
): RecentFigures {
  const rateOverLastWeeks: Record<number, number | null> = {};
  const unauthorisedInLastWeeks: Record<number, number> = {};
  const asOfSession = lastSessionOnOrBefore(cal, asOf);
  const end = Math.min(asOfSession, rollTo);
  for (const n of weeks) {
    if (asOfSession < 0) {
      rateOverLastWeeks[n] = null;
      unauthorisedInLastWeeks[n] = 0;
      continue;
    }
    const firstWeek = Math.max(0, cal.sessionWeek[asOfSession]! - n + 1);
    const start = Math.max(cal.weekFirstSession[firstWeek]!, rollFrom, 0);
    let possible = 0;
    let attended = 0;
    let unauthorised = 0;
    for (let s = start; s <= end; s++) {
      const cat = CODE_CATEGORY[codes[s] ?? 0]!;
      if (cat === CAT_NONE || cat === CAT_NOT_POSSIBLE) continue;
      possible++;
      if (cat === CAT_PRESENT || cat === CAT_APPROVED_ACTIVITY) attended++;
      else if (cat === CAT_UNAUTHORISED) unauthorised++;
    }
    rateOverLastWeeks[n] = possible > 0 ? attended / possible : null;
    unauthorisedInLastWeeks[n] = unauthorised;
  }

  let run = 0;
  if (asOfSession >= 0) {
    for (let day = cal.sessionDay[asOfSession]!; day >= 0; day--) {
      const from = cal.dayFirstSession[day]!;
      const to = Math.min(cal.dayFirstSession[day + 1]! - 1, end);
      if (to < rollFrom || from > end) {
        if (from > end) continue;
        break;
      }
      let absent = false;
      let attended = false;
      let marked = false;
      for (let s = from; s <= to; s++) {
        const cat = CODE_CATEGORY[codes[s] ?? 0]!;
        if (cat === CAT_NONE) continue;
        marked = true;
        if (cat === CAT_PRESENT || cat === CAT_APPROVED_ACTIVITY) attended = true;
        else if (cat === CAT_AUTHORISED || cat === CAT_UNAUTHORISED) absent = true;
      }
      if (attended || !marked) break;
      if (absent) run++;
    }
  }
  return { rateOverLastWeeks, unauthorisedInLastWeeks, consecutiveDaysAbsent: run };
}

/** Whole school weeks from the week of `from` to the week of `to` (0 within one week). */
export function schoolWeeksBetween(cal: SchoolCalendar, from: PlainDate, to: PlainDate): number {
  const a = firstSessionOnOrAfter(cal, from);
  const b = lastSessionOnOrBefore(cal, to);
  if (a < 0 || b < 0 || a >= cal.sessionCount || b < a) return 0;
  return Math.max(0, cal.sessionWeek[b]! - cal.sessionWeek[a]!);
}

/**
 * The first school day of the school week `n` school weeks after the week of `from`; null when
 * the calendar does not reach that far (e.g. beyond the last term entered).
 */
export function schoolWeeksAfter(cal: SchoolCalendar, from: PlainDate, n: number): PlainDate | null {
  const a = firstSessionOnOrAfter(cal, from);
  if (a < 0 || a >= cal.sessionCount) return null;
  const week = cal.sessionWeek[a]! + n;
  if (week >= cal.weekCount) return null;
  return cal.sessionDate[cal.weekFirstSession[week]!]!;
}

/**
 * The school day `n` school days after `from` (counting the first school day on or after `from`
 * as day 1 when `from` is a school day, else the next one); null beyond the calendar.
 */
export function nthSchoolDayFrom(cal: SchoolCalendar, from: PlainDate, n: number): PlainDate | null {
  const a = firstSessionOnOrAfter(cal, from);
  if (a < 0 || a >= cal.sessionCount) return null;
  const day = cal.sessionDay[a]! + n - 1;
  if (day >= cal.dayCount) return null;
  return cal.dayDate[day]!;
}
