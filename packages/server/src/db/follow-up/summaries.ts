/** Queries of the parents' attendance summaries (services/follow-up/summaries.ts). */
import type { DbOrTrx } from '../connect.js';

/** A school's pupils on roll on a date, by legal surname, forename and id. */
export async function pupilsOnRollOn(db: DbOrTrx, schoolId: string, date: string) {
  return db
    .selectFrom('pupils')
    .select([
      'id',
      'legal_forename',
      'legal_surname',
      'preferred_forename',
      'preferred_surname',
      'admission_date',
      'leaving_date',
    ])
    .where('school_id', '=', schoolId)
    .where('admission_date', '<=', date)
    .where((eb) => eb.or([eb('leaving_date', 'is', null), eb('leaving_date', '>=', date)]))
    .orderBy('legal_surname')
    .orderBy('legal_forename')
    .orderBy('id')
    .execute();
}

/** Every contact with parental responsibility at a school, by priority. */
export async function parentalContactsOfSchool(db: DbOrTrx, schoolId: string) {
  return db
    .selectFrom('contacts')
    .innerJoin('pupils', 'pupils.id', 'contacts.pupil_id')
    .select(['contacts.pupil_id', 'contacts.name', 'contacts.email', 'contacts.mobile_phone', 'contacts.priority'])
    .where('pupils.school_id', '=', schoolId)
    .where('contacts.parental_responsibility', '=', 1)
    .orderBy('contacts.priority')
    .orderBy('contacts.id')
    .execute();
}

/** Every session mark at a school between two dates, inclusive (unordered). */
export async function schoolMarksBetween(db: DbOrTrx, schoolId: string, from: string, to: string) {
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

/** The messages of one kind a school has queued (or sent): to whom and what. */
export async function messagesOfKind(db: DbOrTrx, schoolId: string, kind: string) {
  return db
    .selectFrom('messages')
    .select(['pupil_id', 'to_address', 'subject', 'body'])
    .where('school_id', '=', schoolId)
    .where('kind', '=', kind)
    .execute();
}
