/** Queries of integration periods (services/pupils/integration-periods.ts authorises, checks and audits). */
import type { Insertable, Updateable } from 'kysely';
import type { DbOrTrx } from '../connect.js';
import type { IntegrationPeriodsTable } from '../schema.js';

/** The recorded periods of some pupils (at most one each). */
export async function integrationPeriodRows(db: DbOrTrx, pupilIds: readonly string[]) {
  if (pupilIds.length === 0) return [];
  return db
    .selectFrom('integration_periods')
    .select(['id', 'pupil_id', 'from_date', 'to_date', 'reason', 'recorded_by_name', 'recorded_at'])
    .where('pupil_id', 'in', pupilIds)
    .execute();
}

/** A pupil's recorded period, if any. */
export async function integrationPeriodOfPupil(
  db: DbOrTrx,
  pupilId: string,
): Promise<{ id: string; from_date: string; to_date: string } | undefined> {
  return db
    .selectFrom('integration_periods')
    .select(['id', 'from_date', 'to_date'])
    .where('pupil_id', '=', pupilId)
    .executeTakeFirst();
}

export async function insertIntegrationPeriod(db: DbOrTrx, row: Insertable<IntegrationPeriodsTable>): Promise<void> {
  await db.insertInto('integration_periods').values(row).execute();
}

export async function updateIntegrationPeriod(
  db: DbOrTrx,
  id: string,
  values: Updateable<IntegrationPeriodsTable>,
): Promise<void> {
  await db.updateTable('integration_periods').set(values).where('id', '=', id).execute();
}
