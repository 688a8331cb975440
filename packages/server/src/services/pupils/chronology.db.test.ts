import type { PlainDate } from '@rollcall/domain';
import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/databases.js';
import { seedSmallSchool, testDeps, type SmallSchool } from '../../../test/fixtures.js';
import { setSessionMark } from '../../db/registers/registers.js';
import { decideReport, reportAbsence } from '../follow-up/absence-reports.js';
import { chronology } from './chronology.js';
import { AppError } from '../errors.js';
import { planHomeVisit } from '../follow-up/home-visits.js';
import { queueMessage } from '../messages.js';
import { forgetCalendar } from '../registers/registers.js';
import { recordContactAttempt } from '../follow-up/worklist.js';

describeEachDialect('chronology', (ctx) => {
  let school: SmallSchool;
  const at = (iso: string) => testDeps(ctx.db, ctx.dialect, iso);
  beforeAll(async () => {
    forgetCalendar();
    school = await seedSmallSchool(ctx.db);
    const pupilId = school.pupilsA[0]!;
    await setSessionMark(
      ctx.db,
      { pupilId, date: '2025-09-08' as PlainDate, session: 'AM', code: 'N', minutesLate: null, reason: null },
      {
        userId: null,
        userName: 'Test teacher',
        userRole: 'teacher',
        at: '2025-09-08T07:50:00.000Z',
        source: 'register',
      },
    );
    await recordContactAttempt(at('2025-09-08T08:40:00Z'), school.actors.office, {
      pupilId,
      absenceDate: '2025-09-08' as PlainDate,
      method: 'call',
      contactId: null,
      outcome: 'no_answer',
    });
    const report = await reportAbsence(at('2025-09-08T08:50:00Z'), school.parent, {
      pupilId,
      fromDate: '2025-09-08',
      toDate: '2025-09-08',
      sessions: 'ALL',
      reason: 'illness',
    });
    await planHomeVisit(at('2025-09-08T09:00:00Z'), school.actors.office, {
      pupilId,
      plannedFor: '2025-09-10',
      reason: 'Check in',
    });
    await decideReport(at('2025-09-08T09:10:00Z'), school.actors.office, { reportId: report.id, decision: 'confirm' });
    for (const [to, body] of [
      ['parent@example.org', 'To the parent'],
      ['someone-else@example.org', 'To another contact'],
    ] as const) {
      await queueMessage(ctx.db, {
        schoolId: school.schoolId,
        pupilId,
        channel: 'email',
        to,
        subject: 'Attendance',
        body,
        kind: 'test',
        createdBy: school.actors.office.userId,
        now: '2025-09-08T09:20:00.000Z',
      });
    }
  });

  it('staff see every part, newest first, with who did it', async () => {
    const list = await chronology(at('2025-09-08T10:00:00Z'), school.actors.attendance_officer, school.pupilsA[0]!);
    expect(list.map((e) => e.kind)).toEqual([
      'message',
      'message',
      'mark',
      'mark',
      'homeVisit',
      'absenceReport',
      'contact',
      'mark',
    ]);
    expect(list.find((e) => e.kind === 'contact')).toMatchObject({ title: 'Call: no answer', who: 'Test office' });
    expect(list.filter((e) => e.kind === 'mark').map((e) => e.title)).toEqual([
      '2025-09-08 PM: no mark → I',
      '2025-09-08 AM: N → I',
      '2025-09-08 AM: no mark → N',
    ]);
    expect(list.find((e) => e.kind === 'absenceReport')).toMatchObject({
      title: 'Absence reported for 2025-09-08: illness (confirmed)',
      who: 'Test parent',
    });
  });

  it('a parent sees their own reports, messages to them, and mark changes without who', async () => {
    const list = await chronology(at('2025-09-08T10:00:00Z'), school.parent, school.pupilsA[0]!);
    expect(list.map((e) => e.kind)).toEqual(['message', 'mark', 'mark', 'absenceReport', 'mark']);
    expect(list[0]).toMatchObject({ detail: 'To the parent', who: null });
    expect(list.filter((e) => e.kind === 'mark').every((e) => e.who === null)).toBe(true);
    expect(list[1]?.title).toBe('2025-09-08 PM: I');
  });

  it("refuses another child's chronology", async () => {
    await expect(chronology(at('2025-09-08T10:00:00Z'), school.parent, school.pupilsA[1]!)).rejects.toBeInstanceOf(
      AppError,
    );
  });
});
