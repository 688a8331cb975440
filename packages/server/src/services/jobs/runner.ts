/**
 * Running a job: at most one successful run per (job, date), recorded in `job_runs` with what it
 * did; a failed run is recorded with its error and may be run again; on PostgreSQL an advisory
 * lock lets only one of several Rollcall instances run a job at a time (the others skip it).
 */
import type { PlainDate } from '@rollcall/domain';
import { withJobLock } from '../../db/repositories/job-locks.js';
import { newId } from '../../platform/ids.js';
import { audit } from '../audit.js';
import { SYSTEM_ACTOR, type Actor } from '../authz.js';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import { findJob, type JobContext, type JobDefinition, type JobSummary } from './registry.js';

export type RunOutcome =
  | { readonly status: 'done'; readonly runId: string | null; readonly summary: JobSummary }
  | { readonly status: 'alreadyDone'; readonly runId: string; readonly finishedAt: string | null }
  | { readonly status: 'busy' }
  | { readonly status: 'failed'; readonly runId: string; readonly error: string };

/** A run left `running` for longer than this is taken to have died with its process. */
const STALE_RUN_MS = 60 * 60 * 1000;

export interface RunOptions {
  readonly trigger: 'schedule' | 'manual';
  /** Who asked (a person by hand, the system on schedule); the job itself runs as the system. */
  readonly requestedBy?: Actor;
  readonly senders?: JobContext['senders'];
}

/** Runs the named job for a date; see the file comment. Unknown names are a VALIDATION error. */
export async function runJob(deps: Deps, name: string, date: PlainDate, opts: RunOptions): Promise<RunOutcome> {
  const job = findJob(name);
  if (!job) throw new AppError('VALIDATION', `There is no job called "${name}".`);
  return runJobDefinition(deps, job, date, opts);
}

export async function runJobDefinition(
  deps: Deps,
  job: JobDefinition,
  date: PlainDate,
  opts: RunOptions,
): Promise<RunOutcome> {
  const requestedBy = opts.requestedBy ?? SYSTEM_ACTOR;
  const ctx: JobContext = { deps, date, actor: SYSTEM_ACTOR, senders: opts.senders };
  const key = job.once === 'everyTime' ? job.name : `${job.name}/${date}`;
  const locked = await withJobLock(deps.db, deps.dialect, key, async (): Promise<RunOutcome> => {
    if (job.once === 'everyTime') {
      return { status: 'done', runId: null, summary: await job.run(ctx) };
    }
    const previous = await deps.db
      .selectFrom('job_runs')
      .select(['id', 'status', 'started_at', 'finished_at', 'attempts'])
      .where('job', '=', job.name)
      .where('run_date', '=', date)
      .executeTakeFirst();
    const now = deps.clock.now();
    if (previous?.status === 'done') {
      return { status: 'alreadyDone', runId: previous.id, finishedAt: previous.finished_at };
    }
    if (previous?.status === 'running' && Date.parse(now) - Date.parse(previous.started_at) < STALE_RUN_MS) {
      return { status: 'busy' };
    }
    let runId: string;
    if (previous) {
      runId = previous.id;
      await deps.db
        .updateTable('job_runs')
        .set({
          status: 'running',
          trigger: opts.trigger,
          started_at: now,
          started_by: requestedBy.name,
          finished_at: null,
          error: null,
          summary: null,
          attempts: Number(previous.attempts) + 1,
        })
        .where('id', '=', runId)
        .execute();
    } else {
      runId = newId();
      try {
        await deps.db
          .insertInto('job_runs')
          .values({
            id: runId,
            job: job.name,
            run_date: date,
            status: 'running',
            trigger: opts.trigger,
            started_at: now,
            started_by: requestedBy.name,
          })
          .execute();
      } catch {
        // The unique (job, date) index: another runner recorded the run first.
        return { status: 'busy' };
      }
    }
    try {
      const summary = await job.run(ctx);
      await deps.db
        .updateTable('job_runs')
        .set({ status: 'done', finished_at: deps.clock.now(), summary: JSON.stringify(summary) })
        .where('id', '=', runId)
        .execute();
      await audit(deps.db, requestedBy, deps.clock.now(), {
        action: 'job.run',
        entityType: 'job_run',
        entityId: runId,
        details: { job: job.name, date, trigger: opts.trigger },
      });
      return { status: 'done', runId, summary };
    } catch (e) {
      const error =
        e instanceof AppError ? `${e.code}: ${e.message}` : e instanceof Error ? e.message : 'unknown error';
      deps.logger.error({ err: e, job: job.name, date }, 'job failed');
      await deps.db
        .updateTable('job_runs')
        .set({ status: 'failed', finished_at: deps.clock.now(), error })
        .where('id', '=', runId)
        .execute();
      return { status: 'failed', runId, error };
    }
  });
  return locked.locked ? locked.value : { status: 'busy' };
}

export interface JobRunRow {
  readonly id: string;
  readonly job: string;
  readonly date: PlainDate;
  readonly status: string;
  readonly trigger: string;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly startedBy: string;
  readonly attempts: number;
  readonly summary: JobSummary | null;
  readonly error: string | null;
}

/** The latest runs, newest first (the jobs page and `rollcall jobs list`). */
export async function recentJobRuns(
  deps: Pick<Deps, 'db'>,
  opts: { limit?: number; job?: string } = {},
): Promise<JobRunRow[]> {
  let q = deps.db
    .selectFrom('job_runs')
    .select([
      'id',
      'job',
      'run_date',
      'status',
      'trigger',
      'started_at',
      'finished_at',
      'started_by',
      'attempts',
      'summary',
      'error',
    ]);
  if (opts.job) q = q.where('job', '=', opts.job);
  const rows = await q
    .orderBy('run_date', 'desc')
    .orderBy('started_at', 'desc')
    .limit(opts.limit ?? 100)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    job: r.job,
    date: r.run_date as PlainDate,
    status: r.status,
    trigger: r.trigger,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    startedBy: r.started_by,
    attempts: Number(r.attempts),
    summary: r.summary ? (JSON.parse(r.summary) as JobSummary) : null,
    error: r.error,
  }));
}
