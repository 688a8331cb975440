/** Opening the database (SQLite by default, PostgreSQL when configured) and migrating it. */
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import {
  Kysely,
  Migrator,
  PostgresDialect,
  SqliteDialect,
  sql,
  type Migration,
  type MigrationProvider,
  type Transaction,
} from 'kysely';
import pg from 'pg';
import type { Config } from '../config/config.js';
import * as initial from './migrations/2026-11-25T00-00-00_initial.js';
import * as firstDayResponse from './migrations/2026-11-26T00-00-00_first-day-response.js';
import * as addresses from './migrations/2026-11-27T00-00-00_addresses.js';
import * as casework from './migrations/2026-11-28T00-00-00_casework.js';
import * as letters from './migrations/2026-11-28T01-00-00_letters.js';
import * as duties from './migrations/2026-11-28T03-00-00_duties.js';
import * as integrations from './migrations/2026-11-28T04-00-00_integrations.js';
import * as integrationPeriods from './migrations/2026-11-28T05-00-00_integration-periods.js';
import * as schoolDetails from './migrations/2026-11-28T06-00-00_school-details.js';
import * as cohortSnapshots from './migrations/2026-11-28T07-00-00_cohort-snapshots.js';
import * as retentionCounts from './migrations/2026-11-28T08-00-00_retention-counts.js';
import * as accounts from './migrations/2026-11-28T09-00-00_accounts.js';
import * as jobScope from './migrations/2026-12-07T09-00-00_job-scope.js';
import * as lettersFitToPost from './migrations/2026-12-07T12-00-00_letters-fit-to-post.js';
import * as ctf from './migrations/2026-12-07T13-00-00_ctf.js';
import * as trustAndSafety from './migrations/2026-12-07T14-00-00_trust-and-safety.js';
import * as signInThrottle from './migrations/2026-12-07T15-00-00_sign-in-throttle.js';
import * as mfa from './migrations/2026-12-07T15-10-00_mfa.js';
import * as sso from './migrations/2026-12-07T15-20-00_sso.js';
import * as rollCalls from './migrations/2026-12-07T16-00-00_roll-calls.js';
import * as webhooks from './migrations/2026-12-07T18-00-00_webhooks.js';
import * as schoolCodesAdmissionDetails from './migrations/2026-12-07T19-00-00_school-codes-admission-details.js';
import * as ctfSent from './migrations/2026-12-07T19-10-00_ctf-sent.js';
import * as letterFrames from './migrations/2026-12-08T02-00-00_letter-frames.js';
import * as webhookSecretRotation from './migrations/2026-12-08T04-00-00_webhook-secret-rotation.js';
import * as cohortSnapshotFigures from './migrations/2026-12-08T10-00-00_cohort-snapshot-figures.js';
import * as cohortSnapshotPupilCounts from './migrations/2026-12-08T11-00-00_cohort-snapshot-pupil-counts.js';
import type { Database } from './schema.js';

const require = createRequire(import.meta.url);

export type Db = Kysely<Database>;
export type Trx = Transaction<Database>;
/** A database handle or a transaction: repositories accept either. */
export type DbOrTrx = Kysely<Database> | Transaction<Database>;

export type Dialect = 'sqlite' | 'postgres';

export interface OpenDatabase {
  readonly db: Db;
  readonly dialect: Dialect;
  close(): Promise<void>;
}

/** Every migration, in order. Names are ISO-timestamped and never change. */
const MIGRATIONS: Record<string, Migration> = {
  '2026-11-25T00-00-00_initial': initial,
  '2026-11-26T00-00-00_first-day-response': firstDayResponse,
  '2026-11-27T00-00-00_addresses': addresses,
  '2026-11-28T00-00-00_casework': casework,
  '2026-11-28T01-00-00_letters': letters,
  '2026-11-28T03-00-00_duties': duties,
  '2026-11-28T04-00-00_integrations': integrations,
  '2026-11-28T05-00-00_integration-periods': integrationPeriods,
  '2026-11-28T06-00-00_school-details': schoolDetails,
  '2026-11-28T07-00-00_cohort-snapshots': cohortSnapshots,
  '2026-11-28T08-00-00_retention-counts': retentionCounts,
  '2026-11-28T09-00-00_accounts': accounts,
  '2026-12-07T09-00-00_job-scope': jobScope,
  '2026-12-07T12-00-00_letters-fit-to-post': lettersFitToPost,
  '2026-12-07T13-00-00_ctf': ctf,
  '2026-12-07T14-00-00_trust-and-safety': trustAndSafety,
  '2026-12-07T15-00-00_sign-in-throttle': signInThrottle,
  '2026-12-07T15-10-00_mfa': mfa,
  '2026-12-07T15-20-00_sso': sso,
  '2026-12-07T16-00-00_roll-calls': rollCalls,
  '2026-12-07T18-00-00_webhooks': webhooks,
  '2026-12-07T19-00-00_school-codes-admission-details': schoolCodesAdmissionDetails,
  '2026-12-07T19-10-00_ctf-sent': ctfSent,
  '2026-12-08T02-00-00_letter-frames': letterFrames,
  '2026-12-08T04-00-00_webhook-secret-rotation': webhookSecretRotation,
  '2026-12-08T10-00-00_cohort-snapshot-figures': cohortSnapshotFigures,
  '2026-12-08T11-00-00_cohort-snapshot-pupil-counts': cohortSnapshotPupilCounts,
};

const provider: MigrationProvider = {
  getMigrations: () => Promise.resolve(MIGRATIONS),
};

/**
 * The better-sqlite3 handle under each SQLite Kysely instance opened here, for the few hot paths
 * that run prepared statements directly (db/registers/register-batch.ts). Use it only while
 * holding Kysely's connection (`db.connection().execute(…)`), so that no Kysely transaction is
 * open on it at the same time.
 */
const sqliteHandles = new WeakMap<Db, SQLite.Database>();

export function sqliteHandleOf(db: Db): SQLite.Database | undefined {
  return sqliteHandles.get(db);
}

/**
 * On PostgreSQL, a second Kysely instance over its own two connections for register saves
 * (db/registers/register-batch.ts): at 8:50 every request's reads queue for the shared pool,
 * and a batch of saves waiting behind them all would keep every teacher waiting.
 */
const postgresWriters = new WeakMap<Db, Db>();

export function postgresWriterOf(db: Db): Db | undefined {
  return postgresWriters.get(db);
}

/** The writer's own pool (its two connections), for statements it names (register-batch.ts). */
const postgresWriterPools = new WeakMap<Db, pg.Pool>();

export function postgresWriterPoolOf(db: Db): pg.Pool | undefined {
  return postgresWriterPools.get(db);
}

/**
 * On PostgreSQL, the pool under the Kysely instance: db/prepared.ts runs the statements every
 * request runs on it as named (server-side prepared) statements, planned once per connection.
 */
const postgresPools = new WeakMap<Db, pg.Pool>();

export function postgresPoolOf(db: DbOrTrx): pg.Pool | undefined {
  return postgresPools.get(db);
}

/**
 * The pools' connections stay open once made (no idle timeout): a connection made at 8:50 costs
 * a new PostgreSQL backend and loses the statements prepared on the old one, and a school's quiet
 * minutes between lessons would otherwise close them every time.
 */
const POOL_SIZE = 10;

/**
 * On PostgreSQL, the pool's clients by their server process id, for bulk writes that stream rows
 * with COPY (db/exchange/mark-bulk.ts): Kysely runs a transaction on one client but does not
 * hand it out, so the writer asks the server which process it is talking to and finds it here.
 */
const postgresClients = new WeakMap<Db, Map<number, pg.PoolClient>>();

/** The pool client a transaction of `db` runs on (PostgreSQL), or undefined. */
export async function postgresClientOf(db: Db, trx: DbOrTrx): Promise<pg.PoolClient | undefined> {
  const clients = postgresClients.get(db);
  if (!clients) return undefined;
  const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx);
  return clients.get(Number(rows[0]?.pid));
}

/** The server process id node-postgres keeps from the connection's BackendKeyData. */
function processIdOf(client: pg.PoolClient): number | undefined {
  const id = (client as unknown as { processID?: unknown }).processID;
  return typeof id === 'number' ? id : undefined;
}

/** How often the SQLite write-ahead log is checkpointed into the database file. */
const CHECKPOINT_EVERY_MS = 2_000;

/**
 * How long a request waits for a PostgreSQL connection (a new one to be opened, or a busy pool's
 * to be free) before it fails with an error page: a database that does not answer (a network
 * cut, a failover in progress) must not leave teachers' pages loading for ever.
 */
export const CONNECT_TIMEOUT_MS = 15_000;

export interface OpenOptions {
  /** Where a PostgreSQL connection closed by the server is reported (the process's logger). */
  readonly logger?: { warn(fields: object, message: string): void };
  /** {@link CONNECT_TIMEOUT_MS} unless given (tests). */
  readonly connectTimeoutMs?: number;
}

/**
 * A connection that PostgreSQL closes (a restart, a failover, an administrator's
 * `pg_terminate_backend`, a network cut) is reported here and dropped; the pool opens a new one
 * for the next query. Each connection listens for its own errors from the moment it is opened,
 * whether it sits idle in the pool or is held between two statements (a scheduled job holds one
 * for its advisory lock; a transaction holds one while the server works between its statements):
 * pg emits 'error' on a connection that fails with no statement running, and with no listener
 * that ends the process, taking every save in flight with it. The pool's own 'error' event
 * repeats an idle connection's error and is heard too (silently: the connection's listener has
 * logged it). A statement running when its connection is closed fails on its own, as before.
 * Only the error's code and message are logged (never the URL).
 */
function reportConnectionErrors(pool: pg.Pool, which: string, logger: OpenOptions['logger']): void {
  pool.on('connect', (client) => {
    // Once per connection: a connection closed while held reports PostgreSQL's message and then
    // the socket's end.
    let reported = false;
    client.on('error', (e: Error & { code?: string }) => {
      if (reported) return;
      reported = true;
      logger?.warn(
        { pool: which, code: e.code, message: e.message },
        'PostgreSQL closed a connection; a new one will be opened when needed',
      );
    });
  });
  pool.on('error', () => undefined);
}

/** Opens the configured database. SQLite: WAL, foreign keys on, the folder created if needed. */
export function openDatabase(database: Config['database'], options: OpenOptions = {}): OpenDatabase {
  if (database.kind === 'postgres') {
    // Dates and timestamps are stored as text; keep bigint counts as numbers.
    pg.types.setTypeParser(20, (v) => Number(v));
    const connectionTimeoutMillis = options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS;
    const pool = new pg.Pool({
      connectionString: database.url,
      max: POOL_SIZE,
      idleTimeoutMillis: 0,
      connectionTimeoutMillis,
    });
    reportConnectionErrors(pool, 'main', options.logger);
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    const clients = new Map<number, pg.PoolClient>();
    pool.on('connect', (client) => {
      const id = processIdOf(client);
      if (id !== undefined) clients.set(id, client);
    });
    pool.on('remove', (client) => {
      const id = processIdOf(client);
      if (id !== undefined && clients.get(id) === client) clients.delete(id);
    });
    postgresClients.set(db, clients);
    // Two connections: two batches of saves may be in flight at once (register-batch.ts).
    // Its write is a named statement kept on a generic plan, made perhaps while the tables were
    // small: with sequential scans refused, its one read (the school's webhook subscriptions) goes
    // by its index whatever the table has grown to since (register-batch.ts). The writer's other
    // statement reads by key and is planned for each batch.
    const writerPool = new pg.Pool({
      connectionString: database.url,
      max: 2,
      idleTimeoutMillis: 0,
      connectionTimeoutMillis,
    });
    reportConnectionErrors(writerPool, 'writer', options.logger);
    // Sent first on each new connection (a client runs its queries in order), whatever
    // DATABASE_URL's own options are.
    writerPool.on('connect', (client) => {
      client.query('set enable_seqscan = off').catch(() => undefined);
    });
    const writer = new Kysely<Database>({ dialect: new PostgresDialect({ pool: writerPool }) });
    postgresWriters.set(db, writer);
    postgresWriterPools.set(db, writerPool);
    postgresPools.set(db, pool);
    return {
      db,
      dialect: 'postgres',
      close: async () => {
        await Promise.all([db.destroy(), writer.destroy()]);
        // Kysely ends a pool only if a query went through it; the writer's named statement goes
        // to the pool directly, so the pool is ended here if Kysely did not.
        if (!writerPool.ended) await writerPool.end();
      },
    };
  }
  if (database.path !== ':memory:') mkdirSync(dirname(database.path), { recursive: true });
  const sqlite = new SQLite(database.path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // A page cache of up to 64 MB (SQLite's default is 2 MB). The 8:50 rush changes a few pages of
  // every pupil's marks and history, thousands of pages for a large school; with the default
  // cache most of them are evicted between one batch and the next and read back from the file (a
  // system call each: about 180 reads a save in bench c's school), and changed pages spill into
  // the WAL before their transaction commits. Memory is taken only as pages are read.
  sqlite.pragma('cache_size = -65536');
  // Checkpoints (copying the WAL into the database file, with an fsync) are taken on a timer
  // rather than by whichever request happens to pass 1,000 pages: with a synchronous driver a
  // checkpoint inside a request holds up every request behind it. For a database file the timer
  // runs in a worker thread with a connection of its own, so that even the checkpoint after the
  // 8:50 rush (tens of megabytes of WAL) never stops the server answering.
  sqlite.pragma('wal_autocheckpoint = 0');
  const checkpoints = database.path === ':memory:' ? undefined : startCheckpointer(database.path);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  sqliteHandles.set(db, sqlite);
  return {
    db,
    dialect: 'sqlite',
    close: async () => {
      await checkpoints?.stop();
      await db.destroy();
    },
  };
}

/** The checkpointer's code: a CommonJS worker given the driver's resolved path. */
const CHECKPOINTER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 5000');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (e) {
    parentPort.postMessage({ error: String((e && e.message) || e) });
  }
}, workerData.everyMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/**
 * Checkpoints the WAL of a database file every CHECKPOINT_EVERY_MS from a worker thread (PASSIVE:
 * it copies what no reader still needs and never waits for writers). The worker does not keep the
 * process alive; `stop()` ends it after its current checkpoint.
 */
function startCheckpointer(path: string): { stop(): Promise<void> } {
  const worker = new Worker(CHECKPOINTER, {
    eval: true,
    workerData: { path, driver: require.resolve('better-sqlite3'), everyMs: CHECKPOINT_EVERY_MS },
  });
  worker.unref();
  // A failed checkpoint is retried at the next tick; the WAL only grows meanwhile.
  worker.on('message', () => undefined);
  worker.on('error', () => undefined);
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    async stop() {
      worker.postMessage('stop');
      const timeout = setTimeout(() => void worker.terminate(), 5_000);
      await exited;
      clearTimeout(timeout);
    },
  };
}

/**
 * Kysely prepares every statement afresh; preparing costs about as much as running a small one.
 * Statements are reused by their SQL text (Kysely runs one statement at a time per connection,
 * so reuse is safe). Bounded so that unusual one-off queries cannot grow it without end.
 */
function withStatementCache(sqlite: SQLite.Database, size = 500): SQLite.Database {
  const cache = new Map<string, SQLite.Statement>();
  const prepare = (sql: string): SQLite.Statement => {
    // After SQLITE_FULL (a full disk), SQLITE_IOERR or SQLITE_NOMEM, SQLite has already rolled
    // the transaction back by itself; Kysely's own ROLLBACK would then fail ("no transaction is
    // active") and hide the real error. Roll back only what is still open.
    if (sql === 'rollback' && !sqlite.inTransaction) sql = 'select 1 where 0';
    let stmt = cache.get(sql);
    if (!stmt) {
      stmt = sqlite.prepare(sql);
      if (cache.size >= size) cache.delete(cache.keys().next().value as string);
      cache.set(sql, stmt);
    }
    return stmt;
  };
  return new Proxy(sqlite, {
    get(target, prop, receiver) {
      if (prop === 'prepare') return prepare;
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** Brings the schema up to date; throws with the failing migration's name on error. */
export async function migrateToLatest(db: Db): Promise<string[]> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(
      `migration ${failed?.migrationName ?? '(unknown)'} failed: ${error instanceof Error ? error.message : 'unknown error'}`,
    );
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** The migrations this version has that the database has not had yet, in order (nothing is written). */
export async function pendingMigrations(db: Db): Promise<string[]> {
  const migrations = await new Migrator({ db, provider }).getMigrations();
  return migrations.filter((m) => m.executedAt === undefined).map((m) => m.name);
}

/** Undoes every migration (tests of `down`). */
export async function migrateToBottom(db: Db): Promise<void> {
  const migrator = new Migrator({ db, provider });
  for (;;) {
    const { error, results } = await migrator.migrateDown();
    if (error) throw error instanceof Error ? error : new Error('migration failed');
    if (!results || results.length === 0) return;
  }
}
