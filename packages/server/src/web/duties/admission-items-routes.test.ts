import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pagesHarness, section, textOf, type PagesHarness, type PageSession } from '../../../test/web-pages.js';
import { admissionsRoutes } from './admissions-routes.js';

let t: PagesHarness;
let office: PageSession;

beforeAll(async () => {
  t = await pagesHarness([admissionsRoutes], 'admission-items', '2025-09-29T14:00:00.000Z');
  office = await t.signInAs('office');
});

afterAll(async () => {
  await t.close();
});

const pupilRow = (id: string) =>
  t.open.db
    .selectFrom('pupils')
    .select(['legal_surname', 'gender', 'date_of_birth', 'address', 'postcode', 'admission_date'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
const edits = () =>
  t.open.db
    .selectFrom('audit_log')
    .select(['details', 'pupil_id', 'user_role'])
    .where('action', '=', 'admissionRegister.edit')
    .execute();

/** The form as the page fills it for Alex Able (pupil 0): the stored items and one new-parent row. */
function filledForm(contactId: string): Record<string, string> {
  return {
    surname: 'Able',
    forename: 'Alex',
    otherForename: '',
    otherSurname: '',
    sex: 'M',
    dateOfBirth: '2017-05-01',
    address: '',
    postcode: '',
    startingDay: '2025-09-01',
    parentCount: '2',
    parent1Id: contactId,
    parent1Name: 'Parent of Alex',
    parent1Relationship: 'Mother',
    parent1Responsibility: 'yes',
    parent1LivesWith: 'yes',
    parent1Address: '',
    parent1Postcode: '',
    parent1Phone: '07700 900123',
    parent1HomePhone: '',
    parent1WorkPhone: '',
    parent2Id: '',
    parent2Name: '',
    parent2Relationship: '',
    parent2Address: '',
    parent2Postcode: '',
    parent2Phone: '',
    parent2HomePhone: '',
    parent2WorkPhone: '',
    lastSchool: '',
    lastSchoolName: '',
    lastSchoolAddress: '',
    boarder: '',
  };
}

describe("editing a pupil's items in the admission register", () => {
  it('shows every item with what is missing, reached from the register', async () => {
    const register = await t.get('/admissions', office);
    const alex = t.school.pupilsA[0]!;
    expect(section(register.body, 'on-roll')).toContain(`href="/admissions/pupils/${alex}/items"`);
    const page = await t.get(`/admissions/pupils/${alex}/items`, office);
    expect(page.statusCode).toBe(200);
    expect(textOf(section(page.body, 'items-missing'))).toContain(
      "The register lacks: pupil's address and postcode; parents' addresses; school last attended (or none).",
    );
    expect(page.body).toContain('value="Parent of Alex"');
    expect(page.body).toContain('value="07700 900123"');
    expect(page.body).toMatch(/name="parent1Id" value="[^"]+"/);
  });

  it('refuses wrong fields one by one, naming each, and saves nothing', async () => {
    const alex = t.school.pupilsA[0]!;
    const contactId = /name="parent1Id" value="([^"]+)"/.exec(
      (await t.get(`/admissions/pupils/${alex}/items`, office)).body,
    )![1]!;
    const before = await pupilRow(alex);
    const res = await t.post(`/admissions/pupils/${alex}/items`, office, {
      ...filledForm(contactId),
      address: '1 Test Street',
      postcode: 'NOT A CODE',
      dateOfBirth: '2030-01-01',
      sex: '',
      parent1Phone: '12ab',
      parent2Name: 'Second Parent',
      lastSchool: 'school',
    });
    expect(res.statusCode).toBe(400);
    const text = textOf(res.body);
    expect(text).toContain('Enter a real postcode, like ZX1 2AB');
    expect(text).toContain('Enter the pupil’s date of birth as a real date in the past');
    expect(text).toContain('The register holds the pupil’s sex: choose it, it cannot be removed');
    expect(text).toContain('Parent 1’s mobile number may contain only digits, spaces and a leading +');
    expect(text).toContain('Enter parent 2’s relationship to the pupil');
    expect(text).toContain('Enter the name of the school the pupil last attended');
    expect(res.body).toContain('href="#items-postcode"');
    expect(res.body).toContain('href="#items-date-of-birth"');
    expect(res.body).toContain('href="#items-parent1-phone"');
    expect(res.body).toContain('href="#items-parent2-relationship"');
    expect(res.body).toContain('href="#items-last-school-name"');
    expect(res.body).toContain('id="items-parent2-relationship"');
    expect(res.body).toContain('1 Test Street</textarea>'); // what was typed is kept
    expect(await pupilRow(alex)).toEqual(before);
    expect(await edits()).toEqual([]);
  });

  it('saves the items, audits each change with before and after, and clears the missing flags', async () => {
    const alex = t.school.pupilsA[0]!;
    const contactId = /name="parent1Id" value="([^"]+)"/.exec(
      (await t.get(`/admissions/pupils/${alex}/items`, office)).body,
    )![1]!;
    const res = await t.post(`/admissions/pupils/${alex}/items`, office, {
      ...filledForm(contactId),
      otherForename: 'Lex',
      address: '1 Test Street\r\nTestville',
      postcode: 'zx1 2ab',
      parent1SameAddress: 'yes',
      parent2Name: 'Second Parent',
      parent2Relationship: 'Father',
      parent2Address: '9 Other Road',
      parent2Postcode: 'ZX9 9ZZ',
      parent2WorkPhone: '01632 960001',
      lastSchool: 'none',
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/admissions?done=edited#on-roll');
    expect(await pupilRow(alex)).toMatchObject({ address: '1 Test Street\nTestville', postcode: 'ZX1 2AB' });
    const [edit, ...more] = await edits();
    expect(more).toEqual([]);
    expect(edit).toMatchObject({ pupil_id: alex, user_role: 'office' });
    const changes = (JSON.parse(edit!.details!) as { changes: { field: string; before: string; after: string }[] })
      .changes;
    expect(changes).toEqual(
      expect.arrayContaining([
        { field: 'otherForename', before: '', after: 'Lex' },
        { field: 'postcode', before: '', after: 'ZX1 2AB' },
        { field: 'lastSchool', before: '', after: 'none' },
        { field: 'parent1Address', before: '', after: '1 Test Street\nTestville' },
        { field: 'parent2Name', before: '', after: 'Second Parent' },
        { field: 'parent2WorkPhone', before: '', after: '01632 960001' },
      ]),
    );
    expect(changes.map((c) => c.field)).not.toContain('surname');
    const register = await t.get('/admissions?done=edited', office);
    expect(textOf(register.body)).toContain('The admission register is updated.');
    const row = textOf(section(register.body, 'on-roll'));
    expect(row).toContain('known as Lex Able');
    expect(row).toContain('Second Parent (Father), 9 Other Road ZX9 9ZZ, 01632 960001');
    const page = await t.get(`/admissions/pupils/${alex}/items`, office);
    expect(textOf(section(page.body, 'items-missing'))).toContain('The register holds every item for this pupil.');
    // Saving the same items again changes nothing and audits nothing.
    const again = await t.post(`/admissions/pupils/${alex}/items`, office, {
      ...filledForm(contactId),
      otherForename: 'Lex',
      address: '1 Test Street\nTestville',
      postcode: 'ZX1 2AB',
      parent1SameAddress: 'yes',
      parentCount: '1',
      lastSchool: 'none',
    });
    expect(again.statusCode).toBe(303);
    expect(await edits()).toHaveLength(1);
  });

  it('does not let a held item be emptied, nor the starting day pass the leaving date', async () => {
    const bea = t.school.pupilsA[1]!;
    const page = await t.get(`/admissions/pupils/${bea}/items`, office);
    expect(page.statusCode).toBe(200);
    const res = await t.post(`/admissions/pupils/${bea}/items`, office, {
      surname: 'Baker',
      forename: 'Bea',
      sex: 'F',
      dateOfBirth: '',
      startingDay: 'soon',
      parentCount: '0',
    });
    expect(res.statusCode).toBe(400);
    const text = textOf(res.body);
    expect(text).toContain('The register holds the pupil’s date of birth: it cannot be removed');
    expect(text).toContain('Enter the starting day (the first day the pupil attended, or was to attend) as a date');
    expect((await pupilRow(bea)).date_of_birth).toBe('2017-05-01');
  });

  it('is for office staff and above: a teacher may neither see nor save it', async () => {
    const teacher = await t.signInAs('teacher');
    const alex = t.school.pupilsA[0]!;
    expect((await t.get(`/admissions/pupils/${alex}/items`, teacher)).statusCode).toBe(403);
    expect((await t.post(`/admissions/pupils/${alex}/items`, teacher, { surname: 'X' })).statusCode).toBe(403);
  });
});
