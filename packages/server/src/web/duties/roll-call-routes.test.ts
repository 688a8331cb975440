import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pagesHarness, textOf, type PagesHarness } from '../../../test/web-pages.js';
import { SESSION_COOKIE } from '../../services/accounts/auth.js';
import { rollCallRoutes } from './roll-call-routes.js';

// Monday 8 September 2025, 10:00 in London; no register taken yet, so everyone is "no mark yet".
const AT = '2025-09-08T09:00:00.000Z';

describe('roll call pages (without JavaScript)', () => {
  let t: PagesHarness;
  beforeAll(async () => {
    t = await pagesHarness([rollCallRoutes], 'rollpages', AT);
  });
  afterAll(async () => {
    await t.close();
  });

  it('shows who is on site now by class, with counts, and a way to start a roll call', async () => {
    const s = await t.signInAs('office');
    const res = await t.get('/roll-call', s);
    expect(res.statusCode).toBe(200);
    const text = textOf(res.body);
    expect(text).toContain('5 pupils on site at 10:00');
    expect(text).toContain('Year 3 Oak: 3 on site');
    expect(text).toContain('Year 4 Ash: 2 on site');
    expect(text).toContain('5 pupils with no mark yet');
    expect(res.body).toContain('href="/roll-call"'); // in the navigation
  });

  it('starts a roll call, ticks a pupil and takes them off the missing list, by plain form posts', async () => {
    const s = await t.signInAs('teacher');
    const started = await t.post('/roll-call', s, {});
    expect(started.statusCode).toBe(303);
    const url = started.headers['location'] as string;
    expect(url).toMatch(/^\/roll-call\/[\w-]+$/);
    let page = textOf((await t.get(url, s)).body);
    expect(page).toContain('5 missing · 0 of 5 accounted for');
    const [a0] = t.school.pupilsA as [string];
    const ticked = await t.post(`${url}/tick`, s, { tick: `yes:${a0}`, class: 'Year 3 Oak' });
    expect(ticked.statusCode).toBe(303);
    expect(ticked.headers['location']).toBe(`${url}?class=Year%203%20Oak#class-year-3-oak`);
    const one = await t.get(`${url}?class=Year%203%20Oak`, s);
    page = textOf(one.body);
    expect(page).toContain('4 missing · 1 of 5 accounted for');
    expect(page).toContain('Year 3 Oak: 1 of 3 accounted for');
    expect(page).toMatch(/accounted for at 10:00 by Test teacher/);
    expect(page).not.toContain('Year 4 Ash: 0 of 2'); // only the class asked for
    expect(page).toContain('Year 4 Ash: 2 missing'); // but the missing of every class are linked
  });

  it('answers the page’s script with the counts as JSON', async () => {
    const s = await t.signInAs('office');
    const url = (await t.post('/roll-call', s, {})).headers['location'] as string;
    const res = await t.app.inject({
      method: 'POST',
      url: `${url}/tick`,
      cookies: { [SESSION_COOKIE]: s.cookie },
      headers: { accept: 'application/json' },
      payload: { _csrf: s.csrf, tick: `yes:${t.school.pupilsB[0]!}` },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ expected: 5, accounted: 1, missing: 4 });
  });

  it('is not for parents or governors', async () => {
    for (const who of ['parent', 'governor'] as const) {
      const s = await t.signInAs(who);
      expect((await t.get('/roll-call', s)).statusCode).toBe(403);
    }
  });
});
