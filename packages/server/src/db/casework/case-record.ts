/**
 * Queries for a pupil's case record (services/casework/case-record.ts and record.ts): the rows
 * of each kind of record (meetings, actions, plans, referrals, contracts, Notices to Improve,
 * penalty notices), written one by one from the case page, and the open actions a new record
 * completes. One set of functions for every kind: the kind names its table.
 */
import type { Insertable, Selectable, Updateable } from 'kysely';
import type { DbOrTrx, Trx } from '../connect.js';
import type { Database } from '../schema.js';

/** The case tables whose rows belong to one pupil and are changed one by one from the case page. */
export type CaseItemTable =
  | 'case_meetings'
  | 'case_actions'
  | 'case_plans'
  | 'case_referrals'
  | 'case_contracts'
  | 'notices_to_improve'
  | 'penalty_notices';

export type CaseItemRow<T extends CaseItemTable> = Selectable<Database[T]>;
export type CaseItemValues<T extends CaseItemTable> = Insertable<Database[T]>;
export type CaseItemChanges<T extends CaseItemTable> = Updateable<Database[T]>;

// Every one of these tables has `id` and `pupil_id`; the casts below only name one table for
// the query builder, whose types cannot follow a table chosen at run time.

/** One of the pupil's rows of a case table, or undefined. */
export async function findCaseItem<T extends CaseItemTable>(
  db: DbOrTrx,
  table: T,
  pupilId: string,
  id: string,
): Promise<CaseItemRow<T> | undefined> {
  return (await db
    .selectFrom(table as 'case_meetings')
    .selectAll()
    .where('id', '=', id)
    .where('pupil_id', '=', pupilId)
    .executeTakeFirst()) as CaseItemRow<T> | undefined;
}

/** All the pupil's rows of a case table, in the order the case page lists them. */
export async function listCaseItems<T extends CaseItemTable>(
  db: DbOrTrx,
  table: T,
  pupilId: string,
  order: { readonly column: string; readonly direction: 'asc' | 'desc' },
): Promise<CaseItemRow<T>[]> {
  return (await db
    .selectFrom(table as 'case_meetings')
    .selectAll()
    .where('pupil_id', '=', pupilId)
    .orderBy(order.column as 'scheduled_for', order.direction)
    .execute()) as CaseItemRow<T>[];
}

export async function insertCaseItem<T extends CaseItemTable>(
  trx: Trx,
  table: T,
  values: CaseItemValues<T>,
): Promise<void> {
  await trx
    .insertInto(table as 'case_meetings')
    .values(values as CaseItemValues<'case_meetings'>)
    .execute();
}

export async function updateCaseItem<T extends CaseItemTable>(
  trx: Trx,
  table: T,
  id: string,
  changes: CaseItemChanges<T>,
): Promise<void> {
  await trx
    .updateTable(table as 'case_meetings')
    .set(changes as CaseItemChanges<'case_meetings'>)
    .where('id', '=', id)
    .execute();
}

/**
 * Marks the pupil's open actions proposed by the policy (`policy_action` equal to `policyAction`,
 * or LIKE it when `like`) as done: the record just made is what they asked for.
 */
export async function completeOpenPolicyActions(
  trx: Trx,
  pupilId: string,
  match: { readonly policyAction: string; readonly like?: boolean },
  done: { readonly outcome: string; readonly completedOn: string; readonly now: string },
): Promise<void> {
  await trx
    .updateTable('case_actions')
    .set({ status: 'done', outcome: done.outcome, completed_on: done.completedOn, updated_at: done.now })
    .where('pupil_id', '=', pupilId)
    .where('status', '=', 'open')
    .where('policy_action', match.like ? 'like' : '=', match.policyAction)
    .execute();
}

/** The stage the pupil's case is at now (the open stage entry), or null. */
export async function currentStageId(db: DbOrTrx, pupilId: string): Promise<string | null> {
  const row = await db
    .selectFrom('case_stages')
    .select('stage_id')
    .where('pupil_id', '=', pupilId)
    .where('left_on', 'is', null)
    .executeTakeFirst();
  return row?.stage_id ?? null;
}

/** The pupil's contacts with parental responsibility, in priority order. */
export async function parentContacts(
  db: DbOrTrx,
  pupilId: string,
): Promise<{ id: string; name: string; relationship: string }[]> {
  return db
    .selectFrom('contacts')
    .select(['id', 'name', 'relationship'])
    .where('pupil_id', '=', pupilId)
    .where('parental_responsibility', '=', 1)
    .orderBy('priority')
    .execute();
}

/** Every contact of the pupil (a penalty notice may go to any of them). */
export async function pupilContacts(db: DbOrTrx, pupilId: string): Promise<{ id: string; name: string }[]> {
  return db.selectFrom('contacts').select(['id', 'name']).where('pupil_id', '=', pupilId).execute();
}

/** A parent the pupil's earlier penalty notices went to, by the ledger's key. */
export async function penaltyNoticeParent(
  db: DbOrTrx,
  pupilId: string,
  parentKey: string,
): Promise<{ parent_key: string; parent_name: string } | undefined> {
  return db
    .selectFrom('penalty_notices')
    .select(['parent_key', 'parent_name'])
    .where('pupil_id', '=', pupilId)
    .where('parent_key', '=', parentKey)
    .executeTakeFirst();
}

/** The penalty notices issued to one parent for this pupil (for the 2-in-3-years rule). */
export async function penaltyNoticesTo(
  db: DbOrTrx,
  pupilId: string,
  parentKey: string,
): Promise<{ issued_on: string; status: string }[]> {
  return db
    .selectFrom('penalty_notices')
    .select(['issued_on', 'status'])
    .where('pupil_id', '=', pupilId)
    .where('parent_key', '=', parentKey)
    .execute();
}

/** Cancels the pupil's open actions (the case was closed), with the outcome given. */
export async function cancelOpenActions(
  trx: Trx,
  pupilId: string,
  done: { readonly outcome: string; readonly completedOn: string; readonly now: string },
): Promise<void> {
  await trx
    .updateTable('case_actions')
    .set({ status: 'cancelled', outcome: done.outcome, completed_on: done.completedOn, updated_at: done.now })
    .where('pupil_id', '=', pupilId)
    .where('status', '=', 'open')
    .execute();
}

/** The case tables whose open rows can fall overdue on the officer's list. */
export type OverdueTable = 'case_actions' | 'case_plans' | 'case_contracts' | 'notices_to_improve' | 'penalty_notices';
/** The date column a row of those tables falls due by. */
export type DueColumn = 'due_on' | 'review_on' | 'monitoring_ends_on' | 'pay_by';
/** A row of one of those tables (their columns are all plain, so the table type is the row read). */
export type OverdueRow<T extends OverdueTable> = Database[T];

/**
 * The rows of a case table in a status for some pupils and, with `due`, due before `today` by
 * that column (every one of these tables has `pupil_id` and `status`; the casts only name one
 * table for the query builder).
 */
export async function caseItemsInStatus<T extends OverdueTable>(
  db: DbOrTrx,
  table: T,
  pupilIds: readonly string[],
  status: string,
  dueBefore: { readonly column: DueColumn; readonly today: string } | null,
): Promise<OverdueRow<T>[]> {
  let query = db
    .selectFrom(table as 'case_actions')
    .selectAll()
    .where('pupil_id', 'in', pupilIds)
    .where('status', '=', status);
  if (dueBefore !== null) query = query.where(dueBefore.column as 'due_on', '<', dueBefore.today);
  return (await query.execute()) as unknown as OverdueRow<T>[];
}
