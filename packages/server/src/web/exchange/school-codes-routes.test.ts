import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pagesHarness, textOf, type PagesHarness, type PageSession } from '../../../test/web-pages.js';
import { listSchoolCodes } from '../../services/exchange/import/school-codes.js';
import { SYSTEM_ACTOR } from '../../services/authz.js';
import { schoolCodesRoutes } from './school-codes-routes.js';

let t: PagesHarness;
let admin: PageSession;
let officer: PageSession;

beforeAll(async () => {
  t = await pagesHarness([schoolCodesRoutes], 'school-codes');
  admin = await t.signInAs('admin');
  officer = await t.signInAs('attendance_officer');
});

afterAll(async () => {
  await t.close();
});

const stored = async () =>
  (await listSchoolCodes({ db: t.open.db }, SYSTEM_ACTOR, t.school.schoolId)).codes.map((c) => [c.schoolCode, c.code]);

describe('the school codes page', () => {
  it('is for the school’s administrators only', async () => {
    expect((await t.get('/school/codes', officer)).statusCode).toBe(403);
    expect((await t.post('/school/codes', officer, { schoolCode: 'SK', code: 'I' })).statusCode).toBe(403);
    const res = await t.get('/school/codes', admin);
    expect(res.statusCode).toBe(200);
    expect(textOf(res.body)).toContain('The school has no codes of its own');
  });

  it('names each field that is wrong and keeps what was typed, storing nothing', async () => {
    const res = await t.post('/school/codes', admin, { schoolCode: 'L', code: '', meaning: 'late' });
    expect(res.statusCode).toBe(400);
    const text = textOf(res.body);
    expect(text).toContain('"L" is a national code (Late: arrived before the register closed)');
    expect(text).toContain('Choose the national code it stands for');
    expect(res.body).toContain('href="#codes-schoolCode"');
    expect(res.body).toContain('href="#codes-code"');
    expect(await stored()).toEqual([]);
  });

  it('adds, lists and removes a code', async () => {
    const res = await t.post('/school/codes', admin, { schoolCode: 'sk', code: 'I', meaning: 'Sick' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/school/codes?done=saved');
    expect(await stored()).toEqual([['SK', 'I']]);
    const page = textOf((await t.get('/school/codes?done=saved', admin)).body);
    expect(page).toContain('SK');
    expect(page).toContain('Sick');
    // When it was changed, in local time and words, never a raw UTC instant.
    expect(page).toMatch(/\d{1,2} [A-Z][a-z]+ \d{4} at \d{2}:\d{2}/);
    expect(page).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}/);
    const removed = await t.post('/school/codes/remove', admin, { schoolCode: 'SK' });
    expect(removed.statusCode).toBe(303);
    expect(await stored()).toEqual([]);
    expect((await t.post('/school/codes/remove', admin, { schoolCode: 'SK' })).statusCode).toBe(404);
  });
});
