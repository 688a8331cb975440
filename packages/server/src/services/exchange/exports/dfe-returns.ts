/**
 * The DfE's attendance collections (docs/exports.md):
 *
 * - the **census attendance file**: per pupil of census age (4 to 15 on 31 August), for one of the
 *   census periods as the DfE defines them (autumn from 1 August, spring to Easter Sunday, the
 *   summer term in two halves), the sessions possible, attended and missed, and the count of
 *   every code of the period's code set the census asks for (each reason for absence, each
 *   attendance and not-counted code);
 * - the **daily pupil-level file**: every item the DfE's daily attendance collection holds about a
 *   pupil on roll (name, date of birth, UPN, sex, ethnicity, looked after, previously looked after,
 *   SEN support, EHC plan, FSM, year, URN, LA, admission date, leaving date, CIN, CP plan) with the
 *   day's session codes, and the sessions of the 7 days before whose code changed since, so the
 *   collection can refresh them.
 *
 * CSV through the one writer (services/csv-writer.ts: formula-defused, RFC 4180).
 */
import {
  ageAtStartOfYear,
  addDays,
  CENSUS_AGE_MAX,
  CENSUS_AGE_MIN,
  CODE_TABLE,
  codeSetOn,
  censusPeriod,
  isPlainDate,
  lookupCode,
  type CensusPeriodName,
} from '@rollcall/domain';
import { changedSessions, returnMarks, returnPupils, type ReturnPupilRow } from '../../../db/exchange/dfe-returns.js';
import { getSchool } from '../../school/schools.js';
import { audit } from '../../audit.js';
import { authorise, type Actor } from '../../authz.js';
import { writeCsv, type CsvValue } from '../../csv-writer.js';
import type { Deps } from '../../deps.js';
import { AppError } from '../../errors.js';
import { schoolCalendar } from '../../registers/registers.js';

export interface DfeFile {
  readonly fileName: string;
  readonly header: readonly string[];
  readonly rows: readonly (readonly CsvValue[])[];
  readonly csv: string;
}

/** The codes the census counts one by one for a code set: every code except present (`/ \` together). */
export function censusCodes(set: '2006' | '2024'): string[] {
  return CODE_TABLE.filter((d) => d.codeSet === set && d.code !== '/' && d.code !== '\\').map((d) => d.code);
}

const yn = (v: boolean): string => (v ? 'Y' : 'N');

/**
 * The census attendance file for a period of an academic year. A pupil is counted over the school
 * sessions of the period on which they were on roll; pupils outside the census age range (or
 * without a date of birth) are left out and counted in `details.leftOut`.
 */
export async function censusAttendanceReturn(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Actor,
  input: { schoolId: string; period: CensusPeriodName; academicYear: number },
): Promise<DfeFile & { readonly leftOut: number }> {
  const school = await getSchool(deps.db, input.schoolId);
  authorise(actor, 'school.export', { kind: 'school', ...school });
  const period = censusPeriod(input.period, input.academicYear);
  const cal = await schoolCalendar(deps, school.id);
  const pupils = await returnPupils(deps.db, school.id, period.from, period.to);
  const marks = await returnMarks(deps.db, school.id, period.from, period.to);
  const set = codeSetOn(period.from);
  const codes = censusCodes(set);
  const header = [
    'urn',
    'la_code',
    'estab',
    'upn',
    'surname',
    'forename',
    'date_of_birth',
    'age_at_31_august',
    'year_group',
    'census',
    'period',
    'from',
    'to',
    'sessions_possible',
    'sessions_attended',
    'sessions_authorised_absence',
    'sessions_unauthorised_absence',
    'sessions_without_mark',
    'present',
    ...codes.map((c) => `code_${c}`),
  ];
  const rows: CsvValue[][] = [];
  let leftOut = 0;
  for (const p of pupils) {
    const age = p.date_of_birth ? ageAtStartOfYear(p.date_of_birth, input.academicYear) : null;
    if (age === null || age < CENSUS_AGE_MIN || age > CENSUS_AGE_MAX) {
      leftOut++;
      continue;
    }
    const n = { possible: 0, attended: 0, authorised: 0, unauthorised: 0, none: 0, present: 0 };
    const byCode = new Map<string, number>();
    const mine = marks.get(p.id);
    for (let s = 0; s < cal.sessionCount; s++) {
      const date = cal.sessionDate[s]!;
      if (date < period.from || date > period.to) continue;
      if (date < p.admission_date || (p.leaving_date !== null && date > p.leaving_date)) continue;
      const m = mine?.get(`${date} ${cal.sessionIsPM[s] === 1 ? 'PM' : 'AM'}`);
      const found = m ? lookupCode(m.code, date) : undefined;
      if (!m || !found?.ok) {
        n.none++;
        continue;
      }
      const d = found.definition;
      if (d.possible) n.possible++;
      if (d.category === 'present' || d.category === 'approvedActivity') n.attended++;
      else if (d.category === 'authorised') n.authorised++;
      else if (d.category === 'unauthorised') n.unauthorised++;
      if (d.code === '/' || d.code === '\\') n.present++;
      else byCode.set(d.code, (byCode.get(d.code) ?? 0) + 1);
    }
    rows.push([
      school.urn,
      school.laCode,
      school.estab,
      p.upn,
      p.legal_surname,
      p.legal_forename,
      p.date_of_birth,
      age,
      p.year_group,
      period.census,
      period.name,
      period.from,
      period.to,
      n.possible,
      n.attended,
      n.authorised,
      n.unauthorised,
      n.none,
      n.present,
      ...codes.map((c) => byCode.get(c) ?? 0),
    ]);
  }
  await audit(deps.db, actor, deps.clock.now(), {
    action: 'export.censusReturn',
    entityType: 'school',
    entityId: school.id,
    schoolId: school.id,
    details: { period: period.name, academicYear: input.academicYear, rows: rows.length, leftOut },
  });
  return {
    fileName: `census-attendance-${school.urn}-${input.academicYear}-${period.name}.csv`,
    header,
    rows,
    csv: writeCsv(header, rows),
    leftOut,
  };
}

export const DFE_DAILY_COLUMNS = [
  'urn',
  'la_code',
  'upn',
  'surname',
  'forename',
  'date_of_birth',
  'sex',
  'ethnicity',
  'looked_after',
  'previously_looked_after',
  'sen_support',
  'ehc_plan',
  'fsm',
  'year_group',
  'admission_date',
  'leaving_date',
  'child_in_need',
  'child_protection_plan',
  'date',
  'session',
  'attendance_code',
  'minutes_late',
  'row',
] as const;

/**
 * The daily pupil-level file for a school day: one row per pupil on roll and session of the day
 * (`row` = `day`), then one per session of the 7 days before whose code was changed in those 7
 * days (`row` = `changed`, with the code as it is now), so the collection can refresh them.
 */
export async function dfeDailyFile(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Actor,
  input: { schoolId: string; date: string },
): Promise<DfeFile> {
  if (!isPlainDate(input.date))
    throw new AppError('VALIDATION', `"${input.date}" is not a date: write it as YYYY-MM-DD.`);
  const date = input.date;
  const school = await getSchool(deps.db, input.schoolId);
  authorise(actor, 'school.export', { kind: 'school', ...school });
  const cal = await schoolCalendar(deps, school.id);
  const weekBefore = addDays(date, -7);
  const pupils = await returnPupils(deps.db, school.id, weekBefore, date);
  const marks = await returnMarks(deps.db, school.id, weekBefore, date);
  const changed = await changedSessions(deps.db, school.id, weekBefore, addDays(date, -1), `${weekBefore}T00:00:00`);
  const byId = new Map(pupils.map((p) => [p.id, p]));
  const items = (p: ReturnPupilRow): CsvValue[] => [
    school.urn,
    school.laCode,
    p.upn,
    p.legal_surname,
    p.legal_forename,
    p.date_of_birth,
    p.gender,
    p.ethnicity,
    yn(p.lac === 1),
    yn(p.previously_lac === 1),
    yn(p.sen_status === 'K'),
    yn(p.sen_status === 'E' || p.ehcp === 1),
    yn(p.fsm === 1),
    p.year_group,
    p.admission_date,
    p.leaving_date,
    yn(p.cin === 1),
    yn(p.cp === 1),
  ];
  const rows: CsvValue[][] = [];
  const sessions: ('AM' | 'PM')[] = [];
  for (let s = 0; s < cal.sessionCount; s++)
    if (cal.sessionDate[s] === date) sessions.push(cal.sessionIsPM[s] ? 'PM' : 'AM');
  for (const p of pupils) {
    if (p.admission_date > date || (p.leaving_date !== null && p.leaving_date < date)) continue;
    for (const session of sessions) {
      const m = marks.get(p.id)?.get(`${date} ${session}`);
      rows.push([...items(p), date, session, m?.code ?? null, m?.minutesLate ?? null, 'day']);
    }
  }
  for (const c of changed) {
    const p = byId.get(c.pupil_id);
    if (!p) continue;
    const m = marks.get(p.id)?.get(`${c.date} ${c.session}`);
    rows.push([...items(p), c.date, c.session, m?.code ?? null, m?.minutesLate ?? null, 'changed']);
  }
  await audit(deps.db, actor, deps.clock.now(), {
    action: 'export.dfeDaily',
    entityType: 'school',
    entityId: school.id,
    schoolId: school.id,
    details: { date, rows: rows.length },
  });
  const header = [...DFE_DAILY_COLUMNS];
  return { fileName: `dfe-daily-${school.urn}-${date}.csv`, header, rows, csv: writeCsv(header, rows) };
}
