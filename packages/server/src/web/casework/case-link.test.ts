import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pagesHarness, type PagesHarness } from '../../../test/web-pages.js';
import { caseRoutes } from './case-routes.js';
import { pupilRoutes } from '../pupils/pupil-routes.js';
import { recordLaAccessReason } from '../../services/safeguarding/safeguarding.js';

let t: PagesHarness;

beforeAll(async () => {
  t = await pagesHarness([pupilRoutes, caseRoutes], 'caselink');
});

afterAll(async () => {
  await t.close();
});

describe('the pupil page’s "Case record" link', () => {
  it('follows the casework permission: LA officers (who see safeguarding, not casework) get no link', async () => {
    const pupil = t.school.pupilsA[0]!;
    const la = await t.signInAs('la_officer');
    // Without a reason the LA officer is asked for one (issue 16); with one, the page.
    expect((await t.get(`/pupils/${pupil}`, la)).headers.location).toBe(`/pupils/${pupil}/access-reason`);
    await recordLaAccessReason(t.deps, t.school.actors.la_officer, { pupilId: pupil, reason: 'Case 2025/001: panel' });
    const laPage = await t.get(`/pupils/${pupil}`, la);
    expect(laPage.statusCode).toBe(200);
    expect(laPage.body).not.toContain(`href="/pupils/${pupil}/case"`);
    expect((await t.get(`/pupils/${pupil}/case`, la)).statusCode).toBe(403);
    for (const role of ['attendance_officer', 'senco'] as const) {
      const page = await t.get(`/pupils/${pupil}`, await t.signInAs(role));
      expect(page.body, role).toContain(`href="/pupils/${pupil}/case"`);
    }
  });
});
