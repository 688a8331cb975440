/**
 * Bulk writes of session marks and their history, for imports of a whole year
 * (db/exchange/import-store.ts); see docs/cli/import.md, "Speed".
 *
 * - PostgreSQL: COPY on the transaction's own client (copyMarks, copyHistory); when that client
 *   cannot be found (a Kysely instance not opened by db/connect.ts), one typed array per column
 *   unpacked by `unnest` (PostgreSQL parses arrays of text with less work than JSON records).
 * - SQLite: one prepared statement run row by row on the better-sqlite3 handle, inside the
 *   transaction Kysely holds open on that same connection (sqliteInsertMarks, sqliteInsertHistory).
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sql } from 'kysely';
import type SQLite from 'better-sqlite3';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
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

/** What every history row of one write shares. */
export interface HistoryAuthor {
  readonly reason: string;
  readonly user_id: string | null;
  readonly user_name: string;
  readonly user_role: string;
  readonly at: string;
  readonly source: string;
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
  author: HistoryAuthor,
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

// ---------------------------------------------------------------------------------------------
// COPY (PostgreSQL): the rows as COPY's text format, streamed on the transaction's own client.
// PostgreSQL reads it with less work than unnest of arrays (and inserts in batches), and
// building the text costs Node a fraction of serialising arrays; Node writes while PostgreSQL
// inserts (docs/cli/import.md, "Speed").
// ---------------------------------------------------------------------------------------------

const COPY_SPECIAL = /[\\\t\n\r]/;

/** A value in COPY's text format: `\N` for null; backslash, tab and line ends escaped. */
export function copyText(value: string | number | null): string {
  if (value === null) return '\\N';
  if (typeof value === 'number') return String(value);
  if (!COPY_SPECIAL.test(value)) return value;
  return value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

/** Rows per piece of text written to the stream. */
const COPY_PIECE = 4_000;

async function copyRows<T>(
  client: pg.PoolClient,
  statement: string,
  rows: readonly T[],
  line: (row: T) => string,
): Promise<void> {
  if (rows.length === 0) return;
  function* pieces(): Generator<string> {
    for (let i = 0; i < rows.length; i += COPY_PIECE) {
      let text = '';
      const end = Math.min(rows.length, i + COPY_PIECE);
      for (let j = i; j < end; j++) text += line(rows[j]!);
      yield text;
    }
  }
  await pipeline(Readable.from(pieces()), client.query(copyFrom(statement)));
}

/** Inserts new session marks (PostgreSQL) with COPY on `client`, the transaction's connection. */
export async function copyMarks(
  client: pg.PoolClient,
  rows: readonly BulkMarkRow[],
  updatedAt: string,
  updatedBy: string | null,
): Promise<void> {
  const tail = `\t${copyText(updatedAt)}\t${copyText(updatedBy)}\n`;
  await copyRows(
    client,
    'copy session_marks (pupil_id, date, session, code, minutes_late, updated_at, updated_by) from stdin',
    rows,
    (r) =>
      `${copyText(r.pupil_id)}\t${copyText(r.date)}\t${copyText(r.session)}\t${copyText(r.code)}\t${copyText(r.minutes_late)}${tail}`,
  );
}

/** Inserts history rows with the same author for all (PostgreSQL) with COPY on `client`. */
export async function copyHistory(
  client: pg.PoolClient,
  rows: readonly BulkHistoryRow[],
  author: HistoryAuthor,
): Promise<void> {
  const tail = `\t${[author.reason, author.user_id, author.user_name, author.user_role, author.at, author.source].map(copyText).join('\t')}\n`;
  await copyRows(
    client,
    'copy mark_history (id, pupil_id, date, session, previous_code, new_code, previous_minutes_late, new_minutes_late, reason, user_id, user_name, user_role, at, source) from stdin',
    rows,
    (r) =>
      `${copyText(r.id)}\t${copyText(r.pupil_id)}\t${copyText(r.date)}\t${copyText(r.session)}\t${copyText(r.previous_code)}\t${copyText(r.new_code)}\t${copyText(r.previous_minutes_late)}\t${copyText(r.new_minutes_late)}${tail}`,
  );
}

// ---------------------------------------------------------------------------------------------
// SQLite: prepared statements on the driver's handle. Kysely builds nothing per row, and SQLite
// reads bound values rather than parsing JSON for every column of every row.
// ---------------------------------------------------------------------------------------------

/** Rows between yields to the event loop, so a server importing stays responsive. */
const SQLITE_SLICE = 20_000;

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function inTransaction(handle: SQLite.Database): void {
  // The rows must land in the import's transaction, never in one of their own.
  if (!handle.inTransaction) throw new Error('bulk mark writes run inside the import transaction');
}

/** Inserts new session marks (SQLite) on the handle of the connection the transaction holds. */
export async function sqliteInsertMarks(
  handle: SQLite.Database,
  rows: readonly BulkMarkRow[],
  updatedAt: string,
  updatedBy: string | null,
): Promise<void> {
  if (rows.length === 0) return;
  inTransaction(handle);
  const insert = handle.prepare(
    'insert into session_marks (pupil_id, date, session, code, minutes_late, updated_at, updated_by) values (?, ?, ?, ?, ?, ?, ?)',
  );
  for (let i = 0; i < rows.length; i += SQLITE_SLICE) {
    if (i > 0) {
      await yieldToEventLoop();
      inTransaction(handle);
    }
    const end = Math.min(rows.length, i + SQLITE_SLICE);
    for (let j = i; j < end; j++) {
      const r = rows[j]!;
      insert.run(r.pupil_id, r.date, r.session, r.code, r.minutes_late, updatedAt, updatedBy);
    }
  }
}

/** Inserts history rows with the same author for all (SQLite), as sqliteInsertMarks does. */
export async function sqliteInsertHistory(
  handle: SQLite.Database,
  rows: readonly BulkHistoryRow[],
  author: HistoryAuthor,
): Promise<void> {
  if (rows.length === 0) return;
  inTransaction(handle);
  const insert = handle.prepare(
    `insert into mark_history (id, pupil_id, date, session, previous_code, new_code, previous_minutes_late,
      new_minutes_late, reason, user_id, user_name, user_role, at, source) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const a = author;
  for (let i = 0; i < rows.length; i += SQLITE_SLICE) {
    if (i > 0) {
      await yieldToEventLoop();
      inTransaction(handle);
    }
    const end = Math.min(rows.length, i + SQLITE_SLICE);
    for (let j = i; j < end; j++) {
      const r = rows[j]!;
      insert.run(
        r.id,
        r.pupil_id,
        r.date,
        r.session,
        r.previous_code,
        r.new_code,
        r.previous_minutes_late,
        r.new_minutes_late,
        a.reason,
        a.user_id,
        a.user_name,
        a.user_role,
        a.at,
        a.source,
      );
    }
  }
}
