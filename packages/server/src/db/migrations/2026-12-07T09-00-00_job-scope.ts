/**
 * Job runs have a scope: '' for a run over the whole installation (the schedule, or an
 * installation administrator or operator), or a school's id for a run a school's administrator
 * asked for. A school's run no longer counts as (or blocks) the installation's run for that date,
 * nor the other way round. Runs recorded before this migration were installation-wide.
 * Frozen once committed.
 */
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen and typed loosely on purpose
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('job_runs')
    .addColumn('scope', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await db.schema.dropIndex('job_runs_job_date').execute();
  await db.schema
    .createIndex('job_runs_job_date_scope')
    .on('job_runs')
    .columns(['job', 'run_date', 'scope'])
    .unique()
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen and typed loosely on purpose
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('job_runs_job_date_scope').execute();
  await db.deleteFrom('job_runs').where('scope', '<>', '').execute();
  await db.schema.alterTable('job_runs').dropColumn('scope').execute();
  await db.schema.createIndex('job_runs_job_date').on('job_runs').columns(['job', 'run_date']).unique().execute();
}
