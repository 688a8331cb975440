/**
 * Plans: attendance support and improvement plans (SMART targets, review dates, the policy’s
 * minimum length), medical plans, part-time timetables (the head’s approval, the LA informed).
 */
import { z } from 'zod';
import { addDays, firstSessionOnOrAfter, mondayOf, type PlainDate, type SchoolCalendar } from '@rollcall/domain';
import { minPlanSchoolWeeks } from '../policy.js';
import type { Check } from '../record-check.js';
import { CASE_ITEM_LISTS, PLAN_KIND_LABELS, PLAN_KINDS, type PlanTarget } from '../record.js';
import { kind, optionalText, PUPIL, text } from './kind.js';

/**
 * The earliest end date a plan may have under the policy's minimum length: the last school day
 * of the `minWeeks`-th school week, counting the week the plan starts as week 1. Where the
 * calendar does not reach that far, the Friday of that week.
 */
export function earliestPlanEnd(cal: SchoolCalendar, startsOn: PlainDate, minWeeks: number): PlainDate {
  return lastSchoolDayOfWeek(cal, startsOn, minWeeks) ?? addDays(mondayOf(startsOn), 7 * minWeeks - 3);
}

/** The last school day of the n-th school week from the week of the first school day on or after `from`. */
export function lastSchoolDayOfWeek(cal: SchoolCalendar, from: PlainDate, n: number): PlainDate | null {
  const a = firstSessionOnOrAfter(cal, from);
  if (a >= cal.sessionCount) return null;
  const week = cal.sessionWeek[a]! + n - 1;
  if (week >= cal.weekCount) return null;
  return cal.sessionDate[cal.weekFirstSession[week + 1]! - 1]!;
}

const CREATE_PLAN = z.object({
  ...PUPIL,
  kind: text,
  startsOn: text,
  endsOn: text,
  details: optionalText,
  targets: z
    .array(z.object({ text, measure: text }))
    .readonly()
    .optional(),
  reviewDates: z.array(text).readonly().optional(),
  headApprovedBy: optionalText,
  headApprovedOn: optionalText,
  laInformedOn: optionalText,
});
export type PlanInput = z.infer<typeof CREATE_PLAN>;

/** Part-time timetables: the head approves before it starts; the LA may be told later. */
function checkPartTime(c: Check, input: PlanInput, startsOn: PlainDate | null) {
  const headApprovedBy = c.text(
    'headApprovedBy',
    input.headApprovedBy,
    'the headteacher who approved the part-time timetable',
    { max: 200 },
  );
  const headApprovedOn = c.date('headApprovedOn', input.headApprovedOn, 'the date the headteacher approved it');
  const laInformedOn = c.date('laInformedOn', input.laInformedOn, 'the date the local authority was informed', {
    required: false,
  });
  if (headApprovedOn && startsOn && headApprovedOn > startsOn)
    c.add('headApprovedOn', 'The headteacher approves a part-time timetable before it starts.');
  return { headApprovedBy, headApprovedOn, laInformedOn };
}

export const PLAN = kind({
  name: 'plan',
  table: 'case_plans',
  entityType: 'case_plan',
  permission: 'casework.manage',
  list: CASE_ITEM_LISTS.plans,
  create: {
    action: 'casework.plan.create',
    input: CREATE_PLAN,
    failed: 'The plan could not be saved.',
    check: async (c, input, ctx) => {
      const kind = c.oneOf('kind', input.kind, PLAN_KINDS, 'Choose the kind of plan.');
      const startsOn = c.date('startsOn', input.startsOn, 'the start date');
      const endsOn = c.date(
        'endsOn',
        input.endsOn,
        kind === 'part-time-timetable' ? 'the agreed end date' : 'the end date',
      );
      const details = c.text(
        'details',
        input.details,
        kind === 'medical'
          ? 'the medical needs and what the plan does'
          : kind === 'part-time-timetable'
            ? 'the reduced timetable'
            : 'details',
        { required: kind === 'medical' || kind === 'part-time-timetable' },
      );
      if (startsOn && endsOn && endsOn <= startsOn) c.add('endsOn', 'The end date must be after the start date.');
      const minWeeks = minPlanSchoolWeeks(ctx.school);
      const cal = await ctx.calendar();
      const smart = kind === 'attendance-support' || kind === 'improvement';
      if (smart && startsOn && endsOn && endsOn > startsOn) {
        const earliest = earliestPlanEnd(cal, startsOn, minWeeks);
        if (endsOn < earliest) {
          c.add(
            'endsOn',
            `The policy sets a minimum plan length of ${minWeeks} school weeks: end it on ${earliest} or later.`,
          );
        }
      }
      const targets: PlanTarget[] = [];
      (input.targets ?? []).forEach((t, i) => {
        if (!t.text.trim() && !t.measure.trim()) return;
        const text = c.text(`targets.${i}.text`, t.text, `target ${i + 1} (specific: what will happen)`, {
          max: 1000,
        });
        const measure = c.text(`targets.${i}.measure`, t.measure, `how target ${i + 1} is measured`, { max: 1000 });
        if (text && measure) targets.push({ text, measure, met: null });
      });
      if (smart && targets.length === 0 && !c.errors.some((e) => e.field.startsWith('targets.'))) {
        c.add(
          'targets.0.text',
          'Give at least one SMART target (specific, measurable, achievable, relevant, time-bound).',
        );
      }
      const reviewDates: PlainDate[] = [];
      (input.reviewDates ?? []).forEach((r, i) => {
        if (!r.trim()) return;
        const d = c.date(`reviewDates.${i}`, r, `review date ${i + 1}`);
        if (!d) return;
        if (startsOn && endsOn && (d < startsOn || d > endsOn))
          c.add(`reviewDates.${i}`, `Review date ${i + 1} must fall within the plan (${startsOn} to ${endsOn}).`);
        else reviewDates.push(d);
      });
      if (smart && reviewDates.length === 0 && !c.errors.some((e) => e.field.startsWith('reviewDates.'))) {
        c.add('reviewDates.0', 'Give at least one review date.');
      }
      const partTime =
        kind === 'part-time-timetable'
          ? checkPartTime(c, input, startsOn)
          : { headApprovedBy: null, headApprovedOn: null, laInformedOn: null };
      return { kind, startsOn, endsOn, details, targets, reviewDates, ...partTime };
    },
    write: (p, ctx) => ({
      values: {
        kind: p.kind!,
        status: 'active',
        starts_on: p.startsOn!,
        ends_on: p.endsOn!,
        details: p.details,
        targets: JSON.stringify(p.targets),
        review_dates: JSON.stringify(p.reviewDates.sort()),
        reviews: '[]',
        head_approved_by: p.headApprovedBy,
        head_approved_on: p.headApprovedOn,
        la_informed_on: p.laInformedOn,
        outcome: null,
      },
      details: { kind: p.kind, startsOn: p.startsOn, endsOn: p.endsOn },
      completes: {
        policyAction: `plan:${p.kind}`,
        outcome: `${PLAN_KIND_LABELS[p.kind!]} agreed from ${p.startsOn} to ${p.endsOn}`,
        completedOn: ctx.today(),
      },
    }),
  },
  /** Reviews a plan: notes, each target met or not, optionally ending it with an outcome. */
  update: {
    action: 'casework.plan.review',
    input: z.object({
      ...PUPIL,
      planId: text,
      on: text,
      notes: text,
      targetsMet: z.array(text).readonly().optional(),
      end: z.boolean().optional(),
      outcome: optionalText,
      laInformedOn: optionalText,
    }),
    idField: 'planId',
    missing: 'No such plan for this pupil.',
    decided: (p) => (p.status !== 'active' ? 'This plan has ended.' : null),
    failed: 'The review could not be recorded.',
    check: (c, input, plan, ctx) => {
      const on = c.date('on', input.on, 'the date of the review');
      if (on && on > ctx.today())
        c.add('on', 'A review cannot be recorded before it happens: the date is in the future.');
      const notes = c.text('notes', input.notes, 'what the review found');
      const targets = JSON.parse(plan.targets) as PlanTarget[];
      const met = input.targetsMet ?? [];
      const updatedTargets = targets.map((t, i): PlanTarget => {
        const v = met[i] ?? '';
        if (v === 'yes') return { ...t, met: true };
        if (v === 'no') return { ...t, met: false };
        if (v !== '') c.add(`targetsMet.${i}`, `Say whether target ${i + 1} was met.`);
        return t;
      });
      const outcome = c.text('outcome', input.outcome, 'the outcome of the plan', { required: input.end === true });
      const laInformedOn = c.date('laInformedOn', input.laInformedOn, 'the date the local authority was informed', {
        required: false,
      });
      return { on, notes, updatedTargets, end: input.end === true, outcome, laInformedOn };
    },
    write: (p, plan, ctx) => {
      const reviews = [
        ...(JSON.parse(plan.reviews) as { on: string; notes: string; by: string }[]),
        { on: p.on!, notes: p.notes!, by: ctx.actor.name },
      ];
      return {
        set: {
          targets: JSON.stringify(p.updatedTargets),
          reviews: JSON.stringify(reviews),
          status: p.end ? 'ended' : 'active',
          outcome: p.end ? p.outcome : plan.outcome,
          la_informed_on: p.laInformedOn ?? plan.la_informed_on,
        },
        details: { end: p.end },
      };
    },
  },
});
