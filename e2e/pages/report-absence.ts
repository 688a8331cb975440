import type { Page } from 'playwright-core';

/** A parent's "Report an absence" question page, and the office's list of reports. */
export class ReportAbsencePage {
  constructor(
    private readonly page: Page,
    private readonly base: string,
  ) {}

  async open(pupilId: string): Promise<void> {
    await this.page.goto(`${this.base}/pupils/${pupilId}/report-absence`);
  }

  /** Reports the absence for the date already filled in (today), all day; returns the panel's text. */
  async reportToday(reason: string, details: string): Promise<string> {
    const form = this.page.getByTestId('report-form');
    await form.getByRole('radio', { name: 'All day' }).check();
    await form.getByRole('radio', { name: reason }).check();
    await form.getByRole('textbox', { name: /^Details/ }).fill(details);
    await form.getByRole('button', { name: 'Report absence' }).click();
    await this.page.waitForLoadState('load');
    return (await this.page.getByTestId('reported-panel').textContent()) ?? '';
  }
}

export class AbsenceReportsPage {
  constructor(
    private readonly page: Page,
    private readonly base: string,
  ) {}

  async open(): Promise<void> {
    await this.page.goto(`${this.base}/absence-reports`);
  }

  /** Confirms the first report for a pupil with the code shown (the proposed one). */
  async confirmFirst(pupilName: string): Promise<void> {
    const card = this.page.locator('.govuk-summary-card', { hasText: pupilName }).first();
    await card.getByRole('button', { name: 'Confirm' }).click();
    await this.page.waitForLoadState('load');
  }

  banner(): Promise<string | null> {
    return this.page.locator('.govuk-notification-banner').first().textContent();
  }
}
