// (b) `rollcall analyse` end to end: the CSV files of a 1,500-pupil secondary school for a full
// year are written to a temporary folder, then the real command runs as a child process.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CODE_TABLE } from '@rollcall/domain';
import {
  AS_OF,
  calendarInput,
  codeIds,
  codeTextById,
  compiledCalendar,
  drawProfile,
  fillMarks,
  generatorPlan,
  makeUpn,
  mulberry32,
} from './data.mjs';
import { best, int, lines, median, mib, seconds } from './format.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'packages/server/bin/rollcall.js');
const DUCKDB_SCRIPT = fileURLToPath(new URL('./duckdb-analyse.mjs', import.meta.url));
const PRELOAD = pathToFileURL(fileURLToPath(new URL('./maxrss-preload.mjs', import.meta.url))).href;
const PUPILS = 1500;
const RUNS = 5;
const TARGET_MS = 2000;
/** When the checked run is this slow, the timed runs are skipped so the bench stays within minutes. */
const SKIP_TIMED_RUNS_MS = 10 * TARGET_MS;
/** A run that takes longer than this is stopped and reported as a failure. */
const RUN_TIMEOUT_MS = 600_000;

const SURNAMES = ['Smith', 'Jones', 'Taylor', 'Brown', 'Williams', 'Wilson', 'Johnson', 'Davies', 'Patel', 'Khan'];
SURNAMES.push('Robinson', 'Wright', 'Thompson', 'Evans', 'Walker', 'White', 'Roberts', 'Green', 'Hall', 'Ahmed');
const FORENAMES = ['Alex', 'Sam', 'Jordan', 'Charlie', 'Jamie', 'Riley', 'Morgan', 'Taylor', 'Casey', 'Robin'];
FORENAMES.push('Aisha', 'Noah', 'Olivia', 'Amelia', 'Muhammad', 'Leo', 'Isla', 'Oscar', 'Ivy', 'Zara');
const ETHNICITIES = [
  'WBRI',
  'WBRI',
  'WBRI',
  'WBRI',
  'WOTH',
  'AIND',
  'APKN',
  'ABAN',
  'BAFR',
  'BCRB',
  'MWBC',
  'CHNE',
  'REFU',
];

const PUPIL_COLUMNS = [
  'upn',
  'surname',
  'forename',
  'date_of_birth',
  'year_group',
  'reg_group',
  'admission_date',
  'leaving_date',
  'sen',
  'fsm',
  'pupil_premium',
  'eal',
  'cin',
  'cp',
  'lac',
  'young_carer',
  'gender',
  'ethnicity',
];

const yn = (b) => (b ? 'Y' : 'N');

function isoDate(ms) {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Writes text in large chunks without building one huge string. */
function chunkedWriter(path) {
  const fd = openSync(path, 'w');
  let parts = [];
  let size = 0;
  const flush = () => {
    if (parts.length > 0) writeSync(fd, parts.join(''));
    parts = [];
    size = 0;
  };
  return {
    write(text) {
      parts.push(text);
      size += text.length;
      if (size > 1 << 20) flush();
    },
    close() {
      flush();
      closeSync(fd);
    },
  };
}

/** Writes calendar.json, pupils.csv and marks.csv for one secondary school; returns their paths and sizes. */
export function writeSchoolFiles(dir, pupilCount = PUPILS, seed = 11_2025) {
  const cal = compiledCalendar();
  const plan = generatorPlan(cal);
  const ids = codeIds();
  const codeText = codeTextById(ids);
  const n = cal.sessionCount;
  const rng = mulberry32(seed);
  const infoRng = mulberry32(seed ^ 0x5eed);
  const codes = new Uint8Array(n);
  const minutes = new Uint16Array(n);
  const setMinutes = (s, m) => {
    minutes[s] = m;
  };
  const sessionText = Array.from(
    { length: n },
    (_, s) => `,${cal.sessionDate[s]},${cal.sessionIsPM[s] ? 'PM' : 'AM'},`,
  );

  const paths = {
    calendar: join(dir, 'calendar.json'),
    pupils: join(dir, 'pupils.csv'),
    marks: join(dir, 'marks.csv'),
  };
  writeFileSync(paths.calendar, `${JSON.stringify(calendarInput(), null, 2)}\n`);
  const pupilsOut = chunkedWriter(paths.pupils);
  const marksOut = chunkedWriter(paths.marks);
  pupilsOut.write(`${PUPIL_COLUMNS.join(',')}\n`);
  marksOut.write('upn,date,session,code,minutes_late\n');
  let rows = 0;
  let joiners = 0;
  let leavers = 0;
  let year11 = 0;
  const perYear = Math.ceil(pupilCount / 5);
  for (let i = 0; i < pupilCount; i++) {
    const yearGroup = 7 + Math.floor(i / perYear);
    const profile = drawProfile(rng, cal, plan, { yearGroups: [yearGroup] });
    codes.fill(0);
    minutes.fill(0);
    fillMarks(rng, cal, plan, ids, profile, codes, setMinutes);
    const upn = makeUpn(i, yearGroup, i % 500 === 499);

    // Pupil details (placeholders, not real people).
    const born = Date.UTC(2025 - yearGroup - 6, 8, 1) + Math.floor(infoRng() * 365) * 86400000;
    const joined = profile.fromDay > 0;
    const left = profile.toDay < cal.dayCount - 1;
    if (joined) joiners++;
    if (yearGroup === 11) year11++;
    else if (left) leavers++;
    const fsm = infoRng() < 0.24;
    const senDraw = infoRng();
    pupilsOut.write(
      [
        upn,
        SURNAMES[Math.floor(infoRng() * SURNAMES.length)],
        FORENAMES[Math.floor(infoRng() * FORENAMES.length)],
        isoDate(born),
        String(yearGroup),
        `${yearGroup}${'ABCDEF'[i % 6]}`,
        joined ? cal.dayDate[profile.fromDay] : `${2025 - (yearGroup - 7)}-09-03`,
        left ? cal.dayDate[profile.toDay] : '',
        senDraw < 0.025 ? 'E' : senDraw < 0.15 ? 'K' : 'N',
        yn(fsm),
        yn(fsm || infoRng() < 0.03),
        yn(infoRng() < 0.18),
        yn(infoRng() < 0.03),
        yn(infoRng() < 0.01),
        yn(infoRng() < 0.01),
        yn(infoRng() < 0.02),
        infoRng() < 0.5 ? 'F' : 'M',
        ETHNICITIES[Math.floor(infoRng() * ETHNICITIES.length)],
      ].join(',') + '\n',
    );

    let text = '';
    const from = cal.dayFirstSession[profile.fromDay];
    const to = cal.dayFirstSession[profile.toDay + 1] - 1;
    for (let s = from; s <= to; s++) {
      const c = codes[s];
      if (c === 0) continue; // unmarked: no row
      text += `${upn}${sessionText[s]}${codeText[c]},${minutes[s] > 0 ? minutes[s] : ''}\n`;
      rows++;
    }
    marksOut.write(text);
  }
  pupilsOut.close();
  marksOut.close();
  const size = (p) => statSync(p).size;
  return {
    paths,
    rows,
    joiners,
    leavers,
    year11,
    sessions: n,
    sizes: { calendar: size(paths.calendar), pupils: size(paths.pupils), marks: size(paths.marks) },
  };
}

/** The last day on roll of Year 11 (study leave, then leaving at the end of June). */
function cal11() {
  const cal = compiledCalendar();
  return cal.dayDate[generatorPlan(cal).year11LastDay];
}

function analyseArgs(paths) {
  return [
    BIN,
    'analyse',
    '--calendar',
    paths.calendar,
    '--marks',
    paths.marks,
    '--pupils',
    paths.pupils,
    '--as-of',
    AS_OF,
    '--format',
    'json',
  ];
}

/** 1 September of the academic year containing the date (the default statistics period start). */
function periodStartOf(asOf) {
  const year = Number(asOf.slice(0, 4));
  return Number(asOf.slice(5, 7)) >= 9 ? `${year}-09-01` : `${year - 1}-09-01`;
}

/** [code, code set, category] for every code, for the DuckDB query. */
function codeTableRows() {
  return CODE_TABLE.map((c) => [c.code, c.codeSet, c.category]);
}

/** Whether `@duckdb/node-api` loads here (it is a dev dependency with a native binding). */
function duckdbAvailable() {
  const probe = spawnSync(
    process.execPath,
    ['--input-type=module', '-e', "const d = await import('@duckdb/node-api'); console.log(d.version());"],
    { cwd: ROOT, encoding: 'utf8', timeout: RUN_TIMEOUT_MS },
  );
  if (probe.status !== 0) {
    return { ok: false, reason: `@duckdb/node-api does not load (${String(probe.stderr).trim().split('\n').pop()})` };
  }
  return { ok: true, version: probe.stdout.trim() };
}

/**
 * One timed run of a child: wall time around spawnSync, CPU time (user + system) and peak RSS from
 * the child's own rusage, written at exit by the preload. Output is kept when asked (to compare).
 */
function timedRun(argv, dir, keepOutput) {
  const usagePath = join(dir, `usage-${process.hrtime.bigint()}.json`);
  const t0 = performance.now();
  const run = spawnSync(process.execPath, ['--import', PRELOAD, ...argv], {
    cwd: ROOT,
    stdio: ['ignore', keepOutput ? 'pipe' : 'ignore', 'pipe'],
    env: { ...process.env, ROLLCALL_BENCH_USAGE: usagePath },
    maxBuffer: 64 << 20,
    timeout: RUN_TIMEOUT_MS,
  });
  const ms = performance.now() - t0;
  let cpuMs = NaN;
  try {
    cpuMs = JSON.parse(readFileSync(usagePath, 'utf8')).cpuMs;
  } catch {
    // the preload did not report
  }
  return {
    status: run.status,
    signal: run.signal,
    error: run.error,
    stderr: run.stderr,
    ms,
    cpuMs,
    output: keepOutput && run.status === 0 ? JSON.parse(String(run.stdout)) : undefined,
  };
}

/** Whether DuckDB's counts are Rollcall's, pupil by pupil. */
function agreement(ours, theirs) {
  if (!theirs) return 'not checked';
  const byUpn = new Map(theirs.pupils.map((p) => [p.upn, p]));
  let same = 0;
  for (const p of ours.pupils) {
    const t = byUpn.get(p.upn);
    if (
      t &&
      t.possible === p.possibleSessions &&
      t.present === p.presentSessions &&
      t.authorised === p.authorisedAbsenceSessions &&
      t.unauthorised === p.unauthorisedAbsenceSessions &&
      t.persistent_absence === p.persistentAbsence &&
      t.severe_absence === p.severeAbsence
    ) {
      same++;
    }
  }
  return `same possible, present, absence and PA/SA for ${int(same)} of ${int(ours.pupils.length)} pupils (DuckDB has ${int(theirs.pupils.length)})`;
}

function fail(what, r) {
  console.error(
    `(b) rollcall analyse failed on the ${what}: exit ${r.status ?? r.signal}${r.error ? ` (${r.error.message})` : ''}`,
  );
  if (r.stderr) console.error(String(r.stderr).slice(0, 20000));
  return { ok: false };
}

export function benchAnalyseCli({ keep = false } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'rollcall-bench-'));
  try {
    const g0 = performance.now();
    const school = writeSchoolFiles(dir);
    const genMs = performance.now() - g0;
    const { paths } = school;
    const args = analyseArgs(paths);

    // Checked run (also warms the file cache): output to a file, parsed and counted; the child's
    // peak RSS comes from a preload that reports process.resourceUsage() on exit.
    const outPath = join(dir, 'report.json');
    const rssPath = join(dir, 'maxrss.txt');
    const outFd = openSync(outPath, 'w');
    const c0 = performance.now();
    const check = spawnSync(process.execPath, ['--import', PRELOAD, ...args], {
      cwd: ROOT,
      stdio: ['ignore', outFd, 'pipe'],
      env: { ...process.env, ROLLCALL_BENCH_MAXRSS: rssPath },
      maxBuffer: 64 << 20,
      timeout: RUN_TIMEOUT_MS,
    });
    const checkMs = performance.now() - c0;
    closeSync(outFd);
    if (check.status !== 0) return fail('checked run', check);
    let report;
    try {
      report = JSON.parse(readFileSync(outPath, 'utf8'));
    } catch (e) {
      console.error(`(b) rollcall analyse printed output that is not JSON: ${e.message}`);
      return { ok: false };
    }
    if (!Array.isArray(report.pupils) || report.pupils.length !== PUPILS) {
      console.error(`(b) expected ${PUPILS} pupils in the report, got ${report.pupils?.length}`);
      return { ok: false };
    }
    const outBytes = statSync(outPath).size;
    let childRss = NaN;
    try {
      childRss = Number(readFileSync(rssPath, 'utf8'));
    } catch {
      // the preload did not report; leave it unknown
    }

    // The timed runs: Rollcall and DuckDB alternately (A B B A …), so that both see the same
    // load; each run's wall time and CPU time (user + system, from the child's rusage through the
    // preload) are kept.
    const duckdb = duckdbAvailable();
    const codesPath = join(dir, 'codes.json');
    if (duckdb.ok) writeFileSync(codesPath, JSON.stringify(codeTableRows()));
    const duckArgs = [DUCKDB_SCRIPT, paths.marks, periodStartOf(AS_OF), AS_OF, codesPath];
    const runs = checkMs > SKIP_TIMED_RUNS_MS ? 0 : RUNS;
    const ours = [];
    const theirs = [];
    let duckReport;
    const load0 = loadavg();
    for (let r = 0; r < runs; r++) {
      const order = r % 2 === 0 ? ['rollcall', 'duckdb'] : ['duckdb', 'rollcall'];
      for (const who of order) {
        if (who === 'duckdb' && !duckdb.ok) continue;
        const run = timedRun(who === 'rollcall' ? args : duckArgs, dir, who === 'duckdb' && r === 0);
        if (run.status !== 0) return fail(`timed run ${r + 1} (${who})`, run);
        (who === 'rollcall' ? ours : theirs).push(run);
        if (run.output) duckReport = run.output;
      }
    }
    const load1 = loadavg();
    // Too slow to repeat: the checked run is the only measurement.
    const times = ours.length > 0 ? ours.map((o) => o.ms) : [checkMs];
    const bestMs = best(times);
    const medianMs = median(times);
    const totalBytes = school.sizes.calendar + school.sizes.pupils + school.sizes.marks;
    console.log(
      `(b) rollcall analyse: ${int(PUPILS)} pupils, ${int(school.rows)} mark rows, ${mib(totalBytes)} of files  ` +
        (runs > 0 ? `best ${seconds(bestMs)}  median ${seconds(medianMs)}  ` : `one run ${seconds(medianMs)}  `) +
        `${int(school.rows / (medianMs / 1000))} rows/s ` +
        `(target < ${TARGET_MS / 1000} s) ${medianMs < TARGET_MS ? 'ok' : 'MISSED'}`,
    );
    const s = report.summary;
    lines([
      [
        'runs (ms)',
        runs > 0
          ? `${times.map((t) => t.toFixed(0)).join(', ')}  (checked run ${checkMs.toFixed(0)}; wall time incl. node start-up)`
          : `${checkMs.toFixed(0)}: the checked run alone; ${RUNS} timed runs SKIPPED because it took over ` +
            `${SKIP_TIMED_RUNS_MS / 1000} s (10× the target): profile with node --cpu-prof`,
      ],
      [
        'files',
        `calendar.json ${int(school.sizes.calendar)} B (${school.sessions} sessions), pupils.csv ${mib(school.sizes.pupils)} ` +
          `(${int(PUPILS)} rows, ${school.joiners} joiners, ${school.leavers} leavers, ` +
          `${school.year11} in Year 11 leaving on ${cal11()}), ` +
          `marks.csv ${mib(school.sizes.marks)} (${int(school.rows)} rows); generated in ${seconds(genMs)}`,
      ],
      [
        'checked',
        `exit 0, JSON ${mib(outBytes)} with ${int(report.pupils.length)} pupils; attendance ${(s.attendanceRate * 100).toFixed(1)}%, ` +
          `PA ${s.persistentAbsentees}, SA ${s.severeAbsentees}; child peak RSS ${Number.isFinite(childRss) ? mib(childRss) : 'unknown'}`,
      ],
      [
        'throughput',
        `${int(school.rows / (bestMs / 1000))} rows/s at best, ${int(school.rows / (medianMs / 1000))} at the median`,
      ],
      [
        'cpu (ms)',
        ours.length > 0 ? `${ours.map((o) => o.cpuMs.toFixed(0)).join(', ')} (user + system of each timed run)` : '-',
      ],
      [
        'load average',
        `${load0.map((l) => l.toFixed(2)).join(' ')} before, ${load1.map((l) => l.toFixed(2)).join(' ')} after ` +
          `(1, 5, 15 min; ${cpus().length} cores)`,
      ],
    ]);
    if (!duckdb.ok) {
      console.log(`    DuckDB      not compared: ${duckdb.reason}`);
    } else if (theirs.length > 0) {
      const theirMedian = median(theirs.map((t) => t.ms));
      const ratio = medianMs / theirMedian;
      const pairs = ours.map((o, i) => o.ms / theirs[i].ms);
      const cpuRatio = median(ours.map((o) => o.cpuMs)) / median(theirs.map((t) => t.cpuMs));
      console.log(
        `(b) vs DuckDB ${duckdb.version} on the same marks.csv, run alternately: Rollcall ${seconds(medianMs)} / DuckDB ` +
          `${seconds(theirMedian)} at the median = ${ratio.toFixed(2)}× (target ≤ 1.00×) ${ratio <= 1 ? 'ok' : 'MISSED'}`,
      );
      lines([
        [
          'DuckDB (ms)',
          `${theirs.map((t) => t.ms.toFixed(0)).join(', ')} wall; ${theirs.map((t) => t.cpuMs.toFixed(0)).join(', ')} cpu`,
        ],
        [
          'ratio',
          `per pair ${Math.min(...pairs).toFixed(2)}–${Math.max(...pairs).toFixed(2)}×; cpu time ${cpuRatio.toFixed(2)}× ` +
            'at the median (DuckDB may use every core, Rollcall uses one)',
        ],
        ['agreement', agreement(report, duckReport)],
        [
          'DuckDB does',
          'per-pupil counts, rates and PA/SA flags in SQL: a subset of Rollcall (no runs of days, penalty window, ' +
            'returns, roll dates, findings)',
        ],
      ]);
    }

    if (keep) console.log(`    files kept in ${dir}`);
    return { ok: true, medianMs };
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}
