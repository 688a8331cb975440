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
  CAT_APPROVED_ACTIVITY,
  CAT_AUTHORISED,
  CAT_NONE,
  CAT_NOT_POSSIBLE,
  CAT_PRESENT,
  CAT_UNAUTHORISED,
  CODE_CATEGORY,
  firstSessionOnOrAfter,
  lastSessionOnOrBefore,
  type AttendancePolicy,
  type PlainDate,
  type SchoolCalendar,
} from '@rollcall/domain';

/** Every "last N school weeks" the policy's conditions ask about. */
export function weeksAskedFor(policy: AttendancePolicy): number[] {
  const weeks = new Set<number>();
  for (const stage of policy.stages) {
    for (const c of [...stage.triggers, ...(stage.stepDownWhen ?? [])]) {
      if ('weeks' in c && typeof c.weeks === 'number') weeks.add(c.weeks);
    }
  }
  return [...weeks].sort((a, b) => a - b);
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
