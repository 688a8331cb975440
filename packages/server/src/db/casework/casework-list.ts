/**
 * Reads of the officer's casework list (services/casework/casework-list.ts) that belong to no
 * case table: the school's pupils with what the list shows of them, and the latest daily
 * evaluation's audit entry (what it held back under the policy's cap). The list's suggestions,
 * stages, reviews and overdue rows are read through suggestions.ts, cases.ts and case-record.ts.
 */
import type { Selectable } from 'kysely';
import type { DbOrTrx } from '../connect.js';
import type { PupilsTable } from '../schema.js';

export type CaseListPupil = Pick<
  Selectable<PupilsTable>,
  | 'id'
  | 'legal_forename'
  | 'legal_surname'
  | 'preferred_forename'
  | 'preferred_surname'
  | 'year_group'
  | 'admission_date'
  | 'leaving_date'
  | 'cp'
  | 'cin'
  | 'lac'
  | 'social_worker'
>;

/** Every pupil of a school (on roll or not): names, year group, roll dates and the vulnerability flags. */
export async function caseListPupilsAt(db: DbOrTrx, schoolId: string): Promise<CaseListPupil[]> {
  return db
    .selectFrom('pupils')
    .select([
      'id',
      'legal_forename',
      'legal_surname',
      'preferred_forename',
      'preferred_surname',
      'year_group',
      'admission_date',
      'leaving_date',
      'cp',
      'cin',
      'lac',
      'social_worker',
    ])
    .where('school_id', '=', schoolId)
    .execute();
}

/** The details (JSON text) of the school's latest `casework.evaluate` audit entry at or after `since`, or undefined. */
export async function latestEvaluationAuditDetails(
  db: DbOrTrx,
  schoolId: string,
  since: string,
): Promise<{ details: string | null } | undefined> {
  return db
    .selectFrom('audit_log')
    .select(['details'])
    .where('at', '>=', since)
    .where('action', '=', 'casework.evaluate')
    .where('school_id', '=', schoolId)
    .orderBy('at', 'desc')
    .limit(1)
    .executeTakeFirst();
}
