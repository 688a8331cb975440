import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PASSWORD,
  pagesHarness,
  section,
  textOf,
  type PagesHarness,
  type PageSession,
} from '../../../test/web-pages.js';
import { passSecondFactor } from '../../../test/fixtures.js';
import type { PlainDate } from '@rollcall/domain';
import { SESSION_COOKIE } from '../../services/accounts/auth.js';
import { hashPassword } from '../../platform/passwords.js';
import { runJob } from '../../services/duties/jobs/index.js';
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
    expect(textOf(section(after.body, 'runs'))).toContain('weekly-report This school 2025-09-19 Done');
    // Started at 16:00 UTC: shown in local time (BST), never as a raw instant.
    expect(textOf(section(after.body, 'runs'))).toContain('19 September 2025 at 17:00');
    expect(section(after.body, 'runs')).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:/);
  });

  it("shows a school's administrator only their school's part of every run, and runs jobs for their school alone", async () => {
    const otherUrn = '900002-jobs-pages';
    // The schedule runs the returns for the whole installation: both schools' results are stored.
    await runJob(t.deps, 'weekly-report', '2025-09-12' as PlainDate, { trigger: 'schedule' });
    const page = await t.get('/admin/jobs', admin);
    const runs = textOf(section(page.body, 'runs'));
    expect(runs).toContain('weekly-report Every school 2025-09-12 Done');
    expect(runs).toContain('900001-jobs-pages');
    expect(runs).not.toContain(otherUrn);
    // Jobs that serve the whole installation are not offered to a school.
    expect(textOf(section(page.body, 'jobs'))).not.toContain('outbox');
    expect(textOf(section(page.body, 'jobs'))).not.toContain('analysis-snapshots');
    // Running one by hand works for this school only, and does not mark the installation's run done.
    const run = await t.post('/admin/jobs/run', admin, { job: 'weekly-report', date: '2025-09-26' });
    expect(run.headers.location).toContain('outcome=done');
    const whole = await runJob(t.deps, 'weekly-report', '2025-09-26' as PlainDate, { trigger: 'schedule' });
    expect(whole.status).toBe('done');
    // An installation-only job cannot be run by a school's administrator.
    expect((await t.post('/admin/jobs/run', admin, { job: 'outbox', date: '2025-09-26' })).statusCode).toBe(400);
  });

  it('shows an installation administrator every run and runs jobs for every school', async () => {
    await t.deps.db
      .insertInto('users')
      .values({
        id: 'install-admin',
        email: 'install-admin@school.test',
        display_name: 'Installation admin',
        password_hash: await hashPassword(PASSWORD),
        role: 'admin',
        school_id: null,
        trust_id: null,
        la_code: null,
        created_at: '2025-09-01T00:00:00.000Z',
      })
      .execute();
    const res = await t.app.inject({
      method: 'POST',
      url: '/sign-in',
      payload: { email: 'install-admin@school.test', password: PASSWORD },
    });
    const cookie = res.cookies.find((c) => c.name === SESSION_COOKIE)!.value;
    await passSecondFactor(t.open.db, cookie);
    const home = await t.app.inject({ method: 'GET', url: '/', cookies: { [SESSION_COOKIE]: cookie } });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(home.body)![1]!;
    const installAdmin = { cookie, csrf };
    const page = await t.get('/admin/jobs', installAdmin);
    expect(page.statusCode).toBe(200);
    expect(textOf(section(page.body, 'jobs'))).toContain('outbox');
    expect(textOf(section(page.body, 'runs'))).toContain('900002-jobs-pages');
    const run = await t.post('/admin/jobs/run', installAdmin, { job: 'weekly-report', date: '2025-10-03' });
    expect(run.headers.location).toContain('outcome=done');
    const after = textOf(section((await t.get('/admin/jobs', installAdmin)).body, 'runs'));
    expect(after).toContain('weekly-report Every school 2025-10-03 Done');
  });

  it('is for administrators only', async () => {
    const officer = await t.signInAs('attendance_officer');
    expect((await t.get('/admin/jobs', officer)).statusCode).toBe(403);
    expect((await t.post('/admin/jobs/run', officer, { job: 'weekly-report', date: '2025-09-19' })).statusCode).toBe(
      403,
    );
  });
});
