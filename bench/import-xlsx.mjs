// (x) A 1,500-pupil secondary school's full year from spreadsheets: the files of (b) saved as
// XLSX as an MIS would export them — pupils.xlsx (one row per pupil) and the marks as an
// attendance grid, marks.xlsx (one row per pupil, one column per session, `dd/mm/yyyy AM`) —
// imported with runImport (`rollcall import --pupils pupils.xlsx --marks marks.xlsx`) into a fresh
// database, then again (idempotent). On SQLite (a file, WAL) and PostgreSQL. Wall time and CPU
// time (this process, and PostgreSQL's processes) are printed: the machine is shared.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeSchoolFiles } from './analyse-cli.mjs';
import { cpuMark, cpuSince, cpuText } from './cpu-time.mjs';
import { DIALECT_LABEL, DIALECTS, load, server } from './harness.mjs';
import { int, lines, mib, seconds } from './format.mjs';

const PUPILS = 1500;
const SCHOOL = { schoolName: 'Rollcall Bench Secondary', phase: 'secondary', laCode: '330', laName: 'Birmingham' };

function csvRows(path) {
  const text = readFileSync(path, 'utf8').trimEnd();
  // The generated files quote nothing but addresses, which (b) does not write.
  return text.split('\n').map((l) => l.split(','));
}

/** pupils.xlsx and the marks grid marks.xlsx beside the CSV files of (b). */
export async function writeWorkbooks(dir, paths) {
  const { writeXlsx } = await server('platform/xlsx.js');
  const [pupilHeader, ...pupilRows] = csvRows(paths.pupils);
  const pupilsXlsx = join(dir, 'pupils.xlsx');
  writeFileSync(pupilsXlsx, writeXlsx({ name: 'Pupils', header: pupilHeader, rows: pupilRows }));
  const [, ...markRows] = csvRows(paths.marks);
  const columns = new Map(); // 'YYYY-MM-DD AM' → column index
  const sessions = [...new Set(markRows.map((r) => `${r[1]} ${r[2]}`))].sort();
  sessions.forEach((s, i) => columns.set(s, i + 1));
  const header = ['UPN', ...sessions.map((s) => `${s.slice(8, 10)}/${s.slice(5, 7)}/${s.slice(0, 4)} ${s.slice(11)}`)];
  const byPupil = new Map();
  for (const [upn, date, session, code] of markRows) {
    let row = byPupil.get(upn);
    if (!row) {
      row = Array(header.length).fill('');
      row[0] = upn;
      byPupil.set(upn, row);
    }
    row[columns.get(`${date} ${session}`)] = code;
  }
  const marksXlsx = join(dir, 'marks.xlsx');
  writeFileSync(marksXlsx, writeXlsx({ name: 'Attendance', header, rows: [...byPupil.values()] }));
  return { pupils: pupilsXlsx, marks: marksXlsx, marksRows: markRows.length, sessions: sessions.length };
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
  const cpu = cpuMark();
  const t0 = performance.now();
  const code = await runImport({ ...args, format: 'json' }, io, env);
  const wallMs = performance.now() - t0;
  const used = cpuSince(cpu);
  if (code !== 0) throw new Error(`runImport exited ${code}:\n${err.slice(0, 5000)}`);
  return { wallMs, cpu: used, report: JSON.parse(out) };
}

async function benchDialect(context, dialect, paths, books) {
  const { systemClock } = await server('platform/clock.js');
  const database = await context.database(dialect, 'x');
  const { db } = database.first;
  try {
    const env = { db, dialect, clock: systemClock };
    const args = { school: '199202', ...SCHOOL, calendar: paths.calendar, pupils: books.pupils, marks: books.marks };
    const first = await timedImport(args, env);
    const again = await timedImport(args, env);
    return { dialect, first, again };
  } finally {
    await database.first.close();
  }
}

export async function benchImportXlsx(context) {
  const dir = context.tempDir('x');
  const school = writeSchoolFiles(dir, PUPILS);
  const books = await writeWorkbooks(dir, school.paths);
  const { xlsxToCsv } = await server('imports/xlsx.js');
  const cpu = cpuMark();
  const t0 = performance.now();
  const sheet = await xlsxToCsv(readFileSync(books.marks));
  const readMs = performance.now() - t0;
  const readCpu = cpuSince(cpu);
  if (!sheet.ok) throw new Error(`marks.xlsx unreadable: ${sheet.message}`);
  const results = [];
  let ok = true;
  for (const dialect of DIALECTS) {
    try {
      results.push(await benchDialect(context, dialect, school.paths, books));
    } catch (e) {
      ok = false;
      if (!context.aborted) console.error(`(x) XLSX import on ${DIALECT_LABEL[dialect]} failed: ${e?.stack ?? e}`);
    }
  }
  console.log(
    `(x) XLSX: ${int(PUPILS)} pupils, a full year as a marks grid  ` +
      results
        .map(
          (r) =>
            `${DIALECT_LABEL[r.dialect]} import ${seconds(r.first.wallMs)} (${cpuText(r.first.cpu)}), again ${seconds(r.again.wallMs)} (${cpuText(r.again.cpu)})`,
        )
        .join('  '),
  );
  const rows = [];
  for (const r of results) {
    const m = r.first.report.counts.marks;
    const changes = Object.values(r.again.report.counts).reduce((n, c) => n + c.created + c.updated + c.removed, 0);
    const good = m.created === books.marksRows && r.first.report.marksLayout === 'grid' && changes === 0;
    if (!good) ok = false;
    rows.push([
      DIALECT_LABEL[r.dialect],
      `${int(m.created)} marks created from the grid (${int(books.marksRows)} in the CSV) ${
        m.created === books.marksRows ? '(the same)' : '(DIFFERENT)'
      }; again: ${int(changes)} changes ${changes === 0 ? '(idempotent)' : '(NOT IDEMPOTENT)'}`,
    ]);
  }
  if (rows.length > 0) lines(rows);
  console.log(
    `    marks.xlsx ${mib(statSync(books.marks).size)} (${int(books.sessions)} session columns × ${int(PUPILS)} rows), ` +
      `pupils.xlsx ${mib(statSync(books.pupils).size)}; reading marks.xlsx alone: ${seconds(readMs)} (${cpuText(readCpu)}); ` +
      `runImport in this process with the dialect; ${load()}`,
  );
  return { ok };
}
