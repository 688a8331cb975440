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
import type { Deps } from '../../packages/server/src/services/deps.js';
import { createLogger } from '../../packages/server/src/platform/logger.js';
import { hashPassword } from '../../packages/server/src/platform/passwords.js';
import { seedSmallSchool, type SmallSchool } from '../../packages/server/test/fixtures.js';
import { DEMO_TOTP_SECRET, enrolDemoSecondFactors, totpCode } from '../../packages/server/src/services/accounts/mfa.js';

/**
 * The second-step code for an account of a running test server, by the server's address: the
 * accounts whose role must use a second factor have the demo's authenticator key. The test may
 * sign the same person in several times at one clock reading, so the "code already used" mark is
 * cleared first (a test's privilege, like setting the password hashes).
 */
const secondFactorCodes = new Map<string, (email: string) => Promise<string>>();
export async function enableSecondFactors(deps: Deps, address: string): Promise<() => void> {
  await enrolDemoSecondFactors(deps);
  const origin = new URL(address).origin;
  secondFactorCodes.set(origin, async (email) => {
    const user = await deps.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow();
    await deps.db.updateTable('mfa_totp').set({ last_step: null }).where('user_id', '=', user.id).execute();
    return totpCode(DEMO_TOTP_SECRET, deps.clock.now());
  });
  return () => secondFactorCodes.delete(origin);
}

export function secondFactorCode(base: string, email: string): Promise<string> {
  const code = secondFactorCodes.get(new URL(base).origin);
  if (!code) throw new Error(`no test server at ${base}`);
  return code(email);
}

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
  const deps = { db: opened.db, dialect: opened.dialect, clock, logger: createLogger('silent'), config };
  const app = await buildApp(deps, { routes: ROUTES });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  const forget = await enableSecondFactors(deps, address);
  return {
    url: address,
    clock,
    school,
    db: opened.db,
    email: (role) => (role === 'teacherB' ? 'teacherb-e2e@school.test' : `${role}-e2e@school.test`),
    async close() {
      forget();
      await app.close();
      await opened.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
