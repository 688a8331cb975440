import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MONDAY_0830,
  PASSWORD,
  pagesHarness,
  textOf,
  type PagesHarness,
  type PageSession,
} from '../../../test/web-pages.js';
import { apiRoutes } from '../../http/api.js';
import { SESSION_COOKIE } from '../../services/accounts/auth.js';
import { totpCode } from '../../services/accounts/mfa.js';
import { adminRoutes } from './admin-routes.js';
import { accountRoutes } from './account-routes.js';

const at = (seconds: number): string => new Date(Date.parse(MONDAY_0830) + seconds * 1000).toISOString();

describe('second factors in the browser', () => {
  let t: PagesHarness;
  beforeAll(async () => {
    t = await pagesHarness([accountRoutes, adminRoutes, apiRoutes], 'mfa');
  });
  afterAll(async () => {
    await t.close();
  });

  /** Signs in with the password only: the session, the redirect and the CSRF token of the page it leads to. */
  async function passwordOnly(email: string): Promise<{ s: PageSession; location: string }> {
    const res = await t.app.inject({ method: 'POST', url: '/sign-in', payload: { email, password: PASSWORD } });
    expect(res.statusCode).toBe(303);
    const cookie = res.cookies.find((c) => c.name === SESSION_COOKIE)!.value;
    const location = String(res.headers.location);
    const page = await t.app.inject({ method: 'GET', url: location, cookies: { [SESSION_COOKIE]: cookie } });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    return { s: { cookie, csrf }, location };
  }

  let secret = '';
  let recovery: string[] = [];

  it('an administrator must set up an app at the next sign-in; nothing else works until then', async () => {
    t.clock.set(at(0));
    const { s, location } = await passwordOnly('admin-mfa@school.test');
    expect(location).toBe('/account/mfa/totp');
    // Every other page leads there; the API refuses.
    const home = await t.get('/', s);
    expect(home.statusCode).toBe(302);
    expect(home.headers.location).toBe('/account/mfa/totp');
    expect((await t.get('/account/password', s)).headers.location).toBe('/account/mfa/totp?next=%2Faccount%2Fpassword');
    const api = await t.get('/api/pupils', s);
    expect(api.statusCode).toBe(403);
    expect(api.json()).toMatchObject({ error: { reason: 'mfa-enrol' } });

    const page = await t.get('/account/mfa/totp', s);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('data-testid="mfa-required"');
    expect(page.body).toMatch(/<svg[^>]*>/);
    secret = /data-testid="totp-secret">([A-Z2-7 ]+)</.exec(page.body)![1]!.replace(/ /g, '');
    expect(secret).toHaveLength(32);
    // The same secret on a reload (the app may already have scanned it).
    expect((await t.get('/account/mfa/totp', s)).body).toContain(secret.slice(0, 4));
    // Stored sealed, never as typed.
    const row = await t.open.db.selectFrom('mfa_totp').selectAll().executeTakeFirstOrThrow();
    expect(row.secret_enc).not.toContain(secret);

    const wrong = await t.post('/account/mfa/totp', s, {
      code: '000000' === totpCode(secret, at(0)) ? '111111' : '000000',
    });
    expect(wrong.statusCode).toBe(400);
    expect(textOf(wrong.body)).toContain('Enter the 6-digit code your authenticator app shows');

    const done = await t.post('/account/mfa/totp', s, { code: totpCode(secret, at(0)) });
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('data-testid="mfa-enrolled"');
    recovery = [...done.body.matchAll(/<li><code>([0-9A-Z]{5}-[0-9A-Z]{5})<\/code><\/li>/g)].map((m) => m[1]!);
    expect(recovery).toHaveLength(10);
    const stored = JSON.stringify(await t.open.db.selectFrom('mfa_recovery_codes').selectAll().execute());
    for (const c of recovery) expect(stored).not.toContain(c);
    expect((await t.get('/', s)).statusCode).toBe(200);
    const audit = await t.open.db
      .selectFrom('audit_log')
      .select(['action', 'details'])
      .where('action', '=', 'mfa.totpEnrol')
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]!.details).not.toContain(secret);
  });

  it('then asks for a code at each sign-in: a code works once, a recovery code once', async () => {
    t.clock.set(at(5));
    const first = await passwordOnly('admin-mfa@school.test');
    expect(first.location).toBe('/sign-in/mfa');
    expect((await t.get('/', first.s)).headers.location).toBe('/sign-in/mfa');
    // The code used to enrol (same 30-second step) is refused: a code never works twice.
    const replay = await t.post('/sign-in/mfa', first.s, { code: totpCode(secret, at(5)) });
    expect(replay.statusCode).toBe(400);
    expect(textOf(replay.body)).toContain('Enter a correct code');
    t.clock.set(at(40));
    const ok = await t.post('/sign-in/mfa', first.s, { code: totpCode(secret, at(40)), next: '/account/mfa' });
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe('/account/mfa');
    expect((await t.get('/', first.s)).statusCode).toBe(200);

    const second = await passwordOnly('admin-mfa@school.test');
    const code = recovery[0]!.toLowerCase().replace('-', ' ');
    expect((await t.post('/sign-in/mfa', second.s, { code })).statusCode).toBe(303);
    const third = await passwordOnly('admin-mfa@school.test');
    expect((await t.post('/sign-in/mfa', third.s, { code: recovery[0]! })).statusCode).toBe(400);
    const status = await t.get('/account/mfa', first.s);
    expect(textOf(status.body)).toContain('Recovery codes left 9');
    const actions = (
      await t.open.db.selectFrom('audit_log').select('action').where('action', 'like', 'auth.mfa%').execute()
    ).map((r) => r.action);
    expect(actions.filter((a) => a === 'auth.mfaVerified')).toHaveLength(2);
    expect(actions.filter((a) => a === 'auth.mfaFailed').length).toBeGreaterThanOrEqual(2);
  });

  it('wrong codes are delayed, growing, per account', async () => {
    // More than an hour after the failures above: the count has started again.
    t.clock.set(at(5000));
    const { s } = await passwordOnly('admin-mfa@school.test');
    for (let i = 0; i < 6; i++) expect((await t.post('/sign-in/mfa', s, { code: '12345' })).statusCode).toBe(400);
    const held = await t.post('/sign-in/mfa', s, { code: totpCode(secret, at(5000)) });
    expect(held.statusCode).toBe(429);
    expect(held.headers['retry-after']).toBe('30');
    t.clock.set(at(5031));
    expect((await t.post('/sign-in/mfa', s, { code: totpCode(secret, at(5031)) })).statusCode).toBe(303);
  });

  it('a teacher needs none, until the school requires it of all staff', async () => {
    t.clock.set(at(200));
    expect((await passwordOnly('teacher-mfa@school.test')).location).toBe('/');
    const admin = await t.signInAs('admin');
    const page = await t.get('/admin/sign-in-security', admin);
    expect(page.statusCode).toBe(200);
    expect(textOf(page.body)).toContain('Attendance officer');
    const teacher = await t.signInAs('teacher');
    expect((await t.get('/admin/sign-in-security', teacher)).statusCode).toBe(403);
    expect((await t.post('/admin/sign-in-security', teacher, { allStaff: 'yes' })).statusCode).toBe(403);
    const saved = await t.post('/admin/sign-in-security', admin, { allStaff: 'yes' });
    expect(saved.body).toContain('data-testid="saved"');
    expect((await passwordOnly('teacher-mfa@school.test')).location).toBe('/account/mfa/totp');
    // Parents and governors are not staff.
    expect((await passwordOnly('parent-mfa@school.test')).location).toBe('/');
    await t.post('/admin/sign-in-security', admin, { allStaff: '' });
    expect((await passwordOnly('teacher-mfa@school.test')).location).toBe('/');
    const audits = await t.open.db
      .selectFrom('audit_log')
      .select('details')
      .where('action', '=', 'school.mfaAllStaff')
      .execute();
    expect(audits.map((a) => JSON.parse(a.details!) as unknown)).toEqual([{ required: true }, { required: false }]);
  });

  it('bulk exports of personal data ask to confirm it is you when the last proof is older than 15 minutes', async () => {
    t.clock.set(at(300));
    const admin = await t.signInAs('admin');
    const pupil = t.school.pupilsA[0]!;
    const url = `/pupils/${pupil}/subject-access`;
    expect((await t.get(url, admin)).statusCode).toBe(200);
    t.clock.set(at(300 + 16 * 60));
    const held = await t.get(url, admin);
    expect(held.statusCode).toBe(302);
    expect(held.headers.location).toBe(`/account/confirm?next=${encodeURIComponent(url)}`);
    const form = await t.get('/account/confirm', admin);
    expect(textOf(form.body)).toContain('Confirm it is you');
    const wrong = await t.post('/account/confirm', admin, { password: 'not my password', next: url });
    expect(wrong.statusCode).toBe(400);
    expect(textOf(wrong.body)).toContain('Your password is not right');
    const ok = await t.post('/account/confirm', admin, { password: PASSWORD, next: url });
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe(url);
    expect((await t.get(url, admin)).statusCode).toBe(200);
    // The API answers 403 to a session that has not confirmed lately; an API key is not asked.
    t.clock.set(at(300 + 40 * 60));
    const api = await t.get(`/api/exports/daily-attendance?schoolId=${t.school.schoolId}&date=2025-09-08`, admin);
    expect(api.statusCode).toBe(403);
    expect(api.json()).toMatchObject({ error: { reason: 'reauthentication-required' } });
    expect(
      (await t.open.db.selectFrom('audit_log').select('action').where('action', '=', 'auth.reauthenticated').execute())
        .length,
    ).toBe(1);
  });
});
