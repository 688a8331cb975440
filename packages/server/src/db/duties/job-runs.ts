/**
 * The record of job runs (`job_runs`): one row per (job, date, scope), where the scope is '' for a
 * run over the whole installation and a school's id for a run of that school alone.
 */
import type { DbOrTrx } from '../connect.js';

export interface JobRunRecord {
  readonly id: string;
  readonly job: string;
  readonly runDate: string;
  readonly scope: string;
  readonly status: string;
  readonly trigger: string;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly startedBy: string;
  readonly attempts: number;
  readonly summary: string | null;
  readonly error: string | null;
}

const COLUMNS = [
  'id',
  'job',
  'run_date',
  'scope',
  'status',
  'trigger',
  'started_at',
  'finished_at',
  'started_by',
  'attempts',
  'summary',
  'error',
] as const;

type Row = {
  id: string;
  job: string;
  run_date: string;
  scope: string;
  status: string;
  trigger: string;
  started_at: string;
  finished_at: string | null;
  started_by: string;
  attempts: number;
  summary: string | null;
  error: string | null;
};

function toRecord(r: Row): JobRunRecord {
  return {
    id: r.id,
    job: r.job,
    runDate: r.run_date,
    scope: r.scope,
    status: r.status,
    trigger: r.trigger,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    startedBy: r.started_by,
    attempts: Number(r.attempts),
    summary: r.summary,
    error: r.error,
  };
}

/** The run of a job for a date in a scope, if any. */
export async function findJobRun(
  db: DbOrTrx,
  key: { job: string; runDate: string; scope: string },
): Promise<JobRunRecord | undefined> {
  const row = await db
    .selectFrom('job_runs')
    .select(COLUMNS)
    .where('job', '=', key.job)
    .where('run_date', '=', key.runDate)
    .where('scope', '=', key.scope)
    .executeTakeFirst();
  return row ? toRecord(row) : undefined;
}

/** Records a run as started again (after a failure, or a run left behind by a dead process). */
export async function restartJobRun(
  db: DbOrTrx,
  id: string,
  values: { trigger: string; startedAt: string; startedBy: string; attempts: number },
): Promise<void> {
  await db
    .updateTable('job_runs')
    .set({
      status: 'running',
      trigger: values.trigger,
      started_at: values.startedAt,
      started_by: values.startedBy,
      finished_at: null,
      error: null,
      summary: null,
      attempts: values.attempts,
    })
    .where('id', '=', id)
    .execute();
}

/**
 * Records a new run as started; false when another runner recorded the same (job, date, scope)
 * first (the unique index).
 */
export async function insertJobRun(
  db: DbOrTrx,
  values: {
    id: string;
    job: string;
    runDate: string;
    scope: string;
    trigger: string;
    startedAt: string;
    startedBy: string;
  },
): Promise<boolean> {
  try {
    await db
      .insertInto('job_runs')
      .values({
        id: values.id,
        job: values.job,
        run_date: values.runDate,
        scope: values.scope,
        status: 'running',
        trigger: values.trigger,
        started_at: values.startedAt,
        started_by: values.startedBy,
      })
      .execute();
    return true;
  } catch {
    return false;
  }
}

/** Records how a run ended. */
export async function finishJobRun(
  db: DbOrTrx,
  id: string,
  outcome:
    { status: 'done'; finishedAt: string; summary: string } | { status: 'failed'; finishedAt: string; error: string },
): Promise<void> {
  await db
    .updateTable('job_runs')
    .set(
      outcome.status === 'done'
        ? { status: 'done', finished_at: outcome.finishedAt, summary: outcome.summary }
        : { status: 'failed', finished_at: outcome.finishedAt, error: outcome.error },
    )
    .where('id', '=', id)
    .execute();
}

/** The latest runs, newest first; only those of the given scopes and job when asked. */
export async function listJobRuns(
  db: DbOrTrx,
  opts: { limit: number; job?: string | undefined; scopes?: readonly string[] | undefined },
): Promise<JobRunRecord[]> {
  let q = db.selectFrom('job_runs').select(COLUMNS);
  if (opts.job) q = q.where('job', '=', opts.job);
  if (opts.scopes) {
    if (opts.scopes.length === 0) return [];
    q = q.where('scope', 'in', [...opts.scopes]);
  }
  const rows = await q.orderBy('run_date', 'desc').orderBy('started_at', 'desc').limit(opts.limit).execute();
  return rows.map(toRecord);
}
