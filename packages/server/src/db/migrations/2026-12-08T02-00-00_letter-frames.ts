/**
 * Issue 14: a letter in the family's language is in that language all through. A school's
 * version of a template in another language may carry the words Rollcall prints around the
 * letter ("Dear …", "Our reference:", "Yours sincerely", "Page n of m", the words it merges):
 * `letter_templates.frame_json`. A stored letter keeps the words it was printed with
 * (`letters.frame_json`; null: English), so its PDF never changes. Frozen once committed.
 */
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen and typed loosely on purpose
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('letter_templates').addColumn('frame_json', 'text').execute();
  await db.schema.alterTable('letters').addColumn('frame_json', 'text').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen and typed loosely on purpose
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('letters').dropColumn('frame_json').execute();
  await db.schema.alterTable('letter_templates').dropColumn('frame_json').execute();
}
