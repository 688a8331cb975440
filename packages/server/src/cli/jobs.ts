/**
 * `rollcall jobs list` and `rollcall jobs run <name> [--date YYYY-MM-DD] [--school <URN>]`: the
 * schedule table and running any job by hand (recorded like a scheduled run: once per job, date
 * and scope — the whole installation, or with `--school` that school alone).
 */
import type { PlainDate } from '@rollcall/domain';
import { JOBS, recentJobRuns, runJob } from '../services/duties/jobs/index.js';
import type { Deps } from '../services/deps.js';
import { AppError, EXIT_CODE } from '../services/errors.js';
import type { CliIO } from './io.js';

/** Prints every job, its schedule and its latest run. */
export async function runJobsList(
  deps: Deps,
  io: Pick<CliIO, 'stdout'>,
  opts: { format: 'table' | 'json' },
): Promise<number> {
  const runs = await recentJobRuns(deps, { limit: 500 });
  const rows = JOBS.map((j) => {
    const last = runs.find((r) => r.job === j.name);
    return {
      name: j.name,
      schedule: j.schedule,
      when: j.scheduleInWords,
      description: j.description,
      lastRun: last ? { date: last.date, status: last.status, finishedAt: last.finishedAt } : null,
    };
  });
  if (opts.format === 'json') {
    io.stdout(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  const width = Math.max(...rows.map((r) => r.name.length));
  for (const r of rows) {
    const last = r.lastRun ? `last: ${r.lastRun.date} ${r.lastRun.status}` : 'never run';
    io.stdout(`${r.name.padEnd(width)}  ${r.when}  (${last})\n`);
  }
  return 0;
}

/** Runs one job for a date; exit 0 when it ran or had already run for that date, 1 when it failed. */
export async function runJobsRun(
  deps: Deps,
  io: Pick<CliIO, 'stdout' | 'stderr'>,
  opts: { name: string; date: PlainDate; school?: string | undefined },
): Promise<number> {
  try {
    const outcome = await runJob(deps, opts.name, opts.date, {
      trigger: 'manual',
      ...(opts.school !== undefined ? { schoolUrn: opts.school } : {}),
    });
    switch (outcome.status) {
      case 'done':
        io.stdout(`${opts.name} for ${opts.date}: done\n${JSON.stringify(outcome.summary, null, 2)}\n`);
        return 0;
      case 'alreadyDone':
        io.stdout(
          `${opts.name} for ${opts.date}: already done (at ${outcome.finishedAt ?? 'unknown'}); nothing run again\n`,
        );
        return 0;
      case 'busy':
        io.stdout(`${opts.name} for ${opts.date}: running elsewhere just now; nothing run\n`);
        return 0;
      case 'failed':
        io.stderr(`${opts.name} for ${opts.date}: failed: ${outcome.error}\n`);
        return 1;
    }
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    const jobs = e.code === 'VALIDATION' ? ` Jobs: ${JOBS.map((j) => j.name).join(', ')}` : '';
    io.stderr(`rollcall jobs run: ${e.message}${jobs}\n`);
    return EXIT_CODE[e.code];
  }
}
