/**
 * Issue 18: a cohort snapshot with figures also keeps each measured pupil's counts behind them
 * (the sessions counted, possible, attended, authorised, unauthorised; packed binary, see
 * services/analysis/snapshots.ts), so that the first LA or trust view after a restart lays the
 * marks written since the snapshot over those counts instead of measuring every pupil again.
 * Derived data only (null: not known). Frozen once committed.
 */
import { PostgresAdapter, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen and typed loosely on purpose
export async function up(db: Kysely<any>): Promise<void> {
  const binary = db.getExecutor().adapter instanceof PostgresAdapter ? 'bytea' : 'blob';
  await db.schema.alterTable('cohort_snapshots').addColumn('pupil_counts', binary).execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen and typed loosely on purpose
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('cohort_snapshots').dropColumn('pupil_counts').execute();
}
