import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plainDate } from '@rollcall/domain';
import { freshDatabase } from '../../test/databases.js';
import { testDeps } from '../../test/fixtures.js';
import type { OpenDatabase } from '../db/connect.js';
import { createDemo } from '../services/demo/index.js';
import { runDemo, runDemoCode } from './demo.js';
import type { CliIO } from './io.js';

function capture(): CliIO & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    stdout(text: string) {
      io.out += text;
    },
    stderr(text: string) {
      io.err += text;
    },
    today: () => plainDate('2026-11-25'),
  };
  return io;
}

describe('rollcall demo and demo-code (cli/demo.ts)', () => {
  let open: OpenDatabase;

  beforeAll(async () => {
    open = await freshDatabase('sqlite');
    await createDemo(open.db, {
      today: plainDate('2026-11-25'),
      now: '2026-11-25T10:30:00.000Z',
      seed: 42,
      scale: 0.1,
      passwordHash: 'demo-hash',
    });
  }, 60_000);

  afterAll(async () => {
    await open.close();
  });

  it('refuses to build the demo on a database that has a school, and writes nothing', async () => {
    const io = capture();
    const pupils = async () => (await open.db.selectFrom('pupils').select('id').execute()).length;
    const before = await pupils();
    expect(await runDemo(testDeps(open.db, 'sqlite', '2026-11-25T10:30:00.000Z'), io)).toBe(5);
    expect(io.err).toContain('the database already has a school');
    expect(io.out).toBe('');
    expect(await pupils()).toBe(before);
  });

  it("prints the demo key's current six-digit code and how long it lasts", () => {
    const io = capture();
    expect(runDemoCode(testDeps(open.db, 'sqlite', '2026-11-25T10:30:10.000Z'), io)).toBe(0);
    expect(io.out).toMatch(/^\d{6} {2}\(for 20 more seconds\)\n$/);
  });
});
