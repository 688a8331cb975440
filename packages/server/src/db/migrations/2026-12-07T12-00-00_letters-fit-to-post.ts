/**
 * Letters fit to post, in the family's language, and messages that say what happened (issue 14):
 *
 * - `letters` keep everything their PDF prints beyond the text: the letter's date, the salutation,
 *   the sender's name and role, the reference, the language, and the school's telephone and email
 *   as they were (so a stored letter's PDF never changes when the school's details do);
 * - `letter_templates` gain a language (a school keeps a template in several) and a purpose (what
 *   the letter is for: the evidence pack finds letters by it); the key is unique per language;
 * - `contacts` gain a preferred language (imported, editable);
 * - `schools` gain an optional logo for the letterhead (PNG or JPEG, base64);
 * - `messages` gain the delivery status a provider reports (`delivered_at`, `provider_status`).
 *
 * Frozen once committed.
 */
import type { Kysely } from 'kysely';

const LETTER_COLUMNS = [
  'letter_date',
  'salutation',
  'sender_name',
  'sender_role',
  'reference',
  'language',
  'school_phone',
  'school_email',
  'purpose',
] as const;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen and typed loosely on purpose
export async function up(db: Kysely<any>): Promise<void> {
  for (const column of LETTER_COLUMNS) await db.schema.alterTable('letters').addColumn(column, 'text').execute();
  await db.schema
    .alterTable('letter_templates')
    .addColumn('language', 'text', (c) => c.notNull().defaultTo('en'))
    .execute();
  await db.schema.alterTable('letter_templates').addColumn('purpose', 'text').execute();
  await db.schema.dropIndex('letter_templates_key').execute();
  await db.schema
    .createIndex('letter_templates_key')
    .on('letter_templates')
    .columns(['school_id', 'key', 'language'])
    .unique()
    .execute();
  await db.schema.alterTable('contacts').addColumn('preferred_language', 'text').execute();
  await db.schema.alterTable('schools').addColumn('logo_base64', 'text').execute();
  await db.schema.alterTable('schools').addColumn('logo_type', 'text').execute();
  await db.schema.alterTable('messages').addColumn('provider_status', 'text').execute();
  await db.schema.alterTable('messages').addColumn('delivered_at', 'text').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen and typed loosely on purpose
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('messages').dropColumn('delivered_at').execute();
  await db.schema.alterTable('messages').dropColumn('provider_status').execute();
  await db.schema.alterTable('schools').dropColumn('logo_type').execute();
  await db.schema.alterTable('schools').dropColumn('logo_base64').execute();
  await db.schema.alterTable('contacts').dropColumn('preferred_language').execute();
  await db.schema.dropIndex('letter_templates_key').execute();
  await db.deleteFrom('letter_templates').where('language', '<>', 'en').execute();
  await db.schema
    .createIndex('letter_templates_key')
    .on('letter_templates')
    .columns(['school_id', 'key'])
    .unique()
    .execute();
  await db.schema.alterTable('letter_templates').dropColumn('purpose').execute();
  await db.schema.alterTable('letter_templates').dropColumn('language').execute();
  for (const column of [...LETTER_COLUMNS].reverse())
    await db.schema.alterTable('letters').dropColumn(column).execute();
}
