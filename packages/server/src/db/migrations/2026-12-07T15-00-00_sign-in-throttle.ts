/**
 * Sign-in throttling that never locks the rightful person out (issue 16): failures are counted
 * per (email, client) pair, per known device, and across an email or an address only for
 * unknown devices, each with a growing delay (`locked_until` now means "refused until") that
 * starts again an hour after the last failure (`last_failure_at`); `notified_at` records when
 * the account's owner was last told by email that their account is being attacked.
 * `known_devices` holds the hash of the device cookie set on a successful sign-in, per account.
 * Frozen once committed.
 */
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen and typed loosely on purpose
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('login_attempts').addColumn('last_failure_at', 'text').execute();
  await db.schema.alterTable('login_attempts').addColumn('notified_at', 'text').execute();
  await db.schema
    .createTable('known_devices')
    .addColumn('token_hash', 'text', (c) => c.notNull()) // SHA-256 of the device cookie
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('known_devices_pk', ['token_hash', 'user_id'])
    .execute();
  await db.schema.createIndex('known_devices_user').on('known_devices').column('user_id').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen and typed loosely on purpose
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('known_devices').execute();
  await db.schema.alterTable('login_attempts').dropColumn('notified_at').execute();
  await db.schema.alterTable('login_attempts').dropColumn('last_failure_at').execute();
}
