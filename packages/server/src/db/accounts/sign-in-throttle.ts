/**
 * Sign-in throttling and known devices (services/accounts/auth.ts decides what the counts mean).
 *
 * A throttle key counts failures (an email and client pair, a known device, an email across
 * clients, an address across emails) with a "refused until" instant that the service sets from
 * a growing delay. The count starts again when the last failure is older than the reset window.
 * `known_devices` holds the SHA-256 of the device cookie set on a successful sign-in.
 */
import type { DbOrTrx } from '../connect.js';

export interface ThrottleState {
  readonly key: string;
  readonly failures: number;
  /** Refused until this instant (ISO), or null. */
  readonly refusedUntil: string | null;
  readonly lastFailureAt: string | null;
}

export async function throttleStates(db: DbOrTrx, keys: readonly string[]): Promise<Map<string, ThrottleState>> {
  if (keys.length === 0) return new Map();
  const rows = await db
    .selectFrom('login_attempts')
    .select(['key', 'failures', 'locked_until', 'last_failure_at'])
    .where('key', 'in', keys)
    .execute();
  return new Map(
    rows.map((r) => [
      r.key,
      { key: r.key, failures: Number(r.failures), refusedUntil: r.locked_until, lastFailureAt: r.last_failure_at },
    ]),
  );
}

/**
 * Counts one failure for a key in a single statement (so concurrent failures are all counted)
 * and returns the new count. The count starts again at 1 (and any refusal is lifted) when the
 * last failure was before `resetBefore`.
 */
export async function countFailure(db: DbOrTrx, key: string, p: { at: string; resetBefore: string }): Promise<number> {
  const row = await db
    .insertInto('login_attempts')
    .values({ key, failures: 1, first_failure_at: p.at, last_failure_at: p.at, locked_until: null, notified_at: null })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet((eb) => {
        const restart = eb.or([
          eb('login_attempts.last_failure_at', 'is', null),
          eb('login_attempts.last_failure_at', '<', p.resetBefore),
        ]);
        return {
          failures: eb
            .case()
            .when(restart)
            .then(1)
            .else(eb(eb.ref('login_attempts.failures'), '+', 1))
            .end(),
          first_failure_at: eb.case().when(restart).then(p.at).else(eb.ref('login_attempts.first_failure_at')).end(),
          locked_until: eb.case().when(restart).then(null).else(eb.ref('login_attempts.locked_until')).end(),
          last_failure_at: p.at,
        };
      }),
    )
    .returning('failures')
    .executeTakeFirstOrThrow();
  return Number(row.failures);
}

/** Refuses a key until an instant (never shortens a longer refusal already set). */
export async function refuseUntil(db: DbOrTrx, key: string, until: string): Promise<void> {
  await db
    .updateTable('login_attempts')
    .set({ locked_until: until })
    .where('key', '=', key)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', until)]))
    .execute();
}

export async function clearThrottleKeys(db: DbOrTrx, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  await db.deleteFrom('login_attempts').where('key', 'in', keys).execute();
}

/**
 * Claims the right to tell an account's owner about failures: true for exactly one caller when
 * the key was not notified at or after `notNotifiedSince` (so concurrent failures send one email).
 */
export async function claimNotice(
  db: DbOrTrx,
  key: string,
  p: { at: string; notNotifiedSince: string },
): Promise<boolean> {
  const r = await db
    .updateTable('login_attempts')
    .set({ notified_at: p.at })
    .where('key', '=', key)
    .where((eb) => eb.or([eb('notified_at', 'is', null), eb('notified_at', '<', p.notNotifiedSince)]))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Removes keys whose last failure is before an instant and that are not refused after it (housekeeping). */
export async function pruneThrottle(db: DbOrTrx, before: string): Promise<number> {
  const r = await db
    .deleteFrom('login_attempts')
    .where((eb) =>
      eb.and([
        eb.or([eb('last_failure_at', 'is', null), eb('last_failure_at', '<', before)]),
        eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', before)]),
        eb.or([eb('notified_at', 'is', null), eb('notified_at', '<', before)]),
      ]),
    )
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

// ---------------------------------------------------------------------------------------------
// Known devices
// ---------------------------------------------------------------------------------------------

export async function isKnownDevice(db: DbOrTrx, tokenHash: string, userId: string): Promise<boolean> {
  const r = await db
    .selectFrom('known_devices')
    .select('user_id')
    .where('token_hash', '=', tokenHash)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return r !== undefined;
}

/** Records (or refreshes) a device an account signed in from. */
export async function rememberDevice(db: DbOrTrx, tokenHash: string, userId: string, at: string): Promise<void> {
  await db
    .insertInto('known_devices')
    .values({ token_hash: tokenHash, user_id: userId, created_at: at, last_used_at: at })
    .onConflict((oc) => oc.columns(['token_hash', 'user_id']).doUpdateSet({ last_used_at: at }))
    .execute();
}

/** Forgets every device of an account (its password was reset by an administrator); returns how many. */
export async function forgetDevicesOfUser(db: DbOrTrx, userId: string): Promise<number> {
  const r = await db.deleteFrom('known_devices').where('user_id', '=', userId).executeTakeFirst();
  return Number(r.numDeletedRows);
}

/**
 * The school whose outbox carries a notice to an account: its own school, else the first school
 * of its trust, else the first school of its local authority (the outbox is per school). Null
 * when there is none (an installation administrator on an installation without schools).
 */
export async function schoolForAccountNotice(
  db: DbOrTrx,
  a: { schoolId: string | null; trustId: string | null; laCode: string | null },
): Promise<string | null> {
  if (a.schoolId) return a.schoolId;
  let q = db.selectFrom('schools').select('id').orderBy('urn').orderBy('id').limit(1);
  if (a.trustId) q = q.where('trust_id', '=', a.trustId);
  else if (a.laCode) q = q.where('la_code', '=', a.laCode);
  const r = await q.executeTakeFirst();
  return r?.id ?? null;
}
