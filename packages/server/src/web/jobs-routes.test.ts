import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pagesHarness, section, textOf, type PagesHarness, type PageSession } from '../../test/web-pages.js';
import { jobsRoutes } from './jobs-routes.js';

let t: PagesHarness;
let admin: PageSession;

beforeAll(async () => {
  t = await pagesHarness([jobsRoutes], 'jobs-pages', '2025-09-19T16:00:00.000Z');
  admin = await t.signInAs('admin');
});

afterAll(async () => {
  await t.close();
});

describe('the scheduled jobs page', () => {
  it('lists the jobs, runs one by hand once per date, and shows the run', async () => {
    const page = await t.get('/admin/jobs', admin);
    expect(page.statusCode).toBe(200);
    expect(textOf(section(page.body, 'jobs'))).toContain('returns-due');
    const run = await t.post('/admin/jobs/run', admin, { job: 'weekly-report', date: '2025-09-19' });
    expect(run.statusCode).toBe(303);
    expect(run.headers.location).toContain('outcome=done');
    const again = await t.post('/admin/jobs/run', admin, { job: 'weekly-report', date: '2025-09-19' });
    expect(again.headers.location).toContain('outcome=alreadyDone');
    const after = await t.get('/admin/jobs', admin);
    expect(textOf(section(after.body, 'runs'))).toContain('weekly-report 2025-09-19 Done');
  });

  it('is for administrators only', async () => {
    const officer = await t.signInAs('attendance_officer');
    expect((await t.get('/admin/jobs', officer)).statusCode).toBe(403);
    expect((await t.post('/admin/jobs/run', officer, { job: 'weekly-report', date: '2025-09-19' })).statusCode).toBe(
      403,
    );
  });
});
