import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pagesHarness, section, textOf, type PagesHarness } from '../../../test/web-pages.js';
import { registerAuditRoutes } from './register-audit-routes.js';

// Monday 8 September 2025, 15:00 in London: both registers of the day are due.
const AFTERNOON = '2025-09-08T14:00:00.000Z';

describe('the register audit page', () => {
  let t: PagesHarness;
  beforeAll(async () => {
    t = await pagesHarness([registerAuditRoutes], 'raudit', AFTERNOON);
  });
  afterAll(async () => {
    await t.close();
  });

  it('lists the findings by kind with links to the registers to fix', async () => {
    const res = await t.get('/register-audit?from=2025-09-08&to=2025-09-08', await t.signInAs('attendance_officer'));
    expect(res.statusCode).toBe(200);
    const summary = textOf(section(res.body, 'summary'));
    expect(summary).toContain('Registers not taken');
    // Nothing has been taken today in the fixture: each registration group's AM and PM are listed.
    const notTaken = section(res.body, 'finding-registerNotTaken');
    expect(notTaken).toContain(`href="/registers/${encodeURIComponent(t.school.groupA)}/2025-09-08/AM"`);
    expect(notTaken).toContain(`href="/registers/${encodeURIComponent(t.school.groupA)}/2025-09-08/PM"`);
  });

  it('refuses bad dates with an error summary, and roles that may not audit', async () => {
    const bad = await t.get('/register-audit?from=2025-09-09&to=2025-09-01', await t.signInAs('senior_leader'));
    expect(bad.statusCode).toBe(400);
    expect(textOf(bad.body)).toContain('There is a problem');
    expect((await t.get('/register-audit', await t.signInAs('teacher'))).statusCode).toBe(403);
    expect((await t.get('/register-audit', await t.signInAs('office'))).statusCode).toBe(403);
  });
});
