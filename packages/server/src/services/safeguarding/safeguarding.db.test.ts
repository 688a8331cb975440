import type { PlainDate } from '@rollcall/domain';
import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/databases.js';
import { d, rejection, seedSmallSchool, testDeps, type SmallSchool } from '../../../test/fixtures.js';
import { getActor } from '../../db/accounts/users.js';
import { recordLaContact } from '../duties/admissions/admissions.js';
import { chronology } from '../pupils/chronology.js';
import { recordHomeVisit } from '../follow-up/home-visits.js';
import { runJob } from '../duties/jobs/index.js';
import { getPupilRecord } from '../pupils/pupils.js';
import { forgetCalendar, saveRegister } from '../registers/registers.js';
import {
  acknowledgeDslAlert,
  dslWorklist,
  laPupils,
  recordLaAccessReason,
  setContactRestriction,
} from './safeguarding.js';
import { recordContactAttempt } from '../follow-up/worklist.js';

// Monday 8 September 2025, 10:00 in London: the morning register has closed.
const NOW = '2025-09-08T09:00:00.000Z';

describeEachDialect('safeguarding: the DSL’s alerts', (ctx) => {
  let school: SmallSchool;
  const deps = () => testDeps(ctx.db, ctx.dialect, NOW);
  beforeAll(async () => {
    forgetCalendar();
    school = await seedSmallSchool(ctx.db, `dsl-${ctx.dialect}`);
  });

  it('a home visit marked as a concern alerts the DSL at once (worklist, email without the name, chronology)', async () => {
    const [alex] = school.pupilsA as [string];
    const visit = await recordHomeVisit(deps(), school.actors.office, {
      pupilId: alex,
      visitDate: '2025-09-08',
      visitTime: '09:30',
      staff: 'Test office and a colleague',
      pair: true,
      childSeen: false,
      present: 'An adult who would not give a name',
      discussed: 'Would not say where the child was',
      callingCardLeft: true,
      safeguardingConcern: true,
      nextSteps: 'DSL to call children’s services',
    });
    const list = await dslWorklist(deps(), school.actors.dsl, school.schoolId);
    expect(list.open).toHaveLength(1);
    expect(list.open[0]).toMatchObject({ pupilId: alex, kind: 'home_visit_concern', pupilName: 'Alex Able' });
    expect(list.open[0]!.summary).toContain('DSL to call children’s services');
    const mail = await ctx.db
      .selectFrom('messages')
      .select(['to_address', 'subject', 'body', 'pupil_id'])
      .where('kind', '=', 'dsl-alert')
      .execute();
    expect(mail.map((m) => m.to_address)).toEqual(
      [`dsl-dsl-${ctx.dialect}@school.test`, `deputy_dsl-dsl-${ctx.dialect}@school.test`].sort(),
    );
    expect(mail.every((m) => !m.body.includes('Alex') && !m.subject!.includes('Alex') && m.pupil_id === null)).toBe(
      true,
    );
    // The deputy sees it too; the office and a teacher do not.
    expect((await dslWorklist(deps(), school.actors.deputy_dsl, school.schoolId)).open).toHaveLength(1);
    expect((await rejection(dslWorklist(deps(), school.actors.office, school.schoolId))).code).toBe('FORBIDDEN');
    // In the chronology for the DSL, not for the office.
    const forDsl = await chronology(deps(), school.actors.dsl, alex);
    expect(forDsl.find((e) => e.kind === 'safeguarding')?.title).toBe(
      'Safeguarding alert: Home visit: safeguarding concern (not yet acknowledged)',
    );
    expect((await chronology(deps(), school.actors.office, alex)).some((e) => e.kind === 'safeguarding')).toBe(false);
    expect(visit).toBeTruthy();
  });

  it('acknowledged once, with what was done; it stays in the chronology', async () => {
    const [alert] = (await dslWorklist(deps(), school.actors.dsl, school.schoolId)).open;
    await acknowledgeDslAlert(deps(), school.actors.dsl, { alertId: alert!.id, note: 'Referred to MASH' });
    expect(
      (await rejection(acknowledgeDslAlert(deps(), school.actors.deputy_dsl, { alertId: alert!.id, note: '' }))).code,
    ).toBe('CONFLICT');
    const list = await dslWorklist(deps(), school.actors.dsl, school.schoolId);
    expect(list.open).toEqual([]);
    expect(list.acknowledged[0]).toMatchObject({ acknowledgedByName: 'Test dsl', acknowledgement: 'Referred to MASH' });
    const entry = (await chronology(deps(), school.actors.dsl, alert!.pupilId)).find((e) => e.kind === 'safeguarding');
    expect(entry?.title).toContain('(acknowledged by Test dsl)');
    expect(entry?.detail).toContain('DSL: Referred to MASH');
  });

  it('a call marked as a concern and a CME referral alert the DSL too', async () => {
    const bea = school.pupilsA[1]!;
    await recordContactAttempt(deps(), school.actors.office, {
      pupilId: bea,
      absenceDate: d('2025-09-08'),
      method: 'call',
      outcome: 'other',
      notes: 'Child heard crying; adult hung up',
      safeguardingConcern: true,
    });
    await recordLaContact(deps(), school.actors.attendance_officer, {
      pupilId: school.pupilsB[0]!,
      kind: 'cme_referral',
      date: d('2025-09-08'),
      notes: 'Family not at the address',
    });
    const kinds = (await dslWorklist(deps(), school.actors.dsl, school.schoolId)).open.map((a) => a.kind);
    expect(kinds.sort()).toEqual(['call_concern', 'cme_enquiry']);
  });

  it('a vulnerable pupil’s unexplained absence after the register closed alerts the DSL (once per day)', async () => {
    const [alex, , cal] = school.pupilsA as [string, string, string];
    await saveRegister(testDeps(ctx.db, ctx.dialect, '2025-09-09T07:45:00.000Z'), school.actors.teacher, {
      groupId: school.groupA,
      date: '2025-09-09' as PlainDate,
      session: 'AM',
      version: 0,
      marks: [
        { pupilId: alex, code: 'N' },
        { pupilId: cal, code: '/' },
      ],
    });
    const later = testDeps(ctx.db, ctx.dialect, '2025-09-09T09:30:00.000Z');
    const run = await runJob(later, 'register-close', d('2025-09-09'), { trigger: 'manual' });
    expect(run.status).toBe('done');
    const open = (await dslWorklist(later, school.actors.dsl, school.schoolId)).open.filter(
      (a) => a.kind === 'vulnerable_absence',
    );
    expect(open.map((a) => a.pupilId)).toEqual([alex]);
    await runJob(later, 'register-close', d('2025-09-09'), { trigger: 'manual' });
    expect(
      (await dslWorklist(later, school.actors.dsl, school.schoolId)).open.filter(
        (a) => a.kind === 'vulnerable_absence',
      ),
    ).toHaveLength(1);
  });
});

describeEachDialect('least privilege', (ctx) => {
  let school: SmallSchool;
  const deps = () => testDeps(ctx.db, ctx.dialect, NOW);
  beforeAll(async () => {
    forgetCalendar();
    school = await seedSmallSchool(ctx.db, `lp-${ctx.dialect}`);
  });

  it('an LA officer reads a pupil’s record only with a reason: none → refused; a recorded reason → allowed and shown to the school', async () => {
    const [alex] = school.pupilsA as [string];
    const la = school.actors.la_officer;
    expect((await rejection(getPupilRecord(deps(), la, alex))).code).toBe('FORBIDDEN');
    expect((await rejection(recordLaAccessReason(deps(), la, { pupilId: alex, reason: 'short' }))).code).toBe(
      'VALIDATION',
    );
    await recordLaAccessReason(deps(), la, { pupilId: alex, reason: 'Case 2025/117: attendance panel' });
    expect((await getPupilRecord(deps(), la, alex)).pupil.id).toBe(alex);
    const seen = (await chronology(deps(), school.actors.office, alex)).find((e) => e.kind === 'laAccess');
    expect(seen?.title).toBe('The local authority read this record: Case 2025/117: attendance panel');
    // Another pupil without a reason stays closed; an open referral opens it.
    const bea = school.pupilsA[1]!;
    expect((await rejection(getPupilRecord(deps(), la, bea))).code).toBe('FORBIDDEN');
    await ctx.db
      .insertInto('case_referrals')
      .values({
        id: `ref-${ctx.dialect}`,
        pupil_id: bea,
        agency: 'Early help',
        made_on: '2025-09-05',
        reason: 'Persistent absence',
        reference: null,
        status: 'made',
        outcome: null,
        created_by: school.actors.attendance_officer.userId,
        created_at: NOW,
        updated_at: NOW,
      })
      .execute();
    expect((await getPupilRecord(deps(), la, bea)).pupil.id).toBe(bea);
  });

  it('a parent sees their own contact details only, not another adult’s', async () => {
    const [alex] = school.pupilsA as [string];
    await ctx.db
      .insertInto('contacts')
      .values({
        id: `other-adult-${ctx.dialect}`,
        pupil_id: alex,
        name: 'Other parent',
        relationship: 'Father',
        parental_responsibility: 1,
        lives_with_pupil: 0,
        priority: 2,
        mobile_phone: '07700 900999',
        home_phone: null,
        work_phone: null,
        email: 'other@example.org',
      })
      .execute();
    const forParent = await getPupilRecord(deps(), school.parent, alex);
    expect(forParent.contacts?.map((c) => c.name)).toEqual(['Parent of Alex']);
    const forOffice = await getPupilRecord(deps(), school.actors.office, alex);
    expect(forOffice.contacts?.map((c) => c.name)).toEqual(['Parent of Alex', 'Other parent']);
  });

  it('a contact marked "no contact" or with a court order never sees the child', async () => {
    const [alex] = school.pupilsA as [string];
    const contactId = `contact0-lp-${ctx.dialect}`;
    expect(
      (
        await rejection(
          setContactRestriction(deps(), school.actors.office, { pupilId: alex, contactId, restriction: 'court_order' }),
        )
      ).code,
    ).toBe('FORBIDDEN');
    await setContactRestriction(deps(), school.actors.dsl, { pupilId: alex, contactId, restriction: 'court_order' });
    const parent = await getActor(ctx.db, school.parent.userId);
    expect([...(parent?.pupilIds ?? [])]).toEqual([]);
    expect((await rejection(getPupilRecord(deps(), parent!, alex))).code).toBe('FORBIDDEN');
    await setContactRestriction(deps(), school.actors.dsl, { pupilId: alex, contactId, restriction: null });
    expect([...((await getActor(ctx.db, school.parent.userId))?.pupilIds ?? [])]).toEqual([alex]);
  });

  it('safeguarding details only to roles that need them', async () => {
    const [alex] = school.pupilsA as [string];
    expect((await getPupilRecord(deps(), school.actors.dsl, alex)).pupil.safeguarding).not.toBeNull();
    expect((await getPupilRecord(deps(), school.actors.office, alex)).pupil.safeguarding).toBeNull();
    expect((await getPupilRecord(deps(), school.actors.trust_lead, alex)).pupil.safeguarding).toBeNull();
  });
});

describeEachDialect('the local authority’s pupils', (ctx) => {
  let school: SmallSchool;
  const deps = () => testDeps(ctx.db, ctx.dialect, NOW);
  beforeAll(async () => {
    forgetCalendar();
    school = await seedSmallSchool(ctx.db, `lap-${ctx.dialect}`);
  });

  it('being on the targeting-support-meeting list opens a pupil’s record to the LA; "my pupils" lists every reason, school by school', async () => {
    const [alex, bea, cal] = school.pupilsA as [string, string, string];
    const la = school.actors.la_officer;
    // Cal missed every session of the first week: severely absent, so on the TSM list.
    const days = ['2025-09-01', '2025-09-02', '2025-09-03', '2025-09-04', '2025-09-05'];
    await ctx.db
      .insertInto('session_marks')
      .values(
        days.flatMap((date) =>
          (['AM', 'PM'] as const).map((session) => ({
            pupil_id: cal,
            date,
            session,
            code: 'O',
            minutes_late: null,
            updated_at: NOW,
            updated_by: null,
          })),
        ),
      )
      .execute();
    expect((await getPupilRecord(deps(), la, cal)).pupil.id).toBe(cal);
    // Bea has no reason: closed, and not listed; then a recorded reason lists her.
    expect((await rejection(getPupilRecord(deps(), la, bea))).code).toBe('FORBIDDEN');
    const mine = async () =>
      (await laPupils(deps(), la)).schools.find((s) => s.school.id === school.schoolId)?.pupils ?? [];
    const before = await mine();
    expect(before.map((p) => p.pupilId)).toEqual([cal]);
    expect(before[0]!.reasons).toEqual([
      'targeting support meeting list: severely absent (50% or more of sessions missed)',
    ]);
    await recordLaAccessReason(deps(), la, { pupilId: bea, reason: 'Case 2025/200: school move' });
    await ctx.db
      .insertInto('case_referrals')
      .values({
        id: `ref-lap-${ctx.dialect}`,
        pupil_id: cal,
        agency: 'Early help',
        made_on: '2025-09-05',
        reason: 'Persistent absence',
        reference: null,
        status: 'made',
        outcome: null,
        created_by: school.actors.attendance_officer.userId,
        created_at: NOW,
        updated_at: NOW,
      })
      .execute();
    const after = await mine();
    expect(Object.fromEntries(after.map((p) => [p.pupilId, p.reasons]))).toEqual({
      [bea]: ['reason recorded: Case 2025/200: school move'],
      [cal]: [
        'open referral (Early help)',
        'targeting support meeting list: severely absent (50% or more of sessions missed)',
      ],
    });
    expect(after.map((p) => p.name)).toEqual([...after.map((p) => p.name)].sort((a, b) => a.localeCompare(b)));
    expect(after.some((p) => p.pupilId === alex)).toBe(false);
    // The school outside the officer's LA is not listed; other roles are refused the list.
    const all = await laPupils(deps(), la);
    expect(all.schools.some((s) => s.school.id === school.otherSchoolId)).toBe(false);
    for (const role of ['trust_lead', 'attendance_officer', 'admin'] as const)
      expect((await rejection(laPupils(deps(), school.actors[role]))).code).toBe('FORBIDDEN');
  });
});
