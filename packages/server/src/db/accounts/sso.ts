/** Single sign-on: a school's identity providers, account links by (issuer, subject), one-time states. */
import type { DbOrTrx } from '../connect.js';

export interface SsoProviderRow {
  readonly id: string;
  readonly schoolId: string;
  readonly kind: 'entra' | 'google';
  readonly issuer: string;
  readonly tenant: string | null;
  readonly allowedDomain: string | null;
  readonly clientId: string;
  readonly clientSecretSealed: string;
}

const COLUMNS = [
  'id',
  'school_id',
  'kind',
  'issuer',
  'tenant',
  'allowed_domain',
  'client_id',
  'client_secret_enc',
] as const;

function toRow(r: {
  id: string;
  school_id: string;
  kind: string;
  issuer: string;
  tenant: string | null;
  allowed_domain: string | null;
  client_id: string;
  client_secret_enc: string;
}): SsoProviderRow {
  return {
    id: r.id,
    schoolId: r.school_id,
    kind: r.kind === 'google' ? 'google' : 'entra',
    issuer: r.issuer,
    tenant: r.tenant,
    allowedDomain: r.allowed_domain,
    clientId: r.client_id,
    clientSecretSealed: r.client_secret_enc,
  };
}

export async function insertSsoProvider(db: DbOrTrx, p: SsoProviderRow, at: string): Promise<void> {
  await db
    .insertInto('sso_providers')
    .values({
      id: p.id,
      school_id: p.schoolId,
      kind: p.kind,
      issuer: p.issuer,
      tenant: p.tenant,
      allowed_domain: p.allowedDomain,
      client_id: p.clientId,
      client_secret_enc: p.clientSecretSealed,
      created_at: at,
    })
    .execute();
}

export async function findSsoProvider(db: DbOrTrx, id: string): Promise<SsoProviderRow | undefined> {
  const r = await db.selectFrom('sso_providers').select(COLUMNS).where('id', '=', id).executeTakeFirst();
  return r ? toRow(r) : undefined;
}

export async function ssoProvidersOfSchool(db: DbOrTrx, schoolId: string): Promise<SsoProviderRow[]> {
  const rows = await db
    .selectFrom('sso_providers')
    .select(COLUMNS)
    .where('school_id', '=', schoolId)
    .orderBy('created_at')
    .execute();
  return rows.map(toRow);
}

/** Every provider with its school's name (for the sign-in page), by school. */
export async function allSsoProviders(db: DbOrTrx): Promise<
  {
    id: string;
    kind: string;
    schoolId: string;
    schoolName: string;
    tenant: string | null;
    allowedDomain: string | null;
  }[]
> {
  return db
    .selectFrom('sso_providers')
    .innerJoin('schools', 'schools.id', 'sso_providers.school_id')
    .select([
      'sso_providers.id',
      'sso_providers.kind',
      'schools.id as schoolId',
      'schools.name as schoolName',
      'sso_providers.tenant',
      'sso_providers.allowed_domain as allowedDomain',
    ])
    .orderBy('schools.name')
    .orderBy('sso_providers.created_at')
    .execute();
}

/** The providers an account is linked to (by provider), with when. */
export async function ssoLinksOfUser(
  db: DbOrTrx,
  userId: string,
): Promise<{ providerId: string; createdAt: string }[]> {
  return db
    .selectFrom('sso_links')
    .select(['provider_id as providerId', 'created_at as createdAt'])
    .where('user_id', '=', userId)
    .orderBy('created_at')
    .execute();
}

/** Removes an account's link to a provider; how many links went (0 or 1). */
export async function deleteSsoLink(db: DbOrTrx, userId: string, providerId: string): Promise<number> {
  const r = await db
    .deleteFrom('sso_links')
    .where('user_id', '=', userId)
    .where('provider_id', '=', providerId)
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

export async function deleteSsoProvider(db: DbOrTrx, id: string): Promise<void> {
  await db.deleteFrom('sso_states').where('provider_id', '=', id).execute();
  await db.deleteFrom('sso_links').where('provider_id', '=', id).execute();
  await db.deleteFrom('sso_providers').where('id', '=', id).execute();
}

export async function linkedUserId(db: DbOrTrx, issuer: string, subject: string): Promise<string | undefined> {
  const r = await db
    .selectFrom('sso_links')
    .select('user_id')
    .where('issuer', '=', issuer)
    .where('subject', '=', subject)
    .executeTakeFirst();
  return r?.user_id;
}

export async function insertSsoLink(
  db: DbOrTrx,
  l: { issuer: string; subject: string; userId: string; providerId: string; at: string },
): Promise<void> {
  await db
    .insertInto('sso_links')
    .values({ issuer: l.issuer, subject: l.subject, user_id: l.userId, provider_id: l.providerId, created_at: l.at })
    .execute();
}

export interface SsoStateRow {
  readonly providerId: string;
  readonly verifierSealed: string;
  readonly nonce: string;
  readonly next: string;
  readonly linkUserId: string | null;
  readonly expiresAt: string;
}

export async function insertSsoState(
  db: DbOrTrx,
  stateHash: string,
  s: SsoStateRow & { createdAt: string },
): Promise<void> {
  await db
    .insertInto('sso_states')
    .values({
      state_hash: stateHash,
      provider_id: s.providerId,
      verifier_enc: s.verifierSealed,
      nonce: s.nonce,
      next: s.next,
      link_user_id: s.linkUserId,
      created_at: s.createdAt,
      expires_at: s.expiresAt,
      used_at: null,
    })
    .execute();
}

/** Uses a state once: the row for exactly one caller, when it exists, is unused and has not expired. */
export async function takeSsoState(db: DbOrTrx, stateHash: string, at: string): Promise<SsoStateRow | undefined> {
  const r = await db
    .updateTable('sso_states')
    .set({ used_at: at })
    .where('state_hash', '=', stateHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', at)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) !== 1) return undefined;
  const row = await db
    .selectFrom('sso_states')
    .select(['provider_id', 'verifier_enc', 'nonce', 'next', 'link_user_id', 'expires_at'])
    .where('state_hash', '=', stateHash)
    .executeTakeFirstOrThrow();
  return {
    providerId: row.provider_id,
    verifierSealed: row.verifier_enc,
    nonce: row.nonce,
    next: row.next,
    linkUserId: row.link_user_id,
    expiresAt: row.expires_at,
  };
}
