/** Queries of the demo trust (services/demo). */
import type { DbOrTrx } from '../connect.js';

/** The active accounts among `emails`, as `{ role, email }` (emails compared as stored, lower case). */
export async function activeAccountsByEmail(
  db: DbOrTrx,
  emails: readonly string[],
): Promise<{ role: string; email: string }[]> {
  if (emails.length === 0) return [];
  return db
    .selectFrom('users')
    .select(['role', 'email'])
    .where('email', 'in', [...emails])
    .where('disabled', '=', 0)
    .execute();
}
