import type { PlainDate } from '@rollcall/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pagesHarness, section, textOf, type PagesHarness, type PageSession } from '../../../test/web-pages.js';
import { setSessionMark } from '../../db/registers/registers.js';
import { parentRoutes } from './parent-routes.js';

let t: PagesHarness;
let parent: PageSession;
let office: PageSession;
let alex: string;

const form = (over: Record<string, string> = {}): Record<string, string> => ({
  'from-day': '8',
  'from-month': '9',
  'from-year': '2025',
  'to-day': '',
  'to-month': '',
  'to-year': '',
  sessions: 'ALL',
  reason: 'illness',
  details: 'Sickness bug',
  'return-day': '',
  'return-month': '',
  'return-year': '',
  evidence: '',
  ...over,
});

beforeAll(async () => {
  // Monday 8 September 2025, 08:30 in London.
  t = await pagesHarness([parentRoutes], 'parent-pages');
  parent = await t.signInAs('parent');
  office = await t.signInAs('office');
  alex = t.school.pupilsA[0]!;
  await setSessionMark(
    t.deps.db,
    { pupilId: alex, date: '2025-09-08' as PlainDate, session: 'AM', code: 'N', minutesLate: null, reason: null },
    { userId: null, userName: 'Test teacher', userRole: 'teacher', at: '2025-09-08T07:45:00.000Z', source: 'register' },
  );
});

afterAll(async () => {
  await t.close();
});

describe('reporting an absence', () => {
  it('shows a parent the question page with today filled in', async () => {
    const res = await t.get(`/pupils/${alex}/report-absence`, parent);
    expect(res.statusCode).toBe(200);
    expect(textOf(res.body)).toContain('Alex Able Report an absence');
    expect(res.body).toContain('name="from-day" type="text" value="8"');
  });

  it('re-renders with an error summary and what was typed', async () => {
    const res = await t.post(
      `/pupils/${alex}/report-absence`,
      parent,
      form({ 'from-day': '5', reason: '', details: 'Kept' }),
    );
    expect(res.statusCode).toBe(400);
    const text = textOf(res.body);
    expect(text).toContain('There is a problem');
    expect(text).toContain('The first day of the absence must be today or later.');
    expect(text).toContain('Select the reason for the absence.');
    expect(res.body).toContain('href="#from-day"');
    expect(res.body).toContain('href="#reason"');
    expect(res.body).toContain('Kept</textarea>');
  });

  it('reports, then shows the success panel and what happens next', async () => {
    const res = await t.post(`/pupils/${alex}/report-absence`, parent, form());
    expect(res.statusCode).toBe(303);
    const next = await t.get(res.headers.location as string, parent);
    const text = textOf(next.body);
    expect(text).toContain('Absence reported for Alex Able 8 September 2025');
    expect(text).toContain('What happens next');
    expect(text).toContain('as authorised (I)');
    expect(textOf(section(next.body, 'my-reports'))).toContain('Waiting for the school');
    expect(next.body).toContain(`href="/pupils/${alex}/report-absence"`);
  });

  it('refuses staff and another parent’s child', async () => {
    expect((await t.get(`/pupils/${alex}/report-absence`, office)).statusCode).toBe(403);
    expect((await t.get(`/pupils/${t.school.pupilsA[1]!}/report-absence`, parent)).statusCode).toBe(403);
    expect((await t.post(`/pupils/${t.school.pupilsA[1]!}/report-absence`, parent, form())).statusCode).toBe(403);
  });
});

describe('the office list', () => {
  it('refuses a parent', async () => {
    expect((await t.get('/absence-reports', parent)).statusCode).toBe(403);
  });

  it('lists the pending report with its matched N, rejects an empty note, then confirms', async () => {
    const res = await t.get('/absence-reports', office);
    expect(res.statusCode).toBe(200);
    const id = /data-testid="report-([^"]+)"/.exec(res.body)?.[1];
    expect(id).toBeDefined();
    const card = textOf(section(res.body, `report-${id!}`));
    expect(card).toContain('Alex Able: 8 September 2025');
    expect(card).toContain('Illness: Sickness bug');
    expect(card).toContain('Matched N marks 8 September 2025 AM');
    expect(res.body).toContain('<option value="I" selected>');

    const bad = await t.post(`/absence-reports/${id!}`, office, { decision: 'reject', code: '', note: '' });
    expect(bad.statusCode).toBe(400);
    expect(textOf(bad.body)).toContain('Say why the report is rejected');
    expect(bad.body).toContain(`href="#note-${id!}"`);

    const ok = await t.post(`/absence-reports/${id!}`, office, { decision: 'confirm', code: 'I', note: '' });
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe('/absence-reports?done=confirmed');
    const after = await t.get('/absence-reports?done=confirmed', office);
    expect(textOf(after.body)).toContain('Report confirmed.');
    expect(textOf(after.body)).toContain('There are no reports waiting.');
    const mark = await t.deps.db
      .selectFrom('session_marks')
      .select('code')
      .where('pupil_id', '=', alex)
      .where('date', '=', '2025-09-08')
      .where('session', '=', 'AM')
      .executeTakeFirstOrThrow();
    expect(mark.code).toBe('I');
    const mine = await t.get(`/pupils/${alex}/report-absence`, parent);
    expect(textOf(section(mine.body, 'my-reports'))).toContain('Confirmed');
  });
});
