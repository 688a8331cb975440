/**
 * Issue 15, item 1: a Common Transfer File written is not yet sent. The school uploads it to the
 * DfE's School to School site and then marks it sent (when, by whom); the returns page lists the
 * leavers whose transfer CTF is due and not yet marked sent. Frozen once committed.
 */
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen and typed loosely on purpose
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('ctf_exports').addColumn('sent_at', 'text').execute();
  await db.schema.alterTable('ctf_exports').addColumn('sent_by_name', 'text').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen and typed loosely on purpose
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('ctf_exports').dropColumn('sent_by_name').execute();
  await db.schema.alterTable('ctf_exports').dropColumn('sent_at').execute();
}
