/**
 * Per-pupil and cohort measures and the statutory findings, computed in one pass over a pupil's
 * compact mark array.
 *
 * Periods: measures, rates, PA/SA, code counts, broken weeks and the sickness return cover the
 * *statistics period* (from its first school session up to "as of"). The penalty-notice window,
 * the attendance return, the 20-day deletion ground and unresolved `N` marks look at every mark
 * up to "as of", so they span terms and academic years.
 *
 * @see ../../../shared/reference/attendance-rules.md §3, §4, §5 (checked 2026-11-25)
 */
import {
  CAT_APPROVED_ACTIVITY,
  CAT_AUTHORISED,
  CAT_NOT_POSSIBLE,
  CAT_PRESENT,
  CAT_UNAUTHORISED,
  CODE_CATEGORY,
  CODE_FLAGS,
  CODE_TABLE,
  FLAG_DELETION_GROUND,
  FLAG_ILLNESS,
  FLAG_LATE_AFTER_CLOSE,
  FLAG_LATE_BEFORE_CLOSE,
  FLAG_PENALTY_NOTICE,
  FLAG_PROVISIONAL,
} from './codes.js';
import { firstSessionOnOrAfter, lastSessionOnOrBefore, sessionLabel, type SchoolCalendar } from './calendar.js';
import { academicYearOf, type PlainDate, type Session } from './dates.js';

/**
 * Penalty-notice threshold: 10 sessions of G/N/O/U within a rolling 10 school weeks.
 * @see ../../../shared/reference/attendance-rules.md §4 (checked 2026-11-25)
 */
export const PENALTY_NOTICE_SESSIONS = 10;
/** @see ../../../shared/reference/attendance-rules.md §4 (checked 2026-11-25) */
export const PENALTY_NOTICE_WINDOW_WEEKS = 10;
/**
 * Attendance return: 10 continuous school days, every possible session G/N/O/U.
 * @see ../../../shared/reference/attendance-rules.md §5 (checked 2026-11-25)
 */
export const ATTENDANCE_RETURN_SCHOOL_DAYS = 10;
/**
 * Sickness return: 15 school days of illness, consecutive or cumulative in the year.
 * @see ../../../shared/reference/attendance-rules.md §5 (checked 2026-11-25)
 */
export const SICKNESS_RETURN_SCHOOL_DAYS = 15;
/**
 * Deletion ground: 20 continuous school days, every session G, N or O.
 * @see ../../../shared/reference/attendance-rules.md §5 (checked 2026-11-25)
 */
export const DELETION_GROUND_SCHOOL_DAYS = 20;
/**
 * `N` must be replaced within 5 school days.
 * @see ../../../shared/reference/attendance-rules.md §1 (checked 2026-11-25)
 */
export const N_RESOLUTION_SCHOOL_DAYS = 5;
/**
 * Persistent absence: absence of 10% or more of possible sessions (as a ratio 1/10).
 * @see ../../../shared/reference/attendance-rules.md §3 (checked 2026-11-25)
 */
export const PERSISTENT_ABSENCE_DENOMINATOR = 10;
/**
 * Severe absence: absence of 50% or more of possible sessions (as a ratio 1/2).
 * @see ../../../shared/reference/attendance-rules.md §3 (checked 2026-11-25)
 */
export const SEVERE_ABSENCE_DENOMINATOR = 2;

/** One pupil's marks laid over the calendar's session numbers. */
export interface PupilMarks {
  /** Code id per school session (0 = no mark); length `cal.sessionCount`. */
  readonly codes: Uint8Array;
  /** Minutes late per school session (read on `L` and `U` only). */
  readonly minutesLate?: Uint16Array | undefined;
  /** First school session on roll (inclusive). */
  readonly rollFrom: number;
  /** Last school session on roll (inclusive); may be past the calendar's end. */
  readonly rollTo: number;
}

export interface AnalysisOptions {
  /** The day the analysis is made; marks after it are ignored. */
  readonly asOf: PlainDate;
  /** Start of the statistics period; default the start of the academic year containing `asOf`. */
  readonly from?: PlainDate | undefined;
  /** A school policy's minimum possible sessions for PA/SA; default 0 (none, as the DfE). */
  readonly minPossibleSessions?: number | undefined;
}

/** The session numbers an analysis works with, derived once per calendar and options. */
export interface AnalysisContext {
  readonly asOf: PlainDate;
  /** First day of the statistics period as asked (academic year start or `from`). */
  readonly periodFrom: PlainDate;
  /** Date of the first school session in the period, or `periodFrom` when there is none. */
  readonly periodStart: PlainDate;
  /** Last school session on or before `asOf`, -1 when none. */
  readonly asOfSession: number;
  /** First school session of the statistics period. */
  readonly periodFromSession: number;
  /** School day of `asOfSession`, -1 when none. */
  readonly asOfDay: number;
  /** School week of `asOfSession`, -1 when none. */
  readonly asOfWeek: number;
  readonly minPossibleSessions: number;
  /** School sessions in the statistics period. */
  readonly schoolSessions: number;
  /** School weeks in the statistics period. */
  readonly schoolWeeks: number;
}

/** Builds the analysis context. */
export function analysisContext(cal: SchoolCalendar, options: AnalysisOptions): AnalysisContext {
  const periodFrom = options.from ?? academicYearOf(options.asOf).start;
  const asOfSession = lastSessionOnOrBefore(cal, options.asOf);
  const periodFromSession = firstSessionOnOrAfter(cal, periodFrom);
  const schoolSessions = Math.max(0, asOfSession - periodFromSession + 1);
  const schoolWeeks = schoolSessions > 0 ? cal.sessionWeek[asOfSession]! - cal.sessionWeek[periodFromSession]! + 1 : 0;
  return {
    asOf: options.asOf,
    periodFrom,
    periodStart: schoolSessions > 0 ? cal.sessionDate[periodFromSession]! : periodFrom,
    asOfSession,
    periodFromSession,
    asOfDay: asOfSession >= 0 ? cal.sessionDay[asOfSession]! : -1,
    asOfWeek: asOfSession >= 0 ? cal.sessionWeek[asOfSession]! : -1,
    minPossibleSessions: options.minPossibleSessions ?? 0,
    schoolSessions,
    schoolWeeks,
  };
}

/** A maximal run of school days. */
export interface RunPeriod {
  readonly start: PlainDate;
  readonly end: PlainDate;
  readonly schoolDays: number;
}

export interface SessionRef {
  readonly date: PlainDate;
  readonly session: Session;
}

/** Everything Rollcall measures for one pupil. Field names are those of `rollcall analyse`. */
export interface PupilMeasures {
  possibleSessions: number;
  presentSessions: number;
  approvedActivitySessions: number;
  authorisedAbsenceSessions: number;
  unauthorisedAbsenceSessions: number;
  notPossibleSessions: number;
  missingMarks: number;
  lateSessions: number;
  lateAfterCloseSessions: number;
  minutesLate: number;
  attendanceRate: number | null;
  absenceRate: number | null;
  authorisedAbsenceRate: number | null;
  unauthorisedAbsenceRate: number | null;
  persistentAbsence: boolean;
  severeAbsence: boolean;
  codeCounts: Record<string, number>;
  brokenWeeks: number;
  schoolWeeksOnRoll: number;
  penaltyNotice: {
    thresholdMet: boolean;
    firstMetOn: PlainDate | null;
    firstMetSession: Session | null;
    currentWindowSessions: number;
  };
  attendanceReturn: { periods: RunPeriod[] };
  sicknessReturn: { due: boolean; longestConsecutiveSchoolDays: number; cumulativeSchoolDays: number };
  deletionGround20Days: { periods: RunPeriod[] };
  unresolvedN: SessionRef[];
}

/** Each distinct code string with the ids (one per code set) written with it. */
const CODE_KEYS: readonly { code: string; ids: readonly number[] }[] = (() => {
  const byCode = new Map<string, number[]>();
  for (const d of CODE_TABLE) {
    const ids = byCode.get(d.code) ?? [];
    ids.push(d.id);
    byCode.set(d.code, ids);
  }
  return [...byCode].map(([code, ids]) => ({ code, ids }));
})();

/** Reusable buffers so that measuring many pupils does not allocate per pupil. */
export interface Scratch {
  readonly weekCounts: Int32Array;
  readonly codeCounts: Int32Array;
}

export function createScratch(cal: SchoolCalendar): Scratch {
  return { weekCounts: new Int32Array(cal.weekCount + 1), codeCounts: new Int32Array(CODE_TABLE.length + 1) };
}

function rate(n: number, d: number): number | null {
  return d > 0 ? n / d : null;
}

/**
 * What a code adds to a school day, packed in one number so that a day's one or two sessions are
 * summed with one addition: possible (bits 0–3), G/N/O/U (4–7), G/N/O (8–11), illness (12–15),
 * provisional N (16–19), authorised or unauthorised absence (20–23). Each field counts at most
 * two sessions.
 */
const DAY_PACK: Uint32Array = (() => {
  const t = new Uint32Array(CODE_CATEGORY.length);
  for (let c = 1; c < t.length; c++) {
    const cat = CODE_CATEGORY[c]!;
    const f = CODE_FLAGS[c]!;
    t[c] =
      (cat !== 0 && cat !== CAT_NOT_POSSIBLE ? 1 : 0) |
      (f & FLAG_PENALTY_NOTICE ? 1 << 4 : 0) |
      (f & FLAG_DELETION_GROUND ? 1 << 8 : 0) |
      (f & FLAG_ILLNESS ? 1 << 12 : 0) |
      (f & FLAG_PROVISIONAL ? 1 << 16 : 0) |
      (cat === CAT_AUTHORISED || cat === CAT_UNAUTHORISED ? 1 << 20 : 0);
  }
  return t;
})();
const PACK_PENALTY_SHIFT = 4;
const PACK_DELETION_SHIFT = 8;
const PACK_ILLNESS_SHIFT = 12;
const PACK_PROVISIONAL = 0xf << 16;
const PACK_ABSENCE = 0xf << 20;

/** Code ids by what they add to the period's totals (built once from the code table). */
const IDS_BY_CATEGORY: readonly (readonly number[])[] = [0, 1, 2, 3, 4, 5].map((cat) =>
  CODE_TABLE.filter((d) => CODE_CATEGORY[d.id] === cat).map((d) => d.id),
);
const LATE_BEFORE_IDS = CODE_TABLE.filter((d) => CODE_FLAGS[d.id]! & FLAG_LATE_BEFORE_CLOSE).map((d) => d.id);
const LATE_AFTER_IDS = CODE_TABLE.filter(
  (d) => !(CODE_FLAGS[d.id]! & FLAG_LATE_BEFORE_CLOSE) && CODE_FLAGS[d.id]! & FLAG_LATE_AFTER_CLOSE,
).map((d) => d.id);
const ILLNESS_IDS = CODE_TABLE.filter((d) => CODE_FLAGS[d.id]! & FLAG_ILLNESS).map((d) => d.id);

function sumOf(counts: Int32Array, ids: readonly number[]): number {
  let n = 0;
  for (const id of ids) n += counts[id]!;
  return n;
}

/**
 * Measures one pupil: every count, rate and statutory finding (decision 0004). One pass over the
 * school days counts each code id of the statistics period (every total is read from the counts
 * afterwards) and sums each day's sessions through {@link DAY_PACK}, which decides the runs of
 * days, broken weeks and per-week G/N/O/U counts once per day; a pass over the school weeks then
 * finds the rolling penalty-notice window.
 *
 * @example
 * const ctx = analysisContext(cal, { asOf: d('2026-02-13') });
 * const m = measurePupil(cal, ctx, { codes, rollFrom: 0, rollTo: cal.sessionCount - 1 });
 * m.penaltyNotice.thresholdMet // true when 10 G/N/O/U sessions fell in 10 school weeks
 */
export function measurePupil(
  cal: SchoolCalendar,
  ctx: AnalysisContext,
  marks: PupilMarks,
  scratch: Scratch = createScratch(cal),
): PupilMeasures {
  const { codes, minutesLate: minutesArr } = marks;
  const { sessionDay, sessionWeek, dayFirstSession, dayDate } = cal;
  const start = Math.max(0, marks.rollFrom);
  const end = Math.min(ctx.asOfSession, marks.rollTo, cal.sessionCount - 1);
  const pStart = Math.max(start, ctx.periodFromSession);
  const asOfDay = ctx.asOfDay;
  const weekCounts = scratch.weekCounts;
  const codeCounts = scratch.codeCounts;

  // Minutes late on the period's L and U sessions (most sessions have none: that is tested first).
  let minutes = 0;
  if (minutesArr) {
    for (let s = pStart; s <= end; s++) {
      const m = minutesArr[s]!;
      if (m !== 0 && CODE_FLAGS[codes[s]!]! & (FLAG_LATE_BEFORE_CLOSE | FLAG_LATE_AFTER_CLOSE)) minutes += m;
    }
  }

  // Day by day: one count per code id in the statistics period (every total comes from these
  // counts afterwards), and per day the runs of days, broken weeks, unresolved N and the G/N/O/U
  // count of each school week.
  let brokenWeeks = 0;
  let brokenWeek = -1;
  const arPeriods: RunPeriod[] = [];
  const delPeriods: RunPeriod[] = [];
  let arStart = -1;
  let arEnd = -1;
  let arDays = 0;
  let delStart = -1;
  let delEnd = -1;
  let delDays = 0;
  let sickRun = 0;
  let sickLongest = 0;
  const unresolvedN: SessionRef[] = [];
  const firstDay = start <= end ? sessionDay[start]! : 0;
  const lastDay = start <= end ? sessionDay[end]! : -1;
  for (let day = firstDay; day <= lastDay; day++) {
    const first = dayFirstSession[day]!;
    const from = first > start ? first : start;
    const next = dayFirstSession[day + 1]! - 1;
    const to = next < end ? next : end;
    let v = 0;
    for (let s = from; s <= to; s++) {
      const c = codes[s]!;
      v += DAY_PACK[c]!;
      if (s >= pStart) codeCounts[c]!++;
    }
    if (v === 0) continue; // no possible session and no flag: neither extends nor breaks a run
    const w = sessionWeek[from]!;
    weekCounts[w]! += (v >>> PACK_PENALTY_SHIFT) & 0xf;
    if (v & PACK_PROVISIONAL && asOfDay - day > N_RESOLUTION_SCHOOL_DAYS) {
      for (let s = from; s <= to; s++) {
        if (CODE_FLAGS[codes[s]!]! & FLAG_PROVISIONAL)
          unresolvedN.push({ date: dayDate[day]!, session: sessionLabel(cal, s) });
      }
    }
    if (v & PACK_ABSENCE && w !== brokenWeek && to >= pStart) {
      // Absence on a session of the period (a day that starts before the period is looked at closely).
      let inPeriod = from >= pStart;
      for (let s = pStart; !inPeriod && s <= to; s++) inPeriod = (DAY_PACK[codes[s]!]! & PACK_ABSENCE) !== 0;
      if (inPeriod) {
        brokenWeek = w;
        brokenWeeks++;
      }
    }
    const dayPossible = v & 0xf;
    if (dayPossible === 0) continue;
    if (((v >>> PACK_PENALTY_SHIFT) & 0xf) === dayPossible) {
      if (arStart < 0) arStart = day;
      arEnd = day;
      arDays++;
    } else if (arStart >= 0) {
      if (arDays >= ATTENDANCE_RETURN_SCHOOL_DAYS) {
        arPeriods.push({ start: dayDate[arStart]!, end: dayDate[arEnd]!, schoolDays: arDays });
      }
      arStart = -1;
      arDays = 0;
    }
    if (((v >>> PACK_DELETION_SHIFT) & 0xf) === dayPossible) {
      if (delStart < 0) delStart = day;
      delEnd = day;
      delDays++;
    } else if (delStart >= 0) {
      if (delDays >= DELETION_GROUND_SCHOOL_DAYS) {
        delPeriods.push({ start: dayDate[delStart]!, end: dayDate[delEnd]!, schoolDays: delDays });
      }
      delStart = -1;
      delDays = 0;
    }
    if (from >= pStart) {
      if (((v >>> PACK_ILLNESS_SHIFT) & 0xf) === dayPossible) {
        sickRun++;
        if (sickRun > sickLongest) sickLongest = sickRun;
      } else {
        sickRun = 0;
      }
    }
  }
  if (arStart >= 0 && arDays >= ATTENDANCE_RETURN_SCHOOL_DAYS) {
    arPeriods.push({ start: dayDate[arStart]!, end: dayDate[arEnd]!, schoolDays: arDays });
  }
  if (delStart >= 0 && delDays >= DELETION_GROUND_SCHOOL_DAYS) {
    delPeriods.push({ start: dayDate[delStart]!, end: dayDate[delEnd]!, schoolDays: delDays });
  }

  // Week by week: the rolling window of 10 school weeks, and the session that first reached
  // 10 G/N/O/U (found inside its week).
  let firstMet = -1;
  let currentWindow = 0;
  if (start <= end) {
    const startWeek = sessionWeek[start]!;
    const endWeek = sessionWeek[end]!;
    let windowSum = 0;
    for (let w = startWeek; w <= endWeek; w++) {
      const drop = w - PENALTY_NOTICE_WINDOW_WEEKS;
      if (drop >= startWeek) windowSum -= weekCounts[drop]!;
      const before = windowSum;
      windowSum += weekCounts[w]!;
      if (windowSum >= PENALTY_NOTICE_SESSIONS && before < PENALTY_NOTICE_SESSIONS) {
        let sum = before;
        const last = Math.min(cal.weekFirstSession[w + 1]! - 1, end);
        for (let s = Math.max(cal.weekFirstSession[w]!, start); s <= last; s++) {
          if (CODE_FLAGS[codes[s]!]! & FLAG_PENALTY_NOTICE && ++sum >= PENALTY_NOTICE_SESSIONS) {
            firstMet = s;
            break;
          }
        }
        break;
      }
    }
    // The window ending with the school week that contains "as of" (or the last one before it).
    if (ctx.asOfWeek >= 0) {
      for (let w = Math.max(0, ctx.asOfWeek - PENALTY_NOTICE_WINDOW_WEEKS + 1); w <= ctx.asOfWeek; w++) {
        currentWindow += weekCounts[w]!;
      }
    }
    weekCounts.fill(0, startWeek, endWeek + 1);
  }

  // The period's totals from the code counts.
  const present = sumOf(codeCounts, IDS_BY_CATEGORY[CAT_PRESENT]!);
  const aea = sumOf(codeCounts, IDS_BY_CATEGORY[CAT_APPROVED_ACTIVITY]!);
  const authorised = sumOf(codeCounts, IDS_BY_CATEGORY[CAT_AUTHORISED]!);
  const unauthorised = sumOf(codeCounts, IDS_BY_CATEGORY[CAT_UNAUTHORISED]!);
  const notPossible = sumOf(codeCounts, IDS_BY_CATEGORY[CAT_NOT_POSSIBLE]!);
  const missing = codeCounts[0]!;
  const late = sumOf(codeCounts, LATE_BEFORE_IDS);
  const lateAfter = sumOf(codeCounts, LATE_AFTER_IDS);
  const illSessions = sumOf(codeCounts, ILLNESS_IDS);
  const weeksOnRoll = pStart <= end ? sessionWeek[end]! - sessionWeek[pStart]! + 1 : 0;

  // Codes of both sets share a key ("I" before and after 2024); keys go in in table order.
  const counts: Record<string, number> = {};
  for (const { code, ids } of CODE_KEYS) {
    let n = 0;
    for (const id of ids) n += codeCounts[id]!;
    if (n > 0) counts[code] = n;
  }
  codeCounts.fill(0);

  const possible = present + aea + authorised + unauthorised;
  const absence = authorised + unauthorised;
  const qualifies = possible > 0 && possible >= ctx.minPossibleSessions;
  return {
    possibleSessions: possible,
    presentSessions: present,
    approvedActivitySessions: aea,
    authorisedAbsenceSessions: authorised,
    unauthorisedAbsenceSessions: unauthorised,
    notPossibleSessions: notPossible,
    missingMarks: missing,
    lateSessions: late,
    lateAfterCloseSessions: lateAfter,
    minutesLate: minutes,
    attendanceRate: rate(present + aea, possible),
    absenceRate: rate(absence, possible),
    authorisedAbsenceRate: rate(authorised, possible),
    unauthorisedAbsenceRate: rate(unauthorised, possible),
    persistentAbsence: qualifies && absence * PERSISTENT_ABSENCE_DENOMINATOR >= possible,
    severeAbsence: qualifies && absence * SEVERE_ABSENCE_DENOMINATOR >= possible,
    codeCounts: counts,
    brokenWeeks,
    schoolWeeksOnRoll: weeksOnRoll,
    penaltyNotice: {
      thresholdMet: firstMet >= 0,
      firstMetOn: firstMet >= 0 ? cal.sessionDate[firstMet]! : null,
      firstMetSession: firstMet >= 0 ? sessionLabel(cal, firstMet) : null,
      currentWindowSessions: currentWindow,
    },
    attendanceReturn: { periods: arPeriods },
    sicknessReturn: {
      due: sickLongest >= SICKNESS_RETURN_SCHOOL_DAYS || illSessions >= SICKNESS_RETURN_SCHOOL_DAYS * 2,
      longestConsecutiveSchoolDays: sickLongest,
      cumulativeSchoolDays: illSessions / 2,
    },
    deletionGround20Days: { periods: delPeriods },
    unresolvedN,
  };
}

/** Cohort figures. Rates add sessions over pupils before dividing; PA/SA rates divide by pupils with a possible session. */
export interface CohortSummary {
  pupils: number;
  possibleSessions: number;
  attendanceRate: number | null;
  absenceRate: number | null;
  authorisedAbsenceRate: number | null;
  unauthorisedAbsenceRate: number | null;
  persistentAbsentees: number;
  severeAbsentees: number;
  persistentAbsenceRate: number | null;
  severeAbsenceRate: number | null;
}

/**
 * Sums pupils' measures into cohort figures.
 *
 * @see ../../../shared/reference/attendance-rules.md §3 (checked 2026-11-25)
 * @example summarise([a, b]).absenceRate // (a.absent + b.absent) / (a.possible + b.possible)
 */
export function summarise(pupils: readonly PupilMeasures[]): CohortSummary {
  return summariseCounts(
    pupils.map((p) => ({
      possible: p.possibleSessions,
      attended: p.presentSessions + p.approvedActivitySessions,
      authorised: p.authorisedAbsenceSessions,
      unauthorised: p.unauthorisedAbsenceSessions,
      pa: p.persistentAbsence,
      sa: p.severeAbsence,
    })),
  );
}

/** The per-pupil counts a cohort summary adds up: what a dashboard keeps of each pupil's measures. */
export interface SummaryCounts {
  readonly possible: number;
  /** Present or in approved educational activity. */
  readonly attended: number;
  readonly authorised: number;
  readonly unauthorised: number;
  readonly pa: boolean;
  readonly sa: boolean;
}

/**
 * Per-pupil counts added up: what a cohort summary is computed from. Totals of parts add up to the
 * totals of the whole, so a summary of many schools can be made from each school's totals.
 */
export interface SummaryTotals {
  readonly pupils: number;
  readonly possible: number;
  readonly attended: number;
  readonly authorised: number;
  readonly unauthorised: number;
  readonly pa: number;
  readonly sa: number;
  /** Pupils with at least one possible session (the denominator of the PA and SA rates). */
  readonly withPossible: number;
}

/** Adds up pupils' counts. */
export function totalCounts(pupils: readonly SummaryCounts[]): SummaryTotals {
  let possible = 0;
  let attended = 0;
  let authorised = 0;
  let unauthorised = 0;
  let pa = 0;
  let sa = 0;
  let withPossible = 0;
  for (const p of pupils) {
    possible += p.possible;
    attended += p.attended;
    authorised += p.authorised;
    unauthorised += p.unauthorised;
    if (p.pa) pa++;
    if (p.sa) sa++;
    if (p.possible > 0) withPossible++;
  }
  return { pupils: pupils.length, possible, attended, authorised, unauthorised, pa, sa, withPossible };
}

/** Adds up totals (of schools, say) into the totals of them all. */
export function addTotals(parts: readonly SummaryTotals[]): SummaryTotals {
  const t = { pupils: 0, possible: 0, attended: 0, authorised: 0, unauthorised: 0, pa: 0, sa: 0, withPossible: 0 };
  for (const p of parts) {
    t.pupils += p.pupils;
    t.possible += p.possible;
    t.attended += p.attended;
    t.authorised += p.authorised;
    t.unauthorised += p.unauthorised;
    t.pa += p.pa;
    t.sa += p.sa;
    t.withPossible += p.withPossible;
  }
  return t;
}

/** The cohort figures of added-up counts: rates over sessions; PA and SA over pupils with a possible session. */
export function summariseTotals(t: SummaryTotals): CohortSummary {
  return {
    pupils: t.pupils,
    possibleSessions: t.possible,
    attendanceRate: rate(t.attended, t.possible),
    absenceRate: rate(t.authorised + t.unauthorised, t.possible),
    authorisedAbsenceRate: rate(t.authorised, t.possible),
    unauthorisedAbsenceRate: rate(t.unauthorised, t.possible),
    persistentAbsentees: t.pa,
    severeAbsentees: t.sa,
    persistentAbsenceRate: rate(t.pa, t.withPossible),
    severeAbsenceRate: rate(t.sa, t.withPossible),
  };
}

/** `summarise` over per-pupil counts: rates over sessions; PA and SA over pupils with a possible session. */
export function summariseCounts(pupils: readonly SummaryCounts[]): CohortSummary {
  return summariseTotals(totalCounts(pupils));
}
