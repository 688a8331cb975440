import { describe, expect, it } from 'vitest';
import { PupilPage } from './pages/pupil.js';
import { AbsenceReportsPage, ReportAbsencePage } from './pages/report-absence.js';
import { RegisterPage } from './pages/register.js';
import { SignInPage } from './pages/sign-in.js';
import { browserAvailable } from './support/browser.js';
import { PASSWORD } from './support/server.js';
import { browserSuite } from './support/suite.js';

const run = browserAvailable();

describe.skipIf(!run)('a parent reports an absence and the office confirms it', () => {
  const ctx = browserSuite();

  it("today's illness matches the N, and once confirmed the pupil's page shows I", async () => {
    // Monday 8 September 2025, 08:55 in London: the teacher takes the AM register, Alex absent (N).
    ctx.server.clock.set('2025-09-08T07:55:00Z');
    const alex = ctx.server.school.pupilsA[0]!;
    await new SignInPage(ctx.page, ctx.server.url).signIn(ctx.server.email('teacher'), PASSWORD);
    const register = new RegisterPage(ctx.page, ctx.server.url);
    await register.open(ctx.server.school.groupA, '2025-09-08', 'AM');
    await register.pressOnRow('Able, Alex', 'a');
    await register.markAllPresent();
    expect(await register.checkedCode('Able, Alex')).toBe('N');
    await register.save();
    await ctx.page.context().clearCookies();

    // 09:30: the register has closed; the parent reports the illness.
    ctx.server.clock.set('2025-09-08T08:30:00Z');

    await new SignInPage(ctx.page, ctx.server.url).signIn(ctx.server.email('parent'), PASSWORD);
    const report = new ReportAbsencePage(ctx.page, ctx.server.url);
    await report.open(alex);
    const panel = await report.reportToday('Illness', 'High temperature');
    expect(panel).toContain('Absence reported');
    expect(panel).toContain('8 September 2025');

    await ctx.page.context().clearCookies();
    await new SignInPage(ctx.page, ctx.server.url).signIn(ctx.server.email('office'), PASSWORD);
    const list = new AbsenceReportsPage(ctx.page, ctx.server.url);
    await list.open();
    expect(await ctx.page.locator('.govuk-summary-card').first().textContent()).toContain('8 September 2025 AM');
    await list.confirmFirst('Alex Able');
    expect(await list.banner()).toContain('Report confirmed.');

    const pupil = new PupilPage(ctx.page, ctx.server.url);
    await pupil.open(alex);
    const first = pupil.history().locator('.moj-timeline__item').first();
    const text = (await first.textContent()) ?? '';
    expect(text).toContain('I');
    expect(text).toContain('Reported by parent on 8 September 2025: illness (High temperature)');
    expect(await pupil.history().textContent()).toContain('N → I');
  });
});
