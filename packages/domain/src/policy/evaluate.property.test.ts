import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { d } from '../test-support.js';
import { evaluate, orderedStages } from './evaluate.js';
import { TWIN_TRACK_EXAMPLE_POLICY } from './examples.js';
import { POLICY_PRESETS } from './presets/index.js';
import type { AttendancePolicy, CaseFacts, StepDownCondition, Suggestion, Trigger } from './types.js';

const RUNS = { numRuns: 300 };
const WEEKS = [2, 4, 6, 10] as const;

const rateArb = fc.integer({ min: 0, max: 1000 }).map((n) => n / 1000);
const weeksArb = fc.constantFrom(...WEEKS);

const simpleTriggerArb: fc.Arbitrary<Trigger> = fc.oneof(
  rateArb.map((rate) => ({ kind: 'rateBelow' as const, rate })),
  fc.record({ kind: fc.constant('rateBelowOverLastWeeks' as const), rate: rateArb, weeks: weeksArb }),
  fc.record({
    kind: fc.constant('unauthorisedSessionsInRollingWeeks' as const),
    sessions: fc.integer({ min: 0, max: 30 }),
    weeks: weeksArb,
  }),
  fc.integer({ min: 0, max: 20 }).map((weeks) => ({ kind: 'brokenWeeksAtLeast' as const, weeks })),
  fc.integer({ min: 0, max: 20 }).map((days) => ({ kind: 'consecutiveDaysAbsent' as const, days })),
  fc.constant({ kind: 'noImprovementSinceReview' as const }),
  fc.integer({ min: 0, max: 12 }).map((schoolWeeks) => ({ kind: 'timeInStageAtLeast' as const, schoolWeeks })),
  fc.integer({ min: 0, max: 3 }).map((meetings) => ({ kind: 'meetingNotAttended' as const, meetings })),
  fc.integer({ min: 0, max: 3 }).map((targets) => ({ kind: 'planTargetsMissed' as const, targets })),
);

const triggerArb: fc.Arbitrary<Trigger> = fc.oneof(
  { weight: 4, arbitrary: simpleTriggerArb },
  {
    weight: 1,
    arbitrary: fc
      .array(simpleTriggerArb, { minLength: 1, maxLength: 3 })
      .map((all) => ({ kind: 'allOf' as const, all })),
  },
);

const stepDownArb: fc.Arbitrary<StepDownCondition> = fc.oneof(
  rateArb.map((rate) => ({ kind: 'rateAtLeast' as const, rate })),
  fc.record({ kind: fc.constant('rateAtLeastOverLastWeeks' as const), rate: rateArb, weeks: weeksArb }),
  fc.record({
    kind: fc.constant('unauthorisedSessionsInRollingWeeksAtMost' as const),
    sessions: fc.integer({ min: 0, max: 30 }),
    weeks: weeksArb,
  }),
  fc.constant({ kind: 'improvedSinceReview' as const }),
  fc.integer({ min: 0, max: 12 }).map((schoolWeeks) => ({ kind: 'timeInStageAtLeast' as const, schoolWeeks })),
);

/** Random policies: 1–5 stages in shuffled order, each with at least one trigger. */
const policyArb: fc.Arbitrary<AttendancePolicy> = fc.oneof(
  fc.constant(TWIN_TRACK_EXAMPLE_POLICY),
  fc
    .array(
      fc.record({
        triggers: fc.array(triggerArb, { minLength: 1, maxLength: 3 }),
        stepDownWhen: fc.option(fc.array(stepDownArb, { minLength: 0, maxLength: 3 }), { nil: undefined }),
        reviewAfterSchoolWeeks: fc.integer({ min: 0, max: 8 }),
        actions: fc.array(fc.constantFrom('letter:a', 'meeting', 'plan'), { maxLength: 2 }),
      }),
      { minLength: 1, maxLength: 5 },
    )
    .chain((stages) =>
      fc.shuffledSubarray(
        stages.map((s, i) => ({ ...s, id: `s${i + 1}`, name: `Stage ${i + 1}`, order: i + 1 })),
        { minLength: stages.length },
      ),
    )
    .chain((stages) =>
      // Some stages step down to a named lower stage, or close the case (null).
      fc.tuple(...stages.map(() => fc.option(fc.nat({ max: 5 }), { nil: undefined }))).map((picks) =>
        stages.map((s, i) => {
          const pick = picks[i];
          if (pick === undefined || s.order === 1) return s;
          const lower = stages.filter((t) => t.order < s.order);
          return { ...s, stepDownTo: pick === 0 ? null : lower[pick % lower.length]!.id };
        }),
      ),
    )
    .map((stages) => ({ id: 'p', name: 'Random', source: 'property test', bands: [], stages })),
  fc.constantFrom(...POLICY_PRESETS.map((p) => p.policy)),
);

function factsArb(policy: AttendancePolicy): fc.Arbitrary<CaseFacts> {
  const window = <T>(arb: fc.Arbitrary<T>) =>
    fc.record({ 2: arb, 4: arb, 6: arb, 10: arb }, { requiredKeys: [] }) as fc.Arbitrary<Record<number, T>>;
  const current = fc.option(
    fc.record(
      {
        id: fc.constantFrom(...policy.stages.map((s) => s.id)),
        enteredOn: fc.constant(d('2025-10-06')),
        schoolWeeksInStage: fc.integer({ min: 0, max: 20 }),
        lastReview: fc.record({
          on: fc.constant(d('2025-11-03')),
          rate: rateArb,
          schoolWeeksSince: fc.integer({ min: 0, max: 10 }),
          previous: fc.record({
            on: fc.constant(d('2025-10-06')),
            rate: fc.option(rateArb, { nil: null }),
            what: fc.constant('stage entry'),
          }),
        }),
      },
      { requiredKeys: ['id', 'enteredOn', 'schoolWeeksInStage'] },
    ),
    { nil: null },
  );
  return fc.record(
    {
      asOf: fc.constant(d('2025-11-24')),
      measures: fc.record({
        attendanceRate: fc.option(rateArb, { nil: null }),
        unauthorisedAbsenceSessions: fc.integer({ min: 0, max: 100 }),
        brokenWeeks: fc.integer({ min: 0, max: 20 }),
      }),
      recent: fc.record({
        rateOverLastWeeks: window(fc.option(rateArb, { nil: null })),
        unauthorisedInLastWeeks: window(fc.integer({ min: 0, max: 40 })),
        consecutiveDaysAbsent: fc.integer({ min: 0, max: 20 }),
      }),
      currentStage: current,
      meetingsNotAttendedInStage: fc.integer({ min: 0, max: 3 }),
      planTargetsMissed: fc.integer({ min: 0, max: 3 }),
    },
    { requiredKeys: ['asOf', 'measures', 'recent', 'currentStage'] },
  );
}

const caseArb = policyArb.chain((policy) => factsArb(policy).map((facts) => ({ policy, facts })));

/** More absence: rates lower, unauthorised counts and runs higher; the stage and review the same. */
const worseArb: fc.Arbitrary<Worse> = fc.record({
  drop: fc.integer({ min: 0, max: 1000 }).map((n) => n / 1000),
  unauthorised: fc.integer({ min: 0, max: 20 }),
  brokenWeeks: fc.integer({ min: 0, max: 5 }),
  days: fc.integer({ min: 0, max: 10 }),
  missed: fc.integer({ min: 0, max: 2 }),
});

interface Worse {
  drop: number;
  unauthorised: number;
  brokenWeeks: number;
  days: number;
  /** More meetings not attended and plan targets missed. */
  missed: number;
}

function worsen(f: CaseFacts, w: Worse): CaseFacts {
  const lower = (r: number | null) => (r === null ? null : Math.max(0, r - w.drop));
  const rates: Record<number, number | null> = {};
  for (const [k, v] of Object.entries(f.recent.rateOverLastWeeks)) rates[Number(k)] = lower(v);
  const counts: Record<number, number> = {};
  for (const [k, v] of Object.entries(f.recent.unauthorisedInLastWeeks)) counts[Number(k)] = v + w.unauthorised;
  return {
    ...f,
    measures: {
      attendanceRate: lower(f.measures.attendanceRate),
      unauthorisedAbsenceSessions: f.measures.unauthorisedAbsenceSessions + w.unauthorised,
      brokenWeeks: f.measures.brokenWeeks + w.brokenWeeks,
    },
    recent: {
      rateOverLastWeeks: rates,
      unauthorisedInLastWeeks: counts,
      consecutiveDaysAbsent: f.recent.consecutiveDaysAbsent + w.days,
    },
    meetingsNotAttendedInStage: (f.meetingsNotAttendedInStage ?? 0) + w.missed,
    planTargetsMissed: (f.planTargetsMissed ?? 0) + w.missed,
  } satisfies CaseFacts;
}

/** Where the movement suggestion would take the pupil, as a ladder position (0 = no stage). */
function target(policy: AttendancePolicy, facts: CaseFacts, out: readonly Suggestion[]): number {
  const stages = orderedStages(policy);
  const pos = (id: string | null) => (id === null ? 0 : stages.findIndex((s) => s.id === id) + 1);
  const move = out.find((s) => s.kind !== 'review');
  return move ? pos(move.toStageId) : pos(facts.currentStage?.id ?? null);
}

describe('evaluate: properties', () => {
  it('is deterministic and leaves its inputs alone', () => {
    fc.assert(
      fc.property(caseArb, ({ policy, facts }) => {
        const before = JSON.stringify([policy, facts]);
        const a = evaluate(policy, facts);
        expect(evaluate(policy, facts)).toEqual(a);
        expect(JSON.stringify([policy, facts])).toBe(before);
      }),
      RUNS,
    );
  });

  it('explains every suggestion, with a non-empty because list', () => {
    fc.assert(
      fc.property(caseArb, ({ policy, facts }) => {
        for (const s of evaluate(policy, facts)) {
          expect(s.explanation.length).toBeGreaterThan(0);
          expect(s.because.length).toBeGreaterThan(0);
          for (const b of s.because) expect(b.explanation.length).toBeGreaterThan(0);
        }
      }),
      RUNS,
    );
  });

  it('enters the highest stage whose trigger holds (where the pupil stands), and steps down only to a lower stage (or out)', () => {
    fc.assert(
      fc.property(caseArb, ({ policy, facts }) => {
        const out = evaluate(policy, facts);
        const stages = orderedStages(policy);
        const from = target(policy, facts, []);
        const to = target(policy, facts, out);
        for (const s of out) {
          if (s.kind === 'enter') {
            expect(to).toBeGreaterThan(from);
            // no stage above the one proposed is triggered unless it needs the one before it
            for (const r of s.because) {
              const at = stages.findIndex((st) => st.id === r.stageId) + 1;
              if (r.met && at > to) expect(stages.slice(to, at).some((st) => st.requiresPrevious)).toBe(true);
            }
            // every stage passed is listed as a support-first step
            expect(s.steps?.length ?? 0).toBe(to - from - 1);
          }
          if (s.kind === 'stepDown') expect(to).toBeLessThan(from);
        }
        expect(out.filter((s) => s.kind !== 'review' && s.kind !== 'action').length).toBeLessThanOrEqual(1);
      }),
      RUNS,
    );
  });

  it('never proposes a lower stage because of more absence', () => {
    fc.assert(
      fc.property(caseArb, worseArb, ({ policy, facts }, w) => {
        const worse = worsen(facts, w);
        const before = target(policy, facts, evaluate(policy, facts));
        const after = target(policy, worse, evaluate(policy, worse));
        expect(after).toBeGreaterThanOrEqual(before);
        // and more absence never turns a non-step-down into a step down
        if (!evaluate(policy, facts).some((s) => s.kind === 'stepDown')) {
          expect(evaluate(policy, worse).some((s) => s.kind === 'stepDown')).toBe(false);
        }
      }),
      RUNS,
    );
  });

  it('never steps a pupil down, nor lower, for adding unauthorised absence', () => {
    // u more unauthorised sessions out of 60 possible: the counts rise and every rate falls.
    fc.assert(
      fc.property(caseArb, fc.integer({ min: 1, max: 20 }), ({ policy, facts }, u) => {
        const worse = worsen(facts, { drop: u / 60, unauthorised: u, brokenWeeks: 0, days: 0, missed: 0 });
        const before = evaluate(policy, facts);
        const after = evaluate(policy, worse);
        expect(target(policy, worse, after)).toBeGreaterThanOrEqual(target(policy, facts, before));
        if (!before.some((s) => s.kind === 'stepDown')) expect(after.some((s) => s.kind === 'stepDown')).toBe(false);
      }),
      RUNS,
    );
  });

  it('explains every suggestion from the five presets, naming the policy source', () => {
    fc.assert(
      fc.property(
        fc
          .constantFrom(...POLICY_PRESETS.map((p) => p.policy))
          .chain((policy) => factsArb(policy).map((facts) => ({ policy, facts }))),
        ({ policy, facts }) => {
          for (const s of evaluate(policy, facts)) {
            expect(s.explanation).toContain(policy.source);
            expect(s.because.length).toBeGreaterThan(0);
          }
        },
      ),
      RUNS,
    );
  });

  it('proposes no stage to a pupil at 100% with no absence in no stage (example policy)', () => {
    fc.assert(
      fc.property(fc.subarray([...WEEKS]), (weeks) => {
        const facts: CaseFacts = {
          asOf: d('2025-11-24'),
          measures: { attendanceRate: 1, unauthorisedAbsenceSessions: 0, brokenWeeks: 0 },
          recent: {
            rateOverLastWeeks: Object.fromEntries(weeks.map((k) => [k, 1])),
            unauthorisedInLastWeeks: Object.fromEntries(weeks.map((k) => [k, 0])),
            consecutiveDaysAbsent: 0,
          },
          currentStage: null,
        };
        expect(evaluate(TWIN_TRACK_EXAMPLE_POLICY, facts).some((s) => s.kind === 'enter')).toBe(false);
      }),
    );
  });
});
