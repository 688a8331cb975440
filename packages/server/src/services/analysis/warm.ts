/**
 * Warming the analysis cache when the server starts: each school's cohort for the current
 * academic year is loaded (from its snapshot where there is one), one school at a time with the
 * event loop free in between, so the first trust or LA view after a restart is answered from
 * memory rather than waiting for a hundred schools to be read.
 */
import { academicYearOf } from '@rollcall/domain';
import { listSchools } from '../school/schools.js';
import type { Deps } from '../deps.js';
import { loadCohort, type Cohort } from './cohort.js';

/** Loads every school's current-year cohort; a school that fails is logged and skipped. */
export async function warmCohorts(deps: Pick<Deps, 'db' | 'clock' | 'logger'>): Promise<Map<string, Cohort>> {
  const out = new Map<string, Cohort>();
  for (const school of await listSchools(deps.db)) {
    // Requests waiting since the last school go first.
    await new Promise((resolve) => setImmediate(resolve));
    const year = academicYearOf(deps.clock.today(school.timeZone));
    try {
      out.set(school.id, await loadCohort(deps, school.id, { from: year.start, to: year.end }));
    } catch (e) {
      deps.logger.warn({ err: e, schoolId: school.id }, 'could not warm the analysis cache for a school');
    }
  }
  return out;
}
