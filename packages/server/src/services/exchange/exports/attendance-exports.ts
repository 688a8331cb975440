/**
 * Attendance exports for the Department for Education, in documented CSV layouts (see
 * docs/exports.md):
 *
 * - the **daily pupil-level attendance** file: one row per pupil on roll and school session of
 *   a day, with the code as recorded (blank when no mark was recorded), what the DfE's daily
 *   attendance data collection holds;
 * - the **termly census counts**: per pupil on roll during a term (or any date range), the
 *   sessions possible, attended, in approved educational activity, authorised and unauthorised
 *   absence, and the count of each absence code, as the school census attendance module asks.
 *
 * Both are machine-readable: plain RFC 4180 CSV in UTF-8 without a byte-order mark, header row
 * first, dates YYYY-MM-DD, rows in a stable order.
 */
import { lookupCode, type PlainDate, type SchoolCalendar } from '@rollcall/domain';
import { getSchool, type School } from '../../school/schools.js';
import { audit } from '../../audit.js';
import { csvField, writeCsv } from '../../csv-writer.js';
import { authorise, type Actor } from '../../authz.js';
import type { Deps } from '../../deps.js';
import { AppError } from '../../errors.js';
import { schoolCalendar } from '../../registers/registers.js';
import {
  pupilsOnRollBetween,
  schoolMarksBetween,
  termDatesByName,
  type RollPupilRow,
} from '../../../db/exchange/attendance-exports.js';

export type Cell = string | number | null;

/** One CSV field, through the one CSV writer (quoted, cleaned and defused: services/csv-writer.ts). */
export const csvCell: (value: Cell) => string = csvField;

export function csvOf(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  return writeCsv(header, rows);
}

export const DAILY_COLUMNS = [
  'urn',
  'la_code',
  'upn',
  'date',
  'session',
  'attendance_code',
  'minutes_late',
  'year_group',
] as const;

/** The absence codes counted one by one in the census file (both code sets, so older terms work too). */
export const CENSUS_CODES = [
  'I',
  'M',
  'R',
  'S',
  'T',
  'C',
  'C1',
  'C2',
  'E',
  'J1',
  'H',
  'F',
  'G',
  'U',
  'O',
  'N',
] as const;

export const CENSUS_COLUMNS = [
  'urn',
  'la_code',
  'upn',
  'surname',
  'forename',
  'date_of_birth',
  'year_group',
  'from',
  'to',
  'sessions_possible',
  'sessions_present',
  'sessions_approved_activity',
  'sessions_authorised_absence',
  'sessions_unauthorised_absence',
  'sessions_not_counted',
  'sessions_without_mark',
  ...CENSUS_CODES.map((c) => `code_${c}`),
] as const;

export interface CsvExport {
  readonly fileName: string;
  readonly header: readonly string[];
  readonly rows: readonly (readonly Cell[])[];
  readonly csv: string;
}

async function authorised(deps: Pick<Deps, 'db'>, actor: Actor, schoolId: string): Promise<School> {
  const school = await getSchool(deps.db, schoolId);
  authorise(actor, 'school.export', { kind: 'school', ...school });
  return school;
}

/** The school sessions (date and AM/PM) between two dates, in order. */
function sessionsBetween(cal: SchoolCalendar, from: string, to: string): { date: PlainDate; session: 'AM' | 'PM' }[] {
  const out: { date: PlainDate; session: 'AM' | 'PM' }[] = [];
  for (let i = 0; i < cal.sessionCount; i++) {
    const date = cal.sessionDate[i]!;
    if (date < from || date > to) continue;
    out.push({ date, session: cal.sessionIsPM[i] === 1 ? 'PM' : 'AM' });
  }
  return out;
}

type RollPupil = RollPupilRow;

/** Pupils on roll on at least one day from `from` to `to`, by UPN. */
async function pupilsOnRoll(deps: Pick<Deps, 'db'>, schoolId: string, from: string, to: string): Promise<RollPupil[]> {
  return pupilsOnRollBetween(deps.db, schoolId, from, to);
}

const onRoll = (p: RollPupil, date: string): boolean =>
  p.admission_date <= date && (p.leaving_date === null || p.leaving_date >= date);

async function marksBetween(deps: Pick<Deps, 'db'>, schoolId: string, from: string, to: string) {
  const rows = await schoolMarksBetween(deps.db, schoolId, from, to);
  const out = new Map<string, { code: string; minutesLate: number | null }>();
  for (const r of rows) out.set(`${r.pupil_id} ${r.date} ${r.session}`, { code: r.code, minutesLate: r.minutes_late });
  return out;
}

const isDate = (s: string): boolean => /^\d{4}-\d{2}-\d{2}$/.test(s);

/** The daily pupil-level attendance file for one school day. Audited (it is pupil-level data). */
export async function dailyAttendanceExport(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Actor,
  input: { schoolId: string; date: string },
): Promise<CsvExport> {
  if (!isDate(input.date)) throw new AppError('VALIDATION', `"${input.date}" is not a date: write it as YYYY-MM-DD.`);
  const school = await authorised(deps, actor, input.schoolId);
  const cal = await schoolCalendar(deps, school.id);
  const sessions = sessionsBetween(cal, input.date, input.date);
  const pupils = sessions.length === 0 ? [] : await pupilsOnRoll(deps, school.id, input.date, input.date);
  const marks = await marksBetween(deps, school.id, input.date, input.date);
  const rows: Cell[][] = [];
  for (const p of pupils) {
    for (const s of sessions) {
      const m = marks.get(`${p.id} ${s.date} ${s.session}`);
      rows.push([
        school.urn,
        school.laCode,
        p.upn,
        s.date,
        s.session,
        m?.code ?? null,
        m?.minutesLate ?? null,
        p.year_group,
      ]);
    }
  }
  await audit(deps.db, actor, deps.clock.now(), {
    action: 'export.dailyAttendance',
    entityType: 'school',
    entityId: school.id,
    schoolId: school.id,
    details: { date: input.date, rows: rows.length },
  });
  const header = [...DAILY_COLUMNS];
  return { fileName: `daily-attendance-${school.urn}-${input.date}.csv`, header, rows, csv: csvOf(header, rows) };
}

/**
 * Termly census counts, by term name (the school's own, e.g. "Autumn 1") or by dates. A pupil
 * is counted over the school sessions of the range on which they were on roll.
 */
export async function censusCountsExport(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Actor,
  input: { schoolId: string; term?: string | undefined; from?: string | undefined; to?: string | undefined },
): Promise<CsvExport> {
  const school = await authorised(deps, actor, input.schoolId);
  let from = input.from;
  let to = input.to;
  if (input.term !== undefined) {
    const term = await termDatesByName(deps.db, school.id, input.term);
    if (!term) throw new AppError('NOT_FOUND', `${school.name} has no term called "${input.term}".`);
    from = term.start_date;
    to = term.end_date;
  }
  if (from === undefined || to === undefined || !isDate(from) || !isDate(to) || from > to) {
    throw new AppError('VALIDATION', 'Give a term, or the first and last dates (YYYY-MM-DD, first before last).');
  }
  const cal = await schoolCalendar(deps, school.id);
  const sessions = sessionsBetween(cal, from, to);
  const pupils = await pupilsOnRoll(deps, school.id, from, to);
  const marks = await marksBetween(deps, school.id, from, to);
  const rows: Cell[][] = [];
  for (const p of pupils) {
    const n = { possible: 0, present: 0, approvedActivity: 0, authorised: 0, unauthorised: 0, notPossible: 0, none: 0 };
    const byCode = new Map<string, number>();
    for (const s of sessions) {
      if (!onRoll(p, s.date)) continue;
      const m = marks.get(`${p.id} ${s.date} ${s.session}`);
      if (!m) {
        n.none++;
        continue;
      }
      const found = lookupCode(m.code, s.date);
      if (!found.ok) {
        n.none++;
        continue;
      }
      const category = found.definition.category;
      n[category]++;
      if (category !== 'notPossible') n.possible++;
      byCode.set(m.code, (byCode.get(m.code) ?? 0) + 1);
    }
    rows.push([
      school.urn,
      school.laCode,
      p.upn,
      p.legal_surname,
      p.legal_forename,
      p.date_of_birth,
      p.year_group,
      from,
      to,
      n.possible,
      n.present,
      n.approvedActivity,
      n.authorised,
      n.unauthorised,
      n.notPossible,
      n.none,
      ...CENSUS_CODES.map((c) => byCode.get(c) ?? 0),
    ]);
  }
  await audit(deps.db, actor, deps.clock.now(), {
    action: 'export.censusCounts',
    entityType: 'school',
    entityId: school.id,
    schoolId: school.id,
    details: { from, to, rows: rows.length },
  });
  const header = [...CENSUS_COLUMNS];
  return { fileName: `census-attendance-${school.urn}-${from}-to-${to}.csv`, header, rows, csv: csvOf(header, rows) };
}
