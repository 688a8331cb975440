/**
 * Queries of a pupil's case (services/casework/casework.ts and record.ts): the case row, its
 * stage history (`case_stages`, one open entry at a time) and the reviews of a stage
 * (`case_reviews`). Writes take the caller's transaction; the service owns it and the audit.
 */
import type { Insertable, Selectable } from 'kysely';
import type { DbOrTrx, Trx } from '../connect.js';
import type { CaseReviewsTable, CasesTable, CaseStagesTable } from '../schema.js';

export type CaseRow = Selectable<CasesTable>;
export type CaseStageRow = Selectable<CaseStagesTable>;
export type CaseReviewRow = Selectable<CaseReviewsTable>;

/** The pupil's case (open or closed), or undefined when none was ever opened. */
export async function findCaseRow(db: DbOrTrx, pupilId: string): Promise<CaseRow | undefined> {
  return db.selectFrom('cases').selectAll().where('pupil_id', '=', pupilId).executeTakeFirst();
}

export async function insertCase(trx: Trx, values: Insertable<CasesTable>): Promise<void> {
  await trx.insertInto('cases').values(values).execute();
}

/** Opens a closed case again, as opened by `openedBy` on `openedOn`. */
export async function reopenCase(
  trx: Trx,
  caseId: string,
  opened: { readonly openedOn: string; readonly openedBy: string },
): Promise<void> {
  await trx
    .updateTable('cases')
    .set({ status: 'open', opened_on: opened.openedOn, opened_by: opened.openedBy, closed_on: null })
    .where('id', '=', caseId)
    .execute();
}

/** Closes the case if it is still open; false when someone closed it first. */
export async function closeOpenCase(trx: Trx, caseId: string, closedOn: string): Promise<boolean> {
  const updated = await trx
    .updateTable('cases')
    .set({ status: 'closed', closed_on: closedOn })
    .where('id', '=', caseId)
    .where('status', '=', 'open')
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1;
}

/** The open cases of a school: who, and since when. */
export async function openCasesAt(db: DbOrTrx, schoolId: string): Promise<{ pupil_id: string; opened_on: string }[]> {
  return db
    .selectFrom('cases')
    .select(['pupil_id', 'opened_on'])
    .where('school_id', '=', schoolId)
    .where('status', '=', 'open')
    .execute();
}

/** The pupil leaves the stage they are in (the open entry of the history is closed on `leftOn`). */
export async function leaveCurrentStage(trx: Trx, pupilId: string, leftOn: string): Promise<void> {
  await trx
    .updateTable('case_stages')
    .set({ left_on: leftOn })
    .where('pupil_id', '=', pupilId)
    .where('left_on', 'is', null)
    .execute();
}

/** Adds an entry to the pupil's stage history (a stage entered, or a closure or reopening recorded). */
export async function insertStageEntry(trx: Trx, values: Insertable<CaseStagesTable>): Promise<void> {
  await trx.insertInto('case_stages').values(values).execute();
}

/** The open entry of the pupil's stage history (its row id and stage), or undefined. */
export async function currentStageEntry(
  db: DbOrTrx,
  pupilId: string,
): Promise<{ id: string; stage_id: string | null } | undefined> {
  return db
    .selectFrom('case_stages')
    .select(['id', 'stage_id'])
    .where('pupil_id', '=', pupilId)
    .where('left_on', 'is', null)
    .executeTakeFirst();
}

/** The open stage entries of some pupils. */
export async function currentStageEntriesOf(
  db: DbOrTrx,
  pupilIds: readonly string[],
): Promise<Pick<CaseStageRow, 'id' | 'pupil_id' | 'stage_id' | 'stage_name' | 'entered_on'>[]> {
  return db
    .selectFrom('case_stages')
    .select(['id', 'pupil_id', 'stage_id', 'stage_name', 'entered_on'])
    .where('pupil_id', 'in', pupilIds)
    .where('left_on', 'is', null)
    .execute();
}

/** The pupil's stage history, oldest first. */
export async function stageHistoryRows(db: DbOrTrx, pupilId: string): Promise<CaseStageRow[]> {
  return db
    .selectFrom('case_stages')
    .selectAll()
    .where('pupil_id', '=', pupilId)
    .orderBy('entered_on')
    .orderBy('decided_at')
    .execute();
}

export async function insertReview(trx: Trx, values: Insertable<CaseReviewsTable>): Promise<void> {
  await trx.insertInto('case_reviews').values(values).execute();
}

/** The pupil's stage reviews, oldest first. */
export async function reviewRows(db: DbOrTrx, pupilId: string): Promise<CaseReviewRow[]> {
  return db.selectFrom('case_reviews').selectAll().where('pupil_id', '=', pupilId).orderBy('reviewed_on').execute();
}

/** When each stage entry of some pupils was reviewed (unordered). */
export async function reviewDatesOf(
  db: DbOrTrx,
  pupilIds: readonly string[],
): Promise<{ case_stage_id: string; reviewed_on: string }[]> {
  return db
    .selectFrom('case_reviews')
    .select(['case_stage_id', 'reviewed_on'])
    .where('pupil_id', 'in', pupilIds)
    .execute();
}
