/**
 * Issue 17, item 7 in the browser: every analysis table with its files beside it (the dashboard,
 * the LA's schools side by side, the targeting support list), and missed return deadlines flagged,
 * at 320 px and 1280 px, with no sideways scrolling and no axe-core violation.
 */
import { describe, expect, it } from 'vitest';
import { AnalysisPage } from './pages/analysis.js';
import { SignInPage } from './pages/sign-in.js';
import { browserAvailable } from './support/browser.js';
import { axeViolations, noHorizontalScroll } from './support/reflow.js';
import { PASSWORD } from './support/server.js';
import { browserSuite } from './support/suite.js';

describe.skipIf(!browserAvailable())('analysis polish in the browser', () => {
  const ctx = browserSuite();

  for (const width of [320, 1280])
    it(`a senior leader downloads the dashboard's tables from beside them and sees a missed return deadline, at ${width} px`, async () => {
      // Friday 19 September 2025, 16:00 in London.
      ctx.server.clock.set('2025-09-19T15:00:00Z');
      const page = ctx.page;
      await page.setViewportSize({ width, height: 900 });
      await new SignInPage(page, ctx.server.url).signIn(ctx.server.email('senior_leader'), PASSWORD);
      const analysis = new AnalysisPage(page, ctx.server.url);
      await analysis.openDashboard();
      expect(await page.getByTestId('period').textContent()).toContain('(school year 2025/26)');
      for (const table of ['summary', 'bands', 'groups'])
        expect(await page.getByTestId(`xlsx-${table}`).count()).toBe(1);
      const csv = await analysis.downloadCsv('summary');
      expect(csv.name).toBe('summary.csv');
      expect(csv.text).toContain('Measure,Whole school,Pupils');
      await noHorizontalScroll(page);
      expect(await axeViolations(page)).toEqual([]);

      // A pupil admitted on 10 September: the LA had to be told by 17 September.
      if (width === 320)
        await ctx.server.db
          .updateTable('pupils')
          .set({ admission_date: '2025-09-10' })
          .where('id', '=', ctx.server.school.pupilsB[1]!)
          .execute();
      await page.goto(`${ctx.server.url}/returns`);
      if (width === 320) {
        await page.getByRole('button', { name: 'Prepare returns now' }).click();
        await page.waitForURL((u) => u.search.includes('prepared='));
      }
      expect(await page.getByTestId('missed-deadlines').textContent()).toContain('1 return has missed its deadline');
      expect(await page.getByRole('table').filter({ hasText: 'Deadline missed' }).textContent()).toContain(
        'Wednesday 17 September 2025',
      );
      await noHorizontalScroll(page);
      expect(await axeViolations(page)).toEqual([]);
    });

  for (const width of [320, 1280])
    it(`an LA officer downloads the schools side by side and the targeting support list, at ${width} px`, async () => {
      ctx.server.clock.set('2025-09-19T15:00:00Z');
      const page = ctx.page;
      await page.setViewportSize({ width, height: 900 });
      await new SignInPage(page, ctx.server.url).signIn(ctx.server.email('la_officer'), PASSWORD);
      await page.goto(`${ctx.server.url}/la`);
      const analysis = new AnalysisPage(page, ctx.server.url);
      const schools = await analysis.downloadCsv('schools');
      expect(schools.name).toBe('la-schools-2025-09-19.csv');
      expect(schools.text).toMatch(/All \d+ schools,/);
      await noHorizontalScroll(page);
      expect(await axeViolations(page)).toEqual([]);
      await page.getByTestId('tsm-link').click();
      await page.waitForURL((u) => u.pathname === '/la/tsm');
      const tsm = await analysis.downloadCsv('tsm');
      expect(tsm.name).toBe('targeting-support-2025-09-19.csv');
      expect(tsm.text.split(/\r?\n/)[0]).toContain('School,Pupil,UPN,Year,Attendance,Severe absence,Why');
      await noHorizontalScroll(page);
      expect(await axeViolations(page)).toEqual([]);
    });
});
