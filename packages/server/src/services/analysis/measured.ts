/**
 * Pupils measured for the analysis (issue 10), cached per cohort version, "as of" and period: used
 * by the dashboards (dashboard.ts) and by the targeting-support-meeting list (tsm.ts).
 */
import { academicYearOf, type AnalysisContext, type PlainDate } from '@rollcall/domain';
import type { School } from '../school/schools.js';
import type { Deps } from '../deps.js';
import { loadCohort, type Cohort, type CohortPupil } from './cohort.js';
import { measureEach, type MeasuredCounts } from './measure.js';

export type Measured = MeasuredCounts<CohortPupil>;

const measuredCache = new WeakMap<Cohort, Map<string, { ctx: AnalysisContext; pupils: readonly Measured[] }>>();

/**
 * Every pupil on roll at some point in the statistics period, measured (cached per cohort
 * version, "as of" and period). The same pupils as `rollcall analyse`: a pupil who left before
 * the period's first school session or joined after "as of" is left out.
 */
export async function measuredPupils(
  deps: Pick<Deps, 'db'>,
  school: School,
  asOf: PlainDate,
  from?: PlainDate,
  options: { checked?: boolean } = {},
): Promise<{ cohort: Cohort; ctx: AnalysisContext; pupils: readonly Measured[] }> {
  const periodFrom = from ?? academicYearOf(asOf).start;
  const cohort = await loadCohort(deps, school.id, { from: periodFrom, to: academicYearOf(asOf).end }, options);
  let byKey = measuredCache.get(cohort);
  if (!byKey) {
    byKey = new Map();
    measuredCache.set(cohort, byKey);
  }
  const key = `${asOf}|${periodFrom}|${school.policy.minPossibleSessions}`;
  const hit = byKey.get(key);
  if (hit) return { cohort, ...hit };
  const { ctx, measured: pupils } = measureEach(cohort.cal, cohort.pupils, {
    asOf,
    from,
    minPossibleSessions: school.policy.minPossibleSessions,
  });
  const entry = { ctx, pupils };
  byKey.set(key, entry);
  return { cohort, ...entry };
}
