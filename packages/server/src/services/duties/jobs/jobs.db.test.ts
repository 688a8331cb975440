import { beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { describeEachDialect } from '../../../../test/databases.js';
import { openDatabase } from '../../../db/connect.js';
import { d, seedSmallSchool, testDeps, type SmallSchool } from '../../../../test/fixtures.js';
import { createLogger } from '../../../platform/logger.js';
import { logSmsSender } from '../../../platform/sms.js';
import { forgetCalendar } from '../../registers/registers.js';
import { writeRun } from '../returns/marks.test-support.js';
import { DEFAULT_POLICY } from '../../policy/school-policy.js';
import type { Actor } from '../../authz.js';
import { JOBS, jobRunsFor, jobsFor, recentJobRuns, registerJob, runJob } from './index.js';

let slowRuns = 0;
registerJob({
  name: 'test-slow',
  description: 'A test job that takes a while.',
  schedule: null,
  scheduleInWords: 'by hand',
  run: async () => {
    slowRuns++;
    await new Promise((r) => setTimeout(r, 300));
    return { ok: true };
  },
});

let failNext = true;
registerJob({
  name: 'test-flaky',
  description: 'Fails the first time.',
  schedule: null,
  scheduleInWords: 'by hand',
  run: () => {
    if (failNext) {
      failNext = false;
      return Promise.reject(new Error('the first try fails'));
    }
    return Promise.resolve({ ok: true });
  },
});

describe('the schedule table', () => {
  it('has every duty job with a schedule', () => {
    const scheduled = JOBS.filter((j) => j.schedule !== null).map((j) => j.name);
    expect(scheduled).toEqual(
      expect.arrayContaining([
        'register-close',
        'daily-evaluation',
        'n-ageing',
        'outbox',
        'weekly-report',
        'half-termly-report',
        'returns-due',
      ]),
    );
  });
});

describeEachDialect('scheduled jobs on a fixed date', (ctx) => {
  let school: SmallSchool;
  beforeAll(async () => {
    school = await seedSmallSchool(ctx.db);
    forgetCalendar();
    const [alex, bea] = school.pupilsA as [string, string];
    await writeRun(ctx.db, school.schoolId, alex, '2025-09-01', '2025-09-19', 'O');
    await writeRun(ctx.db, school.schoolId, alex, '2025-09-08', '2025-09-08', 'N', ['AM']);
    await writeRun(ctx.db, school.schoolId, bea, '2025-09-01', '2025-09-19', '/');
    await ctx.db
      .updateTable('schools')
      .set({ policy_json: JSON.stringify({ ...DEFAULT_POLICY, convertNToOAfterSchoolDays: 5 }) })
      .where('id', '=', school.schoolId)
      .execute();
  });
  const at = (iso: string) => testDeps(ctx.db, ctx.dialect, iso);
  const urn = () => `900001-${school.schoolId.replace('school-', '')}`;

  it('register close: flags registers not taken and counts the worklist; twice does nothing new', async () => {
    const deps = at('2025-09-22T09:30:00Z');
    const first = await runJob(deps, 'register-close', d('2025-09-22'), { trigger: 'manual' });
    expect(first.status).toBe('done');
    if (first.status !== 'done') return;
    expect(first.summary[urn()]).toEqual({
      registersNotTaken: ['Year 3 Oak AM', 'Year 4 Ash AM'],
      worklist: expect.any(Number) as number,
      dslAlerts: expect.any(Number) as number,
    });
    const flagged = await ctx.db
      .selectFrom('audit_log')
      .select('details')
      .where('action', '=', 'registers.notTaken')
      .where('school_id', '=', school.schoolId)
      .execute();
    expect(flagged).toHaveLength(1);
    const again = await runJob(deps, 'register-close', d('2025-09-22'), { trigger: 'manual' });
    expect(again.status).toBe('alreadyDone');
    expect(
      await ctx.db.selectFrom('audit_log').select('id').where('action', '=', 'registers.notTaken').execute(),
    ).toHaveLength(1);
  });

  it('skips a school on a day that is not a school day', async () => {
    const r = await runJob(at('2025-09-26T16:00:00Z'), 'weekly-report', d('2025-09-26'), { trigger: 'manual' });
    expect(r.status === 'done' && r.summary[urn()]).toEqual({ skipped: 'not a school day' });
  });

  it('N ageing: converts N older than the policy allows, once', async () => {
    const r = await runJob(at('2025-09-16T17:30:00Z'), 'n-ageing', d('2025-09-16'), { trigger: 'schedule' });
    expect(r.status === 'done' && r.summary[urn()]).toEqual({ converted: 1 });
    expect((await runJob(at('2025-09-16T17:31:00Z'), 'n-ageing', d('2025-09-16'), { trigger: 'manual' })).status).toBe(
      'alreadyDone',
    );
  });

  it('weekly report: the week’s figures', async () => {
    const r = await runJob(at('2025-09-19T15:00:00Z'), 'weekly-report', d('2025-09-19'), { trigger: 'schedule' });
    expect(r.status === 'done' && r.summary[urn()]).toEqual({
      week: '2025-09-15 to 2025-09-19',
      possibleSessions: 20,
      attendance: '50.0%',
      authorisedAbsence: '0.0%',
      unauthorisedAbsence: '50.0%',
      pupilsWithUnauthorisedAbsence: 1,
    });
  });

  it('weekly report: on the last school day of a week (Thursday when Friday is an INSET day), not before', async () => {
    const wednesday = await runJob(at('2025-09-24T15:00:00Z'), 'weekly-report', d('2025-09-24'), {
      trigger: 'schedule',
    });
    expect(wednesday.status === 'done' && wednesday.summary[urn()]).toEqual({
      skipped: 'not the last school day of the week',
    });
    const thursday = await runJob(at('2025-09-25T15:00:00Z'), 'weekly-report', d('2025-09-25'), {
      trigger: 'schedule',
    });
    expect(thursday.status === 'done' && thursday.summary[urn()]).toMatchObject({ week: '2025-09-22 to 2025-09-25' });
  });

  it('returns due: on a Friday prepares the attendance return; twice prepares nothing new', async () => {
    const r = await runJob(at('2025-09-19T16:00:00Z'), 'returns-due', d('2025-09-19'), { trigger: 'schedule' });
    expect(r.status === 'done' && r.summary[urn()]).toEqual({
      prepared: [{ kind: 'attendance', pupils: 1, id: expect.any(String) as string }],
    });
    expect(
      (await runJob(at('2025-09-19T16:05:00Z'), 'returns-due', d('2025-09-19'), { trigger: 'manual' })).status,
    ).toBe('alreadyDone');
    // The next school day: admissions and deletions only, and nothing new.
    const monday = await runJob(at('2025-09-22T16:00:00Z'), 'returns-due', d('2025-09-22'), { trigger: 'schedule' });
    expect(monday.status === 'done' && monday.summary[urn()]).toEqual({ prepared: [] });
    expect(
      await ctx.db.selectFrom('la_returns').select('id').where('school_id', '=', school.schoolId).execute(),
    ).toHaveLength(1);
  });

  it('half-termly report: only on the last school day of a term', async () => {
    const before = await runJob(at('2025-10-23T15:30:00Z'), 'half-termly-report', d('2025-10-23'), {
      trigger: 'schedule',
    });
    expect(before.status === 'done' && before.summary[urn()]).toEqual({
      skipped: 'not the last school day of Autumn 1',
    });
    const last = await runJob(at('2025-10-24T15:30:00Z'), 'half-termly-report', d('2025-10-24'), {
      trigger: 'schedule',
    });
    expect(last.status === 'done' && last.summary[urn()]).toMatchObject({ term: 'Autumn 1', pupils: 5 });
    const queued = await ctx.db.selectFrom('messages').select('id').where('kind', '=', 'summary').execute();
    expect(
      (await runJob(at('2025-10-24T15:31:00Z'), 'half-termly-report', d('2025-10-24'), { trigger: 'manual' })).status,
    ).toBe('alreadyDone');
    expect(await ctx.db.selectFrom('messages').select('id').where('kind', '=', 'summary').execute()).toHaveLength(
      queued.length,
    );
  });

  it('daily evaluation: runs the casework evaluator for each school; once per date', async () => {
    const r = await runJob(at('2025-09-19T17:00:00Z'), 'daily-evaluation', d('2025-09-19'), { trigger: 'schedule' });
    expect(r.status === 'done' && r.summary[urn()]).toMatchObject({ pupilsEvaluated: 5 });
    expect(
      (await runJob(at('2025-09-19T17:01:00Z'), 'daily-evaluation', d('2025-09-19'), { trigger: 'manual' })).status,
    ).toBe('alreadyDone');
  });

  it('outbox: sends what is due every time it runs (not recorded per date)', async () => {
    const deps = at('2025-10-24T16:00:00Z');
    const senders = { mailer: null, sms: logSmsSender(createLogger('silent')) };
    const r = await runJob(deps, 'outbox', d('2025-10-24'), { trigger: 'schedule', senders });
    expect(r.status).toBe('done');
    expect((await runJob(deps, 'outbox', d('2025-10-24'), { trigger: 'schedule', senders })).status).toBe('done');
    expect(await ctx.db.selectFrom('job_runs').select('id').where('job', '=', 'outbox').execute()).toEqual([]);
  });

  it('records a failure with its error and runs again after it', async () => {
    failNext = true;
    const first = await runJob(at('2025-09-19T17:00:00Z'), 'test-flaky', d('2025-09-19'), { trigger: 'manual' });
    expect(first).toMatchObject({ status: 'failed', error: 'the first try fails' });
    const second = await runJob(at('2025-09-19T17:05:00Z'), 'test-flaky', d('2025-09-19'), { trigger: 'manual' });
    expect(second.status).toBe('done');
    const [row] = await recentJobRuns({ db: ctx.db }, { job: 'test-flaky' });
    expect(row).toMatchObject({ status: 'done', attempts: 2, error: null, trigger: 'manual' });
  });

  it('two concurrent runs of a job for the same date: one runs, the other is told it is busy', async () => {
    slowRuns = 0;
    const deps = at('2025-09-19T17:00:00Z');
    const outcomes = await Promise.all([
      runJob(deps, 'test-slow', d('2025-09-19'), { trigger: 'schedule' }),
      runJob(deps, 'test-slow', d('2025-09-19'), { trigger: 'schedule' }),
    ]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['busy', 'done']);
    expect(slowRuns).toBe(1);
  });

  it('two Rollcall instances (separate connection pools) on PostgreSQL: the advisory lock lets one run', async () => {
    if (ctx.dialect !== 'postgres') return;
    const other = openDatabase({ kind: 'postgres', url: ctx.url! });
    try {
      slowRuns = 0;
      const outcomes = await Promise.all([
        runJob(at('2025-09-18T17:00:00Z'), 'test-slow', d('2025-09-18'), { trigger: 'schedule' }),
        runJob(testDeps(other.db, 'postgres', '2025-09-18T17:00:00Z'), 'test-slow', d('2025-09-18'), {
          trigger: 'schedule',
        }),
      ]);
      expect(outcomes.map((o) => o.status).sort()).toEqual(['busy', 'done']);
      expect(slowRuns).toBe(1);
      const held = await sql<{
        n: number;
      }>`select count(*)::int as n from pg_locks where locktype = 'advisory' and database = (select oid from pg_database where datname = current_database())`.execute(
        ctx.db,
      );
      expect(held.rows[0]?.n).toBe(0);
    } finally {
      await other.close();
    }
  });

  it("a school administrator's run works for their school alone, apart from the installation's run of that date", async () => {
    const schoolAdmin: Actor = {
      userId: 'u-school-admin',
      name: 'School admin',
      role: 'admin',
      schoolId: school.schoolId,
      trustId: null,
      laCode: '999',
      groupIds: new Set(),
      pupilIds: new Set(),
    };
    const otherUrn = urn().replace('900001', '900002');
    const deps = at('2025-10-03T16:00:00Z');
    const own = await runJob(deps, 'weekly-report', d('2025-10-03'), {
      trigger: 'manual',
      requestedBy: schoolAdmin,
      schoolId: school.schoolId,
    });
    expect(own.status).toBe('done');
    if (own.status !== 'done') return;
    // Only their school was worked on: the other school of the installation is not in it.
    expect(Object.keys(own.summary)).toEqual([urn()]);
    // The installation's scheduled run for the same date is not marked done by the school's run.
    const whole = await runJob(deps, 'weekly-report', d('2025-10-03'), { trigger: 'schedule' });
    expect(whole.status).toBe('done');
    if (whole.status !== 'done') return;
    expect(Object.keys(whole.summary).sort()).toEqual([urn(), otherUrn].sort());

    // They may not run a job for every school, for another school, or an installation-only job.
    await expect(
      runJob(deps, 'weekly-report', d('2025-10-10'), { trigger: 'manual', requestedBy: schoolAdmin }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(
      runJob(deps, 'weekly-report', d('2025-10-10'), {
        trigger: 'manual',
        requestedBy: schoolAdmin,
        schoolId: school.schoolId.replace('school-', 'other-'),
      }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(
      runJob(deps, 'outbox', d('2025-10-10'), {
        trigger: 'manual',
        requestedBy: schoolAdmin,
        schoolId: school.schoolId,
      }),
    ).rejects.toMatchObject({ code: 'VALIDATION' });
    expect(jobsFor(schoolAdmin).jobs.map((j) => j.name)).not.toContain('outbox');
    expect(jobsFor(schoolAdmin).installation).toBe(false);

    // What they see: their own run, and only their school's part of the installation's runs.
    const seen = await jobRunsFor({ db: ctx.db }, schoolAdmin, { limit: 500 });
    const mentionsOther = seen.some((r) => JSON.stringify(r.summary ?? {}).includes(otherUrn));
    expect(mentionsOther).toBe(false);
    const weekly = seen.filter((r) => r.job === 'weekly-report' && r.date === d('2025-10-03'));
    expect(weekly.map((r) => r.scope).sort()).toEqual(['installation', 'school']);
    for (const r of weekly) expect(Object.keys(r.summary ?? {})).toEqual([urn()]);
    // Runs of test jobs that are not per school are never shown to a school.
    expect(seen.some((r) => JSON.stringify(r.summary ?? {}).includes('"ok"'))).toBe(false);

    // An installation administrator sees everything, including the other school's part.
    const installAdmin: Actor = { ...schoolAdmin, userId: 'u-install-admin', schoolId: null, laCode: null };
    const all = await jobRunsFor({ db: ctx.db }, installAdmin, { limit: 500 });
    expect(all.some((r) => JSON.stringify(r.summary ?? {}).includes(otherUrn))).toBe(true);
    expect(jobsFor(installAdmin).installation).toBe(true);
  });

  it('refuses an unknown job', async () => {
    await expect(
      runJob(at('2025-09-19T17:00:00Z'), 'no-such-job', d('2025-09-19'), { trigger: 'manual' }),
    ).rejects.toThrow(/no job called/);
  });
});
