/**
 * Long on purpose: each trigger, band and condition of the policy language with the explanation it
 * gives, one case per rule, so a failure names the rule.
 */
import { describe, expect, it } from 'vitest';
import { d } from '../test-support.js';
import { bandFor, checkCondition, evaluate, formatThreshold } from './evaluate.js';
import { TWIN_TRACK_EXAMPLE_POLICY as P } from './examples.js';
import type { AttendancePolicy, CaseFacts, Condition } from './types.js';

type Current = NonNullable<CaseFacts['currentStage']>;

function facts(over: {
  rate?: number | null;
  unauthorised?: number;
  brokenWeeks?: number;
  rateOver?: Record<number, number | null>;
  unauthorisedIn?: Record<number, number>;
  consecutive?: number;
  current?: Current | null;
}): CaseFacts {
  return {
    asOf: d('2025-11-24'),
    measures: {
      attendanceRate: over.rate === undefined ? 1 : over.rate,
      unauthorisedAbsenceSessions: over.unauthorised ?? 0,
      brokenWeeks: over.brokenWeeks ?? 0,
    },
    recent: {
      rateOverLastWeeks: over.rateOver ?? {},
      unauthorisedInLastWeeks: over.unauthorisedIn ?? {},
      consecutiveDaysAbsent: over.consecutive ?? 0,
    },
    currentStage: over.current ?? null,
  };
}

const inStage = (id: string, weeks: number, review?: Current['lastReview']): Current =>
  review
    ? { id, enteredOn: d('2025-10-06'), schoolWeeksInStage: weeks, lastReview: review }
    : { id, enteredOn: d('2025-10-06'), schoolWeeksInStage: weeks };

describe('checkCondition: every kind, with its boundary', () => {
  // The review recorded 92%; the rate at stage entry (the point it is compared with) is 92%.
  const review = {
    on: d('2025-11-03'),
    rate: 0.92,
    schoolWeeksSince: 3,
    previous: { on: d('2025-10-06'), rate: 0.92, what: 'stage entry' },
  };
  const improvedReview = { ...review, rate: 0.921 };
  const cases: [string, Condition, CaseFacts, boolean, number | null, number | null][] = [
    ['rateBelow below', { kind: 'rateBelow', rate: 0.9 }, facts({ rate: 0.894 }), true, 0.894, 0.9],
    ['rateBelow exactly at', { kind: 'rateBelow', rate: 0.9 }, facts({ rate: 0.9 }), false, 0.9, 0.9],
    ['rateBelow no rate', { kind: 'rateBelow', rate: 0.9 }, facts({ rate: null }), false, null, 0.9],
    ['rateAtLeast exactly at', { kind: 'rateAtLeast', rate: 0.95 }, facts({ rate: 0.95 }), true, 0.95, 0.95],
    ['rateAtLeast below', { kind: 'rateAtLeast', rate: 0.95 }, facts({ rate: 0.949 }), false, 0.949, 0.95],
    [
      'rateBelowOverLastWeeks below',
      { kind: 'rateBelowOverLastWeeks', rate: 0.9, weeks: 6 },
      facts({ rateOver: { 6: 0.85 } }),
      true,
      0.85,
      0.9,
    ],
    [
      'rateBelowOverLastWeeks exactly at',
      { kind: 'rateBelowOverLastWeeks', rate: 0.9, weeks: 6 },
      facts({ rateOver: { 6: 0.9 } }),
      false,
      0.9,
      0.9,
    ],
    [
      'rateBelowOverLastWeeks missing window',
      { kind: 'rateBelowOverLastWeeks', rate: 0.9, weeks: 6 },
      facts({ rateOver: { 4: 0.5 } }),
      false,
      null,
      0.9,
    ],
    [
      'rateAtLeastOverLastWeeks exactly at',
      { kind: 'rateAtLeastOverLastWeeks', rate: 0.95, weeks: 6 },
      facts({ rateOver: { 6: 0.95 } }),
      true,
      0.95,
      0.95,
    ],
    [
      'unauthorised exactly at',
      { kind: 'unauthorisedSessionsInRollingWeeks', sessions: 10, weeks: 10 },
      facts({ unauthorisedIn: { 10: 10 } }),
      true,
      10,
      10,
    ],
    [
      'unauthorised one short',
      { kind: 'unauthorisedSessionsInRollingWeeks', sessions: 10, weeks: 10 },
      facts({ unauthorisedIn: { 10: 9 } }),
      false,
      9,
      10,
    ],
    [
      'unauthorised missing window',
      { kind: 'unauthorisedSessionsInRollingWeeks', sessions: 10, weeks: 10 },
      facts({ unauthorisedIn: { 6: 40 } }),
      false,
      null,
      10,
    ],
    [
      'unauthorised at most exactly at',
      { kind: 'unauthorisedSessionsInRollingWeeksAtMost', sessions: 2, weeks: 6 },
      facts({ unauthorisedIn: { 6: 2 } }),
      true,
      2,
      2,
    ],
    [
      'unauthorised at most over',
      { kind: 'unauthorisedSessionsInRollingWeeksAtMost', sessions: 2, weeks: 6 },
      facts({ unauthorisedIn: { 6: 3 } }),
      false,
      3,
      2,
    ],
    ['brokenWeeks exactly at', { kind: 'brokenWeeksAtLeast', weeks: 5 }, facts({ brokenWeeks: 5 }), true, 5, 5],
    ['brokenWeeks one short', { kind: 'brokenWeeksAtLeast', weeks: 5 }, facts({ brokenWeeks: 4 }), false, 4, 5],
    ['consecutive exactly at', { kind: 'consecutiveDaysAbsent', days: 10 }, facts({ consecutive: 10 }), true, 10, 10],
    ['consecutive one short', { kind: 'consecutiveDaysAbsent', days: 10 }, facts({ consecutive: 9 }), false, 9, 10],
    [
      'noImprovement equal rate',
      { kind: 'noImprovementSinceReview' },
      facts({ rate: 1, current: inStage('track-1', 4, review) }),
      true,
      0.92,
      0.92,
    ],
    [
      'noImprovement improved',
      { kind: 'noImprovementSinceReview' },
      facts({ rate: 0.5, current: inStage('track-1', 4, improvedReview) }),
      false,
      0.921,
      0.92,
    ],
    [
      'noImprovement no review',
      { kind: 'noImprovementSinceReview' },
      facts({ rate: 0.5, current: inStage('track-1', 4) }),
      false,
      0.5,
      null,
    ],
    [
      'improvedSinceReview equal rate',
      { kind: 'improvedSinceReview' },
      facts({ rate: 0.99, current: inStage('track-1', 4, review) }),
      false,
      0.92,
      0.92,
    ],
    [
      'improvedSinceReview improved',
      { kind: 'improvedSinceReview' },
      facts({ rate: 0.5, current: inStage('track-1', 4, improvedReview) }),
      true,
      0.921,
      0.92,
    ],
    [
      'timeInStage exactly at',
      { kind: 'timeInStageAtLeast', schoolWeeks: 6 },
      facts({ current: inStage('track-1', 6) }),
      true,
      6,
      6,
    ],
    [
      'timeInStage one short',
      { kind: 'timeInStageAtLeast', schoolWeeks: 6 },
      facts({ current: inStage('track-1', 5) }),
      false,
      5,
      6,
    ],
    ['timeInStage no stage', { kind: 'timeInStageAtLeast', schoolWeeks: 6 }, facts({}), false, null, 6],
  ];
  it.each(cases)('%s', (_name, condition, f, met, value, threshold) => {
    const r = checkCondition(condition, f);
    expect(r).toMatchObject({ met, value, threshold });
    expect(r.explanation).not.toBe('');
  });

  it('words the numbers', () => {
    expect(checkCondition({ kind: 'rateBelow', rate: 0.9 }, facts({ rate: 0.894 })).explanation).toBe(
      'attendance 89.4% is below 90%',
    );
    expect(
      checkCondition(
        { kind: 'unauthorisedSessionsInRollingWeeks', sessions: 10, weeks: 10 },
        facts({ unauthorisedIn: { 10: 11 } }),
      ).explanation,
    ).toBe('11 unauthorised sessions in the last 10 school weeks, at least 10');
    // 89.96% would print as 90.0%, which reads as not below 90%: two decimals then.
    expect(checkCondition({ kind: 'rateBelow', rate: 0.9 }, facts({ rate: 0.8996 })).explanation).toBe(
      'attendance 89.96% is below 90%',
    );
  });
});

describe('checkCondition: the kinds of issue 13 (cadence, comparisons, gates, time), with their boundaries', () => {
  const base = facts({ rate: 0.93, current: inStage('s', 4) });
  const point = (rate: number | null, prevRate: number | null) => ({
    on: d('2025-10-31'),
    rate,
    label: 'October review point',
    previous: { on: d('2025-09-01'), rate: prevRate, label: 'September baseline (last year’s attendance)' },
  });
  const anchor = { on: d('2025-11-07'), schoolDays: 15, schoolWeeks: 3, calendarMonths: 3 };
  const cases: [string, Condition, CaseFacts, boolean, number | null, number | null][] = [
    [
      'half-term check: none yet',
      { kind: 'rateBelow', rate: 0.95, at: 'halfTermCheck' },
      { ...base, halfTermCheck: null },
      false,
      null,
      0.95,
    ],
    [
      'half-term check: the rate then, not today',
      { kind: 'rateBelow', rate: 0.95, at: 'halfTermCheck' },
      { ...base, halfTermCheck: { on: d('2025-10-24'), rate: 0.949, label: 'Autumn 1 half-term check' } },
      true,
      0.949,
      0.95,
    ],
    [
      'review point: equal to the baseline is no improvement',
      { kind: 'noImprovementAtReviewPoint' },
      { ...base, reviewPoint: point(0.8, 0.8) },
      true,
      0.8,
      0.8,
    ],
    [
      'review point: better than the baseline',
      { kind: 'improvedAtReviewPoint' },
      { ...base, reviewPoint: point(0.801, 0.8) },
      true,
      0.801,
      0.8,
    ],
    [
      'review point: stage entered on the point itself is not compared',
      { kind: 'noImprovementAtReviewPoint' },
      {
        ...facts({ current: { id: 's', enteredOn: d('2025-10-31'), schoolWeeksInStage: 0 } }),
        reviewPoint: point(0.7, 0.8),
      },
      false,
      0.7,
      null,
    ],
    [
      'review point: no baseline',
      { kind: 'noImprovementAtReviewPoint' },
      { ...base, reviewPoint: point(0.7, null) },
      false,
      0.7,
      null,
    ],
    [
      'time since: exactly 3 calendar months',
      { kind: 'timeSince', from: 'noticePeriodEnd', span: { calendarMonths: 3 } },
      { ...base, since: { noticePeriodEnd: anchor } },
      true,
      3,
      3,
    ],
    [
      'time since: one school day short',
      { kind: 'timeSince', from: 'noticeIssued', span: { schoolDays: 16 } },
      { ...base, since: { noticeIssued: anchor } },
      false,
      15,
      16,
    ],
    [
      'time since: no such start',
      { kind: 'timeSince', from: 'contractAgreed', span: { schoolWeeks: 1 } },
      { ...base, since: { contractAgreed: null } },
      false,
      null,
      1,
    ],
    [
      'engagement: contract broken',
      { kind: 'engagement', fact: 'contractBroken' },
      { ...base, engagement: { contractBroken: true } },
      true,
      1,
      1,
    ],
    [
      'engagement: not recorded',
      { kind: 'engagement', fact: 'medicalActionPlanAgreed' },
      { ...base, engagement: { medicalActionPlanAgreed: false } },
      false,
      0,
      1,
    ],
    ['illness share: all illness', { kind: 'illnessShareAtLeast', share: 1 }, { ...base, illnessShare: 1 }, true, 1, 1],
    [
      'illness share: one session not illness',
      { kind: 'illnessShareAtLeast', share: 1 },
      { ...base, illnessShare: 0.95 },
      false,
      0.95,
      1,
    ],
    [
      'notice breached',
      { kind: 'noticeBreached' },
      {
        ...base,
        noticeToImprove: {
          issuedOn: d('2025-10-10'),
          periodEndsOn: d('2025-11-07'),
          unauthorisedInPeriod: 1,
          penaltyDecided: false,
        },
      },
      true,
      1,
      1,
    ],
    [
      'notice breached but a penalty notice already decided',
      { kind: 'noticeBreached' },
      {
        ...base,
        noticeToImprove: {
          issuedOn: d('2025-10-10'),
          periodEndsOn: d('2025-11-07'),
          unauthorisedInPeriod: 2,
          penaltyDecided: true,
        },
      },
      false,
      2,
      1,
    ],
    [
      'last year: PA, at the start of the year',
      { kind: 'lastYearRateBelow', rate: 0.9 },
      { ...base, lastYear: { attendanceRate: 0.899, beforeFirstCheck: true } },
      true,
      0.899,
      0.9,
    ],
    [
      'last year: PA, but after the first check point',
      { kind: 'lastYearRateBelow', rate: 0.9 },
      { ...base, lastYear: { attendanceRate: 0.5, beforeFirstCheck: false } },
      false,
      0.5,
      0.9,
    ],
    [
      'anyOf / not: the medical gate holds when absence is not all illness',
      {
        kind: 'anyOf',
        any: [
          { kind: 'not', condition: { kind: 'illnessShareAtLeast', share: 1 } },
          { kind: 'engagement', fact: 'medicalActionPlanAgreed' },
        ],
      },
      { ...base, illnessShare: 0.5, engagement: { medicalActionPlanAgreed: false } },
      true,
      null,
      null,
    ],
    [
      'anyOf / not: the medical gate holds back illness-only absence without a plan',
      {
        kind: 'anyOf',
        any: [
          { kind: 'not', condition: { kind: 'illnessShareAtLeast', share: 1 } },
          { kind: 'engagement', fact: 'medicalActionPlanAgreed' },
        ],
      },
      { ...base, illnessShare: 1, engagement: { medicalActionPlanAgreed: false } },
      false,
      null,
      null,
    ],
  ];
  it.each(cases)('%s', (_name, condition, f, met, value, threshold) => {
    const r = checkCondition(condition, f);
    expect(r).toMatchObject({ met, value, threshold });
    expect(r.explanation).not.toBe('');
  });

  it('proposes a stage’s in-stage action without changing the stage', () => {
    const policy: AttendancePolicy = {
      ...P,
      stages: P.stages.map((st) =>
        st.id === 'track-2-severe'
          ? {
              ...st,
              inStage: [{ id: 'breach', when: { kind: 'noticeBreached' }, actions: ['penalty-notice-request'] }],
            }
          : st,
      ),
    };
    const f: CaseFacts = {
      ...facts({ rate: 0.3, current: inStage('track-2-severe', 1) }),
      noticeToImprove: {
        issuedOn: d('2025-11-10'),
        periodEndsOn: d('2025-12-01'),
        unauthorisedInPeriod: 2,
        penaltyDecided: false,
      },
    };
    const out = evaluate(policy, f);
    expect(out.map((s) => [s.kind, s.toStageId, s.actions])).toEqual([
      ['stay', 'track-2-severe', []],
      ['action', 'track-2-severe', ['penalty-notice-request']],
    ]);
    expect(out[1]!.explanation).toContain(
      '2 unauthorised sessions in the Notice to Improve period 2025-11-10 to 2025-12-01',
    );
  });
});

describe('evaluate with the twin-track example', () => {
  it('proposes nothing for a pupil at 100% in no stage', () => {
    expect(evaluate(P, facts({ rate: 1 }))).toEqual([]);
  });

  it('proposes nothing at exactly 95% in no stage', () => {
    expect(evaluate(P, facts({ rate: 0.95 }))).toEqual([]);
  });

  it('proposes Track 1 below 95%, with the actions and an explanation', () => {
    const [s, ...rest] = evaluate(P, facts({ rate: 0.94 }));
    expect(rest).toEqual([]);
    expect(s).toMatchObject({
      kind: 'enter',
      fromStageId: null,
      toStageId: 'track-1',
      actions: ['letter:track-1-concern', 'meeting:attendance-support'],
      source: 'seed 002 §5.3 Twin-Track Model',
    });
    expect(s!.explanation).toBe(
      'Enter Track 1: attendance support meeting. Track 1: attendance support meeting: attendance 94.0% is below 95% ' +
        '(policy seed 002 §5.3 Twin-Track Model, as of 2025-11-24).',
    );
    expect(s!.because.find((b) => b.stageId === 'track-1')).toMatchObject({ met: true, value: 0.94, threshold: 0.95 });
  });

  it('enters where the pupil stands: 40% in no stage proposes the severe stage at once, listing the steps before it', () => {
    const out = evaluate(P, facts({ rate: 0.4 }));
    expect(out.map((s) => [s.kind, s.toStageId])).toEqual([['enter', 'track-2-severe']]);
    expect(out[0]!.explanation).toContain('Track 2: severe absence: attendance 40.0% is below 50%');
    expect(out[0]!.steps?.map((st) => [st.stageId, st.status])).toEqual([
      ['track-1', 'skipped'],
      ['track-1-plan', 'skipped'],
      ['track-2', 'skipped'],
    ]);
    expect(out[0]!.steps?.[0]!.reason).toBe('the pupil already meets the entry rule of Track 2: severe absence');
    // because lists every trigger of every stage checked.
    expect(out[0]!.because).toHaveLength(6);
  });

  it('lists a step the pupil has been at as done, and a stage marked to offer as still to offer', () => {
    const policy: AttendancePolicy = {
      ...P,
      stages: P.stages.map((st) => (st.id === 'track-2' ? { ...st, offerWhenSkipped: true } : st)),
    };
    const out = evaluate(policy, {
      ...facts({ rate: 0.4, current: inStage('track-1', 2) }),
      stagesBefore: ['track-1'],
    });
    expect(out[0]!.steps?.map((st) => [st.stageId, st.status])).toEqual([
      ['track-1-plan', 'skipped'],
      ['track-2', 'toOffer'],
    ]);
    // the stage still to offer brings its actions with the proposal
    expect(out[0]!.actions).toEqual(expect.arrayContaining(['referral:early-help', 'home-visit']));
  });

  it('stops below a stage entered only from the one before it, and names it', () => {
    const policy: AttendancePolicy = {
      ...P,
      stages: P.stages.map((st) => (st.id === 'track-2-severe' ? { ...st, requiresPrevious: true } : st)),
    };
    const out = evaluate(policy, facts({ rate: 0.4 }));
    expect(out.map((s) => [s.kind, s.toStageId])).toEqual([['enter', 'track-2']]);
    expect(out[0]!.explanation).toContain(
      'Track 2: severe absence also holds (attendance 40.0% is below 50%), but it is entered only from the stage before it: Track 2: intensive support (persistent absence) first',
    );
  });

  it('moves to the plan when the review showed no improvement on stage entry, whatever the rate today', () => {
    const review = {
      on: d('2025-11-03'),
      rate: 0.93,
      schoolWeeksSince: 0,
      previous: { on: d('2025-10-06'), rate: 0.935, what: 'stage entry' },
    };
    const out = evaluate(P, facts({ rate: 0.96, current: inStage('track-1', 6, review) }));
    expect(out.map((s) => [s.kind, s.toStageId])).toEqual([['enter', 'track-1-plan']]);
    expect(out[0]!.explanation).toContain(
      'attendance 93.0% at the review on 2025-11-03 is no better than 93.5% at stage entry on 2025-10-06',
    );
    expect(out[0]!.fromStageId).toBe('track-1');
  });

  it('does not escalate on the day a review records an improvement', () => {
    const review = {
      on: d('2025-11-24'),
      rate: 0.94,
      schoolWeeksSince: 0,
      previous: { on: d('2025-10-06'), rate: 0.9, what: 'stage entry' },
    };
    const out = evaluate(P, facts({ rate: 0.94, current: inStage('track-1', 7, review) }));
    expect(out.map((s) => [s.kind, s.toStageId])).toEqual([['stay', 'track-1']]);
  });

  it('enters Track 2 from the plan when attendance falls below 90%', () => {
    const current = inStage('track-1-plan', 2);
    const out = evaluate(P, facts({ rate: 0.894, unauthorisedIn: { 10: 11 }, current }));
    expect(out.map((s) => [s.kind, s.toStageId])).toEqual([['enter', 'track-2']]);
    expect(out[0]!.explanation).toContain('attendance 89.4% is below 90%');
  });

  it('stays while the stage still holds, and says why', () => {
    const out = evaluate(P, facts({ rate: 0.93, current: inStage('track-1', 2) }));
    expect(out.map((s) => [s.kind, s.toStageId])).toEqual([['stay', 'track-1']]);
    expect(out[0]!.explanation).toContain('still attendance 93.0% is below 95%');
    expect(out[0]!.actions).toEqual([]);
  });

  it('proposes a review when the review period has passed since entry (boundary: exactly at)', () => {
    const at = evaluate(P, facts({ rate: 0.93, current: inStage('track-1', 6) }));
    expect(at.map((s) => s.kind)).toEqual(['stay', 'review']);
    expect(at[1]!.explanation).toBe(
      'Review due at Track 1: attendance support meeting: 6 school weeks since entering on 2025-10-06; ' +
        'review every 6 school weeks; attendance now 93.0% (policy seed 002 §5.3 Twin-Track Model, as of 2025-11-24).',
    );
    expect(at[1]!.actions).toEqual(['review']);
    const before = evaluate(P, facts({ rate: 0.93, current: inStage('track-1', 5) }));
    expect(before.map((s) => s.kind)).toEqual(['stay']);
  });

  it('counts the review period from the last review when there is one', () => {
    const review = { on: d('2025-11-03'), rate: 0.9, schoolWeeksSince: 3 };
    const out = evaluate(P, facts({ rate: 0.93, current: inStage('track-1', 9, review) }));
    expect(out.map((s) => s.kind)).toEqual(['stay']);
  });

  it('steps down with a positive letter when attendance is back at 95% (boundary: exactly at)', () => {
    const out = evaluate(P, facts({ rate: 0.95, current: inStage('track-1', 3) }));
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({
      kind: 'stepDown',
      fromStageId: 'track-1',
      toStageId: null,
      actions: ['letter:positive'],
    });
    expect(out[0]!.explanation).toContain('attendance 95.0% is at or above 95%');
  });

  it('steps down one stage when the stage below still has work to do, when every step-down condition holds', () => {
    const current = inStage('track-2', 3);
    const ok = evaluate(P, facts({ rate: 0.91, rateOver: { 6: 0.97 }, current }));
    // Track 1's trigger (below 95%) still holds at 91%, so the plan (below) is not passed.
    expect(ok.map((s) => [s.kind, s.toStageId])).toEqual([['stepDown', 'track-1-plan']]);
    const notYet = evaluate(P, facts({ rate: 0.91, rateOver: { 6: 0.94 }, current }));
    expect(notYet.map((s) => [s.kind, s.toStageId])).toEqual([['stay', 'track-2']]);
    expect(notYet[0]!.explanation).toContain('not yet ready to step down');
  });

  it('does not step down while a higher stage is triggered: it proposes that stage instead', () => {
    const current = inStage('track-2', 3);
    const out = evaluate(P, facts({ rate: 0.45, rateOver: { 6: 0.97 }, current }));
    expect(out.map((s) => [s.kind, s.toStageId])).toEqual([['enter', 'track-2-severe']]);
  });

  it('stays at the top stage and reviews it', () => {
    const out = evaluate(P, facts({ rate: 0.3, current: inStage('track-2-severe', 2) }));
    expect(out.map((s) => s.kind)).toEqual(['stay', 'review']);
    expect(out[0]!.explanation).toContain('this is the top stage');
  });

  it('rejects a current stage the policy does not have', () => {
    expect(() => evaluate(P, facts({ current: inStage('nope', 1) }))).toThrow(/nope/);
  });

  it('does not change the policy or the facts', () => {
    const f = facts({ rate: 0.8, current: inStage('track-1', 7) });
    const before = JSON.stringify([P, f]);
    evaluate(P, f);
    expect(JSON.stringify([P, f])).toBe(before);
  });
});

describe('bandFor', () => {
  it.each([
    [1, 'green'],
    [0.95, 'green'],
    [0.9499, 'yellow'],
    [0.9, 'yellow'],
    [0.8999, 'red'],
    [0.5, 'red'],
    [0.4999, 'purple'],
    [0, 'purple'],
  ])('%f is %s', (rate, colour) => {
    expect(bandFor(P, rate)?.colour).toBe(colour);
  });

  it('has no band without a rate or below every band', () => {
    expect(bandFor(P, null)).toBeNull();
    const p: AttendancePolicy = { ...P, bands: [{ name: 'ok', minRate: 0.9, colour: 'green' }] };
    expect(bandFor(p, 0.5)).toBeNull();
  });

  it('does not depend on the order the bands are written in', () => {
    const p: AttendancePolicy = { ...P, bands: [...P.bands].reverse() };
    expect(bandFor(p, 0.92)?.colour).toBe('yellow');
  });
});

describe('formatThreshold', () => {
  it('drops needless decimals', () => {
    expect(formatThreshold(0.9)).toBe('90%');
    expect(formatThreshold(0.955)).toBe('95.5%');
  });
});
