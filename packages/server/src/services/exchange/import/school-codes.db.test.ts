import { expect, it } from 'vitest';
import { describeEachDialect } from '../../../../test/databases.js';
import { fixedClock } from '../../../platform/clock.js';
import { SYSTEM_ACTOR, type Actor } from '../../authz.js';
import { AppError } from '../../errors.js';
import { importSchoolData } from './import-school-data.js';
import type { ImportProblem } from './files.js';
import { problemLine } from './report.js';
import { listSchoolCodes, removeSchoolCode, setSchoolCode } from './school-codes.js';
import { CALENDAR, DAYS, markRows, marksCsv, pupilsCsv, UPN } from './test-support.js';

const NOW = '2025-09-15T10:00:00.000Z';
const SCHOOL = { name: 'Test Primary', phase: 'primary', laCode: '330', laName: 'Birmingham' };
const file = (name: string, text: string) => ({ name, text });

/** The marks of test-support's markRows() as a grid: one row per pupil, one column per session. */
function gridOf(rows: readonly (readonly string[])[], edit?: (upn: string, column: string) => string | undefined) {
  const columns: string[] = [];
  for (const d of DAYS) {
    const [y, m, day] = d.split('-');
    for (const s of ['AM', 'PM']) columns.push(`${day}/${m}/${y} ${s}`);
  }
  const byPupil = new Map<string, Map<string, string>>();
  for (const [upn, date, session, code] of rows) {
    const [y, m, d] = date!.split('-');
    const m2 = byPupil.get(upn!) ?? new Map<string, string>();
    m2.set(`${d}/${m}/${y} ${session}`, code!);
    byPupil.set(upn!, m2);
  }
  const lines = [['Name', 'UPN', ...columns].join(',')];
  for (const [upn, marks] of byPupil) {
    lines.push(['Pupil', upn, ...columns.map((c) => edit?.(upn, c) ?? marks.get(c) ?? '')].join(','));
  }
  return `${lines.join('\n')}\n`;
}

async function problemsOf(p: Promise<unknown>): Promise<string[]> {
  try {
    await p;
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    return (e.details['problems'] as ImportProblem[]).map((x) => problemLine(x));
  }
  throw new Error('expected a refusal');
}

describeEachDialect('marks in a grid, and the school’s own codes', (ctx) => {
  const deps = () => ({ db: ctx.db, dialect: ctx.dialect, clock: fixedClock(NOW) });
  const marksOf = async (urn: string) =>
    ctx.db
      .selectFrom('session_marks as m')
      .innerJoin('pupils as p', 'p.id', 'm.pupil_id')
      .innerJoin('schools as s', 's.id', 'p.school_id')
      .select(['p.upn', 'm.date', 'm.session', 'm.code'])
      .where('s.urn', '=', urn)
      .orderBy('p.upn')
      .orderBy('m.date')
      .orderBy('m.session')
      .execute();
  const schoolId = async (urn: string) =>
    (await ctx.db.selectFrom('schools').select('id').where('urn', '=', urn).executeTakeFirstOrThrow()).id;

  it('imports a grid (one column per session) to the same marks as the long file', async () => {
    const base = {
      school: SCHOOL,
      calendar: file('calendar.json', JSON.stringify(CALENDAR)),
      pupils: file('pupils.csv', pupilsCsv()),
    };
    await importSchoolData(deps(), SYSTEM_ACTOR, { urn: '300001', ...base, marks: file('marks.csv', marksCsv()) });
    const report = await importSchoolData(deps(), SYSTEM_ACTOR, {
      urn: '300002',
      ...base,
      marks: file('grid.csv', gridOf(markRows())),
    });
    expect(report.marksLayout).toBe('grid');
    expect(report.counts.marks.created).toBe(54);
    expect(await marksOf('300002')).toEqual(await marksOf('300001'));
    // Again: nothing changes.
    const again = await importSchoolData(deps(), SYSTEM_ACTOR, {
      urn: '300002',
      marks: file('grid.csv', gridOf(markRows())),
    });
    expect(again.counts.marks).toEqual({ created: 0, updated: 0, unchanged: 54, removed: 0 });
  });

  it('reads the school’s own codes as their national codes, keeps two-character codes whole, and refuses an unknown code by its line, writing nothing', async () => {
    const id = await schoolId('300002');
    await setSchoolCode(deps(), SYSTEM_ACTOR, {
      schoolId: id,
      schoolCode: 'sk',
      code: 'I',
      meaning: 'Sick (school code)',
    });
    await setSchoolCode(deps(), SYSTEM_ACTOR, { schoolId: id, schoolCode: 'INT', code: 'J1' });
    const grid = gridOf(markRows(), (upn, column) => {
      if (upn === UPN.alex && column === '09/09/2025 AM') return 'SK';
      if (upn === UPN.alex && column === '09/09/2025 PM') return 'int';
      if (upn === UPN.bea && column === '10/09/2025 AM') return 'c1'; // a national two-character code
      if (upn === UPN.bea && column === '10/09/2025 PM') return 'Y1';
      return undefined;
    });
    const report = await importSchoolData(deps(), SYSTEM_ACTOR, { urn: '300002', marks: file('grid.csv', grid) });
    expect(report.schoolCodes).toEqual([
      { schoolCode: 'SK', code: 'I', marks: 1 },
      { schoolCode: 'INT', code: 'J1', marks: 1 },
    ]);
    const marks = await marksOf('300002');
    const at = (upn: string, date: string, session: string) =>
      marks.find((m) => m.upn === upn && m.date === date && m.session === session)?.code;
    expect(at(UPN.alex, '2025-09-09', 'AM')).toBe('I');
    expect(at(UPN.alex, '2025-09-09', 'PM')).toBe('J1');
    expect(at(UPN.bea, '2025-09-10', 'AM')).toBe('C1');
    expect(at(UPN.bea, '2025-09-10', 'PM')).toBe('Y1');
    const history = await ctx.db
      .selectFrom('mark_history')
      .select(['previous_code', 'new_code'])
      .where('date', '=', '2025-09-09')
      .where('session', '=', 'AM')
      .where('new_code', '=', 'I')
      .execute();
    expect(history).toContainEqual({ previous_code: '/', new_code: 'I' });

    const before = await marksOf('300002');
    const bad = gridOf(markRows(), (upn, column) =>
      upn === UPN.cal && column === '11/09/2025 AM'
        ? 'ZZ'
        : upn === UPN.cal && column === '11/09/2025 PM'
          ? 'SK'
          : undefined,
    );
    const lines = await problemsOf(
      importSchoolData(deps(), SYSTEM_ACTOR, { urn: '300002', marks: file('grid.csv', bad) }),
    );
    expect(lines).toHaveLength(1);
    // The row holds every session of the fortnight: the message says which one.
    expect(lines[0]).toMatch(/^grid\.csv:4: unknown attendance code "ZZ" on 2025-09-11 AM \(expected one of /);
    expect(lines[0]).toContain(
      "if it is one of the school's own codes, say which national code it stands for (rollcall codes set --school 300002 --code <its code> --as <national code>, or the School codes page)",
    );
    expect(await marksOf('300002')).toEqual(before);
  });

  it('refuses a national code as a school code, a code that is not national as the target, and is the administrator’s alone', async () => {
    const id = await schoolId('300002');
    const fieldsOf = async (p: Promise<unknown>) => {
      try {
        await p;
      } catch (e) {
        if (e instanceof AppError) return { code: e.code, fields: (e.details.fields ?? []).map((f) => f.field) };
        throw e;
      }
      throw new Error('expected a refusal');
    };
    expect(await fieldsOf(setSchoolCode(deps(), SYSTEM_ACTOR, { schoolId: id, schoolCode: 'L', code: 'I' }))).toEqual({
      code: 'VALIDATION',
      fields: ['schoolCode'],
    });
    // H is a pre-2024 code: it keeps its old meaning on old dates and cannot be redefined either.
    expect(await fieldsOf(setSchoolCode(deps(), SYSTEM_ACTOR, { schoolId: id, schoolCode: 'h', code: 'XX' }))).toEqual({
      code: 'VALIDATION',
      fields: ['schoolCode', 'code'],
    });
    const officer: Actor = {
      ...SYSTEM_ACTOR,
      userId: 'u-officer',
      name: 'Officer',
      role: 'attendance_officer',
      schoolId: id,
    };
    expect(await fieldsOf(setSchoolCode(deps(), officer, { schoolId: id, schoolCode: 'XY', code: 'I' }))).toMatchObject(
      {
        code: 'FORBIDDEN',
      },
    );
    expect((await listSchoolCodes(deps(), SYSTEM_ACTOR, id)).codes.map((c) => c.schoolCode)).toEqual(['INT', 'SK']);
    await removeSchoolCode(deps(), SYSTEM_ACTOR, { schoolId: id, schoolCode: 'int' });
    expect((await listSchoolCodes(deps(), SYSTEM_ACTOR, id)).codes.map((c) => c.schoolCode)).toEqual(['SK']);
    const audits = await ctx.db
      .selectFrom('audit_log')
      .select('action')
      .where('school_id', '=', id)
      .where('action', 'like', 'schoolCodes.%')
      .orderBy('id')
      .execute();
    expect(audits.map((a) => a.action).sort()).toEqual(['schoolCodes.add', 'schoolCodes.add', 'schoolCodes.remove']);
  });
});
