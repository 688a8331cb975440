/**
 * A real Rollcall server on the demo trust (at a tenth of its size, so it builds in a few
 * seconds): every role has an account and real-looking data, for the tests that visit every
 * page of every role (reflow, axe-core) and for the roll call. The only thing mocked is time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROUTES } from '../../packages/server/src/cli/server.js';
import { loadConfig } from '../../packages/server/src/config/config.js';
import { migrateToLatest, openDatabase, type Db } from '../../packages/server/src/db/connect.js';
import { buildApp } from '../../packages/server/src/http/app.js';
import { createLogger } from '../../packages/server/src/platform/logger.js';
import { hashPassword } from '../../packages/server/src/platform/passwords.js';
import { addDemoCasework } from '../../packages/server/src/services/demo/casework.js';
import { createDemo, type DemoSummary } from '../../packages/server/src/services/demo/index.js';
import type { Deps } from '../../packages/server/src/services/deps.js';
import { enableSecondFactors, TestClock } from './server.js';

export const DEMO_TEST_PASSWORD = 'demo password for the browser tests';

export interface DemoServer {
  readonly url: string;
  readonly clock: TestClock;
  readonly summary: DemoSummary;
  readonly db: Db;
  close(): Promise<void>;
}

/** Starts the demo at `now` (default: Wednesday 25 November 2026, 10:30 in London). */
export async function startDemoServer(now = '2026-11-25T10:30:00.000Z'): Promise<DemoServer> {
  const dir = mkdtempSync(join(tmpdir(), 'rollcall-e2e-demo-'));
  const config = loadConfig({
    SQLITE_PATH: join(dir, 'rollcall.sqlite'),
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
  });
  const opened = openDatabase(config.database);
  await migrateToLatest(opened.db);
  const clock = new TestClock(now);
  const deps: Deps = { db: opened.db, dialect: opened.dialect, clock, logger: createLogger('silent'), config };
  const summary = await createDemo(opened.db, {
    today: clock.today(),
    now,
    seed: 7,
    scale: 0.1,
    passwordHash: await hashPassword(DEMO_TEST_PASSWORD),
  });
  await addDemoCasework(deps, summary);
  const app = await buildApp(deps, { routes: ROUTES });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  // The roles that must use a second factor get the demo's authenticator, as `npm start` does.
  const stopCodes = await enableSecondFactors(deps, address);
  return {
    url: address,
    clock,
    summary,
    db: opened.db,
    async close() {
      stopCodes();
      await app.close();
      await opened.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
