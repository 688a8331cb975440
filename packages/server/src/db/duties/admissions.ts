/**
 * The queries of the admission register's use cases (docs/admission-register.md): admitting a
 * pupil, deletions on a legal ground, contact with the local authority, reading the register,
 * and editing an existing pupil's register items. Called by services/duties/admissions/.
 */
import type { Insertable, Updateable } from 'kysely';
import type { DbOrTrx } from '../connect.js';
import type { ContactsTable, LaContactsTable, PupilsTable, RegisterEntriesTable } from '../schema.js';

/** The id of the school's pupil with this UPN, if any. */
export async function pupilIdByUpn(db: DbOrTrx, schoolId: string, upn: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('pupils')
    .select('id')
    .where('school_id', '=', schoolId)
    .where('upn', '=', upn)
    .executeTakeFirst();
  return row?.id;
}

export async function insertPupil(db: DbOrTrx, row: Insertable<PupilsTable>): Promise<void> {
  await db.insertInto('pupils').values(row).execute();
}

export async function insertGroupMember(db: DbOrTrx, groupId: string, pupilId: string): Promise<void> {
  await db.insertInto('group_members').values({ group_id: groupId, pupil_id: pupilId }).execute();
}

export async function insertContacts(db: DbOrTrx, rows: readonly Insertable<ContactsTable>[]): Promise<void> {
  if (rows.length > 0) await db.insertInto('contacts').values(rows).execute();
}

export async function insertRegisterEntry(db: DbOrTrx, row: Insertable<RegisterEntriesTable>): Promise<void> {
  await db.insertInto('register_entries').values(row).execute();
}

export async function insertLaContact(db: DbOrTrx, row: Insertable<LaContactsTable>): Promise<void> {
  await db.insertInto('la_contacts').values(row).execute();
}

/** What the deletion checks and the forms read of a pupil. */
export async function admissionPupil(db: DbOrTrx, pupilId: string) {
  return db
    .selectFrom('pupils')
    .select([
      'id',
      'school_id',
      'upn',
      'legal_surname',
      'legal_forename',
      'date_of_birth',
      'admission_date',
      'leaving_date',
      'cp',
    ])
    .where('id', '=', pupilId)
    .executeTakeFirst();
}

/** The pupil's contacts with the LA of one kind, oldest first. */
export async function laContactsOfKind(db: DbOrTrx, pupilId: string, kind: string) {
  return db
    .selectFrom('la_contacts')
    .select(['id', 'date', 'notes', 'details'])
    .where('pupil_id', '=', pupilId)
    .where('kind', '=', kind)
    .orderBy('date')
    .execute();
}

/** The pupil's deletion from the register, if deleted. */
export async function deletionEntryOf(db: DbOrTrx, pupilId: string) {
  return db
    .selectFrom('register_entries')
    .select(['date', 'ground', 'reason', 'details', 'la_notified_at'])
    .where('pupil_id', '=', pupilId)
    .where('kind', '=', 'deletion')
    .executeTakeFirst();
}

/** The pupil's latest granted leave of absence that ended before `date`. */
export async function latestGrantedLeaveEndedBefore(db: DbOrTrx, pupilId: string, date: string) {
  return db
    .selectFrom('leave_requests')
    .select(['from_date', 'to_date'])
    .where('pupil_id', '=', pupilId)
    .where('status', '=', 'granted')
    .where('to_date', '<', date)
    .orderBy('to_date', 'desc')
    .executeTakeFirst();
}

/** The pupil's session marks after `after` up to `to` (included). */
export async function pupilMarksAfter(db: DbOrTrx, pupilId: string, after: string, to: string) {
  return db
    .selectFrom('session_marks')
    .select(['date', 'session', 'code'])
    .where('pupil_id', '=', pupilId)
    .where('date', '>', after)
    .where('date', '<=', to)
    .execute();
}

export async function setLeavingDate(db: DbOrTrx, pupilId: string, date: string): Promise<void> {
  await db.updateTable('pupils').set({ leaving_date: date }).where('id', '=', pupilId).execute();
}

/** The school's register entries, newest recorded first, with the pupil's names. */
export async function registerEntriesOfSchool(db: DbOrTrx, schoolId: string) {
  return db
    .selectFrom('register_entries as e')
    .innerJoin('pupils as p', 'p.id', 'e.pupil_id')
    .select([
      'e.id',
      'e.pupil_id',
      'e.kind',
      'e.date',
      'e.ground',
      'e.reason',
      'e.details',
      'e.la_notified_at',
      'e.recorded_by_name',
      'e.recorded_at',
      'p.legal_surname',
      'p.legal_forename',
      'p.upn',
    ])
    .where('e.school_id', '=', schoolId)
    .orderBy('e.recorded_at', 'desc')
    .execute();
}

/** The school's contacts with the LA, newest first, with the pupil's names. */
export async function laContactsOfSchool(db: DbOrTrx, schoolId: string) {
  return db
    .selectFrom('la_contacts as c')
    .innerJoin('pupils as p', 'p.id', 'c.pupil_id')
    .select([
      'c.id',
      'c.pupil_id',
      'c.kind',
      'c.date',
      'c.notes',
      'c.recorded_by_name',
      'p.legal_surname',
      'p.legal_forename',
    ])
    .where('c.school_id', '=', schoolId)
    .orderBy('c.date', 'desc')
    .orderBy('c.recorded_at', 'desc')
    .execute();
}

/** Every pupil of the school, on roll or not, alphabetically. */
export async function pupilsOfSchoolByName(db: DbOrTrx, schoolId: string) {
  return db
    .selectFrom('pupils')
    .select(['id', 'legal_surname', 'legal_forename', 'upn', 'leaving_date'])
    .where('school_id', '=', schoolId)
    .orderBy('legal_surname')
    .orderBy('legal_forename')
    .execute();
}

// ---------------------------------------------------------------------------------------------
// Editing an existing pupil's register items
// ---------------------------------------------------------------------------------------------

/** The pupil's register items as stored (for the edit form and its before/after audit). */
export async function registerItemsOfPupil(db: DbOrTrx, pupilId: string) {
  return db
    .selectFrom('pupils')
    .select([
      'id',
      'school_id',
      'upn',
      'legal_surname',
      'legal_forename',
      'preferred_surname',
      'preferred_forename',
      'gender',
      'date_of_birth',
      'address',
      'postcode',
      'admission_date',
      'leaving_date',
    ])
    .where('id', '=', pupilId)
    .executeTakeFirst();
}

/** The pupil's contacts, by priority, with what the register holds of them. */
export async function registerContactsOfPupil(db: DbOrTrx, pupilId: string) {
  const rows = await db
    .selectFrom('contacts')
    .select([
      'id',
      'name',
      'relationship',
      'parental_responsibility',
      'lives_with_pupil',
      'priority',
      'mobile_phone',
      'home_phone',
      'work_phone',
      'address',
      'postcode',
    ])
    .where('pupil_id', '=', pupilId)
    .orderBy('priority')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    ...r,
    parental_responsibility: Number(r.parental_responsibility),
    lives_with_pupil: Number(r.lives_with_pupil),
    priority: Number(r.priority),
  }));
}

/** The pupil's admission details (last school, boarding), if stored. */
export async function admissionDetailsOfPupil(db: DbOrTrx, pupilId: string) {
  const row = await db
    .selectFrom('pupil_admission_details')
    .select(['pupil_id', 'has_last_school', 'last_school_name', 'last_school_address', 'boarder', 'updated_at'])
    .where('pupil_id', '=', pupilId)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    ...row,
    has_last_school: row.has_last_school === null ? null : Number(row.has_last_school),
    boarder: row.boarder === null ? null : Number(row.boarder),
  };
}

export async function updatePupilItems(db: DbOrTrx, pupilId: string, set: Updateable<PupilsTable>): Promise<void> {
  await db.updateTable('pupils').set(set).where('id', '=', pupilId).execute();
}

export async function updateContactItems(
  db: DbOrTrx,
  pupilId: string,
  contactId: string,
  set: Updateable<ContactsTable>,
): Promise<void> {
  await db.updateTable('contacts').set(set).where('id', '=', contactId).where('pupil_id', '=', pupilId).execute();
}

/** The starting day of the pupil's `admission` entry follows the register's starting day. */
export async function setAdmissionEntryDate(db: DbOrTrx, pupilId: string, date: string): Promise<void> {
  await db
    .updateTable('register_entries')
    .set({ date })
    .where('pupil_id', '=', pupilId)
    .where('kind', '=', 'admission')
    .execute();
}
