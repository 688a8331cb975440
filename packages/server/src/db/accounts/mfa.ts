/**
 * Second factors: an authenticator app's TOTP secret (sealed by the service), one-time recovery
 * codes (their SHA-256 only), WebAuthn passkeys, and the school setting that requires a second
 * factor of all staff.
 */
import type { DbOrTrx } from '../connect.js';

export interface TotpRow {
  readonly secretSealed: string;
  readonly confirmedAt: string | null;
  readonly lastStep: number | null;
}

export async function findTotp(db: DbOrTrx, userId: string): Promise<TotpRow | undefined> {
  const r = await db
    .selectFrom('mfa_totp')
    .select(['secret_enc', 'confirmed_at', 'last_step'])
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return r
    ? {
        secretSealed: r.secret_enc,
        confirmedAt: r.confirmed_at,
        lastStep: r.last_step === null ? null : Number(r.last_step),
      }
    : undefined;
}

/** Starts (or restarts) setting up an authenticator app: the secret, not yet confirmed. */
export async function savePendingTotp(db: DbOrTrx, userId: string, secretSealed: string, at: string): Promise<void> {
  await db
    .insertInto('mfa_totp')
    .values({ user_id: userId, secret_enc: secretSealed, created_at: at, confirmed_at: null, last_step: null })
    .onConflict((oc) =>
      oc
        .column('user_id')
        .doUpdateSet({ secret_enc: secretSealed, created_at: at, confirmed_at: null, last_step: null }),
    )
    .execute();
}

export async function confirmTotp(db: DbOrTrx, userId: string, at: string, step: number): Promise<void> {
  await db.updateTable('mfa_totp').set({ confirmed_at: at, last_step: step }).where('user_id', '=', userId).execute();
}

/**
 * Records the time step a code was accepted for, only if it is later than the last one: true for
 * exactly one of two concurrent uses of the same code.
 */
export async function useTotpStep(db: DbOrTrx, userId: string, step: number): Promise<boolean> {
  const r = await db
    .updateTable('mfa_totp')
    .set({ last_step: step })
    .where('user_id', '=', userId)
    .where((eb) => eb.or([eb('last_step', 'is', null), eb('last_step', '<', step)]))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function deleteTotp(db: DbOrTrx, userId: string): Promise<void> {
  await db.deleteFrom('mfa_totp').where('user_id', '=', userId).execute();
}

/** Replaces an account's recovery codes with new ones (their hashes). */
export async function replaceRecoveryCodes(
  db: DbOrTrx,
  userId: string,
  hashes: readonly string[],
  at: string,
): Promise<void> {
  await db.deleteFrom('mfa_recovery_codes').where('user_id', '=', userId).execute();
  if (hashes.length > 0)
    await db
      .insertInto('mfa_recovery_codes')
      .values(hashes.map((h) => ({ user_id: userId, code_hash: h, created_at: at, used_at: null })))
      .execute();
}

/** Uses a recovery code once: true for exactly one caller, when the code is the account's and unused. */
export async function useRecoveryCode(db: DbOrTrx, userId: string, hash: string, at: string): Promise<boolean> {
  const r = await db
    .updateTable('mfa_recovery_codes')
    .set({ used_at: at })
    .where('user_id', '=', userId)
    .where('code_hash', '=', hash)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function unusedRecoveryCodes(db: DbOrTrx, userId: string): Promise<number> {
  const r = await db
    .selectFrom('mfa_recovery_codes')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function deleteRecoveryCodes(db: DbOrTrx, userId: string): Promise<void> {
  await db.deleteFrom('mfa_recovery_codes').where('user_id', '=', userId).execute();
}

// ---------------------------------------------------------------------------------------------
// Passkeys
// ---------------------------------------------------------------------------------------------

export interface Passkey {
  /** The credential id, base64url. */
  readonly id: string;
  readonly userId: string;
  /** The COSE public key, base64url. */
  readonly publicKey: string;
  readonly counter: number;
  readonly transports: readonly string[];
  readonly name: string;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
}

function toPasskey(r: {
  id: string;
  user_id: string;
  public_key: string;
  counter: number;
  transports: string | null;
  name: string;
  created_at: string;
  last_used_at: string | null;
}): Passkey {
  let transports: string[] = [];
  try {
    const parsed: unknown = JSON.parse(r.transports ?? '[]');
    if (Array.isArray(parsed)) transports = parsed.filter((t): t is string => typeof t === 'string');
  } catch {
    transports = [];
  }
  return {
    id: r.id,
    userId: r.user_id,
    publicKey: r.public_key,
    counter: Number(r.counter),
    transports,
    name: r.name,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
  };
}

const PASSKEY_COLUMNS = [
  'id',
  'user_id',
  'public_key',
  'counter',
  'transports',
  'name',
  'created_at',
  'last_used_at',
] as const;

export async function passkeysOf(db: DbOrTrx, userId: string): Promise<Passkey[]> {
  const rows = await db
    .selectFrom('webauthn_credentials')
    .select(PASSKEY_COLUMNS)
    .where('user_id', '=', userId)
    .orderBy('created_at')
    .execute();
  return rows.map(toPasskey);
}

export async function findPasskey(db: DbOrTrx, id: string): Promise<Passkey | undefined> {
  const r = await db.selectFrom('webauthn_credentials').select(PASSKEY_COLUMNS).where('id', '=', id).executeTakeFirst();
  return r ? toPasskey(r) : undefined;
}

export async function insertPasskey(db: DbOrTrx, p: Omit<Passkey, 'lastUsedAt'>): Promise<void> {
  await db
    .insertInto('webauthn_credentials')
    .values({
      id: p.id,
      user_id: p.userId,
      public_key: p.publicKey,
      counter: p.counter,
      transports: JSON.stringify(p.transports),
      name: p.name,
      created_at: p.createdAt,
      last_used_at: null,
    })
    .execute();
}

/**
 * Records a passkey's use: its new signature counter, only if the counter is still the one the
 * assertion was checked against (true for exactly one of two concurrent uses of one assertion).
 */
export async function usePasskey(
  db: DbOrTrx,
  id: string,
  counters: { readonly was: number; readonly now: number },
  at: string,
): Promise<boolean> {
  const r = await db
    .updateTable('webauthn_credentials')
    .set({ counter: counters.now, last_used_at: at })
    .where('id', '=', id)
    .where('counter', '=', counters.was)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Removes every passkey of an account (an administrator's reset); how many went. */
export async function deletePasskeysOf(db: DbOrTrx, userId: string): Promise<number> {
  const r = await db.deleteFrom('webauthn_credentials').where('user_id', '=', userId).executeTakeFirst();
  return Number(r.numDeletedRows);
}

export async function deletePasskey(db: DbOrTrx, userId: string, id: string): Promise<number> {
  const r = await db
    .deleteFrom('webauthn_credentials')
    .where('user_id', '=', userId)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** An app set up with a known secret, already confirmed (the demo's accounts). */
export async function saveConfirmedTotp(db: DbOrTrx, userId: string, secretSealed: string, at: string): Promise<void> {
  await db
    .insertInto('mfa_totp')
    .values({ user_id: userId, secret_enc: secretSealed, created_at: at, confirmed_at: at, last_step: null })
    .onConflict((oc) =>
      oc.column('user_id').doUpdateSet({ secret_enc: secretSealed, created_at: at, confirmed_at: at, last_step: null }),
    )
    .execute();
}

/**
 * The ids of the accounts with one of these roles (only those with these emails, when given, and
 * without an authenticator app of their own).
 */
export async function userIdsWithRoles(
  db: DbOrTrx,
  roles: readonly string[],
  emails?: readonly string[],
): Promise<string[]> {
  if (roles.length === 0 || emails?.length === 0) return [];
  let q = db.selectFrom('users').select('id').where('role', 'in', roles);
  if (emails)
    q = q
      .where('email', 'in', emails)
      .where((eb) =>
        eb.not(eb.exists(eb.selectFrom('mfa_totp').select('user_id').whereRef('mfa_totp.user_id', '=', 'users.id'))),
      );
  const rows = await q.execute();
  return rows.map((r) => r.id);
}

// ---------------------------------------------------------------------------------------------
// The school setting
// ---------------------------------------------------------------------------------------------

export async function schoolRequiresMfaForAllStaff(db: DbOrTrx, schoolId: string): Promise<boolean> {
  const r = await db.selectFrom('schools').select('mfa_all_staff').where('id', '=', schoolId).executeTakeFirst();
  return Number(r?.mfa_all_staff ?? 0) === 1;
}

export async function setSchoolMfaForAllStaff(db: DbOrTrx, schoolId: string, required: boolean): Promise<void> {
  await db
    .updateTable('schools')
    .set({ mfa_all_staff: required ? 1 : 0 })
    .where('id', '=', schoolId)
    .execute();
}

// ---------------------------------------------------------------------------------------------
// WebAuthn challenges (one per session, single use)
// ---------------------------------------------------------------------------------------------

/** Stores the challenge issued to a session (replacing any earlier one). */
export async function saveSessionChallenge(db: DbOrTrx, sessionId: string, challenge: string): Promise<void> {
  await db.updateTable('auth_sessions').set({ challenge }).where('id', '=', sessionId).execute();
}

/**
 * Takes a session's challenge: returns it and clears it in one statement, so that of two
 * concurrent answers only one finds it. Undefined when none is waiting.
 */
export async function takeSessionChallenge(db: DbOrTrx, sessionId: string): Promise<string | undefined> {
  const r = await db.selectFrom('auth_sessions').select('challenge').where('id', '=', sessionId).executeTakeFirst();
  if (!r?.challenge) return undefined;
  const cleared = await db
    .updateTable('auth_sessions')
    .set({ challenge: null })
    .where('id', '=', sessionId)
    .where('challenge', '=', r.challenge)
    .executeTakeFirst();
  return Number(cleared.numUpdatedRows) === 1 ? r.challenge : undefined;
}
