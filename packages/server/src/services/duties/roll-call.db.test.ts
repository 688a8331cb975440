import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/databases.js';
import { d, rejection, seedSmallSchool, testDeps, type SmallSchool } from '../../../test/fixtures.js';
import { forgetCalendar, recordEarlyLeaver, recordLateArrival, saveRegister } from '../registers/registers.js';
import { closeRollCall, onSiteNow, rollCallView, setPupilAccounted, startRollCall } from './roll-call.js';

describeEachDialect('emergency roll call', (ctx) => {
  let school: SmallSchool;
  // Monday 8 September 2025: the morning register at 09:00, the fire alarm at 11:45 (10:45 UTC).
  const alarm = '2025-09-08T10:45:00Z';
  const deps = (iso = alarm) => testDeps(ctx.db, ctx.dialect, iso);

  beforeAll(async () => {
    school = await seedSmallSchool(ctx.db, `roll-${ctx.dialect}`);
    forgetCalendar();
    const [a0, a1, a2] = school.pupilsA as [string, string, string];
    await saveRegister(deps('2025-09-08T08:00:00Z'), school.actors.teacher, {
      groupId: school.groupA,
      date: d('2025-09-08'),
      session: 'AM',
      lessonId: null,
      version: 0,
      marks: [
        { pupilId: a0, code: '/', minutesLate: null, reason: null, seen: null },
        { pupilId: a1, code: 'N', minutesLate: null, reason: null, seen: null },
        { pupilId: a2, code: '/', minutesLate: null, reason: null, seen: null },
      ],
    });
    // Bea (a1) arrives late; Year 4's register is never taken; b0 leaves for the dentist.
    await recordLateArrival(deps('2025-09-08T08:35:00Z'), school.actors.office, {
      pupilId: a1,
      date: d('2025-09-08'),
      session: 'AM',
      arrivedAt: '09:15',
      reason: 'Bus late',
    });
    await recordEarlyLeaver(deps('2025-09-08T10:30:00Z'), school.actors.office, {
      pupilId: school.pupilsB[0]!,
      date: d('2025-09-08'),
      leftAt: '11:30',
      reason: 'Dentist',
      collectedBy: 'Mother',
    });
  });

  it('works out who is on site now: present and late at the register, no mark counted in, early leavers out', async () => {
    const now = await onSiteNow(deps(), school.actors.office, school.schoolId);
    expect(now.date).toBe('2025-09-08');
    expect(now.time).toBe('11:45');
    expect(now.classes.map((c) => [c.name, c.pupils.map((p) => p.why)])).toEqual([
      ['Year 3 Oak', expect.arrayContaining(['present', 'present', 'late'])],
      ['Year 4 Ash', ['unknown']],
    ]);
    expect(now.total).toBe(4);
    expect([now.absent, now.leftEarly, now.unknown]).toEqual([0, 1, 1]);
    expect(now.classes[1]!.pupils[0]!.pupilId).toBe(school.pupilsB[1]);
    expect(now.basis).toContain('the morning register of 2025-09-08');
  });

  it('freezes the list when started, and ticks pupils with who and when, missing first, every change audited', async () => {
    const id = await startRollCall(deps(), school.actors.office, school.schoolId);
    // A pupil signed out after the start is still on this roll call's list.
    await recordEarlyLeaver(deps('2025-09-08T10:50:00Z'), school.actors.office, {
      pupilId: school.pupilsA[2]!,
      date: d('2025-09-08'),
      leftAt: '11:50',
      reason: 'Ill',
      collectedBy: 'Father',
    });
    await setPupilAccounted(deps('2025-09-08T10:52:00Z'), school.actors.teacher, {
      rollCallId: id,
      pupilId: school.pupilsA[0]!,
      accounted: true,
    });
    await setPupilAccounted(deps('2025-09-08T10:53:00Z'), school.actors.teacher, {
      rollCallId: id,
      pupilId: school.pupilsB[1]!,
      accounted: true,
    });
    let view = await rollCallView(deps(), school.actors.senior_leader, id);
    expect([view.expected, view.accounted, view.missing.length]).toEqual([4, 2, 2]);
    expect(view.classes.map((c) => [c.name, c.missing.length, c.accounted])).toEqual([
      ['Year 3 Oak', 2, 1],
      ['Year 4 Ash', 0, 1],
    ]);
    const found = view.classes[0]!.found[0]!;
    expect([found.pupilId, found.accountedTime, found.accountedByName]).toEqual([
      school.pupilsA[0],
      '11:52',
      'Test teacher',
    ]);
    // Undo: back to missing.
    await setPupilAccounted(deps('2025-09-08T10:54:00Z'), school.actors.teacher, {
      rollCallId: id,
      pupilId: school.pupilsA[0]!,
      accounted: false,
    });
    view = await rollCallView(deps(), school.actors.office, id);
    expect(view.missing.map((p) => p.pupilId).sort()).toEqual([...school.pupilsA].sort());
    const audits = await ctx.db
      .selectFrom('audit_log')
      .select(['action', 'pupil_id', 'user_id'])
      .where('entity_id', '=', id)
      .orderBy('at')
      .execute();
    expect(audits.map((a) => a.action)).toEqual([
      'rollcall.start',
      'rollcall.account',
      'rollcall.account',
      'rollcall.unaccount',
    ]);
    expect(audits[1]!.user_id).toBe(school.actors.teacher.userId);

    await closeRollCall(deps('2025-09-08T11:00:00Z'), school.actors.office, id);
    const closed = await rejection(
      setPupilAccounted(deps(), school.actors.office, { rollCallId: id, pupilId: school.pupilsA[0]!, accounted: true }),
    );
    expect(closed.code).toBe('CONFLICT');
    expect((await rollCallView(deps(), school.actors.office, id)).open).toBe(false);
  });

  it('refuses a pupil who is not on the roll call, and anyone who may not take it', async () => {
    const id = await startRollCall(deps(), school.actors.office, school.schoolId);
    const notOn = await rejection(
      setPupilAccounted(deps(), school.actors.office, { rollCallId: id, pupilId: school.pupilsB[0]!, accounted: true }),
    );
    expect(notOn.code).toBe('NOT_FOUND');
    expect((await rejection(onSiteNow(deps(), school.parent, school.schoolId))).code).toBe('FORBIDDEN');
    expect((await rejection(rollCallView(deps(), school.actors.governor, id))).code).toBe('FORBIDDEN');
  });
});
