/**
 * `rollcall import` reads weekly sheets whose columns name weekdays (`Mon AM … Fri PM`), not
 * dates, when the week is known: a "Week commencing" cell above the grid, the spreadsheet's sheet
 * name, or `--week-commencing` (docs/mis-import.md, "Weekly sheets without dates").
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../test/databases.js';
import { fixedClock } from '../platform/clock.js';
import { writeXlsx } from '../platform/xlsx.js';
import { CALENDAR, csv, pupilsCsv, UPN } from '../services/exchange/import/test-support.js';
import { runImport } from './import.js';
import { capture } from './test-support.js';

let dir: string;
const path = (name: string): string => join(dir, name);
const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri'];
const GRID_HEADER = ['UPN', 'Name', ...DAYS.flatMap((d) => [`${d} AM`, `${d} PM`])];
/** Alex present all week but ill on Wednesday; Bea late on Monday morning, absent (N) on Friday afternoon. */
const GRID_ROWS = [
  [UPN.alex, 'Alex Able', '/', '\\', '/', '\\', 'I', 'I', '/', '\\', '/', '\\'],
  [UPN.bea, 'Bea Baker', 'L', '\\', '/', '\\', '/', '\\', '/', '\\', '/', 'N'],
];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rollcall-import-weekly-'));
  writeFileSync(path('calendar.json'), JSON.stringify(CALENDAR));
  writeFileSync(path('pupils.csv'), pupilsCsv());
  // The week in a cell above the grid, a blank line, then the grid.
  writeFileSync(
    path('week-above.csv'),
    `Weekly attendance,Class 5A\nWeek commencing 08/09/2025,\n\n${csv([GRID_HEADER, ...GRID_ROWS])}`,
  );
  // The date in the cell after the words, and Monday written out.
  writeFileSync(path('week-next-cell.csv'), `W/C:,Monday 08-Sep-2025\n${csv([GRID_HEADER, ...GRID_ROWS])}`);
  writeFileSync(path('no-week.csv'), csv([GRID_HEADER, ...GRID_ROWS]));
  // A spreadsheet whose sheet is named by its week.
  writeFileSync(path('weekly.xlsx'), writeXlsx({ name: 'WC 08.09.2025', header: GRID_HEADER, rows: GRID_ROWS }));
  writeFileSync(path('undated.xlsx'), writeXlsx({ name: 'Register', header: GRID_HEADER, rows: GRID_ROWS }));
});

describeEachDialect('rollcall import of weekly sheets without dates', (ctx) => {
  const env = () => ({ db: ctx.db, dialect: ctx.dialect, clock: fixedClock('2025-09-15T10:00:00Z') });
  let urn = ctx.dialect === 'postgres' ? 620000 : 610000;
  const school = () => ({
    school: String(++urn),
    schoolName: 'Weekly Primary',
    phase: 'primary',
    laCode: '330',
    calendar: path('calendar.json'),
    pupils: path('pupils.csv'),
    format: 'json',
  });
  const marksOf = async (schoolUrn: string) =>
    ctx.db
      .selectFrom('session_marks as m')
      .innerJoin('pupils as p', 'p.id', 'm.pupil_id')
      .innerJoin('schools as s', 's.id', 'p.school_id')
      .select(['p.upn', 'm.date', 'm.session', 'm.code', 'm.minutes_late'])
      .where('s.urn', '=', schoolUrn)
      .orderBy('p.upn')
      .orderBy('m.date')
      .orderBy('m.session')
      .execute();

  it('reads the week from a "Week commencing" cell above the grid: Monday to Friday of that week', async () => {
    const args = { ...school(), marks: path('week-above.csv') };
    const io = capture();
    const code = await runImport(args, io, env());
    expect(io.err).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(io.out) as { counts: { marks: { created: number } }; marksLayout?: string };
    expect(report.marksLayout).toBe('grid');
    expect(report.counts.marks.created).toBe(20);
    const marks = await marksOf(args.school);
    expect(marks.filter((m) => m.upn === UPN.alex && m.code === 'I').map((m) => `${m.date} ${m.session}`)).toEqual([
      '2025-09-10 AM',
      '2025-09-10 PM',
    ]);
    expect(marks.find((m) => m.upn === UPN.bea && m.code === 'N')).toMatchObject({ date: '2025-09-12', session: 'PM' });
    expect(marks.find((m) => m.upn === UPN.bea && m.code === 'L')).toMatchObject({ date: '2025-09-08', session: 'AM' });
  });

  it('reads the date from the cell after "W/C", and from an XLSX sheet named by its week', async () => {
    const a = { ...school(), marks: path('week-next-cell.csv') };
    const io = capture();
    expect(await runImport(a, io, env())).toBe(0);
    expect((await marksOf(a.school)).map((m) => m.date)).toContain('2025-09-12');
    const b = { ...school(), marks: path('weekly.xlsx') };
    const sheet = capture();
    expect(await runImport(b, sheet, env())).toBe(0);
    expect(sheet.err).toBe('');
    const marks = await marksOf(b.school);
    expect(marks).toHaveLength(20);
    expect(marks[0]).toMatchObject({ upn: UPN.alex, date: '2025-09-08', session: 'AM', code: '/' });
  });

  it('without the week, refuses with the line of the grid and how to give it; --week-commencing gives it', async () => {
    const args = { ...school(), marks: path('no-week.csv') };
    const io = capture();
    expect(await runImport(args, io, env())).toBe(2);
    expect(io.err).toContain(
      `${path('no-week.csv')}:1: the marks grid names weekdays (like "Mon AM") but not the week: write "Week commencing DD/MM/YYYY" in a cell above the grid, name the spreadsheet's sheet by the date (like "WC 07.12.2026"), or give --week-commencing YYYY-MM-DD`,
    );
    expect(await marksOf(args.school)).toEqual([]);
    const undated = capture();
    expect(await runImport({ ...school(), marks: path('undated.xlsx') }, undated, env())).toBe(2);
    expect(undated.err).toContain(`${path('undated.xlsx')}:1: the marks grid names weekdays`);
    const given = capture();
    expect(await runImport({ ...args, weekCommencing: '2025-09-08' }, given, env())).toBe(0);
    expect(await marksOf(args.school)).toHaveLength(20);
  });

  it('refuses a week that does not start on a Monday, one that contradicts the sheet, and the option on a dated file', async () => {
    const tuesday = capture();
    expect(
      await runImport({ ...school(), marks: path('no-week.csv'), weekCommencing: '2025-09-09' }, tuesday, env()),
    ).toBe(2);
    expect(tuesday.err).toContain(
      `${path('no-week.csv')}:0: the week commencing 2025-09-09 (from --week-commencing) is a Tuesday: a week commences on a Monday`,
    );
    const clash = capture();
    expect(
      await runImport({ ...school(), marks: path('week-above.csv'), weekCommencing: '2025-09-01' }, clash, env()),
    ).toBe(2);
    expect(clash.err).toContain(
      `${path('week-above.csv')}:2: the sheet gives the week commencing 2025-09-08 but --week-commencing gives 2025-09-01: give one week`,
    );
    const badDate = capture();
    expect(
      await runImport({ ...school(), marks: path('no-week.csv'), weekCommencing: '8/9/2025' }, badDate, env()),
    ).toBe(2);
    expect(badDate.err).toContain('--week-commencing must be a date written YYYY-MM-DD, got "8/9/2025"');
    writeFileSync(
      path('dated.csv'),
      csv([
        ['upn', 'date', 'session', 'code'],
        [UPN.alex, '2025-09-08', 'AM', '/'],
      ]),
    );
    const dated = capture();
    expect(await runImport({ ...school(), marks: path('dated.csv'), weekCommencing: '2025-09-08' }, dated, env())).toBe(
      2,
    );
    expect(dated.err).toContain(
      `${path('dated.csv')}:0: --week-commencing is for a weekly grid whose columns name weekdays (like "Mon AM"); this file names its dates: leave the option out`,
    );
  });
});
