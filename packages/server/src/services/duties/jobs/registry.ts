/**
 * The one schedule table: every scheduled job of Rollcall, its schedule and what it does. Other
 * features add their jobs with `registerJob` (at import time, in their own module, imported from
 * `jobs/index.ts`). Each job runs at most once per (job, date), recorded in `job_runs`; see
 * `runner.ts` and docs/jobs.md.
 */
import type { PlainDate } from '@rollcall/domain';
import type { Mailer } from '../../../platform/mail.js';
import type { SmsSender } from '../../../platform/sms.js';
import type { Actor } from '../../authz.js';
import type { Deps } from '../../deps.js';

/** What a job gets when it runs. */
export interface JobContext {
  readonly deps: Deps;
  /** The date the run is for (the school day in the configured time zone, or `--date`). */
  readonly date: PlainDate;
  /** Who runs it: the system for scheduled runs; the system on behalf of a named person by hand. */
  readonly actor: Actor;
  /**
   * The one school the run is for (a school administrator's run by hand), or null for the whole
   * installation (the schedule, an installation administrator, the operator's command).
   */
  readonly schoolId: string | null;
  /** Senders for the outbox (built by the scheduler or the command line). */
  readonly senders?: { readonly mailer: Mailer | null; readonly sms: SmsSender } | undefined;
}

/** What a run did, in a few numbers and words (stored as JSON with the run, shown on the jobs page). */
export type JobSummary = Readonly<Record<string, unknown>>;

export interface JobDefinition {
  /** Stable name, kebab-case: `rollcall jobs run <name>`. */
  readonly name: string;
  readonly description: string;
  /**
   * When it runs: a cron pattern (croner, minutes first) in the configured time zone, or null for
   * jobs that are only run by hand.
   */
  readonly schedule: string | null;
  /** The schedule in words, for people. */
  readonly scheduleInWords: string;
  /**
   * `perDate` (default): at most one successful run per date, recorded. `everyTime`: work that is
   * idempotent by itself and runs often (the outbox); only its lock is taken, and runs are not recorded.
   */
  readonly once?: 'perDate' | 'everyTime';
  /**
   * `eachSchool` (default): the job works school by school and can be run for one school alone
   * (its summary is keyed by school URN, so a school sees only its own part). `installation`:
   * work that belongs to the whole installation (the outbox, nightly snapshots), run only on
   * schedule, by an installation administrator or by the operator.
   */
  readonly runsFor?: 'eachSchool' | 'installation';
  run(ctx: JobContext): Promise<JobSummary>;
}

const registered: JobDefinition[] = [];

/** Every registered job, in the order registered (read-only; add with `registerJob`). */
export const JOBS: readonly JobDefinition[] = registered;

/** Adds a job to the schedule table; a second job of the same name is a programmer error. */
export function registerJob(job: JobDefinition): void {
  if (!/^[a-z][a-z0-9-]*$/.test(job.name)) throw new Error(`job name must be kebab-case: ${job.name}`);
  if (registered.some((j) => j.name === job.name)) throw new Error(`job registered twice: ${job.name}`);
  registered.push(job);
}

export function findJob(name: string): JobDefinition | undefined {
  return registered.find((j) => j.name === name);
}
