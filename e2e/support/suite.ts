/**
 * One server and one browser per test file, a fresh page per test: call inside `describe`.
 *
 *   const ctx = browserSuite();
 *   it('…', async () => { await ctx.page.goto(`${ctx.server.url}/…`); });
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { launch } from './browser.js';
import { startServer, type TestServer } from './server.js';

export interface BrowserSuite {
  readonly server: TestServer;
  readonly page: Page;
}

export function browserSuite(): BrowserSuite {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  let page: Page | undefined;
  beforeAll(async () => {
    server = await startServer();
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  beforeEach(async () => {
    page = await browser!.newPage();
  });
  afterEach(async () => {
    await page?.close();
  });
  return {
    get server() {
      if (!server) throw new Error('the server starts in beforeAll');
      return server;
    },
    get page() {
      if (!page) throw new Error('the page opens in beforeEach');
      return page;
    },
  };
}
