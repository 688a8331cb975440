import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../../../test/databases.js';
import { d, rejection, seedSmallSchool, testDeps, type SmallSchool } from '../../../../test/fixtures.js';
import { forgetCalendar } from '../../registers/registers.js';
import { writeRun } from '../returns/marks.test-support.js';
import { getReturn, listReturns } from '../returns/returns.js';
import {
  admissionRegister,
  admitPupil,
  checkDeletion,
  deletePupil,
  movingFromSchoolForm,
  recordLaContact,
} from './admissions.js';

/**
 * Term 1 Sep – 24 Oct 2025, INSET Friday 26 Sep. From 1 to 29 Sep there are 20 school days.
 * - Alex: O and N every session 1–29 Sep (20 days, all G/N/O).
 * - Bea: the same, but one U on 15 Sep (U does not count for the 20-day ground).
 * - Cal: granted leave 1–5 Sep, absent (O) since, no attendance.
 */
describeEachDialect('the admission register', (ctx) => {
  let school: SmallSchool;
  let alex: string;
  let bea: string;
  let cal: string;
  const monday29 = () => testDeps(ctx.db, ctx.dialect, '2025-09-29T15:00:00Z');
  beforeAll(async () => {
    school = await seedSmallSchool(ctx.db);
    forgetCalendar();
    [alex, bea, cal] = school.pupilsA as [string, string, string];
    await writeRun(ctx.db, school.schoolId, alex, '2025-09-01', '2025-09-29', 'O');
    await writeRun(ctx.db, school.schoolId, alex, '2025-09-01', '2025-09-05', 'N', ['AM']);
    await writeRun(ctx.db, school.schoolId, bea, '2025-09-01', '2025-09-29', 'O');
    await writeRun(ctx.db, school.schoolId, bea, '2025-09-15', '2025-09-15', 'U', ['AM']);
    await writeRun(ctx.db, school.schoolId, cal, '2025-09-01', '2025-09-05', 'C');
    await writeRun(ctx.db, school.schoolId, cal, '2025-09-08', '2025-09-29', 'O');
    await ctx.db
      .insertInto('leave_requests')
      .values({
        id: `leave-${school.schoolId}`,
        pupil_id: cal,
        requested_by: school.actors.parent.userId,
        kind: 'exceptional',
        from_date: '2025-09-01',
        to_date: '2025-09-05',
        reason: 'Family funeral abroad',
        forwarding_address: null,
        status: 'granted',
        checks: '[]',
        decision_reason: 'Exceptional circumstances',
        decided_by: school.actors.senior_leader.userId,
        decided_at: '2025-08-20T10:00:00Z',
        created_at: '2025-08-18T10:00:00Z',
      })
      .execute();
  });
  const officer = () => school.actors.attendance_officer;

  it('admits a pupil with every item the register needs; each missing or wrong item is refused by its field', async () => {
    const err = await rejection(
      admitPupil(monday29(), officer(), {
        schoolId: school.schoolId,
        upn: 'A801200005001',
        surname: 'Ng',
        forename: '',
        sex: null,
        dateOfBirth: null,
        yearGroup: '3',
        admissionDate: d('2025-09-29'),
        address: null,
        postcode: 'NOT A CODE',
        parents: [
          {
            name: 'Pat Ng',
            relationship: '',
            sameAddress: false,
            address: '',
            postcode: '',
            phone: '12',
            livesWithPupil: false,
            parentalResponsibility: true,
          },
        ],
        lastSchool: null,
        reason: 'In-year admission',
      }),
    );
    expect(err.code).toBe('VALIDATION');
    expect(err.details.fields?.map((f) => f.field)).toEqual([
      'upn',
      'forename',
      'sex',
      'dateOfBirth',
      'address',
      'postcode',
      'parent1Relationship',
      'parent1Address',
      'parent1Postcode',
      'parent1Phone',
      'parent1LivesWith',
      'lastSchoolName',
    ]);
    expect(await ctx.db.selectFrom('pupils').select('id').where('upn', '=', 'A801200005001').execute()).toEqual([]);
    const id = await admitPupil(monday29(), officer(), {
      schoolId: school.schoolId,
      upn: 'U801200005004',
      surname: 'Ng',
      forename: 'Ola',
      otherForename: 'Lola',
      sex: 'F',
      dateOfBirth: '2017-01-01',
      yearGroup: '3',
      admissionDate: d('2025-09-29'),
      address: '3 Example Lane',
      postcode: 'zx3 3cc',
      parents: [
        {
          name: 'Pat Ng',
          relationship: 'Mother',
          sameAddress: true,
          address: null,
          postcode: null,
          phone: '07700 900123',
          livesWithPupil: true,
          parentalResponsibility: true,
        },
        {
          name: 'Sam Ng',
          relationship: 'Father',
          sameAddress: false,
          address: '9 Other Road\nExampleton',
          postcode: 'ZX9 9ZZ',
          phone: '',
          livesWithPupil: false,
          parentalResponsibility: true,
        },
      ],
      lastSchool: { name: 'Example Infant School', address: '1 School Lane, Exampleton' },
      reason: 'In-year admission',
      regGroupId: school.groupA,
    });
    const reg = await admissionRegister(monday29(), school.actors.office, school.schoolId);
    expect(reg.entries.find((e) => e.pupilId === id)).toMatchObject({ kind: 'admission', date: '2025-09-29' });
    const entry = reg.roll.find((r) => r.id === id);
    expect(entry).toMatchObject({
      surname: 'Ng',
      forename: 'Ola',
      otherNames: 'Lola Ng',
      sex: 'F',
      dateOfBirth: '2017-01-01',
      address: '3 Example Lane',
      postcode: 'ZX3 3CC',
      startingDay: '2025-09-29',
      lastSchool: { name: 'Example Infant School', address: '1 School Lane, Exampleton' },
      missing: [],
    });
    expect(entry?.parents).toEqual([
      {
        name: 'Pat Ng',
        relationship: 'Mother',
        address: '3 Example Lane',
        postcode: 'ZX3 3CC',
        phones: ['07700 900123'],
        livesWithPupil: true,
      },
      {
        name: 'Sam Ng',
        relationship: 'Father',
        address: '9 Other Road\nExampleton',
        postcode: 'ZX9 9ZZ',
        phones: [],
        livesWithPupil: false,
      },
    ]);
    // Every pupil on roll is in the register, with what it lacks named (the seeded pupils have no parents).
    const onRoll = await ctx.db
      .selectFrom('pupils')
      .select('id')
      .where('school_id', '=', school.schoolId)
      .where('leaving_date', 'is', null)
      .execute();
    expect(reg.roll.map((r) => r.id).sort()).toEqual(onRoll.map((p) => p.id).sort());
    expect(reg.roll.find((r) => r.id !== id)?.missing).toContain('lastSchool');
  });

  it('is refused to the office (view only) and to a teacher', async () => {
    const input = { pupilId: alex, ground: 'died' as const, date: d('2025-09-29'), reason: 'x' };
    expect((await rejection(deletePupil(monday29(), school.actors.office, input))).code).toBe('FORBIDDEN');
    expect((await rejection(admissionRegister(monday29(), school.actors.teacher, school.schoolId))).code).toBe(
      'FORBIDDEN',
    );
  });

  it('refuses a retrospective deletion', async () => {
    const err = await rejection(
      deletePupil(monday29(), officer(), {
        pupilId: alex,
        ground: 'registered_elsewhere',
        date: d('2025-09-26'),
        reason: 'Joined another school',
        destination: 'Another Primary',
      }),
    );
    expect(err.code).toBe('VALIDATION');
    expect(err.message).toContain('No retrospective deletion: 2025-09-26 is before today (2025-09-29)');
  });

  it('20-day ground: refused without joint enquiries with the LA, then allowed; the LA told at deletion', async () => {
    const input = {
      pupilId: alex,
      ground: 'absent_20_days' as const,
      date: d('2025-09-29'),
      reason: 'Whereabouts unknown after home visits and enquiries',
    };
    const before = await checkDeletion(monday29(), officer(), input);
    expect(before.allowed).toBe(false);
    expect(before.evidence).toContain(
      '20 continuous school days from 2025-09-01 to 2025-09-29 with every possible session coded G, N or O.',
    );
    expect(before.refusals).toEqual([
      'Record the joint enquiries with the local authority (since 2025-09-01) before deleting on this ground.',
    ]);
    await recordLaContact(monday29(), officer(), {
      pupilId: alex,
      kind: 'joint_enquiry',
      date: d('2025-09-24'),
      notes: 'Joint enquiries with the LA CME officer: no forwarding address',
    });
    const { entryId, check } = await deletePupil(monday29(), officer(), input);
    expect(check.allowed).toBe(true);
    const pupil = await ctx.db
      .selectFrom('pupils')
      .select('leaving_date')
      .where('id', '=', alex)
      .executeTakeFirstOrThrow();
    expect(pupil.leaving_date).toBe('2025-09-29');
    const entry = await ctx.db
      .selectFrom('register_entries')
      .select(['la_notified_at', 'ground'])
      .where('id', '=', entryId)
      .executeTakeFirstOrThrow();
    expect(entry).toEqual({ la_notified_at: '2025-09-29T15:00:00.000Z', ground: 'absent_20_days' });
    // The deletions return is prepared at once for a person to send.
    const deletions = (await listReturns(monday29(), officer(), school.schoolId)).filter((r) => r.kind === 'deletions');
    expect(deletions).toHaveLength(1);
    const full = await getReturn(monday29(), officer(), deletions[0]!.id);
    expect(full.items.map((i) => [i.pupil.pupilId, i.ground])).toEqual([[alex, 'absent_20_days']]);
    // Deleting twice is refused.
    expect((await rejection(deletePupil(monday29(), officer(), input))).message).toContain('already deleted');
  });

  it('20-day ground: refused when the data do not support it (a U breaks the run)', async () => {
    await recordLaContact(monday29(), officer(), {
      pupilId: bea,
      kind: 'joint_enquiry',
      date: d('2025-09-24'),
      notes: 'Joint enquiries with the LA',
    });
    const err = await rejection(
      deletePupil(monday29(), officer(), {
        pupilId: bea,
        ground: 'absent_20_days',
        date: d('2025-09-29'),
        reason: 'Whereabouts unknown',
      }),
    );
    expect(err.message).toContain('The data do not support this ground');
  });

  it('10 days after leave: refused before 10 school days have passed, allowed after with enquiries', async () => {
    const input = {
      pupilId: cal,
      ground: 'leave_not_returned' as const,
      date: d('2025-09-19'),
      reason: 'Not returned after agreed leave',
    };
    const early = await checkDeletion(testDeps(ctx.db, ctx.dialect, '2025-09-19T10:00:00Z'), officer(), input);
    expect(early.refusals).toEqual(
      expect.arrayContaining([
        'Only 9 school days have passed since the leave ended on 2025-09-05: the ground needs 10.',
        'Record the joint enquiries with the local authority (since 2025-09-05) before deleting on this ground.',
      ]),
    );
    await recordLaContact(monday29(), officer(), {
      pupilId: cal,
      kind: 'joint_enquiry',
      date: d('2025-09-22'),
      notes: 'Joint enquiries with the LA',
    });
    const later = await checkDeletion(monday29(), officer(), { ...input, date: d('2025-09-29') });
    expect(later).toMatchObject({ allowed: true, refusals: [] });
  });

  it('home education: needs the written notification; a pupil on a CP plan needs the LA’s agreement', async () => {
    const dee = school.pupilsB[0]!;
    const input = { pupilId: dee, ground: 'home_education' as const, date: d('2025-09-29'), reason: 'EHE' };
    expect((await checkDeletion(monday29(), officer(), input)).refusals[0]).toContain('written notification');
    await ctx.db.updateTable('pupils').set({ cp: 1 }).where('id', '=', dee).execute();
    await recordLaContact(monday29(), officer(), {
      pupilId: dee,
      kind: 'ehe_notification',
      date: d('2025-09-29'),
      notes: 'Parent’s letter received; meeting held; EHE referral sent to the LA',
    });
    expect((await checkDeletion(monday29(), officer(), input)).refusals[0]).toContain('child protection plan');
    await recordLaContact(monday29(), officer(), {
      pupilId: dee,
      kind: 'ehe_notification',
      date: d('2025-09-29'),
      notes: 'LA agreed after review',
      laAgreed: true,
    });
    expect((await checkDeletion(monday29(), officer(), input)).allowed).toBe(true);
  });

  it('a CME referral records the run of absence it rests on', async () => {
    await recordLaContact(monday29(), officer(), {
      pupilId: bea,
      kind: 'cme_referral',
      date: d('2025-09-29'),
      notes: 'No contact; referred to the LA CME team',
    });
    const reg = await admissionRegister(monday29(), officer(), school.schoolId);
    const referral = reg.laContacts.find((c) => c.kind === 'cme_referral');
    // Bea's U on 15 September breaks the G/N/O run: it starts on the 16th (9 school days to the 29th).
    expect(referral?.notes).toBe(
      'No contact; referred to the LA CME team (At referral: 9 continuous school days of absence coded G, N or O since 2025-09-16.)',
    );
  });

  it('makes the pupil moving from school form', async () => {
    const { fileName, pdf } = await movingFromSchoolForm(monday29(), school.actors.office, alex);
    expect(fileName).toMatch(/moving-from-school-B801200005001\.pdf$/);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
  });
});
