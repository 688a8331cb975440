import { expect, it } from 'vitest';
import { describeEachDialect } from '../../test/databases.js';
import { d, seedSmallSchool, testDeps } from '../../test/fixtures.js';
import { forgetCalendar } from '../services/registers.js';
import { runJobsList, runJobsRun } from './jobs.js';

function capture(): { out: string[]; err: string[]; io: { stdout(t: string): void; stderr(t: string): void } } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: (t) => out.push(t), stderr: (t) => err.push(t) } };
}

describeEachDialect('cli jobs', (ctx) => {
  it('runs a job by hand for a date, once; lists the jobs with the last run; refuses an unknown job', async () => {
    await seedSmallSchool(ctx.db);
    forgetCalendar();
    const deps = testDeps(ctx.db, ctx.dialect, '2025-09-19T16:00:00Z');
    const first = capture();
    expect(await runJobsRun(deps, first.io, { name: 'weekly-report', date: d('2025-09-19') })).toBe(0);
    expect(first.out.join('')).toContain('weekly-report for 2025-09-19: done');
    const again = capture();
    expect(await runJobsRun(deps, again.io, { name: 'weekly-report', date: d('2025-09-19') })).toBe(0);
    expect(again.out.join('')).toContain('already done');
    const list = capture();
    expect(await runJobsList(deps, list.io, { format: 'table' })).toBe(0);
    expect(list.out.join('')).toMatch(
      /weekly-report\s+Monday to Friday at 16:00; acts on the last school day of each week\s+\(last: 2025-09-19 done\)/,
    );
    const unknown = capture();
    expect(await runJobsRun(deps, unknown.io, { name: 'nope', date: d('2025-09-19') })).toBe(2);
    expect(unknown.err.join('')).toContain('There is no job called "nope".');
  });
});
