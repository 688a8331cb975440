import { expect, it } from 'vitest';
import { describeEachDialect } from '../../../../test/databases.js';
import { d, seedSmallSchool, testDeps } from '../../../../test/fixtures.js';
import { runJob } from './index.js';

describeEachDialect('the retention job’s result', (ctx) => {
  it('counts every kind of row it removed, per school', async () => {
    const school = await seedSmallSchool(ctx.db);
    const pupil = school.pupilsA[0]!;
    // A day of 2018/19, past its 6 years by September 2026, with a mark and everything around it.
    const date = '2018-10-01';
    await ctx.db
      .insertInto('session_marks')
      .values({
        pupil_id: pupil,
        date,
        session: 'AM',
        code: 'L',
        minutes_late: 10,
        updated_at: `${date}T09:00:00Z`,
        updated_by: null,
      })
      .execute();
    await ctx.db
      .insertInto('late_arrivals')
      .values({
        id: `old-la-${school.schoolId}`,
        pupil_id: pupil,
        date,
        session: 'AM',
        arrived_at: '09:00',
        minutes_late: 10,
        code: 'L',
        reason: 'bus',
        recorded_by: 'Office',
        recorded_at: `${date}T09:00:00Z`,
      })
      .execute();
    await ctx.db
      .insertInto('registers')
      .values({
        id: `old-reg-${school.schoolId}`,
        school_id: school.schoolId,
        group_id: school.groupA,
        date,
        session: 'AM',
        lesson_id: null,
        version: 1,
        taken_at: `${date}T08:55:00Z`,
        taken_by: null,
        updated_at: `${date}T08:55:00Z`,
        updated_by: null,
      })
      .execute();
    const r = await runJob(testDeps(ctx.db, ctx.dialect, '2026-09-01T02:00:00Z'), 'retention', d('2026-09-01'), {
      trigger: 'schedule',
    });
    expect(r.status).toBe('done');
    const mine = r.status === 'done' ? (r.summary[school.schoolId] as Record<string, unknown>) : undefined;
    expect(mine).toMatchObject({ marks: 1, lateArrivals: 1, earlyLeavers: 0, registers: 1 });
  });
});
