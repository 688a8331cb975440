/**
 * Multi-factor authentication (issue 16): an authenticator app's TOTP secret per account
 * (encrypted with the installation's secrets key; `confirmed_at` null while being set up;
 * `last_step` refuses a code used twice), one-time recovery codes (SHA-256 only), WebAuthn
 * passkeys, and on each session what is still owed (`mfa_pending`: 'verify' or 'enrol') and when
 * the person last proved who they are (`authenticated_at`, for re-authentication before bulk
 * exports). A school may require it of all its staff (`schools.mfa_all_staff`). Frozen once committed.
 */
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen and typed loosely on purpose
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('mfa_totp')
    .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id'))
    .addColumn('secret_enc', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('confirmed_at', 'text')
    .addColumn('last_step', 'integer')
    .execute();
  await db.schema
    .createTable('mfa_recovery_codes')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .addPrimaryKeyConstraint('mfa_recovery_codes_pk', ['user_id', 'code_hash'])
    .execute();
  await db.schema
    .createTable('webauthn_credentials')
    .addColumn('id', 'text', (c) => c.primaryKey()) // the credential id, base64url
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('public_key', 'text', (c) => c.notNull()) // base64url COSE key
    .addColumn('counter', 'integer', (c) => c.notNull())
    .addColumn('transports', 'text') // JSON array
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .execute();
  await db.schema.createIndex('webauthn_credentials_user').on('webauthn_credentials').column('user_id').execute();
  await db.schema.alterTable('auth_sessions').addColumn('mfa_pending', 'text').execute();
  await db.schema.alterTable('auth_sessions').addColumn('authenticated_at', 'text').execute();
  await db.schema.alterTable('auth_sessions').addColumn('challenge', 'text').execute();
  await db.schema
    .alterTable('schools')
    .addColumn('mfa_all_staff', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen and typed loosely on purpose
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('schools').dropColumn('mfa_all_staff').execute();
  await db.schema.alterTable('auth_sessions').dropColumn('challenge').execute();
  await db.schema.alterTable('auth_sessions').dropColumn('authenticated_at').execute();
  await db.schema.alterTable('auth_sessions').dropColumn('mfa_pending').execute();
  await db.schema.dropTable('webauthn_credentials').execute();
  await db.schema.dropTable('mfa_recovery_codes').execute();
  await db.schema.dropTable('mfa_totp').execute();
}
