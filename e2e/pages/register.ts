import type { Locator, Page } from 'playwright-core';

/** The register page: rows per pupil, one key per mark. */
export class RegisterPage {
  constructor(
    private readonly page: Page,
    private readonly base: string,
  ) {}

  async open(groupId: string, date: string, session: 'AM' | 'PM'): Promise<void> {
    await this.page.goto(`${this.base}/registers/${groupId}/${date}/${session}`);
  }

  row(name: string): Locator {
    return this.page.locator('[data-pupil-row]', { has: this.page.getByRole('link', { name }) });
  }

  /** Marks everyone not yet marked present. */
  async markAllPresent(): Promise<void> {
    await this.page.getByRole('button', { name: 'Mark all unmarked present' }).click();
  }

  /** Presses keys on a pupil's row (the row has keyboard focus). */
  async pressOnRow(name: string, ...keys: string[]): Promise<void> {
    await this.row(name).focus();
    for (const key of keys) await this.page.keyboard.press(key);
  }

  async save(): Promise<void> {
    await this.page.getByRole('button', { name: 'Save register' }).click();
    await this.page.waitForLoadState('load');
  }

  async checkedCode(name: string): Promise<string | null> {
    const row = this.row(name);
    const other = await row.locator('select[data-other-code]').inputValue();
    if (other) return other;
    const checked = row.locator('input[type=radio]:checked');
    return (await checked.count()) > 0 ? checked.inputValue() : null;
  }

  banner(): Locator {
    return this.page.locator('.govuk-notification-banner');
  }
}
