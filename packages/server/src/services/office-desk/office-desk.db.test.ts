import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/databases.js';
import { d, seedSmallSchool, testDeps, type SmallSchool } from '../../../test/fixtures.js';
import { officeDesk } from './office-desk.js';
import { forgetCalendar, recordEarlyLeaver, recordLateArrival } from '../registers/registers.js';

describeEachDialect('office desk', (ctx) => {
  let school: SmallSchool;
  // Monday 8 September 2025, 13:05 in London: the afternoon register is open.
  const at = '2025-09-08T12:05:00Z';

  beforeAll(async () => {
    school = await seedSmallSchool(ctx.db, `desk-${ctx.dialect}`);
    forgetCalendar();
    const deps = testDeps(ctx.db, ctx.dialect, at);
    await recordLateArrival(deps, school.actors.office, {
      pupilId: school.pupilsA[0]!,
      date: d('2025-09-08'),
      session: 'AM',
      arrivedAt: '09:05',
      reason: 'Traffic',
    });
    await recordEarlyLeaver(deps, school.actors.office, {
      pupilId: school.pupilsB[0]!,
      date: d('2025-09-08'),
      leftAt: '11:30',
      reason: 'Dentist',
      collectedBy: 'Father',
    });
    // Yesterday's are not today's.
    await recordEarlyLeaver(testDeps(ctx.db, ctx.dialect, '2025-09-05T12:00:00Z'), school.actors.office, {
      pupilId: school.pupilsB[1]!,
      date: d('2025-09-05'),
      leftAt: '13:30',
      reason: 'Ill',
    });
  });

  it('lists today’s pupils by registration group, and today’s late arrivals and early leavers', async () => {
    const desk = await officeDesk(testDeps(ctx.db, ctx.dialect, at), school.actors.office, school.schoolId);
    expect(desk.today).toBe('2025-09-08');
    expect(desk.now).toBe('13:05');
    expect(desk.session).toBe('PM');
    expect(desk.groups.map((g) => [g.name, g.pupils.map((p) => p.name)])).toEqual([
      ['Year 3 Oak', ['Alex Able', 'Bea Baker', 'Cal Cole']],
      ['Year 4 Ash', ['Dee Dale', 'Eli Eady']],
    ]);
    expect(desk.lateArrivals).toEqual([
      expect.objectContaining({
        pupilName: 'Alex Able',
        groupName: 'Year 3 Oak',
        session: 'AM',
        arrivedAt: '09:05',
        minutesLate: 15,
        code: 'L',
        reason: 'Traffic',
        recordedBy: 'Test office',
      }),
    ]);
    expect(desk.earlyLeavers).toEqual([
      expect.objectContaining({
        pupilName: 'Dee Dale',
        groupName: 'Year 4 Ash',
        leftAt: '11:30',
        collectedBy: 'Father',
        reason: 'Dentist',
        recordedBy: 'Test office',
      }),
    ]);
    expect(desk.canKeepAsLate).toBe(false);
  });

  it('says who may record L after the close, and refuses roles without the office desk', async () => {
    const deps = testDeps(ctx.db, ctx.dialect, at);
    expect((await officeDesk(deps, school.actors.attendance_officer, school.schoolId)).canKeepAsLate).toBe(true);
    await expect(officeDesk(deps, school.actors.teacher, school.schoolId)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(officeDesk(deps, school.actors.office, school.otherSchoolId)).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
  });
});
