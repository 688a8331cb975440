import type { Locator, Page, Response } from 'playwright-core';

/** A pupil's page: measures, calendar, history, and the amendment form. */
export class PupilPage {
  constructor(
    private readonly page: Page,
    private readonly base: string,
  ) {}

  open(pupilId: string): Promise<Response | null> {
    return this.page.goto(`${this.base}/pupils/${pupilId}`);
  }

  history(): Locator {
    return this.page.getByTestId('history');
  }

  async amend(
    date: { day: string; month: string; year: string },
    session: 'AM' | 'PM',
    code: string,
    reason: string,
  ): Promise<void> {
    const form = this.page.getByTestId('amend-form');
    await form.getByRole('textbox', { name: 'Day' }).fill(date.day);
    await form.getByRole('textbox', { name: 'Month' }).fill(date.month);
    await form.getByRole('textbox', { name: 'Year' }).fill(date.year);
    await form.getByRole('radio', { name: session === 'AM' ? 'Morning (AM)' : 'Afternoon (PM)' }).check();
    await form.getByRole('combobox', { name: 'New code' }).selectOption(code);
    await form.getByRole('textbox', { name: 'Reason for the change' }).fill(reason);
    await form.getByRole('button', { name: 'Amend mark' }).click();
    await this.page.waitForLoadState('load');
  }
}
