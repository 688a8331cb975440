/**
 * The CTF commands as contracts: `rollcall export ctf --school URN [--upn …] [--destination
 * LA/ESTAB] --out FILE` and `rollcall import --school URN --ctf FILE [--estab NNNN]`.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../test/databases.js';
import { testDeps } from '../../test/fixtures.js';
import { fixedClock } from '../platform/clock.js';
import {
  CALENDAR,
  contactsCsv,
  groupsCsv,
  markRows,
  marksCsv,
  pupilsCsv,
  tableCounts,
  UPN,
} from '../services/exchange/import/test-support.js';
import { runExportCtf } from './export.js';
import { runImport } from './import.js';
import { capture } from './test-support.js';

let dir: string;
const path = (name: string): string => join(dir, name);
const NOW = '2025-09-15T10:00:00Z';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rollcall-ctf-cli-'));
  writeFileSync(path('calendar.json'), JSON.stringify(CALENDAR, null, 2));
  writeFileSync(path('pupils.csv'), pupilsCsv());
  writeFileSync(path('marks.csv'), marksCsv());
  writeFileSync(path('contacts.csv'), contactsCsv());
  writeFileSync(path('groups.csv'), groupsCsv());
});

describeEachDialect('rollcall export ctf and import --ctf', (ctx) => {
  const env = () => ({ db: ctx.db, dialect: ctx.dialect, clock: fixedClock(NOW) });

  it('writes a leaver’s CTF under the DfE name, and imports it back with no changes', async () => {
    const urn = ctx.dialect === 'sqlite' ? '500001' : '500002';
    const io = capture();
    const code = await runImport(
      {
        school: urn,
        schoolName: 'Test Primary',
        phase: 'primary',
        laCode: '330',
        estab: '4000',
        calendar: path('calendar.json'),
        pupils: path('pupils.csv'),
        marks: path('marks.csv'),
        contacts: path('contacts.csv'),
        groups: path('groups.csv'),
      },
      io,
      env(),
    );
    expect(io.err).toBe('');
    expect(code).toBe(0);
    // Alex left on the 12th: the default pupils are those who left in the last 15 school days.
    await ctx.db.updateTable('pupils').set({ leaving_date: '2025-09-12' }).where('upn', '=', UPN.alex).execute();
    const out = mkdtempSync(join(dir, `out-${ctx.dialect}-`));
    const e = capture();
    expect(
      await runExportCtf({ school: urn, destination: '881/2002', out }, e, testDeps(ctx.db, ctx.dialect, NOW)),
    ).toBe(0);
    expect(readdirSync(out)).toEqual(['3304000_CTF_8812002_001.XML']);
    expect(e.err).toMatch(/1 pupil written to .*3304000_CTF_8812002_001\.XML/);
    const xml = readFileSync(join(out, '3304000_CTF_8812002_001.XML'), 'utf8');
    expect(xml).toContain(`<UPN>${UPN.alex}</UPN>`);
    expect(xml).not.toContain(`<UPN>${UPN.bea}</UPN>`);
    // Made at 10:00 UTC on 15 September: 11:00 on the school's clock (British Summer Time).
    expect(xml).toContain('<DateTime>2025-09-15T11:00:00</DateTime>');

    const back = capture();
    expect(await runImport({ school: urn, ctf: join(out, '3304000_CTF_8812002_001.XML') }, back, env())).toBe(0);
    expect(back.out).toMatch(/No changes\./);
  });

  it('round trip through the commands: a leaver exported, then imported into a fresh school, gives the same marks', async () => {
    const urn = ctx.dialect === 'sqlite' ? '500011' : '500012';
    const fresh = ctx.dialect === 'sqlite' ? '500013' : '500014';
    // Alex's fortnight in every code a session can hold in one character, the closed Friday
    // afternoon included; the other pupils as in test-support.
    const codes = ['L', 'I', 'M', 'V', 'B', 'K', 'P', 'W', 'S', 'C', 'T', 'R', 'E', 'G', 'U', 'O', 'N', 'D', 'Q'];
    let i = 0;
    const rows = markRows().map((r) => {
      if (r[0] !== UPN.alex || r[3] === '#' || i >= codes.length) return r;
      return [r[0], r[1]!, r[2]!, codes[i++]!, ''];
    });
    rows.push([UPN.alex, '2025-09-05', 'PM', '#', '']);
    writeFileSync(path(`all-codes-${ctx.dialect}.csv`), marksCsv(rows));
    const school = {
      schoolName: 'Test Primary',
      phase: 'primary',
      laCode: '330',
      estab: '4000',
      calendar: path('calendar.json'),
    };
    const io = capture();
    const created = await runImport(
      { school: urn, ...school, pupils: path('pupils.csv'), marks: path(`all-codes-${ctx.dialect}.csv`) },
      io,
      env(),
    );
    expect(io.err).toBe('');
    expect(created).toBe(0);
    await ctx.db.updateTable('pupils').set({ leaving_date: '2025-09-12' }).where('upn', '=', UPN.alex).execute();

    const file = path(`leaver-${ctx.dialect}.xml`);
    const e = capture();
    expect(
      await runExportCtf({ school: urn, destination: '330/4000', out: file }, e, testDeps(ctx.db, ctx.dialect, NOW)),
    ).toBe(0);
    const xml = readFileSync(file, 'utf8');
    expect(xml).toContain('<AttendanceMarks>LIMVBKPWS#####CTREGUONDQ</AttendanceMarks>');
    // Attended = present and approved educational activity (L; V B K P W); D and Q are not possible.
    expect(xml).toMatch(
      /<SessionsPossible>17<\/SessionsPossible>\s*<SessionsAuthorised>7<\/SessionsAuthorised>\s*<SessionsAttended>6<\/SessionsAttended>\s*<SessionsUnauthorised>4<\/SessionsUnauthorised>/,
    );

    const back = capture();
    expect(await runImport({ school: fresh, ...school, ctf: file }, back, env())).toBe(0);
    expect(back.err).toBe('');
    // The file stands in for three: the report says which line is which.
    expect(back.out).toContain(`leaver-${ctx.dialect}.xml (pupils): 1 added`);
    expect(back.out).toContain(`leaver-${ctx.dialect}.xml (marks): 19 added`);
    const marksOf = (u: string) =>
      ctx.db
        .selectFrom('session_marks as m')
        .innerJoin('pupils as p', 'p.id', 'm.pupil_id')
        .innerJoin('schools as s', 's.id', 'p.school_id')
        .select(['m.date', 'm.session', 'm.code'])
        .where('s.urn', '=', u)
        .where('p.upn', '=', UPN.alex)
        .where('m.code', '!=', '#')
        .orderBy('m.date')
        .orderBy('m.session')
        .execute();
    const before = await marksOf(urn);
    expect(before).toHaveLength(19);
    expect(await marksOf(fresh)).toEqual(before);
  });

  it('refuses --out in a folder that does not exist before writing anything, so no CTF is recorded as written', async () => {
    const urn = ctx.dialect === 'sqlite' ? '500017' : '500018';
    const io = capture();
    expect(
      await runImport(
        {
          school: urn,
          schoolName: 'Test Primary',
          phase: 'primary',
          laCode: '330',
          estab: '4000',
          calendar: path('calendar.json'),
          pupils: path('pupils.csv'),
        },
        io,
        env(),
      ),
    ).toBe(0);
    const before = await ctx.db.selectFrom('ctf_exports').select('id').execute();
    const missing = join(dir, `no-such-folder-${ctx.dialect}`, 'out.xml');
    const e = capture();
    expect(
      await runExportCtf({ school: urn, upn: [UPN.alex], out: missing }, e, testDeps(ctx.db, ctx.dialect, NOW)),
    ).toBe(2);
    expect(e.err).toBe(
      `rollcall export ctf: --out ${missing}: the folder ${join(dir, `no-such-folder-${ctx.dialect}`)} does not exist; nothing was written\n`,
    );
    expect(await ctx.db.selectFrom('ctf_exports').select('id').execute()).toEqual(before);
  });

  it('writes no empty CTF: with nobody left in the last 15 school days it says so, exit 2', async () => {
    const urn = ctx.dialect === 'sqlite' ? '500015' : '500016';
    const io = capture();
    expect(
      await runImport(
        {
          school: urn,
          schoolName: 'Test Primary',
          phase: 'primary',
          laCode: '330',
          estab: '4000',
          calendar: path('calendar.json'),
          pupils: path('pupils.csv'),
        },
        io,
        env(),
      ),
    ).toBe(0);
    const out = mkdtempSync(join(dir, `none-${ctx.dialect}-`));
    const e = capture();
    expect(await runExportCtf({ school: urn, out }, e, testDeps(ctx.db, ctx.dialect, NOW))).toBe(2);
    expect(e.err).toBe(
      'rollcall export ctf: No pupil of Test Primary left in the last 15 school days (since 2025-09-01), so there is no CTF to write: name the pupils with --upn.\n',
    );
    expect(readdirSync(out)).toEqual([]);
  });

  it('refuses a bad CTF with exit 2, each problem as file:line, and writes nothing', async () => {
    const bad = path(`bad-${ctx.dialect}.xml`);
    writeFileSync(
      bad,
      [
        '<CTfile><Header><CTFversion>25.0</CTFversion></Header>',
        '<CTFpupilData><Pupil>',
        `<UPN>${UPN.alex}</UPN><Surname>Able</Surname><Forename>Alex</Forename>`,
        '<DOB>2015-13-01</DOB>',
        '<Sex>X</Sex>',
        '</Pupil></CTFpupilData></CTfile>',
      ].join('\n'),
    );
    const before = await tableCounts(ctx.db);
    const io = capture();
    const code = await runImport(
      {
        school: '500009',
        schoolName: 'New',
        phase: 'primary',
        laCode: '330',
        estab: '4001',
        calendar: path('calendar.json'),
        ctf: bad,
      },
      io,
      env(),
    );
    expect(code).toBe(2);
    expect(io.err).toBe(
      `${bad}:4: DOB "2015-13-01" is not a date: CTF dates are YYYY-MM-DD\n${bad}:5: Sex "X" must be M or F\n`,
    );
    expect(await tableCounts(ctx.db)).toEqual(before);
  });

  it('refuses an establishment number that is not 4 digits', async () => {
    const io = capture();
    expect(await runImport({ school: '500010', estab: '12', ctf: path('calendar.json') }, io, env())).toBe(2);
    expect(io.err).toContain(`rollcall import: --estab "12" must be the school's 4-digit DfE establishment number`);
    expect(io.err).toContain(`${path('calendar.json')}:1: malformed XML: this is not XML: it starts with "{", not "<"`);
  });
});
