/** Queries of API keys (services/accounts/api-keys.ts decides who may create, list and revoke them). */
import type { Insertable, Selectable } from 'kysely';
import type { DbOrTrx } from '../connect.js';
import type { ApiKeysTable } from '../schema.js';

/** A key as the services see it: everything but its hash and who revoked it. */
export type ApiKeyRow = Omit<Selectable<ApiKeysTable>, 'secret_hash' | 'revoked_by'>;

const COLUMNS = [
  'id',
  'school_id',
  'name',
  'prefix',
  'role',
  'scopes',
  'created_by',
  'created_at',
  'last_used_at',
  'revoked_at',
] as const;

/** A school's keys, newest first. */
export async function apiKeysOfSchool(db: DbOrTrx, schoolId: string): Promise<ApiKeyRow[]> {
  return db
    .selectFrom('api_keys')
    .select(COLUMNS)
    .where('school_id', '=', schoolId)
    .orderBy('created_at', 'desc')
    .execute();
}

export async function apiKeyById(db: DbOrTrx, keyId: string): Promise<ApiKeyRow | undefined> {
  return db.selectFrom('api_keys').select(COLUMNS).where('id', '=', keyId).executeTakeFirst();
}

/** The key whose whole secret hashes to `secretHash`, revoked or not. */
export async function apiKeyBySecretHash(db: DbOrTrx, secretHash: string): Promise<ApiKeyRow | undefined> {
  return db.selectFrom('api_keys').select(COLUMNS).where('secret_hash', '=', secretHash).executeTakeFirst();
}

export async function insertApiKey(db: DbOrTrx, row: Insertable<ApiKeysTable>): Promise<void> {
  await db.insertInto('api_keys').values(row).execute();
}

/** Revokes a key that is not yet revoked (a second revocation changes nothing). */
export async function revokeApiKeyRow(db: DbOrTrx, keyId: string, at: string, by: string): Promise<void> {
  await db
    .updateTable('api_keys')
    .set({ revoked_at: at, revoked_by: by })
    .where('id', '=', keyId)
    .where('revoked_at', 'is', null)
    .execute();
}

export async function setApiKeyLastUsed(db: DbOrTrx, keyId: string, at: string): Promise<void> {
  await db.updateTable('api_keys').set({ last_used_at: at }).where('id', '=', keyId).execute();
}
