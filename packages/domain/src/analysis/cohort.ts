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
