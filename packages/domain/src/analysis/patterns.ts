/**
 * Patterns in a cohort's marks: absence by day of the week and by session, code use over time,
 * punctuality, and broken weeks against school weeks.
 *
 * @see ../../../../shared/reference/attendance-rules.md §1, §2, §3 (checked 2026-11-26)
 */
import { firstSessionOnOrAfter, lastSessionOnOrBefore, type SchoolCalendar } from '../calendar.js';
import {
  CAT_AUTHORISED,
  CAT_NOT_POSSIBLE,
  CAT_UNAUTHORISED,
  CODE_CATEGORY,
  CODE_TABLE,
  FLAG_LATE_AFTER_CLOSE,
  FLAG_LATE_BEFORE_CLOSE,
  CODE_FLAGS,
} from '../codes.js';
import { isoWeekday, WEEKDAY_NAMES, type PlainDate, type Session } from '../dates.js';
import { N_RESOLUTION_SCHOOL_DAYS } from '../measures.js';
import {
  absenceOf,
  countsOf,
  emptyCounts,
  pupilRange,
  ratio,
  tallyByPeriod,
  type CohortPupil,
  type SessionCounts,
} from './cohort.js';

export interface PeriodOptions {
  readonly from: PlainDate;
  readonly to: PlainDate;
}

function bounds(cal: SchoolCalendar, o: PeriodOptions): [number, number] {
  return [firstSessionOnOrAfter(cal, o.from), lastSessionOnOrBefore(cal, o.to)];
}

/** Absence on one weekday and session (e.g. Monday AM). */
export interface DaySessionCell {
  readonly weekday: string;
  readonly session: Session;
  readonly counts: SessionCounts;
  readonly absenceRate: number | null;
  readonly unauthorisedRate: number | null;
}

/**
 * Absence by day of the week and session, Monday AM to Friday PM (ten cells).
 *
 * @example dayOfWeekPattern(cal, pupils, { from, to }).find((c) => c.weekday === 'Friday' && c.session === 'PM')
 */
export function dayOfWeekPattern(
  cal: SchoolCalendar,
  pupils: readonly CohortPupil[],
  options: PeriodOptions,
): DaySessionCell[] {
  const [first, last] = bounds(cal, options);
  const cellOf = new Int32Array(cal.sessionCount);
  for (let s = 0; s < cal.sessionCount; s++) {
    cellOf[s] = (isoWeekday(cal.sessionDate[s]!) - 1) * 2 + cal.sessionIsPM[s]!;
  }
  const tally = tallyByPeriod(cal, pupils, first, last, cellOf, 10);
  const cells = Array.from({ length: 10 }, (_, i) => countsOf(tally, i));
  return cells.map((counts, i) => ({
    weekday: WEEKDAY_NAMES[Math.floor(i / 2)]!,
    session: i % 2 === 0 ? 'AM' : 'PM',
    counts,
    absenceRate: ratio(absenceOf(counts), counts.possible),
    unauthorisedRate: ratio(counts.unauthorised, counts.possible),
  }));
}

/** AM against PM over the whole period. */
export function sessionPattern(
  cells: readonly DaySessionCell[],
): { session: Session; counts: SessionCounts; absenceRate: number | null }[] {
  return (['AM', 'PM'] as const).map((session) => {
    const counts = emptyCounts();
    for (const c of cells) {
      if (c.session !== session) continue;
      counts.possible += c.counts.possible;
      counts.attended += c.counts.attended;
      counts.authorised += c.counts.authorised;
      counts.unauthorised += c.counts.unauthorised;
    }
    return { session, counts, absenceRate: ratio(absenceOf(counts), counts.possible) };
  });
}

/** The codes whose use over time the issue asks about, and why. */
export const WATCHED_CODES: readonly { code: string; question: string }[] = [
  { code: 'N', question: 'Is N left unresolved (it must be replaced within 5 school days)?' },
  { code: 'I', question: 'Is illness (I) rising?' },
  { code: 'B', question: 'Is B (other approved educational activity) overused?' },
  { code: 'O', question: 'Unauthorised absence in other or unknown circumstances' },
  { code: 'G', question: 'Holidays not granted' },
  { code: 'U', question: 'Late after the register closed' },
  { code: 'L', question: 'Late before the register closed' },
];

/** One school week's use of the watched codes. */
export interface CodeUseWeek {
  readonly monday: PlainDate;
  readonly possible: number;
  /** Sessions with each watched code, by code. */
  readonly counts: Readonly<Record<string, number>>;
}

export interface CodeUse {
  readonly codes: readonly string[];
  readonly weeks: readonly CodeUseWeek[];
  /** N marks older than 5 school days at `to` (still unresolved). */
  readonly unresolvedN: number;
  /** Every code's total over the period (both code sets share a key). */
  readonly totals: Readonly<Record<string, number>>;
}

/**
 * Code use per school week for the watched codes, every code's total, and the N marks left
 * unresolved longer than 5 school days.
 */
export function codeUseOverTime(cal: SchoolCalendar, pupils: readonly CohortPupil[], options: PeriodOptions): CodeUse {
  const [first, last] = bounds(cal, options);
  const codes = WATCHED_CODES.map((w) => w.code);
  const weekIndex = new Map<string, number>(codes.map((c, i) => [c, i]));
  const watchedOf = new Int8Array(CODE_TABLE.length + 1).fill(-1);
  for (const def of CODE_TABLE) watchedOf[def.id] = weekIndex.get(def.code) ?? -1;
  if (first > last || first >= cal.sessionCount) return { codes, weeks: [], unresolvedN: 0, totals: {} };
  const w0 = cal.sessionWeek[first]!;
  const nWeeks = cal.sessionWeek[last]! - w0 + 1;
  const grid = new Int32Array(nWeeks * codes.length);
  const possible = new Int32Array(nWeeks);
  const byId = new Int32Array(CODE_TABLE.length + 1);
  const lastDay = cal.sessionDay[last]!;
  let unresolvedN = 0;
  const provisional = new Uint8Array(CODE_TABLE.length + 1);
  for (const def of CODE_TABLE) if (def.provisional) provisional[def.id] = 1;
  for (const p of pupils) {
    const [a, b] = pupilRange(cal, p.marks, first, last);
    for (let s = a; s <= b; s++) {
      const id = p.marks.codes[s]!;
      const w = cal.sessionWeek[s]! - w0;
      byId[id]!++;
      const cat = CODE_CATEGORY[id]!;
      if (cat !== 0 && cat !== CAT_NOT_POSSIBLE) possible[w]!++;
      const k = watchedOf[id]!;
      if (k >= 0) grid[w * codes.length + k]!++;
      if (provisional[id] === 1 && lastDay - cal.sessionDay[s]! > N_RESOLUTION_SCHOOL_DAYS) unresolvedN++;
    }
  }
  const weeks: CodeUseWeek[] = [];
  for (let w = 0; w < nWeeks; w++) {
    const counts: Record<string, number> = {};
    codes.forEach((c, k) => (counts[c] = grid[w * codes.length + k]!));
    weeks.push({ monday: cal.weekMonday[w0 + w]!, possible: possible[w]!, counts });
  }
  const totals: Record<string, number> = {};
  for (const def of CODE_TABLE) if (byId[def.id]! > 0) totals[def.code] = (totals[def.code] ?? 0) + byId[def.id]!;
  return { codes, weeks, unresolvedN, totals };
}

/** A simple trend direction: the last four weeks' share of possible sessions against the four before. */
export function codeDirection(
  use: CodeUse,
  code: string,
  span = 4,
): { recent: number | null; before: number | null; rising: boolean | null } {
  const share = (ws: readonly CodeUseWeek[]): number | null =>
    ratio(
      ws.reduce((n, w) => n + (w.counts[code] ?? 0), 0),
      ws.reduce((n, w) => n + w.possible, 0),
    );
  const recent = share(use.weeks.slice(-span));
  const before = share(use.weeks.slice(-2 * span, -span));
  return { recent, before, rising: recent === null || before === null ? null : recent > before };
}

/** Lateness of one pupil or one day. */
export interface LatenessRow {
  readonly key: string;
  /** L: late before the register closed (present). */
  readonly late: number;
  /** U: late after the register closed (unauthorised absence). */
  readonly lateAfterClose: number;
  readonly minutes: number;
}

export interface Punctuality {
  /** Pupils with at least one L or U, most late sessions first. */
  readonly byPupil: LatenessRow[];
  /** School dates with at least one L or U, in date order. */
  readonly byDay: LatenessRow[];
  readonly totals: { late: number; lateAfterClose: number; minutes: number };
}

/** L and U counts and minutes, by pupil and by day. */
export function punctuality(cal: SchoolCalendar, pupils: readonly CohortPupil[], options: PeriodOptions): Punctuality {
  const [first, last] = bounds(cal, options);
  const days = new Map<number, { late: number; lateAfterClose: number; minutes: number }>();
  const byPupil: LatenessRow[] = [];
  const totals = { late: 0, lateAfterClose: 0, minutes: 0 };
  for (const p of pupils) {
    const [a, b] = pupilRange(cal, p.marks, first, last);
    let late = 0;
    let after = 0;
    let minutes = 0;
    for (let s = a; s <= b; s++) {
      const f = CODE_FLAGS[p.marks.codes[s]!]!;
      if (!(f & (FLAG_LATE_BEFORE_CLOSE | FLAG_LATE_AFTER_CLOSE))) continue;
      const m = p.marks.minutesLate?.[s] ?? 0;
      const day = cal.sessionDay[s]!;
      const row = days.get(day) ?? { late: 0, lateAfterClose: 0, minutes: 0 };
      if (f & FLAG_LATE_BEFORE_CLOSE) {
        late++;
        row.late++;
      } else {
        after++;
        row.lateAfterClose++;
      }
      minutes += m;
      row.minutes += m;
      days.set(day, row);
    }
    if (late + after > 0) byPupil.push({ key: p.id, late, lateAfterClose: after, minutes });
    totals.late += late;
    totals.lateAfterClose += after;
    totals.minutes += minutes;
  }
  byPupil.sort(
    (x, y) =>
      y.late + y.lateAfterClose - (x.late + x.lateAfterClose) || y.minutes - x.minutes || (x.key < y.key ? -1 : 1),
  );
  const byDay = [...days].sort(([x], [y]) => x - y).map(([day, r]) => ({ key: cal.dayDate[day]!, ...r }));
  return { byPupil, byDay, totals };
}

/** Broken weeks against school weeks, for the cohort. */
export interface BrokenWeeks {
  /** Pupil-weeks on roll (a pupil on roll in a school week counts once). */
  readonly pupilWeeks: number;
  /** Of those, weeks with at least one absence session. */
  readonly brokenPupilWeeks: number;
  readonly share: number | null;
  /** Per pupil, most broken first. */
  readonly byPupil: { key: string; brokenWeeks: number; schoolWeeks: number }[];
}

/**
 * Broken weeks (a school week with at least one absence) against school weeks on roll.
 *
 * @see ../../../../shared/reference/attendance-rules.md §3 (checked 2026-11-26)
 */
export function brokenWeeks(cal: SchoolCalendar, pupils: readonly CohortPupil[], options: PeriodOptions): BrokenWeeks {
  const [first, last] = bounds(cal, options);
  let pupilWeeks = 0;
  let broken = 0;
  const byPupil: BrokenWeeks['byPupil'] = [];
  for (const p of pupils) {
    const [a, b] = pupilRange(cal, p.marks, first, last);
    let weeks = 0;
    let br = 0;
    let week = -1;
    let isBroken = false;
    for (let s = a; s <= b; s++) {
      const w = cal.sessionWeek[s]!;
      if (w !== week) {
        week = w;
        weeks++;
        isBroken = false;
      }
      const cat = CODE_CATEGORY[p.marks.codes[s]!]!;
      if (!isBroken && (cat === CAT_AUTHORISED || cat === CAT_UNAUTHORISED)) {
        isBroken = true;
        br++;
      }
    }
    pupilWeeks += weeks;
    broken += br;
    if (weeks > 0) byPupil.push({ key: p.id, brokenWeeks: br, schoolWeeks: weeks });
  }
  byPupil.sort((x, y) => y.brokenWeeks - x.brokenWeeks || (x.key < y.key ? -1 : 1));
  return { pupilWeeks, brokenPupilWeeks: broken, share: ratio(broken, pupilWeeks), byPupil };
}
