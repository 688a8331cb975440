/**
 * API keys for integrations (an MIS sync, a trust's data warehouse, a local authority's
 * system): an administrator creates a key for a school with a role and scopes, sees it once,
 * and can revoke it. Only the key's SHA-256 is stored (keys are 256 random bits, so a fast hash
 * is enough: there is nothing to guess). A request sends `Authorization: Bearer <key>` and acts
 * as the key: the key's role at its school, recorded in history and the audit log under the name
 * `API key "<name>"` and the id of the administrator who created it. See docs/api.md.
 */
import {
  apiKeyById,
  apiKeyBySecretHash,
  apiKeysOfSchool,
  insertApiKey,
  revokeApiKeyRow,
  setApiKeyLastUsed,
  type ApiKeyRow,
} from '../../db/accounts/api-keys.js';
import { getSchool } from '../school/schools.js';
import { hashToken, newId, newToken } from '../../platform/ids.js';
import { audit } from '../audit.js';
import { authorise, type Actor, type Role } from '../authz.js';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';

/** The roles a key may act with: office work, attendance work, or a leader's view. */
export const API_KEY_ROLES = ['office', 'attendance_officer', 'senior_leader'] as const satisfies readonly Role[];
export type ApiKeyRole = (typeof API_KEY_ROLES)[number];

/** read: GET routes; write: routes that change data (saving registers, office sign-ins). */
export const API_SCOPES = ['read', 'write'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

/** Every key starts with this, so a leaked key is recognisable (e.g. by secret scanners). */
export const KEY_PREFIX = 'rk_';

export interface ApiKey {
  readonly id: string;
  readonly schoolId: string;
  readonly name: string;
  /** The first characters of the key, to tell keys apart. */
  readonly prefix: string;
  readonly role: ApiKeyRole;
  readonly scopes: readonly ApiScope[];
  readonly createdBy: string;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
}

/** The actor a request with a key acts as, and what the key may do. */
export interface ApiKeyActor {
  readonly actor: Actor;
  readonly key: ApiKey;
}

function toKey(r: ApiKeyRow): ApiKey {
  return {
    id: r.id,
    schoolId: r.school_id,
    name: r.name,
    prefix: r.prefix,
    role: r.role as ApiKeyRole,
    scopes: r.scopes.split(' ').filter((s): s is ApiScope => (API_SCOPES as readonly string[]).includes(s)),
    createdBy: r.created_by,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
  };
}

async function administer(deps: Pick<Deps, 'db'>, actor: Actor, schoolId: string): Promise<void> {
  const school = await getSchool(deps.db, schoolId);
  authorise(actor, 'school.administer', { kind: 'school', ...school });
}

export async function listApiKeys(deps: Pick<Deps, 'db'>, actor: Actor, schoolId: string): Promise<ApiKey[]> {
  await administer(deps, actor, schoolId);
  const rows = await apiKeysOfSchool(deps.db, schoolId);
  return rows.map(toKey);
}

export interface NewApiKey {
  readonly schoolId: string;
  readonly name: string;
  readonly role: string;
  readonly scopes: readonly string[];
}

/** Creates a key; the returned `secret` is the only time the whole key is seen. */
export async function createApiKey(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Actor,
  input: NewApiKey,
): Promise<{ key: ApiKey; secret: string }> {
  await administer(deps, actor, input.schoolId);
  const fields: { field: string; message: string }[] = [];
  const name = input.name.trim().replace(/\s+/g, ' ');
  if (name === '') fields.push({ field: 'name', message: 'Enter a name for the key, such as the system that uses it' });
  else if (name.length > 100) fields.push({ field: 'name', message: 'The name must be 100 characters or fewer' });
  if (!(API_KEY_ROLES as readonly string[]).includes(input.role))
    fields.push({ field: 'role', message: 'Choose the role the key acts with' });
  const scopes = API_SCOPES.filter((s) => input.scopes.includes(s));
  if (scopes.length === 0 || scopes.length !== new Set(input.scopes).size)
    fields.push({ field: 'scopes', message: 'Choose what the key may do: read, write or both' });
  if (fields.length > 0) throw new AppError('VALIDATION', 'Check the key’s details.', { fields });
  if (actor.userId === 'system')
    throw new AppError('VALIDATION', 'An API key is created by a signed-in administrator.');
  const secret = `${KEY_PREFIX}${newToken()}`;
  const at = deps.clock.now();
  const row = {
    id: newId(),
    school_id: input.schoolId,
    name,
    prefix: secret.slice(0, KEY_PREFIX.length + 6),
    secret_hash: hashToken(secret),
    role: input.role,
    scopes: scopes.join(' '),
    created_by: actor.userId,
    created_at: at,
    last_used_at: null,
    revoked_at: null,
    revoked_by: null,
  };
  await deps.db.transaction().execute(async (trx) => {
    await insertApiKey(trx, row);
    await audit(trx, actor, at, {
      action: 'apiKey.create',
      entityType: 'api_key',
      entityId: row.id,
      schoolId: input.schoolId,
      details: { name, role: input.role, scopes, prefix: row.prefix },
    });
  });
  return { key: toKey(row), secret };
}

export async function revokeApiKey(deps: Pick<Deps, 'db' | 'clock'>, actor: Actor, keyId: string): Promise<void> {
  const row = await apiKeyById(deps.db, keyId);
  if (!row) throw new AppError('NOT_FOUND', 'No such API key.');
  await administer(deps, actor, row.school_id);
  if (row.revoked_at !== null) return;
  const at = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    await revokeApiKeyRow(trx, keyId, at, actor.userId);
    await audit(trx, actor, at, {
      action: 'apiKey.revoke',
      entityType: 'api_key',
      entityId: keyId,
      schoolId: row.school_id,
      details: { name: row.name, prefix: row.prefix },
    });
  });
}

/** How stale `last_used_at` may get before a request writes it again (a write per request is waste). */
const LAST_USED_EVERY_MS = 60_000;

/**
 * The actor for a bearer key, or undefined when the key is unknown or revoked. Records when
 * the key was last used (at most once a minute).
 */
export async function resolveApiKey(
  deps: Pick<Deps, 'db' | 'clock'>,
  secret: string,
): Promise<ApiKeyActor | undefined> {
  if (!secret.startsWith(KEY_PREFIX) || secret.length > 200) return undefined;
  const row = await apiKeyBySecretHash(deps.db, hashToken(secret));
  if (!row || row.revoked_at !== null) return undefined;
  const key = toKey(row);
  if (!(API_KEY_ROLES as readonly string[]).includes(key.role)) return undefined;
  const school = await getSchool(deps.db, key.schoolId);
  const now = deps.clock.now();
  if (key.lastUsedAt === null || Date.parse(now) - Date.parse(key.lastUsedAt) >= LAST_USED_EVERY_MS) {
    await setApiKeyLastUsed(deps.db, key.id, now);
  }
  return {
    key,
    actor: {
      userId: key.createdBy,
      name: `API key "${key.name}"`,
      role: key.role,
      schoolId: school.id,
      trustId: school.trustId,
      laCode: school.laCode,
      groupIds: new Set(),
      pupilIds: new Set(),
    },
  };
}
