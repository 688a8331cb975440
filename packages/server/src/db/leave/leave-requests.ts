/** Queries of leave-of-absence requests (services/leave/leave.ts authorises, checks and audits). */
import type { Insertable } from 'kysely';
import type { DbOrTrx } from '../connect.js';
import type { LeaveRequestsTable } from '../schema.js';

export interface LeaveRequestFilter {
  readonly id?: string;
  readonly pupilId?: string;
  readonly schoolId?: string;
  readonly status?: string;
}

/** Requests matching every given filter, by first day then when asked, with the pupil's and asker's names. */
export async function leaveRequestRows(db: DbOrTrx, where: LeaveRequestFilter) {
  let q = db
    .selectFrom('leave_requests as l')
    .innerJoin('pupils as p', 'p.id', 'l.pupil_id')
    .leftJoin('users as u', 'u.id', 'l.requested_by')
    .select([
      'l.id',
      'l.pupil_id',
      'l.requested_by',
      'l.kind',
      'l.from_date',
      'l.to_date',
      'l.reason',
      'l.forwarding_address',
      'l.status',
      'l.checks',
      'l.decision_reason',
      'l.decided_by',
      'l.decided_at',
      'l.created_at',
      'p.legal_forename',
      'p.legal_surname',
      'p.preferred_forename',
      'p.preferred_surname',
      'u.display_name',
    ]);
  if (where.id !== undefined) q = q.where('l.id', '=', where.id);
  if (where.pupilId !== undefined) q = q.where('l.pupil_id', '=', where.pupilId);
  if (where.schoolId !== undefined) q = q.where('p.school_id', '=', where.schoolId);
  if (where.status !== undefined) q = q.where('l.status', '=', where.status);
  return q.orderBy('l.from_date').orderBy('l.created_at').execute();
}

export async function insertLeaveRequest(db: DbOrTrx, row: Insertable<LeaveRequestsTable>): Promise<void> {
  await db.insertInto('leave_requests').values(row).execute();
}

/**
 * Records the decision on a request that is still pending; false when it was no longer pending
 * (decided meanwhile).
 */
export async function recordLeaveDecision(
  db: DbOrTrx,
  requestId: string,
  decision: { status: 'granted' | 'refused'; reason: string; by: string; at: string },
): Promise<boolean> {
  const updated = await db
    .updateTable('leave_requests')
    .set({
      status: decision.status,
      decision_reason: decision.reason,
      decided_by: decision.by,
      decided_at: decision.at,
    })
    .where('id', '=', requestId)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1;
}

/** The email of the parent's contact record for that pupil (null or absent when none is held). */
export async function parentContactEmail(db: DbOrTrx, userId: string, pupilId: string): Promise<string | null> {
  const row = await db
    .selectFrom('parent_links as pl')
    .innerJoin('contacts as c', 'c.id', 'pl.contact_id')
    .select('c.email')
    .where('pl.user_id', '=', userId)
    .where('pl.pupil_id', '=', pupilId)
    .executeTakeFirst();
  return row?.email ?? null;
}

/** The id of the latest-decided refused request (not lunchtime) covering a date, if any. */
export async function refusedLeaveCovering(db: DbOrTrx, pupilId: string, date: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('leave_requests')
    .select('id')
    .where('pupil_id', '=', pupilId)
    .where('status', '=', 'refused')
    .where('kind', '!=', 'lunchtime')
    .where('from_date', '<=', date)
    .where('to_date', '>=', date)
    .orderBy('decided_at', 'desc')
    .executeTakeFirst();
  return row?.id;
}
