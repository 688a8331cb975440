import { expect, it } from 'vitest';
import { describeEachDialect } from '../../test/databases.js';
import { d, seedSmallSchool, testDeps } from '../../test/fixtures.js';
import { forgetCalendar } from '../services/registers/registers.js';
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

  it('--school runs a job for that school alone, apart from the run for every school', async () => {
    const school = await seedSmallSchool(ctx.db);
    forgetCalendar();
    const urn = `900001-${school.schoolId.replace('school-', '')}`;
    const deps = testDeps(ctx.db, ctx.dialect, '2025-09-26T16:00:00Z');
    const own = capture();
    expect(await runJobsRun(deps, own.io, { name: 'weekly-report', date: d('2025-09-26'), school: urn })).toBe(0);
    expect(own.out.join('')).toContain(urn);
    expect(own.out.join('')).not.toContain(urn.replace('900001', '900002'));
    const all = capture();
    expect(await runJobsRun(deps, all.io, { name: 'weekly-report', date: d('2025-09-26') })).toBe(0);
    expect(all.out.join('')).toContain('done');
    expect(all.out.join('')).toContain(urn.replace('900001', '900002'));
    const nowhere = capture();
    expect(
      await runJobsRun(deps, nowhere.io, { name: 'weekly-report', date: d('2025-09-26'), school: 'no-such' }),
    ).toBe(4);
    expect(nowhere.err.join('')).toBe('rollcall jobs run: There is no school with URN "no-such".\n');
  });
});
