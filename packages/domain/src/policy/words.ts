/** A policy's conditions in words, for the policy page and the docs. Pure. */
import { formatThreshold } from './evaluate.js';
import type { Anchor, CheckAt, Condition, EngagementFact, Span } from './types.js';

const pct = formatThreshold;
const weeks = (n: number) => `${n} school week${n === 1 ? '' : 's'}`;

const AT_WORDS: Record<CheckAt, string> = {
  today: '',
  halfTermCheck: ' at the half-term check',
  reviewPoint: ' at the review point',
};

const ANCHOR: Record<Anchor, string> = {
  stageEntry: 'entering the stage',
  noticeIssued: 'the Notice to Improve was issued',
  noticePeriodEnd: 'the Notice to Improve period ended',
  contractAgreed: 'the contract was agreed',
  planStart: 'the plan started',
};

const FACT: Record<EngagementFact, string> = {
  contractBroken: 'the attendance contract is broken',
  medicalActionPlanAgreed: 'a medical action plan is agreed',
  parentRefusedSupport: 'a parent refused support',
};

function span(s: Span): string {
  if ('schoolDays' in s) return `${s.schoolDays} school day${s.schoolDays === 1 ? '' : 's'}`;
  if ('schoolWeeks' in s) return weeks(s.schoolWeeks);
  return `${s.calendarMonths} calendar month${s.calendarMonths === 1 ? '' : 's'}`;
}

/** A trigger or step-down condition in words. */
export function conditionInWords(c: Condition): string {
  switch (c.kind) {
    case 'rateBelow':
      return `attendance${AT_WORDS[c.at ?? 'today']} below ${pct(c.rate)}`;
    case 'rateAtLeast':
      return `attendance${AT_WORDS[c.at ?? 'today']} at least ${pct(c.rate)}`;
    case 'rateBelowOverLastWeeks':
      return `attendance below ${pct(c.rate)} over the last ${weeks(c.weeks)}`;
    case 'rateAtLeastOverLastWeeks':
      return `attendance at least ${pct(c.rate)} over the last ${weeks(c.weeks)}`;
    case 'unauthorisedSessionsInRollingWeeks':
      return `${c.sessions} or more unauthorised sessions in the last ${weeks(c.weeks)}`;
    case 'unauthorisedSessionsInRollingWeeksAtMost':
      return `at most ${c.sessions} unauthorised sessions in the last ${weeks(c.weeks)}`;
    case 'brokenWeeksAtLeast':
      return `${c.weeks} or more broken weeks this year`;
    case 'consecutiveDaysAbsent':
      return `${c.days} or more school days absent in a row`;
    case 'noImprovementSinceReview':
      return 'no improvement at the last review (on the review before, or on stage entry)';
    case 'improvedSinceReview':
      return 'improved at the last review (on the review before, or on stage entry)';
    case 'noImprovementAtReviewPoint':
      return 'no improvement at the review point (on the previous review point, or the September baseline)';
    case 'improvedAtReviewPoint':
      return 'improved at the review point (on the previous review point, or the September baseline)';
    case 'timeInStageAtLeast':
      return `${weeks(c.schoolWeeks)} or more in the stage`;
    case 'timeSince':
      return `${span(c.span)} or more since ${ANCHOR[c.from]}`;
    case 'meetingNotAttended':
      return `${c.meetings} or more meetings not attended`;
    case 'planTargetsMissed':
      return `${c.targets} or more plan targets missed`;
    case 'engagement':
      return FACT[c.fact];
    case 'illnessShareAtLeast':
      return c.share >= 1 ? 'all absence is illness' : `at least ${pct(c.share)} of absence is illness`;
    case 'noticeBreached':
      return 'unauthorised absence during the Notice to Improve period';
    case 'lastYearRateBelow':
      return `attendance last year below ${pct(c.rate)} (at the start of the year)`;
    case 'allOf':
      return `all of: ${c.all.map(conditionInWords).join(' and ')}`;
    case 'anyOf':
      return `any of: ${c.any.map(conditionInWords).join(' or ')}`;
    case 'not':
      return `not (${conditionInWords(c.condition)})`;
  }
}
