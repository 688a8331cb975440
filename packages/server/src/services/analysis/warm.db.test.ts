import { academicYearOf } from '@rollcall/domain';
import { expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/databases.js';
import { seedSmallSchool, testDeps } from '../../../test/fixtures.js';
import { loadCohort } from './cohort.js';
import { warmCohorts } from './warm.js';

describeEachDialect('warmCohorts', (ctx) => {
  it('loads every school’s current-year cohort so the next view is answered from the cache', async () => {
    const s = await seedSmallSchool(ctx.db);
    const deps = testDeps(ctx.db, ctx.dialect);
    const warmed = await warmCohorts(deps);
    expect([...warmed.keys()].sort()).toEqual([s.schoolId, s.otherSchoolId].sort());
    const year = academicYearOf(deps.clock.today('Europe/London'));
    // A cache hit hands back the very cohort the warm-up loaded.
    const again = await loadCohort(deps, s.schoolId, { from: year.start, to: year.end });
    expect(again).toBe(warmed.get(s.schoolId));
    expect(again.pupils.map((p) => p.id).sort()).toEqual([...s.pupilsA, ...s.pupilsB].sort());
  });
});
