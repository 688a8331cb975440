/**
 * The case record (issue 5): cases, stage history, reviews, suggestions from the daily
 * evaluation, meetings, actions, plans (support, improvement, medical, part-time timetables),
 * referrals, attendance contracts, Notices to Improve and the penalty-notice ledger.
 * Frozen once committed.
 */
import type { Kysely } from 'kysely';

const TABLES = [
  'penalty_notices',
  'notices_to_improve',
  'case_contracts',
  'case_referrals',
  'case_plans',
  'case_actions',
  'case_meetings',
  'case_suggestions',
  'case_reviews',
  'case_stages',
  'cases',
];

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen and typed loosely on purpose
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('cases')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('pupil_id', 'text', (c) => c.notNull().unique().references('pupils.id'))
    .addColumn('school_id', 'text', (c) => c.notNull().references('schools.id'))
    .addColumn('status', 'text', (c) => c.notNull()) // open | closed
    .addColumn('opened_on', 'text', (c) => c.notNull()) // date
    .addColumn('opened_by', 'text', (c) => c.notNull())
    .addColumn('closed_on', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('cases_school').on('cases').columns(['school_id', 'status']).execute();

  await db.schema
    .createTable('case_stages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('pupil_id', 'text', (c) => c.notNull().references('pupils.id'))
    .addColumn('stage_id', 'text') // the policy's stage id; null = out of staged casework
    .addColumn('stage_name', 'text', (c) => c.notNull())
    .addColumn('entered_on', 'text', (c) => c.notNull()) // date
    .addColumn('left_on', 'text') // date; null while current
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('suggestion_id', 'text')
    .addColumn('decided_by', 'text', (c) => c.notNull())
    .addColumn('decided_by_name', 'text', (c) => c.notNull())
    .addColumn('decided_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('case_stages_pupil').on('case_stages').columns(['pupil_id', 'entered_on']).execute();

  await db.schema
    .createTable('case_reviews')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('pupil_id', 'text', (c) => c.notNull().references('pupils.id'))
    .addColumn('case_stage_id', 'text', (c) => c.notNull().references('case_stages.id'))
    .addColumn('reviewed_on', 'text', (c) => c.notNull()) // date
    .addColumn('rate', 'real') // year-to-date attendance rate at the review (fraction)
    .addColumn('notes', 'text', (c) => c.notNull())
    .addColumn('reviewed_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('case_reviews_pupil').on('case_reviews').columns(['pupil_id', 'reviewed_on']).execute();

  await db.schema
    .createTable('case_suggestions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('pupil_id', 'text', (c) => c.notNull().references('pupils.id'))
    .addColumn('school_id', 'text', (c) => c.notNull().references('schools.id'))
    .addColumn('as_of', 'text', (c) => c.notNull()) // date of the evaluation
    .addColumn('kind', 'text', (c) => c.notNull()) // enter | review | stepDown
    .addColumn('from_stage_id', 'text')
    .addColumn('to_stage_id', 'text')
    .addColumn('actions', 'text', (c) => c.notNull()) // JSON array of policy action strings
    .addColumn('explanation', 'text', (c) => c.notNull())
    .addColumn('because', 'text', (c) => c.notNull()) // JSON: every condition checked
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull()) // kind|from|to|actions: "identical" means equal fingerprints
    .addColumn('status', 'text', (c) => c.notNull()) // open | accepted | adjusted | dismissed | superseded
    .addColumn('decided_stage_id', 'text')
    .addColumn('decision_reason', 'text')
    .addColumn('decided_by', 'text')
    .addColumn('decided_by_name', 'text')
    .addColumn('decided_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('case_suggestions_day')
    .on('case_suggestions')
    .columns(['pupil_id', 'as_of', 'fingerprint'])
    .unique()
    .execute();
  await db.schema
    .createIndex('case_suggestions_school')
    .on('case_suggestions')
    .columns(['school_id', 'status'])
    .execute();

  await db.schema
    .createTable('case_meetings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('pupil_id', 'text', (c) => c.notNull().references('pupils.id'))
    .addColumn('kind', 'text', (c) => c.notNull()) // e.g. attendance, support-plan-review, contract
    .addColumn('stage_id', 'text') // the stage the pupil was in when it was arranged
    .addColumn('scheduled_for', 'text', (c) => c.notNull()) // date
    .addColumn('time', 'text') // HH:MM
    .addColumn('place', 'text')
    .addColumn('invited', 'text', (c) => c.notNull()) // who was invited (free text)
    .addColumn('status', 'text', (c) => c.notNull()) // scheduled | held | not_attended | cancelled
    .addColumn('held_on', 'text')
    .addColumn('attendees', 'text')
    .addColumn('barriers', 'text')
    .addColumn('minutes', 'text')
    .addColumn('pupil_voice', 'text')
    .addColumn('parent_voice', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('case_meetings_pupil')
    .on('case_meetings')
    .columns(['pupil_id', 'scheduled_for'])
    .execute();

  await db.schema
    .createTable('case_actions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('pupil_id', 'text', (c) => c.notNull().references('pupils.id'))
    .addColumn('policy_action', 'text') // e.g. letter:stage-1a, meeting:attendance; null for free actions
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('due_on', 'text', (c) => c.notNull()) // date
    .addColumn('status', 'text', (c) => c.notNull()) // open | done | cancelled
    .addColumn('outcome', 'text')
    .addColumn('completed_on', 'text')
    .addColumn('suggestion_id', 'text', (c) => c.references('case_suggestions.id'))
    .addColumn('meeting_id', 'text', (c) => c.references('case_meetings.id'))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('case_actions_pupil').on('case_actions').columns(['pupil_id', 'status']).execute();

  await db.schema
    .createTable('case_plans')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('pupil_id', 'text', (c) => c.notNull().references('pupils.id'))
    .addColumn('kind', 'text', (c) => c.notNull()) // attendance-support | improvement | medical | part-time-timetable
    .addColumn('status', 'text', (c) => c.notNull()) // active | ended
    .addColumn('starts_on', 'text', (c) => c.notNull())
    .addColumn('ends_on', 'text', (c) => c.notNull()) // agreed end date
    .addColumn('details', 'text') // medical needs, the reduced timetable, ...
    .addColumn('targets', 'text', (c) => c.notNull()) // JSON: [{text, measure, by, met}]
    .addColumn('review_dates', 'text', (c) => c.notNull()) // JSON: planned review dates
    .addColumn('reviews', 'text', (c) => c.notNull()) // JSON: [{on, notes, by}]
    .addColumn('head_approved_by', 'text') // part-time timetables
    .addColumn('head_approved_on', 'text')
    .addColumn('la_informed_on', 'text')
    .addColumn('outcome', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('case_plans_pupil').on('case_plans').columns(['pupil_id', 'starts_on']).execute();

  await db.schema
    .createTable('case_referrals')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('pupil_id', 'text', (c) => c.notNull().references('pupils.id'))
    .addColumn('agency', 'text', (c) => c.notNull()) // early-help | education-welfare | social-care | camhs | school-nursing | local-authority | locality-team
    .addColumn('made_on', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('reference', 'text')
    .addColumn('status', 'text', (c) => c.notNull()) // made | accepted | declined | closed
    .addColumn('outcome', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('case_referrals_pupil').on('case_referrals').columns(['pupil_id', 'made_on']).execute();

  await db.schema
    .createTable('case_contracts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('pupil_id', 'text', (c) => c.notNull().references('pupils.id'))
    .addColumn('parent_name', 'text', (c) => c.notNull())
    .addColumn('agreed_on', 'text', (c) => c.notNull())
    .addColumn('parent_commitments', 'text', (c) => c.notNull())
    .addColumn('support_offered', 'text', (c) => c.notNull())
    .addColumn('review_on', 'text', (c) => c.notNull())
    .addColumn('ends_on', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull()) // active | completed | broken | ended
    .addColumn('outcome', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('case_contracts_pupil').on('case_contracts').columns(['pupil_id', 'agreed_on']).execute();

  await db.schema
    .createTable('notices_to_improve')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('pupil_id', 'text', (c) => c.notNull().references('pupils.id'))
    .addColumn('parent_name', 'text', (c) => c.notNull())
    .addColumn('issued_on', 'text', (c) => c.notNull())
    .addColumn('period', 'text', (c) => c.notNull()) // 15-school-days | 6-weeks
    .addColumn('monitoring_ends_on', 'text', (c) => c.notNull()) // computed from the calendar
    .addColumn('expectations', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull()) // monitoring | improved | not_improved | withdrawn
    .addColumn('outcome', 'text')
    .addColumn('outcome_on', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('notices_to_improve_pupil')
    .on('notices_to_improve')
    .columns(['pupil_id', 'issued_on'])
    .execute();

  await db.schema
    .createTable('penalty_notices')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('pupil_id', 'text', (c) => c.notNull().references('pupils.id'))
    .addColumn('parent_key', 'text', (c) => c.notNull()) // the contact id, or the parent's name in lower case
    .addColumn('parent_name', 'text', (c) => c.notNull())
    .addColumn('issued_on', 'text', (c) => c.notNull())
    .addColumn('sequence', 'integer', (c) => c.notNull()) // 1 or 2 within the rolling 3 years
    .addColumn('reduced_amount_pence', 'integer') // first notice: £80 within 21 days; null for a second
    .addColumn('reduced_by', 'text')
    .addColumn('amount_pence', 'integer', (c) => c.notNull()) // £160
    .addColumn('pay_by', 'text', (c) => c.notNull()) // 28 days
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull()) // issued | paid | withdrawn | unpaid
    .addColumn('paid_on', 'text')
    .addColumn('paid_pence', 'integer')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('penalty_notices_parent')
    .on('penalty_notices')
    .columns(['pupil_id', 'parent_key', 'issued_on'])
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  for (const t of TABLES) await db.schema.dropTable(t).execute();
}
