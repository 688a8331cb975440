import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, pagesHarness, textOf, type PagesHarness } from '../../../test/web-pages.js';
import { apiRoutes } from '../../http/api.js';
import { SESSION_COOKIE } from '../../services/accounts/auth.js';
import { accountRoutes } from './account-routes.js';
import { registerRoutes } from '../registers/register-routes.js';

const NEW = 'a fresh passphrase of mine';

describe('changing one’s own password', () => {
  let t: PagesHarness;
  beforeAll(async () => {
    t = await pagesHarness([accountRoutes, registerRoutes, apiRoutes], 'acct');
  });
  afterAll(async () => {
    await t.close();
  });

  it('every signed-in person, parents too, has a Change password link and the page', async () => {
    for (const who of ['parent', 'teacher', 'la_officer'] as const) {
      const s = await t.signInAs(who);
      const home = await t.get('/', s);
      expect(home.body).toContain('href="/account/password"');
      const page = await t.get('/account/password', s);
      expect(page.statusCode).toBe(200);
      expect(textOf(page.body)).toContain('Change your password');
      expect(page.body).not.toContain('data-testid="must-change"');
    }
  });

  it('names each problem in an error summary linked to its field, and never fills in a password', async () => {
    const s = await t.signInAs('office');
    const res = await t.post('/account/password', s, {
      currentPassword: '',
      newPassword: 'short',
      confirmPassword: 'different',
    });
    expect(res.statusCode).toBe(400);
    const text = textOf(res.body);
    expect(text).toContain('There is a problem');
    expect(res.body).toContain('href="#current-password"');
    expect(res.body).toContain('href="#new-password"');
    expect(res.body).toContain('href="#confirm-password"');
    expect(text).toContain('Enter your current password');
    expect(text).toContain('Password must be 12 characters or more');
    expect(text).toContain('The passwords do not match');
    expect(res.body).not.toContain('value="short"');
    expect(res.body).toMatch(/<title>Error: /);
  });

  it('a wrong current password is a field error; too many delay it (429)', async () => {
    const s = await t.signInAs('governor');
    for (let i = 0; i < 6; i++) {
      const res = await t.post('/account/password', s, {
        currentPassword: `wrong ${i}`,
        newPassword: NEW,
        confirmPassword: NEW,
      });
      expect(res.statusCode).toBe(400);
      expect(textOf(res.body)).toContain('Your current password is not right');
    }
    const locked = await t.post('/account/password', s, {
      currentPassword: PASSWORD,
      newPassword: NEW,
      confirmPassword: NEW,
    });
    expect(locked.statusCode).toBe(429);
    expect(locked.headers['retry-after']).toBe('30');
    expect(textOf(locked.body)).toContain('wrong current password too many times. Wait 30 seconds');
  });

  it('changes the password, keeps this session, ends the others, and shows a success banner', async () => {
    const here = await t.signInAs('senco');
    const elsewhere = await t.signInAs('senco');
    const res = await t.post('/account/password', here, {
      currentPassword: PASSWORD,
      newPassword: NEW,
      confirmPassword: NEW,
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/account/password?changed=1');
    const page = await t.get('/account/password?changed=1', here);
    expect(page.statusCode).toBe(200);
    expect(textOf(page.body)).toContain('Your password has been changed');
    expect((await t.get('/', elsewhere)).statusCode).toBe(302);
    const again = await t.app.inject({
      method: 'POST',
      url: '/sign-in',
      payload: { email: 'senco-acct@school.test', password: NEW },
    });
    expect(again.statusCode).toBe(303);
  });

  it('with a temporary password, every page leads to the password page and the API answers 403 until it is changed', async () => {
    const s = await t.signInAs('teacher');
    await t.open.db
      .updateTable('users')
      .set({ must_change_password: 1 })
      .where('email', '=', 'teacher-acct@school.test')
      .execute();
    const registers = await t.get('/registers?date=2025-09-08', s);
    expect(registers.statusCode).toBe(302);
    expect(registers.headers.location).toBe('/account/password?next=%2Fregisters%3Fdate%3D2025-09-08');
    const home = await t.get('/', s);
    expect(home.headers.location).toBe('/account/password');
    const api = await t.get('/api/board?date=2025-09-08', s);
    expect(api.statusCode).toBe(403);
    expect(api.json<{ error: { message: string } }>().error.message).toContain('/account/password');
    const page = await t.get('/account/password?next=%2Fregisters%3Fdate%3D2025-09-08', s);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('data-testid="must-change"');
    expect(textOf(page.body)).toContain('Choose a new password');
    expect(page.body).not.toContain('href="/registers"');
    expect(page.body).toContain('name="next" value="/registers?date=2025-09-08"');

    const changed = await t.post('/account/password', s, {
      currentPassword: PASSWORD,
      newPassword: NEW,
      confirmPassword: NEW,
      next: '/registers?date=2025-09-08',
    });
    expect(changed.statusCode).toBe(303);
    expect(changed.headers.location).toBe('/account/password?changed=1&next=%2Fregisters%3Fdate%3D2025-09-08');
    const done = await t.get(changed.headers.location as string, s);
    expect(done.body).toContain('href="/registers?date=2025-09-08" data-testid="continue"');
    expect(done.body).not.toContain('data-testid="must-change"');
    expect((await t.get('/registers?date=2025-09-08', s)).statusCode).toBe(200);
    // Signing out still works for a person held on the password page.
    const held = await t.signInAs('office');
    await t.open.db
      .updateTable('users')
      .set({ must_change_password: 1 })
      .where('email', '=', 'office-acct@school.test')
      .execute();
    const out = await t.post('/sign-out', held, {});
    expect(out.statusCode).toBe(303);
    expect(out.headers.location).toBe('/sign-in');
    expect(
      (await t.app.inject({ method: 'GET', url: '/', cookies: { [SESSION_COOKIE]: held.cookie } })).statusCode,
    ).toBe(302);
  });
});
