// `rollcall serve` on a shifted clock, for benchmark (d): the server's "today" decides the
// pupil page's statistics period (the academic year containing today), so a demo built for a
// complete year (late July) must be viewed with the clock in that July. This is what `serve`
// does (openDeps, then runServe without preparing) with one difference: the clock runs from
// ROLLCALL_BENCH_NOW (an ISO instant) at the real pace instead of from the wall clock.
import { fileURLToPath, pathToFileURL } from 'node:url';

const dist = fileURLToPath(new URL('../packages/server/dist/', import.meta.url));
const { openDeps, runServe } = await import(pathToFileURL(`${dist}cli/server.js`).href);
const { localDateTime } = await import(pathToFileURL(`${dist}platform/clock.js`).href);

const start = Date.parse(process.env.ROLLCALL_BENCH_NOW ?? '');
if (Number.isNaN(start)) {
  process.stderr.write('serve-at: set ROLLCALL_BENCH_NOW to an ISO instant\n');
  process.exit(2);
}
const offset = Date.now() - start;
const nowIso = () => new Date(Date.now() - offset).toISOString();
const clock = {
  now: nowIso,
  today: (timeZone = 'Europe/London') => localDateTime(nowIso(), timeZone).date,
  timeOfDay: (timeZone = 'Europe/London') => localDateTime(nowIso(), timeZone).time,
};
const io = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  today: () => clock.today(),
};
const opened = openDeps(process.env, io, clock);
if (!opened) process.exit(2);
process.exitCode = await runServe(opened, io, { prepare: false });
