/**
 * What a preset brings, through the real path: the policy is set through the service the CLI
 * uses (and the page's save), then registers are taken and leave is asked for through the
 * services, and the preset's register close and leave rules apply. Each test names the seed
 * words it checks.
 */
import { beforeAll, expect, it } from 'vitest';
import YAML from 'yaml';
import { describeEachDialect } from '../../../test/databases.js';
import { d, rejection, seedSmallSchool, testDeps, type SmallSchool } from '../../../test/fixtures.js';
import { SYSTEM_ACTOR } from '../authz.js';
import { requestLeave } from '../leave/leave.js';
import { getRegister, recordLateArrival, saveRegister } from '../registers/registers.js';
import { policyDocumentByUrn, setPolicyByUrn } from './school-policy-admin.js';
import { presetDocument } from './school-policy.js';
import { saveSchoolPolicy, viewSchoolPolicy } from './school-policy-store.js';
import { queueHalfTermSummaries } from '../follow-up/summaries.js';

/** Monday 8 September 2025, 09:00 in London. */
const NOW = '2025-09-08T08:00:00Z';

describeEachDialect('presets bring their register times and leave rules', (ctx) => {
  const deps = () => testDeps(ctx.db, ctx.dialect, NOW);
  const urnOf = async (schoolId: string) =>
    (await ctx.db.selectFrom('schools').select('urn').where('id', '=', schoolId).executeTakeFirstOrThrow()).urn;

  let stockton: SmallSchool;
  let allSaints: SmallSchool;
  let jamesMarks: SmallSchool;
  beforeAll(async () => {
    stockton = await seedSmallSchool(ctx.db);
    allSaints = await seedSmallSchool(ctx.db);
    jamesMarks = await seedSmallSchool(ctx.db);
    await setPolicyByUrn(deps(), SYSTEM_ACTOR, await urnOf(stockton.schoolId), { preset: 'stockton-tiers' });
    await setPolicyByUrn(deps(), SYSTEM_ACTOR, await urnOf(allSaints.schoolId), { preset: 'all-saints-stages' });
    await setPolicyByUrn(deps(), SYSTEM_ACTOR, await urnOf(jamesMarks.schoolId), { preset: 'james-marks-adjusted' });
  });

  const arrive = (school: SmallSchool, pupil: number, date: string, arrivedAt: string) =>
    recordLateArrival(deps(), school.actors.office, {
      pupilId: school.pupilsA[pupil]!,
      date: d(date),
      session: 'AM',
      arrivedAt,
    });

  it('All Saints’: "The morning register will close at 9:25am": a pupil signed in at 09:22 is late (L), not absent', async () => {
    expect(await arrive(allSaints, 1, '2025-09-09', '09:22')).toEqual({ code: 'L', minutesLate: 27 });
    expect(await arrive(allSaints, 2, '2025-09-09', '09:26')).toMatchObject({ code: 'U' });
  });

  it('a teacher takes the register at 09:22: still open at All Saints’ (closes 9:25), closed at Stockton (9.20am), not yet open at James Marks (9.30am)', async () => {
    // Tuesday 16 September 2025, 09:22 in London.
    const at = testDeps(ctx.db, ctx.dialect, '2025-09-16T08:22:00Z');
    const state = async (school: SmallSchool) =>
      (
        await getRegister(at, school.actors.teacher, {
          groupId: school.groupA,
          date: d('2025-09-16'),
          session: 'AM',
        })
      ).state;
    expect(await state(allSaints)).toBe('open');
    expect(await state(stockton)).toBe('closed');
    expect(await state(jamesMarks)).toBe('notYetOpen'); // "Lesson 1 starts: 9.30am"
    const saved = await saveRegister(at, allSaints.actors.teacher, {
      groupId: allSaints.groupA,
      date: d('2025-09-16'),
      session: 'AM',
      version: 0,
      marks: allSaints.pupilsA.map((pupilId) => ({ pupilId, code: '/' })),
    });
    expect(saved.changed).toBe(3);
  });

  it('Stockton: "kept open until 9.20am": the same 09:22 is after the close (U)', async () => {
    expect(await arrive(stockton, 1, '2025-09-09', '09:22')).toEqual({ code: 'U', minutesLate: 32 });
    expect(await arrive(stockton, 2, '2025-09-09', '09:20')).toEqual({ code: 'L', minutesLate: 30 });
  });

  it('James Marks: "At 10.00am the register closes" (lesson 1 at 9.30am)', async () => {
    expect(await arrive(jamesMarks, 1, '2025-09-09', '09:55')).toEqual({ code: 'L', minutesLate: 25 });
    expect(await arrive(jamesMarks, 2, '2025-09-09', '10:01')).toMatchObject({ code: 'U' });
    const error = await rejection(arrive(jamesMarks, 0, '2025-09-10', '09:15'));
    expect(error.details.fields).toEqual([{ field: 'arrivedAt', message: 'The register opens at 09:30.' }]);
  });

  it('All Saints’: religious observance needs "at least four weeks in advance": two weeks’ notice is refused', async () => {
    const { assessment } = await requestLeave(deps(), allSaints.parent, {
      pupilId: allSaints.pupilsA[0]!,
      kind: 'religious',
      fromDate: '2025-09-22',
      toDate: '2025-09-22',
      reason: 'A day set apart by our religious body',
    });
    expect(assessment.recommendation).toBe('refuse');
    const notice = assessment.checks.find((c) => c.id === 'notice');
    expect(notice).toMatchObject({ result: 'refuse', value: 14 });
    expect(notice?.explanation).toContain('at least 28 days (four weeks)');
    // The same request at a school on Rollcall's defaults (a week's notice) passes the notice check.
    const other = await seedSmallSchool(ctx.db);
    const atDefault = await requestLeave(deps(), other.parent, {
      pupilId: other.pupilsA[0]!,
      kind: 'religious',
      fromDate: '2025-09-22',
      toDate: '2025-09-22',
      reason: 'A day set apart by our religious body',
    });
    expect(atDefault.assessment.checks.find((c) => c.id === 'notice')?.result).toBe('pass');
  });

  it('All Saints’: "not be granted … immediately before and during statutory assessment periods": the week the school lists is refused', async () => {
    const school = await seedSmallSchool(ctx.db);
    const urn = await urnOf(school.schoolId);
    // The school chooses the preset, then lists its assessment week in the document (as the
    // CLI's --file or the page's editor would).
    await setPolicyByUrn(deps(), SYSTEM_ACTOR, urn, { preset: 'all-saints-stages' });
    const doc = YAML.parse((await policyDocumentByUrn(deps(), SYSTEM_ACTOR, urn)).yaml) as {
      leave: { assessmentPeriods: unknown[] };
    };
    doc.leave.assessmentPeriods = [{ name: 'Assessment week (test)', from: '2025-10-13', to: '2025-10-17' }];
    await setPolicyByUrn(deps(), SYSTEM_ACTOR, urn, { text: YAML.stringify(doc) });

    const ask = (fromDate: string, toDate: string) =>
      requestLeave(deps(), school.parent, {
        pupilId: school.pupilsA[0]!,
        kind: 'exceptional',
        fromDate,
        toDate,
        reason: 'A family wedding abroad',
      });
    const during = await ask('2025-10-16', '2025-10-17');
    expect(during.assessment.checks.find((c) => c.id === 'assessmentPeriod')).toMatchObject({ result: 'refuse' });
    expect(during.assessment.checks.find((c) => c.id === 'assessmentPeriod')?.explanation).toContain(
      'Assessment week (test) (2025-10-13 to 2025-10-17)',
    );
    expect(during.assessment.recommendation).toBe('refuse');
    const after = await ask('2025-10-20', '2025-10-21');
    expect(after.assessment.checks.map((c) => [c.id, c.result])).toContainEqual(['assessmentPeriod', 'pass']);
    expect(after.assessment.recommendation).toBe('grant');
    // Choosing the preset again keeps the school's own dates.
    await setPolicyByUrn(deps(), SYSTEM_ACTOR, urn, { preset: 'all-saints-stages' });
    expect((await viewSchoolPolicy(deps(), SYSTEM_ACTOR, school.schoolId)).policy.leave.assessmentPeriods).toHaveLength(
      1,
    );
  });

  it('All Saints’: any unauthorised absence refuses exceptional leave; James Marks: "irrespective of the child’s overall attendance"', async () => {
    for (const school of [allSaints, jamesMarks]) {
      await ctx.db
        .insertInto('session_marks')
        .values({
          pupil_id: school.pupilsA[0]!,
          date: '2025-09-03',
          session: 'AM',
          code: 'O',
          minutes_late: null,
          updated_at: NOW,
          updated_by: null,
        })
        .execute();
    }
    const ask = (school: SmallSchool) =>
      requestLeave(deps(), school.parent, {
        pupilId: school.pupilsA[0]!,
        kind: 'exceptional',
        fromDate: '2025-10-20',
        toDate: '2025-10-20',
        reason: 'A family funeral',
      });
    const saints = await ask(allSaints);
    expect(saints.assessment.checks.find((c) => c.id === 'unauthorisedAbsence')).toMatchObject({
      result: 'refuse',
      value: 1,
    });
    const marks = await ask(jamesMarks);
    const unauthorised = marks.assessment.checks.find((c) => c.id === 'unauthorisedAbsence');
    expect(unauthorised).toMatchObject({ result: 'info', value: 1 });
    expect(unauthorised?.explanation).toContain('not in itself a ground for refusal');
    expect(marks.assessment.checks.find((c) => c.id === 'authorisedAbsence')?.explanation).toContain(
      'the school’s policy sets no limit',
    );
    expect(marks.assessment.recommendation).toBe('grant');
  });

  it('All Saints’: a performance may not take attendance "below 96 percent"', async () => {
    const school = await seedSmallSchool(ctx.db);
    await setPolicyByUrn(deps(), SYSTEM_ACTOR, await urnOf(school.schoolId), { preset: 'all-saints-stages' });
    // Present for the first week (10 sessions), every session before the leave counted as
    // attended: one day (2 sessions) in mid October stays above 96%; four days (8) fall below it.
    const pupilId = school.pupilsA[0]!;
    await ctx.db
      .insertInto('session_marks')
      .values(
        ['2025-09-01', '2025-09-02', '2025-09-03', '2025-09-04', '2025-09-05'].flatMap((date) =>
          ['AM', 'PM'].map((session) => ({
            pupil_id: pupilId,
            date,
            session,
            code: session === 'AM' ? '/' : '\\',
            minutes_late: null,
            updated_at: NOW,
            updated_by: null,
          })),
        ),
      )
      .execute();
    const ask = (toDate: string) =>
      requestLeave(deps(), school.parent, {
        pupilId,
        kind: 'performance',
        fromDate: '2025-10-13',
        toDate,
        reason: 'Licence LA/2025/123 for a stage performance',
      });
    const short = (await ask('2025-10-13')).assessment.checks.find((c) => c.id === 'performanceAttendance');
    expect(short).toMatchObject({ result: 'pass' });
    expect(short?.explanation).toContain('below 96.0%');
    const long = (await ask('2025-10-16')).assessment.checks.find((c) => c.id === 'performanceAttendance');
    expect(long).toMatchObject({ result: 'refuse' });
  });

  it('All Saints’ lunchtime passes carry the school’s terms; a preset whose seed says nothing keeps the school’s leave rules', async () => {
    const pass = await requestLeave(deps(), allSaints.parent, {
      pupilId: allSaints.pupilsA[0]!,
      kind: 'lunchtime',
      fromDate: '2025-09-15',
      toDate: '2025-09-19',
      reason: 'Lunch at home with a grandparent',
    });
    expect(pass.assessment.checks.find((c) => c.id === 'lunchtimeTerms')?.explanation).toBe(
      'The school’s terms: the headteacher answers in writing within a week; the pupil leaves within 10 minutes of the start of lunch; the pupil is back no later than 5 minutes before the end of lunch; permission is renewed each term.',
    );

    // A school that does not offer passes: the request names the field.
    const school = await seedSmallSchool(ctx.db);
    const urn = await urnOf(school.schoolId);
    await setPolicyByUrn(deps(), SYSTEM_ACTOR, urn, {
      text: 'leave:\n  lunchtimePasses:\n    offered: false\n  noticeDays:\n    religious: 21\n',
    });
    const error = await rejection(
      requestLeave(deps(), school.parent, {
        pupilId: school.pupilsA[0]!,
        kind: 'lunchtime',
        fromDate: '2025-09-15',
        toDate: '2025-09-19',
        reason: 'Lunch at home',
      }),
    );
    expect(error.details.fields).toEqual([
      { field: 'kind', message: 'The school’s policy does not offer lunchtime passes.' },
    ]);
    // Stockport's seed states no leave rules: choosing it keeps the school's.
    await setPolicyByUrn(deps(), SYSTEM_ACTOR, urn, { preset: 'stockport-staged' });
    const leave = (await viewSchoolPolicy(deps(), SYSTEM_ACTOR, school.schoolId)).policy.leave;
    expect(leave.lunchtimePasses.offered).toBe(false);
    expect(leave.noticeDays.religious).toBe(21);
  });

  it('the page’s path: the officer saves the preset document the page builds, and registers follow it', async () => {
    const school = await seedSmallSchool(ctx.db);
    const officer = school.actors.attendance_officer;
    const view = await viewSchoolPolicy(deps(), officer, school.schoolId);
    const saved = await saveSchoolPolicy(deps(), officer, {
      schoolId: school.schoolId,
      text: presetDocument(view.policy, 'all-saints-stages'),
    });
    expect(saved.changes).toContain('Morning register: opens 08:50, closes 09:20 → opens 08:55, closes 09:25');
    expect(await arrive(school, 0, '2025-09-09', '09:24')).toMatchObject({ code: 'L' });
    const audit = await ctx.db
      .selectFrom('audit_log')
      .select(['user_id', 'details'])
      .where('action', '=', 'policy.update')
      .where('entity_id', '=', school.schoolId)
      .executeTakeFirstOrThrow();
    expect(audit.user_id).toBe(officer.userId);
    expect((JSON.parse(audit.details!) as { changes: string[] }).changes).toContain(
      'Notice for religious observance: 7 days → 28 days',
    );
  });

  it('All Saints’: the half-termly "ROYG" letter uses the preset’s bands and names the 96% target', async () => {
    const messages = await ctx.db
      .selectFrom('messages')
      .select('id')
      .where('school_id', '=', allSaints.schoolId)
      .execute();
    expect(messages).toHaveLength(0);
    await ctx.db
      .insertInto('session_marks')
      .values({
        pupil_id: allSaints.pupilsA[0]!,
        date: '2025-09-04',
        session: 'AM',
        code: '/',
        minutes_late: null,
        updated_at: NOW,
        updated_by: null,
      })
      .execute();
    await queueHalfTermSummaries(deps(), allSaints.actors.senior_leader, {
      schoolId: allSaints.schoolId,
      asOf: d('2025-09-05'),
    });
    const bodies = await ctx.db
      .selectFrom('messages')
      .select('body')
      .where('school_id', '=', allSaints.schoolId)
      .where('channel', '=', 'email')
      .execute();
    expect(bodies.length).toBeGreaterThan(0);
    expect(bodies[0]!.body).toMatch(/The school rates this as: (Green|Yellow|Orange|Red)/);
    expect(bodies[0]!.body).toContain('The school’s attendance target: 96%');
  });
});
