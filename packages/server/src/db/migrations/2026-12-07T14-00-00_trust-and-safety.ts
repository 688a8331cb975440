/**
 * Trust and safety (issue 16): alerts to the designated safeguarding lead (a home visit or call
 * marked as a safeguarding concern, a child-missing-education enquiry, a vulnerable pupil's
 * unexplained absence), each acknowledged once; a call can be marked as a concern; the local
 * authority's recorded reasons for reading a pupil's record; and contacts who must not have
 * contact with the child (a "no contact" instruction or a court order). Frozen once committed.
 */
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen and typed loosely on purpose
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('dsl_alerts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('school_id', 'text', (c) => c.notNull().references('schools.id').onDelete('cascade'))
    .addColumn('pupil_id', 'text', (c) => c.notNull().references('pupils.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('source_id', 'text', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('raised_by_name', 'text', (c) => c.notNull())
    .addColumn('raised_at', 'text', (c) => c.notNull())
    .addColumn('acknowledged_by', 'text')
    .addColumn('acknowledged_by_name', 'text')
    .addColumn('acknowledged_at', 'text')
    .addColumn('acknowledgement', 'text')
    .execute();
  await db.schema.createIndex('dsl_alerts_source').on('dsl_alerts').columns(['kind', 'source_id']).unique().execute();
  await db.schema.createIndex('dsl_alerts_school').on('dsl_alerts').columns(['school_id', 'raised_at']).execute();
  await db.schema.createIndex('dsl_alerts_pupil').on('dsl_alerts').column('pupil_id').execute();

  await db.schema
    .createTable('la_access_reasons')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('school_id', 'text', (c) => c.notNull().references('schools.id').onDelete('cascade'))
    .addColumn('pupil_id', 'text', (c) => c.notNull().references('pupils.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .addColumn('expires_on', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('la_access_reasons_pupil')
    .on('la_access_reasons')
    .columns(['pupil_id', 'user_id'])
    .execute();

  await db.schema
    .alterTable('contact_attempts')
    .addColumn('safeguarding_concern', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('contacts').addColumn('restriction', 'text').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen and typed loosely on purpose
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('contacts').dropColumn('restriction').execute();
  await db.schema.alterTable('contact_attempts').dropColumn('safeguarding_concern').execute();
  await db.schema.dropTable('la_access_reasons').execute();
  await db.schema.dropTable('dsl_alerts').execute();
}
