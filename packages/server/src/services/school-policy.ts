/**
 * A school's attendance policy as a validated document. This first version holds what the
 * register needs; stages, letters and thresholds join it with the casework.
 */
import { checkRegisterTimes, DEFAULT_REGISTER_TIMES, isTimeOfDay, type RegisterTimes } from '@rollcall/domain';
import { z } from 'zod';

/**
 * The first-day follow-up ladder, in school days of unexplained absence (the defaults are seed
 * 002's: home visit on day 3 and every 3 days after, at once if vulnerable; children-missing-
 * education enquiries from day 10 and a referral at day 20).
 *
 * @see ../../../../shared/seeds/002_aba111d41983db42.txt §5.4, §5.7
 */
export interface FollowUpLadder {
  readonly homeVisitFirstDay: number;
  readonly homeVisitEveryDays: number;
  readonly vulnerableHomeVisitDay: number;
  readonly cmeEnquiriesDay: number;
  readonly cmeReferralDay: number;
}

export const DEFAULT_FOLLOW_UP_LADDER: FollowUpLadder = Object.freeze({
  homeVisitFirstDay: 3,
  homeVisitEveryDays: 3,
  vulnerableHomeVisitDay: 1,
  cmeEnquiriesDay: 10,
  cmeReferralDay: 20,
});

const schoolDays = (max: number) => z.number().int().min(1).max(max);

const time = z.string().refine(isTimeOfDay, 'must be a time HH:MM (24-hour clock)');
const window = z.object({ opens: time, closes: time });

export const schoolPolicySchema = z
  .object({
    version: z.literal(1).default(1),
    registerTimes: z.object({ AM: window, PM: window }).default(DEFAULT_REGISTER_TIMES),
    /** A policy minimum of possible sessions before PA/SA is reported (default none, as the DfE). */
    minPossibleSessions: z.number().int().min(0).default(0),
    /**
     * Unresolved `N` marks become `O` after this many school days (null: never, the default).
     * At least 5: the rules give the school 5 school days to establish the reason.
     */
    convertNToOAfterSchoolDays: z.number().int().min(5).max(60).nullable().default(null),
    /** The first-day follow-up ladder (school days of unexplained absence). */
    followUp: z
      .object({
        homeVisitFirstDay: schoolDays(20),
        homeVisitEveryDays: schoolDays(20),
        vulnerableHomeVisitDay: schoolDays(5),
        cmeEnquiriesDay: schoolDays(60),
        cmeReferralDay: schoolDays(60),
      })
      .default(DEFAULT_FOLLOW_UP_LADDER),
  })
  .superRefine((p, ctx) => {
    if (p.followUp.cmeReferralDay < p.followUp.cmeEnquiriesDay) {
      ctx.addIssue({
        code: 'custom',
        path: ['followUp', 'cmeReferralDay'],
        message: 'the CME referral comes after the enquiries begin: make it the same day or later',
      });
    }
    for (const problem of checkRegisterTimes(p.registerTimes)) {
      ctx.addIssue({ code: 'custom', path: ['registerTimes', problem.session], message: problem.message });
    }
  });

export type SchoolPolicy = z.infer<typeof schoolPolicySchema> & { registerTimes: RegisterTimes };

export const DEFAULT_POLICY: SchoolPolicy = schoolPolicySchema.parse({});

/** Parses a stored or uploaded policy; errors name the field. */
export function parseSchoolPolicy(json: string): { ok: true; policy: SchoolPolicy } | { ok: false; errors: string[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return { ok: false, errors: ['the policy is not valid JSON'] };
  }
  const r = schoolPolicySchema.safeParse(raw);
  if (!r.success)
    return { ok: false, errors: r.error.issues.map((i) => `${i.path.join('.') || '(policy)'}: ${i.message}`) };
  return { ok: true, policy: r.data };
}
