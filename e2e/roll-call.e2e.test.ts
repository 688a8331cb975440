import { describe, expect, it } from 'vitest';
import { SignInPage } from './pages/sign-in.js';
import { browserAvailable, launch } from './support/browser.js';
import { PASSWORD } from './support/server.js';
import { browserSuite } from './support/suite.js';
import { noHorizontalScroll } from './support/reflow.js';

const run = browserAvailable();

describe.skipIf(!run)('the emergency roll call during a simulated evacuation', () => {
  const ctx = browserSuite();

  it('the office starts it on a phone, two marshals tick their pupils, the missing stay first and are counted', async () => {
    // Monday 8 September 2025, 11:45 in London: the fire alarm goes off.
    ctx.server.clock.set('2025-09-08T10:45:00Z');
    const page = ctx.page;
    await page.setViewportSize({ width: 320, height: 640 });
    await new SignInPage(page, ctx.server.url).signIn(ctx.server.email('office'), PASSWORD);
    await page.goto(`${ctx.server.url}/roll-call`);
    expect(await page.getByTestId('on-site-total').textContent()).toContain('5 pupils on site');
    await noHorizontalScroll(page);
    await page.getByTestId('start-roll-call').click();
    await page.waitForURL(/\/roll-call\/[\w-]+$/);
    const rollUrl = page.url();
    expect(await page.getByTestId('roll-status').textContent()).toMatch(/5\s+missing · 0 of 5 accounted for/);
    await noHorizontalScroll(page);

    // Marshal 1 (this phone) ticks Alex Able: no reload, the count drops, Alex moves below the missing.
    const oak = page.locator('#class-year-3-oak');
    await oak.getByRole('button', { name: /^Accounted for\W+Alex Able$/ }).click();
    await expect
      .poll(() => page.getByTestId('roll-status').textContent())
      .toMatch(/4\s+missing · 1 of 5 accounted for/);
    const names = await oak.locator('.rollcall-tick__name').allTextContents();
    expect(names.at(-1)).toContain('Able, Alex');
    expect(names[0]).not.toContain('Able');

    // Marshal 2, a teacher on another phone at the same time, ticks Year 4.
    const browser2 = await launch();
    try {
      const phone2 = await browser2.newPage({ viewport: { width: 360, height: 740 }, hasTouch: true, isMobile: true });
      await new SignInPage(phone2, ctx.server.url).signIn(ctx.server.email('teacher'), PASSWORD);
      await phone2.goto(`${rollUrl}?class=Year%204%20Ash`);
      const ash = phone2.locator('#class-year-4-ash');
      const toTick = ash.getByRole('button', { name: /^Accounted for/ });
      for (let left = await toTick.count(); left > 0; left--) {
        await toTick.first().tap();
        await expect.poll(() => toTick.count()).toBe(left - 1);
      }
      await expect
        .poll(() => phone2.getByTestId('roll-status').textContent())
        .toMatch(/2\s+missing · 3 of 5 accounted for/);
    } finally {
      await browser2.close();
    }

    // Back on the first phone: a fresh look lists only Year 3 Oak as having pupils missing, with who ticked whom.
    await page.reload();
    expect(await page.getByTestId('roll-status').textContent()).toMatch(/2\s+missing · 3 of 5 accounted for/);
    const missing = await page.getByTestId('missing-by-class').textContent();
    expect(missing).toContain('Year 3 Oak: 2 missing');
    expect(missing).not.toContain('Year 4 Ash');
    const ashText = (await page.locator('#class-year-4-ash').textContent()) ?? '';
    expect(ashText).toContain('accounted for at 11:45 by Test teacher');
    // A mistake undone: Alex back on the missing list.
    await page
      .locator('#class-year-3-oak')
      .getByRole('button', { name: /^Undo accounted for\W+Alex Able$/ })
      .click();
    await expect
      .poll(() => page.getByTestId('roll-status').textContent())
      .toMatch(/3\s+missing · 2 of 5 accounted for/);
  });

  it('prints one page per class', async () => {
    ctx.server.clock.set('2025-09-08T10:50:00Z');
    const page = ctx.page;
    await new SignInPage(page, ctx.server.url).signIn(ctx.server.email('office'), PASSWORD);
    await page.goto(`${ctx.server.url}/roll-call`);
    await page.emulateMedia({ media: 'print' });
    const breaks = await page.evaluate<string[]>(
      "[...document.querySelectorAll('.rollcall-print-page')].map((e) => getComputedStyle(e).breakBefore)",
    );
    expect(breaks).toEqual(['page', 'page']);
    expect(await page.getByTestId('start-roll-call').isVisible()).toBe(false);
    const pdf = await page.pdf({ format: 'A4' });
    // Two classes, two pages (the heading and counts sit on the first class's page).
    const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
    expect(pages).toBe(3);
  });
});
