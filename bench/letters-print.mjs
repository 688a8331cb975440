// (l) `rollcall letters print` at the size of a primary school: the demo's primary (about 210
// pupils, two parents each with a postal address), the built-in attendance-summary letter to every
// family, one PDF. Prints the pupils, letters and pages, the wall time and the CPU time of the print
// (the machine may be shared: CPU time is the steadier number). The measure: 400 letters
// for a 200-pupil school under 10 s. Part of `npm run bench` (`node --expose-gc bench/run.mjs l`),
// or on its own:
//
//   npm run build && node bench/letters-print.mjs [--keep]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Runs the print once on a fresh demo; `ok` is false only when it could not run. */
export async function benchLettersPrint({ keep = false } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'rollcall-bench-letters-'));
  const sqlite = join(dir, 'rollcall.sqlite');
  const env = { ...process.env, SQLITE_PATH: sqlite, LOG_LEVEL: 'warn' };
  delete env.DATABASE_URL;
  const bin = fileURLToPath(new URL('../packages/server/bin/rollcall.js', import.meta.url));
  try {
    console.log('l  letters: creating the demo trust (a primary of about 210 pupils)…');
    const demo = spawnSync(process.execPath, [bin, 'demo'], { env, encoding: 'utf8' });
    if (demo.status !== 0) {
      console.error(demo.stderr || demo.stdout);
      return { ok: false };
    }
    const { openDeps } = await import('../packages/server/dist/cli/deps.js');
    const { runLettersPrint } = await import('../packages/server/dist/cli/letters.js');
    const { pdfPageCount } = await import('../packages/server/dist/platform/pdf.js');
    const opened = openDeps(env, { stderr: (t) => process.stderr.write(t) });
    let code;
    let ms;
    let cpu;
    let pupils;
    const lines = [];
    const out = join(dir, 'letters.pdf');
    try {
      const school = await opened.deps.db
        .selectFrom('schools')
        .select(['id', 'urn'])
        .where('phase', '=', 'primary')
        .executeTakeFirstOrThrow();
      const roll = await opened.deps.db
        .selectFrom('pupils')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('school_id', '=', school.id)
        .where('leaving_date', 'is', null)
        .executeTakeFirstOrThrow();
      pupils = Number(roll.n);
      globalThis.gc?.();
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      code = await runLettersPrint(
        opened.deps,
        { stdout: (t) => lines.push(t), stderr: (t) => process.stderr.write(t) },
        { school: school.urn, template: 'attendance-summary', out },
      );
      ms = performance.now() - t0;
      cpu = process.cpuUsage(cpu0);
    } finally {
      await opened.close();
    }
    if (code !== 0) {
      console.error(`l  letters: rollcall letters print exited ${code}: ${lines.join('')}`);
      return { ok: false };
    }
    const pages = pdfPageCount(readFileSync(out));
    const letters = Number(/: (\d+) letter\(s\)/.exec(lines.join(''))?.[1] ?? 0);
    console.log(
      `l  letters: rollcall letters print --template attendance-summary, ${pupils} pupils on roll: ${letters} letters ` +
        `(${pages} pages) in ${(ms / 1000).toFixed(2)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s CPU ` +
        `(load average ${loadavg()[0].toFixed(1)}); target 400 letters under 10 s: ${ms < 10_000 ? 'met' : 'NOT met'}`,
    );
    return { ok: true, ms, letters, pages, pupils };
  } finally {
    if (keep) console.log(`l  letters: kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { ok } = await benchLettersPrint({ keep: process.argv.includes('--keep') });
  process.exit(ok ? 0 : 1);
}
