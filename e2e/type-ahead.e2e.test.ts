import { describe, expect, it } from 'vitest';
import { SignInPage } from './pages/sign-in.js';
import { browserAvailable } from './support/browser.js';
import { axeViolations, noHorizontalScroll } from './support/reflow.js';
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

  for (const width of [320, 1280])
    it(`an administrator gives a teacher two groups by type-ahead, by keyboard alone, at ${width} px`, async () => {
      const page = ctx.page;
      await page.setViewportSize({ width, height: 900 });
      await new SignInPage(page, ctx.server.url).signIn(ctx.server.email('admin'), PASSWORD);
      const teacherB = await ctx.server.db
        .selectFrom('users')
        .select('id')
        .where('email', '=', ctx.server.email('teacherB'))
        .executeTakeFirstOrThrow();
      await page.goto(`${ctx.server.url}/admin/users/${teacherB.id}`);
      const picker = page.getByTestId('group-picker');
      // Only the group they have is a checkbox; the others are found by typing.
      expect(await picker.getByRole('checkbox').count()).toBe(1);
      const input = picker.getByRole('combobox', { name: 'Add a group' });
      await input.focus();
      await page.keyboard.type('oak');
      await expect.poll(() => page.getByRole('option').allTextContents()).toEqual(['Year 3 Oak (registration group)']);
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Enter');
      // Added to the ticked list; the box empties for the next one.
      await expect
        .poll(() => picker.getByRole('checkbox', { name: 'Year 3 Oak (registration group)' }).isChecked())
        .toBe(true);
      await expect.poll(() => input.inputValue()).toBe('');
      await page.keyboard.type('math');
      await expect.poll(() => page.getByRole('option').allTextContents()).toEqual(['3 Maths (teaching group)']);
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Enter');
      await expect.poll(() => picker.getByRole('checkbox').count()).toBe(3);
      await noHorizontalScroll(page);
      expect(await axeViolations(page)).toEqual([]);
      await page.getByRole('button', { name: 'Save details' }).focus();
      await page.keyboard.press('Enter');
      await page.waitForURL((u) => u.search.includes('done='));
      const saved = page.getByTestId('group-picker');
      expect((await saved.locator('.govuk-checkboxes__label').allTextContents()).map((l) => l.trim())).toEqual([
        '3 Maths (teaching group)',
        'Year 3 Oak (registration group)',
        'Year 4 Ash (registration group)',
      ]);
      // Put things back for the next width: untick the two added, save.
      await saved.getByRole('checkbox', { name: '3 Maths (teaching group)' }).uncheck();
      await saved.getByRole('checkbox', { name: 'Year 3 Oak (registration group)' }).uncheck();
      await page.getByRole('button', { name: 'Save details' }).click();
      await page.waitForURL((u) => u.search.includes('done='));
      expect(await page.getByTestId('group-picker').getByRole('checkbox').count()).toBe(1);
    });

  for (const width of [320, 1280])
    it(`the office finds a pupil by their mother's name from the home page, by keyboard alone, at ${width} px`, async () => {
      const page = ctx.page;
      await page.setViewportSize({ width, height: 900 });
      await new SignInPage(page, ctx.server.url).signIn(ctx.server.email('office'), PASSWORD);
      await page.goto(ctx.server.url);
      const input = page.getByRole('combobox', { name: 'Find a pupil' });
      await input.focus();
      await page.keyboard.type('parent of');
      await expect
        .poll(() => page.getByRole('option').allTextContents())
        .toEqual(['Alex Able (Year 3 Oak): contact Parent of Alex, Mother']);
      await noHorizontalScroll(page);
      expect(await axeViolations(page)).toEqual([]);
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Enter');
      await page.waitForURL((u) => u.pathname === `/pupils/${ctx.server.school.pupilsA[0]}`);
      // Enter without choosing searches, as the plain form does.
      await page.goto(ctx.server.url);
      await page.getByRole('combobox', { name: 'Find a pupil' }).focus();
      await page.keyboard.type('baker');
      await expect.poll(() => page.getByRole('option').count()).toBe(1);
      await page.keyboard.press('Enter');
      await page.waitForURL((u) => u.pathname === '/pupils' && u.search.includes('q=baker'));
      expect(await page.getByTestId('search-results').textContent()).toContain('Bea Baker');
    });
});
