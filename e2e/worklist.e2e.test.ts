import { describe, expect, it } from 'vitest';
import { RegisterPage } from './pages/register.js';
import { SignInPage } from './pages/sign-in.js';
import { WorklistPage } from './pages/worklist.js';
import { browserAvailable } from './support/browser.js';
import { PASSWORD } from './support/server.js';
import { browserSuite } from './support/suite.js';

describe.skipIf(!browserAvailable())('the first-day worklist in the browser', () => {
  const ctx = browserSuite();

  it('at 9:25, after the register closed, the office sees the absent pupils (vulnerable first) and records a call', async () => {
    // 08:55 on Monday 8 September 2025: the teacher marks Alex and Bea absent.
    ctx.server.clock.set('2025-09-08T07:55:00Z');
    await new SignInPage(ctx.page, ctx.server.url).signIn(ctx.server.email('teacher'), PASSWORD);
    const register = new RegisterPage(ctx.page, ctx.server.url);
    await register.open(ctx.server.school.groupA, '2025-09-08', 'AM');
    await register.pressOnRow('Baker, Bea', 'a');
    await register.pressOnRow('Able, Alex', 'a');
    await register.markAllPresent();
    await register.save();
    await ctx.page.context().clearCookies();

    // 09:25: the register closed at 09:20.
    ctx.server.clock.set('2025-09-08T08:25:00Z');
    await new SignInPage(ctx.page, ctx.server.url).signIn(ctx.server.email('office'), PASSWORD);
    const worklist = new WorklistPage(ctx.page, ctx.server.url);
    await worklist.open();
    // Alex has a child protection plan: first, though the office is not told why.
    expect(await worklist.pupils()).toEqual(['Alex Able', 'Bea Baker']);
    expect(await worklist.row('Alex Able').textContent()).toContain('Vulnerable');
    await worklist.calledNoAnswer('Alex Able', 'Parent of Alex');
    expect(await worklist.row('Alex Able').textContent()).toContain('no answer');
  });
});
