import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/databases.js';
import { rejection, seedSmallSchool, testDeps, type SmallSchool } from '../../../test/fixtures.js';
import { readPdfText } from '../../platform/pdf.js';
import { certificatePdf } from '../pupils/certificate.js';
import { packPdf, producePack } from '../casework/evidence-pack/pack.js';
import { composeLetter, getLetterPdf, saveTemplate, sendLetter } from '../casework/letters/letters.js';
import { saveSchoolDetails, schoolDetailsOf, setSchoolDetails, viewSchoolDetails } from './school-details.js';

/** Friday 3 October 2025, 10:00 in London. */
const NOW = '2025-10-03T09:00:00Z';

describeEachDialect('school details in letters, certificates and packs', (ctx) => {
  let school: SmallSchool;
  const deps = () => testDeps(ctx.db, ctx.dialect, NOW);
  beforeAll(async () => {
    school = await seedSmallSchool(ctx.db);
    await ctx.db
      .updateTable('contacts')
      .set({ address: '1 Example Road\nTesttown', postcode: 'TS1 1AA' })
      .where('pupil_id', '=', school.pupilsA[0]!)
      .execute();
    await ctx.db
      .insertInto('session_marks')
      .values(
        ['AM', 'PM'].map((session) => ({
          pupil_id: school.pupilsA[0]!,
          date: '2025-09-08',
          session,
          code: 'O',
          minutes_late: null,
          updated_at: NOW,
          updated_by: null,
        })),
      )
      .execute();
  });

  it('starts empty, refuses others than senior leaders and admins, and saves validated details', async () => {
    const empty = await schoolDetailsOf(ctx.db, school.schoolId);
    expect(empty).toMatchObject({ address: null, postcode: null, headteacherName: null });
    for (const role of ['attendance_officer', 'teacher', 'office', 'senco', 'governor'] as const) {
      expect((await rejection(viewSchoolDetails(deps(), school.actors[role], school.schoolId))).code).toBe('FORBIDDEN');
    }
    const bad = await rejection(
      saveSchoolDetails(deps(), school.actors.senior_leader, school.schoolId, { postcode: 'ZX1', email: 'x' }),
    );
    expect(bad.code).toBe('VALIDATION');
    expect(bad.details.fields?.map((f) => f.field)).toEqual(['postcode', 'address', 'email']);
    const saved = await saveSchoolDetails(deps(), school.actors.admin, school.schoolId, {
      address: '3 Example Street\nExampleton',
      postcode: 'zx9 9zz',
      headteacherName: 'Dr C Example',
    });
    expect(saved.changed).toEqual(['address', 'postcode', 'headteacherName']);
    expect(saved.details).toMatchObject({ postcode: 'ZX9 9ZZ', headteacherName: 'Dr C Example', phone: null });
  });

  it('keeps the 4-digit DfE establishment number a CTF names the school by', async () => {
    const bad = await rejection(saveSchoolDetails(deps(), school.actors.admin, school.schoolId, { estab: '12a' }));
    expect(bad.details.fields).toEqual([
      { field: 'estab', message: 'Enter the 4-digit DfE establishment number, like 2001.' },
    ]);
    const before = await schoolDetailsOf(ctx.db, school.schoolId);
    const saved = await saveSchoolDetails(deps(), school.actors.admin, school.schoolId, {
      address: before.address ?? '',
      postcode: before.postcode ?? '',
      headteacherName: before.headteacherName ?? '',
      estab: ' 2001 ',
    });
    expect(saved.changed).toEqual(['estab']);
    expect(saved.details.estab).toBe('2001');
  });

  it('merges {{school.address}} and keeps the address a letter was sent with', async () => {
    const officer = school.actors.attendance_officer;
    const pupilId = school.pupilsA[0]!;
    await saveTemplate(deps(), officer, school.schoolId, {
      key: 'write-to-us',
      title: 'Write to us',
      body: 'Write to us at:\n{{school.address}}',
    });
    const composed = await composeLetter(deps(), officer, pupilId, 'write-to-us');
    expect(composed.missing).toEqual([]);
    expect(composed.text).toBe('Write to us at:\n3 Example Street\nExampleton\nZX9 9ZZ');
    const contactId = composed.recipients[0]!.contactId;
    const sent = await sendLetter(deps(), officer, {
      pupilId,
      templateKey: 'write-to-us',
      title: 'Write to us',
      body: composed.text,
      contactId,
      method: 'print',
    });
    const before = readPdfText((await getLetterPdf(deps(), officer, sent.id, { compress: false })).pdf);
    expect(before).toContain('3 Example Street, Exampleton, ZX9 9ZZ');
    // The school moves: the letter already sent still shows the address it went out with.
    await setSchoolDetails(ctx.db, school.schoolId, {
      address: '8 New Street\nExampleton',
      postcode: 'ZX9 1AA',
      headteacherName: 'Dr C Example',
    });
    const after = readPdfText((await getLetterPdf(deps(), officer, sent.id, { compress: false })).pdf);
    expect(after).toBe(before);
    expect((await composeLetter(deps(), officer, pupilId, 'write-to-us')).text).toContain('8 New Street');
  });

  it('names the headteacher on the certificate and the pack, with the address in the header', async () => {
    const pdf = await certificatePdf(
      deps(),
      school.actors.senior_leader,
      school.pupilsA[0]!,
      { from: '2025-09-08', to: '2025-09-12' },
      { compress: false },
    );
    const text = readPdfText(pdf);
    expect(text).toContain('8 New Street, Exampleton, ZX9 1AA');
    expect(text).toContain('Signed off by the headteacher, Dr C Example, as a true copy of the register.');
    expect(text).toContain('Name: Dr C Example');
    const pack = await producePack(
      deps(),
      school.actors.attendance_officer,
      {
        pupilId: school.pupilsA[0]!,
        kind: 'la-referral',
        from: '2025-09-01',
        to: '2025-10-03',
        reason: 'Persistent absence',
      },
      { compress: false },
    );
    const packText = readPdfText((await packPdf(deps(), school.actors.attendance_officer, pack.id)).pdf);
    expect(packText).toContain('Signature of headteacher (Dr C Example)');
    expect(packText).toContain('8 New Street, Exampleton, ZX9 1AA');
  });
});
