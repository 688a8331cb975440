/**
 * Passkeys in a real browser (issue 16): Chromium's virtual authenticator (DevTools protocol,
 * `WebAuthn.addVirtualAuthenticator`) plays the device; the page's own script and
 * `@simplewebauthn/browser` run the ceremonies, and the server checks them.
 *
 * WebAuthn needs a host name as its relying party (not an IP address), so the browser uses
 * `localhost` for the test server on 127.0.0.1.
 */
import type { CDPSession, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { browserAvailable } from './support/browser.js';
import { axeViolations } from './support/reflow.js';
import { PASSWORD, secondFactorCode } from './support/server.js';
import { browserSuite } from './support/suite.js';

async function virtualAuthenticator(page: Page): Promise<{ cdp: CDPSession; authenticatorId: string }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, authenticatorId };
}

describe.skipIf(!browserAvailable())('passkeys in the browser', () => {
  const ctx = browserSuite();

  it('an attendance officer adds a passkey after their app, then signs in with it instead of a code', async () => {
    ctx.server.clock.set('2025-09-08T07:55:00Z');
    const base = ctx.server.url.replace('127.0.0.1', 'localhost');
    const email = ctx.server.email('attendance_officer');
    const page = ctx.page;
    const { cdp, authenticatorId } = await virtualAuthenticator(page);

    // Password, then the code from the app (the role must use a second factor).
    await page.goto(`${base}/sign-in`);
    await page.getByRole('textbox', { name: 'Email address' }).fill(email);
    await page.getByRole('textbox', { name: 'Password' }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => u.pathname === '/sign-in/mfa');
    // No passkey yet: only the code.
    expect(await page.getByRole('button', { name: 'Use a passkey' }).count()).toBe(0);
    await page.getByRole('textbox', { name: 'Code' }).fill(await secondFactorCode(ctx.server.url, email));
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));

    // Sign-in security → Add a passkey.
    await page.getByRole('link', { name: 'Sign-in security' }).click();
    await page.waitForURL((u) => u.pathname === '/account/mfa');
    await page.getByRole('link', { name: 'Add a passkey' }).click();
    await page.waitForURL((u) => u.pathname === '/account/mfa/passkeys');
    const problems: string[] = [];
    const check = async () => {
      for (const v of await axeViolations(page)) problems.push(`${new URL(page.url()).pathname}: ${v}`);
    };
    await check();
    await page.getByRole('textbox', { name: 'Name for this passkey (optional)' }).fill('Office PC');
    await page.getByRole('button', { name: 'Create a passkey' }).click();
    await page.waitForURL((u) => u.pathname === '/account/mfa');
    expect(await page.locator('[data-testid="passkeys"]').textContent()).toContain('Office PC');
    await check();
    await page.goto(`${base}/account/sso`);
    await check();
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(credentials).toHaveLength(1);
    const stored = await ctx.server.db.selectFrom('webauthn_credentials').select(['id', 'name']).execute();
    expect(stored).toEqual([
      {
        id: credentials[0]!.credentialId.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_'),
        name: 'Office PC',
      },
    ]);

    // Sign out and in again: the second step offers the passkey; it signs in without a code.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((u) => u.pathname === '/sign-in');
    await page.getByRole('textbox', { name: 'Email address' }).fill(email);
    await page.getByRole('textbox', { name: 'Password' }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => u.pathname === '/sign-in/mfa');
    await check();
    await page.getByRole('button', { name: 'Use a passkey' }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
    expect(new URL(page.url()).pathname).toBe('/');
    await page.goto(`${base}/sign-in/sso?email=someone%40example.org`);
    await check();
    expect(problems).toEqual([]);
    const used = await ctx.server.db
      .selectFrom('audit_log')
      .select('details')
      .where('action', '=', 'auth.mfaVerified')
      .execute();
    expect(used.map((u) => (JSON.parse(u.details!) as { method: string }).method)).toEqual(['totp', 'passkey']);
    const after = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    const row = await ctx.server.db.selectFrom('webauthn_credentials').select('counter').executeTakeFirstOrThrow();
    expect(row.counter).toBe(after.credentials[0]!.signCount);
  });
});
