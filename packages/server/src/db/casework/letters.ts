/**
 * Queries for letters (services/casework/letters): the recipients of a pupil's letters, the
 * school's template rows in every language and their edits, the case record a letter merges
 * (stage, plan, meeting), stored letters, and the pupils of a bulk print. The school's
 * letterhead and logo are in db/school/school-details.ts.
 */
import type { Insertable } from 'kysely';
import type { DbOrTrx } from '../connect.js';
import type { Database } from '../schema.js';

export interface RecipientRow {
  readonly id: string;
  readonly pupil_id: string;
  readonly name: string;
  readonly relationship: string;
  readonly address: string | null;
  readonly postcode: string | null;
  readonly email: string | null;
  readonly preferred_language: string | null;
}

/** Contacts with parental responsibility of the given pupils, in priority order per pupil. */
export async function recipientRows(db: DbOrTrx, pupilIds: readonly string[]): Promise<RecipientRow[]> {
  if (pupilIds.length === 0) return [];
  const out: RecipientRow[] = [];
  for (let i = 0; i < pupilIds.length; i += 500) {
    const rows = await db
      .selectFrom('contacts')
      .select(['id', 'pupil_id', 'name', 'relationship', 'address', 'postcode', 'email', 'preferred_language'])
      .where('pupil_id', 'in', pupilIds.slice(i, i + 500))
      .where('parental_responsibility', '=', 1)
      .orderBy('pupil_id')
      .orderBy('priority')
      .orderBy('id')
      .execute();
    out.push(...rows);
  }
  return out;
}

export interface TemplateRow {
  readonly key: string;
  readonly language: string;
  readonly title: string;
  readonly body: string;
  readonly purpose: string | null;
  readonly updated_at: string;
  readonly frame_json: string | null;
}

/** The school's own template rows, every language. */
export function templateRows(db: DbOrTrx, schoolId: string): Promise<TemplateRow[]> {
  return db
    .selectFrom('letter_templates')
    .select(['key', 'language', 'title', 'body', 'purpose', 'updated_at', 'frame_json'])
    .where('school_id', '=', schoolId)
    .orderBy('key')
    .orderBy('language')
    .execute();
}

const PUPIL_NAME = [
  'id',
  'upn',
  'legal_surname',
  'legal_forename',
  'preferred_surname',
  'preferred_forename',
  'admission_date',
  'leaving_date',
] as const;

/** Pupils on roll at a school on a date, in surname, forename order (a bulk print's order). */
export function pupilsOnRoll(db: DbOrTrx, schoolId: string, on: string) {
  return db
    .selectFrom('pupils')
    .select(PUPIL_NAME)
    .where('school_id', '=', schoolId)
    .where('admission_date', '<=', on)
    .where((eb) => eb.or([eb('leaving_date', 'is', null), eb('leaving_date', '>=', on)]))
    .orderBy((eb) => eb.fn.coalesce('preferred_surname', 'legal_surname'))
    .orderBy((eb) => eb.fn.coalesce('preferred_forename', 'legal_forename'))
    .orderBy('upn')
    .execute();
}

/** Pupils of a school by UPN (those found). */
export function pupilsByUpn(db: DbOrTrx, schoolId: string, upns: readonly string[]) {
  return db
    .selectFrom('pupils')
    .select(PUPIL_NAME)
    .where('school_id', '=', schoolId)
    .where('upn', 'in', upns.length > 0 ? [...upns] : [''])
    .execute();
}

/** Sets a contact's preferred language (null: English). */
export async function setPreferredLanguage(db: DbOrTrx, contactId: string, language: string | null): Promise<void> {
  await db.updateTable('contacts').set({ preferred_language: language }).where('id', '=', contactId).execute();
}

/** The id of the school's own version of a template in a language, if it has one. */
export async function templateIdOf(
  db: DbOrTrx,
  schoolId: string,
  key: string,
  language: string,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('letter_templates')
    .select('id')
    .where('school_id', '=', schoolId)
    .where('key', '=', key)
    .where('language', '=', language)
    .executeTakeFirst();
  return row?.id;
}

/** Rewrites the school's version of a template. */
export async function updateTemplate(
  db: DbOrTrx,
  id: string,
  set: {
    title: string;
    body: string;
    purpose: string | null;
    frame_json: string | null;
    updated_by: string;
    updated_at: string;
  },
): Promise<void> {
  await db.updateTable('letter_templates').set(set).where('id', '=', id).execute();
}

/** Adds the school's version of a template. */
export async function insertTemplate(db: DbOrTrx, row: Insertable<Database['letter_templates']>): Promise<void> {
  await db.insertInto('letter_templates').values(row).execute();
}

/** Removes the school's version of a template in a language (back to the default wording). */
export async function deleteTemplate(db: DbOrTrx, schoolId: string, key: string, language: string): Promise<void> {
  await db
    .deleteFrom('letter_templates')
    .where('school_id', '=', schoolId)
    .where('key', '=', key)
    .where('language', '=', language)
    .execute();
}

/** A registration group's name, if the group exists. */
export async function groupNameOf(db: DbOrTrx, groupId: string): Promise<string | undefined> {
  const row = await db.selectFrom('groups').select('name').where('id', '=', groupId).executeTakeFirst();
  return row?.name;
}

/**
 * The case record a letter merges, for a batch of pupils (at most a few hundred): open stages and
 * active plans newest first, and every meeting latest first.
 */
export async function caseworkRows(db: DbOrTrx, pupilIds: readonly string[]) {
  const ids = [...pupilIds];
  const stages = await db
    .selectFrom('case_stages')
    .select(['pupil_id', 'stage_name', 'entered_on'])
    .where('pupil_id', 'in', ids)
    .where('left_on', 'is', null)
    .orderBy('entered_on', 'desc')
    .execute();
  const plans = await db
    .selectFrom('case_plans')
    .select(['pupil_id', 'targets', 'review_dates', 'starts_on'])
    .where('pupil_id', 'in', ids)
    .where('status', '=', 'active')
    .orderBy('starts_on', 'desc')
    .execute();
  const meetings = await db
    .selectFrom('case_meetings')
    .select(['pupil_id', 'scheduled_for', 'time', 'place'])
    .where('pupil_id', 'in', ids)
    .orderBy('scheduled_for', 'desc')
    .execute();
  return { stages, plans, meetings };
}

/** Marks done the pupil's open case actions for a policy action (`letter:<key>`); returns how many. */
export async function completeOpenActions(
  db: DbOrTrx,
  pupilId: string,
  policyAction: string,
  set: { outcome: string; completed_on: string; updated_at: string },
): Promise<number> {
  const r = await db
    .updateTable('case_actions')
    .set({ status: 'done', ...set })
    .where('pupil_id', '=', pupilId)
    .where('status', '=', 'open')
    .where('policy_action', '=', policyAction)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Stores a letter. */
export async function insertLetter(db: DbOrTrx, row: Insertable<Database['letters']>): Promise<void> {
  await db.insertInto('letters').values(row).execute();
}

const LETTER_COLUMNS = [
  'letters.id',
  'letters.pupil_id',
  'letters.school_id',
  'letters.template_key',
  'letters.title',
  'letters.body',
  'letters.recipient_name',
  'letters.recipient_address',
  'letters.method',
  'letters.email_to',
  'letters.message_id',
  'letters.created_by_name',
  'letters.created_at',
  'letters.school_address',
  'letters.school_phone',
  'letters.school_email',
  'letters.letter_date',
  'letters.salutation',
  'letters.sender_name',
  'letters.sender_role',
  'letters.reference',
  'letters.language',
  'letters.purpose',
  'letters.frame_json',
  'messages.status as message_status',
  'messages.channel as message_channel',
  'messages.attempts as message_attempts',
  'messages.last_error as message_last_error',
  'messages.provider_status as message_provider_status',
  'messages.provider_id as message_provider_id',
] as const;

/** A pupil's stored letters with their outbox status, newest first. */
export function letterRowsOfPupil(db: DbOrTrx, pupilId: string) {
  return db
    .selectFrom('letters')
    .leftJoin('messages', 'messages.id', 'letters.message_id')
    .select(LETTER_COLUMNS)
    .where('letters.pupil_id', '=', pupilId)
    .orderBy('letters.created_at', 'desc')
    .orderBy('letters.id', 'desc')
    .execute();
}

/** One stored letter with its outbox status. */
export function letterRowById(db: DbOrTrx, letterId: string) {
  return db
    .selectFrom('letters')
    .leftJoin('messages', 'messages.id', 'letters.message_id')
    .select(LETTER_COLUMNS)
    .where('letters.id', '=', letterId)
    .executeTakeFirst();
}

/** The letters an outbox message carries (an emailed letter), with the school's name and logo. */
export function letterRowsOfMessage(db: DbOrTrx, messageId: string) {
  return db
    .selectFrom('letters')
    .innerJoin('schools', 'schools.id', 'letters.school_id')
    .select([
      'letters.title',
      'letters.body',
      'letters.created_at',
      'letters.template_key',
      'letters.school_address',
      'letters.school_phone',
      'letters.school_email',
      'letters.letter_date',
      'letters.recipient_name',
      'letters.recipient_address',
      'letters.salutation',
      'letters.sender_name',
      'letters.sender_role',
      'letters.reference',
      'letters.language',
      'letters.frame_json',
      'schools.name',
      'schools.logo_base64',
    ])
    .where('letters.message_id', '=', messageId)
    .execute();
}
