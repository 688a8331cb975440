/**
 * Every role's pages at 320 px (a phone, or 200% zoom on a 640 px window) and at 1280 px: the
 * page never scrolls sideways (WCAG 2.2 reflow; a wide data table scrolls in its own box), and
 * axe-core finds no WCAG 2.2 A or AA violation. The pages are the demo trust's (at a tenth of its
 * size): each role's home page and every page its menu and home page link to.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignInPage } from './pages/sign-in.js';
import { browserAvailable, launch } from './support/browser.js';
import { DEMO_TEST_PASSWORD, startDemoServer, type DemoServer } from './support/demo-server.js';
import { axeViolations, noHorizontalScroll } from './support/reflow.js';

const run = browserAvailable();

/** One account per role (the demo's memorable sign-ins). */
const ACCOUNTS = [
  'teacher@northfield-academy.test',
  'teacher@northfield-primary.test',
  'office@northfield-academy.test',
  'attendance@northfield-academy.test',
  'senco@northfield-academy.test',
  'head@northfield-academy.test',
  'governor@northfield-academy.test',
  'admin@northfield-academy.test',
  'trust.lead@northfield-trust.test',
  'officer@demo-borough.test',
  'parent@example.test',
];

/** Pages per role at most (the home page, then its menu and links in page order). */
const MAX_PAGES = 12;

/** Links not to follow: downloads, sign-out, and the same page again with other filters. */
function followable(href: string): boolean {
  if (!href.startsWith('/') || href.startsWith('//')) return false;
  if (/\.(csv|xlsx|pdf|json)(\?|$)|\/export|\/download|format=|sign-out|#/.test(href)) return false;
  return true;
}

describe.skipIf(!run)(
  'every page of every role: no sideways scrolling at 320 and 1280 px, no axe-core violations',
  () => {
    let server: DemoServer;
    let browser: Browser;
    beforeAll(async () => {
      server = await startDemoServer();
      browser = await launch();
    }, 120_000);
    afterAll(async () => {
      await browser?.close();
      await server?.close();
    });

    it.each(ACCOUNTS)(
      '%s',
      async (email) => {
        const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
        const page = await context.newPage();
        try {
          await new SignInPage(page, server.url).signIn(email, DEMO_TEST_PASSWORD);
          const queue = ['/'];
          const seen = new Set<string>();
          const problems: string[] = [];
          while (queue.length > 0 && seen.size < MAX_PAGES) {
            const path = queue.shift()!;
            // The same page with another query string is the same template: once is enough.
            const key = path.split('?')[0]!.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, ':id');
            if (seen.has(key)) continue;
            seen.add(key);
            await page.setViewportSize({ width: 1280, height: 900 });
            const res = await page.goto(`${server.url}${path}`);
            if (!res || res.status() >= 400) continue; // refusals are tested elsewhere
            for (const v of await axeViolations(page)) problems.push(`${path}: ${v}`);
            const links = await page.evaluate<string[]>(
              "[...document.querySelectorAll('main a[href], nav a[href]')].map((a) => a.getAttribute('href'))",
            );
            for (const l of links) if (followable(l) && !queue.includes(l)) queue.push(l);
            for (const width of [1280, 320]) {
              await page.setViewportSize({ width, height: 900 });
              try {
                await noHorizontalScroll(page);
              } catch (e) {
                problems.push(`${path} at ${width} px: ${(e as Error).message.split('\n')[0]}`);
              }
            }
          }
          expect(seen.size).toBeGreaterThan(1);
          expect(problems).toEqual([]);
        } finally {
          await context.close();
        }
      },
      300_000,
    );
  },
);
