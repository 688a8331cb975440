/**
 * The scheduler: croner, in process, one timer per job with a schedule, in the configured time
 * zone. Each tick runs the job for today's date through the runner (recorded once per date; on
 * PostgreSQL only one of several instances runs it). A tick still running when the next comes is
 * skipped (croner's `protect`).
 */
import { Cron } from 'croner';
import { runJobDefinition } from './runner.js';
import { JOBS, type JobContext } from './index.js';
import type { Deps } from '../../deps.js';

export interface Scheduler {
  /** The jobs scheduled, with their next run (ISO), for logs and the jobs page. */
  readonly scheduled: readonly { readonly name: string; readonly next: string | null }[];
  stop(): void;
}

export function startScheduler(deps: Deps, senders?: JobContext['senders']): Scheduler {
  const timers: Cron[] = [];
  for (const job of JOBS) {
    if (!job.schedule) continue;
    const timer = new Cron(
      job.schedule,
      { timezone: deps.config.timeZone, protect: true, name: `rollcall-${job.name}` },
      async () => {
        try {
          const outcome = await runJobDefinition(deps, job, deps.clock.today(deps.config.timeZone), {
            trigger: 'schedule',
            senders,
          });
          if (outcome.status === 'failed')
            deps.logger.error({ job: job.name, error: outcome.error }, 'scheduled job failed');
          else if (outcome.status === 'done' && job.once !== 'everyTime')
            deps.logger.info({ job: job.name }, 'scheduled job done');
        } catch (e) {
          deps.logger.error({ err: e, job: job.name }, 'scheduled job failed');
        }
      },
    );
    timers.push(timer);
  }
  return {
    scheduled: timers.map((t) => ({
      name: (t.name ?? '').replace(/^rollcall-/, ''),
      next: t.nextRun()?.toISOString() ?? null,
    })),
    stop: () => {
      for (const t of timers) t.stop();
    },
  };
}
