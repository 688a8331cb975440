/**
 * The dates the policy measures time to, for the case page (issue 13): each `timeSince` and
 * `timeInStageAtLeast` condition of the current stage and the stages above it, counted through
 * the school's calendar from the actual start date of the stage, plan, notice or contract (school
 * days, school weeks, calendar months), and the policy's next check points (half-term check,
 * review point). Pure over the compiled calendar and the case record.
 */
import {
  academicYearOf,
  addDays,
  allConditions,
  conditionInWords,
  firstSessionOnOrAfter,
  orderedStages,
  type Anchor,
  type AttendancePolicy,
  type Condition,
  type PlainDate,
  type SchoolCalendar,
  type Span,
} from '@rollcall/domain';
import { addCalendarMonths, halfTermCheckDays, nthSchoolDayFrom, reviewPointDays, schoolWeeksAfter } from './facts.js';
import type { CaseRecord } from './record.js';

export interface PolicyDate {
  /** What falls due, in words (the stage and its condition). */
  readonly label: string;
  /** The school day it falls on; null when the calendar does not reach that far. */
  readonly on: PlainDate | null;
  /** Where it is counted from, in words with the date. */
  readonly from: string;
}

/** The school day on which `span` has passed since `from` (school days after it, school weeks, or calendar months). */
export function spanEnds(cal: SchoolCalendar, from: PlainDate, span: Span): PlainDate | null {
  if ('schoolDays' in span) return nthSchoolDayFrom(cal, addDays(from, 1), span.schoolDays);
  if ('schoolWeeks' in span) return schoolWeeksAfter(cal, from, span.schoolWeeks);
  const day = addCalendarMonths(from, span.calendarMonths);
  const s = firstSessionOnOrAfter(cal, day);
  return s >= 0 && s < cal.sessionCount ? cal.sessionDate[s]! : null;
}

const ANCHOR_WORDS: Record<Anchor, string> = {
  stageEntry: 'entering the stage',
  noticeIssued: 'the Notice to Improve was issued',
  noticePeriodEnd: 'the end of the Notice to Improve period',
  contractAgreed: 'the attendance contract was agreed',
  planStart: 'the start of the plan',
};

/** The start date of an anchor in the case record, or null. */
export function anchorDate(record: CaseRecord, anchor: Anchor): PlainDate | null {
  const notice = [...record.notices].reverse().find((n) => n.status !== 'withdrawn');
  switch (anchor) {
    case 'stageEntry':
      return record.current?.enteredOn ?? null;
    case 'noticeIssued':
      return notice?.issuedOn ?? null;
    case 'noticePeriodEnd':
      return notice?.monitoringEndsOn ?? null;
    case 'contractAgreed':
      return [...record.contracts].reverse().find((c) => c.status !== 'ended')?.agreedOn ?? null;
    case 'planStart':
      return [...record.plans].reverse().find((p) => p.status === 'active')?.startsOn ?? null;
  }
}

function walk(c: Condition, out: Condition[]): void {
  out.push(c);
  if (c.kind === 'allOf') c.all.forEach((x) => walk(x, out));
  else if (c.kind === 'anyOf') c.any.forEach((x) => walk(x, out));
  else if (c.kind === 'not') walk(c.condition, out);
}

/** The dates the policy counts to for this case, and its next check points, in date order. */
export function policyDates(
  cal: SchoolCalendar,
  policy: AttendancePolicy,
  record: CaseRecord,
  today: PlainDate,
): PolicyDate[] {
  const out: PolicyDate[] = [];
  const seen = new Set<string>();
  const stages = orderedStages(policy);
  const at = record.current?.stageId ? stages.findIndex((s) => s.id === record.current!.stageId) : -1;
  for (const stage of stages.slice(Math.max(0, at))) {
    const own = stages.indexOf(stage) === at;
    const conditions: Condition[] = [];
    const roots: Condition[] = [...stage.triggers, ...(own ? (stage.stepDownWhen ?? []) : [])];
    for (const c of roots) walk(c, conditions);
    for (const c of conditions) {
      let from: Anchor | null = null;
      let span: Span | null = null;
      if (c.kind === 'timeSince') {
        from = c.from;
        span = c.span;
      } else if (c.kind === 'timeInStageAtLeast' && record.current && at >= 0) {
        from = 'stageEntry';
        span = { schoolWeeks: c.schoolWeeks };
      }
      if (!from || !span) continue;
      const start = anchorDate(record, from);
      if (!start) continue;
      const label = `${stage.name}: ${conditionInWords(c)}`;
      if (seen.has(label)) continue;
      seen.add(label);
      out.push({ label, on: spanEnds(cal, start, span), from: `${ANCHOR_WORDS[from]} on ${start}` });
    }
  }
  // The policy's next check points, when its rules are read at them.
  const kinds = allConditions(policy);
  const year = academicYearOf(today);
  const readsAt = (what: 'halfTermCheck' | 'reviewPoint') =>
    kinds.some(
      (c) =>
        ((c.kind === 'rateBelow' || c.kind === 'rateAtLeast') && c.at === what) ||
        (what === 'reviewPoint' && (c.kind === 'noImprovementAtReviewPoint' || c.kind === 'improvedAtReviewPoint')),
    );
  if (readsAt('halfTermCheck')) {
    const next = halfTermCheckDays(cal, year.start, year.end).find((c) => c.on >= today);
    if (next) out.push({ label: `Next check: ${next.label}`, on: next.on, from: 'the school calendar' });
  }
  if (readsAt('reviewPoint')) {
    const next = reviewPointDays(cal, policy.reviewPoints ?? [], year.start).find((c) => c.on >= today);
    if (next) out.push({ label: `Next check: ${next.label}`, on: next.on, from: 'the policy’s review points' });
  }
  return out.sort((a, b) => (a.on ?? '9999').localeCompare(b.on ?? '9999'));
}
