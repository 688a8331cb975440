/** Queries of the home page's "today" (services/today.ts): counts for one school and day. */
import type { PlainDate } from '@rollcall/domain';
import type { DbOrTrx } from './connect.js';

/** Session marks of the school's pupils on a date, counted by session and code. */
export async function sessionMarkCounts(
  db: DbOrTrx,
  schoolId: string,
  date: PlainDate,
): Promise<{ session: string; code: string; n: number }[]> {
  const rows = await db
    .selectFrom('session_marks')
    .innerJoin('pupils', 'pupils.id', 'session_marks.pupil_id')
    .select(['session_marks.session', 'session_marks.code', (eb) => eb.fn.countAll<number>().as('n')])
    .where('pupils.school_id', '=', schoolId)
    .where('session_marks.date', '=', date)
    .groupBy(['session_marks.session', 'session_marks.code'])
    .execute();
  return rows.map((r) => ({ session: r.session, code: r.code, n: Number(r.n) }));
}

/** The lessons of these groups on an ISO weekday (1 = Monday), with the group. */
export async function lessonsOfGroupsOn(
  db: DbOrTrx,
  groupIds: readonly string[],
  weekday: number,
): Promise<{ id: string; groupId: string; period: string; startsAt: string; session: string }[]> {
  if (groupIds.length === 0) return [];
  const rows = await db
    .selectFrom('lessons')
    .select(['id', 'group_id', 'period', 'starts_at', 'session'])
    .where('group_id', 'in', [...groupIds])
    .where('weekday', '=', weekday)
    .orderBy('starts_at')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    groupId: r.group_id,
    period: r.period,
    startsAt: r.starts_at,
    session: r.session,
  }));
}
