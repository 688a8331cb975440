import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase } from './connect.js';

describe('SQLite checkpoints in a worker thread', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rollcall-checkpoint-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('copies the write-ahead log into the database file without the server asking, and stops on close', async () => {
    const path = join(dir, 'rollcall.sqlite');
    const open = openDatabase({ kind: 'sqlite', path });
    await migrateToLatest(open.db);
    // Everything written so far is in the WAL: the database file has not grown with it yet.
    const before = statSync(path).size;
    expect(statSync(`${path}-wal`).size).toBeGreaterThan(before);
    let after = before;
    const deadline = Date.now() + 8_000;
    while (after <= before && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      after = statSync(path).size;
    }
    expect(after).toBeGreaterThan(before);
    const t0 = performance.now();
    await open.close();
    expect(performance.now() - t0).toBeLessThan(5_000);
  });
});
