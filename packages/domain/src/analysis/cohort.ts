/**
 * Shared pieces of the analysis functions: a pupil of a cohort, and session counts over a range
 * of school sessions. Pure: calendars and compact marks in, plain numbers out.
 *
 * @see ../../../../shared/reference/attendance-rules.md §2, §3 (checked 2026-11-26)
 */
import type { SchoolCalendar } from '../calendar.js';
import { CAT_APPROVED_ACTIVITY, CAT_AUTHORISED, CAT_PRESENT, CAT_UNAUTHORISED, CODE_CATEGORY } from '../codes.js';
import type { PupilMarks } from '../measures.js';

/** One pupil of a cohort: an id the caller understands and the pupil's compact marks. */
export interface CohortPupil {
  readonly id: string;
  readonly marks: PupilMarks;
}

/** Counts of possible sessions over a range (attendance = present + approved activity). */
export interface SessionCounts {
  possible: number;
  attended: number;
  authorised: number;
  unauthorised: number;
}

export function emptyCounts(): SessionCounts {
  return { possible: 0, attended: 0, authorised: 0, unauthorised: 0 };
}

/** Absence sessions (authorised + unauthorised). */
export function absenceOf(c: SessionCounts): number {
  return c.authorised + c.unauthorised;
}

/** A share, or null when there is nothing to share. */
export function ratio(n: number, d: number): number | null {
  return d > 0 ? n / d : null;
}

/** The first and last session of a pupil inside `[from, to]` and on roll; `first > last` when none. */
export function pupilRange(cal: SchoolCalendar, marks: PupilMarks, from: number, to: number): [number, number] {
  return [Math.max(0, from, marks.rollFrom), Math.min(to, marks.rollTo, cal.sessionCount - 1)];
}

/** Slots per period in a category tally (index = `CODE_CATEGORY` value, 0 = no mark). */
export const CATEGORY_SLOTS = 6;

/**
 * Tallies every pupil's sessions in `[first, last]` by period and statistical category, in one
 * pass per pupil: `periodOf[s]` is the period of session `s` (or -1 to skip it). Returns a flat
 * array, `CATEGORY_SLOTS` entries per period.
 */
export function tallyByPeriod(
  cal: SchoolCalendar,
  pupils: readonly CohortPupil[],
  first: number,
  last: number,
  periodOf: Int32Array,
  periods: number,
): Int32Array {
  const tally = new Int32Array(periods * CATEGORY_SLOTS);
  for (const p of pupils) {
    const a = Math.max(0, first, p.marks.rollFrom);
    const b = Math.min(last, p.marks.rollTo, cal.sessionCount - 1);
    const codes = p.marks.codes;
    for (let s = a; s <= b; s++) {
      const k = periodOf[s]!;
      if (k >= 0) tally[k * CATEGORY_SLOTS + CODE_CATEGORY[codes[s]!]!]!++;
    }
  }
  return tally;
}

/** The session counts of one period of a tally. */
export function countsOf(tally: Int32Array, period: number): SessionCounts {
  const o = period * CATEGORY_SLOTS;
  const attended = tally[o + CAT_PRESENT]! + tally[o + CAT_APPROVED_ACTIVITY]!;
  const authorised = tally[o + CAT_AUTHORISED]!;
  const unauthorised = tally[o + CAT_UNAUTHORISED]!;
  return { possible: attended + authorised + unauthorised, attended, authorised, unauthorised };
}

/**
 * Adds one pupil's possible sessions in `[from, to]` (session numbers, inclusive) to `into`.
 *
 * @example addCounts(cal, marks, 0, 9, emptyCounts()) // the first five school days
 */
export function addCounts(
  cal: SchoolCalendar,
  marks: PupilMarks,
  from: number,
  to: number,
  into: SessionCounts = emptyCounts(),
): SessionCounts {
  const [a, b] = pupilRange(cal, marks, from, to);
  const codes = marks.codes;
  for (let s = a; s <= b; s++) {
    switch (CODE_CATEGORY[codes[s]!]) {
      case CAT_PRESENT:
      case CAT_APPROVED_ACTIVITY:
        into.possible++;
        into.attended++;
        break;
      case CAT_AUTHORISED:
        into.possible++;
        into.authorised++;
        break;
      case CAT_UNAUTHORISED:
        into.possible++;
        into.unauthorised++;
        break;
      default:
    }
  }
  return into;
}
