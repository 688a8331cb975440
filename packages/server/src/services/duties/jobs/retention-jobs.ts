/**
 * The retention job: once a month, remove marks, their history, late arrivals, early leavers and
 * registers older than the keep period (6 years after their academic year) at every school,
 * recording each run. See docs/privacy.md.
 */
import { runRetentionEverywhere } from '../retention.js';
import { registerJob } from './registry.js';

registerJob({
  name: 'retention',
  description:
    'Remove marks, their history, late arrivals, early leavers and registers kept longer than 6 years after their academic year, at every school, with a record of what was removed.',
  schedule: '0 3 1 * *',
  scheduleInWords: 'The 1st of every month at 03:00',
  async run(ctx) {
    const results = await runRetentionEverywhere(ctx.deps, ctx.actor, ctx.date, ctx.schoolId);
    return Object.fromEntries(
      results.map((r) => [
        r.schoolId,
        {
          beforeDate: r.beforeDate,
          marks: r.marksRemoved,
          lessonMarks: r.lessonMarksRemoved,
          history: r.historyRemoved,
          lateArrivals: r.lateArrivalsRemoved,
          earlyLeavers: r.earlyLeaversRemoved,
          registers: r.registersRemoved,
        },
      ]),
    );
  },
});
