import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pagesHarness, textOf, type PagesHarness, type PageSession } from '../../test/web-pages.js';
import { schoolDetailsOf } from '../services/school-details.js';
import { schoolDetailsRoutes } from './school-details-routes.js';

let t: PagesHarness;
let head: PageSession;
let officer: PageSession;

beforeAll(async () => {
  t = await pagesHarness([schoolDetailsRoutes], 'school-details');
  head = await t.signInAs('senior_leader');
  officer = await t.signInAs('attendance_officer');
});

afterAll(async () => {
  await t.close();
});

const GOOD = {
  address: '12 Example Road\n  Exampleton ',
  postcode: 'zx1  2ab',
  phone: '01234 567890',
  email: 'office@example.org',
  headteacherName: 'Ms A Example',
  attendanceLeadName: 'Mr B Sample',
};

describe('the school details page', () => {
  it('is for senior leaders and administrators only', async () => {
    expect((await t.get('/school/details', officer)).statusCode).toBe(403);
    expect((await t.post('/school/details', officer, GOOD)).statusCode).toBe(403);
    const res = await t.get('/school/details', head);
    expect(res.statusCode).toBe(200);
    expect(textOf(res.body)).toContain('School details');
    expect(res.body).toContain('name="_csrf"');
  });

  it('lists every problem by field and keeps what was typed', async () => {
    const res = await t.post('/school/details', head, {
      ...GOOD,
      postcode: 'NOT A CODE',
      phone: '12',
      email: 'office-at-example',
    });
    expect(res.statusCode).toBe(400);
    const text = textOf(res.body);
    expect(text).toContain('Enter a real postcode, like ZX1 2AB.');
    expect(text).toContain('Enter a telephone number');
    expect(text).toContain('Enter an email address in the correct format');
    expect(res.body).toContain('href="#school-postcode"');
    expect(res.body).toContain('office-at-example');
    expect((await schoolDetailsOf(t.open.db, t.school.schoolId)).postcode).toBeNull();

    const noPostcode = await t.post('/school/details', head, { ...GOOD, postcode: '' });
    expect(textOf(noPostcode.body)).toContain('Enter the postcode of the address.');
  });

  it('saves tidied details, audited with the fields that changed', async () => {
    const res = await t.post('/school/details', head, GOOD);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/school/details?saved=1');
    const d = await schoolDetailsOf(t.open.db, t.school.schoolId);
    expect(d).toMatchObject({
      address: '12 Example Road\nExampleton',
      postcode: 'ZX1 2AB',
      phone: '01234 567890',
      email: 'office@example.org',
      headteacherName: 'Ms A Example',
      attendanceLeadName: 'Mr B Sample',
    });
    const page = await t.get('/school/details?saved=1', head);
    expect(textOf(page.body)).toContain('The school details have been saved.');
    expect(page.body).toContain('Ms A Example');
    // Saving the same again changes nothing and writes no second entry.
    await t.post('/school/details', head, GOOD);
    await t.post('/school/details', head, { ...GOOD, attendanceLeadName: '' });
    const audit = await t.open.db
      .selectFrom('audit_log')
      .select(['details', 'school_id'])
      .where('action', '=', 'school.details')
      .orderBy('at')
      .orderBy('id')
      .execute();
    expect(audit.map((a) => JSON.parse(a.details!) as unknown)).toEqual([
      { changed: ['address', 'postcode', 'phone', 'email', 'headteacherName', 'attendanceLeadName'] },
      { changed: ['attendanceLeadName'] },
    ]);
    expect(audit[0]!.school_id).toBe(t.school.schoolId);
    expect((await schoolDetailsOf(t.open.db, t.school.schoolId)).attendanceLeadName).toBeNull();
  });
});
