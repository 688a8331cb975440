/**
 * The CTF commands as contracts: `rollcall export ctf --school URN [--upn …] [--destination
 * LA/ESTAB] --out FILE` and `rollcall import --school URN --ctf FILE [--estab NNNN]`.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import type { PlainDate } from '@rollcall/domain';
import { describeEachDialect } from '../../test/databases.js';
import { testDeps } from '../../test/fixtures.js';
import { fixedClock } from '../platform/clock.js';
import {
  CALENDAR,
  contactsCsv,
  groupsCsv,
  marksCsv,
  pupilsCsv,
  tableCounts,
  UPN,
} from '../services/exchange/import/test-support.js';
import { runExportCtf } from './export.js';
import { runImport } from './import.js';
import type { CliIO } from './io.js';

function capture(): CliIO & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    stdout(text: string) {
      io.out += text;
    },
    stderr(text: string) {
      io.err += text;
    },
    today: () => '2025-09-15' as PlainDate,
  };
  return io;
}

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

    const back = capture();
    expect(await runImport({ school: urn, ctf: join(out, '3304000_CTF_8812002_001.XML') }, back, env())).toBe(0);
    expect(back.out).toMatch(/No changes\./);
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
