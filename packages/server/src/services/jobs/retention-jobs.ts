/**
 * The retention job: once a month, remove marks and their history older than the keep period
 * (6 years after their academic year) at every school, recording each run. See docs/privacy.md.
 */
import { runRetentionEverywhere } from '../retention.js';
import { registerJob } from './registry.js';

registerJob({
  name: 'retention',
  description:
    'Remove marks and their history kept longer than 6 years after their academic year, at every school, with a record of what was removed.',
  schedule: '0 3 1 * *',
  scheduleInWords: 'The 1st of every month at 03:00',
  async run(ctx) {
    const results = await runRetentionEverywhere(ctx.deps, ctx.actor, ctx.date);
    return Object.fromEntries(
      results.map((r) => [
        r.schoolId,
        {
          beforeDate: r.beforeDate,
          marks: r.marksRemoved,
          lessonMarks: r.lessonMarksRemoved,
          history: r.historyRemoved,
        },
      ]),
    );
  },
});
