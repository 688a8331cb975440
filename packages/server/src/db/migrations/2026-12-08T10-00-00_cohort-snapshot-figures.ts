/**
 * Issue 18: a cohort snapshot keeps, beside the school's marks, the school's figures as the LA and
 * trust views show them (the added-up counts of its pupils' measures, as JSON: the day they are
 * "as of", the policy's minimum of possible sessions, pupils, possible, attended, authorised,
 * unauthorised, PA, SA, pupils with a possible session). They are current to the same watermarks
 * as the marks, so the first LA view after a restart reads them instead of every pupil's marks
 * when nothing changed since. Derived data only (null: not known). Frozen once committed.
 */
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen and typed loosely on purpose
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('cohort_snapshots').addColumn('figures', 'text').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen and typed loosely on purpose
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('cohort_snapshots').dropColumn('figures').execute();
}
