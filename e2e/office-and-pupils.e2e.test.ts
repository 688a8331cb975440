import { describe, expect, it } from 'vitest';
import { OfficePage } from './pages/office.js';
import { PupilPage } from './pages/pupil.js';
import { SignInPage } from './pages/sign-in.js';
import { browserAvailable } from './support/browser.js';
import { PASSWORD } from './support/server.js';
import { browserSuite } from './support/suite.js';

const run = browserAvailable();

describe.skipIf(!run)('the office, amendments and who may see whom', () => {
  const ctx = browserSuite();

  it('the office signs in an arrival after the close and sees U with the minutes', async () => {
    // Tuesday 9 September 2025, 09:40 in London: the AM register closed at 09:20.
    ctx.server.clock.set('2025-09-09T08:40:00Z');
    await new SignInPage(ctx.page, ctx.server.url).signIn(ctx.server.email('office'), PASSWORD);
    const office = new OfficePage(ctx.page, ctx.server.url);
    await office.open();
    const banner = await office.signInLate('Alex Able', '09:35', 'AM', 'Overslept');
    expect(banner).toContain('U');
    expect(banner).toContain('45 minutes late');
    const pupil = new PupilPage(ctx.page, ctx.server.url);
    await pupil.open(ctx.server.school.pupilsA[0]!);
    const history = await pupil.history().textContent();
    expect(history).toContain('U');
    expect(history).toContain('45');
  });

  it('an amendment shows in the history with its reason and who made it', async () => {
    ctx.server.clock.set('2025-09-09T10:00:00Z');
    await new SignInPage(ctx.page, ctx.server.url).signIn(ctx.server.email('attendance_officer'), PASSWORD);
    const pupil = new PupilPage(ctx.page, ctx.server.url);
    await pupil.open(ctx.server.school.pupilsA[0]!);
    await pupil.amend({ day: '9', month: '9', year: '2025' }, 'AM', 'M', 'Dentist letter brought in by parent');
    expect(await ctx.page.locator('.govuk-notification-banner').first().textContent()).toContain('Mark amended');
    const first = pupil.history().locator('.moj-timeline__item').first();
    const text = (await first.textContent()) ?? '';
    expect(text).toContain('Dentist letter brought in by parent');
    expect(text).toContain('M');
    expect(text).toContain('Test attendance_officer');
  });

  it("refuses a parent another child's ctx.page", async () => {
    await new SignInPage(ctx.page, ctx.server.url).signIn(ctx.server.email('parent'), PASSWORD);
    const pupil = new PupilPage(ctx.page, ctx.server.url);
    const own = await pupil.open(ctx.server.school.pupilsA[0]!);
    expect(own?.status()).toBe(200);
    const other = await pupil.open(ctx.server.school.pupilsA[1]!);
    expect(other?.status()).toBe(403);
    expect(await ctx.page.locator('body').textContent()).not.toContain('Baker');
  });

  it('refuses a teacher a pupil outside their groups', async () => {
    await new SignInPage(ctx.page, ctx.server.url).signIn(ctx.server.email('teacher'), PASSWORD);
    const pupil = new PupilPage(ctx.page, ctx.server.url);
    expect((await pupil.open(ctx.server.school.pupilsA[1]!))?.status()).toBe(200);
    const outside = await pupil.open(ctx.server.school.pupilsB[0]!);
    expect(outside?.status()).toBe(403);
    expect(await ctx.page.locator('body').textContent()).not.toContain('Dale');
  });
});
