import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pagesHarness, section, textOf, type PagesHarness, type PageSession } from '../../../test/web-pages.js';
import { analysisMoreRoutes, capRows, PATTERN_ROWS, percent, points } from './analysis-more-routes.js';

let t: PagesHarness;
let leader: PageSession;
let governor: PageSession;
let teacher: PageSession;

/** School days of Autumn 1 from 1 to 26 September 2025 (four school weeks). */
function schoolDays(): string[] {
  const out: string[] = [];
  for (let day = 1; day <= 26; day++) {
    const date = `2025-09-${String(day).padStart(2, '0')}`;
    const dow = new Date(`${date}T12:00:00Z`).getUTCDay();
    if (dow !== 0 && dow !== 6) out.push(date);
  }
  return out;
}

const Q = 'asOf=2025-09-26';

beforeAll(async () => {
  t = await pagesHarness([analysisMoreRoutes], 'analysis-more');
  const [alex, bea, cal] = t.school.pupilsA;
  const [dee, eli] = t.school.pupilsB;
  // Everyone present, except: Bea away every Monday and on the last Thursday (10 of 38
  // sessions: the school is closed on Friday 26 September); Cal late (L, 12 minutes) on 2 September; Dee ill (I) on 3 September AM.
  const rows = [];
  for (const date of schoolDays()) {
    for (const session of ['AM', 'PM'] as const) {
      for (const pupil of [alex!, bea!, cal!, dee!, eli!]) {
        let code = session === 'AM' ? '/' : '\\';
        let minutes: number | null = null;
        const monday = new Date(`${date}T12:00:00Z`).getUTCDay() === 1;
        if (pupil === bea && (monday || date >= '2025-09-25')) code = 'O';
        if (pupil === cal && date === '2025-09-02' && session === 'AM') {
          code = 'L';
          minutes = 12;
        }
        if (pupil === dee && date === '2025-09-03' && session === 'AM') code = 'I';
        rows.push({
          pupil_id: pupil,
          date,
          session,
          code,
          minutes_late: minutes,
          updated_at: '2025-09-26T16:00:00.000Z',
          updated_by: null,
        });
      }
    }
  }
  await t.open.db.insertInto('session_marks').values(rows).execute();
  leader = await t.signInAs('senior_leader');
  governor = await t.signInAs('governor');
  teacher = await t.signInAs('teacher');
});

afterAll(async () => {
  await t.close();
});

describe('formatting', () => {
  it('shows rates as percentages and changes as signed points', () => {
    expect(percent(0.9531)).toBe('95.3%');
    expect(percent(null)).toBe('–');
    expect(points(0.012)).toBe('+1.2 pts');
    expect(points(-0.004)).toBe('−0.4 pts');
    expect(points(0)).toBe('0.0 pts');
  });
});

describe('/analysis/trends', () => {
  it('shows each week with the year to date, a chart with a title and the numbers in a table', async () => {
    const res = await t.get(`/analysis/trends?${Q}`, leader);
    expect(res.statusCode).toBe(200);
    const table = textOf(section(res.body, 'table-weekly-trend'));
    // Week 1: 50 possible, Bea away Monday (2) and Dee ill (1): 94.0%. Week 4: the small school
    // is closed on Friday 26 September, so 40 possible; Bea away Monday and Thursday (4): 90.0%.
    expect(table).toContain('w/c 2025-09-01 2025-09-01 50 94.0% – – 94.0% – –');
    expect(table).toContain('w/c 2025-09-22 2025-09-22 40 90.0% – – 94.2%');
    expect(textOf(section(res.body, 'trend-headline'))).toContain('This week (w/c 2025-09-22) 90.0%');
    expect(res.body).toContain(
      '<title id="weekly-trend-chart-title">Attendance by school week, 2025/26 against 2024/25</title>',
    );
    expect(textOf(section(res.body, 'table-half-term-trend'))).toContain('Autumn 1');
  });

  it('filters to a group and says whom the figures are for', async () => {
    const res = await t.get(`/analysis/trends?${Q}&group=gender:F`, leader);
    expect(textOf(section(res.body, 'analysis-scope'))).toContain('Gender F: 2 pupils');
    // Bea and Dee: week 1, 20 possible, Bea 2 away and Dee 1 ill: 85.0%.
    expect(textOf(section(res.body, 'table-weekly-trend'))).toContain('w/c 2025-09-01 2025-09-01 20 85.0%');
    // Two pupils are too few for the anonymised governors' report: named, not linked.
    expect(res.body).not.toContain('href="/analysis/governors');
    expect(textOf(section(res.body, 'subnav-disabled'))).toContain('Governors’ report (needs 5 or more pupils)');
    const whole = await t.get(`/analysis/trends?${Q}`, leader);
    expect(whole.body).toContain('href="/analysis/governors?');
  });

  it('downloads any table as CSV and XLSX with the same numbers', async () => {
    const csv = await t.get(`/analysis/trends?${Q}&format=csv&table=weekly-trend`, leader);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe('attachment; filename="weekly-trend.csv"');
    expect(csv.body).toContain('Period,From,Possible sessions,Attendance,Last year,Change,Year to date');
    expect(csv.body).toContain('w/c 2025-09-01,2025-09-01,50,0.94,,,0.94,,\r\n');
    const xlsx = await t.app.inject({
      method: 'GET',
      url: `/analysis/trends?${Q}&format=xlsx&table=half-term-trend`,
      cookies: { rollcall_session: leader.cookie },
    });
    expect(xlsx.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const sheet = strFromU8(unzipSync(new Uint8Array(xlsx.rawPayload))['xl/worksheets/sheet1.xml']!);
    expect(sheet).toContain('Autumn 1');
    expect(sheet).toContain('<c r="C2"><v>190</v></c>');
  });

  it('refuses a table that is not there and a malformed date', async () => {
    expect((await t.get(`/analysis/trends?${Q}&format=csv&table=nope`, leader)).statusCode).toBe(404);
    expect((await t.get('/analysis/trends?asOf=26/09/2025', leader)).statusCode).toBe(400);
  });

  it('lets a trust lead open a school of their trust with ?school=', async () => {
    const lead = await t.signInAs('trust_lead');
    const res = await t.get(`/analysis/trends?${Q}&school=${t.school.schoolId}`, lead);
    expect(res.statusCode).toBe(200);
    // The sub-navigation and downloads keep the school.
    expect(res.body).toContain(`/analysis/patterns?school=${t.school.schoolId}&amp;asOf=2025-09-26`);
    expect((await t.get(`/analysis/trends?${Q}&school=${t.school.otherSchoolId}`, lead)).statusCode).toBe(403);
  });

  it('starts trust and LA roles from their schools when a page is opened without a school', async () => {
    const lead = await t.signInAs('trust_lead');
    const la = await t.signInAs('la_officer');
    for (const path of [
      '/analysis/trends',
      '/analysis/patterns',
      '/analysis/lists/persistent',
      '/analysis/governors',
    ]) {
      const byLead = await t.get(`${path}?${Q}`, lead);
      expect([byLead.statusCode, byLead.headers.location]).toEqual([303, '/trust']);
      const byLa = await t.get(path, la);
      expect([byLa.statusCode, byLa.headers.location]).toEqual([303, '/la']);
    }
  });

  it('is for those who may see the school’s figures', async () => {
    expect((await t.get(`/analysis/trends?${Q}`, teacher)).statusCode).toBe(403);
    expect((await t.get(`/analysis/trends?${Q}`, governor)).statusCode).toBe(200);
  });
});

describe('/analysis/export', () => {
  it('downloads the dashboard’s tables for the filter', async () => {
    const csv = await t.get(`/analysis/export?${Q}&group=gender:F&table=summary&format=csv`, leader);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-disposition']).toBe('attachment; filename="summary.csv"');
    const lines = csv.body.replace(/^\uFEFF/, '').split('\r\n');
    expect(lines[0]).toMatch(/^Measure,Gender F,Pupils,"National \(primary, 20\d\d\/\d\d\)"$/);
    // Bea (10 of 38) and Dee (1 of 38): 65 of 76 attended; Bea persistently absent.
    expect(lines[1]).toMatch(new RegExp(`^Attendance,${65 / 76},,0\\.9`));
    expect(lines[5]).toMatch(/^Persistent absence,0.5,1,/);
    const groups = await t.get(`/analysis/export?${Q}&table=groups&format=csv`, leader);
    expect(groups.body).toContain('Group,Pupils,Absence,"Absence, rest",Absence gap');
    expect((await t.get(`/analysis/export?${Q}&table=bands&format=xlsx`, leader)).statusCode).toBe(200);
    expect((await t.get(`/analysis/export?${Q}&table=summary`, teacher)).statusCode).toBe(403);
  });
});

describe('/analysis/patterns', () => {
  it('shows day and session absence, code use, punctuality and broken weeks', async () => {
    const res = await t.get(`/analysis/patterns?${Q}`, leader);
    expect(res.statusCode).toBe(200);
    // Mondays: Bea away 4 of 20 sessions each half-day (4 Mondays × 5 pupils).
    expect(textOf(section(res.body, 'table-day-and-session'))).toContain('Monday AM 20 4 20.0%');
    expect(textOf(section(res.body, 'punctuality-totals'))).toContain(
      '1 late before the register closed (L), 0 late after it closed (U), 12 minutes',
    );
    expect(textOf(section(res.body, 'broken-weeks'))).toContain('5 of 20 pupil school weeks');
    expect(res.body).toContain('data-chart="day-session-chart"');
    expect(textOf(section(res.body, 'table-punctuality-by-pupil'))).toContain('Cal Cole 3 Year 3 Oak 1 0 12');
    expect(res.body).toContain(`href="/pupils/${t.school.pupilsA[2]!}"`);
  });

  it('shows governors the figures but no table naming pupils', async () => {
    const res = await t.get(`/analysis/patterns?${Q}`, governor);
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain('Cal Cole');
    expect(res.body).not.toContain('table-punctuality-by-pupil');
    expect((await t.get(`/analysis/patterns?${Q}&format=csv&table=punctuality-by-pupil`, governor)).statusCode).toBe(
      404,
    );
  });
});

describe('/analysis/lists/:kind', () => {
  it('lists named pupils with links, checkboxes and the next steps', async () => {
    const res = await t.get(`/analysis/lists/persistent?${Q}`, leader);
    expect(res.statusCode).toBe(200);
    const bea = t.school.pupilsA[1]!;
    const table = textOf(section(res.body, 'table-persistent'));
    expect(table).toContain('Bea Baker 3 Year 3 Oak 38 10 26.3%');
    expect(res.body).toContain(`href="/pupils/${bea}"`);
    expect(res.body).toContain(`name="pupilIds" type="checkbox" value="${bea}"`);
    expect(res.body).toContain('action="/casework/open"');
    expect(res.body).toContain('formaction="/analysis/lists/letters"');
    expect(res.body).toContain(`href="/pupils/${bea}/letters"`);
    expect(textOf(section(res.body, 'list-explanation'))).toContain('stays on roll to 2026-07-31');
  });

  it('lists 100% attendance with lates shown', async () => {
    const text = textOf(
      section((await t.get(`/analysis/lists/full-attendance?${Q}`, leader)).body, 'table-full-attendance'),
    );
    expect(text).toContain('Alex Able 3 Year 3 Oak 38 0');
    expect(text).toContain('Cal Cole 3 Year 3 Oak 38 1');
    expect(text).not.toContain('Bea Baker');
    expect(text).not.toContain('Dee Dale');
  });

  it('audits a named list leaving as a file', async () => {
    const csv = await t.get(`/analysis/lists/persistent?${Q}&format=csv`, leader);
    expect(csv.body).toContain('Bea Baker');
    const logged = await t.open.db
      .selectFrom('audit_log')
      .select(['action', 'details'])
      .where('action', '=', 'analysis.exportList')
      .execute();
    expect(logged).toHaveLength(1);
    expect(JSON.parse(logged[0]!.details!)).toMatchObject({ table: 'persistent', format: 'csv', rows: 1 });
  });

  it('is for those who may see pupil lists, and knows its kinds', async () => {
    expect((await t.get(`/analysis/lists/at-risk?${Q}`, governor)).statusCode).toBe(403);
    expect((await t.get(`/analysis/lists/everyone?${Q}`, leader)).statusCode).toBe(404);
  });

  it('turns the chosen pupils into letters to write', async () => {
    const [alex, bea] = t.school.pupilsA;
    const res = await t.post('/analysis/lists/letters', leader, { pupilIds: [alex!, bea!] });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(`href="/pupils/${alex!}/letters"`);
    expect(res.body).toContain(`href="/pupils/${bea!}/letters"`);
  });
});

describe('/analysis/governors', () => {
  it('is a printable, anonymised report', async () => {
    const res = await t.get(`/analysis/governors?${Q}`, governor);
    expect(res.statusCode).toBe(200);
    const headline = textOf(section(res.body, 'governors-headline'));
    expect(headline).toContain('Attendance, year to date 94.2%');
    expect(headline).toContain('Pupils persistently absent (10% or more) 1');
    expect(headline).toContain('Pupils with 100% attendance 3');
    for (const name of ['Alex', 'Bea', 'Cal', 'Dee', 'Eli', 'Able', 'Baker']) expect(res.body).not.toContain(name);
    for (const id of [...t.school.pupilsA, ...t.school.pupilsB]) expect(res.body).not.toContain(id);
    // Year groups of fewer than 5 pupils are not shown.
    expect(textOf(section(res.body, 'table-year-groups'))).toContain('3 – – – – Fewer than 5 pupils: not shown');
    expect(res.body).toContain('<link rel="stylesheet" href="/public/analysis.css">');
    // A filter that leaves fewer than 5 pupils would identify them: refused.
    const small = await t.get(`/analysis/governors?${Q}&group=gender:F`, governor);
    expect(small.statusCode).toBe(400);
    expect(small.body).toContain('needs at least 5 pupils');
    const csv = await t.get(`/analysis/governors?${Q}&format=csv&table=year-groups`, governor);
    expect(csv.statusCode).toBe(200);
    expect(csv.body).not.toContain('Bea');
  });
});

describe('the patterns page’s tables', () => {
  it('show their first 30 rows with a link to all of them, or every row when asked', () => {
    const rows = Array.from({ length: 31 }, (_, i) => i);
    const capped = capRows({ name: 'x', rows }, false, '/analysis/patterns?all=x');
    expect([capped.rows.length, capped.total, capped.allHref]).toEqual([PATTERN_ROWS, 31, '/analysis/patterns?all=x']);
    const all = capRows({ name: 'x', rows }, true, '/analysis/patterns?all=x');
    expect([all.rows.length, all.allHref]).toEqual([31, null]);
    const few = capRows({ name: 'x', rows: rows.slice(0, 5) }, false, '/analysis/patterns?all=x');
    expect([few.rows.length, few.allHref]).toEqual([5, null]);
  });
});
