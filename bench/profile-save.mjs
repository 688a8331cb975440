// Where a register save spends its time, in process (no HTTP): an aid for optimising the 8:50
// rush. `node bench/profile-save.mjs [sqlite|postgres]` after `npm run build` (default: both).
// Prints, per school day, the time per save of resolving the session alone, of saving one
// register at a time, and of 200 saves started at once (written together); on PostgreSQL also
// the statements (round trips) per save and the CPU of this process and of PostgreSQL per save
// (CPU, unlike wall time, hardly depends on how busy the shared machine is).
import pg from 'pg';
import { createBenchContext, DIALECT_LABEL, load, server } from './harness.mjs';
import { cpuMark, cpuSince } from './cpu-time.mjs';
import { analyseIfPostgres, seedSchool } from './register-rush.mjs';

// Every statement sent to PostgreSQL is one round trip: count them.
let statements = 0;
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function (...args) {
  statements++;
  return query.apply(this, args);
};

const { loadConfig } = await server('config/config.js');
const { fixedClock } = await server('platform/clock.js');
const { createLogger } = await server('platform/logger.js');
const { saveRegister } = await server('services/registers/registers.js');
const { resolveSession } = await server('services/accounts/auth.js');

async function profile(context, dialect) {
  const database = await context.database(dialect, 'profile');
  const opened = database.first;
  const clients = await seedSchool(opened.db);
  if (!process.env.NO_ANALYSE) await analyseIfPostgres(opened.db, dialect);
  const config = loadConfig({ ...database.env, LOG_LEVEL: 'silent' });
  const deps = {
    db: opened.db,
    dialect: opened.dialect,
    clock: fixedClock('2025-10-06T07:55:00Z'),
    logger: createLogger('silent'),
    config,
  };
  const days = ['2025-10-06', '2025-10-07', '2025-10-08', '2025-10-09', '2025-10-10', '2025-10-13'];
  const n = clients.length;
  const perSave = (t0) => ((performance.now() - t0) / n).toFixed(3);
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
    for (let k = 0; k < n; k++) await save(actors[k], clients[k], days[i]);
    const oneByOne = perSave(t0);
    t0 = performance.now();
    const s0 = statements;
    const cpu0 = cpuMark();
    await Promise.all(clients.map((c, k) => save(actors[k], c, days[i + 1])));
    const together = perSave(t0);
    const cpu = cpuSince(cpu0);
    const extra =
      dialect === 'postgres'
        ? `; ${statements - s0} statements for the ${n} saves; CPU a save ${((cpu.ownS / n) * 1000).toFixed(2)} ms ` +
          `Node + ${((cpu.childrenS / n) * 1000).toFixed(2)} ms PostgreSQL`
        : `; CPU a save ${((cpu.ownS / n) * 1000).toFixed(2)} ms`;
    console.log(
      `${DIALECT_LABEL[dialect]} per save: session ${session} ms; one at a time ${oneByOne} ms; ` +
        `${n} at once ${together} ms${extra}`,
    );
  }
  await opened.close();
}

const context = createBenchContext();
try {
  const which = process.argv[2];
  for (const dialect of which ? [which] : ['sqlite', 'postgres']) await profile(context, dialect);
  console.log(load());
} finally {
  await context.close();
}
