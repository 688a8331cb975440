// (g) The domain core across cores: every measure and finding for a local authority of 60,000
// pupils, and for a simulated England (9 million pupils, one school year: 3.4 billion marks), in
// streaming batches over worker_threads. The pupils' marks lie in shared memory (SharedArrayBuffer)
// as the compact arrays of decision 0001; the main thread hands out batches of pupils to whichever
// worker is free, and each worker sends back only sums and counts. England reuses the LA's 60,000
// generated pupil-years (pupil i is row i mod 60,000) so that generating data does not cost more
// than measuring it; a batch's marks lie together, as a batch streamed from storage would. (Until
// 7 December 2026 pupil i was row i × 7919 mod 60,000: every pupil's marks read from a far place
// in the pool's 22 MB of codes, which cost a fifth to a third of the marks per CPU-second in this
// virtual machine, probably cache and page-table misses a streamed batch does not have; decision
// 0004.) Printed, never asserted.
import { cpus, loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import { AS_OF, calendarInput } from './data.mjs';
import { generateLocalAuthority } from './domain-core.mjs';
import { fixed, int, lines, median, mib, seconds } from './format.mjs';

const LA_PUPILS = 60_000;
const ENGLAND_PUPILS = 9_000_000;
const LA_BATCH = 2_000;
/**
 * Each LA run measures the 60,000 pupils this many times over (about half a second on one core):
 * a single pass takes a tenth of a second, too short to tell one worker from two above the noise.
 */
const LA_PASSES = 5;
const ENGLAND_BATCH = 20_000;
/** England runs for this long at most, then the full run is extrapolated from the measured rate. */
const ENGLAND_BUDGET_MS = 20_000;
const TARGET_MARKS_PER_CPU_SECOND = 200e6;
const WORKER = new URL('./domain-worker.mjs', import.meta.url);
/**
 * Each worker's young generation. A pupil's results (about a kilobyte of small objects) die at
 * once, but with a worker's default young generation the scavenger ran so often that many were
 * still alive and were promoted, and the old generation's concurrent marking then cost 0.2–0.6 s
 * of CPU on other threads for each 0.5–1 s of measuring (7 December 2026: the process's CPU time
 * 1.1–1.8× the workers' busy time, against 1.0–1.1× with 64 MB; 32 MB was as bad as the default).
 */
const YOUNG_MB = 64;

function shared(typed) {
  const sab = new SharedArrayBuffer(typed.byteLength);
  new typed.constructor(sab).set(typed);
  return sab;
}

/** The generated LA, laid in shared memory for the workers. */
function sharedPool() {
  const t0 = performance.now();
  const { cal, pupils, codes, minutes } = generateLocalAuthority(LA_PUPILS);
  const n = cal.sessionCount;
  const lateRow = new Int32Array(pupils.length).fill(-1);
  const rollFrom = new Int32Array(pupils.length);
  const rollTo = new Int32Array(pupils.length);
  pupils.forEach((p, i) => {
    if (p.minutesLate) lateRow[i] = p.minutesLate.byteOffset / 2 / n;
    rollFrom[i] = p.rollFrom;
    rollTo[i] = p.rollTo;
  });
  return {
    genMs: performance.now() - t0,
    sessions: n,
    data: {
      calendar: calendarInput(),
      asOf: AS_OF,
      rows: pupils.length,
      sessions: n,
      codes: shared(codes),
      minutes: shared(minutes.length > 0 ? minutes : new Uint16Array(1)),
      lateRow: shared(lateRow),
      rollFrom: shared(rollFrom),
      rollTo: shared(rollTo),
    },
  };
}

async function startWorkers(count, data) {
  const t0 = performance.now();
  const workers = Array.from(
    { length: count },
    () => new Worker(WORKER, { workerData: data, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_MB } }),
  );
  // A first, empty batch: the worker has loaded the domain and laid out its views when it answers.
  await Promise.all(workers.map((w) => ask(w, { from: 0, to: 0 })));
  return { workers, startMs: performance.now() - t0 };
}

/** Sends a batch and resolves with the worker's answer (one listener per worker, answers in order). */
function ask(worker, batch) {
  if (!worker.pending) {
    worker.pending = [];
    worker.on('message', (m) => worker.pending.shift().resolve(m));
    worker.on('error', (e) => {
      for (const p of worker.pending.splice(0)) p.reject(e);
    });
  }
  return new Promise((resolve, reject) => {
    worker.pending.push({ resolve, reject });
    worker.postMessage(batch);
  });
}

/**
 * Streams pupils [0, total) in batches to the workers until done or out of time; returns the sums,
 * the wall and CPU time (the whole process: every thread) and the peak RSS seen.
 */
async function stream(workers, total, batchSize, budgetMs = Infinity) {
  const sums = { pupils: 0, possible: 0, attended: 0, authorised: 0, unauthorised: 0, pa: 0, sa: 0, withPossible: 0 };
  const byRule = {};
  let findings = 0;
  let next = 0;
  let peakRss = process.memoryUsage().rss;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const busy = workers.map(() => 0);
  await Promise.all(
    workers.map(async (w, k) => {
      while (next < total && performance.now() - t0 < budgetMs) {
        const from = next;
        const to = Math.min(total, from + batchSize);
        next = to;
        const r = await ask(w, { from, to });
        for (const key of Object.keys(sums)) sums[key] += r.sums[key];
        for (const [rule, c] of Object.entries(r.byRule)) byRule[rule] = (byRule[rule] ?? 0) + c;
        findings += r.findings;
        busy[k] += r.busyMs;
        const rss = process.memoryUsage().rss;
        if (rss > peakRss) peakRss = rss;
      }
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  return { sums, byRule, findings, ms: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000, peakRss, busy };
}

const rateOf = (marks, ms) => marks / (ms / 1000);
const mps = (r) => `${fixed(r / 1e6, 0)} M`;

export async function benchDomainCores({ englandFull = false } = {}) {
  const cores = cpus().length;
  const load0 = loadavg();
  const pool = sharedPool();
  const n = pool.sessions;
  const laMarks = LA_PUPILS * n;

  // The LA, alternately on one worker and on one per core, twice each.
  const configs = cores > 1 ? [1, cores, 1, cores] : [1, 1];
  const laRuns = [];
  for (const count of configs) {
    const { workers, startMs } = await startWorkers(count, pool.data);
    await stream(workers, LA_PUPILS, LA_BATCH); // warm-up: the optimising compiler, in every worker
    const passes = [];
    for (let p = 0; p < LA_PASSES; p++) passes.push(await stream(workers, LA_PUPILS, LA_BATCH));
    const run = {
      ...passes[0],
      ms: passes.reduce((t, r) => t + r.ms, 0),
      cpuMs: passes.reduce((t, r) => t + r.cpuMs, 0),
      peakRss: Math.max(...passes.map((r) => r.peakRss)),
      busy: passes[0].busy.map((_, k) => passes.reduce((t, r) => t + r.busy[k], 0)),
      passes,
    };
    laRuns.push({ count, startMs, ...run });
    await Promise.all(workers.map((w) => w.terminate()));
  }
  const one = laRuns.filter((r) => r.count === 1);
  const many = laRuns.filter((r) => r.count === cores);
  const same = laRuns.every((run) =>
    run.passes.every(
      (r) => JSON.stringify(r.sums) === JSON.stringify(laRuns[0].sums) && r.findings === laRuns[0].findings,
    ),
  );
  const runMarks = laMarks * LA_PASSES;
  const cpuRate = median(laRuns.map((r) => rateOf(runMarks, r.cpuMs)));
  const speedup = cores > 1 ? median(one.map((r) => r.ms)) / median(many.map((r) => r.ms)) : 1;
  const la = laRuns[0];
  console.log(
    `(g) domain core on ${cores} cores: LA of ${int(LA_PUPILS)} pupils (${int(laMarks)} marks, ${LA_PASSES} passes a run)  ` +
      `${mps(cpuRate)} marks per CPU-second at the median (target ≥ 200 M on one core) ${cpuRate >= TARGET_MARKS_PER_CPU_SECOND ? 'ok' : 'MISSED'}  ` +
      `${cores} workers vs 1: ${fixed(speedup, 2)}× (near-linear would be ${cores}×)`,
  );
  lines([
    ...laRuns.map((r, i) => [
      `LA run ${i + 1}`,
      `${r.count} worker${r.count > 1 ? 's' : ''}: ${seconds(r.ms)} wall (${mps(rateOf(runMarks, r.ms))} marks/s), ` +
        `${seconds((r.cpuMs / 1000) * 1000)} CPU (${mps(rateOf(runMarks, r.cpuMs))} marks/CPU-s), ` +
        `workers busy ${r.busy.map((b) => fixed(b, 0)).join(' + ')} ms; started in ${fixed(r.startMs, 0)} ms; peak RSS ${mib(r.peakRss)}`,
    ]),
    [
      'LA results',
      `${same ? 'the same' : 'DIFFERENT'} in every run: attendance ${fixed((la.sums.attended / la.sums.possible) * 100, 1)}%, ` +
        `PA ${int(la.sums.pa)}, SA ${int(la.sums.sa)}; ${int(la.findings)} findings (` +
        Object.entries(la.byRule)
          .sort((a, b) => b[1] - a[1])
          .map(([rule, c]) => `${rule} ${int(c)}`)
          .join(', ') +
        ')',
    ],
  ]);

  // England: as many workers as cores, batches of 20,000 pupils, bounded in time unless asked.
  const { workers, startMs } = await startWorkers(cores, pool.data);
  await stream(workers, LA_PUPILS, LA_BATCH);
  const budget = englandFull ? Infinity : ENGLAND_BUDGET_MS;
  const eng = await stream(workers, ENGLAND_PUPILS, ENGLAND_BATCH, budget);
  await Promise.all(workers.map((w) => w.terminate()));
  const done = eng.sums.pupils;
  const engMarks = done * n;
  const totalMarks = ENGLAND_PUPILS * n;
  const wallRate = rateOf(engMarks, eng.ms);
  const perCpu = rateOf(engMarks, eng.cpuMs);
  const full = done === ENGLAND_PUPILS;
  console.log(
    `(g) England: ${int(ENGLAND_PUPILS)} pupils × ${n} sessions = ${fixed(totalMarks / 1e9, 2)} billion marks on ${cores} workers  ` +
      (full
        ? `measured in full: ${seconds(eng.ms)}`
        : `${int(done)} pupils measured in ${seconds(eng.ms)} (bounded at ${ENGLAND_BUDGET_MS / 1000} s; --england-full runs all), ` +
          `the whole year extrapolated: ${seconds((totalMarks / wallRate) * 1000)} on this machine now, ` +
          `${seconds((totalMarks / perCpu) * 1000)} of CPU (${seconds((totalMarks / perCpu / cores) * 1000)} on ${cores} idle cores)`),
  );
  lines([
    [
      'England rate',
      `${mps(wallRate)} marks/s wall, ${mps(perCpu)} marks per CPU-second; workers started in ${fixed(startMs, 0)} ms; ` +
        `peak RSS ${mib(eng.peakRss)} (the 60,000-row pool: ${mib(laMarks)} of codes, shared)`,
    ],
    [
      'England sums',
      `attendance ${fixed((eng.sums.attended / eng.sums.possible) * 100, 1)}%, PA ${int(eng.sums.pa)} ` +
        `(${fixed((eng.sums.pa / eng.sums.withPossible) * 100, 1)}%), ${int(eng.findings)} findings`,
    ],
    [
      'load average',
      `${load0.map((l) => l.toFixed(2)).join(' ')} before, ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')} after; ` +
        `data generated in ${seconds(pool.genMs)}; max RSS ${mib(process.resourceUsage().maxRSS * 1024)}`,
    ],
  ]);
  return { ok: same };
}
