/**
 * First-day response: contact attempts, home visits, the message outbox, parents' absence
 * reports and leave-of-absence requests. Frozen once committed.
 */
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen and typed loosely on purpose
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('contact_attempts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('pupil_id', 'text', (c) => c.notNull().references('pupils.id'))
    .addColumn('absence_date', 'text', (c) => c.notNull()) // the day of the unexplained absence
    .addColumn('method', 'text', (c) => c.notNull()) // call | text | email | in_person
    .addColumn('contact_id', 'text', (c) => c.references('contacts.id'))
    .addColumn('contact_name', 'text')
    .addColumn('outcome', 'text', (c) => c.notNull()) // no_answer | left_message | reason_given | unobtainable | other
    .addColumn('notes', 'text')
    .addColumn('made_by', 'text', (c) => c.notNull())
    .addColumn('made_by_name', 'text', (c) => c.notNull())
    .addColumn('made_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('contact_attempts_pupil')
    .on('contact_attempts')
    .columns(['pupil_id', 'absence_date'])
    .execute();

  await db.schema
    .createTable('home_visits')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('pupil_id', 'text', (c) => c.notNull().references('pupils.id'))
    .addColumn('status', 'text', (c) => c.notNull()) // planned | done | cancelled
    .addColumn('planned_for', 'text', (c) => c.notNull()) // date
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('visited_at', 'text') // ISO instant
    .addColumn('staff', 'text') // who went (names)
    .addColumn('pair', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('child_seen', 'integer')
    .addColumn('present', 'text')
    .addColumn('discussed', 'text')
    .addColumn('calling_card_left', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('safeguarding_concern', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_steps', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('home_visits_pupil').on('home_visits').columns(['pupil_id', 'planned_for']).execute();

  await db.schema
    .createTable('messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('school_id', 'text', (c) => c.notNull().references('schools.id'))
    .addColumn('pupil_id', 'text', (c) => c.references('pupils.id'))
    .addColumn('channel', 'text', (c) => c.notNull()) // email | sms
    .addColumn('to_address', 'text', (c) => c.notNull())
    .addColumn('subject', 'text')
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull()) // what the message is for, e.g. first-day, summary, leave-decision
    .addColumn('status', 'text', (c) => c.notNull()) // pending | sent | failed
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('provider_id', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text')
    .execute();
  await db.schema.createIndex('messages_due').on('messages').columns(['status', 'next_attempt_at']).execute();
  await db.schema.createIndex('messages_pupil').on('messages').columns(['pupil_id', 'created_at']).execute();

  await db.schema
    .createTable('absence_reports')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('pupil_id', 'text', (c) => c.notNull().references('pupils.id'))
    .addColumn('reported_by', 'text', (c) => c.notNull())
    .addColumn('from_date', 'text', (c) => c.notNull())
    .addColumn('to_date', 'text', (c) => c.notNull())
    .addColumn('sessions', 'text', (c) => c.notNull()) // ALL | AM | PM (of a single day)
    .addColumn('reason', 'text', (c) => c.notNull()) // illness | medical | religious | other
    .addColumn('details', 'text')
    .addColumn('expected_return', 'text')
    .addColumn('evidence', 'text') // a description, e.g. "appointment card"
    .addColumn('proposed_code', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull()) // pending | confirmed | rejected
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'text')
    .addColumn('decision_note', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('absence_reports_pupil')
    .on('absence_reports')
    .columns(['pupil_id', 'from_date'])
    .execute();

  await db.schema
    .createTable('leave_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('pupil_id', 'text', (c) => c.notNull().references('pupils.id'))
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull()) // exceptional | religious | traveller | performance | lunchtime
    .addColumn('from_date', 'text', (c) => c.notNull())
    .addColumn('to_date', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('forwarding_address', 'text')
    .addColumn('status', 'text', (c) => c.notNull()) // pending | granted | refused | withdrawn
    .addColumn('checks', 'text', (c) => c.notNull()) // JSON: the automatic checks at the time of asking
    .addColumn('decision_reason', 'text')
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('leave_requests_pupil').on('leave_requests').columns(['pupil_id', 'from_date']).execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['leave_requests', 'absence_reports', 'messages', 'home_visits', 'contact_attempts']) {
    await db.schema.dropTable(t).execute();
  }
}
