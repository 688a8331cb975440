import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pagesHarness, textOf, type PagesHarness, type PageSession } from '../../../test/web-pages.js';
import { readPdfText } from '../../platform/pdf.js';
import { letterRoutes } from './letter-routes.js';

let t: PagesHarness;
let officer: PageSession;
let senco: PageSession;
let teacher: PageSession;
let pupilId: string;

beforeAll(async () => {
  // Friday 3 October 2025, 10:00 in London
  t = await pagesHarness([letterRoutes], 'letters', '2025-10-03T09:00:00.000Z');
  pupilId = t.school.pupilsA[0]!;
  await t.open.db
    .updateTable('contacts')
    .set({ address: '1 Example Road\nTesttown', postcode: 'TS1 1AA' })
    .where('pupil_id', '=', pupilId)
    .execute();
  for (const date of ['2025-09-15', '2025-09-16', '2025-09-17', '2025-09-18', '2025-09-19']) {
    for (const session of ['AM', 'PM']) {
      await t.open.db
        .insertInto('session_marks')
        .values({
          pupil_id: pupilId,
          date,
          session,
          code: 'G',
          minutes_late: null,
          updated_at: '2025-09-20T00:00:00Z',
          updated_by: null,
        })
        .execute();
    }
  }
  officer = await t.signInAs('attendance_officer');
  senco = await t.signInAs('senco');
  teacher = await t.signInAs('teacher');
});

afterAll(async () => {
  await t.close();
});

describe('letter pages', () => {
  it('lists templates and refuses an unknown merge field on save, naming it', async () => {
    const list = await t.get('/school/letters', officer);
    expect(list.statusCode).toBe(200);
    expect(textOf(list.body)).toContain('Invitation to an attendance meeting');
    expect(textOf(list.body)).toContain('Attendance this year');
    expect(textOf(list.body)).not.toContain('Stage 1a');
    expect(list.body).not.toMatch(/<td class="govuk-table__cell">[^<]*\{\{/);
    const bad = await t.post('/school/letters/stage-1a', officer, {
      title: 'Stage 1a',
      body: 'Dear {{parent.nmae}}',
      action: 'save',
    });
    expect(bad.statusCode).toBe(400);
    expect(textOf(bad.body)).toContain('{{parent.nmae}} is not a merge field');
    const ok = await t.post('/school/letters/stage-1a', officer, {
      title: 'Our stage 1a',
      body: 'Dear {{parent.name}},\n\nAttendance is {{attendance.rate}}.',
      action: 'save',
    });
    expect(ok.statusCode).toBe(303);
    expect(textOf((await t.get('/school/letters', officer)).body)).toContain('Edited by the school');
    expect((await t.get('/school/letters/stage-1a', teacher)).statusCode).toBe(403);
    // A Polish version, with its purpose; Urdu is refused, naming why.
    const pl = await t.post('/school/letters/meeting-invitation', officer, {
      title: 'Zaproszenie na spotkanie',
      body: 'Zapraszamy na spotkanie w sprawie frekwencji {{pupil.forename}}.',
      action: 'save',
      language: 'pl',
      purpose: 'meeting-invitation',
    });
    expect(pl.statusCode).toBe(303);
    expect(textOf((await t.get('/school/letters/meeting-invitation?language=pl', officer)).body)).toContain(
      'Zaproszenie na spotkanie',
    );
    expect(textOf((await t.get('/school/letters', officer)).body)).toContain('English, Polish');
    const ur = await t.post('/school/letters/meeting-invitation', officer, {
      title: 'x',
      body: 'x',
      action: 'save',
      language: 'ur',
      purpose: '',
    });
    expect(ur.statusCode).toBe(400);
    expect(textOf(ur.body)).toContain('Urdu is written right to left');
  });

  it('composes a merged letter, emails it through the outbox and lists it with its PDF', async () => {
    const page = await t.get(`/pupils/${pupilId}/letters/new?template=meeting-invitation`, officer);
    expect(page.statusCode).toBe(200);
    const body = textOf(page.body);
    expect(body).toContain('Parent of Alex');
    expect(body).toContain('1 Example Road, Testtown, TS1 1AA');
    const contactId =
      /name="contactId"[^>]*value="([^"]+)"/.exec(page.body)?.[1] ??
      /value="([^"]+)"[^>]*name="contactId"/.exec(page.body)?.[1];
    expect(contactId).toBeTruthy();
    // a missing meeting date shows as a gap that must be filled before sending
    expect(body).toContain('[meeting.date]');
    const refused = await t.post(`/pupils/${pupilId}/letters`, officer, {
      templateKey: 'meeting-invitation',
      title: 'Invitation',
      body: 'Meet on [meeting.date].',
      contactId: contactId!,
      method: 'email',
    });
    expect(refused.statusCode).toBe(400);
    expect(textOf(refused.body)).toContain('Fill in [meeting.date]');
    const sent = await t.post(`/pupils/${pupilId}/letters`, officer, {
      templateKey: 'meeting-invitation',
      title: 'Invitation to an attendance meeting',
      body: 'Dear Parent of Alex,\n\nPlease come on Monday 6 October 2025 at 9:00.',
      contactId: contactId!,
      method: 'email',
    });
    expect(sent.statusCode).toBe(303);
    const list = await t.get(sent.headers.location as string, officer);
    // No SMTP in the test server: the banner says so instead of promising an email.
    expect(textOf(list.body)).toContain('queued in the outbox but not emailed: no email server is configured');
    expect(textOf(list.body)).toContain('Email to parent@example.org');
    // The list says what the outbox page says of it, not the raw status ("pending").
    expect(textOf(list.body)).toContain('Email to parent@example.org (Queued: no email server is configured)');
    expect(textOf(list.body)).not.toContain('pending');
    const letterId = /href="\/letters\/([^".]+)\.pdf"/.exec(list.body)?.[1];
    const pdf = await t.get(`/letters/${letterId}.pdf`, senco);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    const outbox = await t.open.db
      .selectFrom('messages')
      .select(['kind', 'to_address'])
      .where('pupil_id', '=', pupilId)
      .execute();
    expect(outbox).toContainEqual({ kind: 'letter:meeting-invitation', to_address: 'parent@example.org' });
    // SENCO sees letters but cannot write them
    expect((await t.get(`/pupils/${pupilId}/letters`, senco)).statusCode).toBe(200);
    expect((await t.get(`/pupils/${pupilId}/letters/new?template=stage-1a`, senco)).statusCode).toBe(403);
    expect((await t.get(`/pupils/${pupilId}/letters`, teacher)).statusCode).toBe(403);
  });

  it('serves the attendance certificate as a PDF', async () => {
    const page = await t.get(`/pupils/${pupilId}/letters`, officer);
    expect(page.body).toContain('data-testid="certificate-form"');
    const bad = await t.get(`/pupils/${pupilId}/certificate.pdf?from=2025-09-19&to=2025-09-15`, officer);
    expect(bad.statusCode).toBe(400);
    expect(textOf(bad.body)).toContain('The period is not right.');
    expect(textOf(bad.body)).toContain(
      'To: the last date (15 September 2025) is before the first date (19 September 2025).',
    );
    const early = await t.get(`/pupils/${pupilId}/certificate.pdf?from=2020-01-06&to=2025-09-19`, officer);
    expect(early.statusCode).toBe(400);
    expect(textOf(early.body)).toContain("From: the school's register starts on 1 September 2025");
    expect(page.body).toContain('previous academic years included');
    const res = await t.get(`/pupils/${pupilId}/certificate.pdf?from=2025-09-15&to=2025-09-19`, officer);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
  });

  it('lists what an evidence pack is missing, produces it, and only lets a complete pack be marked sent', async () => {
    const page = await t.get(`/pupils/${pupilId}/evidence-pack?kind=la-referral`, officer);
    expect(page.statusCode).toBe(200);
    const text = textOf(page.body);
    expect(text).toContain('required items are missing');
    expect(text).toContain('A home visit');
    const produced = await t.post(`/pupils/${pupilId}/evidence-pack`, officer, {
      kind: 'la-referral',
      from: '2025-09-01',
      to: '2025-10-03',
      reason: 'Unauthorised absence continues.',
      comments: '',
    });
    expect(produced.statusCode).toBe(303);
    const after = await t.get(produced.headers.location as string, officer);
    expect(textOf(after.body)).toContain('The evidence pack has been produced and stored.');
    expect(textOf(after.body)).toContain('Incomplete');
    expect(after.body).not.toContain('Mark as sent');
    const packId = /href="\/evidence-packs\/([^".]+)\.pdf"/.exec(after.body)?.[1];
    const pdf = await t.get(`/evidence-packs/${packId}.pdf`, officer);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.rawPayload.length).toBeGreaterThan(1000);
    const refused = await t.post(`/evidence-packs/${packId}/sent`, officer, { sentTo: 'Locality team' });
    expect(refused.statusCode).toBe(409);
    expect(textOf(refused.body)).toContain('cannot be sent');
    // the SENCO may look but not produce
    const seen = await t.get(`/pupils/${pupilId}/evidence-pack?kind=la-referral`, senco);
    expect(seen.statusCode).toBe(200);
    expect(seen.body).not.toContain('Produce pack');
    // nor mark it sent: refused before the pack is read for the page (packPlace authorises first)
    const notHers = await t.post(`/evidence-packs/${packId}/sent`, senco, { sentTo: 'Locality team' });
    expect(notHers.statusCode).toBe(403);
    expect(notHers.body).not.toContain(pupilId);
  });

  it('builds PDF text a test can read', () => {
    expect(readPdfText(Buffer.from('[<48656c6c6f>] TJ'))).toBe('Hello');
  });

  it('prints a letter to every family as one PDF, or emails each, from the browser', async () => {
    const page = await t.get('/school/letters/bulk', officer);
    expect(page.statusCode).toBe(200);
    expect(textOf(page.body)).toContain('Every pupil on roll (5)');
    const printed = await t.post('/school/letters/bulk', officer, {
      template: 'attendance-summary',
      date: '2025-10-03',
      who: 'all',
      method: 'print',
    });
    expect(printed.statusCode).toBe(200);
    expect(printed.headers['content-type']).toBe('application/pdf');
    // Only Alex's family has a postal address: one letter.
    const lines = readPdfText(printed.rawPayload).split('\n');
    expect(lines).toContain('Dear Parent of Alex,');
    expect(lines).toContain('3 October 2025');
    const emailed = await t.post('/school/letters/bulk', officer, {
      template: 'attendance-summary',
      date: '2025-10-03',
      who: 'chosen',
      pupil: [pupilId],
      method: 'email',
    });
    expect(emailed.statusCode).toBe(303);
    const after = await t.get(emailed.headers.location as string, officer);
    expect(textOf(after.body)).toContain(
      '1 letter queued in the outbox, but not emailed: no email server is configured',
    );
    const refused = await t.post('/school/letters/bulk', officer, {
      template: 'nope',
      date: '2025-10-03',
      who: 'all',
      method: 'print',
    });
    expect(refused.statusCode).toBe(303);
    expect(textOf((await t.get(refused.headers.location as string, officer)).body)).toContain(
      'There is no letter template "nope"',
    );
    expect((await t.get('/school/letters/bulk', teacher)).statusCode).toBe(403);
  });
});
