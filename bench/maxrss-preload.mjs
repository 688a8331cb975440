// Loaded with `node --import` into the checked run of (b): writes the child's peak RSS (bytes)
// to the file named by ROLLCALL_BENCH_MAXRSS when the process exits. Not used in timed runs.
import { writeFileSync } from 'node:fs';

const file = process.env.ROLLCALL_BENCH_MAXRSS;
if (file) {
  process.on('exit', () => {
    writeFileSync(file, String(process.resourceUsage().maxRSS * 1024));
  });
}
