/**
 * The Common Transfer File (issue 15): a school's 4-digit DfE establishment number (with its LA
 * code, the "DfE number" a CTF names schools by); a pupil's attendance history at other schools
 * (the counts, and the session marks when a CTF carried them) and school history, as imported
 * CTFs give them; and the record of every CTF Rollcall wrote (file name, destination, sequence,
 * pupils), from which the returns page lists the CTFs due and not yet sent. Frozen once committed.
 */
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen and typed loosely on purpose
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('schools').addColumn('estab', 'text').execute();

  await db.schema
    .createTable('pupil_attendance_history')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('pupil_id', 'text', (c) => c.notNull().references('pupils.id').onDelete('cascade'))
    .addColumn('academic_year', 'integer', (c) => c.notNull()) // the year it starts: 2025 = 2025/26
    .addColumn('la_code', 'text', (c) => c.notNull())
    .addColumn('estab', 'text', (c) => c.notNull())
    .addColumn('urn', 'text')
    .addColumn('school_name', 'text')
    .addColumn('sessions_possible', 'integer', (c) => c.notNull())
    .addColumn('sessions_attended', 'integer', (c) => c.notNull())
    .addColumn('sessions_authorised', 'integer', (c) => c.notNull())
    .addColumn('sessions_unauthorised', 'integer', (c) => c.notNull())
    .addColumn('marks_start', 'text') // AttendanceStartDate, when the CTF had session marks
    .addColumn('marks', 'text') // AttendanceMarks as written
    .addColumn('imported_from', 'text', (c) => c.notNull())
    .addColumn('imported_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('pupil_attendance_history_key')
    .on('pupil_attendance_history')
    .columns(['pupil_id', 'academic_year', 'la_code', 'estab'])
    .unique()
    .execute();

  await db.schema
    .createTable('pupil_school_history')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('pupil_id', 'text', (c) => c.notNull().references('pupils.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull()) // order in the file
    .addColumn('la_code', 'text', (c) => c.notNull())
    .addColumn('estab', 'text', (c) => c.notNull())
    .addColumn('urn', 'text')
    .addColumn('school_name', 'text')
    .addColumn('entry_date', 'text')
    .addColumn('leaving_date', 'text')
    .addColumn('leaving_reason', 'text')
    .execute();
  await db.schema
    .createIndex('pupil_school_history_pupil')
    .on('pupil_school_history')
    .columns(['pupil_id', 'position'])
    .execute();

  await db.schema
    .createTable('ctf_exports')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('school_id', 'text', (c) => c.notNull().references('schools.id'))
    .addColumn('kind', 'text', (c) => c.notNull()) // transfer | attendance
    .addColumn('destination', 'text', (c) => c.notNull()) // LA + establishment, 7 characters
    .addColumn('sequence', 'integer', (c) => c.notNull())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('pupil_count', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_by_name', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('ctf_exports_school')
    .on('ctf_exports')
    .columns(['school_id', 'destination', 'sequence'])
    .execute();
  await db.schema
    .createTable('ctf_export_pupils')
    .addColumn('export_id', 'text', (c) => c.notNull().references('ctf_exports.id').onDelete('cascade'))
    .addColumn('pupil_id', 'text', (c) => c.notNull().references('pupils.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('ctf_export_pupils_pk', ['export_id', 'pupil_id'])
    .execute();
  await db.schema.createIndex('ctf_export_pupils_pupil').on('ctf_export_pupils').column('pupil_id').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen and typed loosely on purpose
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('ctf_export_pupils').execute();
  await db.schema.dropTable('ctf_exports').execute();
  await db.schema.dropTable('pupil_school_history').execute();
  await db.schema.dropTable('pupil_attendance_history').execute();
  await db.schema.alterTable('schools').dropColumn('estab').execute();
}
