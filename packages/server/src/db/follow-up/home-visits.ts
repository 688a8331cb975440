/** Queries of home visits (services/follow-up/home-visits.ts authorises, checks and audits). */
import type { Insertable, Selectable, Updateable } from 'kysely';
import type { DbOrTrx } from '../connect.js';
import type { HomeVisitsTable } from '../schema.js';

export type HomeVisitRow = Selectable<HomeVisitsTable>;

/** Every home visit of some pupils, newest planned date first. */
export async function homeVisitRows(db: DbOrTrx, pupilIds: readonly string[]): Promise<HomeVisitRow[]> {
  if (pupilIds.length === 0) return [];
  return db
    .selectFrom('home_visits')
    .selectAll()
    .where('pupil_id', 'in', pupilIds)
    .orderBy('planned_for', 'desc')
    .orderBy('created_at', 'desc')
    .execute();
}

/** A visit of this pupil that is still planned (not done or cancelled). */
export async function plannedHomeVisit(
  db: DbOrTrx,
  visitId: string,
  pupilId: string,
): Promise<{ id: string; reason: string } | undefined> {
  return db
    .selectFrom('home_visits')
    .select(['id', 'reason'])
    .where('id', '=', visitId)
    .where('pupil_id', '=', pupilId)
    .where('status', '=', 'planned')
    .executeTakeFirst();
}

export async function insertHomeVisit(db: DbOrTrx, row: Insertable<HomeVisitsTable>): Promise<void> {
  await db.insertInto('home_visits').values(row).execute();
}

export async function updateHomeVisit(
  db: DbOrTrx,
  visitId: string,
  values: Updateable<HomeVisitsTable>,
): Promise<void> {
  await db.updateTable('home_visits').set(values).where('id', '=', visitId).execute();
}
