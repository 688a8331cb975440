// Where a register save spends its time, in process (no HTTP): an aid for optimising the 8:50
// rush. `node bench/profile-save.mjs` after `npm run build`. Prints, per school day, the time
// per save of resolving the session alone, of saving one register at a time (one transaction
// each), and of 200 saves started at once (written together), on a SQLite file.
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
const { saveRegister } = await server('services/registers/registers.js');
const { resolveSession } = await server('services/accounts/auth.js');

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

const days = ['2025-10-06', '2025-10-07', '2025-10-08', '2025-10-09', '2025-10-10', '2025-10-13'];
const perSave = (t0) => ((performance.now() - t0) / clients.length).toFixed(3);
const save = (actor, c, day) =>
  saveRegister(deps, actor, {
    groupId: c.groupId,
    date: day,
    session: 'AM',
    version: 0,
    marks: c.pupilIds.map((pupilId, i) => ({ pupilId, code: i % 9 === 0 ? 'N' : '/' })),
  });
for (let i = 0; i < days.length; i += 2) {
  let t0 = performance.now();
  const actors = [];
  for (const c of clients) actors.push((await resolveSession(deps, c.token)).actor);
  const session = perSave(t0);
  t0 = performance.now();
  for (let k = 0; k < clients.length; k++) await save(actors[k], clients[k], days[i]);
  const oneByOne = perSave(t0);
  t0 = performance.now();
  await Promise.all(clients.map((c, k) => save(actors[k], c, days[i + 1])));
  const together = perSave(t0);
  console.log(
    `per save: session ${session} ms; one at a time ${oneByOne} ms; ${clients.length} at once ${together} ms`,
  );
}
await opened.close();
rmSync(dir, { recursive: true, force: true });
