import { CODE_TABLE } from '@rollcall/domain';
import type { KyselyPlugin } from 'kysely';
import { expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/databases.js';
import { d, seedSmallSchool, testDeps } from '../../../test/fixtures.js';
import { writeSessionMarks } from '../../db/registers/registers.js';
import { audit } from '../audit.js';
import { SYSTEM_ACTOR } from '../authz.js';
import { newId } from '../../platform/ids.js';
import { idFloor, loadCohort } from './cohort.js';

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

  it('sees a history row committed after another process read past its id (UUIDv7 ids are not commit order)', async () => {
    const s = await seedSmallSchool(ctx.db);
    // Two processes: two handles on the one database, so two trackers and two caches.
    const noop: KyselyPlugin = { transformQuery: (a) => a.node, transformResult: (a) => Promise.resolve(a.result) };
    const writer = testDeps(ctx.db, ctx.dialect);
    const reader = testDeps(ctx.db.withPlugin(noop), ctx.dialect);
    const mark = (pupilId: string, code: string, previousCode: string | null) => ({
      pupilId,
      date: d('2025-09-01'),
      session: 'AM' as const,
      code,
      minutesLate: null,
      previousCode,
      previousMinutesLate: null,
      reason: null,
    });
    await writeSessionMarks(ctx.db, [mark(s.pupilsA[0]!, '/', null)], AUTHOR);
    expect(codeOf((await loadCohort(reader, s.schoolId, PERIOD)).pupils[0]!.marks.codes[0]!)).toBe('/');
    await loadCohort(writer, s.schoolId, PERIOD);
    const first = (await loadCohort(reader, s.schoolId, PERIOD)).pupils.find((p) => p.id === s.pupilsA[0])!;
    expect(codeOf(first.marks.codes[0]!)).toBe('/');

    // A transaction in the writer stamps its history row now, and commits only later...
    const lateId = newId();
    // ...while another save, with a newer id, commits first, and the reader reads past it.
    await writeSessionMarks(ctx.db, [mark(s.pupilsB[0]!, 'L', null)], AUTHOR);
    const second = await loadCohort(reader, s.schoolId, PERIOD);
    expect(codeOf(second.pupils.find((p) => p.id === s.pupilsB[0])!.marks.codes[0]!)).toBe('L');
    expect(codeOf(second.pupils.find((p) => p.id === s.pupilsA[0])!.marks.codes[0]!)).toBe('/');
    const newest = await ctx.db
      .selectFrom('mark_history')
      .select((eb) => eb.fn.max('id').as('id'))
      .executeTakeFirstOrThrow();
    expect(lateId < String(newest.id)).toBe(true);

    // The late transaction commits: its row sorts below what the reader has already seen.
    await ctx.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('session_marks')
        .set({ code: 'O' })
        .where('pupil_id', '=', s.pupilsA[0]!)
        .where('date', '=', '2025-09-01')
        .where('session', '=', 'AM')
        .execute();
      await trx
        .insertInto('mark_history')
        .values({
          id: lateId,
          pupil_id: s.pupilsA[0]!,
          date: '2025-09-01',
          session: 'AM',
          lesson_id: null,
          previous_code: '/',
          new_code: 'O',
          previous_minutes_late: null,
          new_minutes_late: null,
          reason: null,
          user_id: null,
          user_name: 'Test',
          user_role: 'admin',
          at: AUTHOR.at,
          source: 'office',
        })
        .execute();
    });
    for (const deps of [reader, writer]) {
      const third = await loadCohort(deps, s.schoolId, PERIOD);
      expect(codeOf(third.pupils.find((p) => p.id === s.pupilsA[0])!.marks.codes[0]!)).toBe('O');
      expect(codeOf(third.pupils.find((p) => p.id === s.pupilsB[0])!.marks.codes[0]!)).toBe('L');
      // Seen once: the next check changes nothing.
      expect(await loadCohort(deps, s.schoolId, PERIOD)).toBe(third);
    }
  });

  it('puts the margin floor below every id made within the margin and at the id for other ids', () => {
    const id = newId();
    const floor = idFloor(id, 5_000);
    expect(floor < id).toBe(true);
    expect(floor).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-0000-0000-000000000000$/);
    const ms = parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
    expect(parseInt(floor.slice(0, 8) + floor.slice(9, 13), 16)).toBe(ms - 5_000);
    expect(idFloor('not-a-uuid')).toBe('not-a-uuid');
  });
});
