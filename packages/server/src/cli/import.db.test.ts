import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeEachDialect } from '../../test/databases.js';
import { fixedClock } from '../platform/clock.js';
import { SYSTEM_ACTOR } from '../services/authz.js';
import type { ImportReport } from '../services/exchange/import/index.js';
import {
  CALENDAR,
  contactsCsv,
  csv,
  groupsCsv,
  markRows,
  marksCsv,
  pupilsCsv,
  tableCounts,
  UPN,
} from '../services/exchange/import/test-support.js';
import { runImport, type ImportArgs } from './import.js';
import { capture } from './test-support.js';

let dir: string;
const path = (name: string): string => join(dir, name);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rollcall-import-cli-'));
  writeFileSync(path('calendar.json'), JSON.stringify(CALENDAR, null, 2));
  writeFileSync(path('pupils.csv'), pupilsCsv());
  writeFileSync(path('marks.csv'), marksCsv());
  writeFileSync(path('contacts.csv'), contactsCsv());
  writeFileSync(path('groups.csv'), groupsCsv());
  const bad = markRows().slice(0, 3);
  bad[1] = [UPN.alex, '2025-09-06', 'AM', '/', ''];
  bad[2] = [UPN.alex, '2025-09-02', 'AM', 'ZZ', ''];
  writeFileSync(path('bad-marks.csv'), marksCsv(bad));
  writeFileSync(
    path('bad-contacts.csv'),
    csv([
      ['upn', 'name', 'relationship', 'priority'],
      [UPN.alex, 'Parent', 'Mother', 'x'],
    ]),
  );
});

const NEW_SCHOOL = { schoolName: 'Test Primary', phase: 'primary', laCode: '330', laName: 'Birmingham' };

function args(urn: string, over: Partial<ImportArgs> = {}): ImportArgs {
  return {
    school: urn,
    ...NEW_SCHOOL,
    calendar: path('calendar.json'),
    pupils: path('pupils.csv'),
    marks: path('marks.csv'),
    contacts: path('contacts.csv'),
    groups: path('groups.csv'),
    ...over,
  };
}

describeEachDialect('rollcall import', (ctx) => {
  const env = () => ({ db: ctx.db, dialect: ctx.dialect, clock: fixedClock('2025-09-15T10:00:00Z') });

  describe('success', () => {
    it('prints a table of what was created, updated, left unchanged and removed, and the time taken', async () => {
      const io = capture();
      expect(await runImport(args('200001'), io, env())).toBe(0);
      expect(io.err).toBe('');
      expect(io.out).toBe(
        [
          'school 200001 Test Primary',
          '               created  updated  unchanged  removed',
          'school               1        0          0        0',
          'terms                1        0          0        0',
          'closures             1        0          0        0',
          'groups               3        0          0        0',
          'group members        5        0          0        0',
          'group staff          0        0          0        0',
          'pupils               3        0          0        0',
          'contacts             3        0          0        0',
          'marks               54        0          0        0',
          'admissions           3        0          0        0',
          '',
          'What changed, file by file:',
          '  calendar.json: 2 added, 0 updated, 0 unchanged, 0 left',
          '  pupils.csv: 3 added, 0 updated, 0 unchanged, 0 left',
          `    added: Alexander Able (${UPN.alex}); Beatrice Baker (${UPN.bea}); Callum Cole (${UPN.cal})`,
          '  marks.csv: 54 added, 0 updated, 0 unchanged, 0 left',
          '  contacts.csv: 3 added, 0 updated, 0 unchanged, 0 left',
          `    added: Parent One (Mother, ${UPN.alex}); Parent Two (Father, ${UPN.alex}); Carer Three (Foster carer, ${UPN.bea})`,
          '  groups.csv: 3 added, 0 updated, 0 unchanged, 0 left',
          '    added: 5A (registration); 6B (registration); 5 Maths (teaching)',
          '',
          'Warnings (5):',
          `  ${path('pupils.csv')}:0: the admission register lacks: pupil's address and postcode, for 3 pupils (${UPN.alex}, ${UPN.bea}, ${UPN.cal}); see the admission register page`,
          `  ${path('pupils.csv')}:0: the admission register lacks: parents' addresses, for 2 pupils (${UPN.alex}, ${UPN.bea}); see the admission register page`,
          `  ${path('pupils.csv')}:0: the admission register lacks: school last attended (or none), for 3 pupils (${UPN.alex}, ${UPN.bea}, ${UPN.cal}); see the admission register page`,
          `  ${path('pupils.csv')}:0: the admission register lacks: parent's name, for 1 pupil (${UPN.cal}); see the admission register page`,
          `  ${path('groups.csv')}:5: staff_email maths.teacher@school.test has no Rollcall account, so is not linked to "5 Maths": create the account and import again`,
          '',
          'Took 0 ms.',
          '',
        ].join('\n'),
      );
    });

    it('says "No changes" the second time, and lists updated pupils', async () => {
      await runImport(args('200002'), capture(), env());
      const io = capture();
      expect(await runImport(args('200002'), io, env())).toBe(0);
      expect(io.out).toContain('marks                0        0         54        0');
      expect(io.out).toMatch(/\nNo changes\. Took 0 ms\.\n$/);
      const renamed = pupilsCsv().replace('Able,Alexander', 'Able-Smith,Alexander');
      writeFileSync(path('pupils-renamed.csv'), renamed);
      const io2 = capture();
      expect(await runImport({ school: '200002', pupils: path('pupils-renamed.csv') }, io2, env())).toBe(0);
      expect(io2.out).toContain(`Pupils updated (1):\n  ${UPN.alex}: surname\n`);
    });

    it('prints JSON with --format json', async () => {
      const io = capture();
      expect(await runImport(args('200003', { format: 'json' }), io, env())).toBe(0);
      const report = JSON.parse(io.out) as ImportReport;
      expect(report.dryRun).toBe(false);
      expect(report.school.urn).toBe('200003');
      expect(report.counts.marks).toEqual({ created: 54, updated: 0, unchanged: 0, removed: 0 });
      expect(report.files.marks).toBe(path('marks.csv'));
      expect(report.durationMs).toBe(0);
    });

    it('--dry-run checks and counts but writes nothing', async () => {
      const before = await tableCounts(ctx.db);
      const io = capture();
      expect(await runImport(args('200004', { dryRun: true }), io, env())).toBe(0);
      expect(io.out.split('\n')[0]).toBe('Dry run (nothing written): school 200004 Test Primary');
      expect(io.out).toContain('marks               54        0          0        0');
      expect(await tableCounts(ctx.db)).toEqual(before);
    });
  });

  describe('refusals', () => {
    it('reports every problem as file:line: message, exit 2, nothing written', async () => {
      const before = await tableCounts(ctx.db);
      const io = capture();
      const code = await runImport(
        args('200010', { marks: path('bad-marks.csv'), contacts: path('bad-contacts.csv'), phase: 'nursery' }),
        io,
        env(),
      );
      expect(code).toBe(2);
      expect(io.out).toBe('');
      expect(io.err.split('\n')).toEqual([
        'rollcall import: --phase "nursery" must be one of primary, secondary, special, all-through',
        `${path('bad-marks.csv')}:3: 2025-09-06 AM is not a school session in the calendar (weekend, holiday or outside the terms)`,
        expect.stringMatching(new RegExp(`^${path('bad-marks.csv').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4: .*ZZ`)),
        `${path('bad-contacts.csv')}:2: priority "x" must be a whole number from 1 (first to call) to 99`,
        '',
      ]);
      expect(await tableCounts(ctx.db)).toEqual(before);
    });

    it('reports files that cannot be read', async () => {
      const io = capture();
      expect(await runImport(args('200011', { pupils: path('missing.csv'), groups: dir }), io, env())).toBe(2);
      expect(io.err).toBe(
        `${path('missing.csv')}:0: cannot read the file: no such file\n${dir}:0: cannot read the file: this is a folder, not a file\n`,
      );
    });

    it('refuses an unknown school without its details, and a bad --format', async () => {
      const io = capture();
      expect(await runImport({ school: '200012', calendar: path('calendar.json') }, io, env())).toBe(2);
      expect(io.err).toBe(
        'rollcall import: no school has URN 200012: to create it, give --school-name, --phase and --la-code (missing --school-name, --phase, --la-code)\n',
      );
      const io2 = capture();
      expect(await runImport(args('200012', { format: 'csv' }), io2, env())).toBe(2);
      expect(io2.err).toBe('rollcall import: --format must be table or json, got "csv"\n');
    });

    it('exits 3 when the person importing may not administer the school', async () => {
      await runImport({ school: '200013', ...NEW_SCHOOL }, capture(), env());
      const io = capture();
      const teacher = { ...SYSTEM_ACTOR, userId: 'u-t', name: 'Teacher', role: 'teacher' as const };
      expect(
        await runImport({ school: '200013', calendar: path('calendar.json') }, io, { ...env(), actor: teacher }),
      ).toBe(3);
      expect(io.err).toBe('rollcall import: You do not have permission to do that.\n');
    });
  });
});
