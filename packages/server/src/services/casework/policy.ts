/** The school's casework policy: its policy document's `casework` section, or the example. */
import { orderedStages, type AttendancePolicy, type PolicyStage } from '@rollcall/domain';
import type { School } from '../../db/repositories/schools.js';
import { caseworkPolicyOf as policyOfDocument } from '../school-policy.js';

/**
 * The casework policy a school works to. Until the school's policy document carries a
 * `casework` section, the twin-track example (seed 002 §5.3) is used.
 */
export function caseworkPolicyOf(school: Pick<School, 'policy'>): AttendancePolicy {
  return policyOfDocument(school.policy);
}

/**
 * Minimum plan length in school weeks when the policy does not say (issue 5: "e.g. 6 school
 * weeks"). The policy document has no field for it yet; `casework.minPlanSchoolWeeks` is read
 * when present.
 */
export const DEFAULT_MIN_PLAN_SCHOOL_WEEKS = 6;

/** The policy's minimum plan length in school weeks, if it names one. */
export function minPlanSchoolWeeks(school: Pick<School, 'policy'>): number {
  const p = school.policy as { casework?: { minPlanSchoolWeeks?: number } | null; minPlanSchoolWeeks?: number };
  return p.casework?.minPlanSchoolWeeks ?? p.minPlanSchoolWeeks ?? DEFAULT_MIN_PLAN_SCHOOL_WEEKS;
}

/**
 * The Notice to Improve monitoring period the policy names (default 15 school days; the policy
 * document has no field for it yet, `casework.noticeToImprovePeriod: '6-weeks'` is read when
 * present). Staff may choose either on the form.
 */
export function noticePeriodOf(school: Pick<School, 'policy'>): '15-school-days' | '6-weeks' {
  const p = school.policy as { casework?: { noticeToImprovePeriod?: string } | null };
  return p.casework?.noticeToImprovePeriod === '6-weeks' ? '6-weeks' : '15-school-days';
}

export function stageOf(policy: AttendancePolicy, id: string | null): PolicyStage | null {
  return id === null ? null : (policy.stages.find((s) => s.id === id) ?? null);
}

export function stageName(policy: AttendancePolicy, id: string | null): string {
  if (id === null) return 'No stage (out of staged casework)';
  return stageOf(policy, id)?.name ?? id;
}

export { orderedStages };
