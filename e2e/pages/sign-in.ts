import type { Page } from 'playwright-core';
import { secondFactorCode } from '../support/server.js';

export class SignInPage {
  constructor(
    private readonly page: Page,
    private readonly base: string,
  ) {}

  /** Signs in; for a role that must use a second factor, enters the code its app would show. */
  async signIn(email: string, password: string): Promise<void> {
    await this.page.goto(`${this.base}/sign-in`);
    await this.page.getByRole('textbox', { name: 'Email address' }).fill(email);
    await this.page.getByRole('textbox', { name: 'Password' }).fill(password);
    await this.page.getByRole('button', { name: 'Sign in' }).click();
    await this.page.waitForURL((u) => !u.pathname.startsWith('/sign-in') || u.pathname === '/sign-in/mfa');
    if (new URL(this.page.url()).pathname === '/sign-in/mfa') {
      await this.page.getByRole('textbox', { name: 'Code' }).fill(await secondFactorCode(this.base, email));
      await this.page.getByRole('button', { name: 'Continue' }).click();
      await this.page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
    }
  }
}
