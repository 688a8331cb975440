import type { Page } from 'playwright-core';

/** The office desk: signing in late arrivals. */
export class OfficePage {
  constructor(
    private readonly page: Page,
    private readonly base: string,
  ) {}

  async open(): Promise<void> {
    await this.page.goto(`${this.base}/office`);
  }

  async signInLate(pupilName: string, time: string, session: 'AM' | 'PM', reason = ''): Promise<string> {
    const form = this.page.getByTestId('late-arrival-form');
    await form.locator('select[name=pupilId]').selectOption({ label: pupilName });
    await form.getByRole('textbox', { name: 'Time of arrival' }).fill(time);
    await form.getByRole('radio', { name: session === 'AM' ? 'Morning (AM)' : 'Afternoon (PM)' }).check();
    if (reason) await form.getByRole('textbox', { name: 'Reason (optional)' }).fill(reason);
    await form.getByRole('button', { name: 'Sign in late arrival' }).click();
    await this.page.waitForLoadState('load');
    return (await this.page.locator('.govuk-notification-banner').first().textContent()) ?? '';
  }
}
