/**
 * Statutory duties: the record of scheduled job runs (one per job and date), returns to the local
 * authority with their pupils, and the admission register's admissions, deletions and the
 * enquiries, referrals and notifications around them. Frozen once committed.
 */
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen and typed loosely on purpose
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('job_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('job', 'text', (c) => c.notNull())
    .addColumn('run_date', 'text', (c) => c.notNull()) // the date the run is for
    .addColumn('status', 'text', (c) => c.notNull()) // running | done | failed
    .addColumn('trigger', 'text', (c) => c.notNull()) // schedule | manual
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .addColumn('started_by', 'text', (c) => c.notNull())
    .addColumn('summary', 'text') // JSON: what the run did
    .addColumn('error', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema.createIndex('job_runs_job_date').on('job_runs').columns(['job', 'run_date']).unique().execute();

  await db.schema
    .createTable('la_returns')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('school_id', 'text', (c) => c.notNull().references('schools.id'))
    .addColumn('kind', 'text', (c) => c.notNull()) // attendance | sickness | admissions | deletions
    .addColumn('period_from', 'text', (c) => c.notNull())
    .addColumn('period_to', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull()) // prepared | sent
    .addColumn('prepared_at', 'text', (c) => c.notNull())
    .addColumn('prepared_by', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text')
    .addColumn('sent_by', 'text')
    .addColumn('sent_by_name', 'text')
    .addColumn('sent_note', 'text')
    .execute();
  await db.schema
    .createIndex('la_returns_school_kind_to')
    .on('la_returns')
    .columns(['school_id', 'kind', 'period_to'])
    .unique()
    .execute();

  await db.schema
    .createTable('la_return_items')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('return_id', 'text', (c) => c.notNull().references('la_returns.id'))
    .addColumn('school_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('pupil_id', 'text', (c) => c.notNull().references('pupils.id'))
    // What makes the item once-only: e.g. the start of a continuous period, or the admission date.
    .addColumn('item_key', 'text', (c) => c.notNull())
    .addColumn('details', 'text', (c) => c.notNull()) // JSON: pupil, address, contacts, evidence
    .execute();
  await db.schema
    .createIndex('la_return_items_once')
    .on('la_return_items')
    .columns(['school_id', 'kind', 'pupil_id', 'item_key'])
    .unique()
    .execute();
  await db.schema.createIndex('la_return_items_return').on('la_return_items').column('return_id').execute();

  await db.schema
    .createTable('register_entries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('school_id', 'text', (c) => c.notNull().references('schools.id'))
    .addColumn('pupil_id', 'text', (c) => c.notNull().references('pupils.id'))
    .addColumn('kind', 'text', (c) => c.notNull()) // admission | deletion
    .addColumn('date', 'text', (c) => c.notNull()) // admission date or deletion date
    .addColumn('ground', 'text') // deletions: the legal ground
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('details', 'text') // JSON: destination school, evidence checked
    .addColumn('la_notified_at', 'text')
    .addColumn('recorded_by', 'text', (c) => c.notNull())
    .addColumn('recorded_by_name', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('register_entries_pupil').on('register_entries').column('pupil_id').execute();

  await db.schema
    .createTable('la_contacts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('school_id', 'text', (c) => c.notNull().references('schools.id'))
    .addColumn('pupil_id', 'text', (c) => c.notNull().references('pupils.id'))
    // joint_enquiry | cme_referral | ehe_notification | moving_form | la_told_of_deletion
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('date', 'text', (c) => c.notNull())
    .addColumn('notes', 'text', (c) => c.notNull())
    .addColumn('details', 'text') // JSON
    .addColumn('recorded_by', 'text', (c) => c.notNull())
    .addColumn('recorded_by_name', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('la_contacts_pupil').on('la_contacts').columns(['pupil_id', 'kind']).execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen and typed loosely on purpose
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('la_contacts').execute();
  await db.schema.dropTable('register_entries').execute();
  await db.schema.dropTable('la_return_items').execute();
  await db.schema.dropTable('la_returns').execute();
  await db.schema.dropTable('job_runs').execute();
}
