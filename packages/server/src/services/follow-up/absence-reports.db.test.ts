import type { PlainDate } from '@rollcall/domain';
import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/databases.js';
import { seedSmallSchool, testDeps, type SmallSchool } from '../../../test/fixtures.js';
import { setSessionMark } from '../../db/registers/registers.js';
import { decideReport, pendingReports, reportAbsence } from './absence-reports.js';
import { AppError } from '../errors.js';
import { forgetCalendar } from '../registers/registers.js';

/** Monday 8 September 2025, 10:00 in London. */
const NOW = '2025-09-08T09:00:00Z';
const d = (s: string) => s as PlainDate;

async function failure(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected a rejection');
}

async function fieldsOf(p: Promise<unknown>): Promise<string[]> {
  return ((await failure(p)).details.fields ?? []).map((f) => f.field);
}

describeEachDialect('absence reports', (ctx) => {
  let school: SmallSchool;
  const deps = () => testDeps(ctx.db, ctx.dialect, NOW);
  const base = { sessions: 'ALL', reason: 'illness' };
  beforeAll(async () => {
    forgetCalendar();
    school = await seedSmallSchool(ctx.db);
    // The morning register: Alex is N.
    await setSessionMark(
      ctx.db,
      { pupilId: school.pupilsA[0]!, date: d('2025-09-08'), session: 'AM', code: 'N', minutesLate: null, reason: null },
      {
        userId: school.actors.teacher.userId,
        userName: 'Test teacher',
        userRole: 'teacher',
        at: '2025-09-08T07:50:00.000Z',
        source: 'register',
      },
    );
  });

  it('matches a report for today to the N already in the register, without re-coding it', async () => {
    const r = await reportAbsence(deps(), school.parent, {
      ...base,
      pupilId: school.pupilsA[0]!,
      fromDate: '2025-09-08',
      toDate: '2025-09-08',
      details: 'Temperature and a cough',
    });
    expect(r.proposedCode).toBe('I');
    expect(r.matched).toEqual([{ date: '2025-09-08', session: 'AM' }]);
    const mark = await ctx.db
      .selectFrom('session_marks')
      .select('code')
      .where('pupil_id', '=', school.pupilsA[0]!)
      .where('date', '=', '2025-09-08')
      .executeTakeFirstOrThrow();
    expect(mark.code).toBe('N');
    const audited = await ctx.db.selectFrom('audit_log').select('action').where('entity_id', '=', r.id).execute();
    expect(audited.map((a) => a.action)).toEqual(['absenceReport.create']);
  });

  it('takes a report for future days, proposing M for a medical appointment', async () => {
    const r = await reportAbsence(deps(), school.parent, {
      pupilId: school.pupilsA[0]!,
      fromDate: '2025-09-10',
      toDate: '2025-09-10',
      sessions: 'PM',
      reason: 'medical',
      evidence: 'Hospital letter',
    });
    expect(r).toMatchObject({ proposedCode: 'M', matched: [] });
  });

  it('checks the form, field by field', async () => {
    const pupilId = school.pupilsA[0]!;
    expect(
      await fieldsOf(
        reportAbsence(deps(), school.parent, { ...base, pupilId, fromDate: '2025-09-05', toDate: '2025-09-04' }),
      ),
    ).toEqual(['fromDate', 'toDate']);
    expect(
      await fieldsOf(reportAbsence(deps(), school.parent, { ...base, pupilId, fromDate: 'soon', toDate: '' })),
    ).toEqual(['fromDate', 'toDate']);
    // Saturday, and the INSET day (closed).
    expect(
      await fieldsOf(
        reportAbsence(deps(), school.parent, { ...base, pupilId, fromDate: '2025-09-13', toDate: '2025-09-26' }),
      ),
    ).toEqual(['fromDate', 'toDate']);
    // 8 September to 7 October is 21 school days (the INSET day does not count).
    expect(
      await fieldsOf(
        reportAbsence(deps(), school.parent, { ...base, pupilId, fromDate: '2025-09-08', toDate: '2025-10-07' }),
      ),
    ).toEqual(['toDate']);
    await expect(
      reportAbsence(deps(), school.parent, {
        ...base,
        pupilId,
        fromDate: '2025-09-08',
        toDate: '2025-10-06',
        sessions: 'PM',
        reason: 'religious',
      }),
    ).resolves.toMatchObject({ proposedCode: 'R' });
    expect(
      await fieldsOf(
        reportAbsence(deps(), school.parent, {
          pupilId,
          fromDate: '2025-09-09',
          toDate: '2025-09-09',
          sessions: 'X',
          reason: 'other',
          expectedReturn: '2025-09-09',
        }),
      ),
    ).toEqual(['sessions', 'details', 'expectedReturn']);
    expect(
      await fieldsOf(
        reportAbsence(deps(), school.parent, {
          ...base,
          pupilId,
          fromDate: '2025-09-09',
          toDate: '2025-09-09',
          reason: 'holiday',
        }),
      ),
    ).toEqual(['reason']);
  });

  it('a parent cannot report for another child, and the office cannot report as a parent', async () => {
    const input = { ...base, fromDate: '2025-09-09', toDate: '2025-09-09' };
    expect((await failure(reportAbsence(deps(), school.parent, { ...input, pupilId: school.pupilsA[1]! }))).code).toBe(
      'FORBIDDEN',
    );
    expect(
      (await failure(reportAbsence(deps(), school.actors.office, { ...input, pupilId: school.pupilsA[0]! }))).code,
    ).toBe('FORBIDDEN');
    expect((await failure(pendingReports(deps(), school.parent, { schoolId: school.schoolId }))).code).toBe(
      'FORBIDDEN',
    );
  });

  it('the office confirms: the N and the unmarked sessions up to today get the code, with history source parent', async () => {
    const pending = await pendingReports(deps(), school.actors.office, { schoolId: school.schoolId });
    const today = pending.reports.find((r) => r.fromDate === '2025-09-08' && r.toDate === '2025-09-08');
    expect(today).toMatchObject({
      pupilName: 'Alex Able',
      reason: 'illness',
      proposedCode: 'I',
      reportedByName: 'Test parent',
      matched: [{ date: '2025-09-08', session: 'AM' }],
    });
    expect(
      (await failure(decideReport(deps(), school.parent, { reportId: today!.id, decision: 'confirm' }))).code,
    ).toBe('FORBIDDEN');
    expect(
      await fieldsOf(
        decideReport(deps(), school.actors.office, { reportId: today!.id, decision: 'confirm', code: 'U' }),
      ),
    ).toEqual(['code']);
    const done = await decideReport(deps(), school.actors.office, { reportId: today!.id, decision: 'confirm' });
    expect(done).toEqual({
      status: 'confirmed',
      code: 'I',
      coded: [
        { date: '2025-09-08', session: 'AM' },
        { date: '2025-09-08', session: 'PM' },
      ],
    });
    const history = await ctx.db
      .selectFrom('mark_history')
      .select(['session', 'previous_code', 'new_code', 'source', 'reason', 'user_name'])
      .where('pupil_id', '=', school.pupilsA[0]!)
      .where('source', '=', 'parent')
      .orderBy('session')
      .execute();
    expect(history).toEqual([
      {
        session: 'AM',
        previous_code: 'N',
        new_code: 'I',
        source: 'parent',
        reason: 'Reported by parent on 8 September 2025: illness (Temperature and a cough)',
        user_name: 'Test office',
      },
      {
        session: 'PM',
        previous_code: null,
        new_code: 'I',
        source: 'parent',
        reason: 'Reported by parent on 8 September 2025: illness (Temperature and a cough)',
        user_name: 'Test office',
      },
    ]);
    expect(
      (
        await failure(
          decideReport(deps(), school.actors.office, { reportId: today!.id, decision: 'reject', note: 'x' }),
        )
      ).code,
    ).toBe('CONFLICT');
    const after = await pendingReports(deps(), school.actors.office, { schoolId: school.schoolId });
    expect(after.reports.map((r) => r.id)).not.toContain(today!.id);
  });

  it('the office rejects with a note: the marks stay as they were', async () => {
    const pupilId = school.pupilsA[0]!;
    await setSessionMark(
      ctx.db,
      { pupilId, date: d('2025-09-09'), session: 'AM', code: 'N', minutesLate: null, reason: null },
      {
        userId: null,
        userName: 'Test teacher',
        userRole: 'teacher',
        at: '2025-09-09T07:50:00.000Z',
        source: 'register',
      },
    );
    const tuesday = testDeps(ctx.db, ctx.dialect, '2025-09-09T08:00:00Z');
    const r = await reportAbsence(tuesday, school.parent, {
      pupilId,
      fromDate: '2025-09-09',
      toDate: '2025-09-09',
      sessions: 'AM',
      reason: 'other',
      details: 'Family day out',
    });
    expect(r).toMatchObject({ proposedCode: null, matched: [{ date: '2025-09-09', session: 'AM' }] });
    expect(await fieldsOf(decideReport(tuesday, school.actors.office, { reportId: r.id, decision: 'reject' }))).toEqual(
      ['note'],
    );
    expect(
      await fieldsOf(decideReport(tuesday, school.actors.office, { reportId: r.id, decision: 'confirm' })),
    ).toEqual(['code']);
    await expect(
      decideReport(tuesday, school.actors.office, {
        reportId: r.id,
        decision: 'reject',
        note: 'Not a reason we can authorise',
      }),
    ).resolves.toEqual({ status: 'rejected', code: null, coded: [] });
    const row = await ctx.db
      .selectFrom('absence_reports')
      .select(['status', 'decision_note', 'decided_by'])
      .where('id', '=', r.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({
      status: 'rejected',
      decision_note: 'Not a reason we can authorise',
      decided_by: school.actors.office.userId,
    });
    const mark = await ctx.db
      .selectFrom('session_marks')
      .select('code')
      .where('pupil_id', '=', pupilId)
      .where('date', '=', '2025-09-09')
      .executeTakeFirstOrThrow();
    expect(mark.code).toBe('N');
    const audited = await ctx.db
      .selectFrom('audit_log')
      .select('action')
      .where('entity_id', '=', r.id)
      .orderBy('at')
      .execute();
    expect(audited.map((a) => a.action)).toEqual(['absenceReport.create', 'absenceReport.reject']);
  });
});
