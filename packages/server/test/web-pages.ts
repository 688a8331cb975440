/**
 * Page tests: the web app over a fresh SQLite database with the small school, a clock the test
 * can move, and signed-in sessions per role (like http/app.test.ts).
 *
 *   const t = await pagesHarness([boardRoutes]);
 *   const office = await t.signInAs('office');
 *   const res = await t.get('/board', office);
 */
import type { FastifyInstance, FastifyPluginAsync, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { loadConfig } from '../src/config/config.js';
import type { OpenDatabase } from '../src/db/connect.js';
import { buildApp } from '../src/http/app.js';
import { fixedClock, type Clock } from '../src/platform/clock.js';
import { createLogger } from '../src/platform/logger.js';
import { hashPassword } from '../src/platform/passwords.js';
import { SESSION_COOKIE } from '../src/services/accounts/auth.js';
import type { Role } from '../src/services/authz.js';
import type { Deps } from '../src/services/deps.js';
import { forgetCalendar } from '../src/services/registers/registers.js';
import { freshDatabase } from './databases.js';
import { passSecondFactor, seedSmallSchool, type SmallSchool } from './fixtures.js';

export const PASSWORD = 'correct horse battery staple';

export interface MovableClock extends Clock {
  set(iso: string): void;
}

/** A fixed clock the test can move (each reading is fixedClock's). */
export function movableClock(iso: string): MovableClock {
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

export interface PageSession {
  readonly cookie: string;
  readonly csrf: string;
}

export interface PagesHarness {
  readonly app: FastifyInstance;
  readonly open: OpenDatabase;
  readonly school: SmallSchool;
  readonly clock: MovableClock;
  readonly deps: Deps;
  signInAs(who: Role | 'teacherb'): Promise<PageSession>;
  get(url: string, s: PageSession): Promise<LightMyRequestResponse>;
  post(url: string, s: PageSession, payload: Record<string, string | string[]>): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

/** Monday 8 September 2025, 08:30 in London. */
export const MONDAY_0830 = '2025-09-08T07:30:00.000Z';

export async function pagesHarness(
  routes: readonly FastifyPluginAsync[],
  suffix: string,
  startIso = MONDAY_0830,
  /** More configuration, as environment variables (e.g. `SMTP_URL` of a loopback server). */
  env: Readonly<Record<string, string>> = {},
): Promise<PagesHarness> {
  const open = await freshDatabase('sqlite');
  const school = await seedSmallSchool(open.db, suffix);
  await open.db
    .updateTable('users')
    .set({ password_hash: await hashPassword(PASSWORD) })
    .execute();
  forgetCalendar();
  const clock = movableClock(startIso);
  const deps: Deps = {
    db: open.db,
    dialect: open.dialect,
    clock,
    logger: createLogger('silent'),
    config: loadConfig({ SQLITE_PATH: ':memory:', ...env }),
  };
  const app = await buildApp(deps, { routes });

  const signInAs = async (who: Role | 'teacherb'): Promise<PageSession> => {
    const res = await app.inject({
      method: 'POST',
      url: '/sign-in',
      payload: { email: `${who}-${suffix}@school.test`, password: PASSWORD },
    });
    expect(res.statusCode, `sign in as ${who}`).toBe(303);
    const cookie = res.cookies.find((c) => c.name === SESSION_COOKIE);
    if (!cookie) throw new Error('no session cookie');
    await passSecondFactor(open.db, cookie.value);
    const home = await app.inject({ method: 'GET', url: '/', cookies: { [SESSION_COOKIE]: cookie.value } });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(home.body)?.[1];
    if (!csrf) throw new Error('no CSRF token on the home page');
    return { cookie: cookie.value, csrf };
  };
  return {
    app,
    open,
    school,
    clock,
    deps,
    signInAs,
    get: (url, s) => app.inject({ method: 'GET', url, cookies: { [SESSION_COOKIE]: s.cookie } }),
    post: (url, s, payload) =>
      app.inject({
        method: 'POST',
        url,
        cookies: { [SESSION_COOKIE]: s.cookie },
        payload: { _csrf: s.csrf, ...payload },
      }),
    close: async () => {
      await app.close();
      await open.close();
    },
  };
}

/** The text of an HTML fragment with tags removed and white space collapsed (for readable assertions). */
export function textOf(html: string): string {
  return (
    html
      .replace(/<script[\s\S]*?<\/script>/g, ' ')
      // Inline elements run into their neighbours; block elements are separated by a space.
      .replace(/<\/?(?:a|span|strong|em|time|b)(?:\s[^>]*)?>/g, '')
      .replace(/<[^>]+>/g, ' ')
      .replace(/&nbsp;/g, ' ')
      .replace(/&#39;/g, "'")
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, '&')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/\s+/g, ' ')
      .trim()
  );
}

/** The part of a page between an element with `data-testid` and the next one's end (rough, for scoping assertions). */
export function section(html: string, testid: string): string {
  const start = html.indexOf(`data-testid="${testid}"`);
  if (start < 0) return '';
  const next = html.indexOf('data-testid="', start + 1);
  return html.slice(start, next < 0 ? undefined : next);
}
