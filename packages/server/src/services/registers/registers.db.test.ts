import { beforeAll, describe, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/databases.js';
import { d, rejection, seedSmallSchool, testDeps, type SmallSchool } from '../../../test/fixtures.js';
import { pupilHistory } from '../../db/pupils/pupils.js';
import { getPupilRecord } from '../pupils/pupils.js';
import {
  amendMark,
  getRegister,
  lessonGaps,
  recordEarlyLeaver,
  recordLateArrival,
  registerBoard,
  saveRegister,
} from './registers.js';

// Monday 8 September 2025; London is UTC+1. 08:00Z = 09:00 local, inside the AM register (08:50–09:20).
const OPEN = '2025-09-08T08:00:00Z';
// 08:30Z = 09:30 local: the AM register has closed.
const CLOSED = '2025-09-08T08:30:00Z';

describeEachDialect('registers', (ctx) => {
  let school: SmallSchool;
  beforeAll(async () => {
    school = await seedSmallSchool(ctx.db);
  });
  const deps = (iso = OPEN) => testDeps(ctx.db, ctx.dialect, iso);

  describe('taking a session register', () => {
    it('saves all present with exceptions, atomically, with history and the register taken', async () => {
      const [a, b, c] = school.pupilsA as [string, string, string];
      const view = await getRegister(deps(), school.actors.teacher, {
        groupId: school.groupA,
        date: d('2025-09-08'),
        session: 'AM',
      });
      expect(view.state).toBe('open');
      expect(view.version).toBe(0);
      expect(view.pupils.map((p) => p.pupil.surname)).toEqual(['Able', 'Baker', 'Cole']);
      const result = await saveRegister(deps(), school.actors.teacher, {
        groupId: school.groupA,
        date: d('2025-09-08'),
        session: 'AM',
        version: 0,
        marks: [
          { pupilId: a, code: '/' },
          { pupilId: b, code: 'N' },
          { pupilId: c, code: 'L' },
        ],
      });
      expect(result).toEqual({ version: 1, changed: 3 });
      const again = await getRegister(deps(), school.actors.teacher, {
        groupId: school.groupA,
        date: d('2025-09-08'),
        session: 'AM',
      });
      expect(again.pupils.map((p) => [p.code, p.minutesLate])).toEqual([
        ['/', null],
        ['N', null],
        ['L', 10], // marked late at 09:00, the register opened at 08:50
      ]);
      expect(again.version).toBe(1);
      expect(again.takenBy).toBe('Test teacher');
      const history = await pupilHistory(ctx.db, b);
      expect(history).toHaveLength(1);
      expect(history[0]).toMatchObject({
        previousCode: null,
        newCode: 'N',
        userName: 'Test teacher',
        userRole: 'teacher',
        source: 'register',
      });
    });

    it('tells the later of two savers what changed and by whom, and saves nothing of theirs', async () => {
      const [a] = school.pupilsA as [string];
      // Both loaded version 1; the office saves first.
      await saveRegister(deps(), school.actors.office, {
        groupId: school.groupA,
        date: d('2025-09-08'),
        session: 'AM',
        version: 1,
        marks: [{ pupilId: a, code: 'M' }],
      });
      const err = await rejection(
        saveRegister(deps(), school.actors.teacher, {
          groupId: school.groupA,
          date: d('2025-09-08'),
          session: 'AM',
          version: 1,
          marks: [{ pupilId: a, code: 'I', seen: '/' }],
        }),
      );
      expect(err.code).toBe('CONFLICT');
      expect(err.message).toContain('Test office saved this register');
      expect(err.details['changes']).toEqual([
        // The pupil's name, read when the conflict is told (a save reads only the ids on roll).
        expect.objectContaining({ pupilId: a, name: 'Alex Able', code: 'M', changedBy: 'Test office' }),
      ]);
      const view = await getRegister(deps(), school.actors.teacher, {
        groupId: school.groupA,
        date: d('2025-09-08'),
        session: 'AM',
      });
      expect(view.pupils[0]?.code).toBe('M');
      expect(view.version).toBe(2);
    });

    it('refuses a teacher the register of a group they do not teach', async () => {
      const err = await rejection(
        getRegister(deps(), school.actors.teacher, { groupId: school.groupB, date: d('2025-09-08'), session: 'AM' }),
      );
      expect(err.code).toBe('FORBIDDEN');
      const view = await getRegister(deps(), school.teacherB, {
        groupId: school.groupB,
        date: d('2025-09-08'),
        session: 'AM',
      });
      expect(view.pupils).toHaveLength(2);
    });

    it('validates every mark and saves nothing when one is wrong', async () => {
      const [, , c] = school.pupilsA as [string, string, string];
      const err = await rejection(
        saveRegister(deps(), school.actors.office, {
          groupId: school.groupA,
          date: d('2025-09-09'),
          session: 'AM',
          version: 0,
          marks: [
            { pupilId: c, code: '/' },
            { pupilId: c, code: 'H' },
          ],
        }),
      );
      expect(err.code).toBe('VALIDATION');
      expect(err.details.fields).toEqual([
        { field: 'marks.1.pupilId', message: 'This pupil appears twice in the register.' },
        { field: 'marks.1.code', message: expect.stringContaining('pre-2024 code') as string },
      ]);
      const view = await getRegister(deps(), school.actors.office, {
        groupId: school.groupA,
        date: d('2025-09-09'),
        session: 'AM',
      });
      expect(view.pupils.every((p) => p.code === null)).toBe(true);
      expect(view.version).toBe(0);
    });

    it('refuses a date that is not a school session', async () => {
      const err = await rejection(
        getRegister(deps(), school.actors.office, { groupId: school.groupA, date: d('2025-09-26'), session: 'AM' }),
      );
      expect(err.code).toBe('NOT_A_SCHOOL_SESSION');
    });

    it('after the close, a change needs the right to amend and a reason', async () => {
      const [, b] = school.pupilsA as [string, string];
      const view = await getRegister(deps(CLOSED), school.actors.teacher, {
        groupId: school.groupA,
        date: d('2025-09-08'),
        session: 'AM',
      });
      expect(view.state).toBe('closed');
      const byTeacher = await rejection(
        saveRegister(deps(CLOSED), school.actors.teacher, {
          groupId: school.groupA,
          date: d('2025-09-08'),
          session: 'AM',
          version: view.version,
          marks: [{ pupilId: b, code: 'I', reason: 'Parent rang' }],
        }),
      );
      expect(byTeacher.details.fields).toEqual([
        { field: 'marks.0.code', message: expect.stringContaining('ask the office') as string },
      ]);
      const noReason = await rejection(
        saveRegister(deps(CLOSED), school.actors.office, {
          groupId: school.groupA,
          date: d('2025-09-08'),
          session: 'AM',
          version: view.version,
          marks: [{ pupilId: b, code: 'I' }],
        }),
      );
      expect(noReason.details.fields).toEqual([
        { field: 'marks.0.reason', message: expect.stringContaining('reason') as string },
      ]);
      await saveRegister(deps(CLOSED), school.actors.office, {
        groupId: school.groupA,
        date: d('2025-09-08'),
        session: 'AM',
        version: view.version,
        marks: [{ pupilId: b, code: 'I', reason: 'Parent rang at 9:25' }],
      });
      const history = await pupilHistory(ctx.db, b);
      expect(history[0]).toMatchObject({
        previousCode: 'N',
        newCode: 'I',
        reason: 'Parent rang at 9:25',
        userRole: 'office',
      });
    });
  });

  describe('the office', () => {
    it('signs in a late arrival: L before the close with minutes, U after', async () => {
      const [, , c] = school.pupilsA as [string, string, string];
      expect(
        await recordLateArrival(deps(), school.actors.office, {
          pupilId: c,
          date: d('2025-09-10'),
          session: 'AM',
          arrivedAt: '09:05',
        }),
      ).toEqual({ code: 'L', minutesLate: 15 });
      expect(
        await recordLateArrival(deps(), school.actors.office, {
          pupilId: c,
          date: d('2025-09-11'),
          session: 'AM',
          arrivedAt: '09:35',
        }),
      ).toEqual({ code: 'U', minutesLate: 45 });
      const rows = await ctx.db
        .selectFrom('late_arrivals')
        .select(['date', 'code', 'minutes_late'])
        .where('pupil_id', '=', c)
        .orderBy('date')
        .execute();
      expect(rows).toEqual([
        { date: '2025-09-10', code: 'L', minutes_late: 15 },
        { date: '2025-09-11', code: 'U', minutes_late: 45 },
      ]);
    });

    it('records L after the close only for permitted staff, with a reason', async () => {
      const [, , c] = school.pupilsA as [string, string, string];
      const input = { pupilId: c, date: d('2025-09-12'), session: 'AM' as const, arrivedAt: '09:40', keepAsLate: true };
      expect(
        (await rejection(recordLateArrival(deps(), school.actors.office, { ...input, reason: 'Bus broke down' }))).code,
      ).toBe('FORBIDDEN');
      expect((await rejection(recordLateArrival(deps(), school.actors.attendance_officer, input))).code).toBe(
        'REASON_REQUIRED',
      );
      expect(
        await recordLateArrival(deps(), school.actors.attendance_officer, {
          ...input,
          reason: 'School bus broke down',
        }),
      ).toEqual({ code: 'L', minutesLate: 50 });
    });

    it('rejects a bad time and a pupil of another school group with clear fields', async () => {
      const err = await rejection(
        recordLateArrival(deps(), school.actors.office, {
          pupilId: school.pupilsA[0]!,
          date: d('2025-09-13'),
          session: 'AM',
          arrivedAt: '9.5',
        }),
      );
      expect(err.details.fields?.map((f) => f.field)).toEqual(['arrivedAt', 'date']);
    });

    it('records an early leaver', async () => {
      await recordEarlyLeaver(deps(), school.actors.office, {
        pupilId: school.pupilsA[0]!,
        date: d('2025-09-08'),
        leftAt: '11:30',
        reason: 'Dental appointment',
        collectedBy: 'Mother',
      });
      const row = await ctx.db
        .selectFrom('early_leavers')
        .select(['left_at', 'collected_by', 'reason'])
        .where('pupil_id', '=', school.pupilsA[0]!)
        .executeTakeFirstOrThrow();
      expect(row).toEqual({ left_at: '11:30', collected_by: 'Mother', reason: 'Dental appointment' });
      expect(
        (
          await rejection(
            recordEarlyLeaver(deps(), school.actors.teacher, {
              pupilId: school.pupilsA[0]!,
              date: d('2025-09-08'),
              leftAt: '11:30',
              reason: 'x',
            }),
          )
        ).code,
      ).toBe('FORBIDDEN');
    });

    it('refuses an early leaver on a future date or for a pupil not on roll', async () => {
      const future = await rejection(
        recordEarlyLeaver(deps(), school.actors.office, {
          pupilId: school.pupilsA[1]!,
          date: d('2025-09-09'),
          leftAt: '11:30',
          reason: 'Dental appointment',
        }),
      );
      expect(future.code).toBe('VALIDATION');
      expect(future.details.fields).toEqual([
        { field: 'date', message: '2025-09-09 is in the future: record an early leaver on the day.' },
      ]);
      const left = school.pupilsB[1]!;
      await ctx.db.updateTable('pupils').set({ leaving_date: '2025-09-05' }).where('id', '=', left).execute();
      try {
        const off = await rejection(
          recordEarlyLeaver(deps(), school.actors.office, {
            pupilId: left,
            date: d('2025-09-08'),
            leftAt: '11:30',
            reason: 'Dental appointment',
          }),
        );
        expect(off.details.fields).toEqual([{ field: 'pupilId', message: 'The pupil is not on roll on that date.' }]);
      } finally {
        await ctx.db.updateTable('pupils').set({ leaving_date: null }).where('id', '=', left).execute();
      }
      const stored = await ctx.db
        .selectFrom('early_leavers')
        .select('id')
        .where('pupil_id', 'in', [school.pupilsA[1]!, left])
        .execute();
      expect(stored).toEqual([]);
    });

    it('amends a mark with a reason, kept in the history', async () => {
      const [a] = school.pupilsA as [string];
      await amendMark(deps(CLOSED), school.actors.attendance_officer, {
        pupilId: a,
        date: d('2025-09-08'),
        session: 'AM',
        code: 'I',
        reason: 'Medical evidence received',
      });
      const h = await pupilHistory(ctx.db, a);
      expect(h[0]).toMatchObject({
        previousCode: 'M',
        newCode: 'I',
        reason: 'Medical evidence received',
        userName: 'Test attendance_officer',
        userRole: 'attendance_officer',
        source: 'office',
      });
      const err = await rejection(
        amendMark(deps(CLOSED), school.actors.attendance_officer, {
          pupilId: a,
          date: d('2025-09-08'),
          session: 'AM',
          code: 'I',
          reason: ' ',
        }),
      );
      expect(err.details.fields).toEqual([{ field: 'reason', message: 'Give the reason for the amendment.' }]);
    });
  });

  describe('the register board', () => {
    it('shows which registers were not taken by the close', async () => {
      const board = await registerBoard(deps(CLOSED), school.actors.office, {
        schoolId: school.schoolId,
        date: d('2025-09-08'),
      });
      const byName = Object.fromEntries(board.rows.map((r) => [r.group.name, r.sessions]));
      expect(byName['Year 3 Oak']?.AM).toMatchObject({ status: 'taken', pupils: 3, marked: 3 });
      expect(byName['Year 4 Ash']?.AM).toMatchObject({ status: 'notTaken', pupils: 2, marked: 0 });
      expect(byName['Year 4 Ash']?.PM.status).toBe('notYetOpen');
      expect(board.notTaken).toBe(1);
      expect(
        (
          await rejection(
            registerBoard(deps(), school.actors.teacher, { schoolId: school.schoolId, date: d('2025-09-08') }),
          )
        ).code,
      ).toBe('FORBIDDEN');
    });
  });

  describe('lesson registers', () => {
    it('flags a pupil present at registration but absent from a later lesson', async () => {
      // Monday 15 September: AM registration, then the P2 maths lesson at 10:00.
      const [a, b, c] = school.pupilsA as [string, string, string];
      const at = '2025-09-15T08:00:00Z';
      await saveRegister(deps(at), school.actors.teacher, {
        groupId: school.groupA,
        date: d('2025-09-15'),
        session: 'AM',
        version: 0,
        marks: [
          { pupilId: a, code: '/' },
          { pupilId: b, code: '/' },
          { pupilId: c, code: 'N' },
        ],
      });
      await saveRegister(deps('2025-09-15T09:05:00Z'), school.actors.teacher, {
        groupId: school.teachingGroup,
        date: d('2025-09-15'),
        session: 'AM',
        lessonId: school.lessonId,
        version: 0,
        marks: [
          { pupilId: a, code: '/' },
          { pupilId: b, code: 'N' },
          { pupilId: c, code: 'N' },
        ],
      });
      const view = await getRegister(deps('2025-09-15T09:05:00Z'), school.actors.teacher, {
        groupId: school.teachingGroup,
        date: d('2025-09-15'),
        session: 'AM',
        lessonId: school.lessonId,
      });
      expect(view.pupils.map((p) => [p.pupil.surname, p.code, p.sessionCode, p.missingFromLesson])).toEqual([
        ['Able', '/', '/', false],
        ['Baker', 'N', '/', true],
        ['Cole', 'N', 'N', false],
      ]);
      // The board lists the same pupil for the office to find.
      const gaps = await lessonGaps(deps(at), school.actors.office, {
        schoolId: school.schoolId,
        date: d('2025-09-15'),
      });
      expect(gaps.map((g) => [g.name, g.sessionCode, g.period, g.lessonCode])).toEqual([['Bea Baker', '/', 'P2', 'N']]);
      expect(
        (
          await rejection(
            lessonGaps(deps(at), school.actors.teacher, { schoolId: school.schoolId, date: d('2025-09-15') }),
          )
        ).code,
      ).toBe('FORBIDDEN');
      // Lesson marks never change the statutory session mark.
      const session = await getRegister(deps(at), school.actors.teacher, {
        groupId: school.groupA,
        date: d('2025-09-15'),
        session: 'AM',
      });
      expect(session.pupils[1]?.code).toBe('/');
    });
  });

  describe('the pupil record', () => {
    it('gives the measures, hides safeguarding from a teacher, and audits the read', async () => {
      const [a] = school.pupilsA as [string];
      const asTeacher = await getPupilRecord(deps(CLOSED), school.actors.teacher, a, d('2025-09-15'));
      expect(asTeacher.pupil.safeguarding).toBeNull();
      expect(asTeacher.contacts).toBeNull();
      expect(asTeacher.measures.possibleSessions).toBe(2); // 8 Sep AM (I) and 15 Sep AM (/)
      expect(asTeacher.measures.codeCounts).toEqual({ '/': 1, I: 1 });
      expect(asTeacher.days.find((x) => x.date === '2025-09-08')?.am).toEqual({ code: 'I', category: 'authorised' });
      const asOfficer = await getPupilRecord(deps(CLOSED), school.actors.attendance_officer, a, d('2025-09-15'));
      expect(asOfficer.pupil.safeguarding).toMatchObject({ cp: true, socialWorker: 'Social worker (test)' });
      expect(asOfficer.contacts?.[0]).toMatchObject({ name: 'Parent of Alex', mobilePhone: '07700 900123' });
      const audits = await ctx.db
        .selectFrom('audit_log')
        .select(['user_role'])
        .where('action', '=', 'pupil.view')
        .where('pupil_id', '=', a)
        .execute();
      expect(audits.map((r) => r.user_role).sort()).toEqual(['attendance_officer', 'teacher']);
    });

    it('lets a parent see only their own child', async () => {
      const mine = await getPupilRecord(deps(), school.parent, school.pupilsA[0]!);
      expect(mine.pupil.upn).toBe('B801200005001');
      expect((await rejection(getPupilRecord(deps(), school.parent, school.pupilsA[1]!))).code).toBe('FORBIDDEN');
    });

    it('refuses a teacher a pupil outside their groups, and staff of another school', async () => {
      expect((await rejection(getPupilRecord(deps(), school.actors.teacher, school.pupilsB[0]!))).code).toBe(
        'FORBIDDEN',
      );
      const stranger = { ...school.actors.office, schoolId: school.otherSchoolId };
      expect((await rejection(getPupilRecord(deps(), stranger, school.pupilsA[0]!))).code).toBe('FORBIDDEN');
    });
  });
  // Last: it writes marks (and history) later than any other test's, which read the newest first.
  describe('a register and the office at once', () => {
    it('keeps a mark the office wrote after the teacher loaded the register, unless the teacher changed it too', async () => {
      const [a, b, c] = school.pupilsA as [string, string, string];
      // Tuesday 16 September, 09:00 local: the AM register is open.
      const at = (iso: string) => deps(`2025-09-16T${iso}Z`);
      const where = { groupId: school.groupA, date: d('2025-09-16'), session: 'AM' as const };
      await saveRegister(at('07:55:00'), school.actors.teacher, {
        ...where,
        version: 0,
        marks: [
          { pupilId: a, code: '/' },
          { pupilId: b, code: 'N' },
          { pupilId: c, code: '/' },
        ],
      });
      // The teacher's page still shows B absent (N) when the office signs B in late.
      expect(
        await recordLateArrival(at('08:05:00'), school.actors.office, { ...where, pupilId: b, arrivedAt: '09:05' }),
      ).toEqual({ code: 'L', minutesLate: 15 });
      // The teacher corrects A from that page: B, untouched, keeps the office's L.
      expect(
        await saveRegister(at('08:10:00'), school.actors.teacher, {
          ...where,
          version: 1,
          marks: [
            { pupilId: a, code: 'I', seen: '/' },
            { pupilId: b, code: 'N', seen: 'N' },
            { pupilId: c, code: '/', seen: '/' },
          ],
        }),
      ).toEqual({ version: 2, changed: 1 });
      const view = await getRegister(at('08:11:00'), school.actors.teacher, where);
      expect(view.pupils.map((p) => [p.code, p.minutesLate])).toEqual([
        ['I', null],
        ['L', 15],
        ['/', null],
      ]);
      expect((await pupilHistory(ctx.db, b)).filter((h) => h.date === '2025-09-16').map((h) => h.newCode)).toEqual(
        expect.arrayContaining(['N', 'L']),
      );
      // From a page loaded before the late arrival, changing B too is a conflict naming the office.
      const err = await rejection(
        saveRegister(at('08:12:00'), school.actors.teacher, {
          ...where,
          version: 2,
          marks: [
            { pupilId: a, code: 'I', seen: 'I' },
            { pupilId: b, code: 'M', seen: 'N' },
            { pupilId: c, code: 'B', seen: '/' },
          ],
        }),
      );
      expect(err.code).toBe('CONFLICT');
      expect(err.message).toContain('Test office changed a mark you also changed');
      expect(err.details['changes']).toEqual([
        expect.objectContaining({ pupilId: b, name: 'Bea Baker', code: 'L', changedBy: 'Test office' }),
      ]);
      const after = await getRegister(at('08:13:00'), school.actors.teacher, where);
      expect(after.version).toBe(2);
      expect(after.pupils.map((p) => p.code)).toEqual(['I', 'L', '/']);
    });

    it('keeps the minutes the office recorded for a pupil the teacher had already marked late', async () => {
      const [a, b, c] = school.pupilsA as [string, string, string];
      const at = (iso: string) => deps(`2025-09-17T${iso}Z`);
      const where = { groupId: school.groupA, date: d('2025-09-17'), session: 'AM' as const };
      // 09:00: the teacher marks B late (10 minutes from the 08:50 opening).
      await saveRegister(at('08:00:00'), school.actors.teacher, {
        ...where,
        version: 0,
        marks: [
          { pupilId: a, code: '/' },
          { pupilId: b, code: 'L' },
          { pupilId: c, code: '/' },
        ],
      });
      // B also signs in at the office, at 09:05: still L, now 15 minutes.
      await recordLateArrival(at('08:06:00'), school.actors.office, { ...where, pupilId: b, arrivedAt: '09:05' });
      // The teacher corrects A from the page still showing B late by 10: B keeps the office's 15.
      const seen = [
        { pupilId: a, seen: '/', seenMinutes: null },
        { pupilId: b, seen: 'L', seenMinutes: 10 },
        { pupilId: c, seen: '/', seenMinutes: null },
      ];
      expect(
        await saveRegister(at('08:10:00'), school.actors.teacher, {
          ...where,
          version: 1,
          marks: [
            { ...seen[0]!, code: 'I' },
            { ...seen[1]!, code: 'L', minutesLate: 10 },
            { ...seen[2]!, code: '/' },
          ],
        }),
      ).toEqual({ version: 2, changed: 1 });
      const view = await getRegister(at('08:11:00'), school.actors.teacher, where);
      expect(view.pupils.map((p) => [p.code, p.minutesLate])).toEqual([
        ['I', null],
        ['L', 15],
        ['/', null],
      ]);
      // Changing B's minutes from that same page is a conflict naming the office and the minutes now.
      const err = await rejection(
        saveRegister(at('08:12:00'), school.actors.teacher, {
          ...where,
          version: 2,
          marks: [
            { pupilId: a, seen: 'I', seenMinutes: null, code: 'I' },
            { ...seen[1]!, code: 'L', minutesLate: 12 },
            { ...seen[2]!, code: '/' },
          ],
        }),
      );
      expect(err.code).toBe('CONFLICT');
      expect(err.message).toContain('Test office changed a mark you also changed');
      expect(err.details['changes']).toEqual([
        expect.objectContaining({ pupilId: b, code: 'L', minutesLate: 15, changedBy: 'Test office' }),
      ]);
    });
  });
});
