import {
  evaluate,
  plainDate,
  type AdjustedAttendance,
  type AttendancePolicy,
  type CaseFacts,
  type Suggestion,
} from '@rollcall/domain';
import { describe, expect, it } from 'vitest';
import { nameAdjustedRate } from './wording.js';

const POLICY: AttendancePolicy = {
  id: 'adjusted-test',
  name: 'Adjusted test',
  source: 'our policy, section 4',
  adjustedAttendance: { integrationSchoolWeeks: 6 },
  bands: [{ name: 'All', minRate: 0, colour: 'grey' }],
  stages: [
    {
      id: 'stage-1',
      name: 'Stage 1: contact',
      order: 1,
      triggers: [
        { kind: 'rateBelow', rate: 0.95 },
        { kind: 'rateBelowOverLastWeeks', rate: 0.9, weeks: 4 },
      ],
      actions: ['letter:stage-1'],
      reviewAfterSchoolWeeks: 2,
    },
    {
      id: 'stage-2',
      name: 'Stage 2: the local authority',
      order: 2,
      triggers: [
        {
          kind: 'allOf',
          all: [
            { kind: 'rateBelow', rate: 0.9 },
            { kind: 'unauthorisedSessionsInRollingWeeks', sessions: 10, weeks: 10 },
          ],
        },
      ],
      actions: ['referral:la-attendance'],
      reviewAfterSchoolWeeks: 6,
    },
  ],
};

/** Actual 85.0% over 20 sessions; adjusted 94.4% over 18, two sessions of the integration period left out. */
const FIGURES: AdjustedAttendance = {
  actual: { possible: 20, attended: 17, rate: 0.85 },
  adjusted: { possible: 18, attended: 17, rate: 17 / 18 },
  excludedSessions: 2,
  integration: { from: plainDate('2025-09-01'), to: plainDate('2025-09-01') },
  explanation:
    'actual attendance 85.0% (17 of 20 sessions); adjusted 94.4% (17 of 18), leaving out 2 possible sessions of the integration period 2025-09-01 to 2025-09-01',
};

function facts(over: Partial<Pick<CaseFacts, 'currentStage'>> & { rate?: number; over4?: number; unauth?: number }) {
  return {
    asOf: plainDate('2025-09-12'),
    measures: { attendanceRate: over.rate ?? 17 / 18, unauthorisedAbsenceSessions: over.unauth ?? 0, brokenWeeks: 0 },
    recent: {
      rateOverLastWeeks: { 4: over.over4 ?? 1 },
      unauthorisedInLastWeeks: { 10: over.unauth ?? 0 },
      consecutiveDaysAbsent: 0,
    },
    currentStage: over.currentStage ?? null,
  } satisfies CaseFacts;
}

function only(kind: Suggestion['kind'], f: CaseFacts): Suggestion {
  const s = evaluate(POLICY, f).find((x) => x.kind === kind);
  if (!s) throw new Error(`no ${kind} suggestion`);
  return s;
}

/** "attendance" naming a rate, not preceded by "adjusted". */
const PLAIN_RATE = /(?<!adjusted )attendance (now )?\d/;
/** The explanation before the sentence giving both rates. */
const before = (explanation: string): string => explanation.split(' Rates are adjusted attendance')[0]!;

describe('a suggestion under a policy that reads adjusted attendance', () => {
  it('names the adjusted rate in the explanation, keeping the numbers and the source, and gives both rates', () => {
    const plain = only('enter', facts({}));
    expect(plain.explanation).toContain('attendance 94.4% is below 95%');
    const named = nameAdjustedRate(plain, FIGURES);
    expect(named.explanation).toBe(
      'Enter Stage 1: contact. Stage 1: contact: adjusted attendance 94.4% is below 95% ' +
        '(policy our policy, section 4, as of 2025-09-12). Rates are adjusted attendance, as the policy says: ' +
        'actual attendance 85.0% (17 of 20 sessions); adjusted 94.4% (17 of 18), leaving out 2 possible ' +
        'sessions of the integration period 2025-09-01 to 2025-09-01.',
    );
    const rateCheck = named.because.find((c) => c.condition.kind === 'rateBelow' && c.stageId === 'stage-1');
    expect(rateCheck?.explanation).toBe('adjusted attendance 94.4% is below 95%');
    // The rate over the last weeks is not adjusted, and is not called so.
    const recent = named.because.find((c) => c.condition.kind === 'rateBelowOverLastWeeks');
    expect(recent?.explanation).toBe('attendance over the last 4 school weeks 100.0% is at or above 90%');
    // Everything else is as the evaluator said.
    expect({ ...named, explanation: '', because: [] }).toEqual({ ...plain, explanation: '', because: [] });
  });

  it('leaves the explanation alone when it does not name the year-to-date rate', () => {
    const plain = only('enter', facts({ rate: 0.97, over4: 0.8 }));
    const named = nameAdjustedRate(plain, FIGURES);
    expect(named.explanation).toBe(plain.explanation);
    expect(named.explanation).not.toContain('adjusted');
    expect(named.explanation).toContain('attendance over the last 4 school weeks 80.0% is below 90%');
  });

  it('renames the rate inside an allOf once, and the review’s "attendance now"', () => {
    const inStage1 = { id: 'stage-1', enteredOn: plainDate('2025-09-01'), schoolWeeksInStage: 2 };
    const enter = nameAdjustedRate(only('enter', facts({ rate: 0.85, unauth: 12, currentStage: inStage1 })), {
      ...FIGURES,
      adjusted: { possible: 20, attended: 17, rate: 0.85 },
    });
    expect(enter.explanation).toContain(
      'all of: adjusted attendance 85.0% is below 90%; 12 unauthorised sessions in the last 10 school weeks',
    );
    expect(before(enter.explanation)).not.toMatch(PLAIN_RATE);
    expect(enter.explanation).not.toContain('adjusted adjusted');
    const review = nameAdjustedRate(only('review', facts({ currentStage: inStage1 })), FIGURES);
    expect(review.explanation).toContain('adjusted attendance now 94.4%');
    expect(before(review.explanation)).not.toMatch(PLAIN_RATE);
    expect(review.explanation).toContain('(policy our policy, section 4, as of 2025-09-12)');
  });
});
