import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pagesHarness, section, textOf, type PagesHarness, type PageSession } from '../../../test/web-pages.js';
import { normaliseTime, officeRoutes } from './office-routes.js';
import { pupilRoutes } from '../pupils/pupil-routes.js';

let t: PagesHarness;
let office: PageSession;

beforeAll(async () => {
  t = await pagesHarness([officeRoutes, pupilRoutes], 'office');
  office = await t.signInAs('office');
  // Monday 8 September 2025, 09:35 in London: the morning register closed at 09:20.
  t.clock.set('2025-09-08T08:35:00.000Z');
});

afterAll(async () => {
  await t.close();
});

describe('the office desk', () => {
  it('shows both forms with anchors, today’s pupils by registration group, and the time now', async () => {
    const res = await t.get('/office', office);
    expect(res.statusCode).toBe(200);
    const body = res.body;
    expect(body).toContain('id="late-arrivals"');
    expect(body).toContain('id="early-leavers"');
    expect(body).toContain('action="/office/late-arrivals"');
    expect(body).toContain('action="/office/early-leavers"');
    expect(body).toMatch(/<optgroup label="Year 3 Oak">\s*<option value="[^"]+">Alex Able \(Year 3 Oak\)<\/option>/);
    expect(body).toContain('<optgroup label="Year 4 Ash">');
    expect(body).toMatch(/id="late-time" name="arrivedAt"[^>]*value="09:35"/);
    expect(body).toMatch(/value="AM" checked/);
    // Office staff may not record L after the close.
    expect(body).not.toContain('name="keepAsLate"');
    expect(textOf(body)).toContain('No late arrivals signed in today.');
  });

  it('offers “Record as L after the close” only to roles allowed it; a teacher gets 403', async () => {
    const officer = await t.signInAs('attendance_officer');
    const res = await t.get('/office', officer);
    expect(res.body).toContain('name="keepAsLate"');
    expect(res.body).toContain('Record as L although the register has closed (transport breakdown etc.)');
    const teacher = await t.signInAs('teacher');
    expect((await t.get('/office', teacher)).statusCode).toBe(403);
  });

  it('records a late arrival after the close as U with the minutes, and says so', async () => {
    const alex = t.school.pupilsA[0]!;
    const res = await t.post('/office/late-arrivals', office, {
      pupilId: alex,
      arrivedAt: '9:35',
      session: 'AM',
      reason: 'Overslept',
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/office?recorded=late&pupil=${alex}`);
    const page = await t.get(res.headers.location!, office);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('govuk-notification-banner--success');
    expect(textOf(page.body)).toContain('Alex Able signed in at 09:35: U, 45 minutes late');
    const list = textOf(section(page.body, 'late-arrivals'));
    expect(list).toContain(
      '09:35 Alex Able Year 3 Oak AM U (arrived after the register closed) 45 Overslept Test office',
    );
  });

  it('the pupil page then shows the U in the calendar and in the history', async () => {
    const alex = t.school.pupilsA[0]!;
    const officer = await t.signInAs('attendance_officer');
    const res = await t.get(`/pupils/${alex}`, officer);
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(
      /data-date="2025-09-08">\s*<span class="rc-heatmap__date">8<\/span>\s*<span class="rc-heatmap__halves">\s*<span class="rc-cell rc-cell--unauthorised" data-session="AM">U<\/span>/,
    );
    expect(textOf(section(res.body, 'calendar-table'))).toContain(
      'Monday 8 September 2025 Morning: U, Arrived in school after the register closed',
    );
    const history = textOf(section(res.body, 'history'));
    expect(history).toContain(
      'Mon 8 Sep AM: no mark → U (45 minutes late) by Test office (Office staff) 09:35 Mon 8 Sep 2025 Reason: Overslept Source: office',
    );
  });

  it('a role allowed it records L after the close, with a reason', async () => {
    const officer = await t.signInAs('attendance_officer');
    const bea = t.school.pupilsA[1]!;
    const missing = await t.post('/office/late-arrivals', officer, {
      pupilId: bea,
      arrivedAt: '09:40',
      session: 'AM',
      reason: '',
      keepAsLate: 'yes',
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain(
      '<a href="#late-reason">Say why, for example &quot;school bus broke down&quot;.</a>',
    );
    expect(missing.body).toMatch(/name="keepAsLate" type="checkbox" value="yes" checked/);
    const res = await t.post('/office/late-arrivals', officer, {
      pupilId: bea,
      arrivedAt: '09:40',
      session: 'AM',
      reason: 'School bus broke down',
      keepAsLate: 'yes',
    });
    expect(res.statusCode).toBe(303);
    const page = await t.get(res.headers.location!, officer);
    expect(textOf(page.body)).toContain('Bea Baker signed in at 09:40: L, 50 minutes late');
  });

  it('re-shows the form with the error summary and what was typed when the time is not HH:MM', async () => {
    const cal = t.school.pupilsA[2]!;
    const res = await t.post('/office/late-arrivals', office, {
      pupilId: cal,
      arrivedAt: '9.5',
      session: 'PM',
      reason: 'Dentist',
    });
    expect(res.statusCode).toBe(400);
    const body = res.body;
    expect(body).toContain('<title>Error: Office: late arrivals and early leavers – Rollcall</title>');
    expect(body).toContain('govuk-error-summary');
    expect(body).toContain('<a href="#late-time">Enter the time of arrival as HH:MM, for example 09:12.</a>');
    expect(body).toMatch(
      /id="late-time" name="arrivedAt"[^>]*value="9.5"[^>]*aria-describedby="late-time-hint late-time-error"/,
    );
    expect(body).toContain('govuk-input--error');
    expect(body).toContain(`<option value="${cal}" selected>Cal Cole (Year 3 Oak)</option>`);
    expect(body).toMatch(/value="PM" checked/);
    expect(body).toContain('value="Dentist"');
    // Nothing was recorded.
    expect(textOf(section(body, 'late-arrivals'))).not.toContain('Cal Cole');
  });

  it('asks for the pupil and the session when they are missing', async () => {
    const res = await t.post('/office/late-arrivals', office, { pupilId: '', arrivedAt: '09:30', session: '' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('<a href="#late-pupil">Select the pupil who arrived late.</a>');
    expect(res.body).toContain('<a href="#late-session">Select the morning or the afternoon session.</a>');
    expect(res.body).toContain('class="govuk-select govuk-select--error" id="late-pupil"');
  });

  it('records an early leaver: who collected them, when and why', async () => {
    const dee = t.school.pupilsB[0]!;
    const res = await t.post('/office/early-leavers', office, {
      pupilId: dee,
      leftAt: '11:30',
      collectedBy: 'Sam Dale (father)',
      reason: 'Dental appointment',
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/office?recorded=early&pupil=${dee}`);
    const page = await t.get(res.headers.location!, office);
    expect(textOf(page.body)).toContain('Dee Dale signed out at 11:30, collected by Sam Dale (father)');
    expect(textOf(section(page.body, 'early-leavers'))).toContain(
      '11:30 Dee Dale Year 4 Ash Sam Dale (father) Dental appointment Test office',
    );
  });

  it('an early leaver needs a reason; the form keeps what was typed', async () => {
    const eli = t.school.pupilsB[1]!;
    const res = await t.post('/office/early-leavers', office, {
      pupilId: eli,
      leftAt: '14:05',
      collectedBy: 'Grandmother',
      reason: '',
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain(
      '<a href="#early-reason">Enter why the pupil left, for example &quot;dental appointment&quot;.</a>',
    );
    expect(res.body).toContain('value="14:05"');
    expect(res.body).toContain('value="Grandmother"');
    expect(res.body).toContain(`<option value="${eli}" selected>Eli Eady (Year 4 Ash)</option>`);
    // The late-arrival form is untouched (its default time, no errors).
    expect(res.body).toMatch(/id="late-time" name="arrivedAt"[^>]*value="09:35"/);
  });

  it('reads times as people type them', () => {
    expect(normaliseTime('9:35')).toBe('09:35');
    expect(normaliseTime(' 9.35 ')).toBe('09:35');
    expect(normaliseTime('9.5')).toBe('9.5');
    expect(normaliseTime('0935')).toBe('0935');
  });
});
