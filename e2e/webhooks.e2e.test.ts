import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignInPage } from './pages/sign-in.js';
import { browserAvailable } from './support/browser.js';
import { axeViolations, noHorizontalScroll } from './support/reflow.js';
import { PASSWORD } from './support/server.js';
import { browserSuite } from './support/suite.js';

describe.skipIf(!browserAvailable())('webhooks in the browser', () => {
  const ctx = browserSuite();
  const receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end());
  });
  let url = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/a/rather/long/path/for/the/receiver/events`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  it('an administrator adds a webhook from the navigation, copies the secret once and opens its delivery log', async () => {
    const page = ctx.page;
    await new SignInPage(page, ctx.server.url).signIn(ctx.server.email('admin'), PASSWORD);
    await page.getByRole('link', { name: 'Webhooks' }).first().click();
    await page.waitForURL((u) => u.pathname === '/admin/webhooks');
    await page.getByRole('button', { name: 'Add webhook' }).click();
    await page.locator('.govuk-error-summary').waitFor();
    expect(await page.locator('.govuk-error-summary').textContent()).toContain('Enter the address');

    await page.getByRole('textbox', { name: 'Address' }).fill(url);
    await page.getByRole('checkbox', { name: 'mark.changed' }).check();
    await page.getByRole('checkbox', { name: 'case.opened' }).check();
    await page.getByRole('button', { name: 'Add webhook' }).click();
    const secret = await page.getByTestId('secret').textContent();
    expect(secret).toMatch(/^whsec_/);
    for (const width of [1280, 320]) {
      await page.setViewportSize({ width, height: 900 });
      await noHorizontalScroll(page);
    }
    expect(await axeViolations(page)).toEqual([]);

    await page.goto(`${ctx.server.url}/admin/webhooks`);
    expect(await page.content()).not.toContain(secret!);
    await page.getByRole('link', { name: /delivery log/ }).click();
    await page.getByRole('heading', { name: 'Webhook deliveries' }).waitFor();
    expect(await page.getByTestId('deliveries').textContent()).toContain('Nothing sent yet.');
    for (const width of [1280, 320]) {
      await page.setViewportSize({ width, height: 900 });
      await noHorizontalScroll(page);
    }
    expect(await axeViolations(page)).toEqual([]);
  });
});
