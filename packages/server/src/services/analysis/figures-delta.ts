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
 * `cohort.ts` decides when this may be used (same day, minimum of possible sessions, calendar and
 * roll; no late-committed row below the watermark); here, a mark for a pupil the snapshot does not
 * know or a session outside its payload gives null, and the school is measured from its cohort.
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
import type { SnapshotCodes } from './snapshots.js';

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

/** Numbers a pupil in the packed counts (`encodePupilCounts`). */
const FIELDS = 7;

/**
 * The school's totals with the marks written since its snapshot laid over the counts behind its
 * figures; null when a mark cannot be laid over them (the school is then measured).
 */
export function figuresWithMarks(input: {
  readonly cal: SchoolCalendar;
  readonly period: { readonly from: PlainDate; readonly to: PlainDate };
  readonly minPossibleSessions: number;
  readonly totals: SummaryTotals;
  /** The measured pupils' counts (`decodePupilCounts`). */
  readonly counts: Int32Array;
  readonly marks: SnapshotCodes;
  readonly written: readonly MarkWritten[];
}): SummaryTotals | null {
  const { cal, period, counts, marks } = input;
  const n = cal.sessionCount;
  const pupilIndex = new Map<string, number>();
  for (let i = 0; i < marks.ids.length; i++) pupilIndex.set(marks.ids[i]!, i);
  // Each session's last code written (session marks of the period; lesson marks carry their lesson).
  const ids = new Map<string, number>();
  // A morning's registers are one date and session: each is looked up in the calendar once.
  const sessions = new Map<string, number>();
  const last = new Map<number, number>();
  for (const m of input.written) {
    if (m.lesson_id !== null || m.date < period.from || m.date > period.to) continue;
    const p = pupilIndex.get(m.pupil_id);
    if (p === undefined) return null;
    const key = m.date + m.session;
    let s = sessions.get(key);
    if (s === undefined) {
      s = sessionIndex(cal, m.date as PlainDate, m.session as Session);
      sessions.set(key, s);
    }
    if (s < 0) continue;
    last.set(p * n + s, codeId(ids, m.new_code, m.date));
  }
  if (last.size === 0) return input.totals;
  const row = new Int32Array(marks.ids.length).fill(-1);
  for (let k = 0; k < counts.length; k += FIELDS) {
    const i = counts[k]!;
    if (i < 0 || i >= row.length) return null;
    row[i] = k;
  }
  const changed = new Map<number, PeriodCounts>();
  for (const [key, code] of last) {
    const p = Math.floor(key / n);
    const s = key - p * n;
    const k = row[p]!;
    // A pupil not measured (not on roll in the period to "as of"), or a session not counted.
    if (k < 0 || s < counts[k + 1]! || s > counts[k + 2]!) continue;
    const at = s - marks.firstSession;
    if (at < 0 || at >= marks.sessions) return null;
    let c = changed.get(k);
    if (c === undefined) {
      c = {
        possible: counts[k + 3]!,
        attended: counts[k + 4]!,
        authorised: counts[k + 5]!,
        unauthorised: counts[k + 6]!,
      };
      changed.set(k, c);
    }
    changeSessionCode(c, marks.codes[p * marks.sessions + at]!, code);
  }
  const t = { ...input.totals };
  for (const [k, after] of changed) {
    const before = {
      possible: counts[k + 3]!,
      attended: counts[k + 4]!,
      authorised: counts[k + 5]!,
      unauthorised: counts[k + 6]!,
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
