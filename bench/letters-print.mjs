// `rollcall letters print` at the size of a primary school: the demo's primary (about 210 pupils,
// two parents each with a postal address), the built-in attendance-summary letter to every family,
// one PDF. Prints the wall time and the CPU time of the print (the machine may be shared: CPU time
// is the steadier number), the letters and pages. The measure: 400 letters under 10 s.
//
//   npm run build && node bench/letters-print.mjs [--keep]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const keep = process.argv.includes('--keep');
const dir = mkdtempSync(join(tmpdir(), 'rollcall-bench-letters-'));
const sqlite = join(dir, 'rollcall.sqlite');
const env = { ...process.env, SQLITE_PATH: sqlite, LOG_LEVEL: 'warn' };
delete env.DATABASE_URL;
const bin = new URL('../packages/server/bin/rollcall.js', import.meta.url).pathname;

console.log('letters: creating the demo trust (a primary of about 210 pupils)…');
const demo = spawnSync(process.execPath, [bin, 'demo'], { env, encoding: 'utf8' });
if (demo.status !== 0) {
  console.error(demo.stderr || demo.stdout);
  process.exit(1);
}
const { openDeps } = await import('../packages/server/dist/cli/deps.js');
const { runLettersPrint } = await import('../packages/server/dist/cli/letters.js');
const { pdfPageCount } = await import('../packages/server/dist/platform/pdf.js');
const opened = openDeps(env, { stderr: (t) => process.stderr.write(t) });
const school = await opened.deps.db
  .selectFrom('schools')
  .select('urn')
  .where('phase', '=', 'primary')
  .executeTakeFirstOrThrow();
const out = join(dir, 'letters.pdf');
const lines = [];
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const code = await runLettersPrint(
  opened.deps,
  { stdout: (t) => lines.push(t), stderr: (t) => process.stderr.write(t) },
  { school: school.urn, template: 'attendance-summary', out },
);
const ms = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
await opened.close();
const pages = code === 0 ? pdfPageCount(readFileSync(out)) : 0;
const letters = Number(/: (\d+) letter\(s\)/.exec(lines.join(''))?.[1] ?? 0);
console.log(
  `letters: rollcall letters print --template attendance-summary: ${letters} letters (${pages} pages) in ` +
    `${(ms / 1000).toFixed(2)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s CPU ` +
    `(load average ${loadavg()[0].toFixed(1)}); target 400 letters under 10 s: ${ms < 10_000 ? 'met' : 'NOT met'}`,
);
if (keep) console.log(`letters: kept ${dir}`);
else rmSync(dir, { recursive: true, force: true });
process.exit(code === 0 ? 0 : 1);
