/**
 * Issue 15, items 4 and 5.
 *
 * - `school_codes`: a school's own attendance codes (the codes its MIS lets it define, such as
 *   `SK` or `@`) and the national code each stands for, applied when a marks file is imported.
 *   One row per (school, code); the code is stored in capitals.
 * - `pupil_admission_details`: what the admission register must hold (the 2024 regulations,
 *   regulation 8) that the pupils and contacts tables do not: the name and address of the school
 *   last attended (or that there was none) and, in a school with boarders, whether the pupil
 *   boards. One row per pupil, made by an import or an admission by hand.
 *
 * Frozen once committed.
 */
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen and typed loosely on purpose
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('school_codes')
    .addColumn('school_id', 'text', (c) => c.notNull().references('schools.id').onDelete('cascade'))
    .addColumn('school_code', 'text', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull()) // the national code it stands for
    .addColumn('meaning', 'text') // what the school uses it for, in its own words
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by_name', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('school_codes_pk', ['school_id', 'school_code'])
    .execute();

  await db.schema
    .createTable('pupil_admission_details')
    .addColumn('pupil_id', 'text', (c) => c.primaryKey().references('pupils.id').onDelete('cascade'))
    // 1: the register names the school last attended; 0: none (this is the first school); null: not recorded.
    .addColumn('has_last_school', 'integer')
    .addColumn('last_school_name', 'text')
    .addColumn('last_school_address', 'text')
    // 1 boarder, 0 day pupil, null: the school has no boarders (not recorded).
    .addColumn('boarder', 'integer')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen and typed loosely on purpose
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('pupil_admission_details').execute();
  await db.schema.dropTable('school_codes').execute();
}
