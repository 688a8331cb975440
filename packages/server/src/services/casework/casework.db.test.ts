import { beforeAll, describe, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/databases.js';
import { d, rejection, seedSmallSchool, testDeps, type SmallSchool } from '../../../test/fixtures.js';
import type { Db } from '../../db/connect.js';
import {
  addAction,
  completeAction,
  createContract,
  createPlan,
  createReferral,
  earliestPlanEnd,
  getCase,
  issueNoticeToImprove,
  monitoringEnd,
  recordMeeting,
  recordNoticeOutcome,
  recordPenaltyNotice,
  recordPenaltyOutcome,
  reviewPlan,
  scheduleMeeting,
} from './case-record.js';
import { decideSuggestion, openCases, setStage } from './casework.js';
import { caseworkList } from './casework-list.js';
import { evaluateSchool } from './evaluation.js';
import { amountDueOn, nextPenaltyNotice, yearsBefore } from './ledger.js';
import { loadCaseRecord } from './record.js';
import { schoolCalendar } from '../registers/registers.js';

const DAYS = ['01', '02', '03', '04', '05', '08', '09', '10', '11', '12'].map((x) => `2025-09-${x}`);
/** Monday 15 September 2025, 9:00 in London. */
const NOW = '2025-09-15T08:00:00Z';

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

describe('the penalty-notice ledger (national framework)', () => {
  it('charges £80 within 21 days or £160 within 28 for a first notice', () => {
    const first = nextPenaltyNotice([], d('2025-10-01'));
    expect(first).toEqual({
      ok: true,
      sequence: 1,
      reducedAmountPence: 8000,
      reducedBy: '2025-10-22',
      amountPence: 16000,
      payBy: '2025-10-29',
      counted: 0,
    });
    if (!first.ok) throw new Error('ok');
    expect(amountDueOn(first, d('2025-10-22'))).toBe(8000);
    expect(amountDueOn(first, d('2025-10-23'))).toBe(16000);
  });

  it('charges £160 flat for a second within 3 years and refuses a third, naming the other routes', () => {
    const second = nextPenaltyNotice([{ issuedOn: d('2024-01-10'), status: 'paid' }], d('2025-10-01'));
    expect(second).toMatchObject({
      ok: true,
      sequence: 2,
      reducedAmountPence: null,
      amountPence: 16000,
      payBy: '2025-10-29',
    });
    const third = nextPenaltyNotice(
      [
        { issuedOn: d('2024-01-10'), status: 'paid' },
        { issuedOn: d('2025-03-01'), status: 'unpaid' },
      ],
      d('2025-10-01'),
    );
    expect(third.ok).toBe(false);
    if (third.ok) throw new Error('refused');
    expect(third.reason).toContain('at most 2');
    expect(third.reason).toContain('prosecution');
    expect(third.reason).toContain('attendance contract');
  });

  it('rolls the 3 years: a notice exactly 3 years old still counts, a day older does not; withdrawn never', () => {
    expect(yearsBefore(d('2026-10-01'), 3)).toBe('2023-10-01');
    expect(yearsBefore(d('2028-02-29'), 3)).toBe('2025-02-28');
    const two = [
      { issuedOn: d('2023-10-01'), status: 'paid' },
      { issuedOn: d('2025-01-01'), status: 'paid' },
    ];
    expect(nextPenaltyNotice(two, d('2026-10-01')).ok).toBe(false);
    expect(nextPenaltyNotice(two, d('2026-10-02'))).toMatchObject({ ok: true, sequence: 2 });
    expect(
      nextPenaltyNotice(
        [
          { issuedOn: d('2025-01-01'), status: 'withdrawn' },
          { issuedOn: d('2025-02-01'), status: 'withdrawn' },
        ],
        d('2025-10-01'),
      ),
    ).toMatchObject({ ok: true, sequence: 1 });
  });
});

describeEachDialect('casework decisions and the case record', (ctx) => {
  let school: SmallSchool;

  beforeAll(async () => {
    school = await seedSmallSchool(ctx.db);
    await mark(ctx.db, school.pupilsA[0]!, () => 'present');
    await mark(ctx.db, school.pupilsA[1]!, (i) => (i < 2 ? 'O' : 'present')); // 90%
    await mark(ctx.db, school.pupilsA[2]!, (i) => (i >= 16 ? 'O' : 'present')); // 80%
  });

  it('accepting a suggestion moves the stage, records who/when/why and creates the proposed actions', async () => {
    const deps = testDeps(ctx.db, ctx.dialect, NOW);
    await evaluateSchool(deps, school.schoolId, d('2025-09-12'));
    const officer = school.actors.attendance_officer;
    const list = await caseworkList(deps, officer);
    const bea = list.suggestions.find((s) => s.pupilId === school.pupilsA[1])!;
    expect(bea.toStageName).toBe('Track 1: attendance support meeting');
    expect(bea.actionItems[0]).toEqual({
      label: 'Send the letter “Attendance concern”',
      href: `/pupils/${school.pupilsA[1]}/letters/new?template=track-1-concern`,
    });
    await decideSuggestion(deps, officer, { suggestionId: bea.id, decision: 'accept', reason: '' });
    const record = await loadCaseRecord(ctx.db, school.pupilsA[1]!);
    expect(record.case?.status).toBe('open');
    expect(record.current).toMatchObject({
      stageId: 'track-1',
      enteredOn: '2025-09-15',
      decidedBy: 'Test attendance_officer',
    });
    expect(record.current?.reason).toContain('Accepted the suggestion of 2025-09-12');
    expect(record.actions.map((a) => [a.policyAction, a.owner, a.dueOn, a.status])).toEqual([
      ['letter:track-1-concern', 'Test attendance_officer', '2025-09-22', 'open'],
      ['meeting:attendance-support', 'Test attendance_officer', '2025-09-22', 'open'],
    ]);
    expect(record.suggestions[0]).toMatchObject({ status: 'accepted', decidedStageId: 'track-1' });
    const audited = await ctx.db
      .selectFrom('audit_log')
      .select('action')
      .where('pupil_id', '=', school.pupilsA[1]!)
      .execute();
    expect(audited.map((a) => a.action)).toContain('casework.suggestion.accept');
    // Decided once only.
    expect(
      (await rejection(decideSuggestion(deps, officer, { suggestionId: bea.id, decision: 'dismiss', reason: 'x' })))
        .code,
    ).toBe('CONFLICT');
  });

  it('adjusting needs a stage and a reason; dismissing needs a reason; errors name the field', async () => {
    const deps = testDeps(ctx.db, ctx.dialect, NOW);
    const officer = school.actors.attendance_officer;
    const cal = (await caseworkList(deps, officer)).suggestions.find((s) => s.pupilId === school.pupilsA[2])!;
    const e = await rejection(
      decideSuggestion(deps, officer, { suggestionId: cal.id, decision: 'adjust', stageId: 'nope', reason: '' }),
    );
    expect(e.code).toBe('VALIDATION');
    expect(e.details.fields?.map((f) => f.field)).toEqual(['stageId', 'reason']);
    const e2 = await rejection(
      decideSuggestion(deps, officer, { suggestionId: cal.id, decision: 'dismiss', reason: ' ' }),
    );
    expect(e2.details.fields?.map((f) => f.field)).toEqual(['reason']);
    await decideSuggestion(deps, officer, {
      suggestionId: cal.id,
      decision: 'adjust',
      stageId: 'track-2',
      reason: 'Known to social care',
    });
    const record = await loadCaseRecord(ctx.db, school.pupilsA[2]!);
    expect(record.current?.stageId).toBe('track-2');
    expect(record.actions.map((a) => a.policyAction)).toContain('referral:early-help');
  });

  it('SENCO may view but not decide; teachers and parents may not view', async () => {
    const deps = testDeps(ctx.db, ctx.dialect, NOW);
    await caseworkList(deps, school.actors.senco);
    await getCase(deps, school.actors.senco, school.pupilsA[1]!);
    expect((await rejection(openCases(deps, school.actors.senco, [school.pupilsA[0]!]))).code).toBe('FORBIDDEN');
    expect((await rejection(caseworkList(deps, school.actors.teacher))).code).toBe('FORBIDDEN');
    expect((await rejection(getCase(deps, school.parent, school.pupilsA[0]!))).code).toBe('FORBIDDEN');
  });

  it('opens cases for pupils and lists them per stage', async () => {
    const deps = testDeps(ctx.db, ctx.dialect, NOW);
    const officer = school.actors.attendance_officer;
    expect(await openCases(deps, officer, [school.pupilsA[0]!, school.pupilsA[1]!])).toBe(1);
    const list = await caseworkList(deps, officer);
    expect(list.stages.find((s) => s.id === null)?.pupils.map((p) => p.name)).toEqual(['Alex Able']);
    expect(list.stages.find((s) => s.id === 'track-1')?.pupils.map((p) => p.name)).toEqual(['Bea Baker']);
    expect(list.stages.find((s) => s.id === 'track-2')?.pupils.map((p) => p.name)).toEqual(['Cal Cole']);
  });

  it('records a meeting held with attendees, barriers, voices and actions with owner, due date and outcome', async () => {
    const deps = testDeps(ctx.db, ctx.dialect, NOW);
    const officer = school.actors.attendance_officer;
    const pupilId = school.pupilsA[1]!;
    const e = await rejection(scheduleMeeting(deps, officer, { pupilId, kind: '', date: '2025-13-01', invited: '' }));
    expect(e.details.fields?.map((f) => f.field)).toEqual(['kind', 'date', 'invited']);
    const id = await scheduleMeeting(deps, officer, {
      pupilId,
      kind: 'attendance support',
      date: '2025-09-15',
      time: '09:30',
      invited: 'Mother, Bea',
    });
    const bad = await rejection(
      recordMeeting(deps, officer, {
        pupilId,
        meetingId: id,
        outcome: 'held',
        heldOn: '2025-09-15',
        attendees: '',
        minutes: '',
        actions: [{ description: 'Morning check-in', owner: '', dueOn: '2025-09-22' }],
      }),
    );
    expect(bad.details.fields?.map((f) => f.field)).toEqual(['attendees', 'minutes', 'actions.0.owner']);
    await recordMeeting(deps, officer, {
      pupilId,
      meetingId: id,
      outcome: 'held',
      heldOn: '2025-09-15',
      attendees: 'Mother, Bea, attendance officer',
      barriers: 'Anxiety about PE',
      minutes: 'Agreed a morning check-in',
      pupilVoice: 'Worried about changing rooms',
      parentVoice: 'Wants the school to call at 9:15 if Bea is not in',
      actions: [
        { description: 'Morning check-in with the learning mentor', owner: 'Learning mentor', dueOn: '2025-09-16' },
        { description: '', owner: '', dueOn: '' },
      ],
    });
    const record = await loadCaseRecord(ctx.db, pupilId);
    expect(record.meetings[0]).toMatchObject({
      status: 'held',
      barriers: 'Anxiety about PE',
      pupilVoice: 'Worried about changing rooms',
    });
    const action = record.actions.find((a) => a.meetingId === id)!;
    expect(action).toMatchObject({ owner: 'Learning mentor', dueOn: '2025-09-16', status: 'open' });
    // The meeting the suggestion proposed is done.
    expect(record.actions.find((a) => a.policyAction === 'meeting:attendance-support')?.status).toBe('done');
    await completeAction(deps, officer, {
      pupilId,
      actionId: action.id,
      status: 'done',
      outcome: 'Check-in daily since 16 Sept',
    });
    expect((await loadCaseRecord(ctx.db, pupilId)).actions.find((a) => a.id === action.id)?.outcome).toBe(
      'Check-in daily since 16 Sept',
    );
  });

  it('lists overdue actions and reviews on the officer’s list', async () => {
    const officer = school.actors.attendance_officer;
    const pupilId = school.pupilsA[1]!;
    await addAction(testDeps(ctx.db, ctx.dialect, NOW), officer, {
      pupilId,
      description: 'Call mother',
      owner: 'Attendance officer',
      dueOn: '2025-09-17',
    });
    const later = testDeps(ctx.db, ctx.dialect, '2025-10-20T08:00:00Z');
    const list = await caseworkList(later, officer);
    const kinds = list.overdue.filter((o) => o.pupilId === pupilId).map((o) => [o.kind, o.dueOn]);
    expect(kinds).toContainEqual(['action', '2025-09-17']);
    // Track 2 (Cal, entered 15 September) is reviewed every 4 school weeks: due Monday 13 October.
    // Track 1 (Bea) every 6: the week it falls in is past the calendar's last term, so not listed.
    expect(list.overdue.filter((o) => o.pupilId === school.pupilsA[2]).map((o) => [o.kind, o.dueOn])).toContainEqual([
      'review',
      '2025-10-13',
    ]);
  });

  it('checks plans: SMART targets, review dates, the policy’s minimum length, part-time approvals', async () => {
    const deps = testDeps(ctx.db, ctx.dialect, NOW);
    const officer = school.actors.attendance_officer;
    const pupilId = school.pupilsA[1]!;
    const cal = await schoolCalendar(deps, school.schoolId);
    expect(earliestPlanEnd(cal, d('2025-09-15'), 6)).toBe('2025-10-24');
    expect(earliestPlanEnd(cal, d('2025-09-22'), 6)).toBe('2025-10-31');
    const short = await rejection(
      createPlan(deps, officer, {
        pupilId,
        kind: 'attendance-support',
        startsOn: '2025-09-15',
        endsOn: '2025-10-10',
        targets: [],
        reviewDates: [],
      }),
    );
    expect(short.details.fields).toEqual([
      {
        field: 'endsOn',
        message: 'The policy sets a minimum plan length of 6 school weeks: end it on 2025-10-24 or later.',
      },
      {
        field: 'targets.0.text',
        message: 'Give at least one SMART target (specific, measurable, achievable, relevant, time-bound).',
      },
      { field: 'reviewDates.0', message: 'Give at least one review date.' },
    ]);
    const planId = await createPlan(deps, officer, {
      pupilId,
      kind: 'attendance-support',
      startsOn: '2025-09-15',
      endsOn: '2025-10-24',
      targets: [{ text: 'In school by 8:50 every day', measure: 'No late marks over the plan' }],
      reviewDates: ['2025-10-03', '2025-10-24'],
    });
    const pt = await rejection(
      createPlan(deps, officer, {
        pupilId,
        kind: 'part-time-timetable',
        startsOn: '2025-09-15',
        endsOn: '2025-10-10',
        details: 'Mornings only',
      }),
    );
    expect(pt.details.fields?.map((f) => f.field)).toEqual(['headApprovedBy', 'headApprovedOn']);
    await createPlan(deps, officer, {
      pupilId,
      kind: 'part-time-timetable',
      startsOn: '2025-09-15',
      endsOn: '2025-10-10',
      details: 'Mornings only; C2 in the afternoons',
      headApprovedBy: 'Headteacher',
      headApprovedOn: '2025-09-12',
      laInformedOn: '2025-09-12',
    });
    await reviewPlan(deps, officer, { pupilId, planId, on: '2025-09-15', notes: 'Early review', targetsMet: ['no'] });
    const view = await getCase(deps, officer, pupilId);
    expect(view.record.plans.find((p) => p.id === planId)?.targets[0]?.met).toBe(false);
    expect(view.planNextReviews[planId]).toBe('2025-10-03');
    const ptPlan = view.record.plans.find((p) => p.kind === 'part-time-timetable')!;
    expect(view.planNextReviews[ptPlan.id]).toBe('2025-09-29');
  });

  it('records referrals and contracts', async () => {
    const deps = testDeps(ctx.db, ctx.dialect, NOW);
    const officer = school.actors.attendance_officer;
    const pupilId = school.pupilsA[2]!;
    const e = await rejection(
      createReferral(deps, officer, { pupilId, agency: 'police', madeOn: '2025-09-20', reason: '' }),
    );
    expect(e.details.fields?.map((f) => f.field)).toEqual(['agency', 'madeOn', 'reason']);
    await createReferral(deps, officer, {
      pupilId,
      agency: 'early-help',
      madeOn: '2025-09-15',
      reason: 'Family support',
    });
    await createContract(deps, officer, {
      pupilId,
      parentName: 'Parent of Cal',
      agreedOn: '2025-09-15',
      parentCommitments: 'Bring Cal by 8:45',
      supportOffered: 'Breakfast club place',
      reviewOn: '2025-10-06',
      endsOn: '2025-10-24',
    });
    const record = await loadCaseRecord(ctx.db, pupilId);
    expect(record.referrals[0]).toMatchObject({ agency: 'early-help', status: 'made' });
    expect(record.contracts[0]).toMatchObject({ status: 'active', reviewOn: '2025-10-06' });
    expect(record.actions.find((a) => a.policyAction === 'referral:early-help')?.status).toBe('done');
  });

  it('computes a Notice to Improve’s monitoring period from the calendar and takes its outcome after', async () => {
    const deps = testDeps(ctx.db, ctx.dialect, NOW);
    const officer = school.actors.attendance_officer;
    const cal = await schoolCalendar(deps, school.schoolId);
    // 15 school days from Tuesday 16 September, stepping over the INSET day on Friday 26th.
    expect(monitoringEnd(cal, d('2025-09-15'), '15-school-days')).toBe('2025-10-07');
    // 6 school weeks: the week of 16 September is week 1; week 6 ends Friday 24 October.
    expect(monitoringEnd(cal, d('2025-09-15'), '6-weeks')).toBe('2025-10-24');
    // Beyond the calendar: counted in weekdays.
    expect(monitoringEnd(cal, d('2025-10-20'), '15-school-days')).toBe('2025-11-10');
    const pupilId = school.pupilsA[2]!;
    const id = await issueNoticeToImprove(deps, officer, {
      pupilId,
      parentName: 'Parent of Cal',
      issuedOn: '2025-09-15',
      expectations: 'No unauthorised absence',
    });
    const record = await loadCaseRecord(ctx.db, pupilId);
    expect(record.notices[0]).toMatchObject({
      period: '15-school-days',
      monitoringEndsOn: '2025-10-07',
      status: 'monitoring',
    });
    const early = await rejection(
      recordNoticeOutcome(deps, officer, { pupilId, noticeId: id, status: 'improved', outcome: 'Good' }),
    );
    expect(early.details.fields?.[0]?.field).toBe('status');
    await recordNoticeOutcome(testDeps(ctx.db, ctx.dialect, '2025-10-08T08:00:00Z'), officer, {
      pupilId,
      noticeId: id,
      status: 'not_improved',
      outcome: '4 unauthorised sessions',
    });
  });

  it('keeps the penalty-notice ledger per parent: a third in 3 years is refused with the reason', async () => {
    const deps = testDeps(ctx.db, ctx.dialect, '2025-10-20T08:00:00Z');
    const officer = school.actors.attendance_officer;
    const pupilId = school.pupilsA[0]!;
    const contact = `contact0-${school.schoolId.replace(/^school-/, '')}`;
    const first = await recordPenaltyNotice(deps, officer, {
      pupilId,
      parentKey: contact,
      issuedOn: '2025-01-10',
      reason: 'Holiday in term time',
    });
    await recordPenaltyOutcome(deps, officer, { pupilId, noticeId: first, status: 'paid', paidOn: '2025-01-20' });
    await recordPenaltyNotice(deps, officer, {
      pupilId,
      parentKey: contact,
      issuedOn: '2025-06-10',
      reason: 'Holiday in term time',
    });
    const third = await rejection(
      recordPenaltyNotice(deps, officer, { pupilId, parentKey: contact, issuedOn: '2025-10-20', reason: 'Again' }),
    );
    expect(third.code).toBe('VALIDATION');
    expect(third.message).toContain('at most 2');
    expect(third.details.fields?.[0]?.field).toBe('issuedOn');
    // Another parent of the same child has a ledger of their own.
    await recordPenaltyNotice(deps, officer, {
      pupilId,
      parentKey: 'other',
      parentName: 'Second Parent',
      issuedOn: '2025-10-20',
      reason: 'Holiday',
    });
    const record = await loadCaseRecord(ctx.db, pupilId);
    expect(
      record.penaltyNotices.map((n) => [
        n.parentName,
        n.sequence,
        n.amountPence,
        n.reducedAmountPence,
        n.status,
        n.paidPence,
      ]),
    ).toEqual([
      ['Parent of Alex', 1, 16000, 8000, 'paid', 8000],
      ['Parent of Alex', 2, 16000, null, 'issued', null],
      ['Second Parent', 1, 16000, 8000, 'issued', null],
    ]);
    const view = await getCase(deps, officer, pupilId);
    expect(view.ledger.find((l) => l.parentName === 'Parent of Alex')?.next.ok).toBe(false);
  });

  it('sets a stage by hand with a reason, never without', async () => {
    const deps = testDeps(ctx.db, ctx.dialect, NOW);
    const officer = school.actors.attendance_officer;
    const e = await rejection(setStage(deps, officer, { pupilId: school.pupilsA[0]!, stageId: 'track-1', reason: '' }));
    expect(e.details.fields?.map((f) => f.field)).toEqual(['reason']);
  });

  it('a review falls due and accepting it records the review and the rate, keeping the stage; a step down to no stage closes it', async () => {
    const officer = school.actors.attendance_officer;
    const cal = school.pupilsA[2]!;
    // Track 2 (entered Monday 15 September) is reviewed every 4 school weeks: due 13 October.
    const deps = testDeps(ctx.db, ctx.dialect, '2025-10-13T08:00:00Z');
    await evaluateSchool(deps, school.schoolId, d('2025-10-13'));
    const review = (await caseworkList(deps, officer)).suggestions.find(
      (s) => s.pupilId === cal && s.kind === 'review',
    )!;
    expect(review.explanation).toContain('4 school weeks since entering on 2025-09-15');
    await decideSuggestion(deps, officer, {
      suggestionId: review.id,
      decision: 'accept',
      reason: 'Reviewed with mother',
    });
    let record = await loadCaseRecord(ctx.db, cal);
    expect(record.current?.stageId).toBe('track-2');
    expect(record.reviews).toEqual([
      expect.objectContaining({
        reviewedOn: '2025-10-13',
        rate: 0.8,
        notes: 'Reviewed with mother',
        reviewedBy: 'Test attendance_officer',
      }),
    ]);
    // The review is no longer overdue on the officer's list.
    expect((await caseworkList(deps, officer)).overdue.filter((o) => o.pupilId === cal && o.kind === 'review')).toEqual(
      [],
    );
    await setStage(deps, officer, { pupilId: cal, stageId: 'none', reason: 'Attendance restored' });
    record = await loadCaseRecord(ctx.db, cal);
    expect(record.current).toBeNull();
    expect(record.stages[record.stages.length - 1]).toMatchObject({
      stageId: null,
      leftOn: '2025-10-13',
      reason: 'Attendance restored',
    });
  });
});
