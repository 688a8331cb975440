/**
 * Locks that let only one of several Rollcall instances run a scheduled job. PostgreSQL: a
 * session-level `pg_try_advisory_lock` held on one pooled connection for the length of the run.
 * SQLite is one file served by one process, so an in-process set of held keys is enough there.
 */
import { sql } from 'kysely';
import type { Db, Dialect } from '../connect.js';

const heldInProcess = new Set<string>();

/**
 * Runs `fn` holding the lock named `key`, or returns `{ locked: false }` at once when another
 * runner (another instance, or this one) holds it.
 */
export async function withJobLock<T>(
  db: Db,
  dialect: Dialect,
  key: string,
  fn: () => Promise<T>,
): Promise<{ locked: true; value: T } | { locked: false }> {
  if (dialect === 'postgres') {
    return db.connection().execute(async (conn) => {
      const got = await sql<{
        ok: boolean;
      }>`select pg_try_advisory_lock(hashtext('rollcall-job'), hashtext(${key})) as ok`.execute(conn);
      if (!got.rows[0]?.ok) return { locked: false as const };
      try {
        return { locked: true as const, value: await fn() };
      } finally {
        // A connection PostgreSQL closed during the run took the lock with it (and was logged,
        // db/connect.ts): the unlock then fails, and the run's own outcome is what its caller is
        // told (a finished run is not reported as failed). Pool and connection carry on.
        await sql`select pg_advisory_unlock(hashtext('rollcall-job'), hashtext(${key}))`
          .execute(conn)
          .catch(() => undefined);
      }
    });
  }
  if (heldInProcess.has(key)) return { locked: false };
  heldInProcess.add(key);
  try {
    return { locked: true, value: await fn() };
  } finally {
    heldInProcess.delete(key);
  }
}
