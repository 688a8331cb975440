/**
 * Integrations and retention: API keys for other systems (hashed secrets, scopes, revocable) and
 * the record of every retention run that removed old marks. Frozen once committed.
 */
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen and typed loosely on purpose
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('school_id', 'text', (c) => c.notNull().references('schools.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('prefix', 'text', (c) => c.notNull()) // the first characters of the key, shown to tell keys apart
    .addColumn('secret_hash', 'text', (c) => c.notNull()) // SHA-256 of the whole key, hex
    .addColumn('role', 'text', (c) => c.notNull()) // the role the key acts with
    .addColumn('scopes', 'text', (c) => c.notNull()) // space-separated: read write
    .addColumn('created_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .addColumn('revoked_at', 'text')
    .addColumn('revoked_by', 'text', (c) => c.references('users.id'))
    .execute();
  await db.schema.createIndex('api_keys_secret_hash').on('api_keys').column('secret_hash').unique().execute();
  await db.schema.createIndex('api_keys_school').on('api_keys').column('school_id').execute();

  await db.schema
    .createTable('retention_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('school_id', 'text', (c) => c.notNull().references('schools.id'))
    .addColumn('run_at', 'text', (c) => c.notNull())
    .addColumn('run_by', 'text', (c) => c.notNull()) // user id or 'system'
    .addColumn('keep_years', 'integer', (c) => c.notNull())
    .addColumn('before_date', 'text', (c) => c.notNull()) // marks dated before this were removed
    .addColumn('marks_removed', 'integer', (c) => c.notNull())
    .addColumn('history_removed', 'integer', (c) => c.notNull())
    .addColumn('lesson_marks_removed', 'integer', (c) => c.notNull())
    .addColumn('dry_run', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('retention_runs_school').on('retention_runs').columns(['school_id', 'run_at']).execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen and typed loosely on purpose
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('retention_runs').execute();
  await db.schema.dropTable('api_keys').execute();
}
