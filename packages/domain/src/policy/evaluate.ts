/**
 * Support-first staged casework: `evaluate(policy, facts)` proposes, people decide.
 *
 * - enter: some stage above the current one has a trigger that holds; the proposal is the NEXT
 *   stage only (never more than one step at a time), naming any higher stage that also holds.
 * - stepDown: all of the current stage's step-down conditions hold, none of its own triggers
 *   hold and no higher stage is triggered. Step-down conditions can only be helped by less
 *   absence (see `StepDownCondition`), so more absence never proposes a step down.
 * - stay: in a stage, neither of the above.
 * - review: in a stage and its review period has passed (since entry, or since the last review).
 *
 * A pupil in no stage whom no trigger catches gets no suggestion. Pure and deterministic.
 */
import type {
  AttendanceBand,
  AttendancePolicy,
  CaseFacts,
  Condition,
  PolicyStage,
  Suggestion,
  TriggerResult,
} from './types.js';

const DEFAULT_STEP_DOWN_ACTIONS: readonly string[] = ['letter:positive'];

/** A rate as a percentage with one decimal, e.g. 0.894 → '89.4%'. */
export function formatRate(rate: number | null): string {
  return rate === null ? 'n/a' : `${(rate * 100).toFixed(1)}%`;
}

/** A threshold as a percentage without needless decimals, e.g. 0.9 → '90%', 0.955 → '95.5%'. */
export function formatThreshold(rate: number): string {
  return `${Number((rate * 100).toFixed(2))}%`;
}

/** A pupil's rate, shown with two decimals where one would round onto the threshold. */
function rateAgainst(rate: number, threshold: number): string {
  const one = formatRate(rate);
  return one === `${(threshold * 100).toFixed(1)}%` && rate !== threshold ? `${(rate * 100).toFixed(2)}%` : one;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

type Check = Pick<TriggerResult, 'met' | 'value' | 'threshold' | 'explanation'>;

/** Checks one condition against the facts. */
export function checkCondition(condition: Condition, facts: CaseFacts): Check {
  const rate = facts.measures.attendanceRate;
  const current = facts.currentStage;
  switch (condition.kind) {
    case 'rateBelow':
    case 'rateAtLeast': {
      const below = condition.kind === 'rateBelow';
      const t = condition.rate;
      if (rate === null) {
        return { met: false, value: null, threshold: t, explanation: 'no attendance rate yet (no possible sessions)' };
      }
      const isBelow = rate < t;
      return {
        met: below ? isBelow : !isBelow,
        value: rate,
        threshold: t,
        explanation: `attendance ${rateAgainst(rate, t)} is ${isBelow ? 'below' : 'at or above'} ${formatThreshold(t)}`,
      };
    }
    case 'rateBelowOverLastWeeks':
    case 'rateAtLeastOverLastWeeks': {
      const below = condition.kind === 'rateBelowOverLastWeeks';
      const t = condition.rate;
      const w = condition.weeks;
      const r = facts.recent.rateOverLastWeeks[w] ?? null;
      const over = `over the last ${plural(w, 'school week')}`;
      if (r === null) {
        return { met: false, value: null, threshold: t, explanation: `no attendance rate ${over}` };
      }
      const isBelow = r < t;
      return {
        met: below ? isBelow : !isBelow,
        value: r,
        threshold: t,
        explanation: `attendance ${over} ${rateAgainst(r, t)} is ${isBelow ? 'below' : 'at or above'} ${formatThreshold(t)}`,
      };
    }
    case 'unauthorisedSessionsInRollingWeeks':
    case 'unauthorisedSessionsInRollingWeeksAtMost': {
      const atLeast = condition.kind === 'unauthorisedSessionsInRollingWeeks';
      const t = condition.sessions;
      const w = condition.weeks;
      const n = facts.recent.unauthorisedInLastWeeks[w];
      const inLast = `in the last ${plural(w, 'school week')}`;
      if (n === undefined) {
        return { met: false, value: null, threshold: t, explanation: `no count of unauthorised sessions ${inLast}` };
      }
      const what = `${plural(n, 'unauthorised session')} ${inLast}`;
      return atLeast
        ? { met: n >= t, value: n, threshold: t, explanation: `${what}, ${n >= t ? 'at least' : 'fewer than'} ${t}` }
        : { met: n <= t, value: n, threshold: t, explanation: `${what}, ${n <= t ? 'at most' : 'more than'} ${t}` };
    }
    case 'brokenWeeksAtLeast': {
      const n = facts.measures.brokenWeeks;
      const t = condition.weeks;
      return {
        met: n >= t,
        value: n,
        threshold: t,
        explanation: `${plural(n, 'broken week')} this year, ${n >= t ? 'at least' : 'fewer than'} ${t}`,
      };
    }
    case 'consecutiveDaysAbsent': {
      const n = facts.recent.consecutiveDaysAbsent;
      const t = condition.days;
      return {
        met: n >= t,
        value: n,
        threshold: t,
        explanation: `${plural(n, 'consecutive school day')} absent, ${n >= t ? 'at least' : 'fewer than'} ${t}`,
      };
    }
    case 'noImprovementSinceReview':
    case 'improvedSinceReview': {
      const wantNoImprovement = condition.kind === 'noImprovementSinceReview';
      const review = current?.lastReview;
      if (!review) {
        return { met: false, value: rate, threshold: null, explanation: 'no review in the current stage yet' };
      }
      if (rate === null) {
        return {
          met: false,
          value: null,
          threshold: review.rate,
          explanation: 'no attendance rate yet (no possible sessions)',
        };
      }
      const improved = rate > review.rate;
      const words = improved
        ? `attendance ${formatRate(rate)} has improved on ${formatRate(review.rate)} at the review on ${review.on}`
        : `attendance ${formatRate(rate)} is no better than ${formatRate(review.rate)} at the review on ${review.on}`;
      return {
        met: wantNoImprovement ? !improved : improved,
        value: rate,
        threshold: review.rate,
        explanation: words,
      };
    }
    case 'timeInStageAtLeast': {
      const t = condition.schoolWeeks;
      if (!current) return { met: false, value: null, threshold: t, explanation: 'not in a stage' };
      const n = current.schoolWeeksInStage;
      return {
        met: n >= t,
        value: n,
        threshold: t,
        explanation: `${plural(n, 'school week')} in the stage since ${current.enteredOn}, ${n >= t ? 'at least' : 'fewer than'} ${t}`,
      };
    }
    case 'meetingNotAttended': {
      const n = facts.meetingsNotAttendedInStage ?? 0;
      const t = condition.meetings;
      return {
        met: n >= t,
        value: n,
        threshold: t,
        explanation: `${plural(n, 'meeting')} in the stage not attended, ${n >= t ? 'at least' : 'fewer than'} ${t}`,
      };
    }
    case 'planTargetsMissed': {
      const n = facts.planTargetsMissed ?? 0;
      const t = condition.targets;
      return {
        met: n >= t,
        value: n,
        threshold: t,
        explanation: `${plural(n, 'plan target')} missed, ${n >= t ? 'at least' : 'fewer than'} ${t}`,
      };
    }
    case 'allOf': {
      const checks = condition.all.map((c) => checkCondition(c, facts));
      const met = checks.length > 0 && checks.every((c) => c.met);
      return {
        met,
        value: null,
        threshold: null,
        explanation: `${met ? 'all of' : 'not all of'}: ${checks.map((c) => `${c.explanation}${c.met ? '' : ' (not met)'}`).join('; ')}`,
      };
    }
  }
}

function results(stage: PolicyStage, role: TriggerResult['role'], conditions: readonly Condition[], facts: CaseFacts) {
  return conditions.map((condition): TriggerResult => ({
    stageId: stage.id,
    role,
    condition,
    ...checkCondition(condition, facts),
  }));
}

function metWords(rs: readonly TriggerResult[]): string {
  return rs
    .filter((r) => r.met)
    .map((r) => r.explanation)
    .join('; ');
}

/** Where a step down from `stages[idx]` leads: its `stepDownTo` stage (if lower), else the stage below. */
function stepDownTarget(stages: readonly PolicyStage[], idx: number): PolicyStage | null {
  const stage = stages[idx]!;
  if (stage.stepDownTo === null) return null;
  if (stage.stepDownTo !== undefined) {
    const to = stages.findIndex((s) => s.id === stage.stepDownTo);
    if (to >= 0 && to < idx) return stages[to]!;
  }
  return idx > 0 ? stages[idx - 1]! : null;
}

/** The policy's stages in ladder order (a copy; the policy is not touched). */
export function orderedStages(policy: AttendancePolicy): PolicyStage[] {
  return [...policy.stages].sort((a, b) => a.order - b.order || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * Proposes what should happen to one pupil's case under a policy. Throws only on a programmer
 * error: a current stage id the policy does not have.
 */
export function evaluate(policy: AttendancePolicy, facts: CaseFacts): Suggestion[] {
  const stages = orderedStages(policy);
  const current = facts.currentStage;
  const idx = current ? stages.findIndex((s) => s.id === current.id) : -1;
  if (current && idx < 0) throw new Error(`stage ${current.id} is not in policy ${policy.id}`);
  const currentStage = idx >= 0 ? stages[idx]! : null;
  const src = `policy ${policy.source}, as of ${facts.asOf}`;
  const base = { asOf: facts.asOf, fromStageId: currentStage?.id ?? null, source: policy.source };

  // Every stage above the current one, with its triggers checked.
  const above = stages
    .slice(idx + 1)
    .map((stage) => ({ stage, checks: results(stage, 'trigger', stage.triggers, facts) }));
  const triggered = above.filter((a) => a.checks.some((c) => c.met));
  const escalationChecks = above.flatMap((a) => a.checks);
  const out: Suggestion[] = [];

  const next = above[0];
  const highest = triggered[triggered.length - 1];
  if (next && highest) {
    const own = metWords(next.checks);
    const parts = [own ? `${next.stage.name}: ${own}` : `${next.stage.name} is the next stage`];
    if (highest.stage !== next.stage) {
      parts.push(
        `${highest.stage.name} also holds (${metWords(highest.checks)}), but support comes first: one stage at a time`,
      );
    }
    const from = currentStage ? ` from ${currentStage.name}` : '';
    out.push({
      ...base,
      kind: 'enter',
      toStageId: next.stage.id,
      actions: next.stage.actions,
      explanation: `Enter ${next.stage.name}${from}. ${parts.join('. ')} (${src}).`,
      because: escalationChecks,
    });
  }

  if (!currentStage || !current) return out;

  const ownChecks = results(currentStage, 'trigger', currentStage.triggers, facts);
  const stepChecks = results(currentStage, 'stepDown', currentStage.stepDownWhen ?? [], facts);
  const reviewEvery = currentStage.reviewAfterSchoolWeeks;
  const sinceReview = current.lastReview?.schoolWeeksSince ?? current.schoolWeeksInStage;
  const sinceWhat = current.lastReview
    ? `since the review on ${current.lastReview.on}`
    : `since entering on ${current.enteredOn}`;
  const reviewDue = reviewEvery > 0 && sinceReview >= reviewEvery;
  const reviewCheck: TriggerResult = {
    stageId: currentStage.id,
    role: 'review',
    condition: { kind: 'timeInStageAtLeast', schoolWeeks: reviewEvery },
    met: reviewDue,
    value: sinceReview,
    threshold: reviewEvery,
    explanation: `${plural(sinceReview, 'school week')} ${sinceWhat}; review every ${plural(reviewEvery, 'school week')}`,
  };

  if (out.length === 0) {
    const stepDown =
      stepChecks.length > 0 &&
      stepChecks.every((c) => c.met) &&
      !ownChecks.some((c) => c.met) &&
      triggered.length === 0;
    if (stepDown) {
      const below = stepDownTarget(stages, idx);
      out.push({
        ...base,
        kind: 'stepDown',
        toStageId: below?.id ?? null,
        actions: currentStage.stepDownActions ?? DEFAULT_STEP_DOWN_ACTIONS,
        explanation:
          `Step down from ${currentStage.name} to ${below ? below.name : 'no stage'}: ` +
          `${metWords(stepChecks)}; none of the stage's own triggers holds (${src}).`,
        because: [...stepChecks, ...ownChecks, ...escalationChecks],
      });
    } else {
      const holding = metWords(ownChecks);
      const unmetStep = stepChecks.filter((c) => !c.met).map((c) => c.explanation);
      const why = [
        holding ? `still ${holding}` : '',
        unmetStep.length > 0 ? `not yet ready to step down (${unmetStep.join('; ')})` : '',
        above.length > 0 ? 'no higher stage is triggered' : 'this is the top stage',
      ].filter((w) => w !== '');
      out.push({
        ...base,
        kind: 'stay',
        toStageId: currentStage.id,
        actions: [],
        explanation: `Stay at ${currentStage.name} (since ${current.enteredOn}): ${why.join('; ')} (${src}).`,
        because: [...ownChecks, ...stepChecks, ...escalationChecks, reviewCheck],
      });
    }
  }

  if (reviewDue) {
    out.push({
      ...base,
      kind: 'review',
      toStageId: currentStage.id,
      actions: ['review'],
      explanation:
        `Review due at ${currentStage.name}: ${reviewCheck.explanation}; ` +
        `attendance now ${formatRate(facts.measures.attendanceRate)} (${src}).`,
      because: [reviewCheck, ...ownChecks],
    });
  }
  return out;
}

/** The band a rate falls in: the band with the highest `minRate` at or below it; null when none. */
export function bandFor(policy: AttendancePolicy, rate: number | null): AttendanceBand | null {
  if (rate === null) return null;
  let best: AttendanceBand | null = null;
  for (const band of policy.bands) {
    if (rate >= band.minRate && (best === null || band.minRate > best.minRate)) best = band;
  }
  return best;
}
