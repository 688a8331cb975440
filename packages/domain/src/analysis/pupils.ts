/**
 * Pupil-level analysis that leads to action: the projection of persistent absence by the end of
 * the year, pupils whose attendance is falling fastest, improvers, and 100% attendance.
 *
 * @see ../../../../shared/reference/attendance-rules.md §3 (checked 2026-11-26)
 */
import { firstSessionOnOrAfter, lastSessionOnOrBefore, type SchoolCalendar } from '../calendar.js';
import { CODE_TABLE } from '../codes.js';
import { academicYearOf, type PlainDate } from '../dates.js';
import { PERSISTENT_ABSENCE_DENOMINATOR } from '../measures.js';
import { absenceOf, addCounts, emptyCounts, ratio, type CohortPupil, type SessionCounts } from './cohort.js';

/**
 * The recent window, in school weeks, for the projection and the falling/improving lists:
 * six school weeks is about a half-term, long enough not to react to one bad week.
 */
export const RECENT_SCHOOL_WEEKS = 6;
/** Fewest possible sessions in each window before a pupil's change is reported (one school week). */
export const MIN_WINDOW_SESSIONS = 10;

const lateIds = new Set(CODE_TABLE.filter((c) => c.lateBeforeClose).map((c) => c.id));

export interface PupilWindowOptions {
  /** First day of the year (default: the academic year of `asOf`). */
  readonly from?: PlainDate | undefined;
  readonly asOf: PlainDate;
  readonly recentWeeks?: number | undefined;
}

interface Windows {
  first: number;
  last: number;
  recentFirst: number;
  recentWeeks: number;
}

function windows(cal: SchoolCalendar, o: PupilWindowOptions): Windows {
  const first = firstSessionOnOrAfter(cal, o.from ?? academicYearOf(o.asOf).start);
  const last = lastSessionOnOrBefore(cal, o.asOf);
  const recentWeeks = Math.max(1, o.recentWeeks ?? RECENT_SCHOOL_WEEKS);
  if (first > last || last < 0) return { first, last, recentFirst: first, recentWeeks };
  const w = Math.max(cal.sessionWeek[first]!, cal.sessionWeek[last]! - recentWeeks + 1);
  return { first, last, recentFirst: Math.max(first, cal.weekFirstSession[w]!), recentWeeks };
}

export type ProjectionStatus = 'persistentNow' | 'atRisk' | 'onTrack';

export interface ProjectionRow {
  readonly pupilId: string;
  readonly status: ProjectionStatus;
  readonly possible: number;
  readonly absence: number;
  readonly absenceRate: number | null;
  /** Absence rate over the recent window (the rate assumed for the rest of the year). */
  readonly recentAbsenceRate: number | null;
  /** Sessions assumed still to come for this pupil. */
  readonly remainingSessions: number;
  readonly projectedAbsenceRate: number | null;
  /** Further absence sessions the pupil can have this year and still end below 10%; 0 when none. */
  readonly sessionsToSpare: number;
}

export interface Projection {
  /** The assumption, in words, to print beside the list. */
  readonly assumption: string;
  readonly yearEnd: PlainDate;
  readonly recentWeeks: number;
  /** School sessions in the calendar after `asOf` up to the year's end. */
  readonly remainingSchoolSessions: number;
  /** Every pupil with possible sessions, at risk first (highest projected rate first). */
  readonly rows: ProjectionRow[];
}

const STATUS_ORDER: Record<ProjectionStatus, number> = { atRisk: 0, persistentNow: 1, onTrack: 2 };

/**
 * Projects each pupil's absence rate to the end of the academic year and names those not yet
 * persistently absent who will be at their current rate.
 *
 * Assumption (returned in `assumption`): each pupil stays on roll to the end of the year (or to
 * their known leaving date) and misses the school sessions still to come in the calendar at the
 * same rate as over their last `recentWeeks` school weeks (the whole year so far when the recent
 * window had no possible session).
 *
 * @example
 * const p = projectPersistentAbsence(cal, pupils, { asOf: d('2025-11-28') });
 * p.rows.filter((r) => r.status === 'atRisk') // pupils below 10% now, above it by July
 */
export function projectPersistentAbsence(
  cal: SchoolCalendar,
  pupils: readonly CohortPupil[],
  options: PupilWindowOptions & { readonly yearEnd?: PlainDate | undefined },
): Projection {
  const w = windows(cal, options);
  const yearEnd = options.yearEnd ?? academicYearOf(options.asOf).end;
  const endSession = lastSessionOnOrBefore(cal, yearEnd);
  const remainingSchoolSessions = Math.max(0, endSession - w.last);
  const rows: ProjectionRow[] = [];
  for (const p of pupils) {
    const all = addCounts(cal, p.marks, w.first, w.last);
    if (all.possible === 0) continue;
    const recent = addCounts(cal, p.marks, w.recentFirst, w.last);
    const absence = absenceOf(all);
    const recentRate = ratio(absenceOf(recent), recent.possible) ?? absence / all.possible;
    const remaining = Math.max(0, Math.min(endSession, p.marks.rollTo) - Math.max(w.last, p.marks.rollFrom - 1));
    const projectedPossible = all.possible + remaining;
    const projectedAbsence = absence + recentRate * remaining;
    const persistentNow = absence * PERSISTENT_ABSENCE_DENOMINATOR >= all.possible;
    const projectedPersistent = projectedAbsence * PERSISTENT_ABSENCE_DENOMINATOR >= projectedPossible - 1e-9;
    // Largest whole x with (absence + x) / projectedPossible < 1/10.
    const spare =
      Math.ceil((projectedPossible - PERSISTENT_ABSENCE_DENOMINATOR * absence) / PERSISTENT_ABSENCE_DENOMINATOR) - 1;
    rows.push({
      pupilId: p.id,
      status: persistentNow ? 'persistentNow' : projectedPersistent ? 'atRisk' : 'onTrack',
      possible: all.possible,
      absence,
      absenceRate: absence / all.possible,
      recentAbsenceRate: ratio(absenceOf(recent), recent.possible),
      remainingSessions: remaining,
      projectedAbsenceRate: projectedAbsence / projectedPossible,
      sessionsToSpare: Math.max(0, spare),
    });
  }
  rows.sort(
    (a, b) =>
      STATUS_ORDER[a.status] - STATUS_ORDER[b.status] ||
      (b.projectedAbsenceRate ?? 0) - (a.projectedAbsenceRate ?? 0) ||
      (a.pupilId < b.pupilId ? -1 : 1),
  );
  return {
    assumption:
      `Each pupil stays on roll to ${yearEnd} (or their known leaving date) and misses the ${remainingSchoolSessions} ` +
      `school sessions still to come in the calendar at the same rate as over their last ${w.recentWeeks} school weeks ` +
      `(the year so far if they had no possible session in that time). "At risk" means below 10% absence now and ` +
      `10% or more at the end of the year on that assumption.`,
    yearEnd,
    recentWeeks: w.recentWeeks,
    remainingSchoolSessions,
    rows,
  };
}

/** A pupil's attendance before and during the recent window. */
export interface RateChange {
  readonly pupilId: string;
  readonly earlier: SessionCounts;
  readonly recent: SessionCounts;
  readonly earlierRate: number;
  readonly recentRate: number;
  /** Recent attendance rate less the earlier one: negative when falling. */
  readonly change: number;
}

/**
 * Each pupil's attendance rate over the last `recentWeeks` school weeks against the rest of the
 * year before them; pupils with fewer than 10 possible sessions in either window are left out.
 */
export function attendanceChanges(
  cal: SchoolCalendar,
  pupils: readonly CohortPupil[],
  options: PupilWindowOptions & { readonly minSessions?: number | undefined },
): RateChange[] {
  const w = windows(cal, options);
  const min = options.minSessions ?? MIN_WINDOW_SESSIONS;
  const out: RateChange[] = [];
  if (w.recentFirst <= w.first) return out;
  for (const p of pupils) {
    const earlier = addCounts(cal, p.marks, w.first, w.recentFirst - 1);
    const recent = addCounts(cal, p.marks, w.recentFirst, w.last);
    if (earlier.possible < min || recent.possible < min) continue;
    const earlierRate = earlier.attended / earlier.possible;
    const recentRate = recent.attended / recent.possible;
    out.push({ pupilId: p.id, earlier, recent, earlierRate, recentRate, change: recentRate - earlierRate });
  }
  return out;
}

/**
 * Pupils whose attendance is falling fastest (largest drop first).
 *
 * @example fallingFastest(changes, 20)[0].change // -0.35: 35 points down on earlier in the year
 */
export function fallingFastest(changes: readonly RateChange[], limit = Infinity): RateChange[] {
  return changes
    .filter((c) => c.change < 0)
    .sort((a, b) => a.change - b.change || (a.pupilId < b.pupilId ? -1 : 1))
    .slice(0, limit);
}

/** Improvers: pupils whose attendance rose, largest rise first. */
export function improvers(changes: readonly RateChange[], limit = Infinity): RateChange[] {
  return changes
    .filter((c) => c.change > 0)
    .sort((a, b) => b.change - a.change || (a.pupilId < b.pupilId ? -1 : 1))
    .slice(0, limit);
}

export interface FullAttendanceRow {
  readonly pupilId: string;
  readonly possible: number;
  /** Lates before the close (L) count as present; shown so a school can decide. */
  readonly lateSessions: number;
}

/**
 * Pupils with 100% attendance over the period: every possible session present or at an approved
 * activity, and at least one possible session.
 */
export function fullAttendance(
  cal: SchoolCalendar,
  pupils: readonly CohortPupil[],
  options: { readonly from: PlainDate; readonly to: PlainDate },
): FullAttendanceRow[] {
  const first = firstSessionOnOrAfter(cal, options.from);
  const last = lastSessionOnOrBefore(cal, options.to);
  const out: FullAttendanceRow[] = [];
  for (const p of pupils) {
    const c = addCounts(cal, p.marks, first, last, emptyCounts());
    if (c.possible === 0 || c.attended !== c.possible) continue;
    let late = 0;
    for (let s = Math.max(first, p.marks.rollFrom); s <= Math.min(last, p.marks.rollTo); s++) {
      if (lateIds.has(p.marks.codes[s]!)) late++;
    }
    out.push({ pupilId: p.id, possible: c.possible, lateSessions: late });
  }
  return out;
}
