import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pagesHarness, section, textOf, type PagesHarness, type PageSession } from '../../../test/web-pages.js';
import { integrationRoutes } from './integration-routes.js';
import { pupilRoutes } from './pupil-routes.js';

let t: PagesHarness;
let officer: PageSession;
let senco: PageSession;
let teacher: PageSession;
let pupilId: string;

beforeAll(async () => {
  // Friday 19 September 2025, 10:00 in London.
  t = await pagesHarness([pupilRoutes, integrationRoutes], 'integration', '2025-09-19T09:00:00.000Z');
  pupilId = t.school.pupilsA[1]!;
  await t.open.db
    .updateTable('schools')
    .set({ policy_json: JSON.stringify({ adjustedAttendance: { integrationSchoolWeeks: 2 } }) })
    .where('id', '=', t.school.schoolId)
    .execute();
  const rows = [];
  for (const date of ['2025-09-08', '2025-09-09', '2025-09-15', '2025-09-16']) {
    for (const session of ['AM', 'PM'])
      rows.push({
        pupil_id: pupilId,
        date,
        session,
        code: date < '2025-09-15' ? 'O' : '/',
        minutes_late: null,
        updated_at: '2025-09-19T09:00:00.000Z',
        updated_by: null,
      });
  }
  await t.open.db.insertInto('session_marks').values(rows).execute();
  officer = await t.signInAs('attendance_officer');
  senco = await t.signInAs('senco');
  teacher = await t.signInAs('teacher');
});

afterAll(async () => {
  await t.close();
});

describe('adjusted attendance and the integration period', () => {
  it('shows both rates on the pupil page with the period left out, and a link for those who may record it', async () => {
    const res = await t.get(`/pupils/${pupilId}`, officer);
    expect(res.statusCode).toBe(200);
    const line = textOf(section(res.body, 'adjusted-attendance'));
    expect(line).toContain('Actual attendance 50.0% · Adjusted attendance 100.0%');
    expect(line).toContain('(integration period 1 September 2025–12 September 2025 left out)');
    expect(res.body).toContain(`href="/pupils/${pupilId}/integration"`);
    const forTeacher = await t.get(`/pupils/${pupilId}`, teacher);
    expect(textOf(section(forTeacher.body, 'adjusted-attendance'))).toContain('Adjusted attendance 100.0%');
    expect(forTeacher.body).not.toContain(`href="/pupils/${pupilId}/integration"`);
  });

  it('records a period with errors naming the field, then extends it', async () => {
    const bad = await t.post(`/pupils/${pupilId}/integration`, senco, {
      from: '2025-09-10',
      to: '2025-09-01',
      reason: '',
    });
    expect(bad.statusCode).toBe(400);
    const text = textOf(bad.body);
    expect(text).toContain('There is a problem');
    expect(bad.body).toContain('href="#integration-to"');
    expect(bad.body).toContain('href="#integration-reason"');
    expect(bad.body).toContain('value="2025-09-10"');

    const ok = await t.post(`/pupils/${pupilId}/integration`, senco, {
      from: '2025-09-01',
      to: '2025-09-05',
      reason: 'Agreed with the parents at admission',
    });
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe(`/pupils/${pupilId}/integration?saved=recorded`);
    const page = await t.get(`/pupils/${pupilId}/integration?saved=recorded`, officer);
    expect(textOf(page.body)).toContain('Integration period recorded');
    expect(textOf(section(page.body, 'integration-summary'))).toContain('2025-09-01 to 2025-09-05');
    // 8 and 9 September now count: 4 of 8 sessions attended.
    expect(textOf(section(page.body, 'integration-summary'))).toContain('Adjusted attendance 50.0%');

    const extended = await t.post(`/pupils/${pupilId}/integration`, officer, {
      from: '2025-09-01',
      to: '2025-09-12',
      reason: 'Extended by the senior leadership team',
    });
    expect(extended.headers.location).toBe(`/pupils/${pupilId}/integration?saved=extended`);
    const pupilPage = await t.get(`/pupils/${pupilId}`, officer);
    expect(textOf(section(pupilPage.body, 'adjusted-attendance'))).toContain('Change the integration period');
  });

  it('says so, and shows no adjusted figure, when the policy does not use adjusted attendance', async () => {
    await t.open.db.updateTable('schools').set({ policy_json: '{}' }).where('id', '=', t.school.schoolId).execute();
    const page = await t.get(`/pupils/${pupilId}/integration`, officer);
    expect(page.statusCode).toBe(200);
    expect(textOf(section(page.body, 'no-adjusted'))).toContain('does not use adjusted attendance');
    const pupil = await t.get(`/pupils/${pupilId}`, officer);
    expect(pupil.body).not.toContain('data-testid="adjusted-attendance"');
  });

  it('refuses a teacher', async () => {
    expect((await t.get(`/pupils/${pupilId}/integration`, teacher)).statusCode).toBe(403);
    const res = await t.post(`/pupils/${pupilId}/integration`, teacher, {
      from: '2025-09-01',
      to: '2025-09-12',
      reason: 'x',
    });
    expect(res.statusCode).toBe(403);
  });
});
