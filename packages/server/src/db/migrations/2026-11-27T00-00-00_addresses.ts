/**
 * Postal addresses for pupils and contacts: letters to families, returns to the local authority
 * and the "pupil moving from school" form need them. Frozen once committed.
 */
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen and typed loosely on purpose
export async function up(db: Kysely<any>): Promise<void> {
  for (const table of ['pupils', 'contacts']) {
    // Lines separated by newlines, without the postcode.
    await db.schema.alterTable(table).addColumn('address', 'text').execute();
    await db.schema.alterTable(table).addColumn('postcode', 'text').execute();
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen and typed loosely on purpose
export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['contacts', 'pupils']) {
    await db.schema.alterTable(table).dropColumn('postcode').execute();
    await db.schema.alterTable(table).dropColumn('address').execute();
  }
}
