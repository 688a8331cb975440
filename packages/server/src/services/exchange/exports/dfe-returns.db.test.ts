/**
 * The DfE's census attendance file and daily pupil-level file, checked against a hand-worked
 * example (docs/exports.md).
 */
import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../../../test/databases.js';
import { seedSmallSchool, testDeps, type SmallSchool } from '../../../../test/fixtures.js';
import { censusAttendanceReturn, censusCodes, dfeDailyFile } from './dfe-returns.js';

const NOW = '2025-10-03T09:00:00Z';

describeEachDialect('DfE returns', (ctx) => {
  let school: SmallSchool;
  let pupil: string;
  beforeAll(async () => {
    school = await seedSmallSchool(ctx.db);
    pupil = school.pupilsA[0]!;
    await ctx.db.deleteFrom('session_marks').where('pupil_id', '=', pupil).execute();
    await ctx.db
      .updateTable('pupils')
      .set({ date_of_birth: '2016-05-01', sen_status: 'K', fsm: 1, cp: 1, ethnicity: 'WBRI', gender: 'F' })
      .where('id', '=', pupil)
      .execute();
    // The hand-worked week: Mon / \, Tue L \, Wed I I, Thu M B, Fri G Y1.
    const week: [string, string, string][] = [
      ['2025-09-01', 'AM', '/'],
      ['2025-09-01', 'PM', '\\'],
      ['2025-09-02', 'AM', 'L'],
      ['2025-09-02', 'PM', '\\'],
      ['2025-09-03', 'AM', 'I'],
      ['2025-09-03', 'PM', 'I'],
      ['2025-09-04', 'AM', 'M'],
      ['2025-09-04', 'PM', 'B'],
      ['2025-09-05', 'AM', 'G'],
      ['2025-09-05', 'PM', 'Y1'],
    ];
    await ctx.db
      .insertInto('session_marks')
      .values(
        week.map(([date, session, code]) => ({
          pupil_id: pupil,
          date,
          session,
          code,
          minutes_late: null,
          updated_at: NOW,
          updated_by: null,
        })),
      )
      .execute();
  });

  it('counts the autumn census period (1 August to 31 December) as worked by hand', async () => {
    const out = await censusAttendanceReturn(testDeps(ctx.db, ctx.dialect, NOW), school.actors.admin, {
      schoolId: school.schoolId,
      period: 'autumn',
      academicYear: 2025,
    });
    const upn = await upnOf();
    const row = out.rows.find((r) => r[3] === upn);
    const get = (col: string) => row?.[out.header.indexOf(col)];
    // Term 1 Sep – 24 Oct is 40 weekdays less the INSET day: 39 days, 78 sessions; 10 are marked.
    expect([get('from'), get('to'), get('census'), get('age_at_31_august')]).toEqual([
      '2025-08-01',
      '2025-12-31',
      'spring',
      9,
    ]);
    expect([
      get('sessions_possible'),
      get('sessions_attended'),
      get('sessions_authorised_absence'),
      get('sessions_unauthorised_absence'),
      get('sessions_without_mark'),
      get('present'),
    ]).toEqual([9, 5, 3, 1, 68, 3]);
    expect(['L', 'I', 'M', 'B', 'G', 'Y1', 'O'].map((c) => get(`code_${c}`))).toEqual([1, 2, 1, 1, 1, 1, 0]);
    expect(out.header).toEqual(expect.arrayContaining(censusCodes('2024').map((c) => `code_${c}`)));
    expect(out.csv.split('\r\n')[0]).toMatch(/^urn,la_code,estab,upn,/);
  });

  it('writes every pupil item of the daily collection and the week’s changed codes', async () => {
    await ctx.db
      .insertInto('mark_history')
      .values({
        id: 'hist-dfe-1',
        pupil_id: pupil,
        date: '2025-09-30',
        session: 'AM',
        lesson_id: null,
        previous_code: 'N',
        new_code: 'I',
        previous_minutes_late: null,
        new_minutes_late: null,
        reason: 'Parent phoned',
        user_id: null,
        user_name: 'Office',
        user_role: 'office',
        at: '2025-10-02T10:00:00.000Z',
        source: 'office',
      })
      .execute();
    const out = await dfeDailyFile(testDeps(ctx.db, ctx.dialect, NOW), school.actors.admin, {
      schoolId: school.schoolId,
      date: '2025-10-03',
    });
    expect(out.header).toEqual([
      'urn',
      'la_code',
      'upn',
      'surname',
      'forename',
      'date_of_birth',
      'sex',
      'ethnicity',
      'looked_after',
      'previously_looked_after',
      'sen_support',
      'ehc_plan',
      'fsm',
      'year_group',
      'admission_date',
      'leaving_date',
      'child_in_need',
      'child_protection_plan',
      'date',
      'session',
      'attendance_code',
      'minutes_late',
      'row',
    ]);
    const upn = await upnOf();
    const mine = out.rows.filter((r) => r[2] === upn);
    expect(mine.map((r) => [r[18], r[19], r[22]])).toEqual([
      ['2025-10-03', 'AM', 'day'],
      ['2025-10-03', 'PM', 'day'],
      ['2025-09-30', 'AM', 'changed'],
    ]);
    expect(mine[0]!.slice(5, 13)).toEqual(['2016-05-01', 'F', 'WBRI', 'N', 'N', 'Y', 'N', 'Y']);
    expect(mine[0]![17]).toBe('Y');
  });

  async function upnOf(): Promise<string> {
    const r = await ctx.db.selectFrom('pupils').select('upn').where('id', '=', pupil).executeTakeFirstOrThrow();
    return r.upn;
  }
});
