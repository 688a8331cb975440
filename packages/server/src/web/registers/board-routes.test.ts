import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { d } from '../../../test/fixtures.js';
import { pagesHarness, section, textOf, type PagesHarness, type PageSession } from '../../../test/web-pages.js';
import { saveRegister } from '../../services/registers/registers.js';
import { boardRoutes } from './board-routes.js';

let t: PagesHarness;
let office: PageSession;

beforeAll(async () => {
  t = await pagesHarness([boardRoutes], 'board');
  office = await t.signInAs('office');
  // Year 3 Oak's teacher takes the morning register at 08:55; Year 4 Ash's is never taken.
  t.clock.set('2025-09-08T07:55:00.000Z');
  await saveRegister(t.deps, t.school.actors.teacher, {
    groupId: t.school.groupA,
    date: d('2025-09-08'),
    session: 'AM',
    version: 0,
    marks: t.school.pupilsA.map((pupilId) => ({ pupilId, code: '/' })),
  });
  // 09:25: the morning register closed at 09:20.
  t.clock.set('2025-09-08T08:25:00.000Z');
});

afterAll(async () => {
  await t.close();
});

describe('the register board', () => {
  it('shows an untaken register after the close as Not taken, with the summary to chase it', async () => {
    const res = await t.get('/board', office);
    expect(res.statusCode).toBe(200);
    const body = res.body;
    expect(body).toContain('<title>Register board – Rollcall</title>');
    expect(textOf(body)).toContain('Monday 8 September 2025 (today)');
    expect(textOf(body)).toContain('1 register not taken by the close');
    const board = section(body, 'register-board');
    const cells = [
      ...board.matchAll(
        /<td class="govuk-table__cell rc-board__cell" data-status="(\w+)" data-session="(AM|PM)">([\s\S]*?)<\/td>/g,
      ),
    ];
    expect(cells.map((c) => `${c[2]}:${c[1]}`)).toEqual(['AM:taken', 'PM:notYetOpen', 'AM:notTaken', 'PM:notYetOpen']);
    const [oakAm, , ashAm] = cells.map((c) => textOf(c[3]!));
    expect(oakAm).toMatch(/^Taken 3 of 3 marked: Year 3 Oak, morning register Taken at 08:55$/);
    expect(ashAm).toBe('Not taken 0 of 2 marked: Year 4 Ash, morning register');
    expect(board).toContain(`href="/registers/${t.school.groupB}/2025-09-08/AM"`);
    expect(board).toContain(`href="/registers/${t.school.groupA}/2025-09-08/PM"`);
    expect(textOf(section(body, 'board-totals'))).toContain('Morning (AM): 1 of 2 taken, 1 not taken');
  });

  it('links to the previous and next school days and to today', async () => {
    const res = await t.get('/board?date=2025-09-05', office);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('href="/board?date=2025-09-04"');
    expect(res.body).toContain('href="/board?date=2025-09-08"');
    expect(res.body).toContain('href="/board"');
    // A past day: nothing was taken, so every register is Not taken.
    expect(textOf(res.body)).toContain('4 registers not taken by the close');
  });

  it('says when a day is not a school day (INSET) and skips it in the links', async () => {
    const res = await t.get('/board?date=2025-09-26', office);
    expect(res.statusCode).toBe(200);
    expect(textOf(res.body)).toContain('Friday 26 September 2025 is not a school day');
    const next = await t.get('/board?date=2025-09-25', office);
    expect(next.body).toContain('href="/board?date=2025-09-29"');
  });

  it('refuses a date that is not YYYY-MM-DD', async () => {
    const res = await t.get('/board?date=8%2F9%2F2025', office);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Enter the date as YYYY-MM-DD');
  });

  it('is for the office and leaders: a teacher gets 403', async () => {
    const teacher = await t.signInAs('teacher');
    const res = await t.get('/board', teacher);
    expect(res.statusCode).toBe(403);
    expect(res.body).not.toContain('register-board');
    const leader = await t.signInAs('senior_leader');
    expect((await t.get('/board', leader)).statusCode).toBe(200);
  });
});
