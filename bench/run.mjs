// Rollcall benchmarks: `npm run bench` (builds first), or `node --expose-gc bench/run.mjs [a|b] [--keep]`.
//   a  the domain core at local-authority scale (60,000 pupils, a full year, in memory)
//   b  `rollcall analyse` end to end on a 1,500-pupil secondary school's CSV files
// Results are printed, never asserted. --keep leaves (b)'s generated files in the temp folder.
import { cpus } from 'node:os';
import { benchAnalyseCli } from './analyse-cli.mjs';
import { benchDomainCore } from './domain-core.mjs';

const args = process.argv.slice(2);
const which = args.filter((a) => !a.startsWith('--'));
const keep = args.includes('--keep');
const unknown = which.filter((a) => a !== 'a' && a !== 'b');
if (unknown.length > 0) {
  console.error(`usage: node --expose-gc bench/run.mjs [a|b] [--keep] (unknown: ${unknown.join(' ')})`);
  process.exit(2);
}
const runA = which.length === 0 || which.includes('a');
const runB = which.length === 0 || which.includes('b');

const cpu = cpus();
console.log(
  `machine: ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${cpu.length} cores, node ${process.version}` +
    `${globalThis.gc ? '' : ' (run with --expose-gc for steadier numbers)'}`,
);

const started = performance.now();
let ok = true;
if (runA) ok = benchDomainCore().ok && ok;
if (runB) ok = benchAnalyseCli({ keep }).ok && ok;
console.log(`bench finished in ${((performance.now() - started) / 1000).toFixed(1)} s`);
if (!ok) process.exitCode = 1;
