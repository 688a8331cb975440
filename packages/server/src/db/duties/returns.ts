/** Queries of the returns to the local authority (services/duties/returns/). */
import type { Insertable } from 'kysely';
import type { DbOrTrx } from '../connect.js';
import type { LaReturnItemsTable, LaReturnsTable } from '../schema.js';

/** A school's pupils (or the given ones of them) as a return names them, by legal name then id. */
export async function returnPupilRows(db: DbOrTrx, schoolId: string, pupilIds?: readonly string[]) {
  let q = db
    .selectFrom('pupils')
    .select([
      'id',
      'upn',
      'legal_surname',
      'legal_forename',
      'date_of_birth',
      'year_group',
      'admission_date',
      'leaving_date',
      'address',
      'postcode',
    ])
    .where('school_id', '=', schoolId);
  if (pupilIds) {
    if (pupilIds.length === 0) return [];
    q = q.where('id', 'in', [...pupilIds]);
  }
  return q.orderBy('legal_surname').orderBy('legal_forename').orderBy('id').execute();
}

/** Every contact of a school's pupils, by priority. */
export async function returnContactRows(db: DbOrTrx, schoolId: string) {
  return db
    .selectFrom('contacts')
    .innerJoin('pupils', 'pupils.id', 'contacts.pupil_id')
    .select([
      'contacts.pupil_id',
      'contacts.name',
      'contacts.relationship',
      'contacts.parental_responsibility',
      'contacts.mobile_phone',
      'contacts.home_phone',
      'contacts.email',
      'contacts.address',
      'contacts.postcode',
    ])
    .where('pupils.school_id', '=', schoolId)
    .orderBy('contacts.priority')
    .orderBy('contacts.id')
    .execute();
}

/** Every session code at a school between two dates, inclusive (unordered). */
export async function schoolSessionCodesBetween(db: DbOrTrx, schoolId: string, from: string, to: string) {
  return db
    .selectFrom('session_marks')
    .innerJoin('pupils', 'pupils.id', 'session_marks.pupil_id')
    .select(['session_marks.pupil_id', 'session_marks.date', 'session_marks.session', 'session_marks.code'])
    .where('pupils.school_id', '=', schoolId)
    .where('session_marks.date', '>=', from)
    .where('session_marks.date', '<=', to)
    .execute();
}

/** The deletions from a school's admission register, by date. */
export async function registerDeletions(db: DbOrTrx, schoolId: string) {
  return db
    .selectFrom('register_entries')
    .select(['id', 'pupil_id', 'date', 'ground', 'reason', 'details', 'la_notified_at'])
    .where('school_id', '=', schoolId)
    .where('kind', '=', 'deletion')
    .orderBy('date')
    .orderBy('id')
    .execute();
}

/** What earlier returns of a kind already carried: (pupil, item key) pairs. */
export async function returnedItemKeys(
  db: DbOrTrx,
  schoolId: string,
  kind: string,
): Promise<{ pupil_id: string; item_key: string }[]> {
  return db
    .selectFrom('la_return_items')
    .select(['pupil_id', 'item_key'])
    .where('school_id', '=', schoolId)
    .where('kind', '=', kind)
    .execute();
}

/** The school's return of a kind whose period ends on a date, if any. */
export async function returnEndingOn(
  db: DbOrTrx,
  schoolId: string,
  kind: string,
  periodTo: string,
): Promise<{ id: string; status: string } | undefined> {
  return db
    .selectFrom('la_returns')
    .select(['id', 'status'])
    .where('school_id', '=', schoolId)
    .where('kind', '=', kind)
    .where('period_to', '=', periodTo)
    .executeTakeFirst();
}

/** The last day covered by the school's latest return of a kind, if any. */
export async function lastReturnPeriodEnd(db: DbOrTrx, schoolId: string, kind: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('la_returns')
    .select('period_to')
    .where('school_id', '=', schoolId)
    .where('kind', '=', kind)
    .orderBy('period_to', 'desc')
    .executeTakeFirst();
  return row?.period_to;
}

export async function insertReturn(db: DbOrTrx, row: Insertable<LaReturnsTable>): Promise<void> {
  await db.insertInto('la_returns').values(row).execute();
}

export async function insertReturnItems(db: DbOrTrx, rows: readonly Insertable<LaReturnItemsTable>[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('la_return_items')
    .values([...rows])
    .execute();
}

/** Returns with their pupil counts, by the end of their period (newest first) then kind. */
export async function returnSummaryRows(db: DbOrTrx, where: { id: string } | { schoolId: string }) {
  let q = db.selectFrom('la_returns').select([
    'la_returns.id',
    'la_returns.school_id',
    'la_returns.kind',
    'la_returns.period_from',
    'la_returns.period_to',
    'la_returns.status',
    'la_returns.prepared_at',
    'la_returns.prepared_by',
    'la_returns.sent_at',
    'la_returns.sent_by_name',
    'la_returns.sent_note',
    (eb) =>
      eb
        .selectFrom('la_return_items')
        .select((e) => e.fn.countAll<number>().as('n'))
        .whereRef('la_return_items.return_id', '=', 'la_returns.id')
        .as('pupils'),
  ]);
  q = 'id' in where ? q.where('la_returns.id', '=', where.id) : q.where('la_returns.school_id', '=', where.schoolId);
  return q.orderBy('la_returns.period_to', 'desc').orderBy('la_returns.kind').execute();
}

/** The stored details (JSON) of each item of a return. */
export async function returnItemDetails(db: DbOrTrx, returnId: string): Promise<string[]> {
  const rows = await db.selectFrom('la_return_items').select(['details']).where('return_id', '=', returnId).execute();
  return rows.map((r) => r.details);
}

/** Marks a prepared return sent (a return already sent is left as it is). */
export async function recordReturnSent(
  db: DbOrTrx,
  returnId: string,
  sent: { at: string; by: string; byName: string; note: string | null },
): Promise<void> {
  await db
    .updateTable('la_returns')
    .set({ status: 'sent', sent_at: sent.at, sent_by: sent.by, sent_by_name: sent.byName, sent_note: sent.note })
    .where('id', '=', returnId)
    .where('status', '=', 'prepared')
    .execute();
}
