/**
 * Queries of the demo trust (services/demo): whether the database is empty, the demo's accounts,
 * and the bulk writer the demo's rows go through (services/demo/demo.ts builds the rows, table by
 * table, inside {@link demoTransaction}).
 */
import type { Insertable } from 'kysely';
import { sqliteHandleOf, type Db, type DbOrTrx, type Trx } from '../connect.js';
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
 * Writes rows (all with the same keys, in the same order) in statements of at most 500 rows and
 * {@link MAX_VARIABLES} values. Building and compiling a Kysely query tree for every batch took
 * about a quarter of the demo's time, so the statement for a full batch is compiled once and
 * re-run with each batch's values (row by row, column by column: the order Kysely binds them
 * in, checked against the first compiled batch, else every batch is compiled).
 */
async function insertAll<T extends object, Q extends Compiled & Parameters<DbOrTrx['executeQuery']>[0]>(
  db: DbOrTrx,
  rows: Iterable<T>,
  build: (batch: T[]) => { compile(): Q },
): Promise<number> {
  const raw = rawSqlite.get(db);
  if (raw) {
    const done = insertOneByOne(raw, rows, build);
    if (typeof done === 'number') return done;
    rows = done.rows;
  }
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
 * On SQLite, the demo's transaction and the driver's handle under it: rows are written one by one
 * through one prepared statement, which SQLite takes about a quarter faster than 500-row
 * statements (measured on 200,000 history rows; decision 0004), with no 7,500-value arrays to build.
 */
const rawSqlite = new WeakMap<object, SqliteHandle>();

/**
 * Writes every row through one prepared single-row INSERT on the SQLite handle (the statement is
 * Kysely's own for one row, used only if it binds the row's values in key order). When it cannot,
 * nothing is written and the rows come back, whole, for the batched way.
 */
function insertOneByOne<T extends object>(
  raw: SqliteHandle,
  rows: Iterable<T>,
  build: (batch: T[]) => { compile(): Compiled },
): number | { readonly rows: Iterable<T> } {
  const it = rows[Symbol.iterator]();
  const first = it.next();
  if (first.done) return 0;
  const firstValues = Object.values(first.value).map((v: unknown) => v ?? null);
  const compiled = build([first.value]).compile();
  const same =
    firstValues.length === compiled.parameters.length && firstValues.every((v, i) => v === compiled.parameters[i]);
  if (!same) {
    return {
      rows: (function* () {
        yield first.value;
        for (let r = it.next(); !r.done; r = it.next()) yield r.value;
      })(),
    };
  }
  const statement = raw.prepare(compiled.sql);
  statement.run(firstValues);
  let n = 1;
  for (let r = it.next(); !r.done; r = it.next()) {
    statement.run(Object.values(r.value).map((v: unknown) => v ?? null));
    n++;
  }
  return n;
}

/**
 * Runs `write` in one transaction for the whole demo; on SQLite the driver's handle is kept for
 * {@link insertDemoRows}, which then writes row by row through one prepared statement.
 */
export async function demoTransaction<T>(db: Db, write: (trx: Trx) => Promise<T>): Promise<T> {
  const handle = sqliteHandleOf(db);
  return db.transaction().execute(async (trx) => {
    if (handle) rawSqlite.set(trx, handle);
    return write(trx);
  });
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
 * Writes the demo's rows of one table (every row with the same keys in the same order) in
 * batches, or row by row on SQLite inside {@link demoTransaction}; returns how many were written.
 */
export async function insertDemoRows<T extends DemoBulkTable>(
  trx: DbOrTrx,
  table: T,
  rows: Iterable<Insertable<Database[T]>>,
): Promise<number> {
  // The cast only names one table for the query builder, whose types cannot follow a table chosen at run time.
  return insertAll(trx, rows, (b) => trx.insertInto(table as 'groups').values(b as Insertable<Database['groups']>[]));
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
