/**
 * Single sign-on end to end against a real OpenID provider (oidc-provider) on loopback: linking an
 * account, signing in, a replayed state, a wrong tenant and an expired ID token.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pagesHarness, type PagesHarness } from '../../../test/web-pages.js';
import { SESSION_COOKIE } from '../../services/accounts/auth.js';
import { SYSTEM_ACTOR } from '../../services/authz.js';
import { addSsoProvider } from '../../services/accounts/sso.js';
import { accountRoutes } from './account-routes.js';
import { SSO_STATE_COOKIE } from './sso-routes.js';

const TENANT = '11111111-2222-4333-8444-555555555555';
const OTHER_TENANT = '99999999-2222-4333-8444-555555555555';

describe('single sign-on against a real OpenID provider', () => {
  let t: PagesHarness;
  let server: Server;
  let issuer = '';
  let providerId = '';
  /** What the provider says about the person signing in (the test changes it). */
  const idp = { sub: 'entra-user-1', tid: TENANT, amr: ['pwd'] as string[] };
  /** The provider's cookies (its session and interaction), as a browser would keep them. */
  const jar = new Map<string, string>();

  beforeAll(async () => {
    t = await pagesHarness([accountRoutes], 'sso');
    t.clock.set(new Date().toISOString());
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const provider = new Provider(issuer, {
      clients: [
        {
          client_id: 'rollcall-test',
          client_secret: 'a client secret of some length',
          redirect_uris: ['http://localhost/sign-in/sso/callback'],
          grant_types: ['authorization_code'],
          response_types: ['code'],
          token_endpoint_auth_method: 'client_secret_post',
        },
      ],
      claims: { openid: ['sub', 'tid', 'amr'], email: ['email'] },
      conformIdTokenClaims: false,
      features: { devInteractions: { enabled: false } },
      ttl: { IdToken: 60, AccessToken: 60, AuthorizationCode: 60, Session: 600, Interaction: 600, Grant: 600 },
      findAccount: (_ctx: unknown, sub: string) => ({
        accountId: sub,
        claims: () => ({ sub, tid: idp.tid, amr: idp.amr, email: 'someone@school.example' }),
      }),
    });
    const handle = provider.callback();
    server.on('request', (req, res) => {
      if (!req.url?.startsWith('/interaction/')) return handle(req, res);
      // The provider's login page: the person is idp.sub and agrees to everything.
      void (async () => {
        const details = await provider.interactionDetails(req, res);
        const grant = new provider.Grant({ accountId: idp.sub, clientId: details.params.client_id });
        grant.addOIDCScope((details.prompt.details.missingOIDCScope ?? ['openid', 'email']).join(' '));
        grant.addOIDCClaims(details.prompt.details.missingOIDCClaims ?? []);
        const grantId = await grant.save();
        await provider.interactionFinished(req, res, {
          login: { accountId: idp.sub, amr: idp.amr },
          consent: { grantId },
        });
      })();
    });
    const added = await addSsoProvider(t.deps, SYSTEM_ACTOR, t.school.schoolId, {
      kind: 'entra',
      tenant: TENANT,
      clientId: 'rollcall-test',
      clientSecret: 'a client secret of some length',
      issuer,
    });
    providerId = added.id;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await t.close();
  });

  /** Follows the provider's redirects like a browser until it sends the browser back to Rollcall. */
  async function atProvider(url: string): Promise<string> {
    let next = url;
    for (let i = 0; i < 10; i++) {
      const res = await fetch(next, {
        redirect: 'manual',
        headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
      });
      for (const c of res.headers.getSetCookie()) {
        const [pair] = c.split(';');
        const eq = pair!.indexOf('=');
        jar.set(pair!.slice(0, eq), pair!.slice(eq + 1));
      }
      const location = res.headers.get('location');
      if (!location) throw new Error(`the provider answered ${res.status}: ${await res.text()}`);
      const target = new URL(location, next);
      if (target.pathname === '/sign-in/sso/callback') return `${target.pathname}${target.search}`;
      next = target.href;
    }
    throw new Error('too many redirects at the provider');
  }

  /** Starts at Rollcall, goes through the provider, and returns the callback and the state cookie. */
  async function throughProvider(start: string, cookies: Record<string, string> = {}) {
    const res = await t.app.inject({ method: 'GET', url: start, cookies });
    expect(res.statusCode).toBe(303);
    const state = res.cookies.find((c) => c.name === SSO_STATE_COOKIE)!;
    expect(state).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    const auth = new URL(String(res.headers.location));
    expect(auth.origin).toBe(issuer);
    expect(auth.searchParams.get('code_challenge_method')).toBe('S256');
    expect(auth.searchParams.get('nonce')).toBeTruthy();
    return { callback: await atProvider(auth.href), stateCookie: state.value };
  }

  const back = (callback: string, stateCookie: string) =>
    t.app.inject({ method: 'GET', url: callback, cookies: { [SSO_STATE_COOKIE]: stateCookie } });

  async function ssoFailures(): Promise<string[]> {
    const rows = await t.open.db
      .selectFrom('audit_log')
      .select('details')
      .where('action', '=', 'auth.ssoFailed')
      .execute();
    return rows.map((r) => (JSON.parse(r.details!) as { reason: string }).reason);
  }

  it('the sign-in page offers the school’s provider', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/sign-in?next=%2Fregisters' });
    expect(page.body).toContain(`href="/sign-in/sso/${providerId}?next=%2Fregisters"`);
    expect(page.body).toContain('Microsoft 365 (Test Primary)');
  });

  it('an unlinked provider account cannot sign in, even with a known email', async () => {
    const { callback, stateCookie } = await throughProvider(`/sign-in/sso/${providerId}`);
    const res = await back(callback, stateCookie);
    expect(res.statusCode).toBe(401);
    expect(res.body).toContain('Single sign-on did not work');
    expect(await ssoFailures()).toContain('not-linked');
  });

  it('a teacher links their account, then signs in with it; a replayed state is refused', async () => {
    const teacher = await t.signInAs('teacher');
    const link = await throughProvider(`/account/sso/${providerId}`, { [SESSION_COOKIE]: teacher.cookie });
    const linked = await back(link.callback, link.stateCookie);
    expect(linked.statusCode).toBe(303);
    expect(linked.headers.location).toBe('/account/sso?linked=1');
    const row = await t.open.db.selectFrom('sso_links').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ issuer, subject: 'entra-user-1', user_id: t.school.actors.teacher.userId });

    const { callback, stateCookie } = await throughProvider(`/sign-in/sso/${providerId}?next=%2Fregisters`);
    const signedIn = await back(callback, stateCookie);
    expect(signedIn.statusCode).toBe(303);
    expect(signedIn.headers.location).toBe('/registers');
    const session = signedIn.cookies.find((c) => c.name === SESSION_COOKIE)!.value;
    expect((await t.app.inject({ method: 'GET', url: '/', cookies: { [SESSION_COOKIE]: session } })).statusCode).toBe(
      200,
    );
    const audit = await t.open.db
      .selectFrom('audit_log')
      .select('details')
      .where('action', '=', 'auth.signIn')
      .where('details', 'like', '%sso:entra%')
      .execute();
    expect(audit).toHaveLength(1);

    // The same answer again (a replayed state and code): refused.
    const replay = await back(callback, stateCookie);
    expect(replay.statusCode).toBe(401);
    expect(replay.cookies.find((c) => c.name === SESSION_COOKIE)).toBeUndefined();
    expect(await ssoFailures()).toContain('state-used-or-expired');
    // A state that is not this browser's: refused.
    const other = await throughProvider(`/sign-in/sso/${providerId}`);
    expect((await back(other.callback, 'someone-elses-state')).statusCode).toBe(401);
    expect(await ssoFailures()).toContain('state-mismatch');
  });

  it('refuses an ID token from another tenant', async () => {
    idp.tid = OTHER_TENANT;
    try {
      const { callback, stateCookie } = await throughProvider(`/sign-in/sso/${providerId}`);
      const res = await back(callback, stateCookie);
      expect(res.statusCode).toBe(401);
      expect(await ssoFailures()).toContain('wrong-tenant');
    } finally {
      idp.tid = TENANT;
    }
  });

  it('refuses an expired ID token', async () => {
    const { callback, stateCookie } = await throughProvider(`/sign-in/sso/${providerId}`);
    // Five minutes later (the state is still valid for ten): the token lived sixty seconds.
    t.clock.set(new Date(Date.now() + 5 * 60_000).toISOString());
    try {
      const res = await back(callback, stateCookie);
      expect(res.statusCode).toBe(401);
      expect(await ssoFailures()).toContain('token-rejected');
      const last = await t.open.db
        .selectFrom('audit_log')
        .select('details')
        .where('action', '=', 'auth.ssoFailed')
        .orderBy('id', 'desc')
        .executeTakeFirstOrThrow();
      // openid-client's words for an `exp` in the past.
      expect(last.details).toContain('JWT timestamp claim value failed validation');
    } finally {
      t.clock.set(new Date().toISOString());
    }
  });

  it('an administrator still owes the second factor unless the provider says it did MFA', async () => {
    idp.sub = 'entra-admin-1';
    jar.clear();
    const admin = await t.signInAs('admin');
    const link = await throughProvider(`/account/sso/${providerId}`, { [SESSION_COOKIE]: admin.cookie });
    expect((await back(link.callback, link.stateCookie)).statusCode).toBe(303);
    jar.clear();
    const plain = await throughProvider(`/sign-in/sso/${providerId}`);
    expect((await back(plain.callback, plain.stateCookie)).headers.location).toBe('/account/mfa/totp');
    jar.clear();
    idp.amr = ['pwd', 'mfa'];
    const strong = await throughProvider(`/sign-in/sso/${providerId}`);
    expect((await back(strong.callback, strong.stateCookie)).headers.location).toBe('/');
  });

  it('keeps the client secret sealed, and validates the administrator’s form', async () => {
    const stored = await t.open.db.selectFrom('sso_providers').select('client_secret_enc').executeTakeFirstOrThrow();
    expect(stored.client_secret_enc).not.toContain('a client secret');
    const admin = await t.signInAs('admin');
    const page = await t.get('/admin/sso', admin);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('/sign-in/sso/callback');
    const bad = await t.post('/admin/sso', admin, {
      kind: 'entra',
      tenant: 'not-a-guid',
      clientId: '',
      clientSecret: 'x',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Enter the directory (tenant) ID');
    const google = await t.post('/admin/sso', admin, {
      kind: 'google',
      allowedDomain: 'school.example.org',
      clientId: 'google-client',
      clientSecret: 'google secret',
    });
    expect(google.body).toContain('data-testid="saved"');
    expect((await t.get('/admin/sso', await t.signInAs('teacher'))).statusCode).toBe(403);
  });

  it('the school picker: an email narrows the schools; one tenant or domain for several schools asks which', async () => {
    const other = await addSsoProvider(t.deps, SYSTEM_ACTOR, t.school.otherSchoolId, {
      kind: 'google',
      allowedDomain: 'school.example.org',
      clientId: 'google-client-2',
      clientSecret: 'another google secret',
    });
    const only = await addSsoProvider(t.deps, SYSTEM_ACTOR, t.school.otherSchoolId, {
      kind: 'google',
      allowedDomain: 'other.example.org',
      clientId: 'google-client-3',
      clientSecret: 'a third google secret',
    });
    const shared = await t.app.inject({ method: 'GET', url: '/sign-in/sso?email=someone%40School.Example.org' });
    expect(shared.statusCode).toBe(200);
    expect(shared.body).toContain('data-testid="sso-matched"');
    const listed = /data-testid="sso-schools">([\s\S]*?)<\/ul>/.exec(shared.body)![1]!;
    expect(listed).toContain('Test Primary');
    expect(listed).toContain(`href="/sign-in/sso/${other.id}"`);
    expect(listed).not.toContain(`href="/sign-in/sso/${providerId}"`); // the Entra provider is for no domain
    // An email of a domain only one school uses goes straight to its provider, keeping where to go.
    const straight = await t.app.inject({
      method: 'GET',
      url: '/sign-in/sso?email=a%40other.example.org&next=%2Fregisters',
    });
    expect(straight.statusCode).toBe(303);
    expect(straight.headers.location).toBe(`/sign-in/sso/${only.id}?next=%2Fregisters`);
    // A domain nobody uses: every school, to choose from.
    const unknown = await t.app.inject({ method: 'GET', url: '/sign-in/sso?email=a%40elsewhere.example' });
    expect(unknown.body).toContain('data-testid="sso-unmatched"');
    expect(unknown.body).toContain(`href="/sign-in/sso/${providerId}"`);
    expect(unknown.body).toContain(`href="/sign-in/sso/${only.id}"`);
    // The sign-in page links to the picker.
    expect((await t.app.inject({ method: 'GET', url: '/sign-in' })).body).toContain('data-testid="sso-picker-link"');
  });

  it('a person unlinks their account: that provider account no longer signs in; audited', async () => {
    idp.sub = 'entra-user-1';
    idp.amr = ['pwd'];
    jar.clear();
    const teacher = await t.signInAs('teacher');
    const page = await t.get('/account/sso', teacher);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`action="/account/sso/${providerId}/unlink"`);
    expect(page.body).toContain('Not linked'); // the school's Google provider
    const unlinked = await t.post(`/account/sso/${providerId}/unlink`, teacher, {});
    expect(unlinked.statusCode).toBe(303);
    expect(unlinked.headers.location).toBe('/account/sso?unlinked=1');
    expect(
      await t.open.db
        .selectFrom('sso_links')
        .select('subject')
        .where('user_id', '=', t.school.actors.teacher.userId)
        .execute(),
    ).toEqual([]);
    expect((await t.post(`/account/sso/${providerId}/unlink`, teacher, {})).statusCode).toBe(404);
    const audit = await t.open.db
      .selectFrom('audit_log')
      .select('details')
      .where('action', '=', 'sso.unlink')
      .execute();
    expect(audit.map((a) => JSON.parse(a.details!) as unknown)).toEqual([{ providerId }]);
    const { callback, stateCookie } = await throughProvider(`/sign-in/sso/${providerId}`);
    expect((await back(callback, stateCookie)).statusCode).toBe(401);
    // Another person cannot unlink the administrator's link (theirs only): 404, the link stays.
    expect((await t.post(`/account/sso/${providerId}/unlink`, teacher, {})).statusCode).toBe(404);
    expect(
      await t.open.db
        .selectFrom('sso_links')
        .select('user_id')
        .where('user_id', '=', t.school.actors.admin.userId)
        .execute(),
    ).toHaveLength(1);
  });
});
