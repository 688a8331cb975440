/**
 * The facts a policy reads, worked out from the whole condition tree (`allOf`, `anyOf` and `not`
 * nest, and a stage's in-stage actions have conditions too): the case-facts builder computes
 * exactly these, and the evaluator reads nothing else (a property test holds it to that).
 */
import type { Anchor, AttendancePolicy, Condition, EngagementFact } from './types.js';

export interface FactNeeds {
  /** Every "last N school weeks" any condition asks about, ascending. */
  readonly weeks: readonly number[];
  readonly meetingsNotAttended: boolean;
  readonly planTargetsMissed: boolean;
  readonly engagement: readonly EngagementFact[];
  readonly illnessShare: boolean;
  readonly halfTermCheck: boolean;
  readonly reviewPoint: boolean;
  readonly lastYear: boolean;
  readonly noticeToImprove: boolean;
  /** The rate at stage entry and the review before the latest (review comparisons). */
  readonly reviewComparison: boolean;
  readonly since: readonly Anchor[];
}

/** Every condition of the policy, nested ones included, depth first. */
export function allConditions(policy: AttendancePolicy): Condition[] {
  const out: Condition[] = [];
  const walk = (c: Condition): void => {
    out.push(c);
    if (c.kind === 'allOf') c.all.forEach(walk);
    else if (c.kind === 'anyOf') c.any.forEach(walk);
    else if (c.kind === 'not') walk(c.condition);
  };
  for (const stage of policy.stages) {
    stage.triggers.forEach(walk);
    (stage.stepDownWhen ?? []).forEach(walk);
    (stage.inStage ?? []).forEach((a) => walk(a.when));
  }
  return out;
}

/** The facts `evaluate(policy, …)` reads, from every condition however deeply nested. */
export function factsAskedFor(policy: AttendancePolicy): FactNeeds {
  const weeks = new Set<number>();
  const engagement = new Set<EngagementFact>();
  const since = new Set<Anchor>();
  const kinds = new Set<string>();
  const at = new Set<string>();
  for (const c of allConditions(policy)) {
    kinds.add(c.kind);
    if ('weeks' in c && typeof c.weeks === 'number' && c.kind !== 'brokenWeeksAtLeast') weeks.add(c.weeks);
    if (c.kind === 'engagement') engagement.add(c.fact);
    if (c.kind === 'timeSince') since.add(c.from);
    if ((c.kind === 'rateBelow' || c.kind === 'rateAtLeast') && c.at) at.add(c.at);
  }
  const has = (...ks: string[]) => ks.some((k) => kinds.has(k));
  return {
    weeks: [...weeks].sort((a, b) => a - b),
    meetingsNotAttended: has('meetingNotAttended'),
    planTargetsMissed: has('planTargetsMissed'),
    engagement: [...engagement].sort(),
    illnessShare: has('illnessShareAtLeast'),
    halfTermCheck: at.has('halfTermCheck'),
    reviewPoint: at.has('reviewPoint') || has('noImprovementAtReviewPoint', 'improvedAtReviewPoint'),
    lastYear: has('lastYearRateBelow'),
    noticeToImprove: has('noticeBreached'),
    reviewComparison: has('noImprovementSinceReview', 'improvedSinceReview'),
    since: [...since].sort(),
  };
}
