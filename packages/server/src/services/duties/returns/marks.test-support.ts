/** Test support for duties: writing a run of session marks straight into the table (golden data). */
import type { Db } from '../../../db/connect.js';
import { schoolCalendar } from '../../registers/registers.js';

/** Writes `code` for the pupil on every school day from `from` to `to` (both sessions unless given). */
export async function writeRun(
  db: Db,
  schoolId: string,
  pupilId: string,
  from: string,
  to: string,
  code: string,
  sessions: readonly ('AM' | 'PM')[] = ['AM', 'PM'],
): Promise<number> {
  const cal = await schoolCalendar({ db }, schoolId);
  let n = 0;
  for (let d = 0; d < cal.dayCount; d++) {
    const date = cal.dayDate[d]!;
    if (date < from || date > to) continue;
    for (const session of sessions) {
      await db
        .insertInto('session_marks')
        .values({
          pupil_id: pupilId,
          date,
          session,
          code,
          minutes_late: null,
          updated_at: '2025-09-01T08:00:00Z',
          updated_by: null,
        })
        .onConflict((oc) => oc.columns(['pupil_id', 'date', 'session']).doUpdateSet({ code }))
        .execute();
      n++;
    }
  }
  return n;
}
