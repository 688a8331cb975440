// (e) `rollcall import` of a 1,500-pupil secondary school's full year: the calendar.json,
// pupils.csv (with surname and forename) and marks.csv of benchmark (b), imported in process
// with runImport (the command's own function, from dist) into a fresh database, then the same
// files again (idempotent: nothing should change). On SQLite (a file, WAL) and PostgreSQL.
import { writeSchoolFiles } from './analyse-cli.mjs';
import { DIALECT_LABEL, DIALECTS, load, server } from './harness.mjs';
import { int, lines, mib, seconds } from './format.mjs';

const PUPILS = 1500;

function importArgs(paths) {
  return {
    school: '199002',
    calendar: paths.calendar,
    pupils: paths.pupils,
    marks: paths.marks,
    schoolName: 'Rollcall Bench Secondary',
    phase: 'secondary',
    laCode: '330',
    laName: 'Birmingham',
    format: 'json',
  };
}

async function timedImport(args, env) {
  const { runImport } = await server('cli/import.js');
  let out = '';
  let err = '';
  const io = {
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
    today: () => env.clock.today(),
  };
  globalThis.gc?.();
  const t0 = performance.now();
  const code = await runImport(args, io, env);
  const wallMs = performance.now() - t0;
  if (code !== 0) throw new Error(`runImport exited ${code}:\n${err.slice(0, 20000)}`);
  return { wallMs, report: JSON.parse(out) };
}

function changes(report) {
  return Object.values(report.counts).reduce((n, c) => n + c.created + c.updated + c.removed, 0);
}

async function historyRows(db) {
  const r = await db
    .selectFrom('mark_history')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

async function benchDialect(context, dialect, paths, rows) {
  const { systemClock } = await server('platform/clock.js');
  const database = await context.database(dialect, 'e');
  const { db } = database.first;
  try {
    const env = { db, dialect, clock: systemClock };
    const first = await timedImport(importArgs(paths), env);
    const historyAfterFirst = await historyRows(db);
    const again = await timedImport(importArgs(paths), env);
    const historyAfterAgain = await historyRows(db);
    return { dialect, rows, first, again, historyAfterFirst, historyAfterAgain };
  } finally {
    await database.first.close();
  }
}

export async function benchImport(context) {
  const dir = context.tempDir('e');
  const g0 = performance.now();
  const school = writeSchoolFiles(dir, PUPILS);
  const genMs = performance.now() - g0;
  const results = [];
  let ok = true;
  for (const dialect of DIALECTS) {
    try {
      results.push(await benchDialect(context, dialect, school.paths, school.rows));
    } catch (e) {
      ok = false;
      if (!context.aborted) console.error(`(e) import on ${DIALECT_LABEL[dialect]} failed: ${e?.stack ?? e}`);
    }
  }
  const rate = (r, x) => int(r.rows / (x.wallMs / 1000));
  console.log(
    `(e) rollcall import: ${int(PUPILS)} pupils, ${int(school.rows)} marks, full year  ` +
      results
        .map(
          (r) =>
            `${DIALECT_LABEL[r.dialect]} first ${seconds(r.first.wallMs)} (${rate(r, r.first)} marks/s), ` +
            `again ${seconds(r.again.wallMs)} (${rate(r, r.again)} marks/s)`,
        )
        .join('  '),
  );
  const rows = [];
  for (const r of results) {
    const m1 = r.first.report.counts.marks;
    const m2 = r.again.report.counts.marks;
    const firstOk = m1.created === r.rows && r.historyAfterFirst === r.rows;
    const againOk =
      changes(r.again.report) === 0 && m2.unchanged === r.rows && r.historyAfterAgain === r.historyAfterFirst;
    if (!firstOk || !againOk) ok = false;
    rows.push([
      DIALECT_LABEL[r.dialect],
      `first: ${int(m1.created)} marks created, ${int(r.historyAfterFirst)} history rows, ` +
        `${int(r.first.report.counts.pupils.created)} pupils, ${int(r.first.report.counts.groups.created)} groups ` +
        `${firstOk ? '(as expected)' : '(UNEXPECTED)'}; ` +
        `again: ${int(changes(r.again.report))} changes, ${int(m2.unchanged)} marks unchanged, ` +
        `${int(r.historyAfterAgain - r.historyAfterFirst)} new history rows ${againOk ? '(idempotent)' : '(NOT IDEMPOTENT)'}`,
    ]);
    rows.push([
      '  durations',
      `import's own durationMs ${int(r.first.report.durationMs)} then ${int(r.again.report.durationMs)} ms ` +
        `(wall time above includes reading the files)`,
    ]);
  }
  if (rows.length > 0) lines(rows);
  console.log(
    `    files: marks.csv ${mib(school.sizes.marks)}, pupils.csv ${mib(school.sizes.pupils)}, generated in ${seconds(genMs)}; ` +
      `runImport in this process with the dialect (bulk JSON statements); ${load()}`,
  );
  return { ok };
}
