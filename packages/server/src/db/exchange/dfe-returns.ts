/** Queries of the DfE returns (issue 15): the census attendance file and the daily pupil-level file. */
import type { DbOrTrx } from '../connect.js';

export interface ReturnPupilRow {
  id: string;
  upn: string;
  legal_surname: string;
  legal_forename: string;
  date_of_birth: string | null;
  gender: string | null;
  ethnicity: string | null;
  year_group: string | null;
  admission_date: string;
  leaving_date: string | null;
  sen_status: string;
  ehcp: number;
  fsm: number;
  lac: number;
  previously_lac: number;
  cin: number;
  cp: number;
}

/** Pupils on roll on at least one day from `from` to `to`, by UPN. */
export async function returnPupils(db: DbOrTrx, schoolId: string, from: string, to: string): Promise<ReturnPupilRow[]> {
  return db
    .selectFrom('pupils')
    .select([
      'id',
      'upn',
      'legal_surname',
      'legal_forename',
      'date_of_birth',
      'gender',
      'ethnicity',
      'year_group',
      'admission_date',
      'leaving_date',
      'sen_status',
      'ehcp',
      'fsm',
      'lac',
      'previously_lac',
      'cin',
      'cp',
    ])
    .where('school_id', '=', schoolId)
    .where('admission_date', '<=', to)
    .where((eb) => eb.or([eb('leaving_date', 'is', null), eb('leaving_date', '>=', from)]))
    .orderBy('upn')
    .execute();
}

/** Session marks of a school's pupils from `from` to `to`: pupil id → 'date session' → code and minutes. */
export async function returnMarks(
  db: DbOrTrx,
  schoolId: string,
  from: string,
  to: string,
): Promise<Map<string, Map<string, { code: string; minutesLate: number | null }>>> {
  const rows = await db
    .selectFrom('session_marks as m')
    .innerJoin('pupils as p', 'p.id', 'm.pupil_id')
    .select(['m.pupil_id', 'm.date', 'm.session', 'm.code', 'm.minutes_late'])
    .where('p.school_id', '=', schoolId)
    .where('m.date', '>=', from)
    .where('m.date', '<=', to)
    .execute();
  const out = new Map<string, Map<string, { code: string; minutesLate: number | null }>>();
  for (const r of rows) {
    let m = out.get(r.pupil_id);
    if (!m) out.set(r.pupil_id, (m = new Map<string, { code: string; minutesLate: number | null }>()));
    m.set(`${r.date} ${r.session}`, { code: r.code, minutesLate: r.minutes_late });
  }
  return out;
}

/**
 * Sessions dated from `from` to `to` whose code was changed (a history row with a previous code)
 * at or after `since`: pupil id, date and session, once each.
 */
export async function changedSessions(
  db: DbOrTrx,
  schoolId: string,
  from: string,
  to: string,
  since: string,
): Promise<{ pupil_id: string; date: string; session: string }[]> {
  return db
    .selectFrom('mark_history as h')
    .innerJoin('pupils as p', 'p.id', 'h.pupil_id')
    .select(['h.pupil_id', 'h.date', 'h.session'])
    .distinct()
    .where('p.school_id', '=', schoolId)
    .where('h.lesson_id', 'is', null)
    .where('h.previous_code', 'is not', null)
    .where('h.date', '>=', from)
    .where('h.date', '<=', to)
    .where('h.at', '>=', since)
    .orderBy('h.pupil_id')
    .orderBy('h.date')
    .orderBy('h.session')
    .execute();
}
