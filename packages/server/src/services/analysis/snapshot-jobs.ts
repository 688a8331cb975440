/**
 * The nightly `analysis-snapshots` job: every school's cohort snapshot for the current academic
 * year brought up to date (written when missing, on another calendar, older than an import,
 * retention run or admission register change, more than 5,000 marks behind, or with the school's
 * figures for another day: so every night), so the first request after a restart — or the first
 * of the morning — reads one row per school, and the trust and LA views only the figures. See
 * docs/analysis.md.
 */
import { academicYearOf } from '@rollcall/domain';
import { listSchoolIds } from '../../db/school/schools.js';
import { registerJob } from '../duties/jobs/registry.js';
import { refreshCohortSnapshot } from './cohort.js';

registerJob({
  name: 'analysis-snapshots',
  description:
    'Bring every school’s attendance-figures snapshot for the current academic year up to date, so the figures load quickly after a restart.',
  schedule: '30 2 * * *',
  scheduleInWords: 'Every night at 02:30',
  runsFor: 'installation',
  async run(ctx) {
    const yearStart = academicYearOf(ctx.date).start;
    const schools = await listSchoolIds(ctx.deps.db);
    let written = 0;
    for (const id of schools) if (await refreshCohortSnapshot(ctx.deps, id, yearStart)) written++;
    return { yearStart, schools: schools.length, written };
  },
});
