import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testJpeg, testPng } from '../../../test/images.js';
import { pagesHarness, textOf, type PagesHarness, type PageSession } from '../../../test/web-pages.js';
import { SESSION_COOKIE } from '../../services/accounts/auth.js';
import { IMAGE_MAX_BYTES } from '../../platform/images.js';
import { composeLetter, getLetterPdf, sendLetter } from '../../services/casework/letters/letters.js';
import { schoolDetailsOf } from '../../services/school/school-details.js';
import { schoolDetailsRoutes } from './school-details-routes.js';

let t: PagesHarness;
let head: PageSession;
let officer: PageSession;

beforeAll(async () => {
  t = await pagesHarness([schoolDetailsRoutes], 'school-details');
  head = await t.signInAs('senior_leader');
  officer = await t.signInAs('attendance_officer');
});

afterAll(async () => {
  await t.close();
});

const GOOD = {
  address: '12 Example Road\n  Exampleton ',
  postcode: 'zx1  2ab',
  phone: '01234 567890',
  email: 'office@example.org',
  headteacherName: 'Ms A Example',
  attendanceLeadName: 'Mr B Sample',
};

describe('the school details page', () => {
  it('is for senior leaders and administrators only', async () => {
    expect((await t.get('/school/details', officer)).statusCode).toBe(403);
    expect((await t.post('/school/details', officer, GOOD)).statusCode).toBe(403);
    const res = await t.get('/school/details', head);
    expect(res.statusCode).toBe(200);
    expect(textOf(res.body)).toContain('School details');
    expect(res.body).toContain('name="_csrf"');
  });

  it('lists every problem by field and keeps what was typed', async () => {
    const res = await t.post('/school/details', head, {
      ...GOOD,
      postcode: 'NOT A CODE',
      phone: '12',
      email: 'office-at-example',
    });
    expect(res.statusCode).toBe(400);
    const text = textOf(res.body);
    expect(text).toContain('Enter a real postcode, like ZX1 2AB.');
    expect(text).toContain('Enter a telephone number');
    expect(text).toContain('Enter an email address in the correct format');
    expect(res.body).toContain('href="#school-postcode"');
    expect(res.body).toContain('office-at-example');
    expect((await schoolDetailsOf(t.open.db, t.school.schoolId)).postcode).toBeNull();

    const noPostcode = await t.post('/school/details', head, { ...GOOD, postcode: '' });
    expect(textOf(noPostcode.body)).toContain('Enter the postcode of the address.');
  });

  it('saves tidied details, audited with the fields that changed', async () => {
    const res = await t.post('/school/details', head, GOOD);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/school/details?saved=1');
    const d = await schoolDetailsOf(t.open.db, t.school.schoolId);
    expect(d).toMatchObject({
      address: '12 Example Road\nExampleton',
      postcode: 'ZX1 2AB',
      phone: '01234 567890',
      email: 'office@example.org',
      headteacherName: 'Ms A Example',
      attendanceLeadName: 'Mr B Sample',
    });
    const page = await t.get('/school/details?saved=1', head);
    expect(textOf(page.body)).toContain('The school details have been saved.');
    expect(page.body).toContain('Ms A Example');
    // Saving the same again changes nothing and writes no second entry.
    await t.post('/school/details', head, GOOD);
    await t.post('/school/details', head, { ...GOOD, attendanceLeadName: '' });
    const audit = await t.open.db
      .selectFrom('audit_log')
      .select(['details', 'school_id'])
      .where('action', '=', 'school.details')
      .orderBy('at')
      .orderBy('id')
      .execute();
    expect(audit.map((a) => JSON.parse(a.details!) as unknown)).toEqual([
      { changed: ['address', 'postcode', 'phone', 'email', 'headteacherName', 'attendanceLeadName'] },
      { changed: ['attendanceLeadName'] },
    ]);
    expect(audit[0]!.school_id).toBe(t.school.schoolId);
    expect((await schoolDetailsOf(t.open.db, t.school.schoolId)).attendanceLeadName).toBeNull();
  });
});

/** A multipart form as a browser sends it: the CSRF field (unless left out) and the file. */
async function upload(
  s: PageSession,
  file: { bytes: Buffer; name: string; type: string } | null,
  opts: { csrf?: string | null } = {},
) {
  const form = new FormData();
  if (opts.csrf !== null) form.append('_csrf', opts.csrf ?? s.csrf);
  if (file) form.append('logo', new Blob([file.bytes], { type: file.type }), file.name);
  else form.append('logo', new Blob([], { type: 'application/octet-stream' }), '');
  const request = new Request('http://localhost/', { method: 'POST', body: form });
  return t.app.inject({
    method: 'POST',
    url: '/school/details/logo',
    cookies: { [SESSION_COOKIE]: s.cookie },
    headers: { 'content-type': request.headers.get('content-type')! },
    payload: Buffer.from(await request.arrayBuffer()),
  });
}

const storedLogo = async () =>
  t.open.db
    .selectFrom('schools')
    .select(['logo_base64', 'logo_type'])
    .where('id', '=', t.school.schoolId)
    .executeTakeFirstOrThrow();

/** The image objects a PDF embeds, and whether a page draws one (`/I1 Do`). */
function imagesIn(pdf: Buffer): { images: string[]; drawn: boolean } {
  const text = pdf.toString('latin1');
  const images = [...text.matchAll(/<<[^]*?\/Subtype \/Image[^]*?>>/g)].map((m) => m[0].replace(/\s+/g, ' '));
  return { images, drawn: /\/I\d+ Do/.test(text) };
}

/** A printed letter from the officer to the first pupil's parent, as a PDF (uncompressed). */
async function letterPdf(): Promise<Buffer> {
  const officer = t.school.actors.attendance_officer;
  const pupilId = t.school.pupilsA[0]!;
  const composed = await composeLetter(t.deps, officer, pupilId, 'urgent-follow-up');
  const sent = await sendLetter(t.deps, officer, {
    pupilId,
    templateKey: 'urgent-follow-up',
    title: composed.title,
    body: 'Please ring the school office about today’s absence.',
    contactId: composed.recipients[0]!.contactId,
    method: 'print',
  });
  return (await getLetterPdf(t.deps, officer, sent.id, { compress: false })).pdf;
}

describe('the school’s logo', () => {
  it('is uploaded and removed by senior leaders and administrators only', async () => {
    expect((await upload(officer, { bytes: testPng(48, 24), name: 'logo.png', type: 'image/png' })).statusCode).toBe(
      403,
    );
    expect((await t.get('/school/details/logo', officer)).statusCode).toBe(403);
    expect((await t.post('/school/details/logo/remove', officer, {})).statusCode).toBe(403);
    expect((await storedLogo()).logo_base64).toBeNull();
  });

  it('needs the form’s CSRF token, like every form', async () => {
    const res = await upload(head, { bytes: testPng(48, 24), name: 'logo.png', type: 'image/png' }, { csrf: null });
    expect(res.statusCode).toBe(403);
    const wrong = await upload(head, { bytes: testPng(48, 24), name: 'logo.png', type: 'image/png' }, { csrf: 'x' });
    expect(wrong.statusCode).toBe(403);
    expect((await storedLogo()).logo_base64).toBeNull();
  });

  it.each([
    ['no file chosen', null, 'Choose a PNG or JPEG file'],
    [
      'a GIF named .png',
      { bytes: Buffer.from('GIF89a\x10\x00\x10\x00\x00\x00\x00;', 'latin1'), name: 'logo.png', type: 'image/png' },
      'not a PNG or JPEG',
    ],
    ['a PNG of 8 × 8 pixels', { bytes: testPng(8, 8), name: 'tiny.png', type: 'image/png' }, 'at least 16 pixels'],
    [
      'a file over the limit',
      {
        bytes: Buffer.concat([testPng(48, 24), Buffer.alloc(IMAGE_MAX_BYTES)]),
        name: 'big.png',
        type: 'image/png',
      },
      `${IMAGE_MAX_BYTES / 1024} KB or smaller`,
    ],
  ])('refuses %s, naming the field, and stores nothing', async (_what, file, message) => {
    const res = await upload(head, file);
    expect(res.statusCode).toBe(400);
    expect(textOf(res.body)).toContain(message);
    expect(res.body).toContain('href="#school-logo"');
    expect((await storedLogo()).logo_base64).toBeNull();
  });

  it('stores a PNG, shows it, prints it in the letterhead of every letter, and removes it; audited', async () => {
    const png = testPng(48, 24);
    const res = await upload(head, { bytes: png, name: 'crest.png', type: 'image/png' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/school/details?logo=saved');
    expect(await storedLogo()).toEqual({ logo_base64: png.toString('base64'), logo_type: 'image/png' });
    const page = await t.get('/school/details?logo=saved', head);
    expect(textOf(page.body)).toContain('The logo has been saved');
    expect(textOf(page.body)).toContain('The current logo: PNG, 48 × 24 pixels');
    expect(page.body).toContain('src="/school/details/logo"');
    const image = await t.get('/school/details/logo', head);
    expect(image.statusCode).toBe(200);
    expect(image.headers['content-type']).toBe('image/png');
    expect(image.rawPayload.equals(png)).toBe(true);

    // In the letter's PDF: one image, 48 × 24, drawn on the page.
    const withLogo = imagesIn(await letterPdf());
    expect(withLogo.images).toHaveLength(1);
    expect(withLogo.images[0]).toContain('/Width 48');
    expect(withLogo.images[0]).toContain('/Height 24');
    expect(withLogo.drawn).toBe(true);

    // A JPEG replaces it, embedded as it is (DCTDecode).
    const jpeg = testJpeg(40, 32);
    expect((await upload(head, { bytes: jpeg, name: 'crest.jpg', type: 'image/jpeg' })).statusCode).toBe(303);
    const jpegImages = imagesIn(await letterPdf()).images;
    expect(jpegImages).toHaveLength(1);
    expect(jpegImages[0]).toContain('/Filter /DCTDecode');
    expect(jpegImages[0]).toContain('/Width 40');

    const removed = await t.post('/school/details/logo/remove', head, {});
    expect(removed.statusCode).toBe(303);
    expect(removed.headers.location).toBe('/school/details?logo=removed');
    expect((await storedLogo()).logo_base64).toBeNull();
    expect(textOf((await t.get('/school/details?logo=removed', head)).body)).toContain(
      'No logo: letters are printed without one.',
    );
    expect((await t.get('/school/details/logo', head)).statusCode).toBe(404);
    expect(imagesIn(await letterPdf()).images).toEqual([]);

    const audit = await t.open.db
      .selectFrom('audit_log')
      .select(['action', 'details'])
      .where('action', 'in', ['school.logo', 'school.logoRemove'])
      .orderBy('at')
      .orderBy('id')
      .execute();
    expect(audit.map((a) => [a.action, a.details ? (JSON.parse(a.details) as unknown) : null])).toEqual([
      ['school.logo', { type: 'image/png', width: 48, height: 24, bytes: png.length }],
      ['school.logo', { type: 'image/jpeg', width: 40, height: 32, bytes: jpeg.length }],
      ['school.logoRemove', null],
    ]);
  });
});
