import { describe, expect, it } from 'vitest';
import { AnalysisPage } from './pages/analysis.js';
import { RegisterPage } from './pages/register.js';
import { SignInPage } from './pages/sign-in.js';
import { browserAvailable } from './support/browser.js';
import { PASSWORD } from './support/server.js';
import { browserSuite } from './support/suite.js';

describe.skipIf(!browserAvailable())('analysis in the browser', () => {
  const ctx = browserSuite();

  it('a senior leader opens the dashboard, filters to a group, and exports the trend as CSV', async () => {
    // 08:55 on Monday 8 September 2025: the teacher marks Bea absent (N) on the morning register.
    ctx.server.clock.set('2025-09-08T07:55:00Z');
    await new SignInPage(ctx.page, ctx.server.url).signIn(ctx.server.email('teacher'), PASSWORD);
    const register = new RegisterPage(ctx.page, ctx.server.url);
    await register.open(ctx.server.school.groupA, '2025-09-08', 'AM');
    await register.pressOnRow('Baker, Bea', 'a');
    await register.markAllPresent();
    await register.save();
    await ctx.page.context().clearCookies();

    ctx.server.clock.set('2025-09-08T15:00:00Z');
    await new SignInPage(ctx.page, ctx.server.url).signIn(ctx.server.email('senior_leader'), PASSWORD);
    const analysis = new AnalysisPage(ctx.page, ctx.server.url);
    await analysis.openDashboard();
    await analysis.filterDashboardToGroup('Gender F');
    expect(new URL(ctx.page.url()).searchParams.get('group')).toBe('gender:F');

    // The dashboard's own figures for the group, as CSV (with the session's cookie).
    const summary = await analysis.exportDashboard('summary');
    expect(summary.contentType).toBe('text/csv; charset=utf-8');
    expect(summary.text).toContain('Measure,Gender F,Pupils');
    expect(summary.text).toContain('Attendance,0,,');

    // The trends of the same group (Bea and Dee), then the table as CSV.
    await analysis.openWithSameFilters('/analysis/trends');
    expect(await analysis.scope()).toContain('Gender F: 2 pupils');
    const csv = await analysis.downloadCsv('weekly-trend');
    expect(csv.name).toBe('weekly-trend.csv');
    const lines = csv.text.replace(/^\uFEFF/, '').split('\r\n');
    expect(lines[0]).toBe(
      'Period,From,Possible sessions,Attendance,Last year,Change,Year to date,Last year to date,Change (year to date)',
    );
    // Only Bea's N is a possible session so far this week for the group: 0% attendance.
    expect(lines).toContain('w/c 2025-09-08,2025-09-08,1,0,,,0,,');

    // Whole school on the patterns page: the filter form there changes the group too.
    await analysis.openSubPage('Patterns');
    expect(await analysis.scope()).toContain('Gender F');
    await analysis.filterToGroup('All pupils');
    expect(await analysis.scope()).toContain('Whole school: 5 pupils');
    const days = await analysis.downloadCsv('day-and-session');
    expect(days.text).toContain('Monday,AM,3,1,');
  });

  it('from a pupil list, the chosen pupils go on to letters', async () => {
    // Bea's N from the first test makes her persistently absent (1 of 1 possible session).
    ctx.server.clock.set('2025-09-08T15:00:00Z');
    await new SignInPage(ctx.page, ctx.server.url).signIn(ctx.server.email('senior_leader'), PASSWORD);
    const analysis = new AnalysisPage(ctx.page, ctx.server.url);
    await ctx.page.goto(`${ctx.server.url}/analysis/lists/persistent`);
    await analysis.choosePupil('Bea Baker');
    await analysis.writeLetters();
    const bea = ctx.server.school.pupilsA[1]!;
    expect(await ctx.page.getByTestId('letter-links').locator(`a[href="/pupils/${bea}/letters"]`).count()).toBe(1);
  });

  it('a governor prints the anonymised report without the navigation or download links', async () => {
    ctx.server.clock.set('2025-09-08T15:00:00Z');
    await new SignInPage(ctx.page, ctx.server.url).signIn(ctx.server.email('governor'), PASSWORD);
    await ctx.page.goto(`${ctx.server.url}/analysis/governors`);
    await ctx.page.emulateMedia({ media: 'print' });
    expect(await ctx.page.getByRole('heading', { name: 'Attendance report for governors' }).isVisible()).toBe(true);
    expect(await ctx.page.locator('.govuk-service-navigation').isVisible()).toBe(false);
    expect(await ctx.page.getByTestId('csv-weekly-trend').isVisible()).toBe(false);
    expect(await ctx.page.locator('svg[data-chart="governors-weekly-chart"]').isVisible()).toBe(true);
    expect(await ctx.page.content()).not.toContain('Bea');
  });
});
