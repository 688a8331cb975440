import { compileCalendar, lookupCode } from '@rollcall/domain';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/databases.js';
import { d, seedSmallSchool, testDeps, type SmallSchool } from '../../../test/fixtures.js';
import type { Db } from '../../db/connect.js';
import { caseworkList } from './casework-list.js';
import { evaluateSchool, fingerprint } from './evaluation.js';
import { nthSchoolDayFrom, recentFigures, schoolWeeksAfter, schoolWeeksBetween } from './facts.js';

/** School days of the small school's term up to Friday 12 September 2025. */
const DAYS = ['01', '02', '03', '04', '05', '08', '09', '10', '11', '12'].map((x) => `2025-09-${x}`);
const AS_OF = d('2025-09-12');

async function mark(db: Db, pupilId: string, codeFor: (i: number) => string): Promise<void> {
  const rows = DAYS.flatMap((date, day) =>
    (['AM', 'PM'] as const).map((session, s) => {
      const code = codeFor(day * 2 + s);
      return {
        pupil_id: pupilId,
        date,
        session,
        code: code === 'present' ? (session === 'AM' ? '/' : '\\') : code,
        minutes_late: null,
        updated_at: '2025-09-12T16:00:00.000Z',
        updated_by: null,
      };
    }),
  );
  await db.insertInto('session_marks').values(rows).execute();
}

describe('case facts over the calendar', () => {
  const compiled = compileCalendar({
    terms: [{ name: 'Autumn 1', start: d('2025-09-01'), end: d('2025-10-24') }],
    closures: [{ date: d('2025-09-26'), session: 'ALL', reason: 'INSET' }],
  });
  if (!compiled.ok) throw new Error('calendar');
  const cal = compiled.value;

  it('counts school weeks and school days from the calendar, stepping over closures', () => {
    expect(schoolWeeksBetween(cal, d('2025-09-01'), d('2025-09-12'))).toBe(1);
    expect(schoolWeeksBetween(cal, d('2025-09-03'), d('2025-09-05'))).toBe(0);
    expect(schoolWeeksAfter(cal, d('2025-09-03'), 6)).toBe('2025-10-13');
    // 15 school days from Monday 15 September: the INSET day on the 26th is not one.
    expect(nthSchoolDayFrom(cal, d('2025-09-15'), 15)).toBe('2025-10-06');
    expect(nthSchoolDayFrom(cal, d('2025-10-20'), 15)).toBeNull();
  });

  it('reads recent rates, unauthorised counts and the run of days absent', () => {
    const id = (code: string, date: string): number => {
      const found = lookupCode(code, d(date));
      if (!found.ok) throw new Error(code);
      return found.definition.id;
    };
    const codes = new Uint8Array(cal.sessionCount);
    // Week 1 (1-5 Sept) present; week 2 (8-12 Sept): Monday present, then O on Tuesday and Wednesday, I on Thursday, O on Friday.
    for (let s = 0; s < 20; s++) codes[s] = id('/', '2025-09-01');
    for (let s = 12; s < 20; s++) codes[s] = id('O', '2025-09-10');
    codes[16] = id('I', '2025-09-11');
    codes[17] = id('I', '2025-09-11');
    const r = recentFigures(cal, d('2025-09-12'), codes, 0, cal.sessionCount - 1, [1, 2]);
    expect(r.rateOverLastWeeks[1]).toBe(2 / 10);
    expect(r.rateOverLastWeeks[2]).toBe(12 / 20);
    expect(r.unauthorisedInLastWeeks[1]).toBe(6);
    expect(r.consecutiveDaysAbsent).toBe(4);
    // Before any school session there is nothing to read.
    const none = recentFigures(cal, d('2025-08-29'), codes, 0, cal.sessionCount - 1, [1]);
    expect(none).toEqual({
      rateOverLastWeeks: { 1: null },
      unauthorisedInLastWeeks: { 1: 0 },
      consecutiveDaysAbsent: 0,
    });
  });
});

describeEachDialect('daily casework evaluation', (ctx) => {
  let school: SmallSchool;

  beforeAll(async () => {
    school = await seedSmallSchool(ctx.db);
    const [alex, bea, cal] = school.pupilsA as [string, string, string];
    const [dee, eli] = school.pupilsB as [string, string];
    await mark(ctx.db, alex, () => 'present'); // 100%
    await mark(ctx.db, bea, (i) => (i < 2 ? 'O' : 'present')); // 90.0%: Track 1
    await mark(ctx.db, cal, (i) => (i >= 16 ? 'O' : 'present')); // 80%, the last 2 days absent
    await mark(ctx.db, dee, (i) => (i % 2 ? 'O' : 'present')); // 50%: 10 unauthorised
    await mark(ctx.db, eli, () => 'present');
  });

  it('proposes, with the reasons and numbers, and changes no stage', async () => {
    const deps = testDeps(ctx.db, ctx.dialect);
    const r = await evaluateSchool(deps, school.schoolId, AS_OF);
    expect(r).toMatchObject({ pupilsEvaluated: 5, created: 3, alreadyOpen: 0, superseded: 0 });
    const rows = await ctx.db
      .selectFrom('case_suggestions')
      .selectAll()
      .where('school_id', '=', school.schoolId)
      .orderBy('pupil_id')
      .execute();
    expect(rows.map((s) => [s.pupil_id, s.kind, s.to_stage_id, s.status])).toEqual([
      [school.pupilsA[1], 'enter', 'track-1', 'open'],
      [school.pupilsA[2], 'enter', 'track-2', 'open'],
      // Dee (50%, 10 unauthorised sessions) stands in Track 2 too.
      [school.pupilsB[0], 'enter', 'track-2', 'open'],
    ]);
    const bea = rows[0]!;
    expect(bea.explanation).toContain('attendance 90.0% is below 95%');
    expect(JSON.parse(bea.actions)).toEqual(['letter:track-1-concern', 'meeting:attendance-support']);
    // Cal meets Track 2 (80% < 90%): proposed where she stands, the steps before it listed
    // (issue 13; before, she was offered Track 1 and needed two more accepted steps).
    expect(rows[1]!.explanation).toContain(
      'Track 2: intensive support (persistent absence): attendance 80.0% is below 90%',
    );
    expect(rows[1]!.explanation).toContain(
      'Support-first steps before it: Track 1: attendance support meeting skipped (the pupil already meets the entry rule of Track 2: intensive support (persistent absence))',
    );
    expect(await ctx.db.selectFrom('case_stages').selectAll().execute()).toEqual([]);
    const audited = await ctx.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'casework.evaluate')
      .where('school_id', '=', school.schoolId)
      .execute();
    expect(audited).toHaveLength(1);
  });

  it('is idempotent on the day and does not repeat an identical open suggestion the next day', async () => {
    const deps = testDeps(ctx.db, ctx.dialect);
    expect(await evaluateSchool(deps, school.schoolId, AS_OF)).toMatchObject({ created: 0, alreadyOpen: 3 });
    expect(await evaluateSchool(deps, school.schoolId, d('2025-09-15'))).toMatchObject({ created: 0, alreadyOpen: 3 });
    const count = await ctx.db
      .selectFrom('case_suggestions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('school_id', '=', school.schoolId)
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(3);
  });

  it('reads the current stage from the case record: a pupil in Track 1 at 80% is proposed Track 2', async () => {
    const deps = testDeps(ctx.db, ctx.dialect);
    const cal = school.pupilsA[2]!;
    await ctx.db
      .insertInto('case_stages')
      .values({
        id: `stage-${cal}`,
        pupil_id: cal,
        stage_id: 'track-1',
        stage_name: 'Track 1: attendance support meeting',
        entered_on: '2025-09-01',
        left_on: null,
        reason: 'test',
        suggestion_id: null,
        decided_by: school.actors.attendance_officer.userId,
        decided_by_name: 'Test attendance_officer',
        decided_at: '2025-09-01T09:00:00.000Z',
      })
      .execute();
    const r = await evaluateSchool(deps, school.schoolId, AS_OF);
    // Cal's "enter Track 2" from no stage no longer holds; "enter Track 2 from Track 1" is new.
    expect(r).toMatchObject({ created: 1, superseded: 1 });
    const open = await ctx.db
      .selectFrom('case_suggestions')
      .selectAll()
      .where('pupil_id', '=', cal)
      .where('status', '=', 'open')
      .execute();
    expect(open.map((s) => [s.kind, s.from_stage_id, s.to_stage_id])).toEqual([['enter', 'track-1', 'track-2']]);
    const stages = await ctx.db.selectFrom('case_stages').selectAll().where('pupil_id', '=', cal).execute();
    expect(stages).toHaveLength(1);
  });

  it('does not re-propose a suggestion dismissed in the last 14 days', async () => {
    const deps = testDeps(ctx.db, ctx.dialect);
    const bea = school.pupilsA[1]!;
    await ctx.db
      .updateTable('case_suggestions')
      .set({ status: 'dismissed', decision_reason: 'known medical reason' })
      .where('pupil_id', '=', bea)
      .execute();
    expect(await evaluateSchool(deps, school.schoolId, d('2025-09-16'))).toMatchObject({ created: 0 });
    expect(fingerprint({ kind: 'enter', fromStageId: null, toStageId: 'track-1', actions: ['a', 'b'] })).toBe(
      'enter|-|track-1|a,b',
    );
  });
});

describeEachDialect('daily casework evaluation with adjusted attendance', (ctx) => {
  it('reads the adjusted rate: absence inside a pupil’s integration period brings no stage', async () => {
    const school = await seedSmallSchool(ctx.db);
    const [alex, bea, cal] = school.pupilsA as [string, string, string];
    await mark(ctx.db, alex, () => 'present');
    await mark(ctx.db, bea, (i) => (i < 2 ? 'O' : 'present')); // away on the first day only: 90.0% actual
    await mark(ctx.db, cal, (i) => (i >= 16 ? 'O' : 'present')); // away the last 2 days, after the period
    for (const p of school.pupilsB) await mark(ctx.db, p, () => 'present');
    const deps = testDeps(ctx.db, ctx.dialect);
    const suggested = async (): Promise<string[]> =>
      (
        await ctx.db
          .selectFrom('case_suggestions')
          .select('pupil_id')
          .where('school_id', '=', school.schoolId)
          .where('status', '=', 'open')
          .execute()
      )
        .map((r) => r.pupil_id)
        .sort();

    // The first school week after admission is the integration period, left out of the rate.
    await ctx.db
      .updateTable('schools')
      .set({ policy_json: JSON.stringify({ adjustedAttendance: { integrationSchoolWeeks: 1 } }) })
      .where('id', '=', school.schoolId)
      .execute();
    await evaluateSchool(deps, school.schoolId, AS_OF);
    expect(await suggested()).toEqual([cal]);
    // The explanation names the rate read: adjusted attendance, with both rates, the numbers and the source.
    const explanation = async (): Promise<string> =>
      (
        await ctx.db
          .selectFrom('case_suggestions')
          .select('explanation')
          .where('pupil_id', '=', cal)
          .where('status', '=', 'open')
          .executeTakeFirstOrThrow()
      ).explanation;
    const adjusted = await explanation();
    expect(adjusted).toMatch(/adjusted attendance 60\.0% is below \d+%/);
    expect(adjusted).not.toMatch(/(?<!adjusted )attendance 60\.0%/);
    expect(adjusted).toContain('as of 2025-09-12');
    expect(adjusted).toContain(
      'Rates are adjusted attendance, as the policy says: actual attendance 80.0% (16 of 20 sessions); adjusted 60.0% (6 of 10)',
    );

    // The same marks without adjusted attendance: Bea's 90.0% brings Track 1.
    await ctx.db.deleteFrom('case_suggestions').execute();
    await ctx.db.updateTable('schools').set({ policy_json: '{}' }).where('id', '=', school.schoolId).execute();
    await evaluateSchool(deps, school.schoolId, AS_OF);
    expect(await suggested()).toEqual([bea, cal].sort());
    expect(await explanation()).toMatch(/: attendance 80\.0% is below \d+%/);
    expect(await explanation()).not.toContain('adjusted');
  });
});

describeEachDialect('daily casework evaluation with a cap on new entries', (ctx) => {
  it('stores the most serious new entries up to the policy’s cap, holds the rest back and says so', async () => {
    const school = await seedSmallSchool(ctx.db);
    const [alex, bea, cal] = school.pupilsA as [string, string, string];
    await mark(ctx.db, alex, (i) => (i < 2 ? 'O' : 'present')); // 90%
    await mark(ctx.db, bea, (i) => (i < 4 ? 'O' : 'present')); // 80%: the most serious
    await mark(ctx.db, cal, (i) => (i < 3 ? 'O' : 'present')); // 85%
    for (const p of school.pupilsB) await mark(ctx.db, p, () => 'present');
    await ctx.db
      .updateTable('schools')
      .set({ policy_json: JSON.stringify({ maxNewEntriesPerRun: 1 }) })
      .where('id', '=', school.schoolId)
      .execute();
    const deps = testDeps(ctx.db, ctx.dialect, '2025-09-12T17:00:00Z');
    const open = async (): Promise<string[]> =>
      (
        await ctx.db
          .selectFrom('case_suggestions')
          .select('pupil_id')
          .where('school_id', '=', school.schoolId)
          .where('status', '=', 'open')
          .execute()
      )
        .map((r) => r.pupil_id)
        .sort();

    const first = await evaluateSchool(deps, school.schoolId, AS_OF);
    expect(first).toMatchObject({ created: 1, heldBack: 2 });
    expect(await open()).toEqual([bea]);
    // Running again on the same day proposes no more: the cap is per day of evaluation.
    expect(await evaluateSchool(deps, school.schoolId, AS_OF)).toMatchObject({ created: 0, heldBack: 2 });
    const audit = await ctx.db
      .selectFrom('audit_log')
      .select('details')
      .where('action', '=', 'casework.evaluate')
      .where('school_id', '=', school.schoolId)
      .execute();
    expect(audit.map((a) => JSON.parse(a.details!) as Record<string, unknown>)).toEqual([
      expect.objectContaining({ created: 1, heldBack: 2, maxNewEntriesPerRun: 1 }),
      expect.objectContaining({ created: 0, heldBack: 2, maxNewEntriesPerRun: 1 }),
    ]);
    const list = await caseworkList(deps, school.actors.attendance_officer);
    expect(list.heldBack).toEqual({
      asOf: '2025-09-12',
      count: 2,
      cap: 1,
      stageName: 'Track 1: attendance support meeting',
    });

    // The next school day the next most serious comes in; the open one is not repeated.
    const next = testDeps(ctx.db, ctx.dialect, '2025-09-15T17:00:00Z');
    expect(await evaluateSchool(next, school.schoolId, d('2025-09-15'))).toMatchObject({
      created: 1,
      alreadyOpen: 1,
      heldBack: 1,
    });
    expect(await open()).toEqual([bea, cal].sort());

    // Without the cap, nothing is held back and the list says nothing.
    await ctx.db.updateTable('schools').set({ policy_json: '{}' }).where('id', '=', school.schoolId).execute();
    const later = testDeps(ctx.db, ctx.dialect, '2025-09-16T17:00:00Z');
    expect(await evaluateSchool(later, school.schoolId, d('2025-09-16'))).toMatchObject({ created: 1, heldBack: 0 });
    expect(await open()).toEqual([alex, bea, cal].sort());
    expect((await caseworkList(later, school.actors.attendance_officer)).heldBack).toBeNull();
  });
});
