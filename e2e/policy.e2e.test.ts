import { describe, expect, it } from 'vitest';
import { PolicyPage } from './pages/policy.js';
import { SignInPage } from './pages/sign-in.js';
import { browserAvailable } from './support/browser.js';
import { PASSWORD } from './support/server.js';
import { browserSuite } from './support/suite.js';

describe.skipIf(!browserAvailable())('the attendance policy page in the browser', () => {
  const ctx = browserSuite();

  it('an officer picks a preset, is told which field is wrong in a bad edit, fixes it and saves', async () => {
    const { page, server } = ctx;
    await new SignInPage(page, server.url).signIn(server.email('attendance_officer'), PASSWORD);
    const policy = new PolicyPage(page, server.url);
    await policy.open();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Attendance policy');

    await policy.loadPreset('stockport-staged');
    expect(await policy.banner.textContent()).toContain('Nothing is saved until you save it');
    expect(await page.getByTestId('unsaved').textContent()).toContain('not saved');
    expect(await policy.stages.textContent()).toContain('Stage 3A: Notice to Improve');
    const loaded = await policy.document();
    expect(loaded).toContain('preset: stockport-staged');
    expect(loaded).toContain('target: 0.96');

    // A bad edit: the target written as a percentage.
    await policy.save(loaded.replace('target: 0.96', 'target: 96'));
    expect(await policy.errorSummary.textContent()).toContain('The policy was not saved');
    const errors = await policy.fieldErrors.textContent();
    expect(errors).toContain('target');
    expect(errors).toContain('must be a fraction from 0 to 1');
    // What was typed is kept.
    expect(await policy.document()).toContain('target: 96');

    await policy.save((await policy.document()).replace('target: 96', 'target: 0.95'));
    expect(await policy.banner.textContent()).toContain('The attendance policy has been saved.');
    expect(await policy.errorSummary.count()).toBe(0);
    expect(await policy.stages.textContent()).toContain('Stage 1: noticing period');
    expect(await policy.document()).toContain('target: 0.95');
  });

  it('choosing a preset shows what will change before saving; the form changes the common settings', async () => {
    const { page, server } = ctx;
    await new SignInPage(page, server.url).signIn(server.email('senior_leader'), PASSWORD);
    const policy = new PolicyPage(page, server.url);
    await policy.open();
    await policy.loadPreset('all-saints-stages');
    const changes = await policy.changes.textContent();
    expect(changes).toContain('What will change when you save');
    expect(changes).toContain('Notice for religious observance');
    // The confirm step carries the whole document (a multi-line value) and saves it.
    await policy.confirmPreset();
    expect(await policy.banner.textContent()).toContain('The attendance policy has been saved.');
    expect(await policy.document()).toContain('preset: all-saints-stages');
    expect(await page.getByTestId('settings').textContent()).toContain('opens 08:55, closes 09:25');

    await page.getByTestId('form-link').click();
    await page.getByLabel('Notice: religious observance (days)').fill('21');
    await page.getByRole('button', { name: 'Check the changes' }).click();
    expect(await policy.changes.textContent()).toContain('Notice for religious observance: 28 days → 21 days');
    await page.getByRole('button', { name: 'Save these changes' }).click();
    await page.waitForLoadState('load');
    expect(await policy.banner.textContent()).toContain('The attendance policy has been saved.');
    expect(await page.getByTestId('leave-rules').textContent()).toContain(
      'For religious observance, at least 3 weeks (21 days).',
    );
  });
});
