/**
 * The staged-casework part of a school's attendance policy as a validated document (YAML or
 * JSON parsed by the caller): every problem comes back with the path of its field, so the policy
 * editor can put the message beside the field.
 */
import type { AttendancePolicy, Trigger } from '@rollcall/domain';
import { z } from 'zod';

const rate = z
  .number()
  .min(0, 'must be a fraction from 0 to 1 (e.g. 0.9 for 90%)')
  .max(1, 'must be a fraction from 0 to 1 (e.g. 0.9 for 90%)');
const weeks = z.number().int().min(1).max(52);
const count = z.number().int().min(1).max(400);

const at = z.enum(['today', 'halfTermCheck', 'reviewPoint'], {
  message: "must be 'today', 'halfTermCheck' or 'reviewPoint'",
});
const anchor = z.enum(['stageEntry', 'noticeIssued', 'noticePeriodEnd', 'contractAgreed', 'planStart'], {
  message: "must be 'stageEntry', 'noticeIssued', 'noticePeriodEnd', 'contractAgreed' or 'planStart'",
});
const span = z.union(
  [
    z.object({ schoolDays: z.number().int().min(1).max(400) }).strict(),
    z.object({ schoolWeeks: z.number().int().min(1).max(104) }).strict(),
    z.object({ calendarMonths: z.number().int().min(1).max(36) }).strict(),
  ],
  { message: 'give one of schoolDays, schoolWeeks or calendarMonths' },
);
const engagementFact = z.enum(['contractBroken', 'medicalActionPlanAgreed', 'parentRefusedSupport'], {
  message: "must be 'contractBroken', 'medicalActionPlanAgreed' or 'parentRefusedSupport'",
});

const simpleTriggers = [
  z.object({ kind: z.literal('rateBelow'), rate, at: at.optional() }),
  z.object({ kind: z.literal('rateBelowOverLastWeeks'), rate, weeks }),
  z.object({ kind: z.literal('unauthorisedSessionsInRollingWeeks'), sessions: count, weeks }),
  z.object({ kind: z.literal('brokenWeeksAtLeast'), weeks }),
  z.object({ kind: z.literal('consecutiveDaysAbsent'), days: count }),
  z.object({ kind: z.literal('noImprovementSinceReview') }),
  z.object({ kind: z.literal('noImprovementAtReviewPoint') }),
  z.object({ kind: z.literal('timeInStageAtLeast'), schoolWeeks: weeks }),
  z.object({ kind: z.literal('timeSince'), from: anchor, span }),
  z.object({ kind: z.literal('meetingNotAttended'), meetings: count }),
  z.object({ kind: z.literal('planTargetsMissed'), targets: count }),
  z.object({ kind: z.literal('engagement'), fact: engagementFact }),
  z.object({ kind: z.literal('illnessShareAtLeast'), share: rate }),
  z.object({ kind: z.literal('noticeBreached') }),
  z.object({ kind: z.literal('lastYearRateBelow'), rate }),
] as const;

/** Conditions nest: `allOf`, `anyOf` and `not` hold any trigger, nested ones too. */
const trigger: z.ZodType<Trigger> = z.lazy(() =>
  z.discriminatedUnion('kind', [
    ...simpleTriggers,
    z.object({ kind: z.literal('allOf'), all: z.array(trigger).min(1, 'allOf needs at least one condition') }),
    z.object({ kind: z.literal('anyOf'), any: z.array(trigger).min(1, 'anyOf needs at least one condition') }),
    z.object({ kind: z.literal('not'), condition: trigger }),
  ]),
);

const stepDown = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('rateAtLeast'), rate, at: at.optional() }),
  z.object({ kind: z.literal('rateAtLeastOverLastWeeks'), rate, weeks }),
  z.object({
    kind: z.literal('unauthorisedSessionsInRollingWeeksAtMost'),
    sessions: z.number().int().min(0).max(400),
    weeks,
  }),
  z.object({ kind: z.literal('improvedSinceReview') }),
  z.object({ kind: z.literal('improvedAtReviewPoint') }),
  z.object({ kind: z.literal('timeInStageAtLeast'), schoolWeeks: weeks }),
  z.object({ kind: z.literal('timeSince'), from: anchor, span }),
]);

const month = z.number().int().min(1, 'must be a month 1 to 12').max(12, 'must be a month 1 to 12');
const reviewPoint = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('date'),
    month,
    day: z.number().int().min(1).max(31),
    label: z.string().trim().min(1).optional(),
  }),
  z.object({
    kind: z.literal('schoolWeekOf'),
    which: z.enum(['first', 'last'], { message: "must be 'first' or 'last'" }),
    month,
    label: z.string().trim().min(1).optional(),
  }),
]);

const text = z.string().trim().min(1, 'must not be empty');

/** The defaults when a policy does not say: plans of at least 6 school weeks, notices monitored 15 school days. */
export const DEFAULT_MIN_PLAN_SCHOOL_WEEKS = 6;
export const NOTICE_TO_IMPROVE_PERIODS = ['15-school-days', '6-weeks'] as const;
export type NoticeToImprovePeriod = (typeof NOTICE_TO_IMPROVE_PERIODS)[number];
export const DEFAULT_NOTICE_TO_IMPROVE_PERIOD: NoticeToImprovePeriod = '15-school-days';
export const planWeeks = z
  .number()
  .int('must be a whole number of school weeks')
  .min(1, 'must be at least 1 school week')
  .max(52, 'must be at most 52 school weeks');
export const noticePeriod = z.enum(NOTICE_TO_IMPROVE_PERIODS, {
  message: "must be '15-school-days' or '6-weeks'",
});
/** At most this many new first-stage suggestions per evaluation (docs/policy.md; absent: no cap). */
export const maxNewEntries = z
  .number()
  .int('must be a whole number of suggestions')
  .min(1, 'must be at least 1 (leave it out for no cap)')
  .max(10_000, 'must be at most 10000');

export const caseworkPolicySchema = z
  .object({
    id: text,
    name: text,
    source: text,
    target: rate.optional(),
    adjustedAttendance: z.object({ integrationSchoolWeeks: z.number().int().min(0).max(26) }).optional(),
    /** Shortest support or improvement plan in school weeks (default 6). */
    minPlanSchoolWeeks: planWeeks.optional(),
    /** A Notice to Improve's monitoring period (default '15-school-days'). */
    noticeToImprovePeriod: noticePeriod.optional(),
    /** New first-stage (entry) suggestions proposed per evaluation at most, the most serious first (default: no cap). */
    maxNewEntriesPerRun: maxNewEntries.optional(),
    /** The school year's review points, for conditions read at the review point. */
    reviewPoints: z.array(reviewPoint).optional(),
    bands: z
      .array(z.object({ name: text, minRate: rate, colour: text, description: text.optional() }))
      .min(1, 'give at least one band'),
    stages: z
      .array(
        z.object({
          id: text,
          name: text,
          order: z.number().int().min(1),
          triggers: z.array(trigger).min(1, 'a stage needs at least one trigger, or nobody would ever enter it'),
          actions: z.array(text),
          requiresPrevious: z.boolean().optional(),
          offerWhenSkipped: z.boolean().optional(),
          stopOnStepDown: z.boolean().optional(),
          inStage: z.array(z.object({ id: text, when: trigger, actions: z.array(text).min(1) })).optional(),
          reviewAfterSchoolWeeks: z.number().int().min(0).max(52),
          stepDownWhen: z.array(stepDown).optional(),
          stepDownActions: z.array(text).optional(),
          stepDownTo: text.nullable().optional(),
        }),
      )
      .min(1, 'give at least one stage'),
  })
  .superRefine((p, ctx) => {
    const ids = new Map<string, number>();
    const orders = new Map<number, number>();
    p.stages.forEach((s, i) => {
      const sameId = ids.get(s.id);
      if (sameId !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['stages', i, 'id'],
          message: `the id "${s.id}" is already used by stage ${sameId + 1}`,
        });
      } else ids.set(s.id, i);
      const sameOrder = orders.get(s.order);
      if (sameOrder !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['stages', i, 'order'],
          message: `order ${s.order} is already used by stage ${sameOrder + 1}`,
        });
      } else orders.set(s.order, i);
    });
    p.stages.forEach((s, i) => {
      if (s.stepDownTo === undefined || s.stepDownTo === null) return;
      const to = p.stages.find((t) => t.id === s.stepDownTo);
      if (!to)
        ctx.addIssue({
          code: 'custom',
          path: ['stages', i, 'stepDownTo'],
          message: `there is no stage with the id "${s.stepDownTo}"`,
        });
      else if (to.order >= s.order)
        ctx.addIssue({
          code: 'custom',
          path: ['stages', i, 'stepDownTo'],
          message: `a step down must lead to a lower stage ("${to.id}" is not below "${s.id}")`,
        });
    });
    const names = new Set<string>();
    p.bands.forEach((b, i) => {
      if (names.has(b.name))
        ctx.addIssue({ code: 'custom', path: ['bands', i, 'name'], message: `the band "${b.name}" is listed twice` });
      names.add(b.name);
    });
  });

/** Checks a casework policy; errors are `path: message` with the field's path. */
export function parseCaseworkPolicy(
  raw: unknown,
): { ok: true; policy: AttendancePolicy } | { ok: false; errors: string[] } {
  const r = caseworkPolicySchema.safeParse(raw);
  if (!r.success)
    return { ok: false, errors: r.error.issues.map((i) => `${i.path.join('.') || '(policy)'}: ${i.message}`) };
  return { ok: true, policy: r.data };
}
