import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../../../test/databases.js';
import { rejection, seedSmallSchool, testDeps, type SmallSchool } from '../../../../test/fixtures.js';
import { createLogger } from '../../../platform/logger.js';
import type { OutgoingMail } from '../../../platform/mail.js';
import { readPdfText } from '../../../platform/pdf.js';
import { logSmsSender } from '../../../platform/sms.js';
import { deliverDue } from '../../messages.js';
import { certificatePdf } from '../../pupils/certificate.js';
import { markPackSent, packChecklist, packPdf, producePack } from '../evidence-pack/pack.js';
import {
  composeLetter,
  getLetterPdf,
  lettersForPupil,
  listTemplates,
  resetTemplate,
  saveTemplate,
  sendLetter,
} from './letters.js';

/** Friday 3 October 2025, 10:00 in London. */
const NOW = '2025-10-03T09:00:00Z';

/** O (unauthorised) for both sessions on the given days. */
async function markAbsent(db: Parameters<typeof testDeps>[0], pupilId: string, dates: string[]): Promise<void> {
  for (const date of dates) {
    for (const session of ['AM', 'PM']) {
      await db
        .insertInto('session_marks')
        .values({ pupil_id: pupilId, date, session, code: 'O', minutes_late: null, updated_at: NOW, updated_by: null })
        .execute();
    }
  }
}

describeEachDialect('letters and evidence packs', (ctx) => {
  let school: SmallSchool;
  const deps = () => testDeps(ctx.db, ctx.dialect, NOW);
  beforeAll(async () => {
    school = await seedSmallSchool(ctx.db);
    await ctx.db
      .updateTable('contacts')
      .set({ address: '1 Example Road\nTesttown', postcode: 'TS1 1AA' })
      .where('pupil_id', '=', school.pupilsA[0]!)
      .execute();
    await markAbsent(ctx.db, school.pupilsA[0]!, [
      '2025-09-08',
      '2025-09-09',
      '2025-09-10',
      '2025-09-11',
      '2025-09-12',
    ]);
  });

  it('lists default templates, saves an edit with merge fields checked, and resets it', async () => {
    const officer = school.actors.attendance_officer;
    const before = await listTemplates(deps(), officer, school.schoolId);
    // Only the school's letters: its policy's (the twin-track example's), and the built-in summary.
    expect(before.map((t) => t.key).sort()).toEqual([
      'attendance-summary',
      'formal-warning',
      'meeting-invitation',
      'meeting-missed',
      'positive',
      'text-first-day',
      'track-1-concern',
      'track-1-plan',
      'track-2',
      'urgent-follow-up',
    ]);
    expect(before.find((t) => t.key === 'track-1-concern')?.purpose).toBe('concern');
    const bad = await rejection(
      saveTemplate(deps(), officer, school.schoolId, { key: 'stage-1a', title: 'x', body: 'Dear {{parent.nmae}}' }),
    );
    expect(bad.code).toBe('VALIDATION');
    expect(bad.details.fields?.[0]?.message).toContain('{{parent.nmae}} is not a merge field');
    await saveTemplate(deps(), officer, school.schoolId, {
      key: 'stage-1a',
      title: 'Our stage 1a',
      body: 'Dear {{parent.name}}, {{pupil.forename}} is at {{attendance.rate}}.',
    });
    const after = await listTemplates(deps(), officer, school.schoolId);
    // The school's own letter is offered from now on.
    expect(after.find((t) => t.key === 'stage-1a')).toMatchObject({ title: 'Our stage 1a', edited: true });
    expect(
      (
        await rejection(
          saveTemplate(deps(), school.actors.teacher, school.schoolId, { key: 'x', title: 'x', body: 'x' }),
        )
      ).code,
    ).toBe('FORBIDDEN');
    await resetTemplate(deps(), officer, school.schoolId, 'stage-1a');
    expect((await listTemplates(deps(), officer, school.schoolId)).find((t) => t.key === 'stage-1a')).toBeUndefined();
    const audits = await ctx.db
      .selectFrom('audit_log')
      .select('action')
      .where('school_id', '=', school.schoolId)
      .where('action', 'like', 'letterTemplate.%')
      .execute();
    expect(audits.map((a) => a.action).sort()).toEqual(['letterTemplate.reset', 'letterTemplate.save']);
  });

  it('takes the letters of the school policy’s preset and its own letters, by key', async () => {
    const other = await seedSmallSchool(ctx.db);
    await ctx.db
      .updateTable('schools')
      .set({
        policy_json: JSON.stringify({
          preset: 'stockton-tiers',
          letters: [{ key: 'tier-2', title: 'Our tier 2', body: 'Dear {{parent.name}}' }],
        }),
      })
      .where('id', '=', other.schoolId)
      .execute();
    const templates = await listTemplates(deps(), other.actors.attendance_officer, other.schoolId);
    const keys = templates.map((t) => t.key);
    expect(keys).not.toContain('stage-1a');
    expect(keys).not.toContain('track-2');
    expect(keys).toEqual(expect.arrayContaining(['attendance-summary', 'positive', 'tier-1', 'tier-2', 'tier-3']));
    expect(templates.find((t) => t.key === 'tier-2')?.title).toBe('Our tier 2');
    // Titles in words: no merge field shows unmerged.
    for (const t of templates) expect(t.titleInWords, t.key).not.toContain('{{');
    expect(templates.find((t) => t.key === 'tier-1')?.titleInWords).toBe(
      'We would like to meet about the pupil’s attendance',
    );
    expect(templates.find((t) => t.key === 'tier-1')?.purpose).toBe('meeting-invitation');
    // Only those are written: not Rollcall's letters for another policy, nor the first-day text's wording.
    const officer = other.actors.attendance_officer;
    const pupilId = other.pupilsA[0]!;
    for (const key of ['stage-1a', 'track-2', 'text-first-day']) {
      const refused = await rejection(composeLetter(deps(), officer, pupilId, key));
      expect(refused.code, key).toBe('NOT_FOUND');
      expect(refused.message, key).toMatch(
        key === 'text-first-day' ? /is the wording of a text message, not a letter/ : /There is no letter template/,
      );
      const contactId = (await composeLetter(deps(), officer, pupilId, 'tier-1')).recipients[0]!.contactId;
      const notSent = await rejection(
        sendLetter(deps(), officer, { pupilId, templateKey: key, title: 'T', body: 'B', contactId, method: 'print' }),
      );
      expect(notSent.code, key).toBe('NOT_FOUND');
    }
  });

  it('lets the evidence pack find a meeting letter by its declared purpose, whatever its key', async () => {
    // James Marks's first letter is called "contact" and titled "Checking in…": nothing in its key
    // or title says meeting, but it invites the parents to one, and the preset says so.
    const other = await seedSmallSchool(ctx.db);
    await ctx.db
      .updateTable('schools')
      .set({ policy_json: JSON.stringify({ preset: 'james-marks-adjusted' }) })
      .where('id', '=', other.schoolId)
      .execute();
    const officer = other.actors.attendance_officer;
    const pupilId = other.pupilsA[0]!;
    const template = (await listTemplates(deps(), officer, other.schoolId)).find((t) => t.key === 'contact');
    expect(template?.purpose).toBe('meeting-invitation');
    const composed = await composeLetter(deps(), officer, pupilId, 'contact');
    const before = await packChecklist(deps(), officer, pupilId, 'la-referral', {});
    expect(before.items.find((i) => i.key === 'invitation')?.present).toBe(false);
    const sent = await sendLetter(deps(), officer, {
      pupilId,
      templateKey: 'contact',
      title: 'Checking in about Alex’s attendance',
      body: 'Please come and talk with us on Monday 6 October 2025 at 9:00 in the library.',
      contactId: composed.recipients[0]!.contactId,
      method: 'print',
    });
    const stored = await ctx.db
      .selectFrom('letters')
      .select('purpose')
      .where('id', '=', sent.id)
      .executeTakeFirstOrThrow();
    expect(stored.purpose).toBe('meeting-invitation');
    const after = await packChecklist(deps(), officer, pupilId, 'la-referral', {});
    expect(after.items.find((i) => i.key === 'invitation')?.present).toBe(true);
  });

  it('composes a letter merged with the pupil and parent, sends it by email through the outbox and stores it', async () => {
    const officer = school.actors.attendance_officer;
    const pupilId = school.pupilsA[0]!;
    // One of the twin-track school's letters (its policy does not use stage-1a).
    const composed = await composeLetter(deps(), officer, pupilId, 'track-1-concern');
    expect(composed.recipients).toHaveLength(1);
    expect(composed.recipients[0]).toMatchObject({
      name: 'Parent of Alex',
      address: '1 Example Road\nTesttown\nTS1 1AA',
    });
    // The body only: the salutation and address come from the recipient when it is printed.
    expect(composed.text).not.toContain('Dear');
    expect(composed.text).not.toContain('Yours sincerely');
    expect(composed.text).toMatch(/^Re: /);
    expect(composed.text).not.toContain('{{');
    expect(composed.languageNote).toBe('In English.');
    const contactId = composed.recipients[0]!.contactId;
    // a gap left in the text stops the letter
    const gap = await rejection(
      sendLetter(deps(), officer, {
        pupilId,
        templateKey: 'track-1-concern',
        title: 'T',
        body: 'On [meeting.date]',
        contactId,
        method: 'email',
      }),
    );
    expect(gap.details.fields?.[0]?.message).toContain('[meeting.date]');
    const actionId = 'letter-action-1';
    await ctx.db
      .insertInto('case_actions')
      .values({
        id: actionId,
        pupil_id: pupilId,
        policy_action: 'letter:meeting-invitation',
        description: 'Send the meeting invitation',
        owner: 'Test attendance_officer',
        due_on: '2025-10-06',
        status: 'open',
        outcome: null,
        completed_on: null,
        suggestion_id: null,
        meeting_id: null,
        created_by: officer.userId,
        created_at: NOW,
        updated_at: NOW,
      })
      .execute();
    const sent = await sendLetter(deps(), officer, {
      pupilId,
      templateKey: 'meeting-invitation',
      title: 'Invitation',
      body: composed.text,
      contactId,
      method: 'email',
    });
    expect(sent.messageId).not.toBeNull();
    // the case action the policy proposed for this letter is done
    expect(
      await ctx.db
        .selectFrom('case_actions')
        .select(['status', 'completed_on'])
        .where('id', '=', actionId)
        .executeTakeFirst(),
    ).toEqual({ status: 'done', completed_on: '2025-10-03' });
    const message = await ctx.db
      .selectFrom('messages')
      .selectAll()
      .where('id', '=', sent.messageId!)
      .executeTakeFirstOrThrow();
    expect(message).toMatchObject({
      channel: 'email',
      to_address: 'parent@example.org',
      kind: 'letter:meeting-invitation',
      status: 'pending',
    });
    expect(message.body).toContain('Dear Parent of Alex');
    // delivered with the letter's PDF attached
    const mails: OutgoingMail[] = [];
    const mailer = {
      send: (m: OutgoingMail) => {
        mails.push(m);
        return Promise.resolve({ providerId: `m-${mails.length}` });
      },
      close: () => undefined,
    };
    const logger = createLogger('silent');
    expect(await deliverDue({ db: ctx.db, logger, mailer, sms: logSmsSender(logger) }, NOW)).toMatchObject({ sent: 1 });
    const mail = mails.find((m) => m.subject.startsWith('Invitation'));
    expect(mail?.attachments?.[0]?.contentType).toBe('application/pdf');
    expect(mail?.attachments?.[0]?.filename).toBe('meeting-invitation-2025-10-03.pdf');
    expect(mail?.attachments?.[0]?.content.subarray(0, 5).toString()).toBe('%PDF-');
    const printed = await sendLetter(deps(), officer, {
      pupilId,
      templateKey: 'formal-warning',
      title: 'Formal warning',
      body: 'Dear Parent of Alex,\n\nA warning.',
      contactId,
      method: 'print',
    });
    expect(printed.messageId).toBeNull();
    const letters = await lettersForPupil(deps(), school.actors.senco, pupilId);
    expect(letters.map((l) => [l.templateKey, l.method])).toEqual(
      expect.arrayContaining([
        ['meeting-invitation', 'email'],
        ['formal-warning', 'print'],
      ]),
    );
    const { pdf } = await getLetterPdf(deps(), officer, sent.id, { compress: false });
    const text = readPdfText(pdf);
    expect(text).toContain('Test Primary');
    expect(text).toContain('Dear Parent of Alex,');
    expect(text).toContain('3 October 2025');
    // the same letter gives the same PDF
    expect((await getLetterPdf(deps(), officer, sent.id, { compress: false })).pdf.equals(pdf)).toBe(true);
    expect(
      (
        await rejection(
          sendLetter(deps(), school.actors.senco, {
            pupilId,
            templateKey: 'x',
            title: 'x',
            body: 'x',
            contactId,
            method: 'print',
          }),
        )
      ).code,
    ).toBe('FORBIDDEN');
    expect((await rejection(lettersForPupil(deps(), school.actors.teacher, pupilId))).code).toBe('FORBIDDEN');
  });

  it('prints an attendance certificate with every session, code meanings, totals and the head’s sign-off', async () => {
    const pdf = await certificatePdf(
      deps(),
      school.actors.senior_leader,
      school.pupilsA[0]!,
      { from: '2025-09-08', to: '2025-09-12' },
      { compress: false },
    );
    const text = readPdfText(pdf);
    expect(text).toContain('Attendance certificate');
    expect(text).toContain('Mon 8 Sep');
    expect(text).toContain('Unauthorised absence');
    expect(text).toContain('10 sessions');
    expect(text).toContain('Headteacher (signature)');
  });

  it('lists what a pack is missing, produces it as one PDF, and refuses to mark it sent while something required is missing', async () => {
    const officer = school.actors.attendance_officer;
    const pupilId = school.pupilsA[0]!;
    const check = await packChecklist(deps(), officer, pupilId, 'la-referral');
    const missing = check.missingRequired.map((i) => i.key);
    expect(missing).toEqual(expect.arrayContaining(['meeting', 'plan', 'plan-review', 'home-visit']));
    expect(missing).not.toContain('certificate');
    const noMarks = await packChecklist(deps(), officer, pupilId, 'penalty-notice', {
      from: '2025-09-22',
      to: '2025-09-24',
    });
    expect(noMarks.missingRequired.map((i) => i.key)).toContain('certificate');
    expect(missing).not.toContain('invitation');
    expect(missing).not.toContain('threshold');
    expect(missing).not.toContain('parents');

    const first = await producePack(deps(), officer, {
      pupilId,
      kind: 'la-referral',
      from: '2025-09-01',
      to: '2025-10-03',
      reason: 'Unauthorised absence continues.',
    });
    expect(first.missing.length).toBeGreaterThan(0);
    const blocked = await rejection(markPackSent(deps(), officer, first.id, 'Locality team'));
    expect(blocked.code).toBe('CONFLICT');
    expect(blocked.message).toContain('A home visit');

    // penalty-notice pack: the formal warning and the threshold are there; nothing else required is missing
    const pn = await producePack(deps(), officer, {
      pupilId,
      kind: 'penalty-notice',
      from: '2025-09-01',
      to: '2025-10-03',
      reason: 'Ten sessions of unauthorised absence.',
    });
    expect(pn.missing).toEqual([]);
    await markPackSent(deps(), officer, pn.id, 'Local authority attendance team');
    expect((await rejection(markPackSent(deps(), officer, pn.id, 'again'))).code).toBe('CONFLICT');
    const { pdf } = await packPdf(deps(), school.actors.senco, pn.id);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    // the pack's content, read from an uncompressed rendering
    const plain = await producePack(
      deps(),
      officer,
      { pupilId, kind: 'la-referral', from: '2025-09-08', to: '2025-09-12', reason: 'Absence continues.' },
      { compress: false },
    );
    const text = readPdfText((await packPdf(deps(), officer, plain.id)).pdf).replace(/\s+/g, ' ');
    for (const s of [
      'Referral to the local authority attendance team',
      'Name of pupil',
      'Unauthorised sessions in the previous 10 school weeks',
      'Parent of Alex',
      'Parental responsibility',
      'MISSING',
      'Absence continues.',
      'Chronology of actions',
      'Invitation',
      'Formal warning',
      'Attendance certificate',
      'Signature of headteacher',
      'Headteacher (signature)',
    ]) {
      expect(text).toContain(s);
    }
    const listed = await packChecklist(deps(), school.actors.senco, pupilId, 'penalty-notice');
    expect(listed.canProduce).toBe(false);
    expect(listed.packs.find((p) => p.id === pn.id)).toMatchObject({
      status: 'sent',
      sentTo: 'Local authority attendance team',
    });
    expect(
      (
        await rejection(
          producePack(deps(), school.actors.senco, {
            pupilId,
            kind: 'la-referral',
            from: '2025-09-01',
            to: '2025-10-03',
            reason: '',
          }),
        )
      ).code,
    ).toBe('FORBIDDEN');
    const actions = await ctx.db
      .selectFrom('audit_log')
      .select('action')
      .where('pupil_id', '=', pupilId)
      .where('action', 'like', 'evidencePack.%')
      .execute();
    expect(actions.map((a) => a.action).sort()).toEqual([
      'evidencePack.produce',
      'evidencePack.produce',
      'evidencePack.produce',
      'evidencePack.send',
      'evidencePack.view',
      'evidencePack.view',
    ]);
  });

  it('prints to the recipient chosen (the second parent, at another address) in every part, and the pack copies that salutation', async () => {
    const officer = school.actors.attendance_officer;
    const pupilId = school.pupilsA[1]!;
    await ctx.db.deleteFrom('contacts').where('pupil_id', '=', pupilId).execute();
    await ctx.db
      .insertInto('contacts')
      .values([
        {
          id: `${pupilId}-first`,
          pupil_id: pupilId,
          name: 'Ana Exemplu',
          relationship: 'Mother',
          parental_responsibility: 1,
          lives_with_pupil: 1,
          priority: 1,
          mobile_phone: null,
          home_phone: null,
          work_phone: null,
          email: null,
          address: '1 First Street\nTesttown',
          postcode: 'TS1 1AA',
          preferred_language: null,
        },
        {
          id: `${pupilId}-second`,
          pupil_id: pupilId,
          name: 'Łukasz Wiśniewski-Próbny',
          relationship: 'Father',
          parental_responsibility: 1,
          lives_with_pupil: 0,
          priority: 2,
          mobile_phone: null,
          home_phone: null,
          work_phone: null,
          email: null,
          address: '22 Żabia Lane\nOthertown',
          postcode: 'TS9 9ZZ',
          preferred_language: 'pl',
        },
      ])
      .execute();
    await ctx.db
      .updateTable('schools')
      .set({
        address: '5 School Lane\nTesttown',
        postcode: 'TS1 2AB',
        phone: '020 7946 0001',
        email: 'office@school.test',
      })
      .where('id', '=', school.schoolId)
      .execute();
    const composed = await composeLetter(deps(), officer, pupilId, 'meeting-invitation', {
      contactId: `${pupilId}-second`,
    });
    expect(composed.contactId).toBe(`${pupilId}-second`);
    // No Polish version yet: English, and the page says why.
    expect(composed.languageNote).toBe(
      'In English: Łukasz Wiśniewski-Próbny’s preferred language is Polish, and the school has no Polish version of this letter.'.replace(
        '’',
        "'",
      ),
    );
    const sent = await sendLetter(deps(), officer, {
      pupilId,
      templateKey: 'meeting-invitation',
      title: composed.title,
      // What the first parent's page would have said: the salutation typed is replaced by the recipient's.
      body: 'Dear Ana Exemplu,\n\nPlease come to a meeting on Monday 6 October 2025 at 9:00. {{parent.name}}, you are welcome to bring someone.',
      contactId: `${pupilId}-second`,
      method: 'print',
    });
    const stored = await ctx.db.selectFrom('letters').selectAll().where('id', '=', sent.id).executeTakeFirstOrThrow();
    expect(stored).toMatchObject({
      recipient_name: 'Łukasz Wiśniewski-Próbny',
      recipient_address: '22 Żabia Lane\nOthertown\nTS9 9ZZ',
      salutation: 'Dear Łukasz Wiśniewski-Próbny',
      letter_date: '2025-10-03',
      sender_name: officer.name,
      sender_role: 'Attendance officer',
      purpose: 'meeting-invitation',
      school_phone: '020 7946 0001',
    });
    expect(stored.body).not.toContain('Ana Exemplu');
    expect(stored.body).toContain('Łukasz Wiśniewski-Próbny, you are welcome');
    const lines = readPdfText((await getLetterPdf(deps(), officer, sent.id, { compress: false })).pdf).split('\n');
    // Letterhead, the window (name and address lines), date, reference, salutation, title, sign-off.
    expect(lines.slice(0, 4)).toEqual([
      'Test Primary',
      '5 School Lane, Testtown, TS1 2AB',
      'Telephone 020 7946 0001   Email office@school.test',
      'Łukasz Wiśniewski-Próbny',
    ]);
    expect(lines.slice(4, 8)).toEqual(['22 Żabia Lane', 'Othertown', 'TS9 9ZZ', '3 October 2025']);
    expect(lines[8]).toBe('Our reference:');
    expect(lines[9]).toBe('Bea Baker');
    expect(lines[10]).toMatch(/^MEETING-INVITATION-[A-Z0-9]{6}$/);
    expect(lines).toContain('Dear Łukasz Wiśniewski-Próbny,');
    expect(lines).toContain(composed.title);
    expect(lines.join(' ')).not.toContain('Ana Exemplu');
    expect(lines.slice(-3)).toEqual(['Yours sincerely', officer.name, 'Attendance officer']);
    // The evidence pack copies the letter as the recipient read it.
    const pack = await producePack(deps(), officer, {
      pupilId,
      kind: 'la-referral',
      from: '2025-09-01',
      to: '2025-10-03',
      reason: 'Test',
    });
    const packText = readPdfText((await packPdf(deps(), officer, pack.id)).pdf);
    expect(packText).toContain('Dear Łukasz Wiśniewski-Próbny,');
    expect(packText).not.toContain('Dear Ana Exemplu');
    // The pack recognises the invitation by its purpose.
    const check = await packChecklist(deps(), officer, pupilId, 'la-referral', {});
    expect(check.items.find((i) => i.key === 'invitation')?.present).toBe(true);
  });

  it('sends a letter in the contact’s language when the school has that version, and refuses right-to-left', async () => {
    const officer = school.actors.attendance_officer;
    const pupilId = school.pupilsA[1]!;
    await saveTemplate(deps(), officer, school.schoolId, {
      key: 'meeting-invitation',
      language: 'pl',
      title: 'Zaproszenie na spotkanie w sprawie frekwencji',
      body: 'Chcielibyśmy spotkać się z Państwem w sprawie frekwencji {{pupil.forename}}.',
    });
    const composed = await composeLetter(deps(), officer, pupilId, 'meeting-invitation', {
      contactId: `${pupilId}-second`,
    });
    expect(composed.language).toBe('pl');
    expect(composed.languageNote).toBe("In Polish, Łukasz Wiśniewski-Próbny's preferred language.");
    expect(composed.title).toBe('Zaproszenie na spotkanie w sprawie frekwencji');
    const toFirst = await composeLetter(deps(), officer, pupilId, 'meeting-invitation', {
      contactId: `${pupilId}-first`,
    });
    expect(toFirst.language).toBe('en');
    const urdu = await rejection(
      saveTemplate(deps(), officer, school.schoolId, {
        key: 'meeting-invitation',
        language: 'ur',
        title: 'x',
        body: 'x',
      }),
    );
    expect(urdu.code).toBe('VALIDATION');
    expect(urdu.message).toContain('Urdu is written right to left');
    const arabicText = await rejection(
      sendLetter(deps(), officer, {
        pupilId,
        templateKey: 'meeting-invitation',
        title: 'Invitation',
        body: 'مرحبا',
        contactId: `${pupilId}-first`,
        method: 'print',
      }),
    );
    expect(arabicText.details.fields?.map((f) => f.message).join(' ')).toContain('right-to-left');
  });
});
