/**
 * Running a job: at most one successful run per (job, date, scope), recorded in `job_runs` with
 * what it did; a failed run is recorded with its error and may be run again; on PostgreSQL an
 * advisory lock lets only one of several Rollcall instances run a job at a time (the others skip it).
 *
 * The scope is the whole installation ('') or one school (its id). The schedule, an installation
 * administrator (an administrator without a school) and the operator's command run jobs for the
 * whole installation; a school's administrator runs a job for their own school alone, and sees
 * only their school's runs and their school's part of the installation's runs. A school's run
 * neither counts as nor blocks the installation's run for that date.
 */
import type { PlainDate } from '@rollcall/domain';
import { findJobRun, finishJobRun, insertJobRun, listJobRuns, restartJobRun } from '../../../db/duties/job-runs.js';
import { withJobLock } from '../../../db/duties/job-locks.js';
import { findSchool, findSchoolByUrn, type School } from '../../school/schools.js';
import { newId } from '../../../platform/ids.js';
import { audit } from '../../audit.js';
import { authorise, can, SYSTEM_ACTOR, type Actor } from '../../authz.js';
import type { Deps } from '../../deps.js';
import { AppError } from '../../errors.js';
import { findJob, JOBS, type JobContext, type JobDefinition, type JobSummary } from './registry.js';

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
  /** The one school to run it for; absent or null for the whole installation. */
  readonly schoolId?: string | null;
  /** The same by URN (the operator's `rollcall jobs run --school`); a URN with no school is NOT_FOUND. */
  readonly schoolUrn?: string;
  readonly senders?: JobContext['senders'];
}

/** The jobs a person may run, and whether they run them for the whole installation or their school. */
export function jobsFor(actor: Actor): { jobs: readonly JobDefinition[]; installation: boolean } {
  if (mayRunForInstallation(actor)) return { jobs: JOBS, installation: true };
  return { jobs: JOBS.filter((j) => (j.runsFor ?? 'eachSchool') === 'eachSchool'), installation: false };
}

function mayRunForInstallation(actor: Actor): boolean {
  return can(actor, 'jobs.runInstallation', { kind: 'school', schoolId: '', trustId: null, laCode: '' });
}

async function schoolFor(deps: Pick<Deps, 'db'>, actor: Actor, schoolId: string): Promise<School> {
  const school = await findSchool(deps.db, schoolId);
  if (!school) throw new AppError('NOT_FOUND', 'There is no such school.');
  authorise(actor, 'jobs.run', { kind: 'school', schoolId: school.id, trustId: school.trustId, laCode: school.laCode });
  return school;
}

/**
 * Runs the named job for a date; see the file comment. Unknown names are a VALIDATION error; a
 * person who may not run it for that scope is FORBIDDEN.
 */
export async function runJob(deps: Deps, name: string, date: PlainDate, opts: RunOptions): Promise<RunOutcome> {
  const job = findJob(name);
  if (!job) throw new AppError('VALIDATION', `There is no job called "${name}".`);
  const requestedBy = opts.requestedBy ?? SYSTEM_ACTOR;
  let schoolId = opts.schoolId ?? null;
  if (opts.schoolUrn !== undefined) {
    const school = await findSchoolByUrn(deps.db, opts.schoolUrn.trim());
    if (!school) throw new AppError('NOT_FOUND', `There is no school with URN "${opts.schoolUrn}".`);
    schoolId = school.id;
  }
  if (schoolId === null) {
    if (!mayRunForInstallation(requestedBy))
      throw new AppError(
        'FORBIDDEN',
        'Only an installation administrator can run a job for every school; run it for your own school.',
      );
  } else {
    await schoolFor(deps, requestedBy, schoolId);
    if ((job.runsFor ?? 'eachSchool') === 'installation')
      throw new AppError(
        'VALIDATION',
        `The job "${name}" works for the whole installation, not one school; only an installation administrator runs it.`,
      );
  }
  return runJobDefinition(deps, job, date, { ...opts, schoolId });
}

export async function runJobDefinition(
  deps: Deps,
  job: JobDefinition,
  date: PlainDate,
  opts: RunOptions,
): Promise<RunOutcome> {
  const requestedBy = opts.requestedBy ?? SYSTEM_ACTOR;
  const schoolId = opts.schoolId ?? null;
  const scope = schoolId ?? '';
  const ctx: JobContext = { deps, date, actor: SYSTEM_ACTOR, schoolId, senders: opts.senders };
  const key = job.once === 'everyTime' ? job.name : `${job.name}/${date}/${scope}`;
  const locked = await withJobLock(deps.db, deps.dialect, key, async (): Promise<RunOutcome> => {
    if (job.once === 'everyTime') {
      return { status: 'done', runId: null, summary: await job.run(ctx) };
    }
    const previous = await findJobRun(deps.db, { job: job.name, runDate: date, scope });
    const now = deps.clock.now();
    if (previous?.status === 'done') {
      return { status: 'alreadyDone', runId: previous.id, finishedAt: previous.finishedAt };
    }
    if (previous?.status === 'running' && Date.parse(now) - Date.parse(previous.startedAt) < STALE_RUN_MS) {
      return { status: 'busy' };
    }
    let runId: string;
    if (previous) {
      runId = previous.id;
      await restartJobRun(deps.db, runId, {
        trigger: opts.trigger,
        startedAt: now,
        startedBy: requestedBy.name,
        attempts: previous.attempts + 1,
      });
    } else {
      runId = newId();
      const inserted = await insertJobRun(deps.db, {
        id: runId,
        job: job.name,
        runDate: date,
        scope,
        trigger: opts.trigger,
        startedAt: now,
        startedBy: requestedBy.name,
      });
      // The unique (job, date, scope) index: another runner recorded the run first.
      if (!inserted) return { status: 'busy' };
    }
    try {
      const summary = await job.run(ctx);
      await finishJobRun(deps.db, runId, {
        status: 'done',
        finishedAt: deps.clock.now(),
        summary: JSON.stringify(summary),
      });
      await audit(deps.db, requestedBy, deps.clock.now(), {
        action: 'job.run',
        entityType: 'job_run',
        entityId: runId,
        ...(schoolId ? { schoolId } : {}),
        details: { job: job.name, date, trigger: opts.trigger, scope: schoolId ? 'school' : 'installation' },
      });
      return { status: 'done', runId, summary };
    } catch (e) {
      const error =
        e instanceof AppError ? `${e.code}: ${e.message}` : e instanceof Error ? e.message : 'unknown error';
      deps.logger.error({ err: e, job: job.name, date }, 'job failed');
      await finishJobRun(deps.db, runId, { status: 'failed', finishedAt: deps.clock.now(), error });
      return { status: 'failed', runId, error };
    }
  });
  return locked.locked ? locked.value : { status: 'busy' };
}

export interface JobRunRow {
  readonly id: string;
  readonly job: string;
  readonly date: PlainDate;
  /** Whose run: the whole installation, or one school's. */
  readonly scope: 'installation' | 'school';
  readonly status: string;
  readonly trigger: string;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly startedBy: string;
  readonly attempts: number;
  readonly summary: JobSummary | null;
  readonly error: string | null;
}

/** The latest runs of every scope, newest first (`rollcall jobs list`, the operator's view). */
export async function recentJobRuns(
  deps: Pick<Deps, 'db'>,
  opts: { limit?: number; job?: string } = {},
): Promise<JobRunRow[]> {
  const rows = await listJobRuns(deps.db, { limit: opts.limit ?? 100, job: opts.job });
  return rows.map((r) => ({
    id: r.id,
    job: r.job,
    date: r.runDate as PlainDate,
    scope: r.scope === '' ? 'installation' : 'school',
    status: r.status,
    trigger: r.trigger,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    startedBy: r.startedBy,
    attempts: r.attempts,
    summary: r.summary ? (JSON.parse(r.summary) as JobSummary) : null,
    error: r.error,
  }));
}

/**
 * The runs a person may see, newest first. An installation administrator sees every run. A
 * school's administrator sees their school's own runs and, of the installation's runs of jobs
 * that work school by school, only their school's part of what the run did; an installation run's
 * error is not shown to them (it may be about another school).
 */
export async function jobRunsFor(
  deps: Pick<Deps, 'db'>,
  actor: Actor,
  opts: { limit?: number } = {},
): Promise<JobRunRow[]> {
  if (mayRunForInstallation(actor)) return recentJobRuns(deps, opts);
  if (actor.schoolId === null) throw new AppError('FORBIDDEN', 'You do not have permission to do that.');
  const school = await schoolFor(deps, actor, actor.schoolId);
  const perSchool = new Set(jobsFor(actor).jobs.map((j) => j.name));
  const rows = await listJobRuns(deps.db, { limit: opts.limit ?? 100, scopes: ['', school.id] });
  return rows
    .filter((r) => perSchool.has(r.job))
    .map((r): JobRunRow => {
      const summary = r.summary ? (JSON.parse(r.summary) as JobSummary) : null;
      const own = r.scope !== '';
      return {
        id: r.id,
        job: r.job,
        date: r.runDate as PlainDate,
        scope: own ? 'school' : 'installation',
        status: r.status,
        trigger: r.trigger,
        startedAt: r.startedAt,
        finishedAt: r.finishedAt,
        startedBy: own ? r.startedBy : 'the schedule or the installation administrator',
        attempts: r.attempts,
        summary: own ? summary : onlySchool(summary, school),
        error: own
          ? r.error
          : r.error === null
            ? null
            : 'The installation-wide run failed; its administrator has the details.',
      };
    });
}

/** A per-school summary (keyed by URN, or by id) cut down to one school's entry. */
function onlySchool(summary: JobSummary | null, school: School): JobSummary | null {
  if (!summary) return null;
  const mine = summary[school.urn] ?? summary[school.id];
  return mine === undefined ? { [school.urn]: 'no entry for this school in this run' } : { [school.urn]: mine };
}
