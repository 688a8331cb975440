import { describe, expect, it } from 'vitest';
import { createLogger } from '../packages/server/src/platform/logger.js';
import type { Mailer } from '../packages/server/src/platform/mail.js';
import { logSmsSender } from '../packages/server/src/platform/sms.js';
import { deliverDue } from '../packages/server/src/services/messages.js';
import { RegisterPage } from './pages/register.js';
import { SignInPage } from './pages/sign-in.js';
import { WorklistPage } from './pages/worklist.js';
import { browserAvailable } from './support/browser.js';
import { PASSWORD } from './support/server.js';
import { browserSuite } from './support/suite.js';

/** No email in this test: a mailer that is never asked. */
const NO_MAIL: Mailer = {
  send: () => Promise.reject(new Error('no email expected')),
  close: () => undefined,
};

describe.skipIf(!browserAvailable())('texts from the worklist, seen on the outbox page, in the browser', () => {
  const ctx = browserSuite();

  it('the office texts one family, then every family not heard from this morning, and sees each text and what became of it', async () => {
    const { page, server } = ctx;
    const [alex, bea] = server.school.pupilsA as [string, string];
    // Bea's mother has a mobile too (the seed gives only Alex's parent one).
    await server.db
      .insertInto('contacts')
      .values({
        id: 'bea-mother-e2e',
        pupil_id: bea,
        name: 'Parent of Bea',
        relationship: 'Mother',
        parental_responsibility: 1,
        lives_with_pupil: 1,
        priority: 1,
        mobile_phone: '07700 900456',
        home_phone: null,
        work_phone: null,
        email: null,
        address: null,
        postcode: null,
      })
      .execute();

    // 08:55 on Monday 8 September 2025: the teacher marks Alex and Bea absent.
    server.clock.set('2025-09-08T07:55:00Z');
    await new SignInPage(page, server.url).signIn(server.email('teacher'), PASSWORD);
    const register = new RegisterPage(page, server.url);
    await register.open(server.school.groupA, '2025-09-08', 'AM');
    await register.pressOnRow('Baker, Bea', 'a');
    await register.pressOnRow('Able, Alex', 'a');
    await register.markAllPresent();
    await register.save();
    await page.context().clearCookies();

    // 09:25: the office texts Bea's family from her row.
    server.clock.set('2025-09-08T08:25:00Z');
    await new SignInPage(page, server.url).signIn(server.email('office'), PASSWORD);
    const worklist = new WorklistPage(page, server.url);
    await worklist.open();
    await worklist.row('Bea Baker').getByRole('button', { name: 'Send a text about Bea Baker' }).click();
    await page.waitForLoadState('load');
    const banner = page.locator('.govuk-notification-banner');
    await expect.poll(() => banner.textContent()).toContain('1 text queued in the outbox for the families of 1 pupil.');
    expect(await banner.textContent()).toContain('written to the log, not delivered to phones');
    expect(await worklist.row('Bea Baker').textContent()).toContain('Text');

    // Then every family not heard from this morning, in one action.
    await page.getByRole('button', { name: 'Text every family not heard from this morning' }).click();
    await page.waitForLoadState('load');
    await expect
      .poll(() => page.locator('.govuk-notification-banner').textContent())
      .toContain(
        "1 text queued in the outbox for the families of 1 pupil; 1 pupil's family was texted about this absence already and not texted again.",
      );

    // The outbox page: two texts (Bea's family is not texted twice), queued, about whom.
    await page.getByRole('link', { name: /^Outbox/ }).click();
    await page.waitForURL((u) => u.pathname === '/outbox');
    const rows = page.locator('[data-testid="outbox"] tbody tr');
    expect(await rows.count()).toBe(2);
    const queued = await rows.allTextContents();
    for (const row of queued) expect(row).toContain('Queued: will be sent within a minute');
    expect(queued.filter((r) => r.includes('about Bea Baker'))).toHaveLength(1);
    expect(queued.filter((r) => r.includes('about Alex Able'))).toHaveLength(1);
    expect(queued.join(' ')).toContain("we have not heard from you about Alex's absence today");
    expect(await page.locator('.govuk-warning-text').allTextContents()).toEqual(
      expect.arrayContaining([expect.stringContaining('No text message provider is configured')]),
    );

    // A minute later the outbox job runs (as the scheduler would); the page says what happened.
    server.clock.set('2025-09-08T08:26:00.000Z');
    const logger = createLogger('silent');
    const r = await deliverDue(
      { db: server.db, logger, mailer: NO_MAIL, sms: logSmsSender(logger) },
      server.clock.now(),
    );
    expect(r).toMatchObject({ sent: 2, failed: 0 });
    await page.reload();
    const after = await page.locator('[data-testid="outbox"] tbody tr').allTextContents();
    expect(after).toHaveLength(2);
    for (const row of after) {
      expect(row).toContain('Logged only');
      expect(row).toContain('Not sent to a phone: written to the log only');
    }
    // Only the texts about these two pupils are in it.
    const pupils = await server.db.selectFrom('messages').select('pupil_id').execute();
    expect(new Set(pupils.map((p) => p.pupil_id))).toEqual(new Set([alex, bea]));
  });
});
