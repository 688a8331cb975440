import { describe, expect, it } from 'vitest';
import { RegisterPage } from './pages/register.js';
import { SignInPage } from './pages/sign-in.js';
import { browserAvailable } from './support/browser.js';
import { PASSWORD } from './support/server.js';
import { browserSuite } from './support/suite.js';

const run = browserAvailable();

describe.skipIf(!run)('taking a register in the browser', () => {
  const ctx = browserSuite();

  it('a teacher takes the morning register by keyboard, reloads and sees it saved', async () => {
    // Monday 8 September 2025, 08:55 in London: the AM register (08:50–09:20) is open.
    ctx.server.clock.set('2025-09-08T07:55:00Z');
    await new SignInPage(ctx.page, ctx.server.url).signIn(ctx.server.email('teacher'), PASSWORD);
    const register = new RegisterPage(ctx.page, ctx.server.url);
    await register.open(ctx.server.school.groupA, '2025-09-08', 'AM');
    expect(await ctx.page.getByRole('heading', { level: 1 }).textContent()).toContain('Year 3 Oak – AM register');

    // Keys: Baker absent, Cole late; then everyone else present in one go.
    await register.pressOnRow('Baker, Bea', 'a');
    await register.pressOnRow('Cole, Cal', 'l');
    expect(await register.checkedCode('Baker, Bea')).toBe('N');
    expect(await register.checkedCode('Cole, Cal')).toBe('L');
    await register.markAllPresent();
    expect(await register.checkedCode('Able, Alex')).toBe('/');
    await ctx.page.keyboard.press('Shift+Enter');
    await ctx.page.waitForURL(/saved=3/);
    expect(await register.banner().textContent()).toContain('Register saved: 3 marks changed');

    await ctx.page.reload();
    expect(await register.checkedCode('Able, Alex')).toBe('/');
    expect(await register.checkedCode('Baker, Bea')).toBe('N');
    expect(await register.checkedCode('Cole, Cal')).toBe('L');
    // Marked late at 08:55, five minutes after the register opened.
    expect(await register.row('Cole, Cal').locator('input[type=number]').inputValue()).toBe('5');
    expect(await ctx.page.locator('body').textContent()).toContain('Taken by Test teacher');
  });
});
