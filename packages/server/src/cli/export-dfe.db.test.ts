/**
 * `rollcall export daily` and `rollcall export census` as a data manager runs them (docs/exports.md):
 * `export daily` writes the DfE daily pupil-level file (every pupil item, the day's sessions and
 * the last 7 days' changed codes), and `export census --period` the census attendance file for a
 * DfE census period; `--term`/`--from`/`--to` still give the counts over a term or dates.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../test/databases.js';
import { testDeps } from '../../test/fixtures.js';
import { fixedClock } from '../platform/clock.js';
import { censusCodes, DFE_DAILY_COLUMNS } from '../services/exchange/exports/dfe-returns.js';
import { CALENDAR, csv, marksCsv, pupilsCsv, UPN } from '../services/exchange/import/test-support.js';
import { runExport } from './export.js';
import { runImport } from './import.js';
import { capture } from './test-support.js';

let dir: string;
const path = (name: string): string => join(dir, name);
const NOW = '2025-09-15T10:00:00Z';

/** CSV text as rows of cells (the files here have no quoted fields). */
const rowsOf = (text: string): string[][] =>
  text
    .split('\r\n')
    .filter((l) => l !== '')
    .map((l) => l.split(','));

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rollcall-export-dfe-'));
  writeFileSync(path('calendar.json'), JSON.stringify(CALENDAR));
  writeFileSync(path('pupils.csv'), pupilsCsv());
  writeFileSync(path('marks.csv'), marksCsv());
  // Cal's Wednesday morning corrected from present to ill a few days later.
  writeFileSync(
    path('correction.csv'),
    csv([
      ['upn', 'date', 'session', 'code'],
      [UPN.cal, '2025-09-03', 'AM', 'I'],
    ]),
  );
});

describeEachDialect('rollcall export daily and census', (ctx) => {
  const urn = (): string => (ctx.dialect === 'sqlite' ? '510001' : '510002');
  const deps = () => testDeps(ctx.db, ctx.dialect, NOW);

  beforeAll(async () => {
    const env = { db: ctx.db, dialect: ctx.dialect, clock: fixedClock(NOW) };
    const io = capture();
    const code = await runImport(
      {
        school: urn(),
        schoolName: 'Test Primary',
        phase: 'primary',
        laCode: '330',
        estab: '4000',
        calendar: path('calendar.json'),
        pupils: path('pupils.csv'),
        marks: path('marks.csv'),
      },
      io,
      env,
    );
    expect(io.err).toBe('');
    expect(code).toBe(0);
    expect(await runImport({ school: urn(), marks: path('correction.csv') }, capture(), env)).toBe(0);
  });

  it('export daily writes every pupil item the DfE daily collection holds, and the changed codes of the week before', async () => {
    const io = capture();
    const out = path(`daily-${ctx.dialect}.csv`);
    expect(await runExport('daily', { school: urn(), date: '2025-09-08', out }, io, deps())).toBe(0);
    const [header, ...rows] = rowsOf(readFileSync(out, 'utf8'));
    expect(header).toEqual([...DFE_DAILY_COLUMNS]);
    // The 17 pupil items (the name as surname and forename) are all there.
    for (const item of [
      'surname',
      'forename',
      'date_of_birth',
      'upn',
      'sex',
      'ethnicity',
      'looked_after',
      'previously_looked_after',
      'sen_support',
      'ehc_plan',
      'fsm',
      'year_group',
      'urn',
      'la_code',
      'admission_date',
      'leaving_date',
      'child_in_need',
      'child_protection_plan',
    ]) {
      expect(header).toContain(item);
    }
    const col = (row: string[], name: string) => row[header!.indexOf(name)];
    const day = rows.filter((r) => col(r, 'row') === 'day');
    expect(day).toHaveLength(6); // three pupils, AM and PM
    const bea = day.find((r) => col(r, 'upn') === UPN.bea)!;
    expect(
      ['sex', 'ethnicity', 'ehc_plan', 'sen_support', 'previously_looked_after', 'child_protection_plan', 'fsm'].map(
        (c) => col(bea, c),
      ),
    ).toEqual(['F', 'WBRI', 'Y', 'N', 'Y', 'Y', 'N']);
    const alex = day.filter((r) => col(r, 'upn') === UPN.alex);
    expect(alex.map((r) => [col(r, 'session'), col(r, 'attendance_code')])).toEqual([
      ['AM', 'I'],
      ['PM', 'I'],
    ]);
    // Cal's corrected Wednesday morning is sent again, with the code as it is now.
    const changed = rows.filter((r) => col(r, 'row') === 'changed');
    expect(changed.map((r) => [col(r, 'upn'), col(r, 'date'), col(r, 'session'), col(r, 'attendance_code')])).toEqual([
      [UPN.cal, '2025-09-03', 'AM', 'I'],
    ]);
    expect(io.err).toContain(`rollcall export daily: 7 rows written to ${out}`);
  });

  it('export census --period writes the census attendance file for the DfE period, every code counted', async () => {
    const io = capture();
    expect(await runExport('census', { school: urn(), period: 'autumn', year: '2025' }, io, deps())).toBe(0);
    const [header, ...rows] = rowsOf(io.out);
    expect(header!.slice(0, 4)).toEqual(['urn', 'la_code', 'estab', 'upn']);
    expect(header).toEqual(expect.arrayContaining(censusCodes('2024').map((c) => `code_${c}`)));
    const col = (row: string[], name: string) => row[header!.indexOf(name)];
    expect(rows).toHaveLength(3);
    const alex = rows.find((r) => col(r, 'upn') === UPN.alex)!;
    // 19 sessions: L on the 2nd, I all day on the 8th, the rest present.
    expect(
      ['census', 'from', 'to', 'sessions_possible', 'sessions_attended', 'sessions_authorised_absence', 'code_L'].map(
        (c) => col(alex, c),
      ),
    ).toEqual(['spring', '2025-08-01', '2025-12-31', '19', '17', '2', '1']);
    expect(col(alex, 'code_I')).toBe('2');
  });

  it('export census without a period, term or dates says what to give, and --period with --term is refused', async () => {
    const none = capture();
    expect(await runExport('census', { school: urn() }, none, deps())).toBe(2);
    expect(none.err).toMatch(/^rollcall export census: give --period autumn\|spring\|summer-1\|summer-2/);
    const both = capture();
    expect(await runExport('census', { school: urn(), period: 'autumn', term: 'Autumn 1' }, both, deps())).toBe(2);
    expect(both.err).toContain('not both');
    const term = capture();
    expect(await runExport('census', { school: urn(), term: 'Autumn 1' }, term, deps())).toBe(0);
    expect(term.out.split('\r\n')[0]).toMatch(/^urn,la_code,upn,surname,forename,/);
  });
});
