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

/**
 * A new or changed session mark as the import plans it (import-store.ts's MarkChange): the bulk
 * writers read these directly, so a year's rows are never copied into row objects of their own.
 */
export interface BulkMark {
  readonly pupilId: string;
  readonly date: string;
  readonly session: string;
  readonly code: string;
  readonly minutesLate: number | null;
  /** The stored mark it replaces; undefined for a new mark. */
  readonly previous: { readonly code: string; readonly minutesLate: number | null } | undefined;
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
  rows: readonly BulkMark[],
  updatedAt: string,
  updatedBy: string | null,
): Promise<void> {
  if (rows.length === 0) return;
  await sql`insert into session_marks (pupil_id, date, session, code, minutes_late, updated_at, updated_by)
    select t.pupil_id, t.date, t.session, t.code, t.minutes_late, ${updatedAt}, ${updatedBy}
    from unnest(${rows.map((r) => r.pupilId)}::text[], ${rows.map((r) => r.date)}::text[],
      ${rows.map((r) => r.session)}::text[], ${rows.map((r) => r.code)}::text[],
      ${rows.map((r) => r.minutesLate)}::integer[]) as t(pupil_id, date, session, code, minutes_late)`.execute(db);
}

/** Inserts history rows (each mark's, with its id) with the same author for all (PostgreSQL): one statement. */
export async function insertHistoryUnnest(
  db: DbOrTrx,
  marks: readonly BulkMark[],
  ids: readonly string[],
  author: HistoryAuthor,
): Promise<void> {
  if (marks.length === 0) return;
  await sql`insert into mark_history (id, pupil_id, date, session, previous_code, new_code, previous_minutes_late,
      new_minutes_late, reason, user_id, user_name, user_role, at, source)
    select t.id, t.pupil_id, t.date, t.session, t.previous_code, t.new_code, t.previous_minutes_late,
      t.new_minutes_late, ${author.reason}, ${author.user_id}, ${author.user_name}, ${author.user_role}, ${author.at},
      ${author.source}
    from unnest(${ids}::text[], ${marks.map((r) => r.pupilId)}::text[],
      ${marks.map((r) => r.date)}::text[], ${marks.map((r) => r.session)}::text[],
      ${marks.map((r) => r.previous?.code ?? null)}::text[], ${marks.map((r) => r.code)}::text[],
      ${marks.map((r) => r.previous?.minutesLate ?? null)}::integer[], ${marks.map((r) => r.minutesLate)}::integer[])
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

/**
 * Streams the lists' rows, in order, as COPY text made piece by piece while PostgreSQL reads:
 * no row object and no whole-file text is ever built.
 */
async function copyRows<T>(
  client: pg.PoolClient,
  statement: string,
  lists: readonly (readonly T[])[],
  line: (row: T) => string,
): Promise<void> {
  if (lists.every((l) => l.length === 0)) return;
  function* pieces(): Generator<string> {
    for (const rows of lists) {
      for (let i = 0; i < rows.length; i += COPY_PIECE) {
        let text = '';
        const end = Math.min(rows.length, i + COPY_PIECE);
        for (let j = i; j < end; j++) text += line(rows[j]!);
        yield text;
      }
    }
  }
  await pipeline(Readable.from(pieces()), client.query(copyFrom(statement)));
}

/** Inserts new session marks (PostgreSQL) with COPY on `client`, the transaction's connection. */
export async function copyMarks(
  client: pg.PoolClient,
  rows: readonly BulkMark[],
  updatedAt: string,
  updatedBy: string | null,
): Promise<void> {
  const tail = `\t${copyText(updatedAt)}\t${copyText(updatedBy)}\n`;
  await copyRows(
    client,
    'copy session_marks (pupil_id, date, session, code, minutes_late, updated_at, updated_by) from stdin',
    [rows],
    (r) =>
      `${copyText(r.pupilId)}\t${copyText(r.date)}\t${copyText(r.session)}\t${copyText(r.code)}\t${copyText(r.minutesLate)}${tail}`,
  );
}

/**
 * Inserts the history of the lists' marks (previous code, new code) with the same author for
 * all (PostgreSQL) with COPY on `client`; `newId` makes each row's id, in the lists' order.
 */
export async function copyHistory(
  client: pg.PoolClient,
  lists: readonly (readonly BulkMark[])[],
  author: HistoryAuthor,
  newId: () => string,
): Promise<void> {
  const tail = `\t${[author.reason, author.user_id, author.user_name, author.user_role, author.at, author.source].map(copyText).join('\t')}\n`;
  await copyRows(
    client,
    'copy mark_history (id, pupil_id, date, session, previous_code, new_code, previous_minutes_late, new_minutes_late, reason, user_id, user_name, user_role, at, source) from stdin',
    lists,
    (r) =>
      `${copyText(newId())}\t${copyText(r.pupilId)}\t${copyText(r.date)}\t${copyText(r.session)}\t${copyText(r.previous?.code ?? null)}\t${copyText(r.code)}\t${copyText(r.previous?.minutesLate ?? null)}\t${copyText(r.minutesLate)}${tail}`,
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
  rows: readonly BulkMark[],
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
      insert.run(r.pupilId, r.date, r.session, r.code, r.minutesLate, updatedAt, updatedBy);
    }
  }
}

/**
 * Inserts the history of the lists' marks with the same author for all (SQLite), as
 * sqliteInsertMarks does; `newId` makes each row's id, in the lists' order.
 */
export async function sqliteInsertHistory(
  handle: SQLite.Database,
  lists: readonly (readonly BulkMark[])[],
  author: HistoryAuthor,
  newId: () => string,
): Promise<void> {
  if (lists.every((l) => l.length === 0)) return;
  inTransaction(handle);
  const insert = handle.prepare(
    `insert into mark_history (id, pupil_id, date, session, previous_code, new_code, previous_minutes_late,
      new_minutes_late, reason, user_id, user_name, user_role, at, source) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const a = author;
  let written = 0;
  for (const rows of lists) {
    for (let i = 0; i < rows.length; i += SQLITE_SLICE) {
      if (written > 0) {
        await yieldToEventLoop();
        inTransaction(handle);
      }
      const end = Math.min(rows.length, i + SQLITE_SLICE);
      for (let j = i; j < end; j++) {
        const r = rows[j]!;
        insert.run(
          newId(),
          r.pupilId,
          r.date,
          r.session,
          r.previous?.code ?? null,
          r.code,
          r.previous?.minutesLate ?? null,
          r.minutesLate,
          a.reason,
          a.user_id,
          a.user_name,
          a.user_role,
          a.at,
          a.source,
        );
      }
      written += end - i;
    }
  }
}
