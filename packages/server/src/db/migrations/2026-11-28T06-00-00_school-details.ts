/**
 * School details for letters and certificates: the postal address and postcode, the office
 * telephone and email, the headteacher's name (the certificate's sign-off) and the attendance
 * lead's name. All optional: a school fills them in on its details page. Each letter keeps the
 * school's address as it was when sent (`letters.school_address`), so a stored letter's PDF never
 * changes when the school moves. Frozen once committed.
 */
import type { Kysely } from 'kysely';

const COLUMNS = ['address', 'postcode', 'phone', 'email', 'headteacher_name', 'attendance_lead_name'] as const;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen and typed loosely on purpose
export async function up(db: Kysely<any>): Promise<void> {
  // address: lines separated by newlines, without the postcode.
  for (const column of COLUMNS) await db.schema.alterTable('schools').addColumn(column, 'text').execute();
  await db.schema.alterTable('letters').addColumn('school_address', 'text').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen and typed loosely on purpose
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('letters').dropColumn('school_address').execute();
  for (const column of [...COLUMNS].reverse()) await db.schema.alterTable('schools').dropColumn(column).execute();
}
