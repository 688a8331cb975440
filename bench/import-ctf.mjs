// (h) The Common Transfer File at school scale: a 1,500-pupil secondary school's full year (the
// files of (b)) is imported from CSV into school A (LA 330, establishment 4000), written as an
// attendance CTF (`exportCtf`, every pupil, the whole year), and that CTF imported with runImport
// (`rollcall import --ctf`) into school B with the same LA and establishment (a school moving its
// register into Rollcall), then again (idempotent). On SQLite (a file, WAL) and PostgreSQL. Wall
// time and CPU time (this process, and PostgreSQL's processes) are printed: the machine is shared.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeSchoolFiles } from './analyse-cli.mjs';
import { cpuMark, cpuSince, cpuText } from './cpu-time.mjs';
import { DIALECT_LABEL, DIALECTS, load, server } from './harness.mjs';
import { int, lines, mib, seconds } from './format.mjs';

const PUPILS = 1500;
const SCHOOL = { schoolName: 'Rollcall Bench Secondary', phase: 'secondary', laCode: '330', estab: '4000' };

async function runImportTimed(args, env) {
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
  const cpu = cpuMark();
  const t0 = performance.now();
  const code = await runImport({ ...args, format: 'json' }, io, env);
  const wallMs = performance.now() - t0;
  const used = cpuSince(cpu);
  if (code !== 0) throw new Error(`runImport exited ${code}:\n${err.slice(0, 5000)}`);
  return { wallMs, cpu: used, report: JSON.parse(out) };
}

async function marksOf(db, urn) {
  const r = await db
    .selectFrom('session_marks as m')
    .innerJoin('pupils as p', 'p.id', 'm.pupil_id')
    .innerJoin('schools as s', 's.id', 'p.school_id')
    .where('s.urn', '=', urn)
    .where('m.code', '!=', '#')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

async function benchDialect(context, dialect, paths, dir) {
  const { systemClock } = await server('platform/clock.js');
  const { exportCtf } = await server('services/exchange/exports/ctf.js');
  const { SYSTEM_ACTOR } = await server('services/authz.js');
  const database = await context.database(dialect, 'h');
  const { db } = database.first;
  try {
    const env = { db, dialect, clock: systemClock };
    await runImportTimed(
      { school: '199102', ...SCHOOL, calendar: paths.calendar, pupils: paths.pupils, marks: paths.marks },
      env,
    );
    const cal = JSON.parse(readFileSync(paths.calendar, 'utf8'));
    const from = cal.terms[0].start;
    const to = cal.terms[cal.terms.length - 1].end;
    const school = await db.selectFrom('schools').select('id').where('urn', '=', '199102').executeTakeFirstOrThrow();
    globalThis.gc?.();
    const t0 = performance.now();
    const out = await exportCtf({ db, dialect, clock: systemClock }, SYSTEM_ACTOR, {
      schoolId: school.id,
      kind: 'attendance',
      from,
      to,
      today: to,
    });
    const exportMs = performance.now() - t0;
    const file = join(dir, `${dialect}-${out.fileName}`);
    writeFileSync(file, out.xml);
    const importArgs = { school: '199103', ...SCHOOL, calendar: paths.calendar, ctf: file };
    const first = await runImportTimed(importArgs, env);
    const again = await runImportTimed(importArgs, env);
    return {
      dialect,
      exportMs,
      bytes: statSync(file).size,
      pupils: out.pupils,
      warnings: out.warnings.length,
      first,
      again,
      marksA: await marksOf(db, '199102'),
      marksB: await marksOf(db, '199103'),
    };
  } finally {
    await database.first.close();
  }
}

export async function benchImportCtf(context) {
  const dir = context.tempDir('h');
  const school = writeSchoolFiles(dir, PUPILS);
  const results = [];
  let ok = true;
  for (const dialect of DIALECTS) {
    try {
      results.push(await benchDialect(context, dialect, school.paths, dir));
    } catch (e) {
      ok = false;
      if (!context.aborted) console.error(`(h) CTF on ${DIALECT_LABEL[dialect]} failed: ${e?.stack ?? e}`);
    }
  }
  console.log(
    `(h) CTF: ${int(PUPILS)} pupils, a full year  ` +
      results
        .map(
          (r) =>
            `${DIALECT_LABEL[r.dialect]} export ${seconds(r.exportMs)}, import ${seconds(r.first.wallMs)} (${cpuText(r.first.cpu)}), ` +
            `again ${seconds(r.again.wallMs)} (${cpuText(r.again.cpu)})`,
        )
        .join('  '),
  );
  const rows = [];
  for (const r of results) {
    const changes = Object.values(r.again.report.counts).reduce((n, c) => n + c.created + c.updated + c.removed, 0);
    const same = r.marksA === r.marksB;
    if (changes !== 0) ok = false;
    rows.push([
      DIALECT_LABEL[r.dialect],
      `file ${mib(r.bytes)} for ${int(r.pupils)} pupils; school A ${int(r.marksA)} marks, school B from the CTF ${int(r.marksB)} ` +
        `${same ? '(the same)' : `(${int(r.marksA - r.marksB)} not carried: years with a two-character code, ${int(r.warnings)} warnings)`}; ` +
        `again: ${int(changes)} changes ${changes === 0 ? '(idempotent)' : '(NOT IDEMPOTENT)'}`,
    ]);
  }
  if (rows.length > 0) lines(rows);
  console.log(`    runImport --ctf in this process with the dialect; ${load()}`);
  return { ok };
}
