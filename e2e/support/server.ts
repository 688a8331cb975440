/**
 * A real Rollcall server for browser tests: a fresh SQLite file, the small test school, accounts
 * with a known password, and a clock the test can move (the only thing mocked: time).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROUTES } from '../../packages/server/src/cli/server.js';
import { loadConfig } from '../../packages/server/src/config/config.js';
import { migrateToLatest, openDatabase, type Db } from '../../packages/server/src/db/connect.js';
import { buildApp } from '../../packages/server/src/http/app.js';
import { localDateTime, type Clock } from '../../packages/server/src/platform/clock.js';
import { createLogger } from '../../packages/server/src/platform/logger.js';
import { hashPassword } from '../../packages/server/src/platform/passwords.js';
import { seedSmallSchool, type SmallSchool } from '../../packages/server/test/fixtures.js';

export const PASSWORD = 'correct horse battery staple';

/** A clock set by the test. */
export class TestClock implements Clock {
  constructor(private iso: string) {}
  set(iso: string): void {
    this.iso = iso;
  }
  now(): string {
    return this.iso;
  }
  today(timeZone = 'Europe/London') {
    return localDateTime(this.iso, timeZone).date;
  }
  timeOfDay(timeZone = 'Europe/London'): string {
    return localDateTime(this.iso, timeZone).time;
  }
}

export interface TestServer {
  readonly url: string;
  readonly clock: TestClock;
  readonly school: SmallSchool;
  /** The server's database, for a test to arrange what the pages cannot (e.g. a second parent). */
  readonly db: Db;
  /** Sign-in emails by role, as seeded. */
  email(role: string): string;
  close(): Promise<void>;
}

export async function startServer(startAt = '2025-09-08T07:55:00Z'): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'rollcall-e2e-'));
  const config = loadConfig({
    SQLITE_PATH: join(dir, 'rollcall.sqlite'),
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
  });
  const opened = openDatabase(config.database);
  await migrateToLatest(opened.db);
  const school = await seedSmallSchool(opened.db, 'e2e');
  await opened.db
    .updateTable('users')
    .set({ password_hash: await hashPassword(PASSWORD) })
    .execute();
  const clock = new TestClock(startAt);
  const app = await buildApp(
    { db: opened.db, dialect: opened.dialect, clock, logger: createLogger('silent'), config },
    { routes: ROUTES },
  );
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url: address,
    clock,
    school,
    db: opened.db,
    email: (role) => (role === 'teacherB' ? 'teacherb-e2e@school.test' : `${role}-e2e@school.test`),
    async close() {
      await app.close();
      await opened.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
