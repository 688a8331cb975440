/** Queries of the register audit (services/duties/register-audit/register-audit.ts). */
import type { DbOrTrx } from '../connect.js';

export interface AuditGroupRow {
  readonly id: string;
  readonly name: string;
  readonly kind: string;
}

/** The school's groups (registration and teaching). */
export function schoolGroups(db: DbOrTrx, schoolId: string): Promise<AuditGroupRow[]> {
  return db.selectFrom('groups').select(['id', 'name', 'kind']).where('school_id', '=', schoolId).execute();
}

export interface AuditPupilRow {
  readonly id: string;
  readonly upn: string;
  readonly legal_forename: string;
  readonly legal_surname: string;
  readonly reg_group_id: string | null;
  readonly admission_date: string;
  readonly leaving_date: string | null;
}

/** Every pupil the school has had, by legal surname and forename. */
export function schoolPupils(db: DbOrTrx, schoolId: string): Promise<AuditPupilRow[]> {
  return db
    .selectFrom('pupils')
    .select(['id', 'upn', 'legal_forename', 'legal_surname', 'reg_group_id', 'admission_date', 'leaving_date'])
    .where('school_id', '=', schoolId)
    .orderBy('legal_surname')
    .orderBy('legal_forename')
    .execute();
}

export interface AuditMarkRow {
  readonly pupil_id: string;
  readonly date: string;
  readonly session: string;
  readonly code: string;
}

/** The session marks of the school's pupils dated from `from` to `to`. */
export function sessionMarksBetween(db: DbOrTrx, schoolId: string, from: string, to: string): Promise<AuditMarkRow[]> {
  return db
    .selectFrom('session_marks')
    .innerJoin('pupils', 'pupils.id', 'session_marks.pupil_id')
    .select(['session_marks.pupil_id', 'session_marks.date', 'session_marks.session', 'session_marks.code'])
    .where('pupils.school_id', '=', schoolId)
    .where('session_marks.date', '>=', from)
    .where('session_marks.date', '<=', to)
    .execute();
}

export interface AuditRegisterRow {
  readonly group_id: string;
  readonly date: string;
  readonly session: string;
  readonly taken_at: string | null;
}

/** The school's session registers (not lesson registers) dated from `from` to `to`. */
export function sessionRegistersBetween(
  db: DbOrTrx,
  schoolId: string,
  from: string,
  to: string,
): Promise<AuditRegisterRow[]> {
  return db
    .selectFrom('registers')
    .select(['group_id', 'date', 'session', 'taken_at'])
    .where('school_id', '=', schoolId)
    .where('lesson_id', 'is', null)
    .where('date', '>=', from)
    .where('date', '<=', to)
    .execute();
}

export interface AuditHistoryRow {
  readonly pupil_id: string;
  readonly date: string;
  readonly session: string;
  readonly previous_code: string | null;
  readonly new_code: string;
  readonly reason: string | null;
  readonly user_name: string;
  readonly at: string;
  readonly lesson_id: string | null;
}

/**
 * The session-mark history of the school's pupils dated from `from` to `to` that has no reason
 * and either wrote L or changed a code (most history is a register's first marks), oldest first.
 */
export function unexplainedHistoryBetween(
  db: DbOrTrx,
  schoolId: string,
  from: string,
  to: string,
): Promise<AuditHistoryRow[]> {
  return db
    .selectFrom('mark_history')
    .innerJoin('pupils', 'pupils.id', 'mark_history.pupil_id')
    .select([
      'mark_history.pupil_id',
      'mark_history.date',
      'mark_history.session',
      'mark_history.previous_code',
      'mark_history.new_code',
      'mark_history.reason',
      'mark_history.user_name',
      'mark_history.at',
      'mark_history.lesson_id',
    ])
    .where('pupils.school_id', '=', schoolId)
    .where('mark_history.date', '>=', from)
    .where('mark_history.date', '<=', to)
    .where('mark_history.lesson_id', 'is', null)
    .where((eb) => eb.or([eb('mark_history.reason', 'is', null), eb(eb.fn('trim', ['mark_history.reason']), '=', '')]))
    .where((eb) => eb.or([eb('mark_history.new_code', '=', 'L'), eb('mark_history.previous_code', 'is not', null)]))
    .orderBy('mark_history.at')
    .execute();
}
