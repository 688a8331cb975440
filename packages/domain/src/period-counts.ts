/**
 * A pupil's counts for the statistics period (possible, attended, authorised, unauthorised) as
 * `measurePupil` makes them, kept so that a mark changed later can be laid over them without
 * measuring the pupil again: each counted session adds its code's category once, so changing one
 * session's code moves one session from one category to another. PA and SA follow from the
 * counts alone. A property test checks both against `measurePupil` on the changed marks.
 */
import { CAT_APPROVED_ACTIVITY, CAT_AUTHORISED, CAT_PRESENT, CAT_UNAUTHORISED, CODE_CATEGORY } from './codes.js';
import {
  PERSISTENT_ABSENCE_DENOMINATOR,
  SEVERE_ABSENCE_DENOMINATOR,
  type AnalysisContext,
  type PupilMarks,
} from './measures.js';

/** The counts a school's figures add up, per pupil (`SummaryCounts` without PA and SA). */
export interface PeriodCounts {
  possible: number;
  /** Present or in approved educational activity. */
  attended: number;
  authorised: number;
  unauthorised: number;
}

/**
 * The sessions `measurePupil` counts for these marks: from the later of the period's first
 * session and the first on roll, to the earlier of "as of" and the last on roll. Empty (first >
 * last) when there are none.
 */
export function countedSessions(
  ctx: AnalysisContext,
  marks: Pick<PupilMarks, 'rollFrom' | 'rollTo'>,
  sessionCount: number,
): { first: number; last: number } {
  return {
    first: Math.max(0, marks.rollFrom, ctx.periodFromSession),
    last: Math.min(ctx.asOfSession, marks.rollTo, sessionCount - 1),
  };
}

/** Adds `sign` (1 or -1) sessions of code id `code` to the counts (a code not possible adds nothing). */
function addCode(counts: PeriodCounts, code: number, sign: number): void {
  const cat = CODE_CATEGORY[code] ?? 0;
  if (cat === CAT_PRESENT || cat === CAT_APPROVED_ACTIVITY) {
    counts.attended += sign;
    counts.possible += sign;
  } else if (cat === CAT_AUTHORISED) {
    counts.authorised += sign;
    counts.possible += sign;
  } else if (cat === CAT_UNAUTHORISED) {
    counts.unauthorised += sign;
    counts.possible += sign;
  }
}

/** One counted session's code changed from code id `from` to `to` (0: no mark). */
export function changeSessionCode(counts: PeriodCounts, from: number, to: number): void {
  if (from === to) return;
  addCode(counts, from, -1);
  addCode(counts, to, 1);
}

/** Persistent and severe absence of a pupil's counts, as `measurePupil` decides them. */
export function absenceFlags(counts: PeriodCounts, minPossibleSessions: number): { pa: boolean; sa: boolean } {
  const { possible } = counts;
  const absence = counts.authorised + counts.unauthorised;
  const qualifies = possible > 0 && possible >= minPossibleSessions;
  return {
    pa: qualifies && absence * PERSISTENT_ABSENCE_DENOMINATOR >= possible,
    sa: qualifies && absence * SEVERE_ABSENCE_DENOMINATOR >= possible,
  };
}
