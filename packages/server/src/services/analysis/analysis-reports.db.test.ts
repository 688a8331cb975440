import { expect, it } from 'vitest';
import type { PlainDate } from '@rollcall/domain';
import { describeEachDialect } from '../../../test/databases.js';
import { rejection, seedSmallSchool, testDeps } from '../../../test/fixtures.js';
import { forgetCohorts } from './cohort.js';
import { writeSessionMarks } from '../../db/registers/registers.js';
import { governorsReport, patterns, pupilList, trends } from './analysis-reports.js';

/** Weekdays from `from` to `to` inclusive. */
function weekdays(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T12:00:00Z`); t <= Date.parse(`${to}T12:00:00Z`); t += 86_400_000) {
    const day = new Date(t).getUTCDay();
    if (day !== 0 && day !== 6) out.push(new Date(t).toISOString().slice(0, 10));
  }
  return out;
}

describeEachDialect('analysis reports', (ctx) => {
  it('compares this year with last year, lists pupils and keeps the governors’ report anonymous', async () => {
    const s = await seedSmallSchool(ctx.db);
    const deps = testDeps(ctx.db, ctx.dialect, '2025-09-12T15:00:00Z');
    await ctx.db
      .insertInto('terms')
      .values({
        id: `${s.schoolId}-last`,
        school_id: s.schoolId,
        name: 'Autumn 1',
        start_date: '2024-09-02',
        end_date: '2024-10-25',
      })
      .execute();
    const [alex, bea] = s.pupilsA;
    const rows = [];
    // Last year only Alex was on roll: ill (I) on the first Monday morning. This year: Bea away
    // (O) on both Mondays.
    await ctx.db.updateTable('pupils').set({ admission_date: '2024-09-02' }).where('id', '=', alex!).execute();
    for (const date of weekdays('2024-09-02', '2024-09-13')) {
      for (const session of ['AM', 'PM'] as const) {
        rows.push({
          pupil_id: alex!,
          date,
          session,
          code: date === '2024-09-02' && session === 'AM' ? 'I' : session === 'AM' ? '/' : '\\',
          minutes_late: null,
          updated_at: '2024-09-13T15:00:00.000Z',
          updated_by: null,
        });
      }
    }
    for (const date of weekdays('2025-09-01', '2025-09-12')) {
      for (const session of ['AM', 'PM'] as const) {
        for (const pupil of [...s.pupilsA, ...s.pupilsB]) {
          const away = pupil === bea && new Date(`${date}T12:00:00Z`).getUTCDay() === 1;
          rows.push({
            pupil_id: pupil,
            date,
            session,
            code: away ? 'O' : session === 'AM' ? '/' : '\\',
            minutes_late: null,
            updated_at: '2025-09-12T15:00:00.000Z',
            updated_by: null,
          });
        }
      }
    }
    await ctx.db.insertInto('session_marks').values(rows).execute();
    const leader = s.actors.senior_leader;

    const t = await trends(deps, leader, { schoolId: s.schoolId });
    expect(t.asOf).toBe('2025-09-12');
    expect(t.weeks.map((w) => [w.label, w.rate])).toEqual([
      ['w/c 2025-09-01', 48 / 50],
      ['w/c 2025-09-08', 48 / 50],
    ]);
    expect(t.weeks[0]!.lastYearRate).toBe(0.9);
    expect(t.weeks[0]!.change).toBeCloseTo(0.06);
    expect(t.weeks[1]).toMatchObject({ lastYearRate: 1, lastYearToDateRate: 19 / 20 });
    expect(t.weeks[1]!.yearToDateChange).toBeCloseTo(0.96 - 0.95);
    expect(t.halfTerms[0]).toMatchObject({ label: 'Autumn 1', lastYearRate: 19 / 20 });
    expect(t.tables.map((x) => x.name)).toEqual(['weekly-trend', 'half-term-trend']);

    const persistent = await pupilList(deps, leader, { schoolId: s.schoolId, kind: 'persistent' });
    expect(persistent.table.rows).toEqual([
      expect.objectContaining({ pupil: 'Bea Baker', pupilId: bea, possible: 20, absence: 4, absenceRate: 0.2 }),
    ]);
    // A pupil who left before "as of" counts in the figures but is not listed for action.
    await ctx.db.updateTable('pupils').set({ leaving_date: '2025-09-10' }).where('id', '=', s.pupilsB[1]!).execute();
    // Pupils change through an import, which reloads the cohort; here the test changes the row.
    forgetCohorts(ctx.db);
    const stillOnRoll = await pupilList(deps, leader, {
      schoolId: s.schoolId,
      kind: 'full-attendance',
      filter: { group: 'gender:M' },
    });
    expect(stillOnRoll.table.rows.map((r) => r['pupilId'])).toEqual([alex, s.pupilsA[2]]);
    await ctx.db.updateTable('pupils').set({ leaving_date: null }).where('id', '=', s.pupilsB[1]!).execute();
    forgetCohorts(ctx.db);
    const full = await pupilList(deps, leader, {
      schoolId: s.schoolId,
      kind: 'full-attendance',
      filter: { group: 'gender:M' },
    });
    expect(full.table.rows.map((r) => r['pupilId'])).toEqual([alex, s.pupilsA[2], s.pupilsB[1]]);

    const governors = await governorsReport(deps, s.actors.governor, { schoolId: s.schoolId });
    expect(governors.headline).toMatchObject({ persistentlyAbsent: 1, fullAttendance: 4 });
    expect(JSON.stringify(governors.tables)).not.toContain('Bea');

    // The pages keep their figures per cohort (decision 0004): a mark written since is in the next
    // request's figures (Alex away on Friday morning: on the PA list, and in the patterns' Friday).
    const fridayAbsence = async (): Promise<unknown> =>
      (await patterns(deps, leader, { schoolId: s.schoolId })).days.find(
        (d) => d.weekday === 'Friday' && d.session === 'AM',
      )?.counts.unauthorised;
    expect(await fridayAbsence()).toBe(0);
    await writeSessionMarks(
      ctx.db,
      (['2025-09-05', '2025-09-12'] as PlainDate[]).flatMap((date) =>
        (['AM', 'PM'] as const).map((session) => ({
          pupilId: alex!,
          date,
          session,
          code: 'O',
          minutesLate: null,
          previousCode: session === 'AM' ? '/' : '\\',
          previousMinutesLate: null,
          reason: 'test',
        })),
      ),
      { userId: null, userName: 'test', userRole: 'admin', at: '2025-09-12T15:10:00.000Z', source: 'office' },
    );
    expect(await fridayAbsence()).toBe(2);
    const again = await pupilList(deps, leader, { schoolId: s.schoolId, kind: 'persistent' });
    expect(again.table.rows.map((r) => r['pupilId'])).toEqual(expect.arrayContaining([alex, bea]));

    expect((await rejection(pupilList(deps, s.actors.governor, { schoolId: s.schoolId, kind: 'at-risk' }))).code).toBe(
      'FORBIDDEN',
    );
    expect((await rejection(trends(deps, s.actors.teacher, { schoolId: s.schoolId }))).code).toBe('FORBIDDEN');
    expect((await rejection(trends(deps, leader, { schoolId: s.schoolId, filter: { group: 'nope' } }))).code).toBe(
      'VALIDATION',
    );
  });
});
