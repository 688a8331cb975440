/**
 * The evaluator reads only the facts the policy asks for (`factsAskedFor`), however deeply its
 * conditions nest: facts built from those needs alone are enough, for every preset and for random
 * policies. (Before issue 13 the needs were worked out from top-level conditions only, and this
 * failed on the Stockport preset: "facts.recent.unauthorisedInLastWeeks.10" was read unsupplied.)
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { d } from '../test-support.js';
import { evaluate } from './evaluate.js';
import { factsAskedFor } from './needs.js';
import { POLICY_PRESETS } from './presets/index.js';
import type { Anchor, AttendancePolicy, CaseFacts, EngagementFact, StepDownCondition, Trigger } from './types.js';

const rateArb = fc.integer({ min: 0, max: 1000 }).map((n) => n / 1000);
const weeksArb = fc.constantFrom(2, 3, 5, 10, 12);
const atArb = fc.constantFrom(undefined, 'today' as const, 'halfTermCheck' as const, 'reviewPoint' as const);
const anchorArb = fc.constantFrom<Anchor>(
  'stageEntry',
  'noticeIssued',
  'noticePeriodEnd',
  'contractAgreed',
  'planStart',
);
const factArb = fc.constantFrom<EngagementFact>('contractBroken', 'medicalActionPlanAgreed', 'parentRefusedSupport');
const spanArb = fc.oneof(
  fc.nat(20).map((schoolDays) => ({ schoolDays })),
  fc.nat(20).map((schoolWeeks) => ({ schoolWeeks })),
  fc.nat(6).map((calendarMonths) => ({ calendarMonths })),
);

const leaf: fc.Arbitrary<Trigger> = fc.oneof(
  fc.record({ kind: fc.constant('rateBelow' as const), rate: rateArb, at: atArb }, { requiredKeys: ['kind', 'rate'] }),
  fc.record({ kind: fc.constant('rateBelowOverLastWeeks' as const), rate: rateArb, weeks: weeksArb }),
  fc.record({
    kind: fc.constant('unauthorisedSessionsInRollingWeeks' as const),
    sessions: fc.nat(20),
    weeks: weeksArb,
  }),
  fc.record({ kind: fc.constant('brokenWeeksAtLeast' as const), weeks: fc.nat(10) }),
  fc.record({ kind: fc.constant('consecutiveDaysAbsent' as const), days: fc.nat(10) }),
  fc.constant({ kind: 'noImprovementSinceReview' as const }),
  fc.constant({ kind: 'noImprovementAtReviewPoint' as const }),
  fc.record({ kind: fc.constant('timeInStageAtLeast' as const), schoolWeeks: fc.nat(10) }),
  fc.record({ kind: fc.constant('timeSince' as const), from: anchorArb, span: spanArb }),
  fc.record({ kind: fc.constant('meetingNotAttended' as const), meetings: fc.nat(3) }),
  fc.record({ kind: fc.constant('planTargetsMissed' as const), targets: fc.nat(3) }),
  fc.record({ kind: fc.constant('engagement' as const), fact: factArb }),
  fc.record({ kind: fc.constant('illnessShareAtLeast' as const), share: rateArb }),
  fc.constant({ kind: 'noticeBreached' as const }),
  fc.record({ kind: fc.constant('lastYearRateBelow' as const), rate: rateArb }),
);
const { tree } = fc.letrec<{ tree: Trigger }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('tree'), { minLength: 1, maxLength: 3 }).map((all) => ({ kind: 'allOf' as const, all })),
    fc.array(tie('tree'), { minLength: 1, maxLength: 3 }).map((any) => ({ kind: 'anyOf' as const, any })),
    tie('tree').map((condition) => ({ kind: 'not' as const, condition })),
  ),
}));
const stepDownArb: fc.Arbitrary<StepDownCondition> = fc.oneof(
  fc.record(
    { kind: fc.constant('rateAtLeast' as const), rate: rateArb, at: atArb },
    { requiredKeys: ['kind', 'rate'] },
  ),
  fc.record({ kind: fc.constant('rateAtLeastOverLastWeeks' as const), rate: rateArb, weeks: weeksArb }),
  fc.record({
    kind: fc.constant('unauthorisedSessionsInRollingWeeksAtMost' as const),
    sessions: fc.nat(5),
    weeks: weeksArb,
  }),
  fc.constant({ kind: 'improvedSinceReview' as const }),
  fc.constant({ kind: 'improvedAtReviewPoint' as const }),
  fc.record({ kind: fc.constant('timeSince' as const), from: anchorArb, span: spanArb }),
);

const randomPolicy: fc.Arbitrary<AttendancePolicy> = fc
  .array(
    fc.record({
      triggers: fc.array(tree, { minLength: 1, maxLength: 3 }),
      stepDownWhen: fc.array(stepDownArb, { maxLength: 3 }),
      inStage: fc.array(tree, { maxLength: 1 }),
      requiresPrevious: fc.boolean(),
    }),
    { minLength: 1, maxLength: 4 },
  )
  .map((stages) => ({
    id: 'p',
    name: 'Random',
    source: 'property test',
    bands: [],
    stages: stages.map((s, i) => ({
      id: `s${i}`,
      name: `S${i}`,
      order: i + 1,
      triggers: s.triggers,
      stepDownWhen: s.stepDownWhen,
      inStage: s.inStage.map((when, k) => ({ id: `a${k}`, when, actions: ['penalty-notice'] })),
      requiresPrevious: s.requiresPrevious,
      actions: ['letter:a'],
      reviewAfterSchoolWeeks: 4,
    })),
  }));

const policyArb = fc.oneof(fc.constantFrom(...POLICY_PRESETS.map((p) => p.policy)), randomPolicy);

const anchorFact = { on: d('2025-10-06'), schoolDays: 12, schoolWeeks: 3, calendarMonths: 1 };
const point = (on: string, rate: number, label: string) => ({ on: d(on), rate, label });

/** The facts a builder following `factsAskedFor` supplies, and nothing more. */
function suppliedFacts(policy: AttendancePolicy, rate: number, n: number, stage: number | null): CaseFacts {
  const needs = factsAskedFor(policy);
  const s = stage === null ? null : policy.stages[stage % policy.stages.length]!;
  return {
    asOf: d('2025-11-24'),
    measures: { attendanceRate: rate, unauthorisedAbsenceSessions: n, brokenWeeks: 2 },
    recent: {
      rateOverLastWeeks: Object.fromEntries(needs.weeks.map((w) => [w, rate])),
      unauthorisedInLastWeeks: Object.fromEntries(needs.weeks.map((w) => [w, n])),
      consecutiveDaysAbsent: n % 7,
    },
    currentStage: s
      ? {
          id: s.id,
          enteredOn: d('2025-10-06'),
          schoolWeeksInStage: n % 9,
          lastReview: {
            on: d('2025-11-03'),
            rate,
            schoolWeeksSince: 3,
            ...(needs.reviewComparison && { previous: { on: d('2025-10-06'), rate: 0.9, what: 'stage entry' } }),
          },
        }
      : null,
    stagesBefore: [],
    ...(needs.meetingsNotAttended && { meetingsNotAttendedInStage: n % 3 }),
    ...(needs.planTargetsMissed && { planTargetsMissed: n % 2 }),
    ...(needs.engagement.length > 0 && {
      engagement: Object.fromEntries(needs.engagement.map((f) => [f, n % 2 === 0])),
    }),
    ...(needs.illnessShare && { illnessShare: rate }),
    ...(needs.halfTermCheck && { halfTermCheck: point('2025-10-24', rate, 'Autumn 1 check') }),
    ...(needs.reviewPoint && {
      reviewPoint: {
        ...point('2025-10-20', rate, 'October review point'),
        previous: point('2025-09-01', 0.9, 'September baseline'),
      },
    }),
    ...(needs.lastYear && { lastYear: { attendanceRate: rate, beforeFirstCheck: n % 2 === 0 } }),
    ...(needs.noticeToImprove && {
      noticeToImprove: {
        issuedOn: d('2025-11-03'),
        periodEndsOn: d('2025-11-21'),
        unauthorisedInPeriod: n % 3,
        penaltyDecided: false,
      },
    }),
    ...(needs.since.length > 0 && { since: Object.fromEntries(needs.since.map((a) => [a, anchorFact])) }),
  };
}

/** Records every read of a property the facts do not have (lastReview may be absent: no review). */
function watched<T extends object>(obj: T, path: string, missing: string[]): T {
  return new Proxy(obj, {
    get(target, prop, receiver) {
      const v: unknown = Reflect.get(target, prop, receiver);
      if (typeof prop === 'string' && !(prop in target) && prop !== 'lastReview') missing.push(`${path}.${prop}`);
      return v !== null && typeof v === 'object' ? watched(v, `${path}.${String(prop)}`, missing) : v;
    },
  });
}

describe('the facts the evaluator reads', () => {
  it('are all supplied when built from factsAskedFor (every preset, random nested policies)', () => {
    fc.assert(
      fc.property(policyArb, rateArb, fc.nat(30), fc.option(fc.nat(5), { nil: null }), (policy, rate, n, stage) => {
        const facts = suppliedFacts(policy, rate, n, stage);
        const missing: string[] = [];
        evaluate(policy, watched(facts, 'facts', missing));
        expect(missing).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  it('finds the window of a trigger nested inside allOf, anyOf and not', () => {
    const nested: Trigger = {
      kind: 'not',
      condition: {
        kind: 'anyOf',
        any: [{ kind: 'allOf', all: [{ kind: 'unauthorisedSessionsInRollingWeeks', sessions: 10, weeks: 10 }] }],
      },
    };
    const policy: AttendancePolicy = {
      id: 'p',
      name: 'p',
      source: 's',
      bands: [],
      stages: [{ id: 'a', name: 'A', order: 1, triggers: [nested], actions: [], reviewAfterSchoolWeeks: 0 }],
    };
    expect(factsAskedFor(policy).weeks).toEqual([10]);
  });
});
