/**
 * A school's figures from its snapshot's figures and the marks written since (issue 18): the
 * first LA or trust view of the morning after a restart finds every school with registers taken
 * since the night's snapshot. Rather than measuring each pupil again, the marks written since are
 * laid over the measured pupils' counts kept with the snapshot (`schoolTotalsAndCounts`): each
 * session's last written code against the code the snapshot packs (what the counts were made
 * from, whatever the history row says was there before), then PA and SA of the pupils changed
 * again from their counts (`absenceFlags`), and the school's totals moved by the difference. The
 * domain's property test checks the counts and flags against measuring the changed marks.
 *
 * The codes of the last ten sessions to "as of" are kept with the counts, so the morning's
 * registers need nothing more; a mark replacing an older one needs the snapshot's packed marks.
 *
 * `cohort.ts` decides when this may be used (same day, minimum of possible sessions, calendar and
 * roll; no late-committed row below the watermark); here, a mark of the period for a pupil not
 * measured (or not known) or a session outside the payload gives null, and the school is
 * measured from its cohort.
 */
import {
  absenceFlags,
  changeSessionCode,
  CODES_2024_FROM,
  lookupCode,
  sessionIndex,
  type PeriodCounts,
  type PlainDate,
  type SchoolCalendar,
  type Session,
  type SummaryTotals,
} from '@rollcall/domain';
import { COUNTS_FIELDS, type PupilCounts, type SnapshotCodes } from './snapshots.js';

/** Code ids depend on the code set in force on the date: each (code, set) is looked up once. */
export function codeId(ids: Map<string, number>, code: string, date: string): number {
  const key = `${code}|${date >= CODES_2024_FROM ? 1 : 0}`;
  let id = ids.get(key);
  if (id === undefined) {
    const found = lookupCode(code, date as PlainDate);
    id = found.ok ? found.definition.id : 0;
    ids.set(key, id);
  }
  return id;
}

/** A mark written since the snapshot (a `mark_history` row), oldest first. */
export interface MarkWritten {
  readonly pupil_id: string;
  readonly date: string;
  readonly session: string;
  readonly new_code: string;
  readonly lesson_id: string | null;
}

/**
 * The school's totals with the marks written since its snapshot laid over the counts behind its
 * figures; null when a mark cannot be laid over them (the school is then measured); 'marks' when a
 * mark replaces one before the last sessions kept with the counts and `marks` (the snapshot's
 * packed marks) was not given.
 */
export function figuresWithMarks(input: {
  readonly cal: SchoolCalendar;
  readonly period: { readonly from: PlainDate; readonly to: PlainDate };
  readonly minPossibleSessions: number;
  readonly totals: SummaryTotals;
  readonly counts: PupilCounts;
  readonly marks: SnapshotCodes | null;
  readonly written: readonly MarkWritten[];
}): SummaryTotals | null | 'marks' {
  const { cal, period, counts, marks } = input;
  const { numbers, tail, tailStart, tailLength } = counts;
  const n = cal.sessionCount;
  const pupilIndex = new Map<string, number>();
  for (let i = 0; i < counts.ids.length; i++) pupilIndex.set(counts.ids[i]!, i);
  // Each session's last code written (session marks of the period; lesson marks carry their lesson).
  const ids = new Map<string, number>();
  // A morning's registers are one date and session: each is looked up in the calendar once.
  const sessions = new Map<string, number>();
  const last = new Map<number, number>();
  for (const m of input.written) {
    if (m.lesson_id !== null || m.date < period.from || m.date > period.to) continue;
    const key = m.date + m.session;
    let s = sessions.get(key);
    if (s === undefined) {
      s = sessionIndex(cal, m.date as PlainDate, m.session as Session);
      sessions.set(key, s);
    }
    if (s < 0) continue;
    const p = pupilIndex.get(m.pupil_id);
    // A pupil not measured (not on roll in the period to "as of"), or one the snapshot does not know.
    if (p === undefined) return null;
    last.set(p * n + s, codeId(ids, m.new_code, m.date));
  }
  if (last.size === 0) return input.totals;
  // The packed marks' pupils, when they are needed.
  let packed: Map<string, number> | undefined;
  const changed = new Map<number, PeriodCounts>();
  for (const [key, code] of last) {
    const p = Math.floor(key / n);
    const s = key - p * n;
    const k = p * COUNTS_FIELDS;
    // Only the sessions the pupil was counted on.
    if (s < numbers[k]! || s > numbers[k + 1]!) continue;
    let before: number;
    if (s >= tailStart && s < tailStart + tailLength) before = tail[p * tailLength + s - tailStart]!;
    else {
      if (marks === null) return 'marks';
      if (packed === undefined) {
        packed = new Map();
        for (let i = 0; i < marks.ids.length; i++) packed.set(marks.ids[i]!, i);
      }
      const i = packed.get(counts.ids[p]!);
      const at = s - marks.firstSession;
      if (i === undefined || at < 0 || at >= marks.sessions) return null;
      before = marks.codes[i * marks.sessions + at]!;
    }
    let c = changed.get(p);
    if (c === undefined) {
      c = {
        possible: numbers[k + 2]!,
        attended: numbers[k + 3]!,
        authorised: numbers[k + 4]!,
        unauthorised: numbers[k + 5]!,
      };
      changed.set(p, c);
    }
    changeSessionCode(c, before, code);
  }
  const t = { ...input.totals };
  for (const [p, after] of changed) {
    const k = p * COUNTS_FIELDS;
    const before = {
      possible: numbers[k + 2]!,
      attended: numbers[k + 3]!,
      authorised: numbers[k + 4]!,
      unauthorised: numbers[k + 5]!,
    };
    const was = absenceFlags(before, input.minPossibleSessions);
    const is = absenceFlags(after, input.minPossibleSessions);
    t.possible += after.possible - before.possible;
    t.attended += after.attended - before.attended;
    t.authorised += after.authorised - before.authorised;
    t.unauthorised += after.unauthorised - before.unauthorised;
    t.pa += Number(is.pa) - Number(was.pa);
    t.sa += Number(is.sa) - Number(was.sa);
    t.withPossible += Number(after.possible > 0) - Number(before.possible > 0);
  }
  return t;
}
