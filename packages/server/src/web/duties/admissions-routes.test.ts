import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pagesHarness, section, textOf, type PagesHarness, type PageSession } from '../../../test/web-pages.js';
import { writeRun } from '../../services/duties/returns/marks.test-support.js';
import { admissionsRoutes } from './admissions-routes.js';

let t: PagesHarness;
let officer: PageSession;

beforeAll(async () => {
  t = await pagesHarness([admissionsRoutes], 'admissions-pages', '2025-09-29T14:00:00.000Z');
  officer = await t.signInAs('attendance_officer');
  await writeRun(t.open.db, t.school.schoolId, t.school.pupilsA[0]!, '2025-09-01', '2025-09-29', 'O');
});

afterAll(async () => {
  await t.close();
});

describe('the admission register page', () => {
  it('refuses a deletion the data do not support, with the reason, keeping what was typed', async () => {
    const res = await t.post('/admissions/delete', officer, {
      pupilId: t.school.pupilsA[0]!,
      ground: 'absent_20_days',
      date: '2025-09-29',
      destination: '',
      reason: 'Whereabouts unknown',
    });
    expect(res.statusCode).toBe(400);
    expect(textOf(res.body)).toContain(
      'Record the joint enquiries with the local authority (since 2025-09-01) before deleting on this ground.',
    );
    expect(res.body).toContain('Whereabouts unknown</textarea>');
  });

  it('refuses a retrospective deletion', async () => {
    const res = await t.post('/admissions/delete', officer, {
      pupilId: t.school.pupilsA[1]!,
      ground: 'registered_elsewhere',
      date: '2025-09-01',
      destination: 'Another Primary',
      reason: 'Moved school',
    });
    expect(res.statusCode).toBe(400);
    expect(textOf(res.body)).toContain('No retrospective deletion');
  });

  it('records joint enquiries, then deletes on the 20-day ground with the LA told', async () => {
    const rec = await t.post('/admissions/la-contacts', officer, {
      pupilId: t.school.pupilsA[0]!,
      kind: 'joint_enquiry',
      date: '2025-09-24',
      notes: 'Joint enquiries with the LA CME officer',
    });
    expect(rec.statusCode).toBe(303);
    const del = await t.post('/admissions/delete', officer, {
      pupilId: t.school.pupilsA[0]!,
      ground: 'absent_20_days',
      date: '2025-09-29',
      destination: '',
      reason: 'Whereabouts unknown after enquiries',
    });
    expect(del.statusCode).toBe(303);
    // The Common Transfer File is offered at once.
    expect(del.headers.location).toContain(`&ctf=${t.school.pupilsA[0]!}`);
    const offered = await t.get(String(del.headers.location), officer);
    expect(textOf(section(offered.body, 'ctf-offer'))).toContain('Common Transfer File for');
    const page = await t.get('/admissions?done=deleted', officer);
    const entries = textOf(section(page.body, 'entries'));
    expect(entries).toContain('Able, Alex');
    expect(entries).toContain('Continuously absent for 20 school days');
    expect(entries).toContain('LA told 29 September 2025 at 15:00');
    expect(entries).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:/);
    const form = await t.get(`/admissions/pupils/${t.school.pupilsA[0]!}/moving-form`, officer);
    expect(form.headers['content-type']).toBe('application/pdf');
  });

  it('admits a pupil, asking for every item of the register and naming each one missing', async () => {
    const form = {
      upn: 'H801200005005',
      surname: 'Hale',
      forename: 'Hana',
      sex: 'F',
      dateOfBirth: '2017-03-03',
      yearGroup: '3',
      admissionDate: '2025-09-29',
      address: '4 Example Way',
      postcode: 'ZX4 4DD',
      parent1Name: 'Parent Hale',
      parent1Relationship: 'Father',
      parent1SameAddress: 'yes',
      parent1Phone: '07700 900789',
      parent1LivesWith: 'yes',
      parent1Responsibility: 'yes',
      lastSchool: 'none',
      reason: 'In-year admission',
    };
    const bad = await t.post('/admissions/admit', officer, {
      ...form,
      sex: '',
      parent1Phone: '',
      lastSchool: 'school',
    });
    expect(bad.statusCode).toBe(400);
    const text = textOf(bad.body);
    expect(text).toContain('Choose the pupil’s sex');
    expect(text).toContain('Enter a telephone number to reach parent 1 in an emergency');
    expect(text).toContain('Enter the name of the school the pupil last attended');
    expect(bad.body).toContain('href="#admit-sex"');
    expect(bad.body).toContain('href="#admit-parent1-phone"');
    expect(bad.body).toContain('href="#admit-last-school-name"');
    expect(bad.body).toContain('value="Parent Hale"'); // what was typed is kept
    const res = await t.post('/admissions/admit', officer, form);
    expect(res.statusCode).toBe(303);
    const page = await t.get('/admissions', officer);
    expect(textOf(section(page.body, 'entries'))).toContain('Hale, Hana');
    const roll = textOf(section(page.body, 'on-roll'));
    expect(roll).toContain('Hale, Hana');
    expect(roll).toContain('Parent Hale (Father), lives with the pupil, 07700 900789');
  });

  it('office staff see the register without the forms; a teacher may not see it', async () => {
    const office = await t.signInAs('office');
    const page = await t.get('/admissions', office);
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('data-testid="delete-form"');
    const teacher = await t.signInAs('teacher');
    expect((await t.get('/admissions', teacher)).statusCode).toBe(403);
  });
});
