import { describe, expect, it } from 'vitest';
import { SignInPage } from './pages/sign-in.js';
import { browserAvailable } from './support/browser.js';
import { axeViolations } from './support/reflow.js';
import { PASSWORD } from './support/server.js';
import { browserSuite } from './support/suite.js';

const run = browserAvailable();

describe.skipIf(!run)('finding a pupil by type-ahead, by keyboard alone', () => {
  const ctx = browserSuite();

  it('the office finds a late pupil by forename, surname or class and signs them in without the mouse', async () => {
    // Tuesday 9 September 2025, 09:10 in London: the morning register is open.
    ctx.server.clock.set('2025-09-09T08:10:00Z');
    const page = ctx.page;
    await new SignInPage(page, ctx.server.url).signIn(ctx.server.email('office'), PASSWORD);
    await page.goto(`${ctx.server.url}/office`);
    const form = page.getByTestId('late-arrival-form');
    const input = form.getByRole('combobox', { name: 'Pupil' });
    expect(await form.locator('select[name=pupilId]').isVisible()).toBe(false);

    // By class: every pupil of Year 3 Oak.
    await input.focus();
    await page.keyboard.type('oak');
    await expect.poll(() => page.getByRole('option').count()).toBe(3);
    // By surname start, then by forename start: one each.
    await input.fill('');
    await page.keyboard.type('bak');
    await expect.poll(() => page.getByRole('option').allTextContents()).toEqual(['Bea Baker (Year 3 Oak)']);
    await input.fill('');
    await page.keyboard.type('cal');
    await expect.poll(() => page.getByRole('option').allTextContents()).toEqual(['Cal Cole (Year 3 Oak)']);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    expect(await input.inputValue()).toBe('Cal Cole (Year 3 Oak)');
    expect(await axeViolations(page)).toEqual([]);

    // The rest of the form by keyboard: Tab to the time, the session, the button.
    await page.keyboard.press('Tab');
    await page.keyboard.type('09:12');
    await form.getByRole('radio', { name: 'Morning (AM)' }).focus();
    await page.keyboard.press('Space');
    await form.getByRole('button', { name: 'Sign in late arrival' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForLoadState('load');
    const banner = (await page.locator('.govuk-notification-banner').first().textContent()) ?? '';
    expect(banner).toContain('Cal Cole');
    expect(banner).toContain('L');
  });
});
