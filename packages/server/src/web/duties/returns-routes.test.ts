import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pagesHarness, section, textOf, type PagesHarness, type PageSession } from '../../../test/web-pages.js';
import { writeRun } from '../../services/duties/returns/marks.test-support.js';
import { returnsRoutes } from './returns-routes.js';

let t: PagesHarness;
let officer: PageSession;
let office: PageSession;

beforeAll(async () => {
  t = await pagesHarness([returnsRoutes], 'returns-pages', '2025-09-19T15:00:00.000Z');
  officer = await t.signInAs('attendance_officer');
  office = await t.signInAs('office');
  await writeRun(t.open.db, t.school.schoolId, t.school.pupilsA[0]!, '2025-09-01', '2025-09-19', 'O');
});

afterAll(async () => {
  await t.close();
});

describe('the returns pages', () => {
  it('an attendance officer prepares the returns, checks one, downloads it and marks it sent', async () => {
    const empty = await t.get('/returns', officer);
    expect(empty.statusCode).toBe(200);
    expect(textOf(section(empty.body, 'no-returns'))).toContain('No returns prepared yet.');
    const prep = await t.post('/returns/prepare', officer, { asOf: '2025-09-19' });
    expect(prep.statusCode).toBe(303);
    expect(prep.headers.location).toBe('/returns?prepared=1');
    const list = await t.get('/returns?prepared=1', officer);
    expect(textOf(list.body)).toContain('Prepared 1 return.');
    const id = /href="\/returns\/([^"/]+)"/.exec(list.body)?.[1];
    const page = await t.get(`/returns/${id!}`, officer);
    expect(textOf(section(page.body, 'return-items'))).toContain('Able, Alex');
    // Prepared at 15:00 UTC: shown in the school's time (BST), never as a raw UTC instant.
    expect(textOf(page.body)).toContain('19 September 2025 at 16:00');
    expect(page.body).not.toContain('2025-09-19T15:00');
    expect(textOf(section(page.body, 'return-items'))).toContain(
      '15 continuous school days from 2025-09-01 to 2025-09-19',
    );
    const csv = await t.get(`/returns/${id!}/csv`, officer);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body.split('\r\n')[1]).toMatch(/^B801200005001,Able,Alex,/);
    const pdf = await t.get(`/returns/${id!}/pdf`, office);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const sent = await t.post(`/returns/${id!}/sent`, officer, { note: 'Secure email to the LA' });
    expect(sent.statusCode).toBe(303);
    const after = await t.get(`/returns/${id!}?sent=1`, office);
    expect(textOf(section(after.body, 'sent'))).toContain('Secure email to the LA');
    expect(after.body).not.toContain('data-testid="sent-form"');
  });

  it('office staff see returns but cannot prepare or send them', async () => {
    const list = await t.get('/returns', office);
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain('data-testid="prepare-form"');
    const prep = await t.post('/returns/prepare', office, { asOf: '2025-09-19' });
    expect(prep.statusCode).toBe(403);
  });

  it('a teacher may not see returns', async () => {
    const teacher = await t.signInAs('teacher');
    expect((await t.get('/returns', teacher)).statusCode).toBe(403);
  });

  it('lists the CTFs due, writes one named by the DfE convention, lists it as written until it is marked sent', async () => {
    const pupilId = t.school.pupilsB[0]!;
    await t.open.db.updateTable('pupils').set({ leaving_date: '2025-09-12' }).where('id', '=', pupilId).execute();
    await t.open.db.updateTable('schools').set({ estab: '4000' }).where('id', '=', t.school.schoolId).execute();
    const list = await t.get('/returns', officer);
    const due = textOf(section(list.body, 'ctfs-due'));
    expect(due).toContain('Friday 12 September 2025');
    expect(due).toContain('Monday 6 October 2025'); // 15 school days after leaving (the INSET day on the 26th is not one)
    const office403 = await t.post('/returns/ctf', office, { pupilId, destination: '' });
    expect(office403.statusCode).toBe(403);
    const ctf = await t.post('/returns/ctf', officer, { pupilId, destination: '881/2002' });
    expect(ctf.statusCode).toBe(200);
    expect(ctf.headers['content-type']).toContain('application/xml');
    expect(ctf.headers['content-disposition']).toMatch(/filename="\d{3}4000_CTF_8812002_001\.XML"/);
    expect(ctf.body).toContain('<CTFversion>25.0</CTFversion>');
    // Written is not sent: it stays due, with the file, until someone marks it sent.
    const written = await t.get('/returns', officer);
    const still = textOf(section(written.body, 'ctf-written'));
    expect(still).toMatch(/Written .*4000_CTF_8812002_001\.XML\), not yet marked sent/);
    // When, in words on the school's clock (not an ISO instant); office staff, who may not write
    // one, are not told it is "not written yet".
    expect(still).toMatch(/Written \d{1,2} [A-Z][a-z]+ \d{4} at \d{2}:\d{2} \(/);
    const officeView = textOf((await t.get('/returns', office)).body);
    expect(officeView).toContain('not yet marked sent');
    expect(officeView).not.toContain('Not written yet');
    const exportRow = await t.open.db.selectFrom('ctf_exports').select('id').executeTakeFirstOrThrow();
    expect((await t.post(`/returns/ctf/${exportRow.id}/sent`, office, {})).statusCode).toBe(403);
    expect((await t.post('/returns/ctf/no-such-export/sent', officer, {})).statusCode).toBe(404);
    const sent = await t.post(`/returns/ctf/${exportRow.id}/sent`, officer, {});
    expect(sent.statusCode).toBe(303);
    expect(sent.headers.location).toBe('/returns?ctfSent=1');
    const after = await t.get(String(sent.headers.location), officer);
    expect(after.body).toContain('data-testid="ctfs-due-none"');
    expect(textOf(after.body)).toContain('The Common Transfer File is recorded as sent.');
    const row = await t.open.db
      .selectFrom('ctf_exports')
      .select(['sent_at', 'sent_by_name'])
      .where('id', '=', exportRow.id)
      .executeTakeFirstOrThrow();
    expect(row.sent_at).not.toBeNull();
    const audited = await t.open.db
      .selectFrom('audit_log')
      .select('entity_id')
      .where('action', '=', 'ctf.sent')
      .execute();
    expect(audited).toEqual([{ entity_id: exportRow.id }]);
    // Sent once: a second time is refused.
    expect((await t.post(`/returns/ctf/${exportRow.id}/sent`, officer, {})).statusCode).toBe(404);
  });

  it('flags a return whose deadline has passed, and one sent after it, with the day it was due (issue 17)', async () => {
    // Admitted on Wednesday 10 September: the LA must be told by Wednesday 17 September (5 school days).
    const pupilId = t.school.pupilsB[1]!;
    await t.open.db.updateTable('pupils').set({ admission_date: '2025-09-10' }).where('id', '=', pupilId).execute();
    expect((await t.post('/returns/prepare', officer, { asOf: '2025-09-19' })).statusCode).toBe(303);
    const list = await t.get('/returns', officer);
    const ids = [...list.body.matchAll(/data-testid="due-([^"]+)"/g)].map((m) => m[1]!);
    expect(ids).toHaveLength(2);
    const due = (html: string, x: string): string =>
      textOf(new RegExp(`data-testid="due-${x}">([\\s\\S]*?)</td>`).exec(html)?.[1] ?? '');
    const cells = Object.fromEntries(ids.map((x) => [x, due(list.body, x)]));
    const admissions = ids.find((x) => cells[x]!.includes('17 September'))!;
    expect(cells[admissions]).toBe('Wednesday 17 September 2025 Deadline missed');
    // The attendance return of 19 September, sent that day: due a month later, met.
    const attendance = ids.find((x) => x !== admissions)!;
    expect(cells[attendance]).toBe('Sunday 19 October 2025');
    expect(textOf(section(list.body, 'missed-deadlines'))).toContain('1 return has missed its deadline');
    // Sent now (two days after the deadline): no longer missed, but recorded as sent late.
    expect((await t.post(`/returns/${admissions}/sent`, officer, { note: '' })).statusCode).toBe(303);
    const after = await t.get('/returns', officer);
    expect(due(after.body, admissions)).toBe('Wednesday 17 September 2025 Sent late');
    expect(after.body).not.toContain('data-testid="missed-deadlines"');
  });
});
