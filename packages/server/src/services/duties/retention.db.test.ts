import { beforeEach, describe, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/databases.js';
import { rejection, seedSmallSchool, testDeps, type SmallSchool } from '../../../test/fixtures.js';
import { findJob } from './jobs/index.js';
import { SYSTEM_ACTOR } from '../authz.js';
import { MIN_KEEP_YEARS, removableBefore, runRetention } from './retention.js';

describe('removableBefore', () => {
  it('keeps the academic year of a mark and 6 whole years after it', () => {
    // 2025/26 ends 31 August 2026: kept to 31 August 2032, removable from 1 September 2032.
    expect(removableBefore('2032-08-31')).toBe('2025-09-01');
    expect(removableBefore('2032-09-01')).toBe('2026-09-01');
    expect(removableBefore('2033-07-20', 7)).toBe('2025-09-01');
    expect(MIN_KEEP_YEARS).toBe(6);
  });
});

/**
 * Marks (with a history row, a late arrival, an early leaver and the group's register each) on
 * days either side of the keep period's edges.
 */
const DATES = ['2019-07-15', '2019-09-02', '2020-08-28', '2020-09-01', '2025-09-08'];

describeEachDialect('runRetention', (ctx) => {
  let s: SmallSchool;
  let other: SmallSchool;
  beforeEach(async () => {
    s = await seedSmallSchool(ctx.db);
    other = await seedSmallSchool(ctx.db);
    for (const school of [s, other]) {
      const pupil = school.pupilsA[0]!;
      for (const [i, date] of DATES.entries()) {
        await ctx.db
          .insertInto('session_marks')
          .values({
            pupil_id: pupil,
            date,
            session: 'AM',
            code: '/',
            minutes_late: null,
            updated_at: `${date}T08:00:00Z`,
            updated_by: null,
          })
          .execute();
        await ctx.db
          .insertInto('mark_history')
          .values({
            id: `h-${school.schoolId}-${i}`,
            pupil_id: pupil,
            date,
            session: 'AM',
            lesson_id: null,
            previous_code: null,
            new_code: '/',
            previous_minutes_late: null,
            new_minutes_late: null,
            reason: null,
            user_id: null,
            user_name: 'Test',
            user_role: 'teacher',
            at: `${date}T08:00:00Z`,
            source: 'register',
          })
          .execute();
        await ctx.db
          .insertInto('late_arrivals')
          .values({
            id: `la-${school.schoolId}-${i}`,
            pupil_id: pupil,
            date,
            session: 'AM',
            arrived_at: '08:55',
            minutes_late: 10,
            code: 'L',
            reason: 'bus',
            recorded_by: 'Office',
            recorded_at: `${date}T08:55:00Z`,
          })
          .execute();
        await ctx.db
          .insertInto('early_leavers')
          .values({
            id: `el-${school.schoolId}-${i}`,
            pupil_id: pupil,
            date,
            left_at: '14:00',
            collected_by: 'Parent',
            reason: 'dentist',
            returned_at: null,
            recorded_by: 'Office',
            recorded_at: `${date}T14:00:00Z`,
          })
          .execute();
        await ctx.db
          .insertInto('registers')
          .values({
            id: `r-${school.schoolId}-${i}`,
            school_id: school.schoolId,
            group_id: school.groupA,
            date,
            session: 'AM',
            lesson_id: null,
            version: 1,
            taken_at: `${date}T08:50:00Z`,
            taken_by: null,
            updated_at: `${date}T08:50:00Z`,
            updated_by: null,
          })
          .execute();
      }
    }
  });

  const datesOf = async (
    school: SmallSchool,
    table: 'session_marks' | 'mark_history' | 'late_arrivals' | 'early_leavers' | 'registers',
  ) =>
    (table === 'registers'
      ? await ctx.db.selectFrom(table).select('date').where('school_id', '=', school.schoolId).orderBy('date').execute()
      : await ctx.db
          .selectFrom(table)
          .select('date')
          .where('pupil_id', '=', school.pupilsA[0]!)
          .orderBy('date')
          .execute()
    ).map((r) => r.date);
  const EVERY_TABLE = ['session_marks', 'mark_history', 'late_arrivals', 'early_leavers', 'registers'] as const;
  const allDatesOf = async (school: SmallSchool) =>
    Object.fromEntries(await Promise.all(EVERY_TABLE.map(async (t) => [t, await datesOf(school, t)] as const)));
  const everywhere = (dates: readonly string[]) => Object.fromEntries(EVERY_TABLE.map((t) => [t, dates]));

  it('removes only marks and history older than 6 years after their academic year, recording the run', async () => {
    const deps = testDeps(ctx.db, ctx.dialect, '2026-09-01T02:00:00Z');
    // On 31 August 2026 only 2018/19 is past its 6 years.
    const early = await runRetention(deps, s.actors.admin, { schoolId: s.schoolId, today: '2026-08-31' });
    expect(early).toMatchObject({
      beforeDate: '2019-09-01',
      marksRemoved: 1,
      historyRemoved: 1,
      lateArrivalsRemoved: 1,
      earlyLeaversRemoved: 1,
      registersRemoved: 1,
      dryRun: false,
    });
    // 2 September 2019 (2019/20) is just inside the keep period: everything of that day stays.
    expect(await allDatesOf(s)).toEqual(everywhere(DATES.slice(1)));

    // On 1 September 2026, 2019/20 goes too; 2020/21 (from 1 September 2020) stays.
    const next = await runRetention(deps, s.actors.admin, { schoolId: s.schoolId, today: '2026-09-01' });
    expect(next).toMatchObject({
      beforeDate: '2020-09-01',
      marksRemoved: 2,
      historyRemoved: 2,
      lateArrivalsRemoved: 2,
      earlyLeaversRemoved: 2,
      registersRemoved: 2,
    });
    // 28 August 2020 (the last days of 2019/20) goes; 1 September 2020 is just inside and stays.
    expect(await allDatesOf(s)).toEqual(everywhere(['2020-09-01', '2025-09-08']));
    // Another school's records are its own business.
    expect(await allDatesOf(other)).toEqual(everywhere(DATES));

    const runs = await ctx.db
      .selectFrom('retention_runs')
      .select([
        'before_date',
        'marks_removed',
        'history_removed',
        'late_arrivals_removed',
        'early_leavers_removed',
        'registers_removed',
        'keep_years',
        'dry_run',
        'run_by',
      ])
      .where('school_id', '=', s.schoolId)
      .orderBy('before_date')
      .execute();
    const counts = ['marks_removed', 'history_removed', 'late_arrivals_removed', 'early_leavers_removed'] as const;
    expect(
      runs.map((r) => ({
        ...r,
        ...Object.fromEntries(counts.map((c) => [c, Number(r[c])])),
        registers_removed: Number(r.registers_removed),
        dry_run: Number(r.dry_run),
      })),
    ).toEqual([
      {
        before_date: '2019-09-01',
        marks_removed: 1,
        history_removed: 1,
        late_arrivals_removed: 1,
        early_leavers_removed: 1,
        registers_removed: 1,
        keep_years: 6,
        dry_run: 0,
        run_by: s.actors.admin.userId,
      },
      {
        before_date: '2020-09-01',
        marks_removed: 2,
        history_removed: 2,
        late_arrivals_removed: 2,
        early_leavers_removed: 2,
        registers_removed: 2,
        keep_years: 6,
        dry_run: 0,
        run_by: s.actors.admin.userId,
      },
    ]);
    const audited = await ctx.db
      .selectFrom('audit_log')
      .select(['action', 'details'])
      .where('school_id', '=', s.schoolId)
      .where('action', 'like', 'retention%')
      .execute();
    expect(audited).toHaveLength(2);
    expect(audited.map((a) => JSON.parse(a.details!) as Record<string, unknown>)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          beforeDate: '2020-09-01',
          marksRemoved: 2,
          lateArrivalsRemoved: 2,
          earlyLeaversRemoved: 2,
          registersRemoved: 2,
        }),
      ]),
    );
  });

  it('never keeps fewer than 6 years; a dry run counts and removes nothing; only administrators', async () => {
    const deps = testDeps(ctx.db, ctx.dialect, '2032-09-01T02:00:00Z');
    const short = await rejection(
      runRetention(deps, s.actors.admin, { schoolId: s.schoolId, today: '2032-09-01', keepYears: 5 }),
    );
    expect(short.code).toBe('VALIDATION');
    const dry = await runRetention(deps, s.actors.admin, { schoolId: s.schoolId, today: '2032-09-01', dryRun: true });
    expect(dry).toMatchObject({
      beforeDate: '2026-09-01',
      marksRemoved: 5,
      historyRemoved: 5,
      lateArrivalsRemoved: 5,
      earlyLeaversRemoved: 5,
      registersRemoved: 5,
      dryRun: true,
    });
    expect(await allDatesOf(s)).toEqual(everywhere(DATES));
    const longer = await runRetention(deps, s.actors.admin, {
      schoolId: s.schoolId,
      today: '2032-09-01',
      keepYears: 10,
    });
    expect(longer).toMatchObject({ beforeDate: '2022-09-01', marksRemoved: 4, registersRemoved: 4 });
    expect(await allDatesOf(s)).toEqual(everywhere(['2025-09-08']));
    for (const role of ['senior_leader', 'attendance_officer', 'office'] as const) {
      expect(
        (await rejection(runRetention(deps, s.actors[role], { schoolId: s.schoolId, today: '2032-09-01' }))).code,
      ).toBe('FORBIDDEN');
    }
  });

  it('is a registered monthly job that works through every school', async () => {
    const job = findJob('retention');
    expect(job?.schedule).toBe('0 3 1 * *');
    const deps = testDeps(ctx.db, ctx.dialect, '2026-09-01T02:00:00Z');
    await job!.run({ deps, date: '2026-09-01' as never, actor: SYSTEM_ACTOR, schoolId: null });
    expect(await allDatesOf(s)).toEqual(everywhere(['2020-09-01', '2025-09-08']));
    expect(await allDatesOf(other)).toEqual(everywhere(['2020-09-01', '2025-09-08']));
  });
});
