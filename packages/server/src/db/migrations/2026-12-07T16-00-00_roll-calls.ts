/**
 * The emergency roll call (docs/roll-call.md): a roll call started at a school freezes the list
 * of pupils expected on site then, each with their class; staff tick them as accounted for (who
 * and when is kept on the row, every tick and untick is audited). Frozen once committed.
 */
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen and typed loosely on purpose
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('roll_calls')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('school_id', 'text', (c) => c.notNull().references('schools.id'))
    .addColumn('date', 'text', (c) => c.notNull())
    .addColumn('basis', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('started_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('closed_at', 'text')
    .addColumn('closed_by', 'text', (c) => c.references('users.id'))
    .execute();
  await db.schema.createIndex('roll_calls_school').on('roll_calls').columns(['school_id', 'started_at']).execute();
  await db.schema
    .createTable('roll_call_pupils')
    .addColumn('roll_call_id', 'text', (c) => c.notNull().references('roll_calls.id'))
    .addColumn('pupil_id', 'text', (c) => c.notNull().references('pupils.id'))
    .addColumn('group_name', 'text', (c) => c.notNull())
    .addColumn('why', 'text', (c) => c.notNull())
    .addColumn('accounted_at', 'text')
    .addColumn('accounted_by', 'text', (c) => c.references('users.id'))
    .addPrimaryKeyConstraint('roll_call_pupils_pk', ['roll_call_id', 'pupil_id'])
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen and typed loosely on purpose
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('roll_call_pupils').execute();
  await db.schema.dropTable('roll_calls').execute();
}
