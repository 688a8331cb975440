/**
 * `rollcall import` with the files a school's MIS and Excel really write (docs/mis-import.md): a
 * SIMS marks export with its plain `UPN,Date,Session,Mark` header, saved as UTF-8 with and without
 * a byte-order mark, UTF-16 little- and big-endian with one, and Windows-1252; its dates day first
 * with a time, with the month named, and as ISO dates and date-times. Lone-CR line endings are
 * refused plainly.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../test/databases.js';
import { fixedClock } from '../platform/clock.js';
import { CALENDAR, pupilsCsv, tableCounts, UPN } from '../services/exchange/import/test-support.js';
import { runImport } from './import.js';
import { capture } from './test-support.js';

let dir: string;
const path = (name: string): string => join(dir, name);

function utf16be(text: string): Buffer {
  const le = Buffer.from(text, 'utf16le');
  for (let i = 0; i + 1 < le.length; i += 2) [le[i], le[i + 1]] = [le[i + 1]!, le[i]!];
  return le;
}

/** Windows-1252 for the ASCII text these files hold (every character one byte). */
const cp1252 = (text: string): Buffer => Buffer.from(text, 'latin1');

/** One SIMS marks file per encoding, each with dates written another way, all for Alex. */
const FILES: readonly { name: string; bytes: (text: string) => Buffer; rows: [string, string, string][] }[] = [
  {
    name: 'utf8-bom.csv',
    bytes: (t) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(t, 'utf8')]),
    rows: [
      ['01/09/2025 00:00:00', 'AM', '/'],
      ['01/09/2025 00:00:00', 'PM', '\\'],
    ],
  },
  {
    name: 'utf16le.csv',
    bytes: (t) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(t, 'utf16le')]),
    rows: [
      ['02-Sep-2025', 'Morning', 'I'],
      ['02-Sep-2025', 'Afternoon', 'I'],
    ],
  },
  {
    name: 'utf16be.csv',
    bytes: (t) => Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(t)]),
    rows: [
      ['2025-09-03T00:00:00', 'AM', 'L'],
      ['2025-09-03T00:00:00Z', 'PM', '\\'],
    ],
  },
  {
    name: 'windows-1252.csv',
    bytes: cp1252,
    rows: [
      ['2025-09-04', 'AM', 'M'],
      ['04/09/2025', 'PM', '/'],
    ],
  },
  {
    name: 'utf8.csv',
    bytes: (t) => Buffer.from(t, 'utf8'),
    rows: [
      ['5/9/2025', 'AM', '/'],
      ['05/09/2025 09:00', 'PM', '#'],
    ],
  },
];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rollcall-import-mis-files-'));
  writeFileSync(path('calendar.json'), JSON.stringify(CALENDAR));
  writeFileSync(path('pupils.csv'), pupilsCsv());
  for (const f of FILES) {
    const text = ['UPN,Date,Session,Mark', ...f.rows.map((r) => [UPN.alex, ...r].join(','))].join('\r\n') + '\r\n';
    writeFileSync(path(f.name), f.bytes(text));
  }
  writeFileSync(path('lone-cr.csv'), `UPN,Date,Session,Mark\r${UPN.alex},01/09/2025,AM,/\r`);
  // Rollcall's own marks file after Excel saved it again: its dates day first, with a time.
  writeFileSync(
    path('own-after-excel.csv'),
    `upn,date,session,code\r\n${UPN.bea},08/09/2025,AM,/\r\n${UPN.bea},08/09/2025 00:00:00,PM,\\\r\n`,
  );
});

describeEachDialect('rollcall import of MIS files as Excel and MIS save them', (ctx) => {
  const env = () => ({ db: ctx.db, dialect: ctx.dialect, clock: fixedClock('2025-09-15T10:00:00Z') });
  const urn = (): string => (ctx.dialect === 'sqlite' ? '520001' : '520002');

  beforeAll(async () => {
    const io = capture();
    const created = await runImport(
      {
        school: urn(),
        schoolName: 'Test Primary',
        phase: 'primary',
        laCode: '330',
        calendar: path('calendar.json'),
        pupils: path('pupils.csv'),
      },
      io,
      env(),
    );
    expect(io.err).toBe('');
    expect(created).toBe(0);
  });

  it('reads a SIMS marks export in every encoding and date style', async () => {
    for (const f of FILES) {
      const io = capture();
      const code = await runImport({ school: urn(), marks: path(f.name) }, io, env());
      expect(io.err, f.name).toBe('');
      expect(code, f.name).toBe(0);
      expect(io.out, f.name).toContain(`${f.name} (read as a SIMS export): 2 added`);
    }
    const school = await ctx.db.selectFrom('schools').select('id').where('urn', '=', urn()).executeTakeFirstOrThrow();
    const marks = await ctx.db
      .selectFrom('session_marks as m')
      .innerJoin('pupils as p', 'p.id', 'm.pupil_id')
      .select(['m.date', 'm.session', 'm.code'])
      .where('p.school_id', '=', school.id)
      .where('p.upn', '=', UPN.alex)
      .orderBy('m.date')
      .orderBy('m.session')
      .execute();
    expect(marks.map((m) => `${m.date} ${m.session} ${m.code}`)).toEqual([
      '2025-09-01 AM /',
      '2025-09-01 PM \\',
      '2025-09-02 AM I',
      '2025-09-02 PM I',
      '2025-09-03 AM L',
      '2025-09-03 PM \\',
      '2025-09-04 AM M',
      '2025-09-04 PM /',
      '2025-09-05 AM /',
      '2025-09-05 PM #',
    ]);
  });

  it("reads Rollcall's own marks file with the dates Excel wrote back (and as written with --mis none)", async () => {
    const none = capture();
    expect(await runImport({ school: urn(), marks: path('own-after-excel.csv'), mis: 'none' }, none, env())).toBe(2);
    expect(none.err).toContain(
      `${path('own-after-excel.csv')}:2: date "08/09/2025" is not a date: write it as YYYY-MM-DD`,
    );
    const io = capture();
    expect(await runImport({ school: urn(), marks: path('own-after-excel.csv') }, io, env())).toBe(0);
    expect(io.err).toBe('');
    expect(io.out).toContain('own-after-excel.csv: 2 added');
  });

  it('refuses lone-CR line endings with a plain reason, writing nothing', async () => {
    const before = await tableCounts(ctx.db);
    const io = capture();
    expect(await runImport({ school: urn(), marks: path('lone-cr.csv') }, io, env())).toBe(2);
    expect(io.err).toBe(
      `${path('lone-cr.csv')}:1: the lines end with a carriage return alone (an old Mac format): save the file with Windows (CRLF) or Unix (LF) line endings\n`,
    );
    expect(await tableCounts(ctx.db)).toEqual(before);
  });
});
