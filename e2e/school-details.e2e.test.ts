import { describe, expect, it } from 'vitest';
import { SignInPage } from './pages/sign-in.js';
import { browserAvailable } from './support/browser.js';
import { PASSWORD } from './support/server.js';
import { browserSuite } from './support/suite.js';

describe.skipIf(!browserAvailable())('school details in the browser', () => {
  const ctx = browserSuite();

  it('the head fills in the school’s address and name from the navigation; a bad postcode is named first', async () => {
    const page = ctx.page;
    await new SignInPage(page, ctx.server.url).signIn(ctx.server.email('senior_leader'), PASSWORD);
    await page.getByRole('link', { name: 'School details' }).first().click();
    await page.waitForURL((u) => u.pathname === '/school/details');
    await page.getByRole('textbox', { name: 'Postal address' }).fill('5 Example Lane\nExampleton');
    await page.getByRole('textbox', { name: 'Postcode' }).fill('NOPE');
    await page.getByRole('textbox', { name: 'Headteacher’s name' }).fill('Ms D Example');
    await page.getByRole('button', { name: 'Save school details' }).click();
    const summary = page.locator('.govuk-error-summary');
    await summary.waitFor();
    expect(await summary.textContent()).toContain('Enter a real postcode, like ZX1 2AB.');
    expect(await page.getByRole('textbox', { name: 'Headteacher’s name' }).inputValue()).toBe('Ms D Example');
    await page.getByRole('textbox', { name: 'Postcode' }).fill('zx5 5ex');
    await page.getByRole('button', { name: 'Save school details' }).click();
    await page.getByText('The school details have been saved.').waitFor();
    expect(await page.getByRole('textbox', { name: 'Postcode' }).inputValue()).toBe('ZX5 5EX');
  });
});
