/**
 * Queries for letters (services/letters): the recipients of a pupil's letters, the school's
 * template rows in every language, stored letters, and the pupils of a bulk print.
 */
import type { DbOrTrx } from '../connect.js';

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
}

/** The school's own template rows, every language. */
export function templateRows(db: DbOrTrx, schoolId: string): Promise<TemplateRow[]> {
  return db
    .selectFrom('letter_templates')
    .select(['key', 'language', 'title', 'body', 'purpose', 'updated_at'])
    .where('school_id', '=', schoolId)
    .orderBy('key')
    .orderBy('language')
    .execute();
}

/** The school's letterhead: name, address, telephone, email and logo. */
export function letterheadRow(db: DbOrTrx, schoolId: string) {
  return db
    .selectFrom('schools')
    .select(['name', 'address', 'postcode', 'phone', 'email', 'logo_base64', 'logo_type'])
    .where('id', '=', schoolId)
    .executeTakeFirstOrThrow();
}

/** The school's stored logo (base64) and its type, or nulls. */
export function schoolLogoRow(db: DbOrTrx, schoolId: string) {
  return db
    .selectFrom('schools')
    .select(['logo_base64', 'logo_type'])
    .where('id', '=', schoolId)
    .executeTakeFirstOrThrow();
}

/** Sets or clears the school's logo. */
export async function setSchoolLogo(
  db: DbOrTrx,
  schoolId: string,
  logo: { base64: string; type: string } | null,
): Promise<void> {
  await db
    .updateTable('schools')
    .set({ logo_base64: logo?.base64 ?? null, logo_type: logo?.type ?? null })
    .where('id', '=', schoolId)
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
