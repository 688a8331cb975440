/** Queries of the `N` ageing job (services/follow-up/n-ageing.ts). */
import type { DbOrTrx } from '../connect.js';

/** A school's `N` marks on or before a date, oldest first, with the pupil's first names. */
export async function unresolvedNMarks(db: DbOrTrx, schoolId: string, asOf: string) {
  return db
    .selectFrom('session_marks')
    .innerJoin('pupils', 'pupils.id', 'session_marks.pupil_id')
    .select([
      'session_marks.pupil_id',
      'session_marks.date',
      'session_marks.session',
      'pupils.legal_forename',
      'pupils.preferred_forename',
    ])
    .where('pupils.school_id', '=', schoolId)
    .where('session_marks.code', '=', 'N')
    .where('session_marks.date', '<=', asOf)
    .orderBy('session_marks.date')
    .execute();
}

/** The email and mobile of each contact with parental responsibility for a pupil. */
export async function parentalContactChannels(db: DbOrTrx, pupilId: string) {
  return db
    .selectFrom('contacts')
    .select(['email', 'mobile_phone'])
    .where('pupil_id', '=', pupilId)
    .where('parental_responsibility', '=', 1)
    .execute();
}
