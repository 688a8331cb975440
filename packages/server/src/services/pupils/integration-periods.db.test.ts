import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/databases.js';
import { d, rejection, seedSmallSchool, testDeps, type SmallSchool } from '../../../test/fixtures.js';
import { getSchool } from '../school/schools.js';
import {
  integrationView,
  pupilAdjustedAttendance,
  recordIntegrationPeriod,
  recordedIntegrationPeriods,
} from './integration-periods.js';

/** Friday 19 September 2025, 11:00 in London. */
const NOW = '2025-09-19T10:00:00Z';

/** School days of 1–19 September 2025 (the fixture's INSET day is 26 September). */
function schoolDays(): string[] {
  const out: string[] = [];
  for (let day = 1; day <= 19; day++) {
    const date = `2025-09-${String(day).padStart(2, '0')}`;
    const weekday = new Date(`${date}T12:00:00Z`).getUTCDay();
    if (weekday >= 1 && weekday <= 5) out.push(date);
  }
  return out;
}

describeEachDialect('integration periods', (ctx) => {
  let school: SmallSchool;
  const deps = () => testDeps(ctx.db, ctx.dialect, NOW);
  beforeAll(async () => {
    school = await seedSmallSchool(ctx.db);
    await ctx.db
      .updateTable('schools')
      .set({ policy_json: JSON.stringify({ adjustedAttendance: { integrationSchoolWeeks: 2 } }) })
      .where('id', '=', school.schoolId)
      .execute();
    // Pupil 1: absent (O) the first two weeks, present the third.
    const pupilId = school.pupilsA[1]!;
    const rows = schoolDays().flatMap((date) =>
      (['AM', 'PM'] as const).map((session) => ({
        pupil_id: pupilId,
        date,
        session,
        code: date < '2025-09-15' ? 'O' : '/',
        minutes_late: null,
        updated_at: NOW,
        updated_by: null,
      })),
    );
    await ctx.db.insertInto('session_marks').values(rows).execute();
  });

  it('leaves the default period (the policy’s school weeks from joining) out of the adjusted rate only', async () => {
    const s = await getSchool(ctx.db, school.schoolId);
    const pupil = { id: school.pupilsA[1]!, admissionDate: d('2025-09-01'), leavingDate: null };
    const a = await pupilAdjustedAttendance(deps(), s, pupil, d('2025-09-19'));
    expect(a).toMatchObject({
      period: { from: '2025-09-01', to: '2025-09-12' },
      recorded: false,
      actualText: '33.3%',
      adjustedText: '100.0%',
      figures: {
        actual: { possible: 30, attended: 10 },
        adjusted: { possible: 10, attended: 10 },
        excludedSessions: 20,
      },
    });
  });

  it('records a period, then extends it (one per pupil), audited; the page shows both rates', async () => {
    const pupilId = school.pupilsA[1]!;
    const first = await recordIntegrationPeriod(deps(), school.actors.attendance_officer, {
      pupilId,
      from: '2025-09-01',
      to: '2025-09-05',
      reason: 'Agreed with the parents at the admission meeting',
    });
    expect(first.extended).toBe(false);
    let view = await integrationView(deps(), school.actors.senco, pupilId);
    expect(view.weeks).toBe(2);
    expect(view.defaultPeriod).toEqual({ from: '2025-09-01', to: '2025-09-12' });
    expect(view.recorded).toMatchObject({
      from: '2025-09-01',
      to: '2025-09-05',
      recordedByName: 'Test attendance_officer',
    });
    expect(view.attendance).toMatchObject({ recorded: true, actualText: '33.3%', adjustedText: '50.0%' });

    const second = await recordIntegrationPeriod(deps(), school.actors.senior_leader, {
      pupilId,
      from: '2025-09-01',
      to: '2025-09-16',
      reason: 'Extended by the senior leadership team with the parents',
    });
    expect(second).toEqual({ id: first.id, extended: true });
    const stored = await recordedIntegrationPeriods(ctx.db, [pupilId]);
    expect(stored.size).toBe(1);
    expect(stored.get(pupilId)).toMatchObject({ from: '2025-09-01', to: '2025-09-16' });
    view = await integrationView(deps(), school.actors.admin, pupilId);
    // With the extension, 15 and 16 September are left out too: 6 sessions remain, all attended.
    expect(view.attendance).toMatchObject({ adjustedText: '100.0%', figures: { adjusted: { possible: 6 } } });

    const audited = await ctx.db
      .selectFrom('audit_log')
      .select(['action', 'details'])
      .where('pupil_id', '=', pupilId)
      .where('action', 'like', 'integration.%')
      .orderBy('action', 'desc')
      .execute();
    expect(audited.map((a) => a.action)).toEqual(['integration.record', 'integration.extend']);
    expect(JSON.parse(audited[1]!.details!)).toMatchObject({ before: { from: '2025-09-01', to: '2025-09-05' } });
  });

  it('names each field that is wrong', async () => {
    const e = await rejection(
      recordIntegrationPeriod(deps(), school.actors.attendance_officer, {
        pupilId: school.pupilsA[2]!,
        from: '2025-08-20',
        to: '2025-08-01',
        reason: ' ',
      }),
    );
    expect(e.code).toBe('VALIDATION');
    expect((e.details.fields ?? []).map((f) => f.field)).toEqual(['from', 'to', 'reason']);
    const bad = await rejection(
      recordIntegrationPeriod(deps(), school.actors.attendance_officer, {
        pupilId: school.pupilsA[2]!,
        from: '2025-02-30',
        to: 'soon',
        reason: 'x',
      }),
    );
    expect((bad.details.fields ?? []).map((f) => f.field)).toEqual(['from', 'to']);
  });

  it('refuses a teacher, the office and another school’s officer', async () => {
    const pupilId = school.pupilsA[0]!;
    const input = { pupilId, from: '2025-09-01', to: '2025-09-12', reason: 'x' };
    for (const actor of [school.actors.teacher, school.actors.office]) {
      await expect(recordIntegrationPeriod(deps(), actor, input)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    }
    const other = await seedSmallSchool(ctx.db);
    await expect(integrationView(deps(), other.actors.attendance_officer, pupilId)).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
  });

  it('gives no adjusted figures when the policy has no adjusted attendance', async () => {
    const other = await seedSmallSchool(ctx.db);
    const s = await getSchool(ctx.db, other.schoolId);
    const a = await pupilAdjustedAttendance(
      deps(),
      s,
      { id: other.pupilsA[0]!, admissionDate: d('2025-09-01'), leavingDate: null },
      d('2025-09-19'),
    );
    expect(a).toBeNull();
  });
});
