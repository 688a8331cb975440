/**
 * Integration periods: the school weeks after a pupil joins in which they are not expected to
 * attend full time, left out of the adjusted attendance rate (the actual rate is still
 * reported). One row per pupil: the policy's default period is not stored; a row records the
 * period agreed for this pupil (usually an extension). Frozen once committed.
 */
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen and typed loosely on purpose
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('integration_periods')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('pupil_id', 'text', (c) => c.notNull().references('pupils.id'))
    .addColumn('school_id', 'text', (c) => c.notNull().references('schools.id'))
    .addColumn('from_date', 'text', (c) => c.notNull()) // YYYY-MM-DD, inclusive
    .addColumn('to_date', 'text', (c) => c.notNull()) // YYYY-MM-DD, inclusive
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('recorded_by', 'text', (c) => c.notNull()) // user id
    .addColumn('recorded_by_name', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('integration_periods_pupil')
    .on('integration_periods')
    .column('pupil_id')
    .unique()
    .execute();
  await db.schema.createIndex('integration_periods_school').on('integration_periods').column('school_id').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen and typed loosely on purpose
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('integration_periods').execute();
}
