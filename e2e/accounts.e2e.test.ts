import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { SignInPage } from './pages/sign-in.js';
import { browserAvailable } from './support/browser.js';
import { PASSWORD } from './support/server.js';
import { browserSuite } from './support/suite.js';

const TEMPORARY = 'temporary passphrase';
const CHOSEN = 'my own chosen passphrase';

/** The administrator's account pages. */
class AccountsPages {
  constructor(private readonly page: Page) {}

  async createTeacher(name: string, email: string, group: string, password: string): Promise<void> {
    await this.page.getByRole('link', { name: 'Accounts', exact: true }).first().click();
    await this.page.waitForURL((u) => u.pathname === '/admin/users');
    await this.page.getByRole('button', { name: 'Create an account' }).click();
    await this.page.waitForURL((u) => u.pathname === '/admin/users/new');
    await this.page.getByRole('textbox', { name: 'Full name' }).fill(name);
    await this.page.getByRole('textbox', { name: 'Email address' }).fill(email);
    await this.page.getByRole('radio', { name: 'Teacher', exact: true }).check();
    // The group by type-ahead: type the start of its name, choose it with the keyboard.
    await this.page.getByRole('combobox', { name: 'Add a group' }).fill(group.split(' ').slice(-1)[0]!);
    await this.page.getByRole('option', { name: new RegExp(`^${group} `) }).waitFor();
    await this.page.keyboard.press('ArrowDown');
    await this.page.keyboard.press('Enter');
    await this.page.getByRole('checkbox', { name: new RegExp(`^${group} `), checked: true }).waitFor();
    await this.page.getByLabel('Temporary password', { exact: true }).fill(password);
    await this.page.getByLabel('Confirm temporary password', { exact: true }).fill(password);
    await this.page.getByRole('button', { name: 'Create account' }).click();
    await this.page.getByText('Account created.').waitFor();
  }

  async disable(): Promise<void> {
    await this.page.getByRole('button', { name: 'Disable account' }).click();
    await this.page.getByText('Account disabled.').waitFor();
  }
}

/** The password page a person is sent to with a temporary password. */
class PasswordPage {
  constructor(private readonly page: Page) {}

  heading(): Promise<string | null> {
    return this.page.getByRole('heading', { level: 1 }).textContent();
  }

  async choose(current: string, chosen: string): Promise<void> {
    await this.page.getByLabel('Temporary password', { exact: true }).fill(current);
    await this.page.getByLabel('New password', { exact: true }).fill(chosen);
    await this.page.getByLabel('Confirm new password', { exact: true }).fill(chosen);
    await this.page.getByRole('button', { name: 'Change password' }).click();
    await this.page.getByText('Your password has been changed.').waitFor();
  }
}

describe.skipIf(!browserAvailable())('accounts in the browser', () => {
  const ctx = browserSuite();

  it('an administrator creates a teacher with a group; the teacher must choose a password, takes the register; disabled, their session is refused', async () => {
    // Monday 8 September 2025, 08:55 in London: the AM register is open.
    ctx.server.clock.set('2025-09-08T07:55:00Z');
    const admin = ctx.page;
    await new SignInPage(admin, ctx.server.url).signIn(ctx.server.email('admin'), PASSWORD);
    await new AccountsPages(admin).createTeacher('Nell Newman', 'nell.newman@school.test', 'Year 4 Ash', TEMPORARY);
    expect(await admin.locator('[data-testid="account-summary"]').textContent()).toContain('Temporary');

    // The teacher, in a browser of their own.
    const teacher = await admin.context().browser()!.newPage();
    try {
      await new SignInPage(teacher, ctx.server.url).signIn('nell.newman@school.test', TEMPORARY);
      expect(new URL(teacher.url()).pathname).toBe('/account/password');
      const password = new PasswordPage(teacher);
      expect(await password.heading()).toContain('Choose a new password');
      // Any other page leads back here until the password is chosen.
      await teacher.goto(`${ctx.server.url}/registers`);
      expect(new URL(teacher.url()).pathname).toBe('/account/password');
      await password.choose(TEMPORARY, CHOSEN);
      await teacher.getByRole('link', { name: 'Continue' }).click();
      await teacher.waitForURL((u) => u.pathname === '/registers');
      expect(await teacher.locator('main').textContent()).toContain('Year 4 Ash');
      await teacher.goto(`${ctx.server.url}/registers/${ctx.server.school.groupB}/2025-09-08/AM`);
      expect(await teacher.getByRole('heading', { level: 1 }).textContent()).toContain('Year 4 Ash – AM register');

      // The administrator disables the account: the teacher's open session is refused at once.
      await admin.reload();
      await new AccountsPages(admin).disable();
      await teacher.reload();
      await teacher.waitForURL((u) => u.pathname === '/sign-in');
      // And cannot sign in again, even with the password they chose.
      await teacher.getByRole('textbox', { name: 'Email address' }).fill('nell.newman@school.test');
      await teacher.getByRole('textbox', { name: 'Password' }).fill(CHOSEN);
      await teacher.getByRole('button', { name: 'Sign in' }).click();
      await teacher.locator('.govuk-error-summary').waitFor();
      expect(await teacher.locator('.govuk-error-summary').textContent()).toContain(
        'Enter a correct email address and password',
      );
    } finally {
      await teacher.close();
    }
  });
});
