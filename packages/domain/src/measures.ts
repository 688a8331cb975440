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

/**
 * Each distinct code string (the keys of `codeCounts`, in code-table order) with the one or two
 * ids (one per code set) written with it: `KEY_ID_A[k]` and `KEY_ID_B[k]`, the latter
 * {@link ZERO_SLOT} (a count that stays 0) for a code in one set only.
 */
const KEY_CODES: readonly string[] = [...new Set(CODE_TABLE.map((d) => d.code))];
/** A slot of the code counts past every code id: never counted, so always 0. */
const ZERO_SLOT = CODE_TABLE.length + 1;
const KEY_ID_A = new Int32Array(KEY_CODES.length).fill(ZERO_SLOT);
const KEY_ID_B = new Int32Array(KEY_CODES.length).fill(ZERO_SLOT);
/** The key (index into `KEY_CODES`) of each code id; -1 for 0 (no mark). */
const KEY_OF_ID = new Int32Array(ZERO_SLOT + 1).fill(-1);
if (KEY_CODES.length > 64) throw new Error('more than 64 code letters: the key masks hold 64');
for (const d of CODE_TABLE) {
  const k = KEY_CODES.indexOf(d.code);
  KEY_OF_ID[d.id] = k;
  if (KEY_ID_A[k] === ZERO_SLOT) KEY_ID_A[k] = d.id;
  else if (KEY_ID_B[k] === ZERO_SLOT) KEY_ID_B[k] = d.id;
  else throw new Error(`code ${d.code} is in more than two code sets`);
}

/** Reusable buffers so that measuring many pupils does not allocate per pupil. */
export interface Scratch {
  readonly weekCounts: Int32Array;
  /** Sessions per code id (index 0: no mark), and one more slot that stays 0. */
  readonly codeCounts: Int32Array;
  /** The code ids counted for the pupil being measured, in the order first seen. */
  readonly used: Int32Array;
  /** The last marks buffer read four bytes at a time, and its view (see {@link wordsOf}). */
  wordsBuffer: ArrayBufferLike | null;
  words: Uint32Array | null;
}

export function createScratch(cal: SchoolCalendar): Scratch {
  return {
    weekCounts: new Int32Array(cal.weekCount + 1),
    codeCounts: new Int32Array(ZERO_SLOT + 1),
    used: new Int32Array(ZERO_SLOT + 1),
    wordsBuffer: null,
    words: null,
  };
}

/**
 * A present day in the current code set: `/` in the morning, `\` in the afternoon. Four marks
 * of two such days read as one 32-bit number equal {@link PRESENT_WORD_AM} (starting with a
 * morning) or {@link PRESENT_WORD_PM} (starting with an afternoon), whatever the byte order.
 */
const PRESENT_AM_ID = CODE_TABLE.find((d) => d.code === '/' && d.codeSet === '2024')!.id;
const PRESENT_PM_ID = CODE_TABLE.find((d) => d.code === '\\' && d.codeSet === '2024')!.id;
const [PRESENT_WORD_AM, PRESENT_WORD_PM] = (() => {
  const b = new Uint8Array(8);
  b.set([
    PRESENT_AM_ID,
    PRESENT_PM_ID,
    PRESENT_AM_ID,
    PRESENT_PM_ID,
    PRESENT_PM_ID,
    PRESENT_AM_ID,
    PRESENT_PM_ID,
    PRESENT_AM_ID,
  ]);
  const w = new Uint32Array(b.buffer);
  return [w[0]!, w[1]!];
})();
/** Marks shorter than this are read byte by byte only (a view is not worth making). */
const WORDS_FROM_SESSIONS = 64;

/**
 * The pupil's marks buffer seen as 32-bit words (kept in the scratch while pupils share a
 * buffer, as the compact arrays of decision 0001 do), or null when the marks are too few.
 */
function wordsOf(scratch: Scratch, codes: Uint8Array): Uint32Array | null {
  const buffer = codes.buffer;
  if (scratch.wordsBuffer === buffer) return scratch.words;
  if (codes.length < WORDS_FROM_SESSIONS) return null;
  scratch.wordsBuffer = buffer;
  scratch.words = new Uint32Array(buffer, 0, buffer.byteLength >>> 2);
  return scratch.words;
}

function rate(n: number, d: number): number | null {
  return d > 0 ? n / d : null;
}

/**
 * What a code adds to a school day, packed in one number so that a day's one or two sessions are
 * summed with one addition: possible (bits 0–3), G/N/O/U (4–7), G/N/O (8–11), illness (12–15),
 * provisional N (16–19), authorised or unauthorised absence (20–23), late with minutes to count
 * (L or U, 24–27). Each field counts at most two sessions.
 */
const DAY_PACK: Int32Array = (() => {
  const t = new Int32Array(CODE_CATEGORY.length);
  for (let c = 1; c < t.length; c++) {
    const cat = CODE_CATEGORY[c]!;
    const f = CODE_FLAGS[c]!;
    t[c] =
      (cat !== 0 && cat !== CAT_NOT_POSSIBLE ? 1 : 0) |
      (f & FLAG_PENALTY_NOTICE ? 1 << 4 : 0) |
      (f & FLAG_DELETION_GROUND ? 1 << 8 : 0) |
      (f & FLAG_ILLNESS ? 1 << 12 : 0) |
      (f & FLAG_PROVISIONAL ? 1 << 16 : 0) |
      (cat === CAT_AUTHORISED || cat === CAT_UNAUTHORISED ? 1 << 20 : 0) |
      (f & (FLAG_LATE_BEFORE_CLOSE | FLAG_LATE_AFTER_CLOSE) ? 1 << 24 : 0);
  }
  return t;
})();
const PACK_PENALTY_SHIFT = 4;
const PACK_DELETION_SHIFT = 8;
const PACK_ILLNESS_SHIFT = 12;
const PACK_PROVISIONAL = 0xf << 16;
const PACK_ABSENCE = 0xf << 20;
const PACK_LATE = 0xf << 24;
/** A plain session (present, approved activity, not possible or unmarked) has no other field. */
const PACK_PLAIN = 0xf;

/**
 * Measures one pupil: every count, rate and statutory finding (decision 0004). One pass over the
 * sessions counts each code id of the statistics period (every total is read from the counts
 * afterwards); a plain session (present, approved activity, not possible, unmarked) is only
 * counted, and the day of any other session is summed through {@link DAY_PACK}, which decides
 * the runs of days, broken weeks, per-week G/N/O/U counts and minutes late once for the day (a
 * day present since the last such day only ends any run). A pass over the school weeks then finds
 * the rolling penalty-notice window.
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

  // One count per code id in the statistics period (every total comes from these counts
  // afterwards), and for each day with a session that is not plain the runs of days, broken
  // weeks, unresolved N, minutes late and the G/N/O/U count of its school week.
  let minutes = 0;
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
  // Session by session, a plain session (present, approved activity, not possible or unmarked:
  // no field but "possible" in DAY_PACK) is only counted; the day of any other session is then
  // looked at whole. `plain` counts the possible plain sessions since the last such day: a day
  // with one ends every run of absence (a day with no possible session neither extends nor
  // breaks a run).
  let plain = 0;
  // Four marks at a time where they are two present days (see PRESENT_WORD_AM): `off` is where
  // the marks start in their buffer, `wordEnd` the first word not wholly on or before `end`.
  const words = end - start >= WORDS_FROM_SESSIONS ? wordsOf(scratch, codes) : null;
  const off = codes.byteOffset;
  // (never past the pupil's own marks, even were the array shorter than the calendar: the buffer
  // may hold other pupils' marks after them).
  const wordEnd = (off + Math.min(end + 1, codes.length)) >>> 2;
  let presentWords = 0;
  const used = scratch.used;
  let nUsed = 0;
  let s = start;
  while (s <= end) {
    // Sessions before the period's start are not counted (the scan stops there).
    let c = 0;
    let p = 0;
    if (s >= pStart) {
      for (; s <= end; s++) {
        if (((off + s) & 3) === 0 && words !== null) {
          // Whole words of present days (two days a word) are counted four marks at a time.
          const w0 = (off + s) >>> 2;
          let w = w0;
          while (w < wordEnd) {
            const x = words[w]!;
            if (x !== PRESENT_WORD_AM && x !== PRESENT_WORD_PM) break;
            w++;
          }
          if (w !== w0) {
            presentWords += w - w0;
            plain += (w - w0) << 2;
            s = (w << 2) - off;
            if (s > end) break;
          }
        }
        c = codes[s]!;
        p = DAY_PACK[c]!;
        if (p > PACK_PLAIN) break;
        if (codeCounts[c]!++ === 0) used[nUsed++] = c;
        plain += p;
      }
      if (s > end) break;
    } else {
      const stop = pStart <= end ? pStart : end + 1;
      for (; s < stop; s++) {
        p = DAY_PACK[codes[s]!]!;
        if (p > PACK_PLAIN) break;
        plain += p;
      }
      if (s === stop) continue;
    }

    // Session s is not plain: its day, whole.
    const day = sessionDay[s]!;
    const dayStart = dayFirstSession[day]!;
    const dayEnd = dayFirstSession[day + 1]! - 1;
    const from = dayStart > start ? dayStart : start;
    const to = dayEnd < end ? dayEnd : end;
    let v = 0;
    for (let x = from; x < s; x++) {
      const before = DAY_PACK[codes[x]!]!;
      v += before;
      plain -= before; // plain sessions of this day, already counted
    }
    for (let x = s; x <= to; x++) {
      c = codes[x]!;
      v += DAY_PACK[c]!;
      if (x >= pStart && codeCounts[c]!++ === 0) used[nUsed++] = c;
    }
    s = to + 1;

    if (plain > 0) {
      // A day present (or in approved activity) since the last day looked at: every run ends there.
      plain = 0;
      if (arStart >= 0) {
        if (arDays >= ATTENDANCE_RETURN_SCHOOL_DAYS) {
          arPeriods.push({ start: dayDate[arStart]!, end: dayDate[arEnd]!, schoolDays: arDays });
        }
        arStart = -1;
        arDays = 0;
      }
      if (delStart >= 0) {
        if (delDays >= DELETION_GROUND_SCHOOL_DAYS) {
          delPeriods.push({ start: dayDate[delStart]!, end: dayDate[delEnd]!, schoolDays: delDays });
        }
        delStart = -1;
        delDays = 0;
      }
      sickRun = 0; // before the period it is 0 already
    }
    if (v & PACK_LATE && minutesArr) {
      for (let x = from > pStart ? from : pStart; x <= to; x++) {
        if (DAY_PACK[codes[x]!]! & PACK_LATE) minutes += minutesArr[x]!;
      }
    }
    const w = sessionWeek[from]!;
    weekCounts[w]! += (v >>> PACK_PENALTY_SHIFT) & 0xf;
    if (v & PACK_PROVISIONAL && asOfDay - day > N_RESOLUTION_SCHOOL_DAYS) {
      for (let x = from; x <= to; x++) {
        if (CODE_FLAGS[codes[x]!]! & FLAG_PROVISIONAL)
          unresolvedN.push({ date: dayDate[day]!, session: sessionLabel(cal, x) });
      }
    }
    if (v & PACK_ABSENCE && w !== brokenWeek && to >= pStart) {
      // Absence on a session of the period (a day that starts before the period is looked at closely).
      let inPeriod = from >= pStart;
      for (let x = pStart; !inPeriod && x <= to; x++) inPeriod = (DAY_PACK[codes[x]!]! & PACK_ABSENCE) !== 0;
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
  if (presentWords > 0) {
    if (codeCounts[PRESENT_AM_ID] === 0) used[nUsed++] = PRESENT_AM_ID;
    if (codeCounts[PRESENT_PM_ID] === 0) used[nUsed++] = PRESENT_PM_ID;
    codeCounts[PRESENT_AM_ID]! += presentWords << 1;
    codeCounts[PRESENT_PM_ID]! += presentWords << 1;
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

  // The period's totals: each code id used read once, for every total it adds to; the keys used
  // marked in two 32-bit masks (keys 0–31, 32–63).
  let present = 0;
  let aea = 0;
  let authorised = 0;
  let unauthorised = 0;
  let notPossible = 0;
  let late = 0;
  let lateAfter = 0;
  let illSessions = 0;
  const missing = codeCounts[0]!;
  codeCounts[0] = 0;
  let keysLow = 0;
  let keysHigh = 0;
  for (let u = 0; u < nUsed; u++) {
    const id = used[u]!;
    if (id === 0) continue;
    const n = codeCounts[id]!;
    const k = KEY_OF_ID[id]!;
    if (k < 32) keysLow |= 1 << k;
    else keysHigh |= 1 << (k - 32);
    const cat = CODE_CATEGORY[id]!;
    if (cat === CAT_PRESENT) present += n;
    else if (cat === CAT_APPROVED_ACTIVITY) aea += n;
    else if (cat === CAT_AUTHORISED) authorised += n;
    else if (cat === CAT_UNAUTHORISED) unauthorised += n;
    else if (cat === CAT_NOT_POSSIBLE) notPossible += n;
    const f = CODE_FLAGS[id]!;
    if (f & FLAG_LATE_BEFORE_CLOSE) late += n;
    else if (f & FLAG_LATE_AFTER_CLOSE) lateAfter += n;
    if (f & FLAG_ILLNESS) illSessions += n;
  }
  // The code-count object: keys in code-table order (lowest bit first), the codes of both sets
  // that share a key (such as "I") added together.
  const counts: Record<string, number> = {};
  while (keysLow !== 0) {
    const k = 31 - Math.clz32(keysLow & -keysLow);
    keysLow &= keysLow - 1;
    counts[KEY_CODES[k]!] = codeCounts[KEY_ID_A[k]!]! + codeCounts[KEY_ID_B[k]!]!;
  }
  while (keysHigh !== 0) {
    const k = 31 - Math.clz32(keysHigh & -keysHigh);
    keysHigh &= keysHigh - 1;
    counts[KEY_CODES[k + 32]!] = codeCounts[KEY_ID_A[k + 32]!]! + codeCounts[KEY_ID_B[k + 32]!]!;
  }
  for (let u = 0; u < nUsed; u++) codeCounts[used[u]!] = 0;
  const weeksOnRoll = pStart <= end ? sessionWeek[end]! - sessionWeek[pStart]! + 1 : 0;

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
  // The sums of summariseCounts, read straight from the measures (no object per pupil).
  let possible = 0;
  let attended = 0;
  let authorised = 0;
  let unauthorised = 0;
  let pa = 0;
  let sa = 0;
  let withPossible = 0;
  for (const p of pupils) {
    possible += p.possibleSessions;
    attended += p.presentSessions + p.approvedActivitySessions;
    authorised += p.authorisedAbsenceSessions;
    unauthorised += p.unauthorisedAbsenceSessions;
    if (p.persistentAbsence) pa++;
    if (p.severeAbsence) sa++;
    if (p.possibleSessions > 0) withPossible++;
  }
  return cohortSummary(pupils.length, possible, attended, authorised, unauthorised, pa, sa, withPossible);
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

/** `summarise` over per-pupil counts: rates over sessions; PA and SA over pupils with a possible session. */
export function summariseCounts(pupils: readonly SummaryCounts[]): CohortSummary {
  return summariseTotals(totalCounts(pupils));
}

function cohortSummary(
  pupils: number,
  possible: number,
  attended: number,
  authorised: number,
  unauthorised: number,
  pa: number,
  sa: number,
  withPossible: number,
): CohortSummary {
  return {
    pupils,
    possibleSessions: possible,
    attendanceRate: rate(attended, possible),
    absenceRate: rate(authorised + unauthorised, possible),
    authorisedAbsenceRate: rate(authorised, possible),
    unauthorisedAbsenceRate: rate(unauthorised, possible),
    persistentAbsentees: pa,
    severeAbsentees: sa,
    persistentAbsenceRate: rate(pa, withPossible),
    severeAbsenceRate: rate(sa, withPossible),
  };
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

/** Adds up pupils' counts (`summariseCounts` is the summary of these totals). */
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
  return cohortSummary(t.pupils, t.possible, t.attended, t.authorised, t.unauthorised, t.pa, t.sa, t.withPossible);
}
