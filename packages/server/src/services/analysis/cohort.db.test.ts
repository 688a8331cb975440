import { CODE_TABLE } from '@rollcall/domain';
import { expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/databases.js';
import { d, seedSmallSchool, testDeps } from '../../../test/fixtures.js';
import { writeSessionMarks } from '../../db/registers/registers.js';
import { audit } from '../audit.js';
import { SYSTEM_ACTOR } from '../authz.js';
import { loadCohort } from './cohort.js';

const PERIOD = { from: d('2025-09-01'), to: d('2026-08-31') };
const AUTHOR = {
  userId: null,
  userName: 'Test',
  userRole: 'admin',
  at: '2025-09-02T10:00:00.000Z',
  source: 'office',
} as const;

function codeOf(id: number): string {
  return CODE_TABLE.find((c) => c.id === id)?.code ?? '';
}

describeEachDialect('loadCohort', (ctx) => {
  it('lays each on-roll pupil’s marks over the calendar and reloads after marks change', async () => {
    const s = await seedSmallSchool(ctx.db);
    const deps = testDeps(ctx.db, ctx.dialect);
    await writeSessionMarks(
      ctx.db,
      [
        {
          pupilId: s.pupilsA[0]!,
          date: d('2025-09-01'),
          session: 'AM',
          code: '/',
          minutesLate: null,
          previousCode: null,
          previousMinutesLate: null,
          reason: null,
        },
        {
          pupilId: s.pupilsA[0]!,
          date: d('2025-09-01'),
          session: 'PM',
          code: 'L',
          minutesLate: 12,
          previousCode: null,
          previousMinutesLate: null,
          reason: null,
        },
      ],
      AUTHOR,
    );
    const first = await loadCohort(deps, s.schoolId, PERIOD);
    expect(first.pupils).toHaveLength(5);
    expect(first.cal.sessionCount).toBeGreaterThan(0);
    const alex = first.pupils.find((p) => p.id === s.pupilsA[0])!;
    expect(alex.cp).toBe(true);
    expect(alex.yearGroup).toBe('3');
    expect(alex.regGroupName).toBe('Year 3 Oak');
    expect(codeOf(alex.marks.codes[0]!)).toBe('/');
    expect(codeOf(alex.marks.codes[1]!)).toBe('L');
    expect(alex.marks.minutesLate?.[1]).toBe(12);
    expect(first.pupils.find((p) => p.id === s.pupilsB[0])!.marks.minutesLate).toBeUndefined();

    // Cached while nothing changes.
    expect(await loadCohort(deps, s.schoolId, PERIOD)).toBe(first);

    await writeSessionMarks(
      ctx.db,
      [
        {
          pupilId: s.pupilsA[0]!,
          date: d('2025-09-02'),
          session: 'AM',
          code: 'O',
          minutesLate: null,
          previousCode: null,
          previousMinutesLate: null,
          reason: null,
        },
      ],
      AUTHOR,
    );
    const second = await loadCohort(deps, s.schoolId, PERIOD);
    expect(second).not.toBe(first);
    expect(second.version).toBeGreaterThan(first.version);
    expect(codeOf(second.pupils.find((p) => p.id === s.pupilsA[0])!.marks.codes[2]!)).toBe('O');
    // Patched, not read again: the pupils whose marks did not change keep their arrays.
    expect(second.pupils.find((p) => p.id === s.pupilsB[0])!.marks).toBe(
      first.pupils.find((p) => p.id === s.pupilsB[0])!.marks,
    );
    expect(codeOf(first.pupils.find((p) => p.id === s.pupilsA[0])!.marks.codes[2]!)).toBe('');

    // A late mark replaced by a present one clears its minutes; a new late mark sets them.
    await writeSessionMarks(
      ctx.db,
      [
        {
          pupilId: s.pupilsA[0]!,
          date: d('2025-09-01'),
          session: 'PM',
          code: '\\',
          minutesLate: null,
          previousCode: 'L',
          previousMinutesLate: 12,
          reason: 'wrong',
        },
        {
          pupilId: s.pupilsB[0]!,
          date: d('2025-09-02'),
          session: 'AM',
          code: 'L',
          minutesLate: 7,
          previousCode: null,
          previousMinutesLate: null,
          reason: null,
        },
      ],
      AUTHOR,
    );
    const third = await loadCohort(deps, s.schoolId, PERIOD);
    const alex3 = third.pupils.find((p) => p.id === s.pupilsA[0])!;
    expect(codeOf(alex3.marks.codes[1]!)).toBe('\\');
    expect(alex3.marks.minutesLate?.[1]).toBe(0);
    expect(third.pupils.find((p) => p.id === s.pupilsB[0])!.marks.minutesLate?.[2]).toBe(7);

    // An import (audited) may change pupils and the calendar: the cohort is read again.
    await ctx.db.updateTable('pupils').set({ year_group: '5' }).where('id', '=', s.pupilsB[1]!).execute();
    await audit(ctx.db, SYSTEM_ACTOR, '2025-09-02T11:00:00.000Z', {
      action: 'import',
      entityType: 'school',
      schoolId: s.schoolId,
    });
    const fourth = await loadCohort(deps, s.schoolId, PERIOD);
    expect(fourth.pupils.find((p) => p.id === s.pupilsB[1])!.yearGroup).toBe('5');
    expect(codeOf(fourth.pupils.find((p) => p.id === s.pupilsB[0])!.marks.codes[2]!)).toBe('L');
  });

  it('leaves out pupils not on roll in the period and keeps other schools’ caches', async () => {
    const s = await seedSmallSchool(ctx.db);
    const other = await seedSmallSchool(ctx.db);
    const deps = testDeps(ctx.db, ctx.dialect);
    await ctx.db.updateTable('pupils').set({ leaving_date: '2025-08-31' }).where('id', '=', s.pupilsB[1]!).execute();
    const otherFirst = await loadCohort(deps, other.schoolId, PERIOD);
    const cohort = await loadCohort(deps, s.schoolId, PERIOD);
    expect(cohort.pupils.map((p) => p.id)).not.toContain(s.pupilsB[1]);
    await writeSessionMarks(
      ctx.db,
      [
        {
          pupilId: s.pupilsA[1]!,
          date: d('2025-09-02'),
          session: 'AM',
          code: 'I',
          minutesLate: null,
          previousCode: null,
          previousMinutesLate: null,
          reason: null,
        },
      ],
      AUTHOR,
    );
    expect(await loadCohort(deps, other.schoolId, PERIOD)).toBe(otherFirst);
  });
});
