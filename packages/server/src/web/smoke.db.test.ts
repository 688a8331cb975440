/**
 * Smoke test: the demo trust (small scale, with its live casework, as `rollcall demo` builds it),
 * the whole app (every module in `ROUTES`), and one demo account of each role walking every
 * navigation link and every same-site link on those pages, one level deep.
 *
 * Each page must not be a 500, must not show a stack trace or "Error:", must have an <h1> and a
 * <title>, and a 403 or 404 must be the friendly error page. Pages slower than 500 ms are printed.
 *
 * SQLite only: this walks a few hundred pages over a whole demo trust, and doing it twice would
 * break the ~60 s budget; the pages' queries are covered on both dialects by their own db tests.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plainDate } from '@rollcall/domain';
import { freshDatabase } from '../../test/databases.js';
import { loadConfig } from '../config/config.js';
import type { OpenDatabase } from '../db/connect.js';
import { buildApp } from '../http/app.js';
import { fixedClock } from '../platform/clock.js';
import { createLogger } from '../platform/logger.js';
import { hashPassword } from '../platform/passwords.js';
import { ROUTES } from '../cli/server.js';
import { SESSION_COOKIE } from '../services/accounts/auth.js';
import { ROLES, type Role } from '../services/authz.js';
import { addDemoCasework } from '../services/demo/casework.js';
import { createDemo, type DemoSummary } from '../services/demo/index.js';
import type { Deps } from '../services/deps.js';
import { forgetCalendar } from '../services/registers/registers.js';
import { passSecondFactor } from '../../test/fixtures.js';

const PASSWORD = 'smoke-test-password';
/** Wednesday 25 November 2026, 10:30 in London: the morning registers have closed. */
const NOW = '2026-11-25T10:30:00.000Z';
const MAX_GETS_PER_ROLE = 150;
const MAX_BYTES = 1024 * 1024;
const SLOW_MS = 500;
/** Where a page asked for directly (not from a link) "comes from". */
const DIRECT = '(asked directly)';
/** Links of one shape (the same path with other ids, dates or numbers) walked at most this often. */
const MAX_PER_SHAPE = 3;
/** The home page is depth 0, the navigation 1, the links on those pages 2. */
const MAX_DEPTH = 2;

/**
 * A link's shape: its path with ids, dates and numbers replaced, and the names of its query
 * parameters (not their values), so the budget is spread over different pages rather than
 * every filter combination of one list.
 */
function shapeOf(url: string): string {
  const [path = '', query = ''] = url.split('?');
  const keys = [...new URLSearchParams(query).keys()].sort().join('&');
  const shape = path
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, ':id')
    .replace(/\d{4}-\d{2}-\d{2}/g, ':date');
  return keys ? `${shape}?${keys}` : shape;
}

interface Problem {
  readonly role: Role;
  readonly url: string;
  readonly from: string;
  readonly problem: string;
}

/** Same-site links in a page (href="/..."), without fragments, de-duplicated, in page order. */
export function sameSiteLinks(html: string): string[] {
  const out: string[] = [];
  for (const m of html.matchAll(/<a\s[^>]*?href="([^"]*)"[^>]*>/g)) {
    const tag = m[0];
    let href = (m[1] ?? '').replace(/&amp;/g, '&').split('#')[0] ?? '';
    if (href.startsWith('http://localhost') || href.startsWith('https://localhost')) {
      href = href.replace(/^https?:\/\/localhost(:\d+)?/, '');
    }
    if (!href.startsWith('/') || href.startsWith('//')) continue;
    if (/\sdownload(\s|=|>)/.test(tag)) continue;
    if (href.startsWith('/sign-out') || href.startsWith('/assets/') || href.startsWith('/public/')) continue;
    if (!out.includes(href)) out.push(href);
  }
  return out;
}

/** What is wrong with a page, if anything. */
function problemsOf(status: number, contentType: string, body: string): string[] {
  const problems: string[] = [];
  if (status >= 500) problems.push(`status ${status}`);
  if (!contentType.includes('text/html')) return problems;
  if (/\n\s+at [^\n]+\([^)]*:\d+:\d+\)/.test(body) || /node_modules\//.test(body)) problems.push('stack trace');
  // "Error:" as text (not inside an attribute or a GOV.UK "Error: " error-message prefix).
  const text = body
    .replace(/<script[\s\S]*?<\/script>/g, ' ')
    .replace(/<span class="govuk-visually-hidden">Error:<\/span>/g, ' ')
    .replace(/<[^>]+>/g, ' ');
  if (/\b(?:[A-Z][a-zA-Z]*)?Error:/.test(text)) problems.push('"Error:" in the body');
  if (/\[object Object\]|\bundefined\b|\bNaN\b/.test(text))
    problems.push('undefined / NaN / [object Object] in the text');
  if (!/<h1[\s>]/.test(body)) problems.push('no <h1>');
  const title = /<title[^>]*>([\s\S]*?)<\/title>/.exec(body)?.[1]?.trim();
  if (!title) problems.push('no <title>');
  if (status === 403 && !body.includes('You cannot do that')) problems.push('unfriendly 403');
  if (status === 404 && !/Page not found|Not found/i.test(body)) problems.push('unfriendly 404');
  return problems;
}

describe('smoke: every page as every role on the demo trust (SQLite)', () => {
  let open: OpenDatabase;
  let app: FastifyInstance;
  let summary: DemoSummary;
  let direct: string[] = [];

  beforeAll(async () => {
    open = await freshDatabase('sqlite');
    forgetCalendar();
    const clock = fixedClock(NOW);
    const deps: Deps = {
      db: open.db,
      dialect: open.dialect,
      clock,
      logger: createLogger('silent'),
      config: loadConfig({ SQLITE_PATH: ':memory:' }),
    };
    summary = await createDemo(open.db, {
      today: plainDate('2026-11-25'),
      now: NOW,
      scale: 0.1,
      passwordHash: await hashPassword(PASSWORD),
    });
    await addDemoCasework(deps, summary);
    app = await buildApp(deps, { routes: ROUTES });

    // Pages the walk rarely reaches (its budget samples three pupils of each kind of link), asked
    // for directly by every role: whoever may not see them must get the friendly 403.
    const academy = summary.schools[summary.schools.length - 1]!.id;
    const withCase = await open.db
      .selectFrom('cases')
      .select('pupil_id')
      .where('school_id', '=', academy)
      .orderBy('pupil_id')
      .executeTakeFirst();
    const joinedLate = await open.db
      .selectFrom('pupils')
      .select('id')
      .where('school_id', '=', academy)
      .where('admission_date', '>', '2026-09-30')
      .orderBy('id')
      .executeTakeFirst();
    const pupil = withCase?.pupil_id ?? joinedLate?.id;
    direct = [
      '/analysis/trends',
      '/analysis/patterns',
      '/analysis/lists/persistent',
      '/analysis/governors',
      '/la/tsm',
      '/trust',
      '/la',
      ...(pupil ? [`/pupils/${pupil}/case`, `/pupils/${pupil}/letters`, `/pupils/${pupil}/integration`] : []),
      ...(joinedLate
        ? [`/pupils/${joinedLate.id}/integration`, `/admissions/pupils/${joinedLate.id}/moving-form`]
        : []),
      '/no-such-page',
    ];
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await open?.close();
  });

  /** One account per role: the academy's staff (it has lessons), the trust lead, the LA officer and a parent. */
  function accountFor(role: Role): string {
    const academy = summary.signIns.find((s) => s.role === role && s.email.endsWith('@northfield-academy.test'));
    const any = summary.signIns.find((s) => s.role === role);
    const account = academy ?? any;
    if (!account) throw new Error(`the demo has no ${role} account`);
    return account.email;
  }

  it.each(ROLES.map((r) => [r]))(
    'as %s: every linked page renders without errors',
    async (role) => {
      const email = accountFor(role);
      const signIn = await app.inject({ method: 'POST', url: '/sign-in', payload: { email, password: PASSWORD } });
      expect(signIn.statusCode, `sign in as ${email}`).toBe(303);
      const cookie = signIn.cookies.find((c) => c.name === SESSION_COOKIE)?.value;
      expect(cookie).toBeDefined();
      await passSecondFactor(open.db, cookie!);
      const get = (url: string) => app.inject({ method: 'GET', url, cookies: { [SESSION_COOKIE]: cookie! } });

      const problems: Problem[] = [];
      const seen = new Set<string>();
      const shapes = new Map<string, number>();
      let gets = 0;
      const statusCounts = new Map<number, number>();
      /** Links the app offered this user that it then refused: printed (a 4xx may be a bug, not a crash). */
      const refused: string[] = [];
      const visit = async (url: string, from: string): Promise<string | null> => {
        const shape = shapeOf(url);
        if (seen.has(url) || gets >= MAX_GETS_PER_ROLE || (shapes.get(shape) ?? 0) >= MAX_PER_SHAPE) return null;
        seen.add(url);
        shapes.set(shape, (shapes.get(shape) ?? 0) + 1);
        gets += 1;
        const t0 = performance.now();
        const res = await get(url);
        const ms = performance.now() - t0;
        statusCounts.set(res.statusCode, (statusCounts.get(res.statusCode) ?? 0) + 1);
        if (res.statusCode >= 400) {
          const said = /<\/h1>\s*<p class="govuk-body">([^<]*)</.exec(res.body)?.[1] ?? '';
          refused.push(`${res.statusCode} ${url} (from ${from}): ${said}`);
        }
        if (ms > SLOW_MS) console.log(`slow: ${role} GET ${url} ${Math.round(ms)} ms`);
        if (res.rawPayload.length > MAX_BYTES) return null; // a download: not walked
        const type = String(res.headers['content-type'] ?? '');
        const location = res.headers.location;
        if (res.statusCode >= 300 && res.statusCode < 400) {
          // A same-site redirect is followed (it counts as a GET of its own).
          return typeof location === 'string' && location.startsWith('/') ? visit(location, url) : null;
        }
        for (const problem of problemsOf(res.statusCode, type, res.body)) {
          problems.push({ role, url, from, problem: `${problem} (status ${res.statusCode})` });
        }
        return type.includes('text/html') && res.statusCode === 200 ? res.body : null;
      };

      // Breadth first: the home page, its links (the navigation and the rest), then theirs, while
      // the budget lasts.
      let level: [string, string][] = [['/', '(start)']];
      for (let depth = 0; depth <= MAX_DEPTH && level.length > 0; depth += 1) {
        const next: [string, string][] = [];
        for (const [url, from] of level) {
          const body = await visit(url, from);
          if (depth === 0) expect(body, 'the home page').not.toBeNull();
          if (body && depth < MAX_DEPTH) for (const link of sameSiteLinks(body)) next.push([link, url]);
        }
        level = next;
      }
      for (const url of direct) await visit(url, DIRECT);
      const statuses = [...statusCounts].map(([k, n]) => `${k}×${n}`).join(' ');
      console.log(`${role} (${email}): ${gets} GETs (${statuses}), ${problems.length} problem(s)`);
      console.log(`VISITED ${role}: ${[...seen].join(' ')}`);
      const linksRefused = refused.filter((r) => !r.includes(`(from ${DIRECT})`));
      if (linksRefused.length) console.log(`${role}: links refused:\n  ${linksRefused.join('\n  ')}`);
      // A link the app offers a user should not be one it forbids them (a permission check or a link wrong).
      expect(linksRefused.filter((r) => r.startsWith('403 '))).toEqual([]);
      expect(problems.map((p) => `${p.role} ${p.url} (from ${p.from}): ${p.problem}`)).toEqual([]);
    },
    60_000,
  );
});
