/**
 * Trends: the cohort's attendance week by week and half-term by half-term, with the year to date
 * and the change against last year.
 *
 * Weeks are the calendar's school weeks (Monday–Sunday weeks with a school session); half-terms
 * are the calendar's terms (Rollcall calendars hold half-terms: "Autumn 1", "Autumn 2", …).
 * Last year is matched by position: school week 1 of this year against school week 1 of last
 * year, the first half-term against the first half-term.
 *
 * @see ../../../../shared/reference/attendance-rules.md §3 (checked 2026-11-26)
 */
import { firstSessionOnOrAfter, lastSessionOnOrBefore, type SchoolCalendar } from '../calendar.js';
import type { PlainDate } from '../dates.js';
import {
  absenceOf,
  countsOf,
  emptyCounts,
  ratio,
  tallyByPeriod,
  type CohortPupil,
  type SessionCounts,
} from './cohort.js';

/** One period of a trend (a school week or a half-term). */
export interface TrendPoint {
  /** 1-based position in the year (week 1, half-term 1…). */
  readonly index: number;
  readonly label: string;
  readonly start: PlainDate;
  readonly end: PlainDate;
  readonly counts: SessionCounts;
  /** Attendance rate of the period alone. */
  readonly rate: number | null;
  /** Attendance rate from the start of the year to the end of this period. */
  readonly yearToDateRate: number | null;
  readonly absenceRate: number | null;
  readonly unauthorisedRate: number | null;
}

export interface TrendOptions {
  /** First day of the year (usually the academic year's 1 August). */
  readonly from: PlainDate;
  /** Last day counted ("as of"); later marks are ignored. */
  readonly to: PlainDate;
}

function points(
  cal: SchoolCalendar,
  pupils: readonly CohortPupil[],
  periods: readonly { label: string; first: number; last: number }[],
): TrendPoint[] {
  if (periods.length === 0) return [];
  const first = periods[0]!.first;
  const last = periods[periods.length - 1]!.last;
  const periodOf = new Int32Array(cal.sessionCount).fill(-1);
  periods.forEach((p, i) => periodOf.fill(i, p.first, p.last + 1));
  const tally = tallyByPeriod(cal, pupils, first, last, periodOf, periods.length);
  const ytd = emptyCounts();
  return periods.map((p, i) => {
    const counts = countsOf(tally, i);
    ytd.possible += counts.possible;
    ytd.attended += counts.attended;
    ytd.authorised += counts.authorised;
    ytd.unauthorised += counts.unauthorised;
    return {
      index: i + 1,
      label: p.label,
      start: cal.sessionDate[p.first]!,
      end: cal.sessionDate[p.last]!,
      counts,
      rate: ratio(counts.attended, counts.possible),
      yearToDateRate: ratio(ytd.attended, ytd.possible),
      absenceRate: ratio(absenceOf(counts), counts.possible),
      unauthorisedRate: ratio(counts.unauthorised, counts.possible),
    };
  });
}

function sessionBounds(cal: SchoolCalendar, options: TrendOptions): [number, number] {
  return [firstSessionOnOrAfter(cal, options.from), lastSessionOnOrBefore(cal, options.to)];
}

/**
 * The cohort's attendance per school week from `from` to `to`.
 *
 * @example weeklyTrend(cal, pupils, { from: d('2025-08-01'), to: d('2025-10-17') })[0].rate // 0.95
 */
export function weeklyTrend(cal: SchoolCalendar, pupils: readonly CohortPupil[], options: TrendOptions): TrendPoint[] {
  const [first, last] = sessionBounds(cal, options);
  if (first > last || first >= cal.sessionCount) return [];
  const periods: { label: string; first: number; last: number }[] = [];
  for (let w = cal.sessionWeek[first]!; w <= cal.sessionWeek[last]!; w++) {
    const a = Math.max(first, cal.weekFirstSession[w]!);
    const b = Math.min(last, cal.weekFirstSession[w + 1]! - 1);
    if (a <= b) periods.push({ label: `w/c ${cal.weekMonday[w]!}`, first: a, last: b });
  }
  return points(cal, pupils, periods);
}

/**
 * The cohort's attendance per half-term (calendar term) from `from` to `to`; a half-term in
 * progress ends at `to`.
 */
export function halfTermTrend(
  cal: SchoolCalendar,
  pupils: readonly CohortPupil[],
  options: TrendOptions,
): TrendPoint[] {
  const [first, last] = sessionBounds(cal, options);
  const periods: { label: string; first: number; last: number }[] = [];
  for (const term of [...cal.terms].sort((x, y) => (x.start < y.start ? -1 : 1))) {
    const a = Math.max(first, firstSessionOnOrAfter(cal, term.start));
    const b = Math.min(last, lastSessionOnOrBefore(cal, term.end));
    if (a <= b && a < cal.sessionCount) periods.push({ label: term.name, first: a, last: b });
  }
  return points(cal, pupils, periods);
}

/** A period of this year beside the same period of last year. */
export interface TrendComparison {
  readonly index: number;
  readonly label: string;
  readonly start: PlainDate;
  readonly rate: number | null;
  readonly lastYearRate: number | null;
  /** This year's rate less last year's (in rate points, e.g. -0.012), null when either is missing. */
  readonly change: number | null;
  readonly yearToDateRate: number | null;
  readonly lastYearToDateRate: number | null;
  readonly yearToDateChange: number | null;
}

function diff(a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : a - b;
}

/**
 * Lines up this year's trend with last year's by position (week 1 with week 1).
 *
 * @example compareWithLastYear(thisYear, lastYear)[0].change // 0.01: a point better than last year
 */
export function compareWithLastYear(
  current: readonly TrendPoint[],
  previous: readonly TrendPoint[],
): TrendComparison[] {
  return current.map((p) => {
    const before = previous[p.index - 1];
    return {
      index: p.index,
      label: p.label,
      start: p.start,
      rate: p.rate,
      lastYearRate: before?.rate ?? null,
      change: diff(p.rate, before?.rate ?? null),
      yearToDateRate: p.yearToDateRate,
      lastYearToDateRate: before?.yearToDateRate ?? null,
      yearToDateChange: diff(p.yearToDateRate, before?.yearToDateRate ?? null),
    };
  });
}
