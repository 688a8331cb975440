import type { Page } from 'playwright-core';

export class SignInPage {
  constructor(
    private readonly page: Page,
    private readonly base: string,
  ) {}

  async signIn(email: string, password: string): Promise<void> {
    await this.page.goto(`${this.base}/sign-in`);
    await this.page.getByRole('textbox', { name: 'Email address' }).fill(email);
    await this.page.getByRole('textbox', { name: 'Password' }).fill(password);
    await this.page.getByRole('button', { name: 'Sign in' }).click();
    await this.page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
  }
}
