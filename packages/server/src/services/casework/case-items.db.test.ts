import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/databases.js';
import { rejection, seedSmallSchool, testDeps, type SmallSchool } from '../../../test/fixtures.js';
import {
  addAction,
  completeAction,
  createContract,
  createPlan,
  createReferral,
  issueNoticeToImprove,
  recordMeeting,
  recordNoticeOutcome,
  recordPenaltyNotice,
  recordPenaltyOutcome,
  reviewPlan,
  scheduleMeeting,
  updateContract,
  updateReferral,
} from './case-record.js';
import { setStage } from './casework.js';
import { caseworkList } from './casework-list.js';

/** Monday 15 September 2025, 9:00 in London. */
const NOW = '2025-09-15T08:00:00Z';

describeEachDialect('changing one item of a case record', (ctx) => {
  let school: SmallSchool;
  let pupilId: string;
  let other: string;
  const ids: Record<string, string> = {};
  const deps = () => testDeps(ctx.db, ctx.dialect, NOW);

  beforeAll(async () => {
    school = await seedSmallSchool(ctx.db);
    pupilId = school.pupilsA[0]!;
    other = school.pupilsA[1]!;
    const officer = school.actors.attendance_officer;
    ids.meeting = await scheduleMeeting(deps(), officer, {
      pupilId,
      kind: 'attendance support',
      date: '2025-09-15',
      invited: 'Parent',
    });
    ids.action = await addAction(deps(), officer, {
      pupilId,
      description: 'Call',
      owner: 'Officer',
      dueOn: '2025-09-19',
    });
    ids.plan = await createPlan(deps(), officer, {
      pupilId,
      kind: 'attendance-support',
      startsOn: '2025-09-15',
      endsOn: '2025-10-24',
      targets: [{ text: 'In by 8:50', measure: 'No late marks' }],
      reviewDates: ['2025-10-03'],
    });
    ids.referral = await createReferral(deps(), officer, {
      pupilId,
      agency: 'early-help',
      madeOn: '2025-09-15',
      reason: 'Family support',
    });
    ids.contract = await createContract(deps(), officer, {
      pupilId,
      parentName: 'Parent',
      agreedOn: '2025-09-15',
      parentCommitments: 'On time',
      supportOffered: 'Breakfast club',
      reviewOn: '2025-10-06',
      endsOn: '2025-10-24',
    });
    ids.notice = await issueNoticeToImprove(deps(), officer, {
      pupilId,
      parentName: 'Parent',
      issuedOn: '2025-09-15',
      expectations: 'No unauthorised absence',
    });
    ids.penalty = await recordPenaltyNotice(deps(), officer, {
      pupilId,
      parentKey: 'other',
      parentName: 'Parent',
      issuedOn: '2025-09-01',
      reason: 'Holiday in term time',
    });
    // In Track 2 (reviewed every 4 school weeks) from 15 September, and a letter the policy proposed.
    await setStage(deps(), officer, { pupilId, stageId: 'track-2', reason: 'Agreed at panel' });
    await ctx.db
      .insertInto('case_actions')
      .values({
        id: 'letter-action',
        pupil_id: pupilId,
        policy_action: 'letter:stage-2',
        description: 'Send the stage 2 letter',
        owner: 'Officer',
        due_on: '2025-09-22',
        status: 'open',
        outcome: null,
        completed_on: null,
        suggestion_id: null,
        meeting_id: null,
        created_by: school.actors.attendance_officer.userId,
        created_at: NOW,
        updated_at: NOW,
      })
      .execute();
  });

  /** Each change, for a pupil and an item id. */
  const changes: Record<string, (pupil: string, id: string) => Promise<unknown>> = {
    meeting: (p, id) =>
      recordMeeting(deps(), school.actors.attendance_officer, {
        pupilId: p,
        meetingId: id,
        outcome: 'cancelled',
        actions: [],
      }),
    action: (p, id) =>
      completeAction(deps(), school.actors.attendance_officer, {
        pupilId: p,
        actionId: id,
        status: 'done',
        outcome: 'Called',
      }),
    plan: (p, id) =>
      reviewPlan(deps(), school.actors.attendance_officer, {
        pupilId: p,
        planId: id,
        on: '2025-09-15',
        notes: 'Ended',
        end: true,
        outcome: 'Improved',
      }),
    referral: (p, id) =>
      updateReferral(deps(), school.actors.attendance_officer, {
        pupilId: p,
        referralId: id,
        status: 'accepted',
        outcome: 'Taken on',
      }),
    contract: (p, id) =>
      updateContract(deps(), school.actors.attendance_officer, {
        pupilId: p,
        contractId: id,
        status: 'ended',
        outcome: 'Ended',
      }),
    notice: (p, id) =>
      recordNoticeOutcome(deps(), school.actors.attendance_officer, {
        pupilId: p,
        noticeId: id,
        status: 'withdrawn',
        outcome: 'Withdrawn',
      }),
    penalty: (p, id) =>
      recordPenaltyOutcome(deps(), school.actors.attendance_officer, { pupilId: p, noticeId: id, status: 'withdrawn' }),
  };

  it('refuses an unknown item, or another pupil’s, as not found (naming what), and a teacher as forbidden', async () => {
    const missing: Record<string, string> = {};
    for (const [what, call] of Object.entries(changes)) {
      const unknown = await rejection(call(pupilId, 'no-such-id'));
      expect(unknown.code, what).toBe('NOT_FOUND');
      missing[what] = unknown.message;
      expect((await rejection(call(other, ids[what]!))).code, what).toBe('NOT_FOUND');
    }
    expect(missing).toEqual({
      meeting: 'No such meeting for this pupil.',
      action: 'No such action for this pupil.',
      plan: 'No such plan for this pupil.',
      referral: 'No such referral for this pupil.',
      contract: 'No such contract for this pupil.',
      notice: 'No such Notice to Improve for this pupil.',
      penalty: 'No such penalty notice for this pupil.',
    });
    const teacher = await rejection(
      recordMeeting(deps(), school.actors.teacher, { pupilId, meetingId: ids.meeting!, outcome: 'cancelled' }),
    );
    expect(teacher.code).toBe('FORBIDDEN');
  });

  it('lists what is overdue on the officer’s list, kind by kind, with where to go', async () => {
    const later = testDeps(ctx.db, ctx.dialect, '2025-11-03T08:00:00Z');
    const list = await caseworkList(later, school.actors.attendance_officer);
    const rows = (l: typeof list) =>
      l.overdue.map((o) => [o.kind, o.dueOn, o.what, o.owner, o.href.replace(pupilId, 'P').replace(ids.plan!, 'PLAN')]);
    expect(rows(list)).toEqual([
      ['action', '2025-09-19', 'Call', 'Officer', '/pupils/P/case#actions'],
      [
        'action',
        '2025-09-22',
        'Send the letter “Stage 2: attendance support plan”',
        'Officer',
        '/pupils/P/letters/new?template=stage-2',
      ],
      [
        'penalty-payment',
        '2025-09-29',
        'Penalty notice to Parent: payment deadline passed (record payment, or unpaid)',
        null,
        '/pupils/P/case#notices',
      ],
      ['plan-review', '2025-10-03', 'Review of the attendance support plan', null, '/pupils/P/case#plan-PLAN'],
      ['contract-review', '2025-10-06', 'Review of the attendance contract', null, '/pupils/P/case#contracts'],
      [
        'notice-outcome',
        '2025-10-07',
        'Outcome of the Notice to Improve (monitoring period ended)',
        null,
        '/pupils/P/case#notices',
      ],
      [
        'review',
        '2025-10-13',
        'Review of Track 2: intensive support (persistent absence) (every 4 school weeks)',
        null,
        '/pupils/P/case#stage',
      ],
      [
        'plan-end',
        '2025-10-24',
        'Attendance support plan past its agreed end date: end or extend it',
        null,
        '/pupils/P/case#plan-PLAN',
      ],
    ]);
    expect(list.overdue.every((o) => o.pupilId === pupilId && o.pupilName === 'Alex Able')).toBe(true);
    // A SENCO may not send letters: the letter action goes to the case's actions instead.
    const senco = await caseworkList(later, school.actors.senco);
    expect(senco.overdue.find((o) => o.what === 'Send the letter “Stage 2: attendance support plan”')?.href).toBe(
      `/pupils/${pupilId}/case#actions`,
    );
  });

  it('changes each once; a second change of one already decided is a conflict, saying why', async () => {
    for (const [what, call] of Object.entries(changes)) await call(pupilId, ids[what]!);
    const again: Record<string, string> = {};
    for (const [what, call] of Object.entries(changes)) {
      const e = await call(pupilId, ids[what]!).then(
        () => null,
        (err: unknown) => err as { code: string; message: string },
      );
      if (e) again[what] = `${e.code}: ${e.message}`;
    }
    expect(again).toEqual({
      meeting: 'CONFLICT: This meeting has already been recorded.',
      plan: 'CONFLICT: This plan has ended.',
      notice: 'CONFLICT: This notice already has its outcome.',
      penalty: 'CONFLICT: This penalty notice already has its outcome.',
    });
  });
});
