/** The school's casework policy: its policy document's `casework` section, or the example. */
import { orderedStages, type AttendancePolicy, type PolicyStage } from '@rollcall/domain';
import type { School } from '../school/schools.js';
import { caseworkPolicyOf as policyOfDocument, caseworkSettingsOf } from '../policy/school-policy.js';

/**
 * The casework policy a school works to. Until the school's policy document carries a
 * `casework` section, the twin-track example (seed 002 §5.3) is used.
 */
export function caseworkPolicyOf(school: Pick<School, 'policy'>): AttendancePolicy {
  return policyOfDocument(school.policy);
}

/** Minimum plan length in school weeks when the policy does not say (issue 5: "e.g. 6 school weeks"). */
export { DEFAULT_MIN_PLAN_SCHOOL_WEEKS } from '../policy/casework-policy.js';

/** The policy's minimum plan length in school weeks (`minPlanSchoolWeeks`, default 6). */
export function minPlanSchoolWeeks(school: Pick<School, 'policy'>): number {
  return caseworkSettingsOf(school.policy).minPlanSchoolWeeks;
}

/** New first-stage suggestions one evaluation proposes at most (`maxNewEntriesPerRun`); null: no cap. */
export function maxNewEntriesPerRun(school: Pick<School, 'policy'>): number | null {
  return caseworkSettingsOf(school.policy).maxNewEntriesPerRun;
}

/**
 * The Notice to Improve monitoring period the policy names (`noticeToImprovePeriod`, default
 * 15 school days). Staff may choose either on the form.
 */
export function noticePeriodOf(school: Pick<School, 'policy'>): '15-school-days' | '6-weeks' {
  return caseworkSettingsOf(school.policy).noticeToImprovePeriod;
}

export function stageOf(policy: AttendancePolicy, id: string | null): PolicyStage | null {
  return id === null ? null : (policy.stages.find((s) => s.id === id) ?? null);
}

export function stageName(policy: AttendancePolicy, id: string | null): string {
  if (id === null) return 'No stage (out of staged casework)';
  return stageOf(policy, id)?.name ?? id;
}

export { orderedStages };
