import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pagesHarness, section, textOf, type PagesHarness } from '../../../test/web-pages.js';
import { analysisMoreRoutes } from './analysis-more-routes.js';
import { analysisRoutes, pct, pts } from './analysis-routes.js';

let t: PagesHarness;

/** Every school day from 1 to 12 September 2025: Alex present, Bea absent (O) every session, the rest illness on Fridays. */
const DAYS = ['01', '02', '03', '04', '05', '08', '09', '10', '11', '12'].map((x) => `2025-09-${x}`);

beforeAll(async () => {
  t = await pagesHarness([analysisRoutes, analysisMoreRoutes], 'analysis');
  const [alex, bea, cal] = t.school.pupilsA;
  const [dee, eli] = t.school.pupilsB;
  await t.open.db.updateTable('pupils').set({ fsm: 1 }).where('id', '=', bea!).execute();
  const rows = [];
  for (const date of DAYS)
    for (const session of ['AM', 'PM'] as const)
      for (const id of [alex!, bea!, cal!, dee!, eli!]) {
        const friday = ['2025-09-05', '2025-09-12'].includes(date);
        const code = id === bea ? 'O' : id !== alex && friday ? 'I' : session === 'AM' ? '/' : '\\';
        rows.push({ pupil_id: id, date, session, code, minutes_late: null, updated_at: 'x', updated_by: null });
      }
  await t.open.db.insertInto('session_marks').values(rows).execute();
  t.clock.set('2025-09-12T15:00:00.000Z');
});

afterAll(async () => {
  await t.close();
});

describe('formatting', () => {
  it('writes rates as percentages and gaps as signed points', () => {
    expect(pct(0.9567)).toBe('95.7%');
    expect(pct(null)).toBe('–');
    expect(pts(0.021)).toBe('+2.1 pts');
    expect(pts(-0.5)).toBe('−50.0 pts');
    expect(pts(0)).toBe('0.0 pts');
  });
});

describe('the school dashboard', () => {
  it('shows a senior leader the school’s figures, bands, groups and the national figures for its phase', async () => {
    const s = await t.signInAs('senior_leader');
    const res = await t.get('/analysis', s);
    expect(res.statusCode).toBe(200);
    const summary = textOf(section(res.body, 'summary'));
    // 5 pupils × 20 sessions = 100 possible; Bea misses 20, three pupils miss 4 each: 32 absent.
    expect(summary).toContain('Whole school: 5 pupils');
    expect(summary).toContain('Attendance 68.0%');
    expect(summary).toContain('Overall absence 32.0% 5.3%');
    expect(summary).toContain('Unauthorised absence 20.0% 1.6%');
    expect(summary).toContain('Persistent absence (pupils, rate) 4 (80.0%) 13.8%');
    expect(summary).toContain('Severe absence (pupils, rate) 1 (20.0%)');
    expect(textOf(section(res.body, 'national-source'))).toContain('state-funded primary schools');
    const bands = textOf(section(res.body, 'bands'));
    expect(bands).toContain('Excellent (96% and above) 96.0% 1');
    expect(bands).toContain('Severe (0%) 0.0% 1');
    const fsm = textOf(section(res.body, 'group-fsm'));
    // Bea (FSM) 100% absence; the rest 12 of 80 sessions = 15%.
    expect(fsm).toContain('Free school meals 1 100.0% 15.0% +85.0 pts');
    expect(res.body).toContain('data-testid="group-cp"');
  });

  it('filters to a year group, a class and a group', async () => {
    const s = await t.signInAs('attendance_officer');
    const year4 = await t.get('/analysis?yearGroup=4', s);
    expect(textOf(section(year4.body, 'summary'))).toContain('Year 4: 2 pupils');
    const cls = await t.get(`/analysis?regGroup=${t.school.groupA}`, s);
    expect(textOf(section(cls.body, 'summary'))).toContain('Class Year 3 Oak: 3 pupils');
    const fsm = await t.get('/analysis?group=fsm', s);
    expect(textOf(section(fsm.body, 'summary'))).toContain('Free school meals: 1 pupil Measure');
    expect(textOf(section(fsm.body, 'summary'))).toContain('Attendance 0.0%');
    const bad = await t.get('/analysis?asOf=12-09-2025', s);
    expect(bad.statusCode).toBe(400);
  });

  it('hides safeguarding groups from a governor and refuses teachers and parents', async () => {
    const governor = await t.signInAs('governor');
    const res = await t.get('/analysis', governor);
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain('data-testid="group-cp"');
    expect((await t.get('/analysis?group=cp', governor)).statusCode).toBe(400);
    expect((await t.get('/analysis', await t.signInAs('teacher'))).statusCode).toBe(403);
    expect((await t.get('/analysis', await t.signInAs('parent'))).statusCode).toBe(403);
  });
});

describe('trust and local authority views', () => {
  it('a trust lead sees the trust’s schools side by side and drills into one, not into another school', async () => {
    const s = await t.signInAs('trust_lead');
    const res = await t.get('/trust', s);
    expect(res.statusCode).toBe(200);
    const row = textOf(section(res.body, `school-${t.school.schoolId}`));
    expect(row).toContain('Test Primary primary 5 68.0% 32.0% 5.3%');
    expect(res.body).toContain(`href="/analysis?school=${t.school.schoolId}&amp;asOf=2025-09-12"`);
    const drill = await t.get(`/analysis?school=${t.school.schoolId}`, s);
    expect(drill.statusCode).toBe(200);
    expect(drill.body).toContain('href="/trust?asOf=2025-09-12"');
    expect((await t.get(`/analysis?school=${t.school.otherSchoolId}`, s)).statusCode).toBe(403);
    expect((await t.get('/la', s)).statusCode).toBe(403);
    const start = await t.get('/analysis', s);
    expect(start.statusCode).toBe(303);
    expect(start.headers.location).toBe('/trust');
  });

  it('an LA officer sees the LA’s schools and the targeting support meeting list', async () => {
    const s = await t.signInAs('la_officer');
    const res = await t.get('/la', s);
    expect(res.statusCode).toBe(200);
    expect(textOf(res.body)).toContain('Test Borough');
    expect(res.body).not.toContain(`school-${t.school.otherSchoolId}`);
    expect(res.body).toContain('data-testid="tsm-link"');
    const tsm = await t.get('/la/tsm', s);
    expect(tsm.statusCode).toBe(200);
    const list = textOf(section(tsm.body, `tsm-${t.school.schoolId}`));
    // Bea is severely absent; Alex (CP, social worker) is present every day; Cal, Dee and Eli are PA without a wider barrier.
    expect(list).toContain('Bea Baker');
    expect(list).toContain('Severe severely absent');
    expect(list).not.toContain('Cal Cole');
    expect((await t.get('/la/tsm', await t.signInAs('senior_leader'))).statusCode).toBe(403);
  });
});

describe('every table with its files beside it, every period said the same way (issue 17)', () => {
  const links = (html: string, format: string): string[] =>
    [...html.matchAll(new RegExp(`href="([^"]*format=${format}[^"]*)"`, 'g'))].map((m) =>
      m[1]!.replaceAll('&amp;', '&'),
    );

  it('the dashboard links each of its three tables as CSV and XLSX, keeping its filters, and each file answers', async () => {
    const s = await t.signInAs('senior_leader');
    const res = await t.get('/analysis?yearGroup=3', s);
    expect(textOf(res.body)).toContain(
      'Figures for 1 September 2025 to 12 September 2025 (school year 2025/26): 20 school sessions.',
    );
    const csv = links(res.body, 'csv');
    expect(csv).toEqual(
      ['summary', 'bands', 'groups'].map((table) => `/analysis/export?yearGroup=3&table=${table}&format=csv`),
    );
    expect(links(res.body, 'xlsx')).toHaveLength(3);
    const file = await t.get(csv[0]!, s);
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toContain('text/csv');
    expect(file.body).toContain('Attendance');
    const xlsx = await t.get(links(res.body, 'xlsx')[2]!, s);
    expect(xlsx.statusCode).toBe(200);
    expect(xlsx.rawPayload.subarray(0, 2).toString()).toBe('PK');
  });

  it('a trust’s schools side by side come as a file from the page’s own address, the total last', async () => {
    const s = await t.signInAs('trust_lead');
    const res = await t.get('/trust', s);
    expect(textOf(res.body)).toContain('Figures for the school year 2025/26 to 12 September 2025.');
    const [csvHref] = links(res.body, 'csv');
    expect(csvHref).toBe('/trust?asOf=2025-09-12&format=csv');
    const file = await t.get(csvHref!, s);
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-disposition']).toContain('trust-schools-2025-09-12.csv');
    const lines = file.body.trim().split(/\r?\n/);
    expect(lines[0]).toContain('School,URN,Phase,Pupils,Attendance');
    expect(lines.some((l) => l.startsWith('Test Primary,'))).toBe(true);
    expect(lines.at(-1)).toMatch(/^All \d+ schools,/);
    expect((await t.get('/la?format=csv', s)).statusCode).toBe(403);
  });

  it('the LA’s targeting support list comes as a file too, and its leaving is audited', async () => {
    const s = await t.signInAs('la_officer');
    const page = await t.get('/la/tsm', s);
    const [xlsxHref] = links(page.body, 'xlsx');
    expect(xlsxHref).toBe('/la/tsm?asOf=2025-09-12&format=xlsx');
    const csv = await t.get('/la/tsm?format=csv', s);
    expect(csv.statusCode).toBe(200);
    expect(csv.body).toContain('Bea Baker');
    const audited = await t.open.db
      .selectFrom('audit_log')
      .select(['action', 'details'])
      .where('action', '=', 'analysis.exportList')
      .execute();
    expect(audited.some((a) => String(a.details).includes('targeting-support'))).toBe(true);
    expect((await t.get('/la/tsm?format=csv', await t.signInAs('senior_leader'))).statusCode).toBe(403);
  });
});
