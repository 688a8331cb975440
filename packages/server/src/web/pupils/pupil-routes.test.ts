import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { d } from '../../../test/fixtures.js';
import { pagesHarness, section, textOf, type PagesHarness, type PageSession } from '../../../test/web-pages.js';
import { amendMark, recordLateArrival } from '../../services/registers/registers.js';
import { recordContactAttempt } from '../../services/follow-up/worklist.js';
import { dayMonthYear, parseAmendForm, pupilRoutes, shortDate } from './pupil-routes.js';

let t: PagesHarness;
let officer: PageSession;
let alex: string;

beforeAll(async () => {
  t = await pagesHarness([pupilRoutes], 'pupil');
  alex = t.school.pupilsA[0]!;
  // Last Wednesday Alex was off ill (amended from N by the office); today at 09:35 they came in after the close.
  t.clock.set('2025-09-03T09:00:00.000Z');
  await amendMark(t.deps, t.school.actors.office, {
    pupilId: alex,
    date: d('2025-09-03'),
    session: 'AM',
    code: 'N',
    reason: 'No reason given yet',
  });
  await amendMark(t.deps, t.school.actors.office, {
    pupilId: alex,
    date: d('2025-09-03'),
    session: 'AM',
    code: 'I',
    reason: 'Mother phoned: sickness bug',
  });
  t.clock.set('2025-09-08T08:35:00.000Z');
  await recordLateArrival(t.deps, t.school.actors.office, {
    pupilId: alex,
    date: d('2025-09-08'),
    session: 'AM',
    arrivedAt: '09:35',
  });
  officer = await t.signInAs('attendance_officer');
});

afterAll(async () => {
  await t.close();
});

describe('the pupil page', () => {
  it('an attendance officer sees details, safeguarding, contacts, measures, findings, calendar, history and the amend form', async () => {
    const res = await t.get(`/pupils/${alex}`, officer);
    expect(res.statusCode).toBe(200);
    const body = res.body;
    expect(body).toContain('<title>Alex Able – Rollcall</title>');
    const details = textOf(section(body, 'pupil-details'));
    expect(details).toContain('Legal name Alex Able');
    expect(details).toContain('UPN B801200005001');
    expect(details).toContain('Year Year 3');
    expect(details).toContain('Registration group Year 3 Oak');
    expect(details).toContain('Date of birth 1 May 2017');
    const safeguarding = textOf(section(body, 'safeguarding'));
    expect(safeguarding).toContain('Child protection plan Yes');
    expect(safeguarding).toContain('Social worker Social worker (test)');
    expect(textOf(section(body, 'contact'))).toContain('Phone Mobile 07700 900123');
    const measures = textOf(section(body, 'measures'));
    // 1–8 September: 12 possible sessions with marks in 2 (I and U), 10 unmarked.
    expect(measures).toContain('Unauthorised 1 session');
    expect(measures).toContain('Authorised 1 session');
    expect(measures).toContain('Late after the close (U) 1 session');
    expect(measures).toContain('Minutes late 45 minutes');
    expect(measures).toMatch(/Broken weeks 2 of 2 school weeks on roll/);
    expect(body).toContain('id="findings"');
    expect(body).toContain('data-testid="heatmap"');
    expect(body).toMatch(
      /data-date="2025-09-03">\s*<span class="rc-heatmap__date">3<\/span>\s*<span class="rc-heatmap__halves">\s*<span class="rc-cell rc-cell--authorised" data-session="AM">I<\/span>\s*<span class="rc-cell rc-cell--missing" data-session="PM">–<\/span>/,
    );
    // The marks as a table for screen readers, hidden in a wrapper so its width never widens the page.
    expect(body).toMatch(
      /<div class="govuk-visually-hidden">\s*<table class="govuk-table" data-testid="calendar-table">/,
    );
    expect(textOf(section(body, 'code-counts'))).toMatch(
      /I Illness[^0-9]*1 U Arrived in school after the register closed 1/,
    );
    const history = textOf(section(body, 'history'));
    expect(history.indexOf('Mon 8 Sep AM: no mark → U')).toBeLessThan(history.indexOf('Wed 3 Sep AM: N → I'));
    expect(history).toContain(
      'Wed 3 Sep AM: N → I by Test office (Office staff) 10:00 Wed 3 Sep 2025 Reason: Mother phoned: sickness bug Source: office',
    );
    expect(body).toContain(`action="/pupils/${alex}/amend"`);
  });

  it('shows calls, visits and messages in the chronology, with who made them', async () => {
    await recordContactAttempt(t.deps, t.school.actors.office, {
      pupilId: t.school.pupilsA[0]!,
      absenceDate: d('2025-09-08'),
      method: 'call',
      outcome: 'no_answer',
    });
    const res = await t.get(`/pupils/${t.school.pupilsA[0]}`, await t.signInAs('attendance_officer'));
    const text = textOf(section(res.body, 'chronology'));
    expect(text).toContain('Call');
    expect(text).toContain('no answer');
    expect(text).toContain('Test office');
  });

  it('a teacher of the pupil’s group sees the record but no safeguarding, contacts or amend form', async () => {
    const teacher = await t.signInAs('teacher');
    const res = await t.get(`/pupils/${alex}`, teacher);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Alex Able');
    expect(res.body).not.toContain('data-testid="safeguarding"');
    expect(res.body).not.toContain('Social worker (test)');
    expect(res.body).not.toContain('Child protection');
    expect(res.body).not.toContain('07700 900123');
    expect(res.body).not.toContain('/amend"');
    // Staff see who changed a mark.
    expect(textOf(section(res.body, 'history'))).toContain('by Test office (Office staff)');
    const otherTeacher = await t.signInAs('teacherb');
    expect((await t.get(`/pupils/${alex}`, otherTeacher)).statusCode).toBe(403);
  });

  it('a parent sees their own child without the staff-only parts, and gets 403 for another child', async () => {
    const parent = await t.signInAs('parent');
    const res = await t.get(`/pupils/${alex}`, parent);
    expect(res.statusCode).toBe(200);
    const body = res.body;
    expect(body).not.toContain('/amend"');
    expect(body).not.toContain('id="findings"');
    expect(body).not.toContain('Social worker (test)');
    // Their own contact details, yes.
    expect(body).toContain('07700 900123');
    const history = textOf(section(body, 'history'));
    expect(history).toContain(
      'Wed 3 Sep AM: I, Illness (not medical or dental appointment) Reason: Mother phoned: sickness bug',
    );
    expect(history).not.toContain('Test office');
    expect(history).not.toContain('Source:');
    expect(history).not.toContain('→');
    expect(body).toContain('data-testid="heatmap"');
    const other = await t.get(`/pupils/${t.school.pupilsA[1]!}`, parent);
    expect(other.statusCode).toBe(403);
  });

  it('shows the attendance at other schools that a Common Transfer File brought', async () => {
    const bea = t.school.pupilsA[1]!;
    await t.open.db
      .insertInto('pupil_attendance_history')
      .values({
        id: 'h1',
        pupil_id: bea,
        academic_year: 2024,
        la_code: '881',
        estab: '2001',
        urn: null,
        school_name: 'Elsewhere Primary',
        sessions_possible: 300,
        sessions_attended: 285,
        sessions_authorised: 10,
        sessions_unauthorised: 5,
        marks_start: null,
        marks: null,
        imported_from: 'in.xml',
        imported_at: '2025-09-01T10:00:00Z',
      })
      .execute();
    const page = await t.get(`/pupils/${bea}`, officer);
    const table = textOf(section(page.body, 'attendance-history'));
    expect(table).toContain('2024/25 Elsewhere Primary (8812001) 300 285 10 5 95.0%');
    const none = await t.get(`/pupils/${alex}`, officer);
    expect(none.body).not.toContain('data-testid="attendance-history"');
  });

  it('an unknown pupil is a 404', async () => {
    expect((await t.get('/pupils/no-such-pupil', officer)).statusCode).toBe(404);
  });
});

describe('amending a mark', () => {
  it('requires a reason, and keeps what was typed', async () => {
    const res = await t.post(`/pupils/${alex}/amend`, officer, {
      'date-day': '8',
      'date-month': '9',
      'date-year': '2025',
      session: 'AM',
      code: 'L',
      minutesLate: '45',
      reason: '',
    });
    expect(res.statusCode).toBe(400);
    const body = res.body;
    expect(body).toContain('<title>Error: Alex Able – Rollcall</title>');
    expect(body).toContain('<a href="#amend-reason">Give the reason for the amendment.</a>');
    expect(body).toMatch(/<option value="L" selected>L – /);
    expect(body).toMatch(/id="amend-minutes" name="minutesLate"[^>]*value="45"/);
    expect(body).toMatch(/value="AM" checked/);
    expect(body).toContain('class="govuk-textarea govuk-textarea--error"');
    // Still U.
    expect(textOf(section(body, 'history'))).not.toContain('U → L');
  });

  it('checks the date and refuses a date the pupil was not on roll', async () => {
    const bad = await t.post(`/pupils/${alex}/amend`, officer, {
      'date-day': '31',
      'date-month': '9',
      'date-year': '2025',
      session: 'PM',
      code: 'I',
      minutesLate: '',
      reason: 'Ill',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain(
      '<a href="#amend-date-day">The date of the mark must be a real date, for example 8 9 2025.</a>',
    );
    expect(bad.body).toContain('value="31"');
    const before = await t.post(`/pupils/${alex}/amend`, officer, {
      'date-day': '29',
      'date-month': '8',
      'date-year': '2025',
      session: 'AM',
      code: 'I',
      minutesLate: '',
      reason: 'Ill',
    });
    expect(before.statusCode).toBe(400);
    expect(before.body).toContain('is not a school session');
  });

  it('amends with a reason, redirects back with a success banner and the change in the history', async () => {
    t.clock.set('2025-09-08T08:40:00.000Z');
    const res = await t.post(`/pupils/${alex}/amend`, officer, {
      'date-day': '8',
      'date-month': '9',
      'date-year': '2025',
      session: 'AM',
      code: 'L',
      minutesLate: '45',
      reason: 'Traffic accident on the bypass: head agreed L',
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/pupils/${alex}?amended=2025-09-08.AM`);
    const page = await t.get(res.headers.location!, officer);
    expect(page.body).toContain('govuk-notification-banner--success');
    expect(textOf(page.body)).toContain('8 September 2025 AM is now L (was U).');
    expect(textOf(section(page.body, 'history'))).toContain(
      'Mon 8 Sep AM: U → L (45 minutes late) by Test attendance_officer (Attendance officer) 09:40 Mon 8 Sep 2025 Reason: Traffic accident on the bypass: head agreed L',
    );
    expect(page.body).toMatch(/rc-cell--present" data-session="AM">L</);
  });

  it('is refused to those who may not amend, whatever the form says', async () => {
    const teacher = await t.signInAs('teacher');
    const ok = await t.post(`/pupils/${alex}/amend`, teacher, {
      'date-day': '8',
      'date-month': '9',
      'date-year': '2025',
      session: 'AM',
      code: 'I',
      minutesLate: '',
      reason: 'x',
    });
    expect(ok.statusCode).toBe(403);
    const invalid = await t.post(`/pupils/${alex}/amend`, teacher, {
      'date-day': '',
      'date-month': '',
      'date-year': '',
      session: '',
      code: '',
      minutesLate: '',
      reason: '',
    });
    expect(invalid.statusCode).toBe(403);
  });

  it('parses the form', () => {
    expect(
      parseAmendForm({
        day: '5',
        month: '9',
        year: '2025',
        session: 'PM',
        code: 'M',
        minutesLate: '',
        reason: 'Dentist',
      }),
    ).toEqual({
      value: { date: '2025-09-05', session: 'PM', code: 'M', minutesLate: null, reason: 'Dentist' },
      errors: [],
    });
    expect(
      parseAmendForm({
        day: '',
        month: '',
        year: '',
        session: '',
        code: '',
        minutesLate: 'ten',
        reason: '',
      }).errors.map((e) => e.field),
    ).toEqual(['date', 'session', 'code', 'minutesLate', 'reason']);
    expect(
      parseAmendForm({ day: '5', month: '9', year: '2025', session: 'AM', code: 'I', minutesLate: '10', reason: 'x' })
        .errors,
    ).toEqual([{ field: 'minutesLate', message: 'Minutes late go with L or U only: leave it empty for other codes.' }]);
    expect(dayMonthYear(d('2017-05-01'))).toBe('1 May 2017');
    expect(shortDate(d('2025-09-08'), true)).toBe('Mon 8 Sep 2025');
  });
});

describe('finding a pupil', () => {
  it('finds by surname prefix and by UPN', async () => {
    const office = await t.signInAs('office');
    const bySurname = await t.get('/pupils?q=bak', office);
    expect(bySurname.statusCode).toBe(200);
    const rows = textOf(section(bySurname.body, 'search-results'));
    expect(rows).toContain('Bea Baker P330450024123 3 Year 3 Oak');
    expect(rows).not.toContain('Alex Able');
    expect(bySurname.body).toContain(`href="/pupils/${t.school.pupilsA[1]!}"`);
    expect(bySurname.body).toContain('value="bak"');
    const byUpn = await t.get('/pupils?q=B801200005001', office);
    expect(textOf(section(byUpn.body, 'search-results'))).toContain('Alex Able B801200005001');
    const none = await t.get('/pupils?q=zzz', office);
    expect(textOf(none.body)).toContain('No pupils found for “zzz”.');
    const empty = await t.get('/pupils', office);
    expect(empty.statusCode).toBe(200);
    expect(empty.body).toContain('name="q"');
  });

  it('a teacher sees the pupils of their groups instead', async () => {
    const teacher = await t.signInAs('teacher');
    const res = await t.get('/pupils', teacher);
    expect(res.statusCode).toBe(200);
    const text = textOf(res.body);
    expect(text).toContain('Your pupils');
    expect(text).toContain('Year 3 Oak');
    expect(text).toContain('Cal Cole');
    expect(text).not.toContain('Dee Dale');
    const filtered = await t.get('/pupils?q=cole', teacher);
    expect(textOf(filtered.body)).toContain('Cal Cole');
    expect(textOf(filtered.body)).not.toContain('Alex Able');
  });

  it('parents and governors may not search', async () => {
    for (const who of ['parent', 'governor'] as const) {
      const s = await t.signInAs(who);
      expect((await t.get('/pupils?q=a', s)).statusCode, who).toBe(403);
    }
  });

  it('a trust lead chooses one of their schools first', async () => {
    const lead = await t.signInAs('trust_lead');
    const res = await t.get('/pupils', lead);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(`href="/pupils?school=${t.school.schoolId}"`);
    expect(res.body).not.toContain('Other Primary');
    const found = await t.get(`/pupils?school=${t.school.schoolId}&q=able`, lead);
    expect(textOf(section(found.body, 'search-results'))).toContain('Alex Able');
    expect((await t.get(`/pupils?school=${t.school.otherSchoolId}&q=able`, lead)).statusCode).toBe(403);
  });
});

describe('finding people fast: the "Find a pupil" type-ahead (issue 17)', () => {
  const suggest = async (q: string, s: PageSession) => {
    const res = await t.get(`/pupils/suggest?q=${encodeURIComponent(q)}`, s);
    return {
      status: res.statusCode,
      results: res.statusCode === 200 ? res.json<{ results: { href: string; label: string }[] }>().results : [],
    };
  };

  it('suggests pupils by forename, surname or UPN, and by a contact’s name, each opening the pupil’s page', async () => {
    expect((await suggest('able', officer)).results).toEqual([
      { href: `/pupils/${alex}`, label: 'Alex Able (Year 3 Oak)' },
    ]);
    expect((await suggest('bea', officer)).results.map((r) => r.label)).toEqual(['Bea Baker (Year 3 Oak)']);
    // The parent on the telephone: any word of the contact's name.
    expect((await suggest('parent', officer)).results).toEqual([
      { href: `/pupils/${alex}`, label: 'Alex Able (Year 3 Oak): contact Parent of Alex, Mother' },
    ]);
    expect((await suggest('alex', officer)).results.map((r) => r.label)).toEqual([
      'Alex Able (Year 3 Oak)',
      'Alex Able (Year 3 Oak): contact Parent of Alex, Mother',
    ]);
    // Nothing under two characters; a % is matched as typed.
    expect((await suggest('a', officer)).results).toEqual([]);
    expect((await suggest('%%', officer)).results).toEqual([]);
  });

  it('gives a teacher their own groups’ pupils only, and a parent nothing', async () => {
    const teacher = await t.signInAs('teacher');
    expect((await suggest('able', teacher)).results.map((r) => r.label)).toEqual(['Alex Able (Year 3 Oak)']);
    const teacherB = await t.signInAs('teacherb');
    expect((await suggest('able', teacherB)).results).toEqual([]);
    expect((await suggest('dale', teacherB)).results.map((r) => r.label)).toEqual(['Dee Dale (Year 4 Ash)']);
    const parent = await t.signInAs('parent');
    expect((await suggest('able', parent)).status).toBe(403);
  });

  it('finds pupils by a contact’s name on the search page too (without JavaScript), with the type-ahead on the box', async () => {
    const page = await t.get('/pupils?q=parent', officer);
    expect(page.statusCode).toBe(200);
    expect(textOf(section(page.body, 'contact-results'))).toContain('Alex Able Parent of Alex, Mother Year 3 Oak');
    expect(page.body).toContain('data-pupil-finder="/pupils/suggest"');
    expect(page.body).toContain('/public/assets/type-ahead.js');
    const none = await t.get('/pupils?q=zzz', officer);
    expect(textOf(none.body)).toContain('No pupils found for “zzz”');
  });
});
