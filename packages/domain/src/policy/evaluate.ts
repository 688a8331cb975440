/**
 * Support-first staged casework: `evaluate(policy, facts)` proposes, people decide.
 *
 * - enter: some stage above the current one has a trigger that holds; the proposal is the
 *   highest such stage (where the pupil stands), listing the support-first steps before it as
 *   done, skipped (why) or still to offer; a stage marked `requiresPrevious` is entered only
 *   from the stage before it, so the proposal stops below it (naming it).
 * - stepDown: all of the current stage's step-down conditions hold, none of its own triggers
 *   hold and no higher stage is triggered; it passes a lower stage too when none of that stage's
 *   triggers holds and its own step-down conditions hold. Step-down conditions can only be helped by less
 *   absence (see `StepDownCondition`), so more absence never proposes a step down.
 * - stay: in a stage, neither of the above.
 * - action: in a stage, one of its `inStage` conditions holds (e.g. a penalty notice proposed
 *   after unauthorised absence during a Notice to Improve); the stage does not change.
 * - review: in a stage and its review period has passed (since entry, or since the last review).
 *
 * A pupil in no stage whom no trigger catches gets no suggestion. Pure and deterministic.
 */
import type {
  Anchor,
  AttendanceBand,
  EngagementFact,
  AttendancePolicy,
  CaseFacts,
  Condition,
  PolicyStage,
  Suggestion,
  SupportStep,
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

const ANCHOR_WORDS: Record<Anchor, string> = {
  stageEntry: 'entering the stage',
  noticeIssued: 'the Notice to Improve was issued',
  noticePeriodEnd: 'the end of the Notice to Improve period',
  contractAgreed: 'the attendance contract was agreed',
  planStart: 'the plan started',
};

const ENGAGEMENT_WORDS: Record<EngagementFact, string> = {
  contractBroken: 'attendance contract broken',
  medicalActionPlanAgreed: 'medical action plan agreed',
  parentRefusedSupport: 'parent refused support',
};

/** Checks one condition against the facts. */
export function checkCondition(condition: Condition, facts: CaseFacts): Check {
  const rate = facts.measures.attendanceRate;
  const current = facts.currentStage;
  switch (condition.kind) {
    case 'rateBelow':
    case 'rateAtLeast': {
      const below = condition.kind === 'rateBelow';
      const t = condition.rate;
      const at = condition.at ?? 'today';
      let r = rate;
      let when = '';
      if (at !== 'today') {
        const point = at === 'halfTermCheck' ? facts.halfTermCheck : facts.reviewPoint;
        if (!point) {
          const none = at === 'halfTermCheck' ? 'no half-term check yet this year' : 'no review point yet this year';
          return { met: false, value: null, threshold: t, explanation: none };
        }
        r = point.rate;
        when = ` at the ${point.label} (${point.on})`;
      }
      if (r === null) {
        return { met: false, value: null, threshold: t, explanation: 'no attendance rate yet (no possible sessions)' };
      }
      const isBelow = r < t;
      return {
        met: below ? isBelow : !isBelow,
        value: r,
        threshold: t,
        explanation: `attendance${when} ${rateAgainst(r, t)} is ${isBelow ? 'below' : 'at or above'} ${formatThreshold(t)}`,
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
      const prev = review.previous;
      if (!prev || prev.rate === null) {
        return {
          met: false,
          value: review.rate,
          threshold: null,
          explanation: `nothing to compare the review on ${review.on} with`,
        };
      }
      const improved = review.rate > prev.rate;
      const words = `attendance ${formatRate(review.rate)} at the review on ${review.on} ${improved ? 'has improved on' : 'is no better than'} ${formatRate(prev.rate)} at ${prev.what} on ${prev.on}`;
      return {
        met: wantNoImprovement ? !improved : improved,
        value: review.rate,
        threshold: prev.rate,
        explanation: words,
      };
    }
    case 'noImprovementAtReviewPoint':
    case 'improvedAtReviewPoint': {
      const wantNoImprovement = condition.kind === 'noImprovementAtReviewPoint';
      const point = facts.reviewPoint;
      if (!point) return { met: false, value: null, threshold: null, explanation: 'no review point yet this year' };
      if (!current) return { met: false, value: point.rate, threshold: null, explanation: 'not in a stage' };
      if (current.enteredOn >= point.on) {
        return {
          met: false,
          value: point.rate,
          threshold: null,
          explanation: `the stage was entered on ${current.enteredOn}, not before the ${point.label} (${point.on})`,
        };
      }
      const prev = point.previous;
      if (!prev || prev.rate === null || point.rate === null) {
        return {
          met: false,
          value: point.rate,
          threshold: prev?.rate ?? null,
          explanation: `nothing to compare the ${point.label} (${point.on}) with`,
        };
      }
      const improved = point.rate > prev.rate;
      return {
        met: wantNoImprovement ? !improved : improved,
        value: point.rate,
        threshold: prev.rate,
        explanation: `attendance ${formatRate(point.rate)} at the ${point.label} (${point.on}) ${improved ? 'has improved on' : 'is no better than'} ${formatRate(prev.rate)} at the ${prev.label} (${prev.on})`,
      };
    }
    case 'timeSince': {
      const a = facts.since?.[condition.from] ?? null;
      const [n, unit] =
        'schoolDays' in condition.span
          ? [condition.span.schoolDays, 'schoolDays' as const]
          : 'schoolWeeks' in condition.span
            ? [condition.span.schoolWeeks, 'schoolWeeks' as const]
            : [condition.span.calendarMonths, 'calendarMonths' as const];
      const unitWords = { schoolDays: 'school day', schoolWeeks: 'school week', calendarMonths: 'calendar month' }[
        unit
      ];
      const what = ANCHOR_WORDS[condition.from];
      if (!a) return { met: false, value: null, threshold: n, explanation: `no ${what}` };
      const v = a[unit];
      return {
        met: v >= n,
        value: v,
        threshold: n,
        explanation: `${plural(v, unitWords)} since ${what} on ${a.on}, ${v >= n ? 'at least' : 'fewer than'} ${n}`,
      };
    }
    case 'engagement': {
      const held = facts.engagement?.[condition.fact] ?? false;
      return {
        met: held,
        value: held ? 1 : 0,
        threshold: 1,
        explanation: `${ENGAGEMENT_WORDS[condition.fact]}: ${held ? 'yes' : 'no'}`,
      };
    }
    case 'illnessShareAtLeast': {
      const share = facts.illnessShare ?? null;
      const t = condition.share;
      if (share === null) return { met: false, value: null, threshold: t, explanation: 'no absence this year' };
      return {
        met: share >= t,
        value: share,
        threshold: t,
        explanation: `${formatThreshold(share)} of absence is illness or medical, ${share >= t ? 'at least' : 'less than'} ${formatThreshold(t)}`,
      };
    }
    case 'noticeBreached': {
      const n = facts.noticeToImprove ?? null;
      if (!n) return { met: false, value: null, threshold: 1, explanation: 'no Notice to Improve in monitoring' };
      const u = n.unauthorisedInPeriod;
      const breached = u > 0;
      return {
        met: breached && !n.penaltyDecided,
        value: u,
        threshold: 1,
        explanation:
          `${plural(u, 'unauthorised session')} in the Notice to Improve period ${n.issuedOn} to ${n.periodEndsOn}` +
          (breached && n.penaltyDecided ? ', and a penalty notice has already been decided' : ''),
      };
    }
    case 'lastYearRateBelow': {
      const ly = facts.lastYear ?? null;
      const t = condition.rate;
      if (!ly || ly.attendanceRate === null)
        return { met: false, value: null, threshold: t, explanation: 'no attendance last year' };
      const below = ly.attendanceRate < t;
      const words = `attendance last year ${rateAgainst(ly.attendanceRate, t)} is ${below ? 'below' : 'at or above'} ${formatThreshold(t)}`;
      if (!ly.beforeFirstCheck)
        return {
          met: false,
          value: ly.attendanceRate,
          threshold: t,
          explanation: `${words}; last year is read at the start of the year only (before the first check point)`,
        };
      return { met: below, value: ly.attendanceRate, threshold: t, explanation: `${words} (the September baseline)` };
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
    case 'anyOf': {
      const checks = condition.any.map((c) => checkCondition(c, facts));
      const met = checks.some((c) => c.met);
      return {
        met,
        value: null,
        threshold: null,
        explanation: `${met ? 'one of' : 'none of'}: ${checks.map((c) => `${c.explanation}${c.met ? '' : ' (not met)'}`).join('; ')}`,
      };
    }
    case 'not': {
      const inner = checkCondition(condition.condition, facts);
      return {
        met: !inner.met,
        value: inner.value,
        threshold: inner.threshold,
        explanation: `not (${inner.explanation})`,
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
  const isMet = (a: (typeof above)[number]) => a.checks.some((c) => c.met);
  // A stage marked `requiresPrevious` is entered only from the stage just below it: a pupil who
  // meets its rule from further down is proposed the nearest stage below it they may enter.
  const allowed = (i: number) => i === 0 || above[i]!.stage.requiresPrevious !== true;
  const nearestAllowed = (i: number) => {
    let j = i;
    while (j > 0 && !allowed(j)) j--;
    return j;
  };
  let targetAt = -1;
  let blockedBy: (typeof above)[number] | null = null;
  above.forEach((a, i) => {
    if (!isMet(a)) return;
    const at = allowed(i) ? i : nearestAllowed(i - 1);
    if (at > targetAt || (at === targetAt && !allowed(i))) {
      targetAt = at;
      blockedBy = allowed(i) ? null : a;
    }
  });
  const reachable = above;
  const escalationChecks = above.flatMap((a) => a.checks);
  const out: Suggestion[] = [];

  if (targetAt >= 0) {
    const target = reachable[targetAt]!;
    const own = metWords(target.checks);
    const before = new Set(facts.stagesBefore ?? []);
    const steps: SupportStep[] = reachable.slice(0, targetAt).map(({ stage }) => {
      if (before.has(stage.id))
        return {
          stageId: stage.id,
          name: stage.name,
          status: 'done',
          reason: 'the pupil has been at this stage in the case',
          actions: stage.actions,
        };
      if (stage.offerWhenSkipped)
        return {
          stageId: stage.id,
          name: stage.name,
          status: 'toOffer',
          reason: 'support first: still to offer, with the stage proposed',
          actions: stage.actions,
        };
      return {
        stageId: stage.id,
        name: stage.name,
        status: 'skipped',
        reason: `the pupil already meets the entry rule of ${target.stage.name}`,
        actions: stage.actions,
      };
    });
    const parts = [own ? `${target.stage.name}: ${own}` : `${target.stage.name} is the next stage`];
    if (steps.length > 0) {
      const words = { done: 'done', skipped: 'skipped', toOffer: 'still to offer' } as const;
      parts.push(
        `Support-first steps before it: ${steps.map((st) => `${st.name} ${words[st.status]} (${st.reason})`).join('; ')}`,
      );
    }
    const top = blockedBy as (typeof above)[number] | null;
    if (top) {
      parts.push(
        `${top.stage.name} also holds (${metWords(top.checks)}), but it is entered only from the stage before it: ${target.stage.name} first`,
      );
    }
    const from = currentStage ? ` from ${currentStage.name}` : '';
    const actions = [
      ...new Set([
        ...steps.filter((st) => st.status === 'toOffer').flatMap((st) => st.actions),
        ...target.stage.actions,
      ]),
    ];
    out.push({
      ...base,
      kind: 'enter',
      toStageId: target.stage.id,
      actions,
      explanation: `Enter ${target.stage.name}${from}. ${parts.join('. ')} (${src}).`,
      because: escalationChecks,
      ...(steps.length > 0 && { steps }),
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
      stepChecks.length > 0 && stepChecks.every((c) => c.met) && !ownChecks.some((c) => c.met) && !above.some(isMet);
    if (stepDown) {
      // Step down where the pupil stands: past a lower stage too when none of its triggers
      // holds and its own step-down conditions hold as well.
      let at = stages.indexOf(stepDownTarget(stages, idx) ?? stages[0]!);
      let below = stepDownTarget(stages, idx);
      const passed: SupportStep[] = [];
      const extra: TriggerResult[] = [];
      while (below) {
        const trig = results(below, 'trigger', below.triggers, facts);
        const down = results(below, 'stepDown', below.stepDownWhen ?? [], facts);
        extra.push(...trig, ...down);
        if (below.stopOnStepDown === true) break;
        if (trig.some((c) => c.met) || down.length === 0 || !down.every((c) => c.met)) break;
        passed.push({
          stageId: below.id,
          name: below.name,
          status: 'skipped',
          reason: `none of its triggers holds and its step-down conditions hold too (${metWords(down)})`,
          actions: below.stepDownActions ?? DEFAULT_STEP_DOWN_ACTIONS,
        });
        const next = stepDownTarget(stages, at);
        at = next ? stages.indexOf(next) : -1;
        below = next;
      }
      const passedWords =
        passed.length > 0 ? ` Passing ${passed.map((p) => `${p.name} (${p.reason})`).join('; ')}.` : '';
      out.push({
        ...base,
        kind: 'stepDown',
        toStageId: below?.id ?? null,
        actions: currentStage.stepDownActions ?? DEFAULT_STEP_DOWN_ACTIONS,
        explanation:
          `Step down from ${currentStage.name} to ${below ? below.name : 'no stage'}: ` +
          `${metWords(stepChecks)}; none of the stage's own triggers holds.${passedWords} (${src}).`,
        because: [...stepChecks, ...ownChecks, ...escalationChecks, ...extra],
        ...(passed.length > 0 && { steps: passed }),
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

  // Actions the stage proposes while in it, when their condition holds (no change of stage).
  if (!out.some((s) => s.kind === 'enter' || s.kind === 'stepDown')) {
    for (const a of currentStage.inStage ?? []) {
      const [check] = results(currentStage, 'trigger', [a.when], facts);
      if (!check?.met) continue;
      out.push({
        ...base,
        kind: 'action',
        toStageId: currentStage.id,
        actions: a.actions,
        explanation: `At ${currentStage.name}: ${check.explanation}, so the policy proposes ${a.actions.join(', ')} (${src}).`,
        because: [check],
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
