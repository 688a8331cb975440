import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pagesHarness, section, textOf, type PagesHarness, type PageSession } from '../../../test/web-pages.js';
import { leaveRoutes } from './leave-routes.js';

let t: PagesHarness;
let parent: PageSession;
let head: PageSession;

beforeAll(async () => {
  t = await pagesHarness([leaveRoutes], 'leave');
  parent = await t.signInAs('parent');
  head = await t.signInAs('senior_leader');
});

afterAll(async () => {
  await t.close();
});

describe('leave of absence pages', () => {
  it('shows a parent the rules before the form', async () => {
    const res = await t.get(`/pupils/${t.school.pupilsA[0]!}/leave`, parent);
    expect(res.statusCode).toBe(200);
    const rules = textOf(section(res.body, 'rules'));
    expect(rules).toContain('at least 4 weeks (28 days)');
    expect(rules).toContain('only in exceptional circumstances');
    expect(rules).toContain('recorded as unauthorised');
    expect(res.body.indexOf('data-testid="rules"')).toBeLessThan(res.body.indexOf('data-testid="request-form"'));
    expect(textOf(res.body)).toContain('No previous requests.');
  });

  it('re-renders with an error summary and keeps what was typed', async () => {
    const res = await t.post(`/pupils/${t.school.pupilsA[0]!}/leave`, parent, {
      kind: 'traveller',
      fromDate: '2025-10-06',
      toDate: '2025-10-24',
      reason: 'Travelling for work',
      forwardingAddress: '',
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('govuk-error-summary');
    expect(res.body).toContain('href="#leave-forwarding"');
    expect(res.body).toMatch(/value="traveller" checked/);
    expect(res.body).toContain('Travelling for work</textarea>');
  });

  it('forbids a parent another child’s form', async () => {
    const res = await t.post(`/pupils/${t.school.pupilsA[1]!}/leave`, parent, {
      kind: 'exceptional',
      fromDate: '2025-10-13',
      toDate: '2025-10-13',
      reason: 'x',
    });
    expect(res.statusCode).toBe(403);
  });

  it('sends a request, lists it for the headteacher with its checks, and records the decision', async () => {
    const sent = await t.post(`/pupils/${t.school.pupilsA[0]!}/leave`, parent, {
      kind: 'exceptional',
      fromDate: '2025-09-15',
      toDate: '2025-09-15',
      reason: 'Court hearing',
      forwardingAddress: '',
    });
    expect(sent.statusCode).toBe(303);
    const back = await t.get(sent.headers.location as string, parent);
    expect(textOf(back.body)).toContain('Your request has been sent to the headteacher');
    expect(textOf(section(back.body, 'requests'))).toContain('Waiting for the headteacher');

    expect((await t.get('/leave', await t.signInAs('office'))).statusCode).toBe(403);
    const list = await t.get('/leave', head);
    expect(list.statusCode).toBe(200);
    const id = /action="\/leave\/([^"]+)"/.exec(list.body)?.[1];
    expect(id).toBeDefined();
    const request = textOf(section(list.body, `request-${id!}`));
    expect(request).toContain('Alex Able: 15 September 2025');
    expect(request).toContain('Court hearing');
    expect(request).toContain('Checks suggest Refuse');
    expect(request).toContain("Only 7 days' notice");

    const missing = await t.post(`/leave/${id!}`, head, { decision: 'refuse', reason: '' });
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain(`href="#reason-${id!}"`);
    expect(missing.body).toMatch(/value="refuse" checked/);

    const done = await t.post(`/leave/${id!}`, head, { decision: 'refuse', reason: 'Not enough notice' });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/leave?decided=refused-queued');
    const after = await t.get('/leave?decided=refused-queued', head);
    // The test server has no email server: the banner says the letter waits, not that it went.
    expect(textOf(after.body)).toContain(
      'Leave refused. The letter is queued but not emailed: no email server is configured',
    );
    expect(textOf(after.body)).toContain('No leave requests are waiting for a decision.');

    const history = await t.get(`/pupils/${t.school.pupilsA[0]!}/leave`, parent);
    const rows = textOf(section(history.body, 'requests'));
    expect(rows).toContain('Refused');
    expect(rows).toContain('Not enough notice');
  });
});
