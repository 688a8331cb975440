import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/databases.js';
import { d, rejection, seedSmallSchool, testDeps, type SmallSchool } from '../../../test/fixtures.js';
import { pupilHistory } from '../../db/pupils/pupils.js';
import { convertStaleN } from './n-ageing.js';
import { forgetCalendar, saveRegister } from '../registers/registers.js';
import { DEFAULT_POLICY } from '../policy/school-policy.js';

describeEachDialect('N never lingers', (ctx) => {
  let school: SmallSchool;
  beforeAll(async () => {
    school = await seedSmallSchool(ctx.db);
    forgetCalendar();
    // Monday 8 September 2025, 09:00 London: Alex is N.
    await saveRegister(testDeps(ctx.db, ctx.dialect, '2025-09-08T08:00:00Z'), school.actors.teacher, {
      groupId: school.groupA,
      date: d('2025-09-08'),
      session: 'AM',
      version: 0,
      marks: [{ pupilId: school.pupilsA[0]!, code: 'N' }],
    });
  });
  const deps = () => testDeps(ctx.db, ctx.dialect, '2025-09-16T15:00:00Z');

  it('does nothing unless the school’s policy converts N', async () => {
    const err = await rejection(
      convertStaleN(deps(), school.actors.attendance_officer, { schoolId: school.schoolId, asOf: d('2025-09-16') }),
    );
    expect(err.code).toBe('VALIDATION');
  });

  it('converts N older than the policy’s school days to O, with the reason, and tells the parents', async () => {
    await ctx.db
      .updateTable('schools')
      .set({ policy_json: JSON.stringify({ ...DEFAULT_POLICY, convertNToOAfterSchoolDays: 5 }) })
      .where('id', '=', school.schoolId)
      .execute();
    // 15 September is 5 school days after the 8th (9, 10, 11, 12, 15): not yet.
    expect(
      await convertStaleN(deps(), school.actors.attendance_officer, {
        schoolId: school.schoolId,
        asOf: d('2025-09-15'),
      }),
    ).toEqual([]);
    // 16 September is the 6th school day: converted.
    const converted = await convertStaleN(deps(), school.actors.attendance_officer, {
      schoolId: school.schoolId,
      asOf: d('2025-09-16'),
    });
    expect(converted).toEqual([
      { pupilId: school.pupilsA[0], date: '2025-09-08', session: 'AM', schoolDaysOld: 6, told: 1 },
    ]);
    const h = await pupilHistory(ctx.db, school.pupilsA[0]!);
    expect(h[0]).toMatchObject({
      previousCode: 'N',
      newCode: 'O',
      source: 'system',
      reason: expect.stringContaining('within 5 school days') as string,
    });
    const messages = await ctx.db
      .selectFrom('messages')
      .select(['to_address', 'kind', 'body'])
      .where('pupil_id', '=', school.pupilsA[0]!)
      .execute();
    expect(messages).toEqual([expect.objectContaining({ to_address: 'parent@example.org', kind: 'n-converted' })]);
    expect(messages[0]?.body).toContain('recorded as unauthorised (code O)');
    // Run again: nothing left to convert, nobody told twice.
    expect(
      await convertStaleN(deps(), school.actors.attendance_officer, {
        schoolId: school.schoolId,
        asOf: d('2025-09-16'),
      }),
    ).toEqual([]);
  });

  it('is refused to a teacher', async () => {
    const err = await rejection(
      convertStaleN(deps(), school.actors.teacher, { schoolId: school.schoolId, asOf: d('2025-09-16') }),
    );
    expect(err.code).toBe('FORBIDDEN');
  });
});
