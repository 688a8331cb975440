import type { Locator, Page } from 'playwright-core';

/** The office desk: signing in late arrivals. */
export class OfficePage {
  constructor(
    private readonly page: Page,
    private readonly base: string,
  ) {}

  async open(): Promise<void> {
    await this.page.goto(`${this.base}/office`);
  }

  /**
   * Chooses a pupil in the type-ahead by keyboard, as the office would: the surname, then the
   * arrow key to the suggestion and Enter.
   */
  async choosePupil(form: Locator, pupilName: string): Promise<void> {
    const input = form.getByRole('combobox', { name: 'Pupil' });
    await input.click();
    await input.pressSequentially(pupilName.split(' ').at(-1)!, { delay: 20 });
    await this.page.getByRole('option', { name: new RegExp(`^${pupilName} \\(`) }).waitFor();
    await input.press('ArrowDown');
    await this.page.keyboard.press('Enter');
  }

  async signInLate(pupilName: string, time: string, session: 'AM' | 'PM', reason = ''): Promise<string> {
    const form = this.page.getByTestId('late-arrival-form');
    await this.choosePupil(form, pupilName);
    await form.getByRole('textbox', { name: 'Time of arrival' }).fill(time);
    await form.getByRole('radio', { name: session === 'AM' ? 'Morning (AM)' : 'Afternoon (PM)' }).check();
    if (reason) await form.getByRole('textbox', { name: 'Reason (optional)' }).fill(reason);
    await form.getByRole('button', { name: 'Sign in late arrival' }).click();
    await this.page.waitForLoadState('load');
    return (await this.page.locator('.govuk-notification-banner').first().textContent()) ?? '';
  }
}
