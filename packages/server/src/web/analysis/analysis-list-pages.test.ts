/**
 * A pupil list in pages (issue 18: the persistent absence list of a large school was one 3 MB
 * page): 50 pupils a page in the list's own order, the total, pagination links that keep the
 * filters, a clear answer for a page that does not exist, and downloads that still have every row.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pagesHarness, section, textOf, type PagesHarness, type PageSession } from '../../../test/web-pages.js';
import { analysisMoreRoutes } from './analysis-more-routes.js';

let t: PagesHarness;
let leader: PageSession;

/** 120 more pupils in group A, each away every Monday (like Bea Baker of the small school). */
const EXTRA = 120;
const Q = 'asOf=2025-09-26';
const name = (i: number): string => `Pupil Paged${String(i).padStart(3, '0')}`;

function schoolDays(): string[] {
  const out: string[] = [];
  for (let day = 1; day <= 26; day++) {
    const date = `2025-09-${String(day).padStart(2, '0')}`;
    const dow = new Date(`${date}T12:00:00Z`).getUTCDay();
    if (dow !== 0 && dow !== 6) out.push(date);
  }
  return out;
}

beforeAll(async () => {
  t = await pagesHarness([analysisMoreRoutes], 'analysis-list-pages');
  const db = t.open.db;
  const extra: string[] = [];
  const pupils = [];
  for (let i = 0; i < EXTRA; i++) {
    const id = `paged-${String(i).padStart(3, '0')}`;
    extra.push(id);
    pupils.push({
      id,
      school_id: t.school.schoolId,
      upn: `T${String(900000000000 + i)}`,
      legal_forename: 'Pupil',
      legal_surname: `Paged${String(i).padStart(3, '0')}`,
      preferred_forename: null,
      preferred_surname: null,
      date_of_birth: '2017-05-01',
      gender: i % 2 ? 'F' : 'M',
      year_group: '3',
      reg_group_id: t.school.groupA,
      admission_date: '2025-09-01',
      leaving_date: null,
      ethnicity: 'WBRI',
    });
  }
  await db.insertInto('pupils').values(pupils).execute();
  const rows = [];
  for (const date of schoolDays())
    for (const session of ['AM', 'PM'] as const)
      for (const pupil of [...t.school.pupilsA, ...t.school.pupilsB, ...extra]) {
        const monday = new Date(`${date}T12:00:00Z`).getUTCDay() === 1;
        const away = (pupil === t.school.pupilsA[1] || extra.includes(pupil)) && monday;
        rows.push({
          pupil_id: pupil,
          date,
          session,
          code: away ? 'O' : session === 'AM' ? '/' : '\\',
          minutes_late: null,
          updated_at: '2025-09-26T16:00:00.000Z',
          updated_by: null,
        });
      }
  for (let i = 0; i < rows.length; i += 500)
    await db
      .insertInto('session_marks')
      .values(rows.slice(i, i + 500))
      .execute();
  leader = await t.signInAs('senior_leader');
});

afterAll(async () => {
  await t.close();
});

/** The sentence above the table: how many pupils, which are shown. */
function countOf(html: string): string {
  return textOf(/data-testid="list-count">([^<]*)<\/p>/.exec(html)?.[1] ?? '');
}

/** The pupils named in the list's table, in order. */
function pupilsShown(html: string): string[] {
  const table = section(html, 'table-persistent');
  return [
    ...table.matchAll(
      /<th scope="row" class="govuk-table__header">\s*<a class="govuk-link" href="[^"]+">([^<]+)<\/a>/g,
    ),
  ].map((m) => m[1]!);
}

describe('a pupil list in pages', () => {
  it('shows the first 50 pupils, the total and links to the other pages', async () => {
    const res = await t.get(`/analysis/lists/persistent?${Q}`, leader);
    expect(res.statusCode).toBe(200);
    const shown = pupilsShown(res.body);
    // Bea Baker and the 120 pupils, sorted by surname as before paging.
    expect(shown).toHaveLength(50);
    expect(shown[0]).toBe('Bea Baker');
    expect(shown[1]).toBe(name(0));
    expect(shown[49]).toBe(name(48));
    expect(countOf(res.body)).toBe(
      'Showing pupils 1 to 50 of 121 (page 1 of 3, 50 a page). The downloads have every pupil.',
    );
    const nav = section(res.body, 'list-pages');
    expect(res.body).toMatch(
      /<nav class="govuk-pagination" aria-label="Pages of this list"\s+data-testid="list-pages">/,
    );
    expect(nav).toMatch(
      /href="\/analysis\/lists\/persistent\?asOf=2025-09-26" aria-label="Page 1" aria-current="page"/,
    );
    expect(nav).toContain('href="/analysis/lists/persistent?asOf=2025-09-26&amp;page=2" rel="next"');
    expect(nav).not.toContain('rel="prev"');
  });

  it('shows the next 50 pupils on page 2, with the way back and on', async () => {
    const res = await t.get(`/analysis/lists/persistent?${Q}&page=2`, leader);
    expect(res.statusCode).toBe(200);
    const shown = pupilsShown(res.body);
    expect(shown).toHaveLength(50);
    expect(shown[0]).toBe(name(49));
    expect(shown[49]).toBe(name(98));
    expect(countOf(res.body)).toContain('Showing pupils 51 to 100 of 121 (page 2 of 3');
    const nav = section(res.body, 'list-pages');
    expect(nav).toContain('href="/analysis/lists/persistent?asOf=2025-09-26" rel="prev"');
    expect(nav).toContain('href="/analysis/lists/persistent?asOf=2025-09-26&amp;page=3" rel="next"');
    expect(nav).toMatch(/aria-label="Page 2" aria-current="page"/);
    // The last page has the rest.
    const last = pupilsShown((await t.get(`/analysis/lists/persistent?${Q}&page=3`, leader)).body);
    expect(last).toHaveLength(21);
    expect(last.at(-1)).toBe(name(119));
  });

  it('keeps the downloads whole: the CSV beside page 2 has every pupil', async () => {
    const page = await t.get(`/analysis/lists/persistent?${Q}&page=2`, leader);
    const csvHref = /data-testid="csv-persistent"/.test(page.body)
      ? /href="([^"]+)" data-testid="csv-persistent"/.exec(page.body)![1]!.replaceAll('&amp;', '&')
      : '';
    expect(csvHref).toBe('/analysis/lists/persistent?asOf=2025-09-26&format=csv&table=persistent');
    const csv = await t.get(csvHref, leader);
    expect(csv.statusCode).toBe(200);
    const lines = csv.body.trim().split(/\r?\n/);
    expect(lines).toHaveLength(1 + 121);
    expect(csv.body).toContain(name(0));
    expect(csv.body).toContain(name(119));
  });

  it('answers a page past the end with how many pages there are, and a bad page number naming the field', async () => {
    const past = await t.get(`/analysis/lists/persistent?${Q}&page=4`, leader);
    expect(past.statusCode).toBe(404);
    expect(textOf(past.body)).toContain('There is no page 4 of this list: it has 3 pages (121 pupils, 50 a page).');
    for (const bad of ['0', 'two', '-1', '1.5']) {
      const res = await t.get(`/analysis/lists/persistent?${Q}&page=${bad}`, leader);
      expect(res.statusCode, bad).toBe(400);
      expect(textOf(res.body), bad).toContain(`"page" must be a whole number from 1 (it was "${bad}").`);
      expect(res.body, bad).not.toMatch(/at .*\.js:\d+/);
    }
  });

  it('has no page links when the list fits on one page', async () => {
    const res = await t.get(`/analysis/lists/full-attendance?${Q}`, leader);
    expect(res.statusCode).toBe(200);
    expect(countOf(res.body)).toBe('4 pupils.');
    expect(res.body).not.toContain('data-testid="list-pages"');
  });
});
