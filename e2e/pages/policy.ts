import type { Locator, Page } from 'playwright-core';

/** The school's attendance policy page (/school/policy). */
export class PolicyPage {
  constructor(
    private readonly page: Page,
    private readonly base: string,
  ) {}

  async open(): Promise<void> {
    await this.page.goto(`${this.base}/school/policy`);
  }

  /** Chooses a preset and loads it into the editor (nothing is saved). */
  async loadPreset(id: string): Promise<void> {
    await this.page.getByLabel('Preset', { exact: true }).selectOption(id);
    await this.page.getByRole('button', { name: 'Load into the editor' }).click();
    await this.page.waitForURL((u) => u.searchParams.get('preset') === id);
  }

  get editor(): Locator {
    return this.page.getByRole('textbox', { name: 'Policy document (YAML or JSON)' });
  }

  async document(): Promise<string> {
    return this.editor.inputValue();
  }

  async save(text: string): Promise<void> {
    await this.editor.fill(text);
    await this.page.getByRole('button', { name: 'Save the policy' }).click();
    await this.page.waitForLoadState('load');
  }

  get banner(): Locator {
    return this.page.locator('.govuk-notification-banner');
  }

  get errorSummary(): Locator {
    return this.page.locator('.govuk-error-summary');
  }

  get fieldErrors(): Locator {
    return this.page.getByTestId('field-errors');
  }

  get stages(): Locator {
    return this.page.getByTestId('stages');
  }

  /** "What will change when you save" after choosing a preset. */
  get changes(): Locator {
    return this.page.getByTestId('changes');
  }

  /** Saves the chosen preset from the confirm step. */
  async confirmPreset(): Promise<void> {
    await this.page.getByRole('button', { name: 'Save these changes' }).click();
    await this.page.waitForLoadState('load');
  }
}
