import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pagesHarness, textOf, type PagesHarness } from '../../../test/web-pages.js';
import { registerRoutes } from './register-routes.js';
import { boardRoutes } from './board-routes.js';
import { raiseDslAlert } from '../../services/safeguarding/safeguarding.js';
import { safeguardingRoutes } from '../safeguarding/safeguarding-routes.js';

// Monday 8 September 2025, 09:00 in London: a school day, the AM register open.
const MONDAY = '2025-09-08T08:00:00.000Z';
// Saturday 13 September 2025: no school.
const SATURDAY = '2025-09-13T10:00:00.000Z';

describe('today’s work first: the home page in numbers, registers by school day', () => {
  let t: PagesHarness;
  beforeAll(async () => {
    t = await pagesHarness([registerRoutes, boardRoutes, safeguardingRoutes], 'today', MONDAY);
  });
  afterAll(async () => {
    await t.close();
  });

  it('shows a teacher the registers to take today, each a link, with the count', async () => {
    t.clock.set(MONDAY);
    const s = await t.signInAs('teacher');
    const res = await t.get('/', s);
    expect(res.statusCode).toBe(200);
    const text = textOf(res.body);
    expect(text).toMatch(/3 registers to take/); // Year 3 Oak AM and PM, 3 Maths P2
    expect(res.body).toContain(`href="/registers/${t.school.groupA}/2025-09-08/AM"`);
    expect(res.body).toContain(`/registers/${t.school.teachingGroup}/2025-09-08/AM?lesson=`);
    expect(text).not.toContain('There is no school today');
  });

  it('on a Saturday, gives a teacher the latest school day to work in, never a link that fails', async () => {
    t.clock.set(SATURDAY);
    const s = await t.signInAs('teacher');
    const res = await t.get('/', s);
    const text = textOf(res.body);
    expect(text).toContain('There is no school today');
    expect(text).toContain('The latest school day was Friday 12 September 2025');
    expect(text).toContain('The next school day is Monday 15 September 2025');
    const links = [...res.body.matchAll(/href="(\/registers[^"]*)"/g)].map((m) => m[1]!.replaceAll('&amp;', '&'));
    expect(links.length).toBeGreaterThan(1);
    for (const href of links) expect((await t.get(href, s)).statusCode, href).toBe(200);
    expect(links).toContain(`/registers/${t.school.groupA}/2025-09-12/PM`);
    t.clock.set(MONDAY);
  });

  it('shows the office its day: late arrivals, early leavers and unexplained absences, as links', async () => {
    const s = await t.signInAs('office');
    const res = await t.get('/', s);
    expect(res.body).toMatch(/data-count="lateArrivals"[\s\S]*?href="\/office#late-arrivals"/);
    expect(res.body).toMatch(/data-count="unexplained"[\s\S]*?href="\/worklist"/);
  });

  it('shows the safeguarding lead the alerts to acknowledge, linking to them, and no one else', async () => {
    const dsl = await t.signInAs('dsl');
    const count = async (): Promise<string | undefined> =>
      /data-count="concerns"[\s\S]*?href="\/dsl"[\s\S]*?rollcall-today__number">(\d+)</.exec(
        (await t.get('/', dsl)).body,
      )?.[1];
    expect(await count()).toBe('0');
    for (const [i, pupilId] of [t.school.pupilsA[0]!, t.school.pupilsA[1]!].entries())
      await raiseDslAlert(t.deps.db, {
        schoolId: t.school.schoolId,
        schoolName: 'Test school',
        pupilId,
        kind: 'call_concern',
        sourceId: `today-test-${i}`,
        summary: 'A concern raised on a call home',
        raisedBy: t.school.actors.office,
        now: MONDAY,
      });
    expect(await count()).toBe('2');
    expect(textOf((await t.get('/', dsl)).body)).toContain('2 safeguarding alerts to acknowledge');
    // The alerts themselves, raised at 08:00 UTC: said in the school's time, never as a raw instant.
    const alerts = await t.get('/dsl', dsl);
    expect(textOf(alerts.body)).toContain('Raised by Test office on 8 September 2025 at 09:00');
    expect(alerts.body).not.toContain(MONDAY);
    const office = await t.signInAs('office');
    expect((await t.get('/', office)).body).not.toContain('data-count="concerns"');
  });

  it('shows the attendance officer calls, visits, suggestions, overdue reviews and returns due', async () => {
    const s = await t.signInAs('attendance_officer');
    const res = await t.get('/', s);
    for (const key of ['calls', 'visits', 'suggestions', 'overdue', 'returns'])
      expect(res.body, key).toContain(`data-count="${key}"`);
  });

  it('shows the head the day’s attendance against the target once marks are in', async () => {
    const teacher = await t.signInAs('teacher');
    const [a, b] = t.school.pupilsA as [string, string];
    const saved = await t.post(`/registers/${t.school.groupA}/2025-09-08/AM`, teacher, {
      action: 'save',
      version: '0',
      [`code_${a}`]: '/',
      [`code_${b}`]: 'N',
    });
    expect(saved.statusCode).toBe(303);
    const school = await t.open.db
      .selectFrom('schools')
      .select('policy_json')
      .where('id', '=', t.school.schoolId)
      .executeTakeFirstOrThrow();
    const policy = { ...(JSON.parse(school.policy_json) as object), target: 0.96 };
    await t.open.db
      .updateTable('schools')
      .set({ policy_json: JSON.stringify(policy) })
      .where('id', '=', t.school.schoolId)
      .execute();
    const head = await t.signInAs('senior_leader');
    const text = textOf((await t.get('/', head)).body);
    expect(text).toMatch(/50% morning attendance, target 96% \(below\) \(2 marked\)/);
  });

  it('lists registers by school day: previous and next, a date picker, a friendly day without school', async () => {
    const s = await t.signInAs('teacher');
    const monday = await t.get('/registers?date=2025-09-08', s);
    expect(monday.body).toContain('href="/registers?date=2025-09-05"'); // Friday before
    expect(monday.body).toContain('href="/registers?date=2025-09-09"');
    expect(monday.body).toMatch(/<input[^>]*id="date" name="date" type="date" value="2025-09-08"/);
    const saturday = await t.get('/registers?date=2025-09-13', s);
    expect(saturday.statusCode).toBe(200);
    expect(textOf(saturday.body)).toContain('There is no school on Saturday 13 September 2025');
    expect(saturday.body).not.toContain('/2025-09-13/AM');
    const bad = await t.get('/registers?date=13/09/2025', s);
    expect(textOf(bad.body)).toContain('Enter a real date');
  });

  it('answers a register on a day without school with a friendly page, not a 400', async () => {
    const s = await t.signInAs('teacher');
    const res = await t.get(`/registers/${t.school.groupA}/2025-09-13/AM`, s);
    expect(res.statusCode).toBe(404);
    const text = textOf(res.body);
    expect(text).toContain('There is no morning register on Saturday 13 September 2025');
    expect(res.body).toContain(`href="/registers/${t.school.groupA}/2025-09-12/AM"`);
    expect(res.body).toContain(`href="/registers/${t.school.groupA}/2025-09-15/AM"`);
  });

  it('gives the register page the same register on the school days either side', async () => {
    const s = await t.signInAs('teacher');
    const res = await t.get(`/registers/${t.school.groupA}/2025-09-08/AM`, s);
    expect(res.body).toContain(`href="/registers/${t.school.groupA}/2025-09-05/AM"`);
    expect(res.body).toContain(`href="/registers/${t.school.groupA}/2025-09-09/AM"`);
  });

  it('shows the office every group under a truthful heading, with filters', async () => {
    const s = await t.signInAs('office');
    const all = textOf((await t.get('/registers?date=2025-09-08', s)).body);
    expect(all).toContain('All groups at the school (3)');
    expect(all).not.toContain('Your groups');
    const filtered = textOf((await t.get('/registers?date=2025-09-08&kind=registration&q=oak', s)).body);
    expect(filtered).toContain('Groups matching your filter (1)');
    expect(filtered).toContain('Year 3 Oak');
    expect(filtered).not.toContain('Year 4 Ash');
  });
});
