/** Queries of the duty jobs (services/duties/jobs/duties-jobs.ts). */
import type { DbOrTrx } from '../connect.js';

/** The school's term (or half term) a date falls in, if any. */
export async function termContaining(
  db: DbOrTrx,
  schoolId: string,
  date: string,
): Promise<{ name: string; start_date: string; end_date: string } | undefined> {
  return db
    .selectFrom('terms')
    .select(['name', 'start_date', 'end_date'])
    .where('school_id', '=', schoolId)
    .where('start_date', '<=', date)
    .where('end_date', '>=', date)
    .executeTakeFirst();
}
