import { beforeAll, describe, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/databases.js';
import { d, seedSmallSchool, testDeps, type SmallSchool } from '../../../test/fixtures.js';
import type { Db } from '../../db/connect.js';
import { SYSTEM_ACTOR } from '../authz.js';
import { AppError } from '../errors.js';
import { bandFor, formatPercent, queueHalfTermSummaries, SUMMARY_KIND } from './summaries.js';

/** School days of the small school's term up to Friday 12 September 2025 (no closures before the 26th). */
const DAYS = ['01', '02', '03', '04', '05', '08', '09', '10', '11', '12'].map((x) => `2025-09-${x}`);
const AS_OF = d('2025-09-12');

async function mark(db: Db, pupilId: string, codeFor: (i: number) => string): Promise<void> {
  const rows = DAYS.flatMap((date, day) =>
    (['AM', 'PM'] as const).map((session, s) => {
      const i = day * 2 + s;
      const code = codeFor(i);
      return {
        pupil_id: pupilId,
        date,
        session,
        code: code === 'present' ? (session === 'AM' ? '/' : '\\') : code,
        minutes_late: null,
        updated_at: '2025-09-12T16:00:00.000Z',
        updated_by: null,
      };
    }),
  );
  await db.insertInto('session_marks').values(rows).execute();
}

describe('bands', () => {
  it('follows the default bands at their edges', () => {
    expect(bandFor(100).label).toBe('Excellent');
    expect(bandFor(96).label).toBe('Excellent');
    expect(bandFor(95.99).label).toBe('Good');
    expect(bandFor(95).label).toBe('Good');
    expect(bandFor(94.9).label).toBe('Concern');
    expect(bandFor(90).label).toBe('Concern');
    expect(bandFor(89.9).label).toBe('Serious concern');
    expect(bandFor(50).label).toBe('Serious concern');
    expect(bandFor(49.9).label).toBe('Severe');
    expect(bandFor(0).label).toBe('Severe');
    expect(formatPercent(95.99)).toBe('95.9%');
    expect(formatPercent(95)).toBe('95.0%');
  });
});

describeEachDialect('half-term summaries', (ctx) => {
  let school: SmallSchool;

  beforeAll(async () => {
    school = await seedSmallSchool(ctx.db);
    const [alex, bea, cal] = school.pupilsA as [string, string, string];
    const [dee, eli] = school.pupilsB as [string, string];
    // Alex: one session of illness in 20 → 95.0%, Good.
    await mark(ctx.db, alex, (i) => (i === 3 ? 'I' : 'present'));
    // Bea: half the sessions unauthorised → 50%, Serious concern (but no contact with parental responsibility).
    await mark(ctx.db, bea, (i) => (i % 2 ? 'O' : 'present'));
    // Cal: every session → 100%, Excellent.
    await mark(ctx.db, cal, () => 'present');
    // Dee: 9 sessions missed → 55%, Serious concern. Eli: 12 missed → 40%, Severe.
    await mark(ctx.db, dee, (i) => (i < 9 ? 'O' : 'present'));
    await mark(ctx.db, eli, (i) => (i < 12 ? 'I' : 'present'));
    const contact = (id: string, pupilId: string, over: Record<string, unknown>) => ({
      id: `${id}-${school.schoolId}`,
      pupil_id: pupilId,
      name: 'Carer',
      relationship: 'Father',
      parental_responsibility: 1,
      lives_with_pupil: 1,
      priority: 2,
      mobile_phone: null,
      home_phone: null,
      work_phone: null,
      email: null,
      ...over,
    });
    await ctx.db
      .insertInto('contacts')
      .values([
        // Alex already has a mother with email (the fixture); a father with a mobile only → a text.
        contact('alex-dad', alex, { name: 'Father of Alex', mobile_phone: '07700 900456' }),
        // Bea: a grandparent without parental responsibility → nothing.
        contact('bea-gran', bea, {
          name: 'Gran',
          relationship: 'Grandparent',
          parental_responsibility: 0,
          email: 'gran@example.org',
        }),
        // Cal: an unusable email, so the mobile is used.
        contact('cal-mum', cal, { name: 'Mother of Cal', email: 'not-an-email', mobile_phone: '+44 7700 900789' }),
        contact('dee-mum', dee, { name: 'Mother of Dee', email: 'dee.parent@example.org' }),
        contact('eli-dad', eli, { name: 'Father of Eli', email: 'eli.parent@example.org' }),
      ])
      .execute();
  });

  it('is for attendance officers, senior leaders and administrators only', async () => {
    const deps = testDeps(ctx.db, ctx.dialect);
    for (const role of ['teacher', 'office', 'senco', 'governor', 'parent'] as const) {
      const err = await queueHalfTermSummaries(deps, school.actors[role], {
        schoolId: school.schoolId,
        asOf: AS_OF,
      }).catch((e: unknown) => e);
      expect(err, role).toBeInstanceOf(AppError);
      expect((err as AppError).code, role).toBe('FORBIDDEN');
    }
    expect(await ctx.db.selectFrom('messages').select('id').execute()).toHaveLength(0);
  });

  it('queues one message per contact with parental responsibility, with the right figures and band', async () => {
    const deps = testDeps(ctx.db, ctx.dialect, '2025-09-12T16:30:00Z');
    const progress: { done: number; total: number }[] = [];
    const r = await queueHalfTermSummaries(deps, school.actors.attendance_officer, {
      schoolId: school.schoolId,
      asOf: AS_OF,
      onProgress: (p) => progress.push(p),
    });
    expect(r).toEqual({ pupils: 5, email: 3, sms: 2, noContact: 1, noSessions: 0, alreadyQueued: 0 });
    expect(progress).toEqual([{ done: 5, total: 5 }]);

    const rows = await ctx.db
      .selectFrom('messages')
      .select([
        'pupil_id',
        'channel',
        'to_address',
        'subject',
        'body',
        'kind',
        'status',
        'created_by',
        'next_attempt_at',
      ])
      .where('school_id', '=', school.schoolId)
      .execute();
    expect(rows).toHaveLength(5);
    expect(rows.every((m) => m.kind === SUMMARY_KIND && m.status === 'pending')).toBe(true);
    expect(rows.every((m) => m.created_by === school.actors.attendance_officer.userId)).toBe(true);
    expect(rows.every((m) => m.next_attempt_at === '2025-09-12T16:30:00.000Z')).toBe(true);
    const by = (to: string) => rows.find((m) => m.to_address === to)!;

    const alexMum = by('parent@example.org');
    expect(alexMum.channel).toBe('email');
    expect(alexMum.subject).toBe('Attendance summary for Alex Able to 12 September 2025');
    expect(alexMum.body).toContain('Dear Parent of Alex,');
    expect(alexMum.body).toContain('Attendance: 95.0%');
    expect(alexMum.body).toContain('Sessions missed: 1 of 20');
    expect(alexMum.body).toContain('The school rates this as: Good');
    expect(alexMum.body).toContain('from 1 September 2025 to 12 September 2025');

    const alexDad = by('+447700900456');
    expect(alexDad.channel).toBe('sms');
    expect(alexDad.subject).toBeNull();
    expect(alexDad.body).toContain(
      'Alex Able’s attendance this school year to 12 September 2025 is 95.0% (1 of 20 sessions missed): Good.',
    );
    expect(alexDad.body.length).toBeLessThanOrEqual(918);

    expect(by('+447700900789').body).toContain('100.0% (0 of 20 sessions missed): Excellent');
    expect(by('dee.parent@example.org').body).toContain('Attendance: 55.0%');
    expect(by('dee.parent@example.org').body).toContain('The school rates this as: Serious concern');
    expect(by('eli.parent@example.org').body).toContain('Attendance: 40.0%');
    expect(by('eli.parent@example.org').body).toContain('Sessions missed: 12 of 20');
    expect(by('eli.parent@example.org').body).toContain('The school rates this as: Severe');
    expect(rows.some((m) => m.to_address === 'gran@example.org')).toBe(false);
    expect(rows.some((m) => m.pupil_id === school.pupilsA[1])).toBe(false);

    const audits = await ctx.db
      .selectFrom('audit_log')
      .select(['action', 'user_id', 'details'])
      .where('action', '=', 'messages.queueSummaries')
      .where('school_id', '=', school.schoolId)
      .execute();
    expect(audits).toHaveLength(1);
    expect(audits[0]!.user_id).toBe(school.actors.attendance_officer.userId);
    expect(JSON.parse(audits[0]!.details!)).toMatchObject({ asOf: AS_OF, pupils: 5, email: 3, sms: 2 });
  });

  it('queues nothing twice when run again for the same date', async () => {
    const deps = testDeps(ctx.db, ctx.dialect, '2025-09-12T17:00:00Z');
    const r = await queueHalfTermSummaries(deps, school.actors.senior_leader, {
      schoolId: school.schoolId,
      asOf: AS_OF,
    });
    expect(r).toMatchObject({ email: 0, sms: 0, alreadyQueued: 5 });
    expect(
      await ctx.db.selectFrom('messages').select('id').where('school_id', '=', school.schoolId).execute(),
    ).toHaveLength(5);
  });

  it('reports progress every 100 pupils', async () => {
    const other = school.otherSchoolId;
    const pupils = Array.from({ length: 250 }, (_, i) => ({
      id: `${other}-bulk-${i}`,
      school_id: other,
      upn: `BULK${String(i).padStart(5, '0')}`,
      legal_forename: 'Pupil',
      legal_surname: `Number ${String(i).padStart(3, '0')}`,
      preferred_forename: null,
      preferred_surname: null,
      date_of_birth: '2017-05-01',
      gender: 'F',
      year_group: '3',
      reg_group_id: null,
      admission_date: '2025-09-01',
      leaving_date: null,
      social_worker: null,
      ethnicity: null,
    }));
    await ctx.db.insertInto('pupils').values(pupils).execute();
    await ctx.db
      .insertInto('session_marks')
      .values(
        pupils.map((p) => ({
          pupil_id: p.id,
          date: '2025-09-01',
          session: 'AM',
          code: '/',
          minutes_late: null,
          updated_at: '2025-09-01T09:00:00.000Z',
          updated_by: null,
        })),
      )
      .execute();
    await ctx.db
      .insertInto('contacts')
      .values(
        pupils.map((p, i) => ({
          id: `${p.id}-c`,
          pupil_id: p.id,
          name: 'Parent',
          relationship: 'Mother',
          parental_responsibility: 1,
          lives_with_pupil: 1,
          priority: 1,
          mobile_phone: null,
          home_phone: null,
          work_phone: null,
          email: `parent${i}@example.org`,
        })),
      )
      .execute();
    const progress: { done: number; total: number }[] = [];
    const r = await queueHalfTermSummaries(testDeps(ctx.db, ctx.dialect), SYSTEM_ACTOR, {
      schoolId: other,
      asOf: d('2025-09-01'),
      onProgress: (p) => progress.push(p),
    });
    expect(progress).toEqual([
      { done: 100, total: 250 },
      { done: 200, total: 250 },
      { done: 250, total: 250 },
    ]);
    expect(r).toMatchObject({ pupils: 250, email: 250, sms: 0 });
  });
});
