import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pagesHarness, textOf, type PagesHarness } from '../../../test/web-pages.js';
import { d } from '../../../test/fixtures.js';
import { recordLateArrival } from '../../services/registers/registers.js';
import { registerRoutes } from './register-routes.js';

// Monday 8 September 2025, 09:00 in London: the AM register (08:50–09:20) is open.
const OPEN = '2025-09-08T08:00:00.000Z';
const CLOSED = '2025-09-08T08:40:00.000Z';

describe('register pages (without JavaScript)', () => {
  let t: PagesHarness;
  beforeAll(async () => {
    t = await pagesHarness([registerRoutes], 'regpages', OPEN);
  });
  afterAll(async () => {
    await t.close();
  });
  const url = () => `/registers/${t.school.groupA}/2025-09-08/AM`;

  it('lists a teacher’s registers for the day', async () => {
    const s = await t.signInAs('teacher');
    const res = await t.get('/registers?date=2025-09-08', s);
    expect(res.statusCode).toBe(200);
    const text = textOf(res.body);
    expect(text).toContain('Year 3 Oak');
    expect(text).toContain('3 Maths');
    expect(text).toContain('P2 10:00–11:00'); // the Monday maths lesson
    expect(text).not.toContain('Year 4 Ash');
  });

  it('fills the blanks with present on "Mark all unmarked present", saving nothing yet', async () => {
    const s = await t.signInAs('teacher');
    const [a, b] = t.school.pupilsA as [string, string];
    const res = await t.post(url(), s, { action: 'allPresent', version: '0', [`code_${b}`]: 'N' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(new RegExp(`name="code_${a}" type="radio" value="/" checked`));
    expect(res.body).toMatch(new RegExp(`name="code_${b}" type="radio" value="N" checked`));
    const again = await t.get(url(), s);
    expect(textOf(again.body)).toContain('Not taken yet');
  });

  it('saves the register and says how many marks changed', async () => {
    const s = await t.signInAs('teacher');
    const [a, b, c] = t.school.pupilsA as [string, string, string];
    const res = await t.post(url(), s, {
      action: 'save',
      version: '0',
      [`code_${a}`]: '/',
      [`code_${b}`]: 'N',
      [`other_${c}`]: 'M',
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers['location']).toBe(`${url()}?saved=3`);
    const page = await t.get(res.headers['location'] as string, s);
    expect(textOf(page.body)).toContain('Register saved: 3 marks changed');
    expect(page.body).toMatch(new RegExp(`<option value="M" selected>`));
  });

  it('tells a stale saver who changed what, with 409, keeping their other choices', async () => {
    const office = await t.signInAs('office');
    const teacher = await t.signInAs('teacher');
    const [a, b] = t.school.pupilsA as [string, string];
    // The office records Bea as ill (version 1 → 2) while the teacher still has version 1 open.
    expect(
      (
        await t.post(url(), office, {
          action: 'save',
          version: '1',
          [`code_${b}`]: 'N',
          [`other_${b}`]: 'I',
          [`seen_${b}`]: 'N',
        })
      ).statusCode,
    ).toBe(303);
    const res = await t.post(url(), teacher, {
      action: 'save',
      version: '1',
      [`code_${a}`]: 'L',
      [`seen_${a}`]: '/',
      [`code_${b}`]: 'N',
      [`seen_${b}`]: 'N',
    });
    expect(res.statusCode).toBe(409);
    const text = textOf(res.body);
    expect(text).toContain('Someone else saved this register');
    expect(text).toContain('Bea Baker: now I, changed by Test office');
    // The teacher's own change to Alex is still on the form, ready to save again.
    expect(res.body).toMatch(new RegExp(`name="code_${a}" type="radio" value="L" checked`));
    expect(res.body).toContain('name="version" value="2"');
  });

  it('keeps the office’s late arrival under a stale page, and names the office when the teacher changed that pupil too', async () => {
    const [a, b, c] = t.school.pupilsA as [string, string, string];
    const day = `/registers/${t.school.groupA}/2025-09-09/AM`;
    t.clock.set('2025-09-09T07:55:00.000Z');
    const teacher = await t.signInAs('teacher');
    const first = { action: 'save', version: '0', [`code_${a}`]: '/', [`code_${b}`]: 'N', [`code_${c}`]: '/' };
    const taken = await t.post(day, teacher, first);
    expect([taken.statusCode, taken.headers['location']]).toEqual([303, `${day}?saved=3`]);
    // The office signs Bea in late at 09:05 while the teacher's page still shows her N.
    t.clock.set('2025-09-09T08:05:00.000Z');
    await recordLateArrival(t.deps, t.school.actors.office, {
      pupilId: b,
      date: d('2025-09-09'),
      session: 'AM',
      arrivedAt: '09:05',
    });
    const seen = { [`seen_${a}`]: '/', [`seen_${b}`]: 'N', [`seen_${c}`]: '/' };
    // Changing Alex only: saved, and Bea keeps her L.
    const saved = await t.post(day, teacher, {
      action: 'save',
      version: '1',
      ...seen,
      [`code_${a}`]: 'I',
      [`code_${b}`]: 'N',
      [`code_${c}`]: '/',
    });
    expect([saved.statusCode, saved.headers['location']]).toEqual([303, `${day}?saved=1`]);
    const page = await t.get(day, teacher);
    expect([page.statusCode, page.headers['location']]).toEqual([200, undefined]);
    expect(page.body).toMatch(new RegExp(`name="code_${b}" type="radio" value="L" checked`));
    // Changing Bea from the same stale page: 409, the office named, Casey's change kept on the form.
    const clash = await t.post(day, teacher, {
      action: 'save',
      version: '2',
      ...seen,
      [`seen_${a}`]: 'I',
      [`code_${a}`]: 'I',
      [`code_${b}`]: '/',
      [`code_${c}`]: 'N',
    });
    expect(clash.statusCode).toBe(409);
    const text = textOf(clash.body);
    expect(text).toContain('Someone else changed a mark you changed');
    expect(text).toContain('Test office changed a mark you also changed');
    expect(text).toContain('Bea Baker: now L (15 minutes late), changed by Test office');
    expect(clash.body).toMatch(new RegExp(`name="code_${c}" type="radio" value="N" checked`));
    expect(clash.body).toMatch(new RegExp(`name="seen_${b}" value="L"`));
    expect(clash.body).toMatch(new RegExp(`name="seenMinutes_${b}" value="15"`));
    t.clock.set(OPEN);
  });

  it('after the close, shows a teacher why a change cannot be saved, keeping the input', async () => {
    t.clock.set(CLOSED);
    const s = await t.signInAs('teacher');
    const [a] = t.school.pupilsA as [string];
    const res = await t.post(url(), s, { action: 'save', version: '2', [`code_${a}`]: 'N', [`seen_${a}`]: '/' });
    expect(res.statusCode).toBe(400);
    const text = textOf(res.body);
    expect(text).toContain('There is a problem');
    expect(text).toContain('Alex Able: The register has closed: ask the office to amend this mark.');
    expect(res.body).toMatch(new RegExp(`name="code_${a}" type="radio" value="N" checked`));
    t.clock.set(OPEN);
  });

  it('refuses a register of a group the teacher does not take', async () => {
    const s = await t.signInAs('teacher');
    const res = await t.get(`/registers/${t.school.groupB}/2025-09-08/AM`, s);
    expect(res.statusCode).toBe(403);
  });
});
