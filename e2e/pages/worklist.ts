import type { Locator, Page } from 'playwright-core';

/** The unexplained-absence worklist. */
export class WorklistPage {
  constructor(
    private readonly page: Page,
    private readonly base: string,
  ) {}

  async open(date?: string): Promise<void> {
    await this.page.goto(`${this.base}/worklist${date ? `?date=${date}` : ''}`);
  }

  /** The pupils listed, in the order shown. */
  async pupils(): Promise<string[]> {
    return this.page.locator('table a[href^="/pupils/"]:not([href$="/home-visits"])').allTextContents();
  }

  row(name: string): Locator {
    return this.page.locator('tr', { has: this.page.getByRole('link', { name, exact: true }) });
  }

  async calledNoAnswer(name: string, contactName: string): Promise<void> {
    await this.row(name)
      .getByRole('button', { name: `Called — no answer (${contactName})` })
      .click();
    await this.page.waitForLoadState('load');
  }
}
