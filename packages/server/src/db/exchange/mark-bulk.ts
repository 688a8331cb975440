/**
 * Bulk writes of session marks and their history on PostgreSQL, for imports of a whole year
 * (db/exchange/import-store.ts). The rows travel as one typed array per column and are unpacked by
 * `unnest`: PostgreSQL parses arrays of text with less work than JSON records
 * (json_populate_recordset), which took a quarter more of its time for a year of marks
 * (docs/cli/import.md, "Speed").
 */
import { sql } from 'kysely';
import type { DbOrTrx } from '../connect.js';

export interface BulkMarkRow {
  readonly pupil_id: string;
  readonly date: string;
  readonly session: string;
  readonly code: string;
  readonly minutes_late: number | null;
}

export interface BulkHistoryRow {
  readonly id: string;
  readonly pupil_id: string;
  readonly date: string;
  readonly session: string;
  readonly previous_code: string | null;
  readonly new_code: string;
  readonly previous_minutes_late: number | null;
  readonly new_minutes_late: number | null;
}

/** Inserts new session marks (PostgreSQL): one statement for all the rows given. */
export async function insertMarksUnnest(
  db: DbOrTrx,
  rows: readonly BulkMarkRow[],
  updatedAt: string,
  updatedBy: string | null,
): Promise<void> {
  if (rows.length === 0) return;
  await sql`insert into session_marks (pupil_id, date, session, code, minutes_late, updated_at, updated_by)
    select t.pupil_id, t.date, t.session, t.code, t.minutes_late, ${updatedAt}, ${updatedBy}
    from unnest(${rows.map((r) => r.pupil_id)}::text[], ${rows.map((r) => r.date)}::text[],
      ${rows.map((r) => r.session)}::text[], ${rows.map((r) => r.code)}::text[],
      ${rows.map((r) => r.minutes_late)}::integer[]) as t(pupil_id, date, session, code, minutes_late)`.execute(db);
}

/** Inserts history rows with the same author for all (PostgreSQL): one statement. */
export async function insertHistoryUnnest(
  db: DbOrTrx,
  rows: readonly BulkHistoryRow[],
  author: {
    readonly reason: string;
    readonly user_id: string | null;
    readonly user_name: string;
    readonly user_role: string;
    readonly at: string;
    readonly source: string;
  },
): Promise<void> {
  if (rows.length === 0) return;
  await sql`insert into mark_history (id, pupil_id, date, session, previous_code, new_code, previous_minutes_late,
      new_minutes_late, reason, user_id, user_name, user_role, at, source)
    select t.id, t.pupil_id, t.date, t.session, t.previous_code, t.new_code, t.previous_minutes_late,
      t.new_minutes_late, ${author.reason}, ${author.user_id}, ${author.user_name}, ${author.user_role}, ${author.at},
      ${author.source}
    from unnest(${rows.map((r) => r.id)}::text[], ${rows.map((r) => r.pupil_id)}::text[],
      ${rows.map((r) => r.date)}::text[], ${rows.map((r) => r.session)}::text[],
      ${rows.map((r) => r.previous_code)}::text[], ${rows.map((r) => r.new_code)}::text[],
      ${rows.map((r) => r.previous_minutes_late)}::integer[], ${rows.map((r) => r.new_minutes_late)}::integer[])
      as t(id, pupil_id, date, session, previous_code, new_code, previous_minutes_late, new_minutes_late)`.execute(db);
}
