import { beforeAll, describe, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/databases.js';
import { d, seedSmallSchool, testDeps, type SmallSchool } from '../../../test/fixtures.js';
import { AppError } from '../errors.js';
import {
  decideLeave,
  DEFAULT_LEAVE_POLICY,
  evaluateLeave,
  leaveAdviceFor,
  leaveForPupil,
  pendingLeave,
  requestLeave,
  type LeaveFacts,
} from './leave.js';

/** Monday 8 September 2025, 09:00 in London. */
const NOW = '2025-09-08T08:00:00Z';

async function failure(p: Promise<unknown>): Promise<{ code: string; fields: string[] }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AppError) return { code: e.code, fields: (e.details.fields ?? []).map((f) => f.field) };
    throw e;
  }
  throw new Error('expected a rejection');
}

describe('evaluateLeave', () => {
  const facts: LeaveFacts = {
    kind: 'religious',
    today: d('2025-09-08'),
    fromDate: d('2025-09-16'),
    toDate: d('2025-09-16'),
    schoolDays: 1,
    sessionsRequested: 2,
    sessionsBefore: 10,
    possibleSessions: 10,
    attendedSessions: 7,
    authorisedAbsenceSessions: 2,
    unauthorisedAbsenceSessions: 1,
  };

  it('gives religious observance a week’s notice and does not hold the absence record against it', () => {
    const a = evaluateLeave(DEFAULT_LEAVE_POLICY, facts);
    expect(a.recommendation).toBe('grant');
    expect(a.checks.find((c) => c.id === 'notice')?.result).toBe('pass');
    expect(a.checks.find((c) => c.id === 'unauthorisedAbsence')?.result).toBe('info');
    expect(a.checks.find((c) => c.id === 'authorisedAbsence')).toBeUndefined();
  });

  it('refuses exceptional leave above 10% authorised absence, and a performance that takes attendance below 90%', () => {
    const e = evaluateLeave(DEFAULT_LEAVE_POLICY, {
      ...facts,
      kind: 'exceptional',
      fromDate: d('2025-10-13'),
      toDate: d('2025-10-13'),
      unauthorisedAbsenceSessions: 0,
    });
    const auth = e.checks.find((c) => c.id === 'authorisedAbsence');
    expect(auth).toMatchObject({ result: 'refuse', value: 20 });
    expect(auth?.explanation).toContain('20.0%');
    const p = evaluateLeave(DEFAULT_LEAVE_POLICY, {
      ...facts,
      kind: 'performance',
      fromDate: d('2025-10-13'),
      toDate: d('2025-10-13'),
    });
    // (7 + 10) / (10 + 10 + 2) = 77.3%
    expect(p.checks.find((c) => c.id === 'performanceAttendance')).toMatchObject({ result: 'refuse', value: 77.3 });
  });

  it('refuses during a statutory assessment period when one is set', () => {
    const a = evaluateLeave(
      {
        ...DEFAULT_LEAVE_POLICY,
        assessmentPeriods: [{ name: 'KS2 tests', from: d('2026-05-05'), to: d('2026-05-15') }],
      },
      {
        ...facts,
        kind: 'exceptional',
        fromDate: d('2026-05-14'),
        toDate: d('2026-05-20'),
        unauthorisedAbsenceSessions: 0,
        authorisedAbsenceSessions: 0,
      },
    );
    expect(a.checks.find((c) => c.id === 'assessmentPeriod')).toMatchObject({ result: 'refuse' });
    expect(a.recommendation).toBe('refuse');
  });
});

describeEachDialect('leave of absence', (ctx) => {
  let school: SmallSchool;
  const deps = () => testDeps(ctx.db, ctx.dialect, NOW);
  beforeAll(async () => {
    school = await seedSmallSchool(ctx.db);
  });

  it('stores the checks with their explanations: short notice and unauthorised absence this year mean refuse', async () => {
    const pupilId = school.pupilsA[0]!;
    await ctx.db
      .insertInto('session_marks')
      .values({
        pupil_id: pupilId,
        date: '2025-09-03',
        session: 'AM',
        code: 'O',
        minutes_late: null,
        updated_at: NOW,
        updated_by: null,
      })
      .execute();
    const { id, assessment } = await requestLeave(deps(), school.parent, {
      pupilId,
      kind: 'exceptional',
      fromDate: '2025-09-15',
      toDate: '2025-09-16',
      reason: 'Family funeral abroad',
    });
    expect(assessment.recommendation).toBe('refuse');
    const row = await ctx.db.selectFrom('leave_requests').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.status).toBe('pending');
    const stored = JSON.parse(row.checks) as typeof assessment;
    const byId = new Map(stored.checks.map((c) => [c.id, c]));
    expect(byId.get('notice')).toMatchObject({ result: 'refuse', value: 7 });
    expect(byId.get('notice')?.explanation).toContain('at least 28 days');
    expect(byId.get('unauthorisedAbsence')).toMatchObject({ result: 'refuse', value: 1 });
    expect(byId.get('unauthorisedAbsence')?.explanation).toContain('1 session of unauthorised absence');
    expect(byId.get('retrospective')?.result).toBe('pass');
    expect(byId.get('schoolDays')).toMatchObject({ value: 2 });
    expect(byId.get('assessmentPeriod')?.explanation).toContain('No statutory assessment periods');
    const audits = await ctx.db.selectFrom('audit_log').select('action').where('entity_id', '=', id).execute();
    expect(audits.map((a) => a.action)).toEqual(['leave.request']);
  });

  it('validates fields; a retrospective request is checked as refuse; a performance needs a licence reference', async () => {
    const pupilId = school.pupilsA[0]!;
    expect(
      await failure(
        requestLeave(deps(), school.parent, { pupilId, kind: 'holiday', fromDate: 'x', toDate: '', reason: ' ' }),
      ),
    ).toEqual({
      code: 'VALIDATION',
      fields: ['kind', 'fromDate', 'toDate', 'reason'],
    });
    expect(
      (
        await failure(
          requestLeave(deps(), school.parent, {
            pupilId,
            kind: 'performance',
            fromDate: '2025-10-13',
            toDate: '2025-10-13',
            reason: 'A play',
          }),
        )
      ).fields,
    ).toEqual(['reason']);
    const late = await requestLeave(deps(), school.parent, {
      pupilId,
      kind: 'exceptional',
      fromDate: '2025-09-05',
      toDate: '2025-09-05',
      reason: 'Already happened',
    });
    expect(late.assessment.checks.find((c) => c.id === 'retrospective')?.result).toBe('refuse');
    await expect(
      decideLeave(deps(), school.actors.senior_leader, { requestId: late.id, decision: 'grant', reason: 'ok' }),
    ).rejects.toMatchObject({ code: 'VALIDATION' });
  });

  it('requires a forwarding address for 15 school days or more', async () => {
    const pupilId = school.pupilsA[0]!;
    const input = {
      pupilId,
      kind: 'traveller',
      fromDate: '2025-10-06',
      toDate: '2025-10-24',
      reason: 'Travelling for work with the fair',
    };
    expect((await failure(requestLeave(deps(), school.parent, input))).fields).toEqual(['forwardingAddress']);
    const { assessment } = await requestLeave(deps(), school.parent, {
      ...input,
      forwardingAddress: 'Site 4, Example Showground',
    });
    expect(assessment.forwardingAddressRequired).toBe(true);
    expect(assessment.checks.find((c) => c.id === 'schoolDays')?.value).toBe(15);
  });

  it('lets a parent ask only for their own child, and only the headteacher or delegate decide', async () => {
    const other = await failure(
      requestLeave(deps(), school.parent, {
        pupilId: school.pupilsA[1]!,
        kind: 'exceptional',
        fromDate: '2025-10-13',
        toDate: '2025-10-13',
        reason: 'x',
      }),
    );
    expect(other.code).toBe('FORBIDDEN');
    expect(
      (
        await failure(
          requestLeave(deps(), school.actors.office, {
            pupilId: school.pupilsA[0]!,
            kind: 'exceptional',
            fromDate: '2025-10-13',
            toDate: '2025-10-13',
            reason: 'x',
          }),
        )
      ).code,
    ).toBe('FORBIDDEN');
    const { id } = await requestLeave(deps(), school.parent, {
      pupilId: school.pupilsA[0]!,
      kind: 'exceptional',
      fromDate: '2025-10-20',
      toDate: '2025-10-20',
      reason: 'Wedding',
    });
    expect(
      (await failure(decideLeave(deps(), school.actors.office, { requestId: id, decision: 'grant', reason: 'ok' })))
        .code,
    ).toBe('FORBIDDEN');
    expect((await failure(pendingLeave(deps(), school.actors.office, { schoolId: school.schoolId }))).code).toBe(
      'FORBIDDEN',
    );
    const pending = await pendingLeave(deps(), school.actors.senior_leader, { schoolId: school.schoolId });
    expect(pending.map((r) => r.id)).toContain(id);
    expect(
      (
        await failure(
          decideLeave(deps(), school.actors.senior_leader, { requestId: id, decision: 'grant', reason: '' }),
        )
      ).fields,
    ).toEqual(['reason']);
  });

  it('grants: pre-fills C for every school session of the range with history, and emails the letter', async () => {
    const pupilId = school.pupilsA[0]!;
    const { id } = await requestLeave(deps(), school.parent, {
      pupilId,
      kind: 'exceptional',
      fromDate: '2025-10-11',
      toDate: '2025-10-14',
      reason: 'Grandparent’s surgery abroad',
    });
    const result = await decideLeave(deps(), school.actors.senior_leader, {
      requestId: id,
      decision: 'grant',
      reason: 'Rare and unavoidable',
    });
    expect(result).toMatchObject({ status: 'granted', marksWritten: 4, marksKept: 0, letter: { queued: true } });
    const marks = await ctx.db
      .selectFrom('session_marks')
      .select(['date', 'session', 'code'])
      .where('pupil_id', '=', pupilId)
      .where('date', '>=', '2025-10-11')
      .where('date', '<=', '2025-10-14')
      .orderBy('date')
      .orderBy('session')
      .execute();
    // Saturday and Sunday have no sessions.
    expect(marks).toEqual([
      { date: '2025-10-13', session: 'AM', code: 'C' },
      { date: '2025-10-13', session: 'PM', code: 'C' },
      { date: '2025-10-14', session: 'AM', code: 'C' },
      { date: '2025-10-14', session: 'PM', code: 'C' },
    ]);
    const history = await ctx.db
      .selectFrom('mark_history')
      .select(['reason', 'source', 'new_code', 'previous_code'])
      .where('pupil_id', '=', pupilId)
      .where('date', '=', '2025-10-13')
      .execute();
    expect(history).toHaveLength(2);
    expect(history[0]).toMatchObject({
      source: 'office',
      new_code: 'C',
      previous_code: null,
      reason: 'Leave granted on 8 September 2025: Rare and unavoidable',
    });
    const message = await ctx.db
      .selectFrom('messages')
      .selectAll()
      .where('id', '=', result.letter.messageId)
      .executeTakeFirstOrThrow();
    expect(message).toMatchObject({ to_address: 'parent@example.org', kind: 'leave-decision', channel: 'email' });
    expect(message.body).toContain('has been granted');
    const row = await ctx.db.selectFrom('leave_requests').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      status: 'granted',
      decision_reason: 'Rare and unavoidable',
      decided_by: school.actors.senior_leader.userId,
    });
    expect(
      (
        await failure(
          decideLeave(deps(), school.actors.senior_leader, { requestId: id, decision: 'refuse', reason: 'x' }),
        )
      ).code,
    ).toBe('CONFLICT');
    const audits = await ctx.db.selectFrom('audit_log').select('action').where('entity_id', '=', id).execute();
    expect(audits.map((a) => a.action).sort()).toEqual(['leave.decide', 'leave.request']);
  });

  it('refuses: the letter names the reasons and the checks; absence in the range is advised as G', async () => {
    const pupilId = school.pupilsA[0]!;
    const { id } = await requestLeave(deps(), school.parent, {
      pupilId,
      kind: 'exceptional',
      fromDate: '2025-09-22',
      toDate: '2025-09-23',
      reason: 'Cheaper flights',
    });
    const result = await decideLeave(deps(), school.actors.senior_leader, {
      requestId: id,
      decision: 'refuse',
      reason: 'A family holiday is not an exceptional circumstance',
    });
    expect(result).toMatchObject({ status: 'refused', marksWritten: 0 });
    const message = await ctx.db
      .selectFrom('messages')
      .select('body')
      .where('id', '=', result.letter.messageId)
      .executeTakeFirstOrThrow();
    expect(message.body).toContain('has been refused');
    expect(message.body).toContain('Reason for the decision: A family holiday is not an exceptional circumstance');
    expect(message.body).toContain('1 session of unauthorised absence this school year');
    expect(message.body).toContain('(grounds for refusal)');
    expect(message.body).toContain('recorded as unauthorised');
    expect(await leaveAdviceFor(deps(), pupilId, d('2025-09-23'))).toEqual({
      requestId: id,
      code: 'G',
      text: 'Leave was refused for this date: suggest G',
    });
    expect(await leaveAdviceFor(deps(), pupilId, d('2025-09-24'))).toBeNull();
    const view = await leaveForPupil(deps(), school.parent, pupilId);
    expect(view.requests.find((r) => r.id === id)?.status).toBe('refused');
  });

  it('skips the email and says so when the requesting parent has no email address', async () => {
    await ctx.db.updateTable('contacts').set({ email: null }).where('pupil_id', '=', school.pupilsA[0]!).execute();
    const { id } = await requestLeave(deps(), school.parent, {
      pupilId: school.pupilsA[0]!,
      kind: 'lunchtime',
      fromDate: '2025-09-15',
      toDate: '2025-10-24',
      reason: 'Lunch at home with grandparent',
    });
    const result = await decideLeave(deps(), school.actors.admin, {
      requestId: id,
      decision: 'grant',
      reason: 'Agreed after meeting',
    });
    expect(result).toMatchObject({ marksWritten: 0, letter: { queued: false, messageId: null } });
    expect(result.letter.note).toContain('no email address');
    await ctx.db
      .updateTable('contacts')
      .set({ email: 'parent@example.org' })
      .where('pupil_id', '=', school.pupilsA[0]!)
      .execute();
  });
});
