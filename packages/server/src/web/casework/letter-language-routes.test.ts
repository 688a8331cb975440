/**
 * Issue 14: a letter in the family's language is in that language all through — the greeting,
 * the date in full, the reference, the sign-off, "Page n of m" and the words merged into it —
 * through the pages a member of staff uses (edit the template's version, compose, send, open
 * the PDF). The English parent's letter is unchanged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pagesHarness, textOf, type PagesHarness, type PageSession } from '../../../test/web-pages.js';
import { readPdfText } from '../../platform/pdf.js';
import { frameJson, SUGGESTED_FRAMES } from '../../services/casework/letters/frame.js';
import { caseworkPolicyOf } from '../../services/policy/school-policy.js';
import { getSchool } from '../../services/school/schools.js';
import { letterRoutes } from './letter-routes.js';

let t: PagesHarness;
let officer: PageSession;
let pupilId: string;
let english: string;
const polish = 'lang-polish';
let bandNames: string[];

// Made-up names and places.
const POLISH_PARAGRAPH =
  'Piszemy do Państwa w sprawie frekwencji {{pupil.forename}} w tym roku szkolnym. Frekwencja wynosi {{attendance.rate}}, a okres to {{attendance.period}}. Grupa: {{attendance.band}}. {{explanation}}';
const LONG_POLISH_BODY = Array.from({ length: 14 }, () => POLISH_PARAGRAPH).join('\n\n');

const decodeHtml = (s: string) =>
  s
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** What the template page's form would send as shown: its inputs, textareas and selected options. */
function templateFormAsShown(html: string): Record<string, string> {
  return templateFormAsShownIn(html, '/school/letters/');
}

/** What the POST form whose action starts with `action` would send as shown (checked radios too). */
function templateFormAsShownIn(html: string, action: string): Record<string, string> {
  const at = html.indexOf(`<form method="post" action="${action}`);
  const form = at < 0 ? '' : html.slice(at, html.indexOf('</form>', at));
  const out: Record<string, string> = {};
  for (const m of form.matchAll(/<input([^>]*)>/g)) {
    const name = /name="([^"]*)"/.exec(m[1]!)?.[1];
    const radio = /type="radio"/.test(m[1]!);
    if (name && name !== '_csrf' && (!radio || /\schecked/.test(m[1]!)))
      out[name] = decodeHtml(/value="([^"]*)"/.exec(m[1]!)?.[1] ?? '');
  }
  // A browser drops one newline straight after <textarea>.
  for (const m of form.matchAll(/<textarea([^>]*)>([\s\S]*?)<\/textarea>/g))
    out[/name="([^"]*)"/.exec(m[1]!)![1]!] = decodeHtml(m[2]!.replace(/^\r?\n/, ''));
  for (const m of form.matchAll(/<select([^>]*)>([\s\S]*?)<\/select>/g))
    out[/name="([^"]*)"/.exec(m[1]!)![1]!] = decodeHtml(/<option value="([^"]*)" selected/.exec(m[2]!)?.[1] ?? '');
  return out;
}

async function contactIdOnPage(path: string): Promise<string> {
  const page = await t.get(path, officer);
  expect(page.statusCode).toBe(200);
  return page.body;
}

/** Composes the letter for a contact and sends it to print; returns the compose page and the PDF's lines. */
async function composeAndPrint(
  contactId: string,
  method: 'print' | 'email' = 'print',
): Promise<{ page: string; lines: string[]; text: string; title: string; body: string; language: string }> {
  const page = await contactIdOnPage(`/pupils/${pupilId}/letters/new?template=attendance-summary&contact=${contactId}`);
  const title = /name="title"[^>]*value="([^"]*)"/.exec(page)?.[1] ?? '';
  const body = /<textarea[^>]*name="body"[^>]*>([\s\S]*?)<\/textarea>/.exec(page)?.[1] ?? '';
  const language = /name="language" value="([^"]*)"/.exec(page)?.[1] ?? 'en';
  const decode = (s: string) =>
    s
      .replace(/&#39;/g, "'")
      .replace(/&quot;/g, '"')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  const sent = await t.post(`/pupils/${pupilId}/letters`, officer, {
    templateKey: 'attendance-summary',
    title: decode(title),
    body: decode(body),
    contactId,
    method,
    language,
  });
  expect(sent.statusCode).toBe(303);
  const list = await t.get(sent.headers.location as string, officer);
  const letterId = /href="\/letters\/([^".]+)\.pdf"/.exec(list.body)?.[1];
  const pdf = await t.get(`/letters/${letterId}.pdf`, officer);
  expect(pdf.statusCode).toBe(200);
  const lines = readPdfText(pdf.rawPayload).split('\n');
  return { page: textOf(page), lines, text: lines.join(' ').replace(/\s+/g, ' '), title, body, language };
}

beforeAll(async () => {
  // Friday 3 October 2025, 10:00 in London
  t = await pagesHarness([letterRoutes], 'letterlang', '2025-10-03T09:00:00.000Z');
  pupilId = t.school.pupilsA[0]!;
  // The pupil's first contact becomes the English-speaking father; a Polish-speaking mother is added.
  english = (
    await t.open.db.selectFrom('contacts').select('id').where('pupil_id', '=', pupilId).executeTakeFirstOrThrow()
  ).id;
  await t.open.db
    .updateTable('contacts')
    .set({ name: 'Mr Tomas Example', address: '1 Example Road\nTesttown', postcode: 'TS1 1AA', priority: 1 })
    .where('id', '=', english)
    .execute();
  const contact = (id: string, name: string, priority: number, language: string | null) => ({
    id,
    pupil_id: pupilId,
    name,
    relationship: priority === 1 ? 'Father' : 'Mother',
    parental_responsibility: 1,
    lives_with_pupil: 1,
    priority,
    mobile_phone: null,
    home_phone: null,
    work_phone: null,
    email: `${id}@example.org`,
    address: `${priority} Example Road\nTesttown`,
    postcode: 'TS1 1AA',
    preferred_language: language,
  });
  await t.open.db
    .insertInto('contacts')
    .values(contact(polish, 'Mrs Anna Testowa', 2, 'pl'))
    .execute();
  for (const date of ['2025-09-15', '2025-09-16', '2025-09-17']) {
    for (const session of ['AM', 'PM']) {
      await t.open.db
        .insertInto('session_marks')
        .values({
          pupil_id: pupilId,
          date,
          session,
          code: date === '2025-09-15' ? 'O' : '/',
          minutes_late: null,
          updated_at: '2025-09-20T00:00:00Z',
          updated_by: null,
        })
        .execute();
    }
  }
  officer = await t.signInAs('attendance_officer');
  const school = await getSchool(t.open.db, t.school.schoolId);
  bandNames = caseworkPolicyOf(school.policy).bands.map((b) => b.name);
});

afterAll(async () => {
  await t.close();
});

describe('letters in the family’s language, all through', () => {
  it('saves a language version with Rollcall’s suggested words exactly as the template page shows them (Polish, Romanian)', async () => {
    for (const language of ['pl', 'ro']) {
      const page = await t.get(`/school/letters/urgent-follow-up?language=${language}`, officer);
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('data-testid="frame-suggested"');
      const shown = templateFormAsShown(page.body);
      expect(shown.frame_signOff).toBe(SUGGESTED_FRAMES[language]!.signOff);
      expect(shown.frame_words).toContain('The attendance team = ');
      // Saving the form unchanged (it once failed: "The attendance team" is not a word Rollcall merges).
      const saved = await t.post('/school/letters/urgent-follow-up', officer, { ...shown, action: 'save' });
      expect(textOf(saved.body)).not.toContain('There is a problem');
      expect(saved.statusCode).toBe(303);
      const stored = await t.open.db
        .selectFrom('letter_templates')
        .select('frame_json')
        .where('school_id', '=', t.school.schoolId)
        .where('key', '=', 'urgent-follow-up')
        .where('language', '=', language)
        .executeTakeFirstOrThrow();
      expect(stored.frame_json).toBe(frameJson(SUGGESTED_FRAMES[language]!));
      // Shown again as saved, now as the school's own words.
      const again = await t.get(`/school/letters/urgent-follow-up?language=${language}`, officer);
      expect(textOf(again.body)).toContain("These are the school's own words.");
      expect(templateFormAsShown(again.body)).toEqual(shown);
    }
  });

  it('prints a Polish parent’s letter in Polish all through (Rollcall’s suggested words), and the English parent’s as before', async () => {
    const saved = await t.post('/school/letters/attendance-summary', officer, {
      action: 'save',
      language: 'pl',
      purpose: 'summary',
      title: 'Frekwencja {{pupil.forename}} w tym roku',
      body: LONG_POLISH_BODY,
    });
    expect(saved.statusCode).toBe(303);

    const pl = await composeAndPrint(polish);
    expect(pl.page).toContain("In Polish, Mrs Anna Testowa's preferred language.");
    expect(pl.page).toContain("in Rollcall's suggested wording, which no Polish speaker has checked");
    expect(pl.page).toContain('It begins “Szanowni Państwo,”');
    expect(pl.language).toBe('pl');
    const lines = pl.lines;
    expect(lines).toContain('Szanowni Państwo,');
    expect(lines).toContain('3 października 2025');
    expect(lines).toContain('Nasz znak:');
    expect(lines).toContain('Z poważaniem');
    expect(lines).toContain('Koordynator ds. frekwencji');
    expect(lines).toContain('Strona 1 z 2');
    expect(lines).toContain('Strona 2 z 2');
    const text = pl.text;
    // Merged values in Polish: the period's dates, the explanation, the rate's decimal comma.
    expect(text).toMatch(/od 1 września 2025 do 3 października 2025/);
    expect(text).toMatch(/Od 1 września 2025 Alex opuścił\(a\) 2 z 6 możliwych sesji szkolnych/);
    expect(text).toMatch(/Frekwencja wynosi 66,7%/);
    for (const english of ['Dear', 'Our reference:', 'Yours sincerely', 'Page 1 of 2', 'October', 'September'])
      expect(text).not.toContain(english);

    const en = await composeAndPrint(english);
    expect(en.page).toContain('In English.');
    expect(en.page).toContain('It begins “Dear Mr Example,”');
    expect(en.lines).toContain('Dear Mr Example,');
    expect(en.lines).toContain('3 October 2025');
    expect(en.lines).toContain('Our reference:');
    expect(en.lines).toContain('Yours sincerely');
    expect(en.lines).toContain('Attendance officer');
    expect(en.text).toContain('1 September 2025 to 3 October 2025');
    expect(en.text).not.toMatch(/Szanowni|Z poważaniem|Nasz znak|października/);
  });

  it('uses the school’s own words for Polish, saved with the template (checked, audited); bad words are refused by field and nothing is saved', async () => {
    const frame = {
      frame_dear: 'Szanowni Rodzice',
      frame_reference: 'Sygnatura:',
      frame_signOff: 'Z wyrazami szacunku',
      frame_page: 'Str. {n}/{m}',
      frame_year: 'Year {n}',
      frame_period: '{from} – {to}',
      frame_notYetMeasured: 'brak danych',
      frame_explanation: '{pupil}: {missed} z {possible} od {from}.',
      frame_words: [
        'Attendance officer = Pracownik ds. obecności',
        ...bandNames.map((b, i) => `${b} = Grupa ${i + 1}`),
      ].join('\n'),
    };
    const before = await t.open.db
      .selectFrom('letter_templates')
      .select(['title', 'body', 'frame_json'])
      .where('school_id', '=', t.school.schoolId)
      .where('language', '=', 'pl')
      .executeTakeFirstOrThrow();
    const bad = await t.post('/school/letters/attendance-summary', officer, {
      action: 'save',
      language: 'pl',
      purpose: 'summary',
      title: 'Zmieniony tytuł',
      body: LONG_POLISH_BODY,
      ...frame,
      frame_page: 'Strona {n}',
      frame_words: 'Atendance oficer = Ktoś',
    });
    expect(bad.statusCode).toBe(400);
    expect(textOf(bad.body)).toContain('Page numbers: must hold {m}.');
    expect(textOf(bad.body)).toContain('Other words, line 1: "Atendance oficer" is not a word Rollcall merges');
    expect(bad.body).toContain('href="#template-frame-page"');
    expect(bad.body).toContain('value="Strona {n}"');
    const unchanged = await t.open.db
      .selectFrom('letter_templates')
      .select(['title', 'body', 'frame_json'])
      .where('school_id', '=', t.school.schoolId)
      .where('language', '=', 'pl')
      .executeTakeFirstOrThrow();
    expect(unchanged).toEqual(before);

    const saved = await t.post('/school/letters/attendance-summary', officer, {
      action: 'save',
      language: 'pl',
      purpose: 'summary',
      title: 'Frekwencja {{pupil.forename}} w tym roku',
      body: LONG_POLISH_BODY,
      ...frame,
    });
    expect(saved.statusCode).toBe(303);
    const audit = await t.open.db
      .selectFrom('audit_log')
      .select('details')
      .where('action', '=', 'letterTemplate.save')
      .where('school_id', '=', t.school.schoolId)
      .orderBy('at', 'desc')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(audit.details ?? '{}')).toMatchObject({ language: 'pl', frame: true });
    const edit = await t.get('/school/letters/attendance-summary?language=pl', officer);
    expect(textOf(edit.body)).toContain("These are the school's own words.");
    expect(edit.body).toContain('value="Z wyrazami szacunku"');

    const pl = await composeAndPrint(polish, 'email');
    expect(pl.page).toContain("as the school's Polish version gives them");
    expect(pl.lines).toContain('Szanowni Rodzice,');
    expect(pl.lines).toContain('Sygnatura:');
    expect(pl.lines).toContain('Z wyrazami szacunku');
    expect(pl.lines).toContain('Pracownik ds. obecności');
    expect(pl.lines).toContain('Str. 1/2');
    // The band's name as the school wrote it in Polish.
    expect(pl.text).toMatch(/Grupa: Grupa \d\./);
    for (const b of bandNames) expect(pl.text).not.toContain(b);
    expect(pl.text).toContain('1 września 2025 – 3 października 2025');
    // The email carries the same words around the letter.
    const message = await t.open.db
      .selectFrom('messages')
      .select('body')
      .where('to_address', '=', `${polish}@example.org`)
      .orderBy('created_at', 'desc')
      .executeTakeFirstOrThrow();
    expect(message.body.startsWith('Szanowni Rodzice,\n\n')).toBe(true);
    expect(message.body).toContain('\n\nZ wyrazami szacunku\n\n');
    expect(message.body).toContain('Pracownik ds. obecności');
    expect(message.body).not.toContain('Yours sincerely');
  });

  it('refuses a letter written in one language for a recipient whose letter goes in another (the recipient changed on the page), and shows theirs', async () => {
    const letters = () =>
      t.open.db.selectFrom('letters').select(['contact_id', 'language']).where('pupil_id', '=', pupilId).execute();
    const before = (await letters()).length;
    // The page opens for the first recipient, the English father; the Polish mother's letter is in Polish.
    const page = await t.get(`/pupils/${pupilId}/letters/new?template=attendance-summary`, officer);
    expect(textOf(page.body)).toContain('In English.');
    expect(textOf(page.body)).toContain('begins “Dear Mr Example,”');
    expect(textOf(page.body)).toContain('prefers Polish · their letter goes in Polish: open it from “Write to” above');
    const form = templateFormAsShownIn(page.body, `/pupils/${pupilId}/letters"`);
    expect(form.language).toBe('en');
    // The mother's radio chosen instead, and Print pressed.
    const refused = await t.post(`/pupils/${pupilId}/letters`, officer, {
      ...form,
      contactId: polish,
      method: 'print',
    });
    expect(refused.statusCode).toBe(400);
    expect(textOf(refused.body)).toContain(
      "Mrs Anna Testowa's letter goes in Polish, Mrs Anna Testowa's preferred language, and this one is written in English: write Mrs Anna Testowa's letter in Polish.",
    );
    expect(await letters()).toHaveLength(before);
    // The page is now hers, in Polish; sent as shown, it goes in Polish.
    const theirs = templateFormAsShownIn(refused.body, `/pupils/${pupilId}/letters"`);
    expect(theirs).toMatchObject({ language: 'pl', contactId: polish });
    expect(textOf(refused.body)).toContain("In Polish, Mrs Anna Testowa's preferred language.");
    const sent = await t.post(`/pupils/${pupilId}/letters`, officer, { ...theirs, method: 'print' });
    expect(sent.statusCode).toBe(303);
    expect((await letters()).slice(before)).toEqual([{ contact_id: polish, language: 'pl' }]);
    // And the other way: her Polish page, the father's radio.
    const hers = await t.get(`/pupils/${pupilId}/letters/new?template=attendance-summary&contact=${polish}`, officer);
    const plForm = templateFormAsShownIn(hers.body, `/pupils/${pupilId}/letters"`);
    const wrong = await t.post(`/pupils/${pupilId}/letters`, officer, {
      ...plForm,
      contactId: english,
      method: 'print',
    });
    expect(wrong.statusCode).toBe(400);
    expect(textOf(wrong.body)).toContain(
      "Mr Tomas Example's letter goes in English, and this one is written in Polish",
    );
    expect(await letters()).toHaveLength(before + 1);
  });

  it('says on the compose page when the words around a letter stay English (no words for the language), with the date still in it', async () => {
    await t.open.db.updateTable('contacts').set({ preferred_language: 'lt' }).where('id', '=', polish).execute();
    const saved = await t.post('/school/letters/attendance-summary', officer, {
      action: 'save',
      language: 'lt',
      purpose: 'summary',
      title: 'Lankomumas šiais metais',
      body: 'Lankomumas: {{attendance.rate}}. Data: {{today}}.',
    });
    expect(saved.statusCode).toBe(303);
    const edit = await t.get('/school/letters/attendance-summary?language=lt', officer);
    expect(textOf(edit.body)).toContain('Rollcall has no words for Lithuanian');
    const lt = await composeAndPrint(polish);
    expect(lt.page).toContain('In Lithuanian');
    expect(lt.page).toContain(
      "The words around it (greeting, reference, sign-off, page numbers) stay in English: the school's Lithuanian version does not give them in Lithuanian",
    );
    expect(lt.lines).toContain('Dear Mrs Testowa,');
    expect(lt.lines).toContain('2025 m. spalio 3 d.');
    expect(lt.lines).toContain('Yours sincerely');
    expect(lt.text).toContain('Data: 2025 m. spalio 3 d.');
  });
});
