import type { PlainDate } from '@rollcall/domain';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeEachDialect } from '../../../../test/databases.js';
import { rejection, testDeps } from '../../../../test/fixtures.js';
import { runAuditRegisters } from '../../../cli/audit-registers.js';
import { fixedClock } from '../../../platform/clock.js';
import { newId } from '../../../platform/ids.js';
import { SYSTEM_ACTOR, type Actor } from '../../authz.js';
import { importSchoolData } from '../../exchange/import/import-school-data.js';
import { CALENDAR, DAYS, groupsCsv, markRows, marksCsv, pupilsCsv, UPN } from '../../exchange/import/test-support.js';
import { amendMark, forgetCalendar } from '../../registers/registers.js';
import { FINDING_KINDS, registerHref, runRegisterAudit, type Finding } from './register-audit.js';

// Friday 12 September 2025, 19:00 in London: every register of the fortnight is due.
const NOW = '2025-09-12T18:00:00.000Z';
const MON_FRI = new Set(['2025-09-01', '2025-09-05', '2025-09-08', '2025-09-12']);

/** The fixture's marks, with I on every Monday and Friday session for Alex and Bea (11 of them). */
function craftedMarks(): string[][] {
  return markRows().map((r) => {
    const [upn, date] = r as [string, string];
    if (
      (upn === UPN.alex || (upn === UPN.bea && r[2] !== '#' && (date === '2025-09-01' || date === '2025-09-08'))) &&
      MON_FRI.has(date) &&
      r[3] !== '#'
    )
      return [upn, date, r[2]!, 'I', ''];
    return r;
  });
}

describeEachDialect('the register audit', (ctx) => {
  const deps = () => ({ db: ctx.db, dialect: ctx.dialect, clock: fixedClock(NOW) });
  let schoolId = '';
  let groups: Record<string, string> = {};
  let ids: Record<string, string> = {};
  let findings: readonly Finding[] = [];

  beforeAll(async () => {
    forgetCalendar();
    const report = await importSchoolData(deps(), SYSTEM_ACTOR, {
      urn: '400001',
      school: { name: 'Audit Primary', phase: 'primary', laCode: '330' },
      calendar: { name: 'calendar.json', text: JSON.stringify(CALENDAR) },
      pupils: { name: 'pupils.csv', text: pupilsCsv() },
      marks: { name: 'marks.csv', text: marksCsv(craftedMarks()) },
      groups: { name: 'groups.csv', text: groupsCsv() },
    });
    schoolId = report.school.id;
    const db = ctx.db;
    groups = Object.fromEntries(
      (await db.selectFrom('groups').select(['id', 'name']).where('school_id', '=', schoolId).execute()).map((g) => [
        g.name,
        g.id,
      ]),
    );
    ids = Object.fromEntries(
      (await db.selectFrom('pupils').select(['id', 'upn']).where('school_id', '=', schoolId).execute()).map((p) => [
        p.upn,
        p.id,
      ]),
    );
    // Registers taken on time (08:55 AM, 13:05 PM London = 07:55Z, 12:05Z), except: 6B's AM on
    // Thursday the 4th not taken, 5A's PM on Tuesday the 9th taken at 14:30.
    let n = 0;
    for (const date of DAYS) {
      for (const session of ['AM', 'PM'] as const) {
        if (date === '2025-09-05' && session === 'PM') continue;
        for (const g of ['5A', '6B']) {
          if (g === '6B' && date === '2025-09-04' && session === 'AM') continue;
          const late = g === '5A' && date === '2025-09-09' && session === 'PM';
          const time = late ? '13:30' : session === 'AM' ? '07:55' : '12:05';
          await db
            .insertInto('registers')
            .values({
              id: `r-${ctx.dialect}-${n++}`,
              school_id: schoolId,
              group_id: groups[g]!,
              date,
              session,
              lesson_id: null,
              version: 1,
              taken_at: `${date}T${time}:00.000Z`,
              taken_by: null,
              updated_at: `${date}T${time}:00.000Z`,
              updated_by: null,
            })
            .execute();
        }
      }
    }
    const mark = (upn: string, date: string, session: string) =>
      db
        .updateTable('session_marks')
        .where('pupil_id', '=', ids[upn]!)
        .where('date', '=', date)
        .where('session', '=', session);
    // Bea has no mark on Wednesday the 10th AM.
    await db
      .deleteFrom('session_marks')
      .where('pupil_id', '=', ids[UPN.bea]!)
      .where('date', '=', '2025-09-10')
      .where('session', '=', 'AM')
      .execute();
    // N on Wednesday the 3rd (7 school days old by the 12th) and Wednesday the 10th (2 days).
    await mark(UPN.cal, '2025-09-03', 'AM').set({ code: 'N' }).execute();
    await mark(UPN.cal, '2025-09-10', 'PM').set({ code: 'N' }).execute();
    // # on Tuesday the 9th PM, an open session.
    await mark(UPN.bea, '2025-09-09', 'PM').set({ code: '#' }).execute();
    const history = (over: Record<string, string | null>) =>
      db
        .insertInto('mark_history')
        .values({
          // UUIDv7, as Rollcall writes them: the analysis cache's change feed reads history by id.
          id: newId(),
          pupil_id: over['pupil_id']!,
          date: over['date']!,
          session: over['session']!,
          lesson_id: null,
          previous_code: over['previous_code'] ?? null,
          new_code: over['new_code']!,
          previous_minutes_late: null,
          new_minutes_late: null,
          reason: over['reason'] ?? null,
          user_id: null,
          user_name: 'Office One',
          user_role: 'office',
          at: over['at']!,
          source: 'office',
        })
        .execute();
    // L recorded at 10:30 on Thursday the 11th (after the 09:20 close) with no reason; another with one.
    await history({
      pupil_id: ids[UPN.cal]!,
      date: '2025-09-11',
      session: 'AM',
      previous_code: 'N',
      new_code: 'L',
      at: '2025-09-11T09:30:00.000Z',
    });
    await history({
      pupil_id: ids[UPN.alex]!,
      date: '2025-09-11',
      session: 'AM',
      previous_code: 'N',
      new_code: 'L',
      reason: 'Bus broke down',
      at: '2025-09-11T09:31:00.000Z',
    });
    // An amendment without a reason (blank), and one with a reason.
    await history({
      pupil_id: ids[UPN.bea]!,
      date: '2025-09-02',
      session: 'AM',
      previous_code: '/',
      new_code: 'O',
      reason: '  ',
      at: '2025-09-03T12:00:00.000Z',
    });
    await history({
      pupil_id: ids[UPN.bea]!,
      date: '2025-09-04',
      session: 'AM',
      previous_code: '/',
      new_code: 'M',
      reason: 'Dentist letter',
      at: '2025-09-04T12:00:00.000Z',
    });
    // A pupil on roll with no marks (no registration group) and Cal left on the 10th but marked after.
    await db
      .insertInto('pupils')
      .values({
        id: `p-nomarks-${ctx.dialect}`,
        school_id: schoolId,
        upn: 'A123456789012',
        legal_surname: 'Dunn',
        legal_forename: 'Dana',
        admission_date: '2025-09-08',
      })
      .execute();
    await db.updateTable('pupils').set({ leaving_date: '2025-09-10' }).where('id', '=', ids[UPN.cal]!).execute();

    findings = (await runRegisterAudit(deps(), SYSTEM_ACTOR, { schoolId, from: '2025-09-01', to: '2025-09-12' }))
      .findings;
  });

  const of = (kind: Finding['kind']) => findings.filter((f) => f.kind === kind);
  const brief = (f: Finding) => [f.date, f.session, f.groupName ?? f.pupilName];

  it('registers not taken, and taken after they closed, link to the register', () => {
    expect(of('registerNotTaken').map(brief)).toEqual([['2025-09-04', 'AM', '6B']]);
    expect(of('registerNotTaken')[0]!.links).toEqual([
      { text: '6B 2025-09-04 AM', href: registerHref(groups['6B']!, '2025-09-04', 'AM') },
    ]);
    expect(of('registerTakenLate').map(brief)).toEqual([['2025-09-09', 'PM', '5A']]);
    expect(of('registerTakenLate')[0]!.detail).toBe('Taken at 14:30; the register closes at 13:10.');
  });

  it('sessions with missing marks name the pupils', () => {
    expect(of('missingMarks').map(brief)).toEqual([['2025-09-10', 'AM', '5A']]);
    expect(of('missingMarks')[0]!.detail).toBe('1 pupil has no mark: Beatrice Baker.');
  });

  it('N older than 5 school days, but not younger', () => {
    expect(of('staleN').map(brief)).toEqual([['2025-09-03', 'AM', '6B']]);
    expect(of('staleN')[0]!.detail).toContain('is 7 school days old');
    expect(of('staleN')[0]!.links.map((l) => l.href)).toEqual([
      registerHref(groups['6B']!, '2025-09-03', 'AM'),
      `/pupils/${ids[UPN.cal]!}`,
    ]);
  });

  it('L after the close without a reason; # on an open session; amendments without a reason', () => {
    expect(of('lateAfterCloseWithoutReason').map(brief)).toEqual([['2025-09-11', 'AM', '6B']]);
    expect(of('lateAfterCloseWithoutReason')[0]!.detail).toContain('at 10:30, after the 09:20 close');
    expect(of('closureCodeOnOpenSession').map(brief)).toEqual([['2025-09-09', 'PM', '5A']]);
    expect(of('amendmentWithoutReason').map(brief)).toEqual([['2025-09-02', 'AM', '5A']]);
    expect(of('amendmentWithoutReason')[0]!.detail).toBe(
      'Beatrice Baker: / changed to O by Office One on 2025-09-03 at 13:00 with no reason.',
    );
  });

  it('I concentrated on Mondays and Fridays; B and C not (too few)', () => {
    expect(of('unusualCodePattern').map((f) => f.detail)).toEqual([
      'I: 11 of 11 sessions (100%) fall on Mondays and Fridays, where the calendar puts 37% of sessions.',
    ]);
    expect(of('unusualCodePattern')[0]!.links.map((l) => l.text)).toEqual(['Alexander Able (7)', 'Beatrice Baker (4)']);
  });

  it('pupils on roll with no marks, and pupils marked after leaving', () => {
    expect(of('onRollWithoutMarks').map((f) => f.pupilName)).toEqual(['Dana Dunn']);
    expect(of('onRollWithoutMarks')[0]!.detail).toBe(
      'Dana Dunn (A123456789012) was on roll for 10 sessions in the period and has no mark at all.',
    );
    expect(of('markedAfterLeaving').map(brief)).toEqual([['2025-09-11', 'AM', '6B']]);
    expect(of('markedAfterLeaving')[0]!.detail).toBe(
      'Callum Cole left on 2025-09-10 but has 4 marks after that, from 2025-09-11.',
    );
  });

  it('finds each kind, every finding has a link, and only some roles may run it', async () => {
    for (const kind of FINDING_KINDS) expect(of(kind).length, kind).toBeGreaterThan(0);
    for (const f of findings) expect(f.links.length, f.detail).toBeGreaterThan(0);
    const teacher: Actor = { ...SYSTEM_ACTOR, userId: 't', role: 'teacher', schoolId };
    expect(
      (await rejection(runRegisterAudit(deps(), teacher, { schoolId, from: '2025-09-01', to: '2025-09-12' }))).code,
    ).toBe('FORBIDDEN');
    expect(
      (await rejection(runRegisterAudit(deps(), SYSTEM_ACTOR, { schoolId, from: '2025-09-12', to: '2025-09-01' })))
        .code,
    ).toBe('VALIDATION');
  });

  // The marks are kept per process between runs (decision 0004); a mark amended since is seen.
  it('sees marks amended since its last run', async () => {
    const full = testDeps(ctx.db, ctx.dialect, NOW);
    const run = async () =>
      (await runRegisterAudit(full, SYSTEM_ACTOR, { schoolId, from: '2025-09-01', to: '2025-09-12' })).findings;
    const kinds = (list: readonly Finding[], kind: Finding['kind']) => list.filter((f) => f.kind === kind).map(brief);
    const before = await run();
    expect(kinds(before, 'missingMarks')).toEqual([['2025-09-10', 'AM', '5A']]);
    expect(kinds(before, 'staleN')).toEqual([['2025-09-03', 'AM', '6B']]);
    await amendMark(full, SYSTEM_ACTOR, {
      pupilId: ids[UPN.bea]!,
      date: '2025-09-10' as PlainDate,
      session: 'AM',
      code: '/',
      reason: 'Seen in class; the register was saved without her',
    });
    await amendMark(full, SYSTEM_ACTOR, {
      pupilId: ids[UPN.cal]!,
      date: '2025-09-03' as PlainDate,
      session: 'AM',
      code: 'I',
      reason: 'Parent phoned: ill',
    });
    const after = await run();
    expect(kinds(after, 'missingMarks')).toEqual([]);
    expect(kinds(after, 'staleN')).toEqual([]);
    // Everything else is as it was.
    expect(kinds(after, 'registerNotTaken')).toEqual(kinds(before, 'registerNotTaken'));
    expect(after.length).toBe(before.length - 2);
  });
});

describeEachDialect('rollcall audit-registers', (ctx) => {
  it('prints the counts and findings with their links, exit 1 with findings; 4 for an unknown school; 2 for bad dates', async () => {
    forgetCalendar();
    await importSchoolData({ db: ctx.db, dialect: ctx.dialect, clock: fixedClock(NOW) }, SYSTEM_ACTOR, {
      urn: '400002',
      school: { name: 'Audit Two', phase: 'primary', laCode: '330' },
      calendar: { name: 'calendar.json', text: JSON.stringify(CALENDAR) },
      pupils: { name: 'pupils.csv', text: pupilsCsv() },
      groups: { name: 'groups.csv', text: groupsCsv() },
    });
    const out = { stdout: '', stderr: '' };
    const io = {
      stdout: (t: string) => void (out.stdout += t),
      stderr: (t: string) => void (out.stderr += t),
      today: () => '2025-09-12' as never,
    };
    const deps = testDeps(ctx.db, ctx.dialect, NOW);
    expect(await runAuditRegisters({ school: '400002', from: '2025-09-01', to: '2025-09-02' }, io, deps)).toBe(1);
    expect(out.stdout).toContain('Register audit: 400002 Audit Two, 2025-09-01 to 2025-09-02');
    expect(out.stdout).toContain('  Registers not taken: 4');
    expect(out.stdout).toMatch(
      /2025-09-01 AM: The AM register of 5A was not taken \(2 pupils on roll\)\. {2}\/registers\/.+\/2025-09-01\/AM/,
    );
    expect(await runAuditRegisters({ school: '999999', from: '2025-09-01', to: '2025-09-02' }, io, deps)).toBe(4);
    expect(await runAuditRegisters({ school: '400002', from: 'x', to: '2025-09-02' }, io, deps)).toBe(2);
    expect(out.stderr).toContain('rollcall audit-registers: No school has URN 999999.');
  });
});

describe('registerHref', () => {
  it('is the register page', () => {
    expect(registerHref('g 1', '2025-09-01', 'AM')).toBe('/registers/g%201/2025-09-01/AM');
  });
});
