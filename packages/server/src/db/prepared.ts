/**
 * Queries built with Kysely once and then run many times. Kysely builds and compiles a query
 * afresh on every call; for a query with joins and a long select list that costs ten times what
 * SQLite takes to run it (about 300 µs against 36 µs for a register's group, school and pupils).
 * The few queries every register save runs are built once per database with a marker in place
 * of each parameter, and later calls only put the values where the markers were.
 *
 *   const findX = prepared((db, p: { id: string }) => db.selectFrom('x').selectAll().where('id', '=', p.id));
 *   const rows = await findX(db, { id });
 *
 * Only plain values may be parameters (no arrays: `in` lists expand to a different statement).
 *
 * On SQLite, when no transaction is open on the connection, the statement runs straight on the
 * better-sqlite3 handle: it is synchronous, so nothing can interleave with it, and it saves the
 * promises of Kysely's connection lock (a third of the cost of these small queries).
 *
 * On PostgreSQL, outside a transaction, it runs on the pool as a named statement: each connection
 * parses it once and, after a few runs, keeps a generic plan, where an unnamed statement is parsed
 * and planned on every call. Planning the session's query (joins and an `exists`) cost PostgreSQL
 * more than running it: ~0.25 ms a request, measured with pg_stat_statements in the 8:50 rush.
 * Inside a transaction it runs through Kysely (on the transaction's connection) as any query does.
 *
 * `gathered` (below) puts the callers of one turn of the event loop into one statement on
 * PostgreSQL: the session, the register's group and school, and its pupils on roll, which every
 * register save asks.
 */
import type SQLite from 'better-sqlite3';
import { CompiledQuery, type Compilable } from 'kysely';
import type pg from 'pg';
import { postgresPoolOf, sqliteHandleOf, type DbOrTrx } from './connect.js';

const MARK = '\u0000rollcall-parameter:';

/**
 * A statement's parameters. Arrays only in statements that run on PostgreSQL alone, as one
 * parameter (`= any(${p.ids}::text[])`, `unnest(…)`): the statements `gathered` sends.
 */
type Params = Record<string, string | number | null | readonly string[]>;

interface Built {
  readonly sql: string;
  /** For each parameter of the statement, the name of the value to put there, or a constant. */
  readonly slots: readonly ({ name: string } | { value: unknown })[];
  /** SQLite: the driver's handle and the statement prepared on it. */
  readonly sqlite?: { readonly handle: SQLite.Database; readonly statement: SQLite.Statement };
  /** PostgreSQL: the pool and the statement's name on each of its connections. */
  readonly postgres?: { readonly pool: pg.Pool; readonly name: string };
}

/** Names the statements prepared on PostgreSQL connections (one per query and database). */
let statementCount = 0;

export function prepared<P extends Params, R>(
  build: (db: DbOrTrx, params: P) => Compilable<R>,
): (db: DbOrTrx, params: P) => Promise<R[]> {
  const built = new WeakMap<object, Built>();
  return async (db, params) => {
    // A transaction compiles like its database; the first one seen builds the statement.
    let b = built.get(db);
    if (!b) {
      const markers = new Proxy({} as P, {
        get: (_target, name) => (typeof name === 'string' ? `${MARK}${name}` : undefined),
      });
      const compiled = build(db, markers).compile();
      const handle = sqliteHandleOf(db);
      const statement = handle?.prepare(compiled.sql);
      b = {
        sql: compiled.sql,
        slots: compiled.parameters.map((v) =>
          typeof v === 'string' && v.startsWith(MARK) ? { name: v.slice(MARK.length) } : { value: v },
        ),
        ...(handle && statement?.reader ? { sqlite: { handle, statement } } : {}),
      };
      const pool = postgresPoolOf(db);
      if (pool) b = { ...b, postgres: { pool, name: `rollcall_prepared_${++statementCount}` } };
      built.set(db, b);
    }
    const values = b.slots.map((s) => ('name' in s ? params[s.name] : s.value));
    if (b.sqlite && !b.sqlite.handle.inTransaction) return b.sqlite.statement.all(values) as R[];
    if (b.postgres) {
      const result = await b.postgres.pool.query<R & pg.QueryResultRow>({ name: b.postgres.name, text: b.sql, values });
      return result.rows;
    }
    const result = await db.executeQuery<R>(CompiledQuery.raw(b.sql, values));
    return result.rows;
  };
}

/**
 * A prepared query that callers in the same turn of the event loop share on PostgreSQL. At 8:50
 * two hundred requests arrive together and each ran the same few statements (its session, its
 * register's group and school, its pupils): 600 round trips a rush, and in the rush's profile
 * node-postgres writing and reading them was about half the server's CPU (the `writev` of each
 * statement a quarter by itself), PostgreSQL paying for each on its side as well. Gathered, every
 * caller of a turn waits for the turn to end (`setImmediate`) and one statement answers them all,
 * its rows handed back by key.
 *
 * - `one`: the statement for one caller, run as it is on SQLite (synchronous there: gathering
 *   would save nothing) and inside a transaction (its own connection, its own snapshot).
 * - `many`: the same statement for many callers (PostgreSQL only), given each parameter as an
 *   array (callers with the same key asked once); every row it returns names its caller's key.
 *
 * Every caller asked before the statement was sent, so no one is answered from a read older than
 * its call; nothing is kept after it. When the statement fails, each caller is asked on its own
 * (`one`), so a failure is only the caller's whose parameters caused it.
 */
export function gathered<P extends Record<string, string>, R, M extends R>(spec: {
  one: (db: DbOrTrx, params: P) => Promise<R[]>;
  many: (db: DbOrTrx, params: NoInfer<{ [K in keyof P]: string[] }>) => Promise<M[]>;
  /** The key of a caller's parameters, and of the caller a row of `many` belongs to (the same string). */
  keyOf: (params: NoInfer<P>) => string;
  rowKey: (row: NoInfer<M>) => string;
}): (db: DbOrTrx, params: P) => Promise<R[]> {
  const waiting = new WeakMap<object, Map<string, Waiter<P, R>>>();
  return (db, params) => {
    if (!postgresPoolOf(db)) return spec.one(db, params);
    let turn = waiting.get(db);
    if (!turn) {
      turn = new Map();
      waiting.set(db, turn);
      const callers = turn;
      setImmediate(() => {
        waiting.delete(db);
        void runGathered<P, R, M>(db, spec, callers);
      });
    }
    const key = spec.keyOf(params);
    let w = turn.get(key);
    if (!w) {
      let resolve!: (rows: R[]) => void;
      let reject!: (error: unknown) => void;
      const rows = new Promise<R[]>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      w = { params, rows, resolve, reject };
      turn.set(key, w);
    }
    // Each caller its own array (callers may sort what they are given).
    return w.rows.then((rows) => rows.slice());
  };
}

interface Waiter<P, R> {
  readonly params: P;
  readonly rows: Promise<R[]>;
  readonly resolve: (rows: R[]) => void;
  readonly reject: (error: unknown) => void;
}

async function runGathered<P extends Record<string, string>, R, M extends R>(
  db: DbOrTrx,
  spec: {
    one: (db: DbOrTrx, params: P) => Promise<R[]>;
    many: (db: DbOrTrx, params: { [K in keyof P]: string[] }) => Promise<M[]>;
    rowKey: (row: M) => string;
  },
  callers: Map<string, Waiter<P, R>>,
): Promise<void> {
  const all = [...callers.values()];
  // A caller alone in its turn (a register saved while the school is quiet) is asked with the
  // one-key statement: PostgreSQL keeps a generic plan of it after a few runs, where the arrays'
  // statement is planned afresh each time for how many keys it is given (about 0.5 ms a save for
  // the pupils on roll, measured in bench c's spread saves).
  if (all.length === 1) {
    const w = all[0]!;
    await spec.one(db, w.params).then(w.resolve, w.reject);
    return;
  }
  const arrays: Record<string, string[]> = {};
  for (const name of Object.keys(all[0]?.params ?? {})) arrays[name] = all.map((w) => w.params[name] ?? '');
  try {
    const rows = await spec.many(db, arrays as { [K in keyof P]: string[] });
    const byKey = new Map<string, R[]>();
    for (const r of rows) {
      const k = spec.rowKey(r);
      const list = byKey.get(k);
      if (list) list.push(r);
      else byKey.set(k, [r]);
    }
    for (const [k, w] of callers) w.resolve(byKey.get(k) ?? []);
  } catch {
    // One caller's parameters can fail the statement for all (PostgreSQL refuses a NUL in text,
    // and a register's group id comes from the URL): each caller is then asked on its own, so a
    // failure stays with the caller that caused it. If the database itself is failing, each
    // caller gets its own failure.
    await Promise.all(all.map((w) => spec.one(db, w.params).then(w.resolve, w.reject)));
  }
}
