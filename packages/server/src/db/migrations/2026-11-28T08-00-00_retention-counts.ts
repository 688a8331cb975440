/**
 * Retention removes a day's late arrivals, early leavers and registers with its marks; the record
 * of each run (`retention_runs`) counts them too. Runs recorded before this migration removed
 * none of them, so 0 is their true count. Frozen once committed.
 */
import type { Kysely } from 'kysely';

const COLUMNS = ['late_arrivals_removed', 'early_leavers_removed', 'registers_removed'] as const;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen and typed loosely on purpose
export async function up(db: Kysely<any>): Promise<void> {
  for (const column of COLUMNS)
    await db.schema
      .alterTable('retention_runs')
      .addColumn(column, 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen and typed loosely on purpose
export async function down(db: Kysely<any>): Promise<void> {
  for (const column of [...COLUMNS].reverse())
    await db.schema.alterTable('retention_runs').dropColumn(column).execute();
}
