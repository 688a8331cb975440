import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { freshDatabase } from '../../test/databases.js';
import { passSecondFactor, seedSmallSchool, type SmallSchool } from '../../test/fixtures.js';
import { loadConfig } from '../config/config.js';
import type { OpenDatabase } from '../db/connect.js';
import { findSession } from '../db/accounts/users.js';
import { fixedClock, type Clock } from '../platform/clock.js';
import { hashToken } from '../platform/ids.js';
import { REDACT_PATHS } from '../platform/logger.js';
import { hashPassword } from '../platform/passwords.js';
import { DEVICE_COOKIE, DEVICE_COOKIE_DAYS, SESSION_COOKIE } from '../services/accounts/auth.js';
import type { Role } from '../services/authz.js';
import type { Deps } from '../services/deps.js';
import { AppError } from '../services/errors.js';
import { buildApp } from './app.js';
import { safeNext } from './auth-routes.js';

const PASSWORD = 'correct horse battery staple';
const START = '2025-09-08T07:30:00.000Z';

/** A fixed clock the test can move (each reading is fixedClock's). */
function movableClock(iso: string): Clock & { set(iso: string): void } {
  let clock = fixedClock(iso);
  return {
    now: () => clock.now(),
    today: (tz) => clock.today(tz),
    timeOfDay: (tz) => clock.timeOfDay(tz),
    set: (next) => {
      clock = fixedClock(next);
    },
  };
}

/** Test routes, registered through `routes` like any other resource's plugin. */
const testRoutes: FastifyPluginAsync = (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.get('/boom', () => {
    throw new Error('secret internal detail');
  });
  app.get('/api/boom', () => {
    throw new Error('secret internal detail');
  });
  app.get('/api/forbidden', () => {
    throw new AppError('FORBIDDEN', 'You do not have permission to do that.');
  });
  app.get('/forbidden', () => {
    throw new AppError('FORBIDDEN', 'You do not have permission to do that.');
  });
  app.post('/api/echo', { schema: { body: z.object({ count: z.number().int() }) } }, (request) => ({
    count: request.body.count,
  }));
  app.post('/form', (_request, reply) => reply.code(204).send());
  return Promise.resolve();
};

interface ErrorBody {
  error: { code: string; message: string; fields: { field: string; message: string }[] };
}

let open: OpenDatabase;
let app: FastifyInstance;
let school: SmallSchool;
const clock = movableClock(START);
const logLines: string[] = [];

const email = (role: Role | 'teacherb'): string => `${role}-web@school.test`;

interface Session {
  readonly cookie: string;
  readonly csrf: string;
}

async function signInAs(who: Role | 'teacherb', password = PASSWORD, next?: string): Promise<Session> {
  const res = await app.inject({
    method: 'POST',
    url: '/sign-in',
    payload: { email: email(who), password, ...(next ? { next } : {}) },
  });
  expect(res.statusCode).toBe(303);
  const cookie = res.cookies.find((c) => c.name === SESSION_COOKIE);
  if (!cookie) throw new Error('no session cookie');
  await passSecondFactor(open.db, cookie.value);
  const home = await app.inject({ method: 'GET', url: '/', cookies: { [SESSION_COOKIE]: cookie.value } });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(home.body)?.[1];
  if (!csrf) throw new Error('no CSRF token on the home page');
  return { cookie: cookie.value, csrf };
}

function postSignIn(emailValue: string, password: string, extra: Record<string, string> = {}) {
  return app.inject({ method: 'POST', url: '/sign-in', payload: { email: emailValue, password, ...extra } });
}

beforeAll(async () => {
  open = await freshDatabase('sqlite');
  school = await seedSmallSchool(open.db, 'web');
  const hash = await hashPassword(PASSWORD);
  await open.db.updateTable('users').set({ password_hash: hash }).execute();
  const logStream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  const logger = pino({ level: 'trace', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, logStream);
  const deps: Deps = {
    db: open.db,
    dialect: open.dialect,
    clock,
    logger,
    config: loadConfig({ SQLITE_PATH: ':memory:' }),
  };
  app = await buildApp(deps, { routes: [testRoutes] });
});

afterAll(async () => {
  await app.close();
  await open.close();
});

describe('signing in', () => {
  it('shows the GOV.UK sign-in form with labels and autocomplete', async () => {
    const res = await app.inject({ method: 'GET', url: '/sign-in?next=%2Fboard' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('<title>Sign in – Rollcall</title>');
    expect(res.body).toMatch(/<label class="govuk-label govuk-label--s" for="email">\s*Email address\s*<\/label>/);
    expect(res.body).toMatch(/<input[^>]*id="email"[^>]*autocomplete="username"/);
    expect(res.body).toMatch(
      /<input[^>]*id="password"[^>]*type="password"[^>]*autocomplete="current-password"|<input[^>]*autocomplete="current-password"[^>]*id="password"|<input[^>]*id="password"[^>]*autocomplete="current-password"/,
    );
    expect(res.body).toContain('name="next" value="/board"');
    expect(res.body).toContain('href="#main-content"');
    expect(res.body).toContain('govuk-phase-banner');
  });

  it('sets an httpOnly, SameSite=Lax session cookie and goes to `next`', async () => {
    const res = await postSignIn(email('office'), PASSWORD, { next: '/board?date=2025-09-08' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/board?date=2025-09-08');
    const cookie = res.cookies.find((c) => c.name === SESSION_COOKIE);
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/', maxAge: 8 * 3600 });
    // Development over plain HTTP: not Secure (COOKIE_SECURE=auto outside production).
    expect(cookie?.secure).toBeFalsy();
    expect(await findSession(open.db, hashToken(cookie!.value))).toBeDefined();
  });

  it('marks the cookie Secure in production or when configured', async () => {
    for (const env of [{ NODE_ENV: 'production' }, { COOKIE_SECURE: 'true' }]) {
      const deps: Deps = {
        db: open.db,
        dialect: open.dialect,
        clock,
        logger: pino({ level: 'silent' }),
        config: loadConfig({ SQLITE_PATH: ':memory:', ...env }),
      };
      const secureApp = await buildApp(deps);
      const res = await secureApp.inject({
        method: 'POST',
        url: '/sign-in',
        payload: { email: email('senco'), password: PASSWORD },
      });
      expect(res.cookies.find((c) => c.name === SESSION_COOKIE)?.secure).toBe(true);
      expect(res.headers['strict-transport-security']).toBeDefined();
      expect(String(res.headers['content-security-policy'])).toContain('upgrade-insecure-requests');
      await secureApp.close();
    }
  });

  it('a wrong password re-shows the form with the error summary, the typed email, and no cookie', async () => {
    const res = await postSignIn('Governor-Web@school.test', 'wrong password');
    expect(res.statusCode).toBe(401);
    expect(res.cookies.find((c) => c.name === SESSION_COOKIE)).toBeUndefined();
    expect(res.body).toContain('<title>Error: Sign in – Rollcall</title>');
    expect(res.body).toContain('govuk-error-summary');
    expect(res.body).toContain('<a href="#email">Enter a correct email address and password</a>');
    expect(res.body).toContain('value="Governor-Web@school.test"');
    expect(res.body).not.toContain('wrong password');
  });

  it('an unknown email gets exactly the same answer', async () => {
    const res = await postSignIn('nobody@school.test', 'wrong password');
    expect(res.statusCode).toBe(401);
    expect(res.body).toContain('Enter a correct email address and password');
  });

  it('asks for missing fields', async () => {
    const res = await postSignIn('', '');
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('<a href="#email">Enter your email address</a>');
    expect(res.body).toContain('<a href="#password">Enter your password</a>');
  });

  it('a client that failed too often is delayed (Retry-After), another client is not, and a sign-in marks the device', async () => {
    for (let i = 0; i < 6; i++) {
      const res = await postSignIn(email('attendance_officer'), `wrong password ${i}`);
      expect(res.statusCode).toBe(401);
    }
    const res = await postSignIn(email('attendance_officer'), PASSWORD);
    expect(res.statusCode).toBe(429);
    expect(res.headers['retry-after']).toBe('30');
    expect(res.body).toContain('You have tried to sign in too many times. Wait 30 seconds');
    expect(res.cookies.find((c) => c.name === SESSION_COOKIE)).toBeUndefined();
    // The same person at another client is not held up by what happened at this one.
    const elsewhere = await app.inject({
      method: 'POST',
      url: '/sign-in',
      remoteAddress: '192.0.2.77',
      payload: { email: email('attendance_officer'), password: PASSWORD },
    });
    expect(elsewhere.statusCode).toBe(303);
    const device = elsewhere.cookies.find((c) => c.name === DEVICE_COOKIE);
    expect(device?.value).toMatch(/^[\w-]{43}$/);
    expect(device).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(device?.maxAge).toBe(DEVICE_COOKIE_DAYS * 24 * 3600);
    // And a known device is not held up at the delayed client either.
    const known = await app.inject({
      method: 'POST',
      url: '/sign-in',
      cookies: { [DEVICE_COOKIE]: device!.value },
      payload: { email: email('attendance_officer'), password: PASSWORD },
    });
    expect(known.statusCode).toBe(303);
  });

  it('only follows same-site `next` paths', async () => {
    for (const next of [
      '//evil.example/x',
      'https://evil.example/',
      '/\\evil.example',
      'javascript:alert(1)',
      '/sign-out',
    ]) {
      const res = await postSignIn(email('senco'), PASSWORD, { next });
      expect(res.headers.location).toBe('/');
    }
    expect(safeNext('/pupils/p1?tab=marks#history')).toBe('/pupils/p1?tab=marks#history');
    expect(safeNext(undefined)).toBe('/');
  });

  it('a signed-in user visiting the sign-in page goes on', async () => {
    const s = await signInAs('office');
    const res = await app.inject({
      method: 'GET',
      url: '/sign-in?next=%2Fboard',
      cookies: { [SESSION_COOKIE]: s.cookie },
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/board');
  });
});

describe('requests without a session', () => {
  it('a page redirects to sign-in with where it was going', async () => {
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('/sign-in?next=%2F');
    const deep = await app.inject({ method: 'GET', url: '/pupils/p1?tab=marks' });
    expect(deep.headers.location).toBe(`/sign-in?next=${encodeURIComponent('/pupils/p1?tab=marks')}`);
  });

  it('a form post redirects to sign-in without `next`', async () => {
    const res = await app.inject({ method: 'POST', url: '/form', payload: { a: '1' } });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/sign-in');
  });

  it('the API answers 401 in JSON, for routes that exist and routes that do not', async () => {
    for (const url of ['/api/anything', '/api/forbidden']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(401);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      const body = res.json<ErrorBody>();
      expect(body.error.code).toBe('UNAUTHENTICATED');
      expect(body.error.fields).toEqual([]);
    }
  });

  it('the health check, assets and public files need no session', async () => {
    const health = await app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({ status: 'ok' });
    const css = await app.inject({ method: 'GET', url: '/assets/govuk-frontend.min.css' });
    expect(css.statusCode).toBe(200);
    expect(css.headers['content-type']).toMatch(/^text\/css/);
    for (const url of [
      '/assets/moj-frontend.min.css',
      '/assets/govuk-frontend.min.js',
      '/assets/moj-frontend.min.js',
      '/assets/fonts/bold-b542beb274-v2.woff2',
      '/assets/images/govuk-crest.svg',
      '/assets/images/icon-search-blue.svg',
      '/public/frontend-init.js',
    ]) {
      expect((await app.inject({ method: 'GET', url })).statusCode, url).toBe(200);
    }
    // Only the built assets of the frontends, not their sources.
    for (const url of [
      '/assets/template.njk',
      '/assets/components/button/macro.njk',
      '/assets/index.scss',
      '/assets/../package.json',
    ]) {
      expect((await app.inject({ method: 'GET', url })).statusCode, url).not.toBe(200);
    }
  });
});

describe('security headers', () => {
  it('a strict CSP (with the hash of the GOV.UK template’s one inline script), no framing, no sniffing', async () => {
    const res = await app.inject({ method: 'GET', url: '/sign-in' });
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("style-src 'self';");
    expect(csp).toContain("img-src 'self'");
    expect(csp).toContain("font-src 'self'");
    expect(csp).toContain("form-action 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    const inline = /<script>([^<]+)<\/script>/.exec(res.body)?.[1];
    expect(inline).toBeDefined();
    const hash = createHash('sha256').update(inline!).digest('base64');
    expect(csp).toMatch(new RegExp(`script-src 'self' 'sha256-${hash.replace(/[+/]/g, '\\$&')}'`));
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    // Plain HTTP in development: no HSTS, no upgrade of asset requests.
    expect(res.headers['strict-transport-security']).toBeUndefined();
    expect(csp).not.toContain('upgrade-insecure-requests');
  });

  it('signed-in pages are not cached', async () => {
    const s = await signInAs('office');
    const res = await app.inject({ method: 'GET', url: '/', cookies: { [SESSION_COOKIE]: s.cookie } });
    expect(res.headers['cache-control']).toBe('no-store');
  });
});

describe('CSRF', () => {
  it('refuses a post with a session but no token, or the wrong one', async () => {
    const s = await signInAs('office');
    const missing = await app.inject({
      method: 'POST',
      url: '/sign-out',
      cookies: { [SESSION_COOKIE]: s.cookie },
      payload: {},
    });
    expect(missing.statusCode).toBe(403);
    expect(missing.body).toContain('This form has expired');
    const wrong = await app.inject({
      method: 'POST',
      url: '/sign-out',
      cookies: { [SESSION_COOKIE]: s.cookie },
      payload: { _csrf: `${s.csrf.slice(0, -1)}x` },
    });
    expect(wrong.statusCode).toBe(403);
    const api = await app.inject({
      method: 'POST',
      url: '/api/echo',
      cookies: { [SESSION_COOKIE]: s.cookie },
      payload: { count: 1 },
    });
    expect(api.statusCode).toBe(403);
    expect(api.json()).toMatchObject({ error: { code: 'FORBIDDEN' } });
    // The session survived.
    expect((await app.inject({ method: 'GET', url: '/', cookies: { [SESSION_COOKIE]: s.cookie } })).statusCode).toBe(
      200,
    );
  });

  it('refuses any post a browser says comes from another site, even signing in', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/sign-in',
      headers: { 'sec-fetch-site': 'cross-site' },
      payload: { email: email('office'), password: PASSWORD },
    });
    expect(res.statusCode).toBe(403);
    expect(res.cookies.find((c) => c.name === SESSION_COOKIE)).toBeUndefined();
    const same = await app.inject({
      method: 'POST',
      url: '/sign-in',
      headers: { 'sec-fetch-site': 'same-origin' },
      payload: { email: email('office'), password: PASSWORD },
    });
    expect(same.statusCode).toBe(303);
  });

  it('accepts the form field or the header', async () => {
    const s = await signInAs('office');
    const form = await app.inject({
      method: 'POST',
      url: '/form',
      cookies: { [SESSION_COOKIE]: s.cookie },
      payload: { _csrf: s.csrf },
    });
    expect(form.statusCode).toBe(204);
    const api = await app.inject({
      method: 'POST',
      url: '/api/echo',
      cookies: { [SESSION_COOKIE]: s.cookie },
      headers: { 'x-csrf-token': s.csrf },
      payload: { count: 2 },
    });
    expect(api.statusCode).toBe(200);
    expect(api.json()).toEqual({ count: 2 });
  });
});

describe('home page by role', () => {
  async function home(who: Role | 'teacherb'): Promise<string> {
    const s = await signInAs(who);
    const res = await app.inject({ method: 'GET', url: '/', cookies: { [SESSION_COOKIE]: s.cookie } });
    expect(res.statusCode).toBe(200);
    return res.body;
  }

  it('a teacher: today’s date, their groups to register, no board link', async () => {
    const body = await home('teacher');
    expect(body).toContain('Test Primary');
    expect(body).toContain('Today is Monday 8 September 2025.');
    expect(body).toContain(`href="/registers/${school.groupA}/2025-09-08/AM"`); // today’s registers, each a link
    expect(body).toContain('Year 3 Oak');
    expect(body).toContain('3 Maths');
    expect(body).not.toContain('Year 4 Ash');
    expect(body).not.toContain('href="/board"');
    expect(body).not.toContain('href="/office');
    expect(body).toContain('href="/registers"');
    expect(body).toContain('Test teacher');
    expect(body).toContain('Sign out');
  });

  it('the office: the board, late arrivals and early leavers, pupil search', async () => {
    const body = await home('office');
    expect(body).toContain('href="/board"');
    expect(body).toContain('href="/office#late-arrivals"');
    expect(body).toContain('href="/office#early-leavers"');
    expect(body).toContain('action="/pupils"');
    expect(body).not.toContain('Manage users');
  });

  it('a SENCO: pupil search but no board; a senior leader: both', async () => {
    const senco = await home('senco');
    expect(senco).toContain('action="/pupils"');
    expect(senco).not.toContain('href="/board"');
    const leader = await home('senior_leader');
    expect(leader).toContain('href="/board"');
    expect(leader).toContain('action="/pupils"');
  });

  it('a governor: aggregated figures only, no pupil search', async () => {
    const body = await home('governor');
    expect(body).toContain('Attendance figures');
    expect(body).not.toContain('action="/pupils"');
    expect(body).not.toContain('href="/board"');
  });

  it('a trust lead sees their trust’s schools; an LA officer those of their authority', async () => {
    const lead = await home('trust_lead');
    expect(lead).toContain('Your schools');
    expect(lead).toContain('Test Primary');
    expect(lead).not.toContain('Other Primary');
    const la = await home('la_officer');
    expect(la).toContain('Test Primary');
    expect(la).not.toContain('Other Primary');
  });

  it('a parent sees their own children only', async () => {
    const body = await home('parent');
    expect(body).toContain(`href="/pupils/${school.pupilsA[0]}"`);
    expect(body).toContain('Alex Able');
    expect(body).not.toContain('Bea Baker');
    expect(body).not.toContain('action="/pupils"');
  });

  it('an administrator sees the school’s users', async () => {
    const body = await home('admin');
    expect(body).toContain('office-web@school.test');
    // Accounts are managed in the browser: the home page links there, not to the command line.
    expect(body).toContain('href="/admin/users"');
    expect(body).not.toContain('rollcall users create');
    expect(body).not.toContain('href="/users"');
  });
});

describe('sessions', () => {
  it('signing out deletes the session and clears the cookie', async () => {
    const s = await signInAs('office');
    const res = await app.inject({
      method: 'POST',
      url: '/sign-out',
      cookies: { [SESSION_COOKIE]: s.cookie },
      payload: { _csrf: s.csrf },
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/sign-in');
    const cleared = res.cookies.find((c) => c.name === SESSION_COOKIE);
    expect(cleared?.value).toBe('');
    expect(await findSession(open.db, hashToken(s.cookie))).toBeUndefined();
    const after = await app.inject({ method: 'GET', url: '/', cookies: { [SESSION_COOKIE]: s.cookie } });
    expect(after.statusCode).toBe(302);
  });

  it('an expired session redirects to sign-in and clears the cookie', async () => {
    const s = await signInAs('teacher');
    clock.set('2025-09-08T15:31:00.000Z');
    try {
      const res = await app.inject({ method: 'GET', url: '/', cookies: { [SESSION_COOKIE]: s.cookie } });
      expect(res.statusCode).toBe(302);
      expect(res.headers.location).toBe('/sign-in?next=%2F');
      expect(res.cookies.find((c) => c.name === SESSION_COOKIE)?.value).toBe('');
      expect(await findSession(open.db, hashToken(s.cookie))).toBeUndefined();
    } finally {
      clock.set(START);
    }
  });
});

describe('errors', () => {
  it('a 500 shows a generic page with no stack trace; the details go to the log only', async () => {
    const s = await signInAs('office');
    const page = await app.inject({ method: 'GET', url: '/boom', cookies: { [SESSION_COOKIE]: s.cookie } });
    expect(page.statusCode).toBe(500);
    expect(page.body).toContain('Sorry, there is a problem with the service');
    expect(page.body).not.toContain('secret internal detail');
    expect(page.body).not.toMatch(/\n\s+at /);
    const api = await app.inject({ method: 'GET', url: '/api/boom', cookies: { [SESSION_COOKIE]: s.cookie } });
    expect(api.statusCode).toBe(500);
    expect(api.json<ErrorBody>().error).toEqual({
      code: 'INTERNAL',
      message: 'Sorry, there is a problem with the service. Try again later.',
      fields: [],
    });
    expect(api.body).not.toContain('secret');
    expect(logLines.join('')).toContain('secret internal detail');
  });

  it('an AppError becomes its status: a page for pages, JSON for the API', async () => {
    const s = await signInAs('office');
    const page = await app.inject({ method: 'GET', url: '/forbidden', cookies: { [SESSION_COOKIE]: s.cookie } });
    expect(page.statusCode).toBe(403);
    expect(page.body).toContain('You do not have permission to do that.');
    const api = await app.inject({ method: 'GET', url: '/api/forbidden', cookies: { [SESSION_COOKIE]: s.cookie } });
    expect(api.statusCode).toBe(403);
    expect(api.json()).toEqual({
      error: { code: 'FORBIDDEN', message: 'You do not have permission to do that.', fields: [] },
    });
  });

  it('a request that fails its schema is a 400 with the fields', async () => {
    const s = await signInAs('office');
    const res = await app.inject({
      method: 'POST',
      url: '/api/echo',
      cookies: { [SESSION_COOKIE]: s.cookie },
      headers: { 'x-csrf-token': s.csrf },
      payload: { count: 'two' },
    });
    expect(res.statusCode).toBe(400);
    const body = res.json<ErrorBody>();
    expect(body.error.code).toBe('VALIDATION');
    expect(body.error.fields.map((f) => f.field)).toEqual(['count']);
  });

  it('unknown pages are a 404 page, unknown API paths a 404 JSON', async () => {
    const s = await signInAs('office');
    const page = await app.inject({ method: 'GET', url: '/no-such-page', cookies: { [SESSION_COOKIE]: s.cookie } });
    expect(page.statusCode).toBe(404);
    expect(page.body).toContain('Page not found');
    expect(page.body).toContain('Sign out');
    const api = await app.inject({ method: 'GET', url: '/api/no-such-thing', cookies: { [SESSION_COOKIE]: s.cookie } });
    expect(api.statusCode).toBe(404);
    expect(api.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });
});

describe('logging', () => {
  it('never sees a password', async () => {
    await postSignIn(email('teacher'), PASSWORD);
    await postSignIn(email('teacher'), 'another secret password');
    const all = logLines.join('');
    expect(all.length).toBeGreaterThan(0);
    expect(all).toContain('sign-in failed');
    expect(all).not.toContain(PASSWORD);
    expect(all).not.toContain('another secret password');
    expect(all).not.toContain(encodeURIComponent(PASSWORD));
  });
});
