import { describe, expect, it } from 'vitest';
import { openDatabase, pendingMigrations } from '../db/connect.js';
import { d, testDeps } from '../../test/fixtures.js';
import { freshDatabase } from '../../test/databases.js';
import { runServe, SERVE_NOT_MIGRATED } from './server.js';

describe('rollcall serve on a database behind this version', () => {
  it('refuses to start, names the migrations and changes nothing', async () => {
    const open = openDatabase({ kind: 'sqlite', path: ':memory:' });
    const deps = testDeps(open.db, open.dialect);
    let closed = false;
    const err: string[] = [];
    const code = await runServe(
      {
        deps,
        close: async () => {
          closed = true;
          await open.close().catch(() => {});
        },
      },
      { stdout: () => {}, stderr: (t: string) => err.push(t), today: () => d('2025-09-08') },
      { prepare: false },
    );
    expect(code).toBe(SERVE_NOT_MIGRATED);
    expect(closed).toBe(true);
    expect(err.join('')).toMatch(
      /^rollcall serve: SQLite at .* is \d+ migration\(s\) behind this version of Rollcall \(2026-11-25T00-00-00_initial, /,
    );
    expect(err.join('')).toContain('Run `rollcall migrate` first');
  });

  it('finds nothing pending once migrated, and writes nothing while looking', async () => {
    const empty = openDatabase({ kind: 'sqlite', path: ':memory:' });
    try {
      expect((await pendingMigrations(empty.db)).length).toBeGreaterThan(10);
      expect(await empty.db.introspection.getTables()).toEqual([]);
    } finally {
      await empty.close();
    }
    const migrated = await freshDatabase('sqlite');
    try {
      expect(await pendingMigrations(migrated.db)).toEqual([]);
    } finally {
      await migrated.close();
    }
  });
});
