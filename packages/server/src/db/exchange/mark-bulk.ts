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

// ---------------------------------------------------------------------------------------------
// PostgreSQL: the foreign keys to pupils checked once for a year's marks, not row by row.
// ---------------------------------------------------------------------------------------------

/**
 * The foreign keys from a mark and its history to the pupil, as the initial migration made them
 * (PostgreSQL's names; NO ACTION, not deferrable).
 */
export const MARK_PUPIL_FOREIGN_KEYS = [
  { table: 'session_marks', name: 'session_marks_pupil_id_fkey' },
  { table: 'mark_history', name: 'mark_history_pupil_id_fkey' },
] as const;

/** Below this many history rows (one per new or changed mark) the row-by-row checks are cheap enough. */
export const FOREIGN_KEYS_ONCE_MIN_ROWS = 50_000;

/**
 * Checked once only while the tables hold at most this many rows for each row the import brings:
 * checking every row in one join then costs PostgreSQL a fraction of checking the import's rows
 * one by one, and the installation is a small one (a school moving in, or a second school).
 */
const HELD_PER_ROW = 2;

/** How long the import waits for the tables before it checks row by row after all. */
const FOREIGN_KEYS_LOCK_TIMEOUT = '2s';

/**
 * PostgreSQL checks a foreign key row by row (a trigger and a query per row: about half of
 * PostgreSQL's work in a year's import, docs/cli/import.md "Speed"). When an import brings many
 * rows and the tables hold at most HELD_PER_ROW times as many already (a school moving onto a new
 * installation, or a second school), the two keys to pupils are dropped inside the import's transaction and added back by
 * {@link restoreMarkPupilForeignKeys} before it commits: PostgreSQL then checks every row of
 * both tables in one join, so the constraints are valid when anyone can see the rows. Dropping
 * them locks pupils, session_marks and mark_history until the import commits (nobody else reads
 * or writes them meanwhile), which is why it is only done while the installation holds few marks;
 * if the locks are not granted within FOREIGN_KEYS_LOCK_TIMEOUT, or the database refuses
 * (another owner, other names), nothing changes and the rows are checked one by one.
 * Returns true when the keys were dropped: the caller must then call restoreMarkPupilForeignKeys
 * in the same transaction.
 */
export async function dropMarkPupilForeignKeysForBulk(
  trx: DbOrTrx,
  rows: number,
  minRows = FOREIGN_KEYS_ONCE_MIN_ROWS,
): Promise<boolean> {
  if (rows < minRows) return false;
  // Counted only as far as the limit: on a large installation this stops early.
  const limit = HELD_PER_ROW * rows;
  const held = await sql<{ marks: number; history: number }>`select
      (select count(*) from (select 1 from session_marks limit ${limit + 1}) m)::int as marks,
      (select count(*) from (select 1 from mark_history limit ${limit + 1}) h)::int as history`.execute(trx);
  const r = held.rows[0];
  if (!r || r.marks > limit || r.history > limit) return false;
  const previous = await sql<{ t: string }>`select current_setting('lock_timeout') as t`.execute(trx);
  await sql`savepoint rollcall_mark_fk`.execute(trx);
  try {
    await sql`select set_config('lock_timeout', ${FOREIGN_KEYS_LOCK_TIMEOUT}, true)`.execute(trx);
    for (const fk of MARK_PUPIL_FOREIGN_KEYS) {
      await sql`alter table ${sql.table(fk.table)} drop constraint ${sql.ref(fk.name)}`.execute(trx);
    }
    await sql`select set_config('lock_timeout', ${previous.rows[0]?.t ?? '0'}, true)`.execute(trx);
    await sql`release savepoint rollcall_mark_fk`.execute(trx);
    return true;
  } catch {
    // Not granted in time, or not ours to alter: as it was, and row by row.
    await sql`rollback to savepoint rollcall_mark_fk`.execute(trx);
    await sql`release savepoint rollcall_mark_fk`.execute(trx);
    return false;
  }
}

/** Adds back the keys dropMarkPupilForeignKeysForBulk dropped, checking every row once. */
export async function restoreMarkPupilForeignKeys(trx: DbOrTrx): Promise<void> {
  for (const fk of MARK_PUPIL_FOREIGN_KEYS) {
    await sql`alter table ${sql.table(fk.table)} add constraint ${sql.ref(fk.name)}
      foreign key (pupil_id) references pupils (id)`.execute(trx);
  }
}
