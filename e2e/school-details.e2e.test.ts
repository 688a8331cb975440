import { describe, expect, it } from 'vitest';
import { testPng } from '../packages/server/test/images.js';
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

  it('the head uploads the school’s logo (a GIF is refused, saying why), sees it, and removes it', async () => {
    const page = ctx.page;
    await new SignInPage(page, ctx.server.url).signIn(ctx.server.email('senior_leader'), PASSWORD);
    await page.goto(`${ctx.server.url}/school/details`);
    expect(await page.getByTestId('school-logo-current').textContent()).toContain('No logo');
    const file = page.getByLabel('Upload a logo');
    await file.setInputFiles({
      name: 'crest.gif',
      mimeType: 'image/gif',
      buffer: Buffer.from('GIF89a\x10\x00\x10\x00\x00\x00\x00;', 'latin1'),
    });
    await page.getByRole('button', { name: 'Upload logo' }).click();
    const summary = page.locator('.govuk-error-summary');
    await summary.waitFor();
    expect(await summary.textContent()).toContain('The file is not a PNG or JPEG image.');

    await page
      .getByLabel('Upload a logo')
      .setInputFiles({ name: 'crest.png', mimeType: 'image/png', buffer: testPng(96, 48) });
    await page.getByRole('button', { name: 'Upload logo' }).click();
    await page.getByText('The logo has been saved').waitFor();
    expect(await page.getByTestId('school-logo-current').textContent()).toContain('PNG, 96 × 48 pixels');
    // The browser loads and decodes the stored image.
    const img = page.getByRole('img', { name: 'The school’s logo as stored' });
    await expect
      .poll(() =>
        img.evaluate((el) => {
          const image = el as unknown as { complete: boolean; naturalWidth: number };
          return image.complete ? image.naturalWidth : 0;
        }),
      )
      .toBe(96);

    await page.getByRole('button', { name: 'Remove the logo' }).click();
    await page.getByText('The logo has been removed').waitFor();
    expect(await page.getByTestId('school-logo-current').textContent()).toContain('No logo');
  });
});
