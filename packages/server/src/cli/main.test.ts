import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PlainDate } from '@rollcall/domain';
import { main, type CliIO } from './main.js';

function capture(today = '2025-10-01'): CliIO & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    stdout(text: string) {
      io.out += text;
    },
    stderr(text: string) {
      io.err += text;
    },
    today: () => today as PlainDate,
  };
  return io;
}

let dir: string;
const file = (name: string): string => join(dir, name);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rollcall-cli-'));
  writeFileSync(
    file('calendar.json'),
    JSON.stringify({ terms: [{ name: 'Autumn 1', start: '2025-09-01', end: '2025-09-12' }], closures: [] }),
  );
  // Two weeks: 20 sessions. Pupil 1 misses 4 (O), pupil 2 is present throughout with one L.
  const rows = ['upn,date,session,code,minutes_late'];
  const days = ['01', '02', '03', '04', '05', '08', '09', '10', '11', '12'];
  for (const d of days) {
    for (const s of ['AM', 'PM']) {
      const absent = (d === '03' || d === '04') && true;
      rows.push(`B801200005001,2025-09-${d},${s},${absent ? 'O' : s === 'AM' ? '/' : '\\'},`);
      rows.push(
        `P330450024123,2025-09-${d},${s},${d === '08' && s === 'AM' ? 'L' : s === 'AM' ? '/' : '\\'},${d === '08' && s === 'AM' ? '12' : ''}`,
      );
    }
  }
  writeFileSync(file('marks.csv'), `${rows.join('\n')}\n`);
  writeFileSync(file('pupils.csv'), 'upn,surname,forename\nB801200005001,Example,Alex\nP330450024123,Sample,Sam\n');
  writeFileSync(
    file('bad-marks.csv'),
    'upn,date,session,code\nB801200005001,2025-09-01,AM,Q9\nB801200005001,2025-09-06,AM,/\nX1,2025-09-02,XX,/\n',
  );
});

describe('rollcall analyse', () => {
  const base = () => ['analyse', '--calendar', file('calendar.json'), '--marks', file('marks.csv')];

  it('prints the JSON report and exits 0', async () => {
    const io = capture();
    expect(await main([...base(), '--as-of', '2025-09-12'], io)).toBe(0);
    const report = JSON.parse(io.out) as {
      asOf: string;
      periodStart: string;
      schoolSessions: number;
      schoolWeeks: number;
      pupils: {
        upn: string;
        possibleSessions: number;
        unauthorisedAbsenceSessions: number;
        absenceRate: number;
        persistentAbsence: boolean;
        minutesLate: number;
        brokenWeeks: number;
      }[];
      summary: { pupils: number; absenceRate: number; persistentAbsentees: number; persistentAbsenceRate: number };
    };
    expect(report).toMatchObject({ asOf: '2025-09-12', periodStart: '2025-09-01', schoolSessions: 20, schoolWeeks: 2 });
    expect(report.pupils.map((p) => p.upn)).toEqual(['B801200005001', 'P330450024123']);
    expect(report.pupils[0]).toMatchObject({
      possibleSessions: 20,
      unauthorisedAbsenceSessions: 4,
      absenceRate: 0.2,
      persistentAbsence: true,
      brokenWeeks: 1,
    });
    expect(report.pupils[1]).toMatchObject({ minutesLate: 12, persistentAbsence: false });
    expect(report.summary).toMatchObject({
      pupils: 2,
      absenceRate: 4 / 40,
      persistentAbsentees: 1,
      persistentAbsenceRate: 0.5,
    });
    expect(io.err).toBe('');
  });

  it('shows terminal escape sequences in names instead of sending them to the terminal', async () => {
    writeFileSync(
      file('escape-pupils.csv'),
      'upn,surname,forename\nB801200005001,Example\u001b]0;pwned\u0007,Alex\u001b[2J\nP330450024123,Sample,Sam\n',
    );
    const io = capture();
    const args = [...base(), '--pupils', file('escape-pupils.csv'), '--as-of', '2025-09-12', '--format', 'table'];
    expect(await main(args, io)).toBe(0);
    // eslint-disable-next-line no-control-regex -- no control character may reach the terminal
    expect(io.out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    // The pupils file is cleaned as it is read (imports/csv.ts) …
    expect(io.out).toContain('Example]0;pwned');
    // … and whatever else a command prints is shown, not obeyed (here an argument echoed back).
    const upn = capture();
    expect(await main(['upn', 'A12\u001b]0;pwned\u0007'], upn)).toBe(1);
    expect(upn.out + upn.err).toContain('A12\\x1b]0;pwned\\x07');
    // eslint-disable-next-line no-control-regex -- no control character may reach the terminal
    expect(upn.out + upn.err).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  });

  it('defaults --as-of to today', async () => {
    const io = capture('2025-09-05');
    expect(await main(base(), io)).toBe(0);
    const report = JSON.parse(io.out) as { asOf: string; schoolSessions: number };
    expect(report).toMatchObject({ asOf: '2025-09-05', schoolSessions: 10 });
  });

  it('gives a table with names and a summary for people', async () => {
    const io = capture();
    expect(
      await main([...base(), '--pupils', file('pupils.csv'), '--as-of', '2025-09-12', '--format', 'table'], io),
    ).toBe(0);
    expect(io.out).toContain('Example, Alex');
    expect(io.out).toMatch(/B801200005001\s+Example, Alex\s+20\s+16/);
    expect(io.out).toContain('Persistently absent: 1 (50.0%)');
  });

  it('gives CSV with the JSON field names', async () => {
    const io = capture();
    expect(await main([...base(), '--as-of', '2025-09-12', '--format', 'csv'], io)).toBe(0);
    const [header, first] = io.out.trim().split('\n');
    const cols = header!.split(',');
    const vals = first!.split(',');
    expect(vals[cols.indexOf('upn')]).toBe('B801200005001');
    expect(vals[cols.indexOf('absenceRate')]).toBe('0.2');
    expect(vals[cols.indexOf('codeCounts.O')]).toBe('4');
  });

  it('adds findings with explanations under --explain', async () => {
    const io = capture();
    expect(await main([...base(), '--as-of', '2025-09-12', '--explain'], io)).toBe(0);
    const report = JSON.parse(io.out) as { pupils: { findings: { rule: string; explanation: string }[] }[] };
    expect(report.pupils[0]!.findings.map((f) => f.rule)).toEqual(['persistentAbsence']);
    expect(report.pupils[0]!.findings[0]!.explanation).toContain('4 of 20');
    expect(report.pupils[1]!.findings).toEqual([]);
  });

  it('reports every problem as file:line and exits 2', async () => {
    const io = capture();
    const marks = file('bad-marks.csv');
    expect(
      await main(['analyse', '--calendar', file('calendar.json'), '--marks', marks, '--as-of', '2025-09-12'], io),
    ).toBe(2);
    const lines = io.err.trim().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(new RegExp(`^${marks}:2: unknown attendance code "Q9"`)),
      expect.stringMatching(new RegExp(`^${marks}:3: 2025-09-06 AM is not a school session`)),
      expect.stringMatching(new RegExp(`^${marks}:4: invalid UPN "X1"`)),
      expect.stringMatching(new RegExp(`^${marks}:4: session "XX" must be AM or PM`)),
    ]);
    expect(io.out).toBe('');
  });

  it('names a missing file and a missing column', async () => {
    const io = capture();
    writeFileSync(file('nocode.csv'), 'upn,date,session\n');
    expect(await main(['analyse', '--calendar', file('nope.json'), '--marks', file('nocode.csv')], io)).toBe(2);
    expect(io.err).toContain(`${file('nope.json')}:0: cannot read the file: no such file`);
    expect(io.err).toContain(`${file('nocode.csv')}:1: the header is missing "code"`);
  });

  it.each([
    [['--as-of', '13-02-2026'], '--as-of "13-02-2026" is not a date'],
    [['--from', '2025-13-01'], '--from "2025-13-01" is not a date'],
    [['--as-of', '2025-09-01', '--from', '2025-09-05'], 'is after --as-of'],
    [['--min-possible-sessions', '-3'], '--min-possible-sessions must be a whole number'],
  ])('rejects bad options %j with exit 2', async (extra, message) => {
    const io = capture();
    expect(await main([...base(), ...extra], io)).toBe(2);
    expect(io.err).toContain(message);
  });

  it('treats a missing required option or a bad format as a usage error (exit 2)', async () => {
    const io = capture();
    expect(await main(['analyse', '--marks', file('marks.csv')], io)).toBe(2);
    expect(io.err).toContain("required option '--calendar <file>' not specified");
    const io2 = capture();
    expect(await main([...base(), '--format', 'xml'], io2)).toBe(2);
    expect(io2.err).toContain('xml');
  });
});

describe('rollcall upn', () => {
  it('prints one line per UPN and exits 1 if any is invalid', async () => {
    const io = capture();
    expect(await main(['upn', 'B801200005001', 'A801200005001', 'Y33045002412T', 'B80120000500'], io)).toBe(1);
    expect(io.out.trim().split('\n')).toEqual([
      'B801200005001 valid',
      'A801200005001 invalid: check letter is A but should be B',
      'Y33045002412T valid',
      'B80120000500 invalid: must be 13 characters, got 12',
    ]);
  });

  it('exits 0 when all are valid', async () => {
    const io = capture();
    expect(await main(['upn', 'P330450024123', 'L938214325007'], io)).toBe(0);
    expect(io.out).toBe('P330450024123 valid\nL938214325007 valid\n');
  });

  it('needs at least one UPN', async () => {
    const io = capture();
    expect(await main(['upn'], io)).toBe(2);
  });
});

describe('the rollcall command', () => {
  it('runs through npx from the repository root after npm install', () => {
    const root = fileURLToPath(new URL('../../../../', import.meta.url));
    const r = spawnSync('npx', ['--no-install', 'rollcall', 'upn', 'B801200005001', 'B801200005002'], {
      cwd: root,
      encoding: 'utf8',
    });
    // Positions 2–13 weighted: 16 + 4 + 10 + 50 + 2 × 13 = 106; 106 mod 23 = 14 → Q.
    expect(r.stdout).toBe('B801200005001 valid\nB801200005002 invalid: check letter is B but should be Q\n');
    expect(r.status).toBe(1);
  });

  it('exits 2 with usage for an unknown command', async () => {
    const io = capture();
    expect(await main(['frobnicate'], io)).toBe(2);
    expect(io.err).toContain("unknown command 'frobnicate'");
  });
});
