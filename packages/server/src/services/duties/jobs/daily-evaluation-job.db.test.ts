import { beforeEach, expect, it } from 'vitest';
import { describeEachDialect } from '../../../../test/databases.js';
import { d, seedSmallSchool, testDeps, type SmallSchool } from '../../../../test/fixtures.js';
import { forgetCalendar } from '../../registers/registers.js';
import { writeRun } from '../returns/marks.test-support.js';
import { runJob } from './index.js';

describeEachDialect('the daily-evaluation job’s result', (ctx) => {
  let school: SmallSchool;
  const urn = () => `900001-${school.schoolId.replace('school-', '')}`;
  beforeEach(async () => {
    school = await seedSmallSchool(ctx.db);
    forgetCalendar();
    // Group A's three pupils absent all week: three new entries into staged casework.
    for (const pupil of school.pupilsA) await writeRun(ctx.db, school.schoolId, pupil, '2025-09-01', '2025-09-05', 'O');
    for (const pupil of school.pupilsB) await writeRun(ctx.db, school.schoolId, pupil, '2025-09-01', '2025-09-05', '/');
  });

  it('says how many new entries the policy’s cap held back, and the cap', async () => {
    await ctx.db
      .updateTable('schools')
      .set({ policy_json: JSON.stringify({ maxNewEntriesPerRun: 1 }) })
      .where('id', '=', school.schoolId)
      .execute();
    const r = await runJob(testDeps(ctx.db, ctx.dialect, '2025-09-05T17:00:00Z'), 'daily-evaluation', d('2025-09-05'), {
      trigger: 'schedule',
    });
    expect(r.status).toBe('done');
    expect(r.status === 'done' && r.summary[urn()]).toEqual({
      pupilsEvaluated: 5,
      created: 1,
      alreadyOpen: 0,
      superseded: 0,
      heldBack: 2,
      maxNewEntriesPerRun: 1,
    });
    // The stored result, as the jobs page and `rollcall jobs` show it, says the same.
    const stored = await ctx.db
      .selectFrom('job_runs')
      .select('summary')
      .where('job', '=', 'daily-evaluation')
      .where('run_date', '=', '2025-09-05')
      .executeTakeFirstOrThrow();
    expect((JSON.parse(stored.summary!) as Record<string, unknown>)[urn()]).toMatchObject({
      heldBack: 2,
      maxNewEntriesPerRun: 1,
    });
  });

  it('without a cap: nothing held back', async () => {
    // Another day: the job runs once per date.
    const r = await runJob(testDeps(ctx.db, ctx.dialect, '2025-09-04T17:00:00Z'), 'daily-evaluation', d('2025-09-04'), {
      trigger: 'schedule',
    });
    expect(r.status === 'done' && r.summary[urn()]).toMatchObject({
      created: 3,
      heldBack: 0,
      maxNewEntriesPerRun: null,
    });
  });
});
