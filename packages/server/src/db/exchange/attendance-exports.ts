/**
 * The queries of the DfE daily pupil-level file and the termly census counts (issue 15, item 3;
 * docs/exports.md). Called by services/exchange/exports/attendance-exports.ts.
 */
import type { DbOrTrx } from '../connect.js';

export interface RollPupilRow {
  readonly id: string;
  readonly upn: string;
  readonly legal_surname: string;
  readonly legal_forename: string;
  readonly date_of_birth: string | null;
  readonly year_group: string | null;
  readonly admission_date: string;
  readonly leaving_date: string | null;
}

/** Pupils on roll on at least one day from `from` to `to`, by UPN. */
export async function pupilsOnRollBetween(
  db: DbOrTrx,
  schoolId: string,
  from: string,
  to: string,
): Promise<RollPupilRow[]> {
  return db
    .selectFrom('pupils')
    .select([
      'id',
      'upn',
      'legal_surname',
      'legal_forename',
      'date_of_birth',
      'year_group',
      'admission_date',
      'leaving_date',
    ])
    .where('school_id', '=', schoolId)
    .where('admission_date', '<=', to)
    .where((eb) => eb.or([eb('leaving_date', 'is', null), eb('leaving_date', '>=', from)]))
    .orderBy('upn')
    .execute();
}

export interface ExportMarkRow {
  readonly pupil_id: string;
  readonly date: string;
  readonly session: string;
  readonly code: string;
  readonly minutes_late: number | null;
}

/** The school's session marks from `from` to `to` (both included). */
export async function schoolMarksBetween(
  db: DbOrTrx,
  schoolId: string,
  from: string,
  to: string,
): Promise<ExportMarkRow[]> {
  return db
    .selectFrom('session_marks')
    .innerJoin('pupils', 'pupils.id', 'session_marks.pupil_id')
    .select([
      'session_marks.pupil_id',
      'session_marks.date',
      'session_marks.session',
      'session_marks.code',
      'session_marks.minutes_late',
    ])
    .where('pupils.school_id', '=', schoolId)
    .where('session_marks.date', '>=', from)
    .where('session_marks.date', '<=', to)
    .execute();
}

/** The dates of the school's latest term with this name, or undefined. */
export async function termDatesByName(
  db: DbOrTrx,
  schoolId: string,
  name: string,
): Promise<{ start_date: string; end_date: string } | undefined> {
  return db
    .selectFrom('terms')
    .select(['start_date', 'end_date'])
    .where('school_id', '=', schoolId)
    .where('name', '=', name)
    .orderBy('start_date', 'desc')
    .executeTakeFirst();
}
