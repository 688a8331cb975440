/**
 * A school's attendance policy as a validated document. This first version holds what the
 * register needs; stages, letters and thresholds join it with the casework.
 */
import { checkRegisterTimes, DEFAULT_REGISTER_TIMES, isTimeOfDay, type RegisterTimes } from '@rollcall/domain';
import { z } from 'zod';

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
  })
  .superRefine((p, ctx) => {
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
