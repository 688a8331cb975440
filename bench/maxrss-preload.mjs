// Loaded with `node --import` into the checked run of (b): writes the child's peak RSS (bytes)
// to the file named by ROLLCALL_BENCH_MAXRSS when the process exits.
import { writeFileSync } from 'node:fs';

const file = process.env.ROLLCALL_BENCH_MAXRSS;
if (file) {
  process.on('exit', () => {
    writeFileSync(file, String(process.resourceUsage().maxRSS * 1024));
  });
}

// ROLLCALL_BENCH_USAGE: the child's CPU time (user + system) and peak RSS, as JSON, for the timed
// runs of (b) (theirs and DuckDB's alike).
const usage = process.env.ROLLCALL_BENCH_USAGE;
if (usage) {
  process.on('exit', () => {
    const u = process.resourceUsage();
    writeFileSync(usage, JSON.stringify({ cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000, maxRss: u.maxRSS * 1024 }));
  });
}
