/**
 * Cohort snapshots: per school and academic year, the analysis cohort's compact marks (codes and
 * minutes late per pupil per session) packed into one binary payload, with the `mark_history` and
 * `audit_log` ids it is current to and a fingerprint of the calendar it was built on. A server
 * that starts reads these instead of every mark row, then applies the history written since.
 * Derived data only: dropping the table loses nothing. Frozen once committed.
 */
import { PostgresAdapter, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen and typed loosely on purpose
export async function up(db: Kysely<any>): Promise<void> {
  const binary = db.getExecutor().adapter instanceof PostgresAdapter ? 'bytea' : 'blob';
  await db.schema
    .createTable('cohort_snapshots')
    .addColumn('school_id', 'text', (c) => c.notNull().references('schools.id'))
    .addColumn('year_start', 'text', (c) => c.notNull()) // 'YYYY-08-01'
    .addColumn('mark_watermark', 'text', (c) => c.notNull()) // newest mark_history id applied ('' for none)
    .addColumn('audit_watermark', 'text', (c) => c.notNull()) // newest audit_log id when read ('' for none)
    .addColumn('calendar_fingerprint', 'text', (c) => c.notNull())
    .addColumn('pupil_count', 'integer', (c) => c.notNull())
    .addColumn('payload', binary, (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('cohort_snapshots_pk', ['school_id', 'year_start'])
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen and typed loosely on purpose
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('cohort_snapshots').execute();
}
