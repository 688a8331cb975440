// Where a year's import spends its time, in process: an aid for optimising (x) and (h).
// `node --expose-gc bench/profile-import.mjs [x|h] [sqlite|postgres]` after `npm run build`
// (default: x on both). Runs the first import (into a fresh database) under the V8 profiler and
// prints this process's CPU by area and the top functions by self and by total time; on
// PostgreSQL also each statement's wall time (the slowest, and COPY) and PostgreSQL's CPU.
import { Session } from 'node:inspector/promises';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { writeSchoolFiles } from './analyse-cli.mjs';
import { cpuMark, cpuSince, cpuText } from './cpu-time.mjs';
import { summariseProfile, areaOf } from './cpu-profile.mjs';
import { createBenchContext, DIALECT_LABEL, load, server } from './harness.mjs';
import { writeWorkbooks } from './import-xlsx.mjs';

const kind = process.argv[2] ?? 'x';
const dialects = process.argv[3] ? [process.argv[3]] : ['sqlite', 'postgres'];

// Statements' wall time on PostgreSQL (a COPY is timed by its stream's end).
const timings = [];
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function (config, ...rest) {
  const text = typeof config === 'string' ? config : (config?.text ?? config?.constructor?.name ?? '?');
  const t0 = performance.now();
  const r = query.call(this, config, ...rest);
  const done = () =>
    timings.push({ text: String(text).replace(/\s+/g, ' ').slice(0, 110), ms: performance.now() - t0 });
  if (r && typeof r.then === 'function') r.then(done, done);
  else if (r && typeof r.on === 'function') {
    r.on('finish', done);
    r.on('error', done);
  }
  return r;
};

function totals(profile) {
  // Time on the stack (inclusive) by function, counted once per sample.
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const out = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i + 1] ?? 0;
    const seen = new Set();
    for (let at = profile.samples[i]; at !== undefined; at = parent.get(at)) {
      const f = byId.get(at).callFrame;
      if (!f.url || !f.url.includes('/packages/')) continue;
      const key = `${f.functionName || '(anonymous)'} ${f.url.split('/packages/')[1]}:${f.lineNumber + 1}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.set(key, (out.get(key) ?? 0) + dt);
    }
  }
  return [...out].sort((a, b) => b[1] - a[1]);
}

async function importArgs(context, dialect, db, env) {
  const dir = context.tempDir(`pi-${kind}`);
  const school = writeSchoolFiles(dir, 1500);
  if (kind === 'x') {
    const books = await writeWorkbooks(dir, school.paths);
    return {
      school: '199202',
      schoolName: 'Bench',
      phase: 'secondary',
      laCode: '330',
      calendar: school.paths.calendar,
      pupils: books.pupils,
      marks: books.marks,
    };
  }
  const { runImport } = await server('cli/import.js');
  const base = { schoolName: 'Bench', phase: 'secondary', laCode: '330', estab: '4000', format: 'json' };
  const io = { stdout: () => {}, stderr: (t) => process.stderr.write(t), today: () => env.clock.today() };
  const code = await runImport({ school: '199102', ...base, ...school.paths }, io, env);
  if (code !== 0) throw new Error(`import A exited ${code}`);
  const { exportCtf } = await server('services/exchange/exports/ctf.js');
  const { SYSTEM_ACTOR } = await server('services/authz.js');
  const cal = JSON.parse(readFileSync(school.paths.calendar, 'utf8'));
  const s = await db.selectFrom('schools').select('id').where('urn', '=', '199102').executeTakeFirstOrThrow();
  const out = await exportCtf(env, SYSTEM_ACTOR, {
    schoolId: s.id,
    kind: 'attendance',
    from: cal.terms[0].start,
    to: cal.terms.at(-1).end,
    today: cal.terms.at(-1).end,
  });
  const file = join(dir, out.fileName);
  writeFileSync(file, out.xml);
  return { school: '199103', ...base, calendar: school.paths.calendar, ctf: file };
}

async function profileOne(context, dialect) {
  const { systemClock } = await server('platform/clock.js');
  const { runImport } = await server('cli/import.js');
  const database = await context.database(dialect, 'pi');
  const { db } = database.first;
  const env = { db, dialect, clock: systemClock };
  const args = await importArgs(context, dialect, db, env);
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  globalThis.gc?.();
  timings.length = 0;
  let err = '';
  const io = { stdout: () => {}, stderr: (t) => (err += t), today: () => env.clock.today() };
  await session.post('Profiler.start');
  const cpu = cpuMark();
  const t0 = performance.now();
  const code = await runImport({ ...args, format: 'json' }, io, env);
  const wall = performance.now() - t0;
  const used = cpuSince(cpu);
  const { profile } = await session.post('Profiler.stop');
  session.disconnect();
  if (code !== 0) throw new Error(`import exited ${code}: ${err.slice(0, 2000)}`);
  console.log(
    `(${kind}) ${DIALECT_LABEL[dialect]}: import ${(wall / 1000).toFixed(2)} s (${cpuText(used)}); ${load()}`,
  );
  const s = summariseProfile(profile);
  const share = (t) => `${((100 * t) / s.busyUs).toFixed(1)}%`.padStart(6);
  console.log(
    `  busy ${(s.busyUs / 1e6).toFixed(2)} s; self by area: ${s.selfByArea
      .slice(0, 10)
      .map(([a, t]) => `${a} ${share(t).trim()}`)
      .join(', ')}`,
  );
  console.log('  top self:');
  for (const [fn, t] of s.byFunction.slice(0, 25)) console.log(`    ${share(t)} ${(t / 1e6).toFixed(2)} s  ${fn}`);
  console.log('  top total (Rollcall code):');
  for (const [fn, t] of totals(profile).slice(0, 40)) console.log(`    ${share(t)} ${(t / 1e6).toFixed(2)} s  ${fn}`);
  void areaOf;
  if (dialect === 'postgres') {
    const slow = [...timings].sort((a, b) => b.ms - a.ms).slice(0, 12);
    console.log(`  ${timings.length} statements; slowest:`);
    for (const t of slow) console.log(`    ${t.ms.toFixed(0).padStart(6)} ms  ${t.text}`);
  }
  await database.first.close();
}

const context = createBenchContext();
try {
  for (const dialect of dialects) await profileOne(context, dialect);
} finally {
  await context.close();
}
process.exit(0);
