// (z) The demo build (issue 18: "Demo build under 3 s"): the demo trust of two schools built as of
// today, as `rollcall demo` and the first `npm start` build it, on SQLite (a temporary file, WAL)
// and on PostgreSQL (embedded). For each database, first in this process, step by step (wall time,
// this process's CPU, its main thread's CPU and PostgreSQL's CPU beside it, and the load average;
// the machine is shared, and on a quiet one the main thread's CPU is about the build's wall time):
//   - plan and password: the pupils, families, staff and timetable; the demo password hashed once
//   - per school: generating its marks, then inserting people, registers, session marks, their
//     history, and the lesson registers and marks; the commit
//   - the live casework: policies, the earlier and today's evaluations and the decisions
//   - the second factors of the leads; closing the database (SQLite: the last WAL checkpoint)
// then `rollcall demo` end to end in a child process on a fresh database (module loading and
// migrations included; its own "demo created in" figure, and its CPU). Every table's row count is
// printed so two builds can be compared. Printed, never asserted.
//
//   npm run build && node --expose-gc bench/run.mjs z
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpuMark, cpuSince } from './cpu-time.mjs';
import { BIN, DIALECT_LABEL, DIALECTS, load, ROOT, server } from './harness.mjs';

const TICKS_PER_SECOND = 100;

/**
 * CPU ticks of this process's main thread alone: the build runs there, while SQLite's
 * checkpointer (a worker thread) copies the WAL into the database file alongside it; on a quiet
 * two-core machine the main thread's CPU is close to the build's wall time.
 */
function mainThreadTicks() {
  try {
    const rest = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return Number(rest[11]) + Number(rest[12]);
  } catch {
    return NaN; // not Linux
  }
}

/** CPU ticks of this process's ended (waited-for) children: `rollcall demo` once it has exited. */
function endedChildrenTicks() {
  const rest = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return Number(rest[13]) + Number(rest[14]);
}

function secs(ms) {
  return `${(ms / 1000).toFixed(2)} s`;
}

function cpuCols(cpu) {
  const pg = cpu.childrenS > 0.005 ? `, PostgreSQL ${cpu.childrenS.toFixed(2)} s` : '';
  const main = Number.isFinite(cpu.mainS) ? ` (main thread ${cpu.mainS.toFixed(2)} s)` : '';
  return `CPU ${cpu.ownS.toFixed(2)} s${main}${pg}`;
}

/** A point to measure from: wall time, CPU of the process and its children, the main thread's ticks. */
function markNow() {
  return { t: performance.now(), cpu: cpuMark(), main: mainThreadTicks() };
}

function since(m) {
  return {
    ms: performance.now() - m.t,
    cpu: { ...cpuSince(m.cpu), mainS: (mainThreadTicks() - m.main) / TICKS_PER_SECOND },
  };
}

/** Every table's row count (the demo's content), largest first. */
async function rowCounts(db, dialect) {
  const { sql } = await import('kysely');
  const tables =
    dialect === 'sqlite'
      ? (
          await sql`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like 'kysely_%'`.execute(
            db,
          )
        ).rows.map((r) => r.name)
      : (
          await sql`select table_name as name from information_schema.tables where table_schema = 'public' and table_name not like 'kysely_%'`.execute(
            db,
          )
        ).rows.map((r) => r.name);
  const counts = [];
  for (const t of tables) {
    const row = (await sql`select count(*) as n from ${sql.table(t)}`.execute(db)).rows[0];
    counts.push([t, Number(row.n)]);
  }
  return counts.filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

async function inProcess(context, dialect) {
  const { createDemo } = await server('services/demo/index.js');
  const { addDemoCasework } = await server('services/demo/casework.js');
  const { enrolDemoSecondFactors } = await server('services/accounts/mfa.js');
  const { systemClock } = await server('platform/clock.js');
  const { createLogger } = await server('platform/logger.js');
  const { loadConfig } = await server('config/config.js');
  const database = await context.database(dialect, 'z');
  await database.first.close();
  const open = database.open();
  const deps = {
    db: open.db,
    dialect,
    clock: systemClock,
    logger: createLogger('silent'),
    config: loadConfig(database.env),
  };
  const steps = [];
  globalThis.gc?.();
  const start = markNow();
  let last = start;
  const mark = (name) => {
    steps.push({ name, ...since(last) });
    last = markNow();
  };
  const summary = await createDemo(deps.db, {
    today: deps.clock.today(deps.config.timeZone),
    now: deps.clock.now(),
    onStep: mark,
  });
  mark('commit');
  const built = since(start);
  const casework = await addDemoCasework(deps, summary, (s) => mark(`casework ${s}`));
  await enrolDemoSecondFactors(deps);
  mark('second factors');
  const total = since(start);
  const counts = await rowCounts(deps.db, dialect);
  const t0 = markNow();
  await open.close();
  const closing = since(t0);
  return { summary, casework, steps, built, total, counts, closing };
}

/** `rollcall demo` in a child process on a fresh, unmigrated database of the dialect. */
async function endToEnd(context, dialect) {
  let env;
  if (dialect === 'sqlite') {
    env = { SQLITE_PATH: `${context.tempDir('z-cli')}/rollcall.sqlite` };
  } else {
    const database = await context.database('postgres', 'zcli');
    await database.first.close();
    env = database.env; // migrated already; the command's migrations then find nothing to do
  }
  const childEnv = { ...process.env, LOG_LEVEL: 'warn', ...env };
  if (dialect === 'sqlite') delete childEnv.DATABASE_URL;
  const mark = cpuMark();
  const ended = endedChildrenTicks();
  const t0 = performance.now();
  const out = spawnSync(process.execPath, [BIN, 'demo'], { cwd: ROOT, env: childEnv, encoding: 'utf8' });
  const ms = performance.now() - t0;
  const childS = (endedChildrenTicks() - ended) / TICKS_PER_SECOND;
  const pgS = dialect === 'postgres' ? cpuSince(mark).childrenS : 0;
  if (out.status !== 0) throw new Error(`rollcall demo failed (${out.status}): ${out.stderr || out.stdout}`);
  const created = /\(demo created in ([\d.]+) s\)/.exec(out.stdout)?.[1];
  return { ms, childS, pgS, created };
}

export async function benchDemoBuild(context) {
  console.log('z  the demo build (two schools up to today), in process step by step, then `rollcall demo`:');
  for (const dialect of DIALECTS) {
    if (context.aborted) break;
    const label = DIALECT_LABEL[dialect];
    const r = await inProcess(context, dialect);
    const rows = r.counts.reduce((n, [, c]) => n + c, 0);
    const pupils = r.summary.schools.reduce((n, s) => n + s.pupils, 0);
    console.log(
      `  ${label}, as of ${r.summary.today}: ${pupils} pupils, ${rows.toLocaleString('en-GB')} rows in ${r.counts.length} tables (${load()} on the cores)`,
    );
    for (const s of r.steps) console.log(`    ${s.name.padEnd(40)} ${secs(s.ms).padStart(8)}   ${cpuCols(s.cpu)}`);
    console.log(
      `    ${'trust built (createDemo)'.padEnd(40)} ${secs(r.built.ms).padStart(8)}   ${cpuCols(r.built.cpu)}`,
    );
    console.log(
      `    ${'demo with casework and second factors'.padEnd(40)} ${secs(r.total.ms).padStart(8)}   ${cpuCols(r.total.cpu)}`,
    );
    console.log(
      `    ${'closing the database'.padEnd(40)} ${secs(r.closing.ms).padStart(8)}   ${cpuCols(r.closing.cpu)}`,
    );
    console.log(`    rows: ${r.counts.map(([t, n]) => `${t} ${n}`).join(', ')}`);
    const cli = await endToEnd(context, dialect);
    console.log(
      `    \`rollcall demo\` end to end ${secs(cli.ms)} (it reported "demo created in ${cli.created} s"), CPU ${cli.childS.toFixed(2)} s` +
        `${dialect === 'postgres' ? `, PostgreSQL ${cli.pgS.toFixed(2)} s` : ''} (${load()})`,
    );
  }
  return { ok: true };
}
