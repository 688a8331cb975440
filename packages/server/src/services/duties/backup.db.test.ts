import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seedSmallSchool } from '../../../test/fixtures.js';
import { runBackup, runRestore } from '../../cli/backup.js';
import type { CliIO } from '../../cli/io.js';
import { migrateToLatest, openDatabase, type Db } from '../../db/connect.js';
import { holdServerLock, serverLockPath } from '../../platform/server-lock.js';

function capture(): CliIO & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    stdout: (t: string) => {
      io.out += t;
    },
    stderr: (t: string) => {
      io.err += t;
    },
    today: () => '2025-09-08' as never,
  };
  return io;
}

/** Every row of every table, in a stable order: what "the same database" means here. */
async function everything(db: Db): Promise<Record<string, unknown[]>> {
  const tables = (await db.introspection.getTables()).map((t) => t.name).sort();
  const out: Record<string, unknown[]> = {};
  for (const t of tables) {
    const rows = (await sql<Record<string, unknown>>`select * from ${sql.table(t)}`.execute(db)).rows;
    out[t] = rows.map((r) => JSON.stringify(r)).sort();
  }
  return out;
}

describe('rollcall backup and restore (SQLite)', () => {
  let dir: string;
  let env: Record<string, string>;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rollcall-backup-'));
    env = { SQLITE_PATH: join(dir, 'rollcall.sqlite'), LOG_LEVEL: 'silent' };
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('backs up the live database and restores it to exactly the original, keeping the replaced one', async () => {
    const live = openDatabase({ kind: 'sqlite', path: env['SQLITE_PATH']! });
    await migrateToLatest(live.db);
    const school = await seedSmallSchool(live.db);
    const original = await everything(live.db);
    expect(original['pupils']!.length).toBeGreaterThan(0);

    // The backup is taken while the database is open (online).
    const io = capture();
    expect(await runBackup(env, join(dir, 'backup.sqlite'), io)).toBe(0);
    expect(io.out).toMatch(/^Backed up the database to .*backup\.sqlite \(\d+ pages, \d+ bytes\)\.\n$/);

    // Then the day goes on: marks change, a pupil's name is changed.
    await live.db.deleteFrom('session_marks').execute();
    await live.db
      .updateTable('pupils')
      .set({ legal_surname: 'Changed' })
      .where('school_id', '=', school.schoolId)
      .execute();
    const changed = await everything(live.db);
    expect(changed).not.toEqual(original);
    await live.close();

    const restore = capture();
    expect(await runRestore(env, join(dir, 'backup.sqlite'), restore)).toBe(0);
    expect(restore.err).toBe('');
    expect(restore.out).toContain('The database as it was is kept in');

    const restored = openDatabase({ kind: 'sqlite', path: env['SQLITE_PATH']! });
    try {
      expect(await everything(restored.db)).toEqual(original);
    } finally {
      await restored.close();
    }
    const before = openDatabase({ kind: 'sqlite', path: `${env['SQLITE_PATH']!}.before-restore` });
    try {
      expect(await everything(before.db)).toEqual(changed);
    } finally {
      await before.close();
    }
  });

  it('a second restore keeps the first pre-restore copy (and makes its own)', async () => {
    const live = openDatabase({ kind: 'sqlite', path: env['SQLITE_PATH']! });
    await migrateToLatest(live.db);
    await seedSmallSchool(live.db);
    const first = await everything(live.db);
    await live.close();
    expect(await runBackup(env, join(dir, 'backup.sqlite'), capture())).toBe(0);
    expect(await runRestore(env, join(dir, 'backup.sqlite'), capture())).toBe(0);
    const second = capture();
    expect(await runRestore(env, join(dir, 'backup.sqlite'), second)).toBe(0);
    expect(second.out).toContain(`The database as it was is kept in ${env['SQLITE_PATH']!}.before-restore-2.`);
    for (const kept of ['.before-restore', '.before-restore-2']) {
      const copy = openDatabase({ kind: 'sqlite', path: `${env['SQLITE_PATH']!}${kept}` });
      try {
        expect(await everything(copy.db)).toEqual(first);
      } finally {
        await copy.close();
      }
    }
  });

  it('refuses to restore under a live server, and ignores the lock of a server that was killed', async () => {
    const live = openDatabase({ kind: 'sqlite', path: env['SQLITE_PATH']! });
    await migrateToLatest(live.db);
    await live.close();
    expect(await runBackup(env, join(dir, 'backup.sqlite'), capture())).toBe(0);
    const release = holdServerLock(env['SQLITE_PATH']!);
    try {
      const io = capture();
      expect(await runRestore(env, join(dir, 'backup.sqlite'), io)).toBe(5);
      expect(io.err).toBe(
        `rollcall restore: A Rollcall server (process ${process.pid}) is running on ${env['SQLITE_PATH']!}: stop it first, then restore. Nothing was changed.\n`,
      );
      expect(existsSync(`${env['SQLITE_PATH']!}.before-restore`)).toBe(false);
    } finally {
      release();
    }
    // A server killed with kill -9 leaves its lock behind, naming a process that has ended.
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    writeFileSync(serverLockPath(env['SQLITE_PATH']!), `${dead}\n`);
    expect(await runRestore(env, join(dir, 'backup.sqlite'), capture())).toBe(0);
  });

  it('refuses to restore a file that is not a Rollcall database, changing nothing', async () => {
    const live = openDatabase({ kind: 'sqlite', path: env['SQLITE_PATH']! });
    await migrateToLatest(live.db);
    await seedSmallSchool(live.db);
    const original = await everything(live.db);
    await live.close();

    const other = openDatabase({ kind: 'sqlite', path: join(dir, 'other.sqlite') });
    await sql`create table notes (id integer)`.execute(other.db);
    await other.close();

    const io = capture();
    expect(await runRestore(env, join(dir, 'other.sqlite'), io)).toBe(2);
    expect(io.err).toBe(
      `rollcall restore: ${join(dir, 'other.sqlite')} is not a Rollcall database (it has no migrations).\n`,
    );
    const missing = capture();
    expect(await runRestore(env, join(dir, 'missing.sqlite'), missing)).toBe(2);
    expect(missing.err).toContain('is not a SQLite database');

    const after = openDatabase({ kind: 'sqlite', path: env['SQLITE_PATH']! });
    try {
      expect(await everything(after.db)).toEqual(original);
    } finally {
      await after.close();
    }
  });

  it('will not overwrite an existing file with a backup', async () => {
    const live = openDatabase({ kind: 'sqlite', path: env['SQLITE_PATH']! });
    await migrateToLatest(live.db);
    await live.close();
    expect(await runBackup(env, join(dir, 'b.sqlite'), capture())).toBe(0);
    const io = capture();
    expect(await runBackup(env, join(dir, 'b.sqlite'), io)).toBe(5);
    expect(io.err).toContain('already exists');
  });

  it('on PostgreSQL prints pg_dump and pg_restore guidance and exits 2', async () => {
    const pgEnv = { DATABASE_URL: 'postgres://rollcall@localhost/rollcall', LOG_LEVEL: 'silent' };
    for (const run of [runBackup, runRestore]) {
      const io = capture();
      expect(await run(pgEnv, 'rollcall.dump', io)).toBe(2);
      expect(io.out).toBe('');
      expect(io.err).toContain('pg_dump --format=custom --no-owner --file="rollcall.dump" "$DATABASE_URL"');
      expect(io.err).toContain('pg_restore --clean --if-exists --no-owner --dbname="$DATABASE_URL" "rollcall.dump"');
    }
  });
});
