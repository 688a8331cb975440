/**
 * The queries by which the analysis cache (services/analysis/cohort.ts) learns what changed since
 * it last looked: the newest ids of `mark_history` and `audit_log`, and the rows within a margin
 * below them (ids are UUIDv7: ranges of the primary key).
 */
import type { Db } from '../connect.js';

/** The newest id of a table, or null when it is empty. */
export async function newestId(db: Db, table: 'mark_history' | 'audit_log'): Promise<string | null> {
  const r = await db
    .selectFrom(table)
    .select((eb) => eb.fn.max('id').as('id'))
    .executeTakeFirst();
  return (r?.id as string | null | undefined) ?? null;
}

/** How many rows have an id above `above` (audit rows: only those with one of `actions`). */
export async function countIdsAbove(
  db: Db,
  table: 'mark_history' | 'audit_log',
  above: string,
  actions?: readonly string[],
): Promise<number> {
  let q = db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll().as('n'))
    .where('id', '>', above);
  if (table === 'audit_log' && actions) q = q.where('action', 'in', [...actions]);
  const r = await q.executeTakeFirst();
  return Number(r?.n ?? 0);
}

/** One history row with its pupil's school. */
export interface HistoryChangeRow {
  readonly id: string;
  readonly school_id: string;
  readonly pupil_id: string;
  readonly date: string;
  readonly session: string;
  readonly new_code: string;
  readonly new_minutes_late: number | string | null;
  readonly lesson_id: string | null;
}

/** History rows with an id in (`above`, `upTo`] (no upper bound when null), oldest first. */
export function historyRowsBetween(
  db: Db,
  above: string,
  upTo: string | null,
  limit: number,
): Promise<HistoryChangeRow[]> {
  let q = db
    .selectFrom('mark_history')
    .innerJoin('pupils', 'pupils.id', 'mark_history.pupil_id')
    .select([
      'mark_history.id',
      'pupils.school_id',
      'mark_history.pupil_id',
      'mark_history.date',
      'mark_history.session',
      'mark_history.new_code',
      'mark_history.new_minutes_late',
      'mark_history.lesson_id',
    ])
    .where('mark_history.id', '>', above);
  if (upTo !== null) q = q.where('mark_history.id', '<=', upTo);
  return q.orderBy('mark_history.id').limit(limit).execute();
}

/** The ids of the history rows above `above`. */
export async function historyIdsAbove(db: Db, above: string): Promise<string[]> {
  const rows = await db.selectFrom('mark_history').select('id').where('id', '>', above).execute();
  return rows.map((r) => r.id);
}

/** The ids of the history rows above `above`, with their pupils' schools. */
export function historySchoolsAbove(db: Db, above: string): Promise<{ id: string; school_id: string }[]> {
  return db
    .selectFrom('mark_history')
    .innerJoin('pupils', 'pupils.id', 'mark_history.pupil_id')
    .select(['mark_history.id', 'pupils.school_id'])
    .where('mark_history.id', '>', above)
    .execute();
}

/** Audit rows with one of `actions` and an id above `above`: ids and schools. */
export function auditRowsAbove(
  db: Db,
  above: string,
  actions: readonly string[],
): Promise<{ id: string; school_id: string | null }[]> {
  return db
    .selectFrom('audit_log')
    .select(['id', 'school_id'])
    .where('action', 'in', [...actions])
    .where('id', '>', above)
    .execute();
}
