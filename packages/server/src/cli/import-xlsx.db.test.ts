/** `rollcall import` reads spreadsheets (XLSX) as it reads CSV: the same checks, line = row. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../test/databases.js';
import { fixedClock } from '../platform/clock.js';
import { writeXlsx } from '../platform/xlsx.js';
import { CALENDAR, markRows, pupilRows, PUPILS_HEADER, UPN } from '../services/exchange/import/test-support.js';
import { runImport } from './import.js';
import { capture } from './test-support.js';

let dir: string;
const path = (name: string): string => join(dir, name);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rollcall-import-xlsx-'));
  writeFileSync(path('calendar.json'), JSON.stringify(CALENDAR));
  writeFileSync(path('pupils.xlsx'), writeXlsx({ name: 'Pupils', header: [...PUPILS_HEADER], rows: pupilRows() }));
  writeFileSync(
    path('marks.xlsx'),
    writeXlsx({ name: 'Marks', header: ['upn', 'date', 'session', 'code', 'minutes_late'], rows: markRows() }),
  );
  const bad = markRows().slice(0, 3);
  bad[2] = [UPN.alex, '2025-09-06', 'AM', '/', ''];
  writeFileSync(
    path('bad-marks.xlsx'),
    writeXlsx({ name: 'Marks', header: ['upn', 'date', 'session', 'code', 'minutes_late'], rows: bad }),
  );
  writeFileSync(path('not-a-sheet.xlsx'), 'upn,date\n');
});

describeEachDialect('rollcall import from spreadsheets', (ctx) => {
  const env = () => ({ db: ctx.db, dialect: ctx.dialect, clock: fixedClock('2025-09-15T10:00:00Z') });
  const school = () => ({
    schoolName: 'Test Primary',
    phase: 'primary',
    laCode: '330',
    calendar: path('calendar.json'),
  });

  it('imports pupils and marks from XLSX as from CSV', async () => {
    const io = capture();
    const code = await runImport(
      { school: '600001', ...school(), pupils: path('pupils.xlsx'), marks: path('marks.xlsx'), format: 'json' },
      io,
      env(),
    );
    expect(io.err).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(io.out) as { counts: Record<string, { created: number }> };
    expect(report.counts['pupils']!.created).toBe(3);
    expect(report.counts['marks']!.created).toBe(markRows().length);
  });

  it('reports a bad row by its row number, and a file that is not a spreadsheet plainly', async () => {
    const io = capture();
    const code = await runImport({ school: '600002', ...school(), marks: path('bad-marks.xlsx') }, io, env());
    expect(code).toBe(2);
    expect(io.err).toContain(`${path('bad-marks.xlsx')}:4: 2025-09-06 AM is not a school session`);
    const other = capture();
    expect(await runImport({ school: '600003', ...school(), marks: path('not-a-sheet.xlsx') }, other, env())).toBe(2);
    expect(other.err).toMatch(/not-a-sheet\.xlsx:0: cannot read the spreadsheet: /);
  });
});
