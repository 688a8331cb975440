import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { SignInPage } from './pages/sign-in.js';
import { browserAvailable } from './support/browser.js';
import { PASSWORD } from './support/server.js';
import { browserSuite } from './support/suite.js';

/** The pupil's letters and evidence-pack pages (a page model kept with its only test). */
class LettersPage {
  constructor(
    private readonly page: Page,
    private readonly base: string,
  ) {}

  async open(pupilId: string): Promise<void> {
    await this.page.goto(`${this.base}/pupils/${pupilId}/letters`);
  }

  /** Writes a letter from a template, replacing the text, and prints it. */
  async writeAndPrint(title: string, body: string): Promise<void> {
    await this.page.getByRole('link', { name: title }).click();
    await this.page.getByRole('textbox', { name: 'Letter' }).fill(body);
    await this.page.getByRole('button', { name: 'Print' }).click();
    await this.page.waitForURL((u) => u.pathname.endsWith('/letters'));
  }

  async openPack(kindLink: string): Promise<void> {
    await this.page.getByRole('link', { name: kindLink }).click();
    await this.page.waitForURL((u) => u.pathname.endsWith('/evidence-pack'));
  }

  missingItems(): Promise<string[]> {
    return this.page
      .locator('[data-testid="checklist"] tr[data-item]')
      .filter({ hasText: 'Missing' })
      .locator('td:first-child')
      .allTextContents()
      .then((xs) => xs.map((x) => x.trim()));
  }

  async produce(reason: string): Promise<void> {
    await this.page.getByRole('textbox', { name: 'Reason for referral' }).fill(reason);
    await this.page.getByRole('button', { name: 'Produce pack' }).click();
    await this.page.getByText('The evidence pack has been produced and stored.').waitFor();
  }
}

describe.skipIf(!browserAvailable())('letters and evidence packs in the browser', () => {
  const ctx = browserSuite();

  it('the attendance officer prints a meeting invitation, sees what the referral pack lacks, and produces the pack as one PDF', async () => {
    // Friday 3 October 2025, 10:00 in London
    ctx.server.clock.set('2025-10-03T09:00:00Z');
    const pupilId = ctx.server.school.pupilsA[0]!;
    await new SignInPage(ctx.page, ctx.server.url).signIn(ctx.server.email('attendance_officer'), PASSWORD);
    const letters = new LettersPage(ctx.page, ctx.server.url);
    await letters.open(pupilId);
    await letters.writeAndPrint(
      'Invitation to an attendance meeting',
      'Dear Parent of Alex,\n\nPlease come to a meeting about attendance on Monday 6 October 2025 at 9:00.',
    );
    expect(await ctx.page.locator('[data-testid="letters"]').textContent()).toContain(
      'Invitation to an attendance meeting',
    );
    const letterPdf = await ctx.page.request.get(
      `${ctx.server.url}/letters/${(await ctx.page.getAttribute('[data-testid="letter-pdf"]', 'href'))!.split('/').pop()!}`,
    );
    expect(letterPdf.headers()['content-type']).toBe('application/pdf');

    await letters.openPack('Local authority referral: evidence pack');
    const missing = await letters.missingItems();
    expect(missing).toContain('A home visit');
    expect(missing).not.toContain('A letter inviting the parents to a meeting');
    await letters.produce('Unauthorised absence continues despite support.');
    const row = ctx.page.locator('[data-testid="packs"] tr[data-pack]').first();
    expect(await row.textContent()).toContain('Incomplete');
    expect(await ctx.page.getByRole('button', { name: 'Mark as sent' }).count()).toBe(0);
    const href = await row.getByRole('link', { name: 'Open PDF' }).getAttribute('href');
    const pdf = await ctx.page.request.get(`${ctx.server.url}${href!}`);
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()['content-type']).toBe('application/pdf');
    expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');
  });
});
