/**
 * Single sign-on over OpenID Connect (issue 16): a school's identity providers (Microsoft Entra ID
 * or Google Workspace: issuer, tenant or hosted domain, client id, the client secret sealed), the
 * links of accounts to a provider's (issuer, subject), and each sign-in's one-time state (PKCE
 * verifier sealed, nonce, where to go after, used once). Frozen once committed.
 */
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen and typed loosely on purpose
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sso_providers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('school_id', 'text', (c) => c.notNull().references('schools.id'))
    .addColumn('kind', 'text', (c) => c.notNull()) // entra | google
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('tenant', 'text') // Entra: the tenant id (the tid claim)
    .addColumn('allowed_domain', 'text') // Google: the hosted domain (hd); Entra: optional email domain
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('client_secret_enc', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sso_providers_school').on('sso_providers').column('school_id').execute();
  await db.schema
    .createTable('sso_links')
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('provider_id', 'text', (c) => c.notNull().references('sso_providers.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('sso_links_pk', ['issuer', 'subject'])
    .execute();
  await db.schema
    .createTable('sso_states')
    .addColumn('state_hash', 'text', (c) => c.primaryKey())
    .addColumn('provider_id', 'text', (c) => c.notNull().references('sso_providers.id'))
    .addColumn('verifier_enc', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('next', 'text', (c) => c.notNull())
    .addColumn('link_user_id', 'text') // linking a signed-in account, not signing in
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen and typed loosely on purpose
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('sso_states').execute();
  await db.schema.dropTable('sso_links').execute();
  await db.schema.dropTable('sso_providers').execute();
}
