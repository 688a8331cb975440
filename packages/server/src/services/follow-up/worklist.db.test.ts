import type { PlainDate, Session } from '@rollcall/domain';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/databases.js';
import { d, seedSmallSchool, testDeps, type SmallSchool } from '../../../test/fixtures.js';
import { writeSessionMarks } from '../../db/registers/registers.js';
import { recordHomeVisit } from './home-visits.js';
import { saveRegister } from '../registers/registers.js';
import {
  consecutiveUnexplainedDays,
  dueSteps,
  recordContactAttempt,
  resolveAbsence,
  staleN,
  worklist,
  type Worklist,
} from './worklist.js';
import { compileCalendar } from '@rollcall/domain';
import { AppError } from '../errors.js';

/** Monday 8 September 2025: 08:45 (registers open) and 09:25 (the morning register has closed) in London. */
const AT_0845 = '2025-09-08T07:45:00Z';
const AT_0925 = '2025-09-08T08:25:00Z';

function fieldsOf(e: unknown): string[] {
  if (!(e instanceof AppError)) throw e as Error;
  return (e.details.fields ?? []).map((f) => f.field);
}

async function caught(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

describe('the escalation ladder (pure)', () => {
  const base = {
    vulnerable: false,
    socialWorker: false,
    contactCount: 1,
    contactsTriedToday: 0,
    reasonGivenToday: false,
    visitDoneToday: false,
    visitPlannedToday: false,
    nobodyFoundOnVisit: false,
  };
  const kinds = (day: number, more: Partial<typeof base> = {}) =>
    dueSteps({ ...base, ...more, day }).map((s) => s.kind);

  it('calls every day, visits on day 3 and every 3 days, at once if vulnerable, CME at 10 and 20', () => {
    expect(kinds(1)).toEqual(['call']);
    expect(kinds(2)).toEqual(['call']);
    expect(kinds(3)).toEqual(['homeVisit', 'call']);
    expect(kinds(4)).toEqual(['call']);
    expect(kinds(6)).toEqual(['homeVisit', 'call']);
    expect(kinds(1, { vulnerable: true })).toEqual(['homeVisit', 'call']);
    expect(kinds(1, { socialWorker: true })).toEqual(['socialWorker', 'call']);
    expect(kinds(2, { nobodyFoundOnVisit: true })).toEqual(['letter', 'call']);
    expect(kinds(10)).toEqual(['cmeEnquiries', 'call']);
    expect(kinds(21)).toEqual(['cmeReferral', 'homeVisit', 'call']);
    expect(dueSteps({ ...base, day: 3 })[0]!.explanation).toBe(
      'Day 3 of unexplained absence: home visit due (policy: day 3, then every 3 days)',
    );
  });

  it('counts a run over school days, skipping weekends and not-possible days, broken by any other mark', () => {
    const cal = compileCalendar({ terms: [{ name: 'A', start: d('2025-09-01'), end: d('2025-10-24') }], closures: [] });
    if (!cal.ok) throw new Error('calendar');
    const m = new Map<string, string>([
      ['2025-09-04/AM', '/'],
      ['2025-09-04/PM', '/'],
      ['2025-09-05/AM', 'N'],
      ['2025-09-05/PM', 'O'],
      ['2025-09-08/AM', '#'],
      ['2025-09-08/PM', '#'],
      ['2025-09-09/AM', 'N'],
      ['2025-09-09/PM', 'N'],
      ['2025-09-10/AM', 'N'],
    ]);
    expect(consecutiveUnexplainedDays(cal.value, m, d('2025-09-10'))).toBe(3);
    expect(consecutiveUnexplainedDays(cal.value, m, d('2025-09-04'))).toBe(0);
  });
});

describeEachDialect('first-day response worklist', (ctx) => {
  let school: SmallSchool;
  const deps = (iso = AT_0925) => testDeps(ctx.db, ctx.dialect, iso);

  async function mark(pupilId: string, date: string, session: Session, code: string): Promise<void> {
    await writeSessionMarks(
      ctx.db,
      [
        {
          pupilId,
          date: d(date),
          session,
          code,
          minutesLate: null,
          previousCode: null,
          previousMinutesLate: null,
          reason: null,
        },
      ],
      { userId: null, userName: 'Test', userRole: 'teacher', at: '2025-09-01T08:00:00.000Z', source: 'register' },
    );
  }

  beforeAll(async () => {
    school = await seedSmallSchool(ctx.db);
    // Dee Dale had an unexplained absence last week.
    await mark(school.pupilsB[0]!, '2025-09-03', 'AM', 'O');
    // The morning registers, taken by 08:45.
    const [alex, bea, cal] = school.pupilsA;
    await saveRegister(deps(AT_0845), school.actors.teacher, {
      groupId: school.groupA,
      date: d('2025-09-08'),
      session: 'AM',
      version: 0,
      marks: [
        { pupilId: alex!, code: 'N' },
        { pupilId: bea!, code: 'N' },
        { pupilId: cal!, code: '/' },
      ],
    });
    await saveRegister(deps(AT_0845), school.actors.office, {
      groupId: school.groupB,
      date: d('2025-09-08'),
      session: 'AM',
      version: 0,
      marks: [
        { pupilId: school.pupilsB[0]!, code: 'N' },
        { pupilId: school.pupilsB[1]!, code: '/' },
      ],
    });
  });

  const entryOf = (w: Worklist, id: string) => w.entries.find((e) => e.pupilId === id)!;

  it('at 9:25 lists the pupils with N, vulnerable first, with contacts for the office', async () => {
    const w = await worklist(deps(), school.actors.office, { schoolId: school.schoolId, date: d('2025-09-08') });
    expect(w.entries.map((e) => e.name)).toEqual(['Alex Able', 'Dee Dale', 'Bea Baker']);
    const alex = w.entries[0]!;
    expect(alex.vulnerable).toBe(true);
    // The office does not see safeguarding details, only that the pupil is vulnerable.
    expect(alex.vulnerabilityLabels).toEqual(['Vulnerable (ask the DSL)']);
    expect(alex.nSessions).toEqual(['AM']);
    expect(alex.consecutiveDays).toBe(1);
    expect(alex.contacts).toEqual([
      {
        id: expect.any(String) as string,
        name: 'Parent of Alex',
        relationship: 'Mother',
        priority: 1,
        phones: [{ label: 'Mobile', number: '07700 900123' }],
      },
    ]);
    expect(alex.due.map((s) => s.kind)).toEqual(['homeVisit', 'socialWorker', 'call']);
    expect(alex.due[0]!.explanation).toContain('home visit due at once');
    expect(w.entries[1]!.vulnerabilityLabels).toEqual(['1 earlier unexplained session this year']);
    expect(w.entries[2]!.due.map((s) => s.kind)).toEqual(['call']);
  });

  it('shows safeguarding reasons to the attendance officer, refuses the local authority (aggregates only) and a teacher', async () => {
    const q = { schoolId: school.schoolId, date: d('2025-09-08') };
    const officer = await worklist(deps(), school.actors.attendance_officer, q);
    expect(officer.entries[0]!.vulnerabilityLabels).toEqual(['Child protection plan', 'Social worker']);
    // Issue 16: a school's list of named pupils is not the LA's to read.
    expect(((await caught(worklist(deps(), school.actors.la_officer, q))) as AppError).code).toBe('FORBIDDEN');
    const e = await caught(worklist(deps(), school.actors.teacher, q));
    expect((e as AppError).code).toBe('FORBIDDEN');
  });

  it('records a contact attempt with validation; a reason given is offered for resolving', async () => {
    const bea = school.pupilsA[1]!;
    const bad = await caught(
      recordContactAttempt(deps(), school.actors.office, {
        pupilId: bea,
        absenceDate: d('2025-09-08'),
        method: 'pigeon',
        outcome: 'reason_given',
      }),
    );
    expect(fieldsOf(bad)).toEqual(['method', 'reason']);
    const forbidden = await caught(
      recordContactAttempt(deps(), school.actors.senco, {
        pupilId: bea,
        absenceDate: d('2025-09-08'),
        method: 'call',
        outcome: 'no_answer',
      }),
    );
    expect((forbidden as AppError).code).toBe('FORBIDDEN');
    await recordContactAttempt(deps(), school.actors.office, {
      pupilId: bea,
      absenceDate: d('2025-09-08'),
      method: 'call',
      outcome: 'reason_given',
      reason: 'illness',
      notes: 'Father called back: temperature',
    });
    const w = await worklist(deps(), school.actors.office, { schoolId: school.schoolId, date: d('2025-09-08') });
    const entry = entryOf(w, bea);
    expect(entry.attempts).toMatchObject([
      { method: 'call', outcome: 'reason_given', reason: 'illness', notes: 'Father called back: temperature' },
    ]);
    expect(entry.offerResolve).toEqual({ reason: 'illness', code: 'I' });
    expect(entry.due.find((s) => s.kind === 'call')!.done).toBe(true);
    const audited = await ctx.db
      .selectFrom('audit_log')
      .select('action')
      .where('pupil_id', '=', bea)
      .where('action', '=', 'absence.contactAttempt')
      .execute();
    expect(audited).toHaveLength(1);
  });

  it('resolving re-codes the N with history, and the pupil leaves the worklist', async () => {
    const bea = school.pupilsA[1]!;
    const bad = await caught(
      resolveAbsence(deps(), school.actors.office, {
        pupilId: bea,
        date: d('2025-09-08'),
        sessions: [],
        code: 'N',
        reason: ' ',
      }),
    );
    expect(fieldsOf(bad)).toEqual(['sessions', 'code', 'reason']);
    const changed = await resolveAbsence(deps(), school.actors.office, {
      pupilId: bea,
      date: d('2025-09-08'),
      sessions: ['AM'],
      code: 'I',
      reason: 'Father called: illness',
    });
    expect(changed).toBe(1);
    const history = await ctx.db
      .selectFrom('mark_history')
      .select(['previous_code', 'new_code', 'reason', 'source', 'user_role'])
      .where('pupil_id', '=', bea)
      .orderBy('at')
      .execute();
    expect(history.at(-1)).toEqual({
      previous_code: 'N',
      new_code: 'I',
      reason: 'Father called: illness',
      source: 'office',
      user_role: 'office',
    });
    const w = await worklist(deps(), school.actors.office, { schoolId: school.schoolId, date: d('2025-09-08') });
    expect(w.entries.map((e) => e.name)).toEqual(['Alex Able', 'Dee Dale']);
    const again = await caught(
      resolveAbsence(deps(), school.actors.office, {
        pupilId: bea,
        date: d('2025-09-08'),
        sessions: ['AM'],
        code: 'I',
        reason: 'again',
      }),
    );
    expect(fieldsOf(again)).toEqual(['sessions']);
  });

  it('a three-day absence makes a home visit due; a visit that found nobody makes the letter due', async () => {
    const cal = school.pupilsA[2]!;
    for (const date of ['2025-09-15', '2025-09-16', '2025-09-17'])
      for (const s of ['AM', 'PM'] as const) await mark(cal, date, s, 'N');
    await mark(school.pupilsB[1]!, '2025-09-16', 'AM', '/');
    await mark(school.pupilsB[1]!, '2025-09-17', 'AM', 'N');
    const at = (date: string) => deps(`${date}T08:25:00Z`);
    const day2 = await worklist(at('2025-09-16'), school.actors.office, {
      schoolId: school.schoolId,
      date: d('2025-09-16'),
    });
    expect(entryOf(day2, cal).consecutiveDays).toBe(2);
    expect(entryOf(day2, cal).due.map((s) => s.kind)).toEqual(['call']);
    const day3 = await worklist(at('2025-09-17'), school.actors.office, {
      schoolId: school.schoolId,
      date: d('2025-09-17'),
    });
    const entry = entryOf(day3, cal);
    expect(entry.consecutiveDays).toBe(3);
    expect(entry.nSessions).toEqual(['AM', 'PM']);
    expect(entry.due[0]).toEqual({
      kind: 'homeVisit',
      explanation: 'Day 3 of unexplained absence: home visit due (policy: day 3, then every 3 days)',
      done: false,
    });
    expect(entryOf(day3, school.pupilsB[1]!).consecutiveDays).toBe(1);

    await recordHomeVisit(at('2025-09-17'), school.actors.office, {
      pupilId: cal,
      visitDate: '2025-09-17',
      visitTime: '09:05',
      staff: 'Test office and Test attendance officer',
      pair: true,
      childSeen: false,
      present: '',
      discussed: '',
      callingCardLeft: true,
      safeguardingConcern: false,
      nextSteps: 'Letter today',
    });
    const after = await worklist(at('2025-09-17'), school.actors.office, {
      schoolId: school.schoolId,
      date: d('2025-09-17'),
    });
    const steps = entryOf(after, cal).due;
    expect(steps.map((s) => [s.kind, s.done])).toEqual([
      ['homeVisit', true],
      ['letter', false],
      ['call', false],
    ]);
    expect(entryOf(after, cal).homeVisits).toMatchObject([
      { status: 'done', visitedOn: '2025-09-17', visitedTime: '09:05', callingCardLeft: true, nobodyHome: true },
    ]);
  });

  it('lists N marks older than 5 school days (the domain’s reading)', async () => {
    const other = await seedSmallSchool(ctx.db);
    const bea = other.pupilsA[1]!;
    await mark(bea, '2025-09-02', 'PM', 'N');
    const q = (asOf: string) =>
      staleN(deps(`${asOf}T12:00:00Z`), other.actors.office, { schoolId: other.schoolId, asOf: asOf as PlainDate });
    // Tuesday 2nd is school day 1; Tuesday 9th is day 6 (5 after); Wednesday 10th is day 7.
    expect(await q('2025-09-09')).toEqual([]);
    expect(await q('2025-09-10')).toEqual([
      { pupilId: bea, name: 'Bea Baker', date: '2025-09-02', session: 'PM', schoolDaysOld: 6 },
    ]);
    const e = await caught(staleN(deps(), other.actors.teacher, { schoolId: other.schoolId, asOf: d('2025-09-10') }));
    expect((e as AppError).code).toBe('FORBIDDEN');
  });
});
