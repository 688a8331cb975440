/**
 * The dates a return's deadline is counted from (issue 17: missed return deadlines flagged): the
 * earliest `to` of each return's items (an admission's "tell the LA by" day, a deletion's date).
 */
import type { PlainDate } from '@rollcall/domain';
import type { DbOrTrx } from '../connect.js';

export async function earliestItemDates(db: DbOrTrx, returnIds: readonly string[]): Promise<Map<string, PlainDate>> {
  const out = new Map<string, PlainDate>();
  for (let i = 0; i < returnIds.length; i += 500) {
    const rows = await db
      .selectFrom('la_return_items')
      .select(['return_id', 'details'])
      .where('return_id', 'in', returnIds.slice(i, i + 500))
      .execute();
    for (const r of rows) {
      const to = (JSON.parse(r.details) as { to?: PlainDate }).to;
      if (!to) continue;
      const seen = out.get(r.return_id);
      if (seen === undefined || to < seen) out.set(r.return_id, to);
    }
  }
  return out;
}
