import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { RegisterPage } from './pages/register.js';
import { SignInPage } from './pages/sign-in.js';
import { browserAvailable, launch } from './support/browser.js';
import { PASSWORD, startServer, type TestServer } from './support/server.js';

const run = browserAvailable();

describe.skipIf(!run)('taking a register in the browser', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    server = await startServer();
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  beforeEach(async () => {
    page = await browser.newPage();
  });
  afterEach(async () => {
    await page.close();
  });

  it('a teacher takes the morning register by keyboard, reloads and sees it saved', async () => {
    // Monday 8 September 2025, 08:55 in London: the AM register (08:50–09:20) is open.
    server.clock.set('2025-09-08T07:55:00Z');
    await new SignInPage(page, server.url).signIn(server.email('teacher'), PASSWORD);
    const register = new RegisterPage(page, server.url);
    await register.open(server.school.groupA, '2025-09-08', 'AM');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('Year 3 Oak – AM register');

    // Keys: Baker absent, Cole late; then everyone else present in one go.
    await register.pressOnRow('Baker, Bea', 'a');
    await register.pressOnRow('Cole, Cal', 'l');
    expect(await register.checkedCode('Baker, Bea')).toBe('N');
    expect(await register.checkedCode('Cole, Cal')).toBe('L');
    await register.markAllPresent();
    expect(await register.checkedCode('Able, Alex')).toBe('/');
    await page.keyboard.press('Shift+Enter');
    await page.waitForURL(/saved=3/);
    expect(await register.banner().textContent()).toContain('Register saved: 3 marks changed');

    await page.reload();
    expect(await register.checkedCode('Able, Alex')).toBe('/');
    expect(await register.checkedCode('Baker, Bea')).toBe('N');
    expect(await register.checkedCode('Cole, Cal')).toBe('L');
    // Marked late at 08:55, five minutes after the register opened.
    expect(await register.row('Cole, Cal').locator('input[type=number]').inputValue()).toBe('5');
    expect(await page.locator('body').textContent()).toContain('Taken by Test teacher');
  });
});
