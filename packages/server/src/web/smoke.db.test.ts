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
import { SESSION_COOKIE } from '../services/auth.js';
import { ROLES, type Role } from '../services/authz.js';
import { addDemoCasework } from '../services/demo/casework.js';
import { createDemo, type DemoSummary } from '../services/demo/index.js';
import type { Deps } from '../services/deps.js';
import { forgetCalendar } from '../services/registers.js';

const PASSWORD = 'smoke-test-password';
/** Wednesday 25 November 2026, 10:30 in London: the morning registers have closed. */
const NOW = '2026-11-25T10:30:00.000Z';
const MAX_GETS_PER_ROLE = 150;
const MAX_BYTES = 1024 * 1024;
const SLOW_MS = 500;

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
      const get = (url: string) => app.inject({ method: 'GET', url, cookies: { [SESSION_COOKIE]: cookie! } });

      const problems: Problem[] = [];
      const seen = new Set<string>();
      let gets = 0;
      const visit = async (url: string, from: string): Promise<string | null> => {
        if (seen.has(url) || gets >= MAX_GETS_PER_ROLE) return null;
        seen.add(url);
        gets += 1;
        const t0 = performance.now();
        const res = await get(url);
        const ms = performance.now() - t0;
        if (ms > SLOW_MS) console.log(`slow: ${role} GET ${url} ${Math.round(ms)} ms`);
        if (res.rawPayload.length > MAX_BYTES) return null; // a download: not walked
        const type = String(res.headers['content-type'] ?? '');
        if (res.statusCode >= 300 && res.statusCode < 400) return null; // redirects are fine
        for (const problem of problemsOf(res.statusCode, type, res.body)) {
          problems.push({ role, url, from, problem: `${problem} (status ${res.statusCode})` });
        }
        return type.includes('text/html') && res.statusCode === 200 ? res.body : null;
      };

      const home = await visit('/', '(start)');
      expect(home, 'the home page').not.toBeNull();
      const nav = [
        ...(home ?? '').matchAll(
          /class="[^"]*service-navigation__link[^"]*"[^>]*href="([^"]+)"|href="([^"]+)"[^>]*class="[^"]*service-navigation__link/g,
        ),
      ]
        .map((m) => m[1] ?? m[2] ?? '')
        .filter((h) => h.startsWith('/'));
      const firstLevel = [...new Set([...nav, ...sameSiteLinks(home ?? '')])];
      const pages: [string, string][] = [];
      for (const url of firstLevel) {
        const body = await visit(url, '/');
        if (body) pages.push([url, body]);
      }
      for (const [from, body] of pages) {
        for (const url of sameSiteLinks(body)) await visit(url, from);
      }
      console.log(`${role} (${email}): ${gets} GETs, ${problems.length} problem(s)`);
      expect(problems.map((p) => `${p.role} ${p.url} (from ${p.from}): ${p.problem}`)).toEqual([]);
    },
    60_000,
  );
});
