/**
 * The first schema. Frozen: never edit a migration once committed; add a new one.
 * Portable types only: text ids, text dates ('YYYY-MM-DD'), text timestamps (ISO 8601 UTC),
 * integer (flags are 0/1 integers so both dialects read them alike).
 */
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen and typed loosely on purpose
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('trusts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('schools')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('urn', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('phase', 'text', (c) => c.notNull())
    .addColumn('la_code', 'text', (c) => c.notNull())
    .addColumn('la_name', 'text', (c) => c.notNull())
    .addColumn('trust_id', 'text', (c) => c.references('trusts.id'))
    .addColumn('time_zone', 'text', (c) => c.notNull().defaultTo('Europe/London'))
    .addColumn('policy_json', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('terms')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('school_id', 'text', (c) => c.notNull().references('schools.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('start_date', 'text', (c) => c.notNull())
    .addColumn('end_date', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('terms_school').on('terms').columns(['school_id', 'start_date']).execute();

  await db.schema
    .createTable('closures')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('school_id', 'text', (c) => c.notNull().references('schools.id'))
    .addColumn('date', 'text', (c) => c.notNull())
    .addColumn('session', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('closures_school').on('closures').columns(['school_id', 'date']).execute();

  await db.schema
    .createTable('groups')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('school_id', 'text', (c) => c.notNull().references('schools.id'))
    .addColumn('kind', 'text', (c) => c.notNull()) // registration | teaching
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('year_group', 'text')
    .addColumn('subject', 'text')
    .execute();
  await db.schema
    .createIndex('groups_school_name')
    .on('groups')
    .columns(['school_id', 'kind', 'name'])
    .unique()
    .execute();

  await db.schema
    .createTable('pupils')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('school_id', 'text', (c) => c.notNull().references('schools.id'))
    .addColumn('upn', 'text', (c) => c.notNull())
    .addColumn('legal_surname', 'text', (c) => c.notNull())
    .addColumn('legal_forename', 'text', (c) => c.notNull())
    .addColumn('preferred_surname', 'text')
    .addColumn('preferred_forename', 'text')
    .addColumn('date_of_birth', 'text')
    .addColumn('gender', 'text')
    .addColumn('year_group', 'text')
    .addColumn('reg_group_id', 'text', (c) => c.references('groups.id'))
    .addColumn('admission_date', 'text', (c) => c.notNull())
    .addColumn('leaving_date', 'text')
    .addColumn('sen_status', 'text', (c) => c.notNull().defaultTo('N')) // N | K | E
    .addColumn('ehcp', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('fsm', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('pupil_premium', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('eal', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('cin', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('cp', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('lac', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('previously_lac', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('young_carer', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('social_worker', 'text')
    .addColumn('ethnicity', 'text')
    .execute();
  await db.schema.createIndex('pupils_school_upn').on('pupils').columns(['school_id', 'upn']).unique().execute();
  await db.schema.createIndex('pupils_reg_group').on('pupils').column('reg_group_id').execute();

  await db.schema
    .createTable('contacts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('pupil_id', 'text', (c) => c.notNull().references('pupils.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('relationship', 'text', (c) => c.notNull())
    .addColumn('parental_responsibility', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('lives_with_pupil', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('priority', 'integer', (c) => c.notNull())
    .addColumn('mobile_phone', 'text')
    .addColumn('home_phone', 'text')
    .addColumn('work_phone', 'text')
    .addColumn('email', 'text')
    .execute();
  await db.schema.createIndex('contacts_pupil').on('contacts').columns(['pupil_id', 'priority']).execute();

  await db.schema
    .createTable('group_members')
    .addColumn('group_id', 'text', (c) => c.notNull().references('groups.id'))
    .addColumn('pupil_id', 'text', (c) => c.notNull().references('pupils.id'))
    .addPrimaryKeyConstraint('group_members_pk', ['group_id', 'pupil_id'])
    .execute();
  await db.schema.createIndex('group_members_pupil').on('group_members').column('pupil_id').execute();

  await db.schema
    .createTable('lessons')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('school_id', 'text', (c) => c.notNull().references('schools.id'))
    .addColumn('group_id', 'text', (c) => c.notNull().references('groups.id'))
    .addColumn('weekday', 'integer', (c) => c.notNull()) // 1 = Monday … 5 = Friday
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('starts_at', 'text', (c) => c.notNull()) // HH:MM
    .addColumn('ends_at', 'text', (c) => c.notNull())
    .addColumn('session', 'text', (c) => c.notNull()) // AM | PM
    .execute();
  await db.schema.createIndex('lessons_group').on('lessons').columns(['group_id', 'weekday']).execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('school_id', 'text', (c) => c.references('schools.id'))
    .addColumn('trust_id', 'text', (c) => c.references('trusts.id'))
    .addColumn('la_code', 'text')
    .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('group_staff')
    .addColumn('group_id', 'text', (c) => c.notNull().references('groups.id'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addPrimaryKeyConstraint('group_staff_pk', ['group_id', 'user_id'])
    .execute();
  await db.schema.createIndex('group_staff_user').on('group_staff').column('user_id').execute();

  await db.schema
    .createTable('parent_links')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('pupil_id', 'text', (c) => c.notNull().references('pupils.id'))
    .addColumn('contact_id', 'text', (c) => c.references('contacts.id'))
    .addPrimaryKeyConstraint('parent_links_pk', ['user_id', 'pupil_id'])
    .execute();
  await db.schema.createIndex('parent_links_pupil').on('parent_links').column('pupil_id').execute();

  await db.schema
    .createTable('auth_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey()) // SHA-256 of the cookie token
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('auth_sessions_user').on('auth_sessions').column('user_id').execute();

  await db.schema
    .createTable('login_attempts')
    .addColumn('key', 'text', (c) => c.primaryKey()) // email or ip
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('first_failure_at', 'text', (c) => c.notNull())
    .addColumn('locked_until', 'text')
    .execute();

  await db.schema
    .createTable('registers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('school_id', 'text', (c) => c.notNull().references('schools.id'))
    .addColumn('group_id', 'text', (c) => c.notNull().references('groups.id'))
    .addColumn('date', 'text', (c) => c.notNull())
    .addColumn('session', 'text', (c) => c.notNull()) // AM | PM, or a lesson id for lesson registers
    .addColumn('lesson_id', 'text', (c) => c.references('lessons.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('taken_at', 'text')
    .addColumn('taken_by', 'text', (c) => c.references('users.id'))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.references('users.id'))
    .execute();
  await db.schema
    .createIndex('registers_key')
    .on('registers')
    .columns(['group_id', 'date', 'session'])
    .unique()
    .execute();
  await db.schema.createIndex('registers_school_date').on('registers').columns(['school_id', 'date']).execute();

  await db.schema
    .createTable('session_marks')
    .addColumn('pupil_id', 'text', (c) => c.notNull().references('pupils.id'))
    .addColumn('date', 'text', (c) => c.notNull())
    .addColumn('session', 'text', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('minutes_late', 'integer')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text')
    .addPrimaryKeyConstraint('session_marks_pk', ['pupil_id', 'date', 'session'])
    .execute();

  await db.schema
    .createTable('lesson_marks')
    .addColumn('lesson_id', 'text', (c) => c.notNull().references('lessons.id'))
    .addColumn('pupil_id', 'text', (c) => c.notNull().references('pupils.id'))
    .addColumn('date', 'text', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('minutes_late', 'integer')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text')
    .addPrimaryKeyConstraint('lesson_marks_pk', ['lesson_id', 'pupil_id', 'date'])
    .execute();
  await db.schema.createIndex('lesson_marks_pupil').on('lesson_marks').columns(['pupil_id', 'date']).execute();

  await db.schema
    .createTable('mark_history')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('pupil_id', 'text', (c) => c.notNull().references('pupils.id'))
    .addColumn('date', 'text', (c) => c.notNull())
    .addColumn('session', 'text', (c) => c.notNull())
    .addColumn('lesson_id', 'text', (c) => c.references('lessons.id'))
    .addColumn('previous_code', 'text')
    .addColumn('new_code', 'text', (c) => c.notNull())
    .addColumn('previous_minutes_late', 'integer')
    .addColumn('new_minutes_late', 'integer')
    .addColumn('reason', 'text')
    .addColumn('user_id', 'text')
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addColumn('user_role', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull()) // register | office | parent | import | system
    .execute();
  await db.schema
    .createIndex('mark_history_pupil')
    .on('mark_history')
    .columns(['pupil_id', 'date', 'session'])
    .execute();

  await db.schema
    .createTable('late_arrivals')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('pupil_id', 'text', (c) => c.notNull().references('pupils.id'))
    .addColumn('date', 'text', (c) => c.notNull())
    .addColumn('session', 'text', (c) => c.notNull())
    .addColumn('arrived_at', 'text', (c) => c.notNull()) // HH:MM
    .addColumn('minutes_late', 'integer', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('recorded_by', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('late_arrivals_pupil').on('late_arrivals').columns(['pupil_id', 'date']).execute();

  await db.schema
    .createTable('early_leavers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('pupil_id', 'text', (c) => c.notNull().references('pupils.id'))
    .addColumn('date', 'text', (c) => c.notNull())
    .addColumn('left_at', 'text', (c) => c.notNull()) // HH:MM
    .addColumn('collected_by', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('returned_at', 'text')
    .addColumn('recorded_by', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('early_leavers_pupil').on('early_leavers').columns(['pupil_id', 'date']).execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text')
    .addColumn('user_role', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('entity_type', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text')
    .addColumn('pupil_id', 'text')
    .addColumn('school_id', 'text')
    .addColumn('details', 'text')
    .execute();
  await db.schema.createIndex('audit_log_at').on('audit_log').column('at').execute();
  await db.schema.createIndex('audit_log_pupil').on('audit_log').columns(['pupil_id', 'at']).execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'audit_log',
    'early_leavers',
    'late_arrivals',
    'mark_history',
    'lesson_marks',
    'session_marks',
    'registers',
    'login_attempts',
    'auth_sessions',
    'parent_links',
    'group_staff',
    'users',
    'lessons',
    'group_members',
    'contacts',
    'pupils',
    'groups',
    'closures',
    'terms',
    'schools',
    'trusts',
  ]) {
    await db.schema.dropTable(t).execute();
  }
}
