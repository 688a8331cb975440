/**
 * Passkeys through the pages (issue 16), with real WebAuthn ceremonies: a software authenticator
 * (test/software-authenticator.ts: ES256 keys from node:crypto, 'none' attestation) answers the
 * options the pages give, and `@simplewebauthn/server` checks the answers for real.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MONDAY_0830,
  PASSWORD,
  pagesHarness,
  textOf,
  type PagesHarness,
  type PageSession,
} from '../../../test/web-pages.js';
import {
  SoftwareAuthenticator,
  type CreationOptions,
  type RequestOptions,
} from '../../../test/software-authenticator.js';
import { loadConfig } from '../../config/config.js';
import { SESSION_COOKIE } from '../../services/accounts/auth.js';
import { relyingParty } from '../../services/accounts/passkeys.js';
import { accountRoutes } from './account-routes.js';

const at = (seconds: number): string => new Date(Date.parse(MONDAY_0830) + seconds * 1000).toISOString();
/** What the pages see as their own address under inject (no PUBLIC_URL): http://localhost. */
const ORIGIN = 'http://localhost';

function unescapeHtml(s: string): string {
  return s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** The WebAuthn options a page's passkey form carries. */
function optionsOf<T>(html: string): T {
  const m = /data-passkey="(?:register|authenticate)" data-options="([^"]*)"/.exec(html);
  if (!m) throw new Error('no passkey form on the page');
  return JSON.parse(unescapeHtml(m[1]!)) as T;
}

describe('passkeys in the browser', () => {
  let t: PagesHarness;
  const laptop = new SoftwareAuthenticator();
  beforeAll(async () => {
    t = await pagesHarness([accountRoutes], 'passkeys');
  });
  afterAll(async () => {
    await t.close();
  });

  /** Signs in with the password only: the session, where it was sent, and the CSRF token of that page. */
  async function passwordOnly(email: string): Promise<{ s: PageSession; location: string; page: string }> {
    const res = await t.app.inject({ method: 'POST', url: '/sign-in', payload: { email, password: PASSWORD } });
    expect(res.statusCode).toBe(303);
    const cookie = res.cookies.find((c) => c.name === SESSION_COOKIE)!.value;
    const location = String(res.headers.location);
    const page = await t.app.inject({ method: 'GET', url: location, cookies: { [SESSION_COOKIE]: cookie } });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    return { s: { cookie, csrf }, location, page: page.body };
  }

  async function actions(prefix: string): Promise<{ action: string; details: string | null }[]> {
    return t.open.db
      .selectFrom('audit_log')
      .select(['action', 'details'])
      .where('action', 'like', `${prefix}%`)
      .orderBy('at')
      .execute();
  }

  it('the relying party is PUBLIC_URL when set, else the address asked', () => {
    const configured = loadConfig({ SQLITE_PATH: ':memory:', PUBLIC_URL: 'https://attendance.example.org/x' });
    expect(relyingParty(configured, 'http://localhost:3000')).toEqual({
      id: 'attendance.example.org',
      origin: 'https://attendance.example.org',
      name: 'Rollcall',
    });
    expect(relyingParty(loadConfig({ SQLITE_PATH: ':memory:' }), 'http://localhost:3105')).toMatchObject({
      id: 'localhost',
      origin: 'http://localhost:3105',
    });
  });

  it('an administrator who must set up a second factor may choose a passkey instead of an app', async () => {
    t.clock.set(at(0));
    const { s, location, page } = await passwordOnly('admin-passkeys@school.test');
    expect(location).toBe('/account/mfa/totp');
    expect(page).toContain('href="/account/mfa/passkeys"');
    const add = await t.get('/account/mfa/passkeys', s);
    expect(add.statusCode).toBe(200);
    expect(add.body).toContain('data-testid="mfa-required"');
    const options = optionsOf<CreationOptions & { rp: { id: string; name: string }; attestation: string }>(add.body);
    expect(options.rp).toEqual({ id: 'localhost', name: 'Rollcall' });
    expect(options.attestation).toBe('none');

    // An answer made for another site is refused, and the challenge is used up.
    const phishing = new SoftwareAuthenticator();
    const wrongSite = await t.post('/account/mfa/passkeys', s, {
      name: 'Phished',
      response: JSON.stringify(phishing.register(options, 'https://rollcall.example.net')),
    });
    expect(wrongSite.statusCode).toBe(400);
    expect(textOf(wrongSite.body)).toContain('Your passkey was not accepted');
    const reused = await t.post('/account/mfa/passkeys', s, {
      name: 'Laptop',
      response: JSON.stringify(new SoftwareAuthenticator().register(options, ORIGIN)),
    });
    expect(reused.statusCode).toBe(400);
    expect(await t.open.db.selectFrom('webauthn_credentials').select('id').execute()).toEqual([]);
    // Still owed: every other page leads to setting one up.
    expect((await t.get('/', s)).headers.location).toBe('/account/mfa/totp');

    const fresh = optionsOf<CreationOptions>((await t.get('/account/mfa/passkeys', s)).body);
    const done = await t.post('/account/mfa/passkeys', s, {
      name: 'Work laptop',
      response: JSON.stringify(laptop.register(fresh, ORIGIN)),
    });
    expect(done.statusCode).toBe(200);
    expect(textOf(done.body)).toContain('Your passkey is set up');
    const codes = [...done.body.matchAll(/<li><code>([0-9A-Z]{5}-[0-9A-Z]{5})<\/code><\/li>/g)];
    expect(codes).toHaveLength(10);
    expect((await t.get('/', s)).statusCode).toBe(200);
    const stored = await t.open.db.selectFrom('webauthn_credentials').selectAll().execute();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ id: laptop.ids[0], name: 'Work laptop', counter: 0 });
    const added = await actions('mfa.passkey');
    expect(added.map((a) => a.action)).toEqual(['mfa.passkeyAddFailed', 'mfa.passkeyAddFailed', 'mfa.passkeyAdd']);
    expect(JSON.parse(added[2]!.details!)).toMatchObject({ name: 'Work laptop', recoveryCodes: 10 });
  });

  it('then signs in with the passkey as the second step (or a code: the page offers both)', async () => {
    t.clock.set(at(60));
    const { s, location, page } = await passwordOnly('admin-passkeys@school.test');
    expect(location).toBe('/sign-in/mfa');
    expect(page).toContain('data-testid="passkey-form"');
    expect(page).toContain('data-testid="mfa-form"');
    const options = optionsOf<RequestOptions & { rpId: string }>(page);
    expect(options.rpId).toBe('localhost');
    expect(options.allowCredentials!.map((c) => c.id)).toEqual(laptop.ids);
    const ok = await t.post('/sign-in/passkey', s, {
      response: JSON.stringify(laptop.authenticate(options, ORIGIN)),
      next: '/account/mfa',
    });
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe('/account/mfa');
    const status = await t.get('/account/mfa', s);
    expect(status.statusCode).toBe(200);
    expect(textOf(status.body)).toContain('Work laptop');
    const row = await t.open.db.selectFrom('webauthn_credentials').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ counter: 1, last_used_at: at(60) });
    const verified = await actions('auth.mfaVerified');
    expect(JSON.parse(verified.at(-1)!.details!)).toMatchObject({ method: 'passkey', passkey: 'Work laptop' });
  });

  it('refuses a replayed answer, a counter that went back, an expired challenge and another account’s passkey', async () => {
    t.clock.set(at(120));
    const first = await passwordOnly('admin-passkeys@school.test');
    const answer = laptop.authenticate(optionsOf<RequestOptions>(first.page), ORIGIN);
    expect((await t.post('/sign-in/passkey', first.s, { response: JSON.stringify(answer) })).statusCode).toBe(303);

    // The same answer again, in a new sign-in (a new challenge): refused.
    const second = await passwordOnly('admin-passkeys@school.test');
    const replay = await t.post('/sign-in/passkey', second.s, { response: JSON.stringify(answer) });
    expect(replay.statusCode).toBe(400);
    expect(textOf(replay.body)).toContain('Your passkey was not accepted');
    expect((await t.get('/', second.s)).headers.location).toBe('/sign-in/mfa');

    // A cloned authenticator: a right signature for the current challenge, but the counter went back.
    const page = await t.get('/sign-in/mfa', second.s);
    const cloned = laptop.authenticate(optionsOf<RequestOptions>(page.body), ORIGIN, { counter: 1 });
    expect((await t.post('/sign-in/passkey', second.s, { response: JSON.stringify(cloned) })).statusCode).toBe(400);

    // A challenge older than five minutes.
    const stale = optionsOf<RequestOptions>((await t.get('/sign-in/mfa', second.s)).body);
    t.clock.set(at(120 + 6 * 60));
    const late = await t.post('/sign-in/passkey', second.s, {
      response: JSON.stringify(laptop.authenticate(stale, ORIGIN)),
    });
    expect(late.statusCode).toBe(400);

    // A teacher's own passkey (a teacher needs none, but may add one) does not sign the administrator in.
    const teacher = await t.signInAs('teacher');
    const phone = new SoftwareAuthenticator();
    const teacherAdd = optionsOf<CreationOptions>((await t.get('/account/mfa/passkeys', teacher)).body);
    const added = await t.post('/account/mfa/passkeys', teacher, {
      name: '',
      response: JSON.stringify(phone.register(teacherAdd, ORIGIN)),
    });
    expect(added.statusCode).toBe(200);
    expect(
      await t.open.db
        .selectFrom('webauthn_credentials')
        .select('name')
        .where('id', '=', phone.ids[0]!)
        .executeTakeFirstOrThrow(),
    ).toEqual({ name: 'Passkey 1' });
    const adminPage = await t.get('/sign-in/mfa', second.s);
    const adminOptions = optionsOf<RequestOptions>(adminPage.body);
    const foreign = phone.authenticate({ ...adminOptions, allowCredentials: [] }, ORIGIN);
    expect((await t.post('/sign-in/passkey', second.s, { response: JSON.stringify(foreign) })).statusCode).toBe(400);
    // Unreadable answers are refused the same way, never a 500.
    expect((await t.post('/sign-in/passkey', second.s, { response: '{"id":' })).statusCode).toBe(400);

    const reasons = (await actions('auth.mfaFailed'))
      .map((a) => JSON.parse(a.details!) as { method?: string; reason: string })
      .filter((d) => d.method === 'passkey')
      .map((d) => d.reason);
    expect(reasons).toHaveLength(5);
    expect(reasons[0]).toMatch(/challenge/i);
    expect(reasons[1]).toMatch(/counter/i);
    expect(reasons[2]).toMatch(/no challenge waiting/);
    expect(reasons[3]).toBe('not a passkey of this account');
    expect(reasons[4]).toBe('unreadable answer');
    // The stored counter never went back.
    const row = await t.open.db
      .selectFrom('webauthn_credentials')
      .select('counter')
      .where('id', '=', laptop.ids[0]!)
      .executeTakeFirstOrThrow();
    expect(row.counter).toBe(2);
  });

  it('lists and removes passkeys: not the last second factor of a role that must have one', async () => {
    t.clock.set(at(2000));
    const { s, page } = await passwordOnly('admin-passkeys@school.test');
    expect(
      (await t.post('/sign-in/passkey', s, { response: JSON.stringify(laptop.authenticate(optionsOf(page), ORIGIN)) }))
        .statusCode,
    ).toBe(303);
    const only = laptop.ids[0]!;
    const refused = await t.post(`/account/mfa/passkeys/${only}/remove`, s, {});
    expect(refused.statusCode).toBe(409);
    expect(textOf(refused.body)).toContain('Your role must use a second factor');

    // A second passkey (the session proved itself just now), then the first can go.
    const key = new SoftwareAuthenticator();
    const addPage = await t.get('/account/mfa/passkeys', s);
    expect(addPage.statusCode).toBe(200);
    const added = await t.post('/account/mfa/passkeys', s, {
      name: 'Security key',
      response: JSON.stringify(key.register(optionsOf<CreationOptions>(addPage.body), ORIGIN)),
    });
    expect(added.statusCode).toBe(303);
    // Not the other person's: 404, nothing removed.
    const teacher = await t.signInAs('teacher');
    expect((await t.post(`/account/mfa/passkeys/${only}/remove`, teacher, {})).statusCode).toBe(404);
    expect((await t.post(`/account/mfa/passkeys/${only}/remove`, s, {})).statusCode).toBe(303);
    const list = textOf((await t.get('/account/mfa', s)).body);
    expect(list).toContain('Security key');
    expect(list).not.toContain('Work laptop');
    expect((await actions('mfa.passkeyRemove')).map((a) => JSON.parse(a.details!) as unknown)).toEqual([
      { name: 'Work laptop' },
    ]);

    // Fifteen minutes on, adding or removing asks to confirm it is you first.
    t.clock.set(at(2000 + 16 * 60));
    expect((await t.get('/account/mfa/passkeys', s)).headers.location).toBe(
      '/account/confirm?next=%2Faccount%2Fmfa%2Fpasskeys',
    );
    expect((await t.post(`/account/mfa/passkeys/${key.ids[0]!}/remove`, s, {})).headers.location).toBe(
      '/account/confirm?next=%2Faccount%2Fmfa',
    );
  });

  it('an administrator’s reset of someone’s second factors removes their passkeys too (a lost device)', async () => {
    t.clock.set(at(4000));
    const admin = await t.signInAs('admin');
    const who = t.school.actors.admin.userId;
    expect(
      await t.open.db.selectFrom('webauthn_credentials').select('id').where('user_id', '=', who).execute(),
    ).toHaveLength(1);
    const reset = await t.post(`/admin/users/${who}/reset-mfa`, admin, {});
    expect(reset.statusCode).toBe(303);
    expect(
      await t.open.db.selectFrom('webauthn_credentials').select('id').where('user_id', '=', who).execute(),
    ).toEqual([]);
    const audited = await actions('mfa.reset');
    expect(JSON.parse(audited.at(-1)!.details!)).toEqual({ passkeys: 1 });
    // The next sign-in sets a second factor up again rather than asking for the lost device.
    expect((await passwordOnly('admin-passkeys@school.test')).location).toBe('/account/mfa/totp');
  });
});
