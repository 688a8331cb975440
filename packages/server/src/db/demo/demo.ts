/**
 * Queries of the demo trust (services/demo): whether the database is empty, the demo's accounts,
 * and the bulk writer the demo's rows go through (services/demo/demo.ts builds the rows, table by
 * table, inside {@link demoTransaction}).
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Insertable } from 'kysely';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { postgresClientOf, sqliteHandleOf, type Db, type DbOrTrx, type Trx } from '../connect.js';
import { copyText } from '../exchange/mark-bulk.js';
import type { ClosuresTable, Database, SchoolsTable, TermsTable, TrustsTable } from '../schema.js';

/** True when the database holds at least one school. */
export async function anySchoolExists(db: DbOrTrx): Promise<boolean> {
  const row = await db.selectFrom('schools').select('id').limit(1).executeTakeFirst();
  return row !== undefined;
}

/** The active accounts among `emails`, as `{ role, email }` (emails compared as stored, lower case). */
export async function activeAccountsByEmail(
  db: DbOrTrx,
  emails: readonly string[],
): Promise<{ role: string; email: string }[]> {
  if (emails.length === 0) return [];
  return db
    .selectFrom('users')
    .select(['role', 'email'])
    .where('email', 'in', [...emails])
    .where('disabled', '=', 0)
    .execute();
}

// ---------------------------------------------------------------------------------------------
// Batched inserts

/** Rows per INSERT statement. */
const ROWS_PER_STATEMENT = 500;
/** SQLite's default limit on bound variables per statement (PostgreSQL allows 65,535). */
const MAX_VARIABLES = 32_766;

type SqliteHandle = NonNullable<ReturnType<typeof sqliteHandleOf>>;

/** What an insert builder gives: its compiled SQL and parameters (structurally, Kysely's CompiledQuery). */
interface Compiled {
  readonly sql: string;
  readonly parameters: readonly unknown[];
}

/**
 * Writes rows (all with the same keys, in the same order): on SQLite inside the demo's transaction
 * through statements prepared on the handle ({@link insertOnHandle}), on PostgreSQL inside it by
 * COPY ({@link copyAll}), otherwise in statements of at most 500 rows and
 * {@link MAX_VARIABLES} values. Building and compiling a Kysely query tree for every batch took
 * about a quarter of the demo's time, so the statement for a full batch is compiled once and
 * re-run with each batch's values (row by row, column by column: the order Kysely binds them
 * in, checked against the first compiled batch, else every batch is compiled).
 */
async function insertAll<T extends object, Q extends Compiled & Parameters<DbOrTrx['executeQuery']>[0]>(
  db: DbOrTrx,
  rows: Iterable<T>,
  build: (batch: T[]) => { compile(): Q },
  table?: DemoBulkTable,
): Promise<number> {
  const raw = rawSqlite.get(db);
  if (raw) {
    const done = insertOnHandle(raw, rows, build);
    if (typeof done === 'number') return done;
    rows = done.rows;
  }
  const client = postgresClients.get(db);
  if (client && table) return copyAll(client, table, rows);
  let batch: T[] = [];
  let size = ROWS_PER_STATEMENT;
  let n = 0;
  let reusable: Q | undefined;
  const flatten = (b: readonly T[]): unknown[] => {
    const out: unknown[] = [];
    for (const row of b) for (const v of Object.values(row)) out.push(v ?? null);
    return out;
  };
  const run = async (b: T[]): Promise<void> => {
    if (reusable && b.length === size) {
      await db.executeQuery({ ...reusable, parameters: flatten(b) });
    } else {
      const compiled = build(b).compile();
      if (b.length === size && reusable === undefined) {
        const params = flatten(b);
        const same =
          params.length === compiled.parameters.length && params.every((v, i) => v === compiled.parameters[i]);
        if (same) reusable = compiled;
      }
      await db.executeQuery(compiled);
    }
    n += b.length;
  };
  for (const row of rows) {
    if (batch.length === 0 && n === 0)
      size = Math.max(1, Math.min(ROWS_PER_STATEMENT, Math.floor(MAX_VARIABLES / Object.keys(row).length)));
    batch.push(row);
    if (batch.length >= size) {
      await run(batch);
      batch = [];
    }
  }
  if (batch.length > 0) await run(batch);
  return n;
}

/**
 * On SQLite, the demo's transaction and the driver's handle under it: rows go through statements
 * prepared once on the handle (Kysely compiles nothing per batch and builds no 7,500-value arrays).
 */
const rawSqlite = new WeakMap<object, SqliteHandle>();

/**
 * Rows per prepared statement on SQLite. One row per statement was about a quarter faster than
 * 500-row statements (decision 0004), and 100-row statements are faster again: a call into the
 * driver for every 100 rows rather than every row. On the demo's 400,000 rows of marks and
 * history (issue 18, docs/demo.md): 1.44–1.56 s of CPU a row at a time, 1.27–1.32 s at 100
 * rows, 1.0–1.14 s with the rows also in the order of their keys (25 rows was slower).
 */
const SQLITE_ROWS_PER_STATEMENT = 100;

/**
 * Writes every row through two statements prepared on the SQLite handle: one of up to
 * {@link SQLITE_ROWS_PER_STATEMENT} rows for full batches and one of a single row for the rest.
 * Both are Kysely's own (compiled from the first row), used only if Kysely binds the values row
 * by row in the order of the first row's keys; every row's values are read by those keys. When it
 * cannot, nothing is written and the rows come back, whole, for the batched way.
 */
function insertOnHandle<T extends object>(
  raw: SqliteHandle,
  rows: Iterable<T>,
  build: (batch: T[]) => { compile(): Compiled },
): number | { readonly rows: Iterable<T> } {
  const it = rows[Symbol.iterator]();
  const first = it.next();
  if (first.done) return 0;
  const keys = Object.keys(first.value) as (keyof T)[];
  const width = keys.length;
  const per = Math.max(1, Math.min(SQLITE_ROWS_PER_STATEMENT, Math.floor(MAX_VARIABLES / Math.max(1, width))));
  const valuesOf = (row: T): unknown[] => keys.map((k) => row[k] ?? null);
  const firstValues = valuesOf(first.value);
  const single = build([first.value]).compile();
  const many = per > 1 ? build(new Array<T>(per).fill(first.value)).compile() : single;
  const binds = (c: Compiled, times: number): boolean =>
    c.parameters.length === width * times && c.parameters.every((v, i) => (v ?? null) === firstValues[i % width]);
  if (!binds(single, 1) || !binds(many, per)) {
    return {
      rows: (function* () {
        yield first.value;
        for (let r = it.next(); !r.done; r = it.next()) yield r.value;
      })(),
    };
  }
  const one = raw.prepare(single.sql);
  const batch = raw.prepare(many.sql);
  const values = new Array<unknown>(width * per);
  let filled = 0;
  let n = 0;
  const add = (row: T): void => {
    const at = filled * width;
    for (let j = 0; j < width; j++) values[at + j] = row[keys[j]!] ?? null;
    if (++filled === per) {
      batch.run(values);
      filled = 0;
    }
    n++;
  };
  add(first.value);
  for (let r = it.next(); !r.done; r = it.next()) add(r.value);
  for (let i = 0; i < filled; i++) one.run(values.slice(i * width, (i + 1) * width));
  return n;
}

/**
 * On PostgreSQL, the demo's transaction and the pool client it runs on: rows go by COPY, as an
 * import's marks do (db/exchange/mark-bulk.ts), with no statement to plan and no values to bind.
 */
const postgresClients = new WeakMap<object, pg.PoolClient>();

/** Rows per piece of COPY text handed to the stream. */
const COPY_PIECE = 4_000;

/**
 * Streams rows (every row with the keys of the first, in its order) into `table` with COPY on
 * the transaction's client, in COPY's text format; returns how many were written.
 */
async function copyAll<T extends object>(
  client: pg.PoolClient,
  table: DemoBulkTable,
  rows: Iterable<T>,
): Promise<number> {
  const it = rows[Symbol.iterator]();
  const first = it.next();
  if (first.done) return 0;
  const keys = Object.keys(first.value) as (keyof T)[];
  const line = (row: T): string => {
    let text = '';
    for (let j = 0; j < keys.length; j++) {
      if (j > 0) text += '\t';
      text += copyText((row[keys[j]!] ?? null) as string | number | null);
    }
    return `${text}\n`;
  };
  let n = 0;
  function* pieces(): Generator<string> {
    let text = line(first.value as T);
    n = 1;
    let inPiece = 1;
    for (let r = it.next(); !r.done; r = it.next()) {
      text += line(r.value);
      n++;
      if (++inPiece === COPY_PIECE) {
        yield text;
        text = '';
        inPiece = 0;
      }
    }
    if (text !== '') yield text;
  }
  const columns = keys.map((k) => `"${String(k)}"`).join(', ');
  await pipeline(Readable.from(pieces()), client.query(copyFrom(`copy "${table}" (${columns}) from stdin`)));
  return n;
}

/**
 * SQLite's page cache during the demo's transaction, in KiB (the default is 2 MiB): the indexes
 * of marks and history outgrow it within the first school, and a page pushed out of the cache
 * mid-transaction is written to the WAL and read back. Set back to what it was afterwards.
 */
const DEMO_CACHE_KIB = 256 * 1024;

/**
 * Runs `write` in one transaction for the whole demo. On SQLite the driver's handle is kept for
 * {@link insertDemoRows}, which then writes through statements prepared on it, with a larger
 * page cache for the transaction; on PostgreSQL the transaction's pool client, for COPY.
 */
export async function demoTransaction<T>(db: Db, write: (trx: Trx) => Promise<T>): Promise<T> {
  const handle = sqliteHandleOf(db);
  const cache = handle?.pragma('cache_size', { simple: true }) as number | undefined;
  if (handle) handle.pragma(`cache_size = ${-DEMO_CACHE_KIB}`);
  try {
    return await db.transaction().execute(async (trx) => {
      if (handle) rawSqlite.set(trx, handle);
      const client = handle ? undefined : await postgresClientOf(db, trx);
      if (client) postgresClients.set(trx, client);
      return write(trx);
    });
  } finally {
    if (handle && cache !== undefined) handle.pragma(`cache_size = ${Number(cache)}`);
  }
}

/** The tables the demo writes in bulk. */
export type DemoBulkTable =
  | 'groups'
  | 'users'
  | 'group_staff'
  | 'lessons'
  | 'pupils'
  | 'contacts'
  | 'group_members'
  | 'parent_links'
  | 'registers'
  | 'session_marks'
  | 'lesson_marks'
  | 'mark_history';

/**
 * Writes the demo's rows of one table (every row with the same keys in the same order) inside
 * {@link demoTransaction}: through statements prepared on the handle on SQLite, by COPY on
 * PostgreSQL, else in batches; returns how many were written.
 */
export async function insertDemoRows<T extends DemoBulkTable>(
  trx: DbOrTrx,
  table: T,
  rows: Iterable<Insertable<Database[T]>>,
): Promise<number> {
  // The cast only names one table for the query builder, whose types cannot follow a table chosen at run time.
  return insertAll(
    trx,
    rows,
    (b) => trx.insertInto(table as 'groups').values(b as Insertable<Database['groups']>[]),
    table,
  );
}

export async function insertTrust(trx: DbOrTrx, values: Insertable<TrustsTable>): Promise<void> {
  await trx.insertInto('trusts').values(values).execute();
}

export async function insertSchool(trx: DbOrTrx, values: Insertable<SchoolsTable>): Promise<void> {
  await trx.insertInto('schools').values(values).execute();
}

/** A school's terms, in one statement. */
export async function insertTerms(trx: DbOrTrx, rows: readonly Insertable<TermsTable>[]): Promise<void> {
  await trx
    .insertInto('terms')
    .values([...rows])
    .execute();
}

/** A school's closures, in one statement. */
export async function insertClosures(trx: DbOrTrx, rows: readonly Insertable<ClosuresTable>[]): Promise<void> {
  await trx
    .insertInto('closures')
    .values([...rows])
    .execute();
}
