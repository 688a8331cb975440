// The daily casework evaluation of the demo secondary (issue 13 asks for under 1 s): the demo
// trust is built at full scale in an in-memory SQLite database at a November `today` (a term of
// marks, cases in stages), then evaluateSchool runs for the secondary on that day: one cold run
// and 5 warm runs (each a fresh day's evaluation of every pupil, writing its suggestions).
// `node --expose-gc bench/casework-evaluation.mjs [today] [scale]` after `npm run build`.
import { server } from './harness.mjs';

const TODAY = process.argv[2] ?? '2025-11-20';
const SCALE = Number(process.argv[3] ?? 1);

const { openDatabase, migrateToLatest } = await server('db/connect.js');
const { createDemo } = await server('services/demo/index.js');
const { evaluateSchool } = await server('services/casework/evaluation.js');
const { fixedClock } = await server('platform/clock.js');
const { createLogger } = await server('platform/logger.js');
const { loadConfig } = await server('config/config.js');

const open = openDatabase({ kind: 'sqlite', path: ':memory:' });
await migrateToLatest(open.db);
const t0 = performance.now();
await createDemo(open.db, { today: TODAY, now: `${TODAY}T07:00:00.000Z`, scale: SCALE, passwordHash: '!no-sign-in' });
const setup = performance.now() - t0;
const school = await open.db
  .selectFrom('schools')
  .select(['id', 'name'])
  .where('phase', '=', 'secondary')
  .executeTakeFirstOrThrow();
const pupils = await open.db
  .selectFrom('pupils')
  .select((eb) => eb.fn.countAll().as('n'))
  .where('school_id', '=', school.id)
  .executeTakeFirstOrThrow();
const deps = {
  db: open.db,
  dialect: 'sqlite',
  clock: fixedClock(`${TODAY}T17:00:00.000Z`),
  logger: createLogger('silent'),
  config: loadConfig({ SQLITE_PATH: ':memory:' }),
};
const times = [];
const cpu = [];
let first;
let last;
for (let i = 0; i < 6; i++) {
  globalThis.gc?.();
  const s = performance.now();
  const c = process.cpuUsage();
  last = await evaluateSchool(deps, school.id, TODAY);
  const used = process.cpuUsage(c);
  cpu.push((used.user + used.system) / 1000);
  times.push(performance.now() - s);
  first ??= last;
}
const warm = times.slice(1).sort((a, b) => a - b);
const warmCpu = cpu.slice(1).sort((a, b) => a - b);
console.log(
  `casework evaluation of the demo secondary (${school.name}, ${pupils.n} pupils on the books, scale ${SCALE}, as of ${TODAY}; demo built in ${(setup / 1000).toFixed(1)} s):`,
);
console.log(
  `  cold ${times[0].toFixed(0)} ms; warm median ${warm[Math.floor(warm.length / 2)].toFixed(0)} ms, max ${warm[warm.length - 1].toFixed(0)} ms` +
    ` (${last.pupilsEvaluated} pupils evaluated; the first run stored ${first.created} suggestions, ${first.alreadyOpen} already open)`,
);
console.log(
  `  CPU time (this process, SQLite in process; the machine's load makes wall time noisy): cold ${cpu[0].toFixed(0)} ms, warm median ${warmCpu[Math.floor(warmCpu.length / 2)].toFixed(0)} ms`,
);
await open.close?.();
