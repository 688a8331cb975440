/** Queries of the first-day worklist and contact attempts (services/follow-up/worklist.ts). */
import type { Insertable, Selectable } from 'kysely';
import type { DbOrTrx } from '../connect.js';
import type { ContactAttemptsTable } from '../schema.js';

/** One of this pupil's contacts, by id (undefined when the contact is someone else's). */
export async function contactOfPupil(
  db: DbOrTrx,
  contactId: string,
  pupilId: string,
): Promise<{ name: string; relationship: string } | undefined> {
  return db
    .selectFrom('contacts')
    .select(['name', 'relationship'])
    .where('id', '=', contactId)
    .where('pupil_id', '=', pupilId)
    .executeTakeFirst();
}

export async function insertContactAttempt(db: DbOrTrx, row: Insertable<ContactAttemptsTable>): Promise<void> {
  await db.insertInto('contact_attempts').values(row).execute();
}

/** The contact attempts about some pupils' absence on a date, in the order they were made. */
export async function contactAttemptRows(
  db: DbOrTrx,
  pupilIds: readonly string[],
  date: string,
): Promise<Selectable<ContactAttemptsTable>[]> {
  if (pupilIds.length === 0) return [];
  return db
    .selectFrom('contact_attempts')
    .selectAll()
    .where('pupil_id', 'in', pupilIds)
    .where('absence_date', '=', date)
    .orderBy('made_at')
    .orderBy('id')
    .execute();
}

/** A school's `N` marks on one date (pupil and session). */
export async function nMarksOn(db: DbOrTrx, schoolId: string, date: string) {
  return db
    .selectFrom('session_marks')
    .innerJoin('pupils', 'pupils.id', 'session_marks.pupil_id')
    .select(['session_marks.pupil_id', 'session_marks.session'])
    .where('pupils.school_id', '=', schoolId)
    .where('session_marks.date', '=', date)
    .where('session_marks.code', '=', 'N')
    .execute();
}

/** What the worklist shows of some pupils: names, registration group and vulnerability flags. */
export async function worklistPupils(db: DbOrTrx, pupilIds: readonly string[]) {
  return db
    .selectFrom('pupils')
    .leftJoin('groups', 'groups.id', 'pupils.reg_group_id')
    .select([
      'pupils.id',
      'pupils.upn',
      'pupils.legal_forename',
      'pupils.legal_surname',
      'pupils.preferred_forename',
      'pupils.preferred_surname',
      'pupils.year_group',
      'groups.name as group_name',
      'pupils.cp',
      'pupils.cin',
      'pupils.lac',
      'pupils.social_worker',
      'pupils.ehcp',
      'pupils.sen_status',
    ])
    .where('pupils.id', 'in', pupilIds)
    .execute();
}

/** Some pupils' session codes between two dates, inclusive (unordered). */
export async function codesOfPupilsBetween(db: DbOrTrx, pupilIds: readonly string[], from: string, to: string) {
  return db
    .selectFrom('session_marks')
    .select(['pupil_id', 'date', 'session', 'code'])
    .where('pupil_id', 'in', pupilIds)
    .where('date', '>=', from)
    .where('date', '<=', to)
    .execute();
}

/** The groups some pupils belong to. */
export async function groupMembershipsOf(db: DbOrTrx, pupilIds: readonly string[]) {
  return db.selectFrom('group_members').select(['pupil_id', 'group_id']).where('pupil_id', 'in', pupilIds).execute();
}

/** Some pupils' contacts with their phone numbers, by priority then name. */
export async function phoneContactsOf(db: DbOrTrx, pupilIds: readonly string[]) {
  return db
    .selectFrom('contacts')
    .select(['id', 'pupil_id', 'name', 'relationship', 'priority', 'mobile_phone', 'home_phone', 'work_phone'])
    .where('pupil_id', 'in', pupilIds)
    .orderBy('priority')
    .orderBy('name')
    .execute();
}

/** A school's `N` marks on or before a date with the pupil's names, oldest first. */
export async function nMarksUpTo(db: DbOrTrx, schoolId: string, asOf: string) {
  return db
    .selectFrom('session_marks')
    .innerJoin('pupils', 'pupils.id', 'session_marks.pupil_id')
    .select([
      'session_marks.pupil_id',
      'session_marks.date',
      'session_marks.session',
      'pupils.legal_forename',
      'pupils.legal_surname',
      'pupils.preferred_forename',
      'pupils.preferred_surname',
    ])
    .where('pupils.school_id', '=', schoolId)
    .where('session_marks.code', '=', 'N')
    .where('session_marks.date', '<=', asOf)
    .orderBy('session_marks.date')
    .orderBy('session_marks.session')
    .orderBy('pupils.legal_surname')
    .execute();
}

/** Every contact attempt about a pupil (unordered). */
export async function contactAttemptsOfPupil(db: DbOrTrx, pupilId: string) {
  return db
    .selectFrom('contact_attempts')
    .select(['absence_date', 'method', 'contact_name', 'outcome', 'notes', 'made_by_name', 'made_at'])
    .where('pupil_id', '=', pupilId)
    .execute();
}
