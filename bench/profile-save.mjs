// Where a register save spends its time, statement by statement, in process (no HTTP): an aid
// for optimising the 8:50 rush. `node bench/profile-save.mjs` after `npm run build`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { server } from './harness.mjs';
import { seedSchool } from './register-rush.mjs';

const dir = mkdtempSync(join(tmpdir(), 'rollcall-profile-save-'));
const { openDatabase, migrateToLatest } = await server('db/connect.js');
const { loadConfig } = await server('config/config.js');
const { fixedClock } = await server('platform/clock.js');
const { createLogger } = await server('platform/logger.js');
const { saveRegister } = await server('services/registers.js');
const { resolveSession } = await server('services/auth.js');

const config = loadConfig({ SQLITE_PATH: join(dir, 'db.sqlite'), LOG_LEVEL: 'silent' });
const opened = openDatabase(config.database);
await migrateToLatest(opened.db);
const clients = await seedSchool(opened.db);
const deps = {
  db: opened.db,
  dialect: opened.dialect,
  clock: fixedClock('2025-10-06T07:55:00Z'),
  logger: createLogger('silent'),
  config,
};

const days = ['2025-10-06', '2025-10-07', '2025-10-08', '2025-10-09', '2025-10-10'];
const times = [];
for (const day of days) {
  const t0 = performance.now();
  for (const c of clients) {
    const s = await resolveSession(deps, c.token);
    await saveRegister(deps, s.actor, {
      groupId: c.groupId,
      date: day,
      session: 'AM',
      version: 0,
      marks: c.pupilIds.map((pupilId, i) => ({ pupilId, code: i % 9 === 0 ? 'N' : '/' })),
    });
  }
  times.push((performance.now() - t0) / clients.length);
}
console.log(`per save (session + save, in process, SQLite file): ${times.map((t) => t.toFixed(2)).join(', ')} ms`);
await opened.close();
rmSync(dir, { recursive: true, force: true });
