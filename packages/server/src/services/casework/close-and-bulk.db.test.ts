import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/databases.js';
import { d, rejection, seedSmallSchool, testDeps, type SmallSchool } from '../../../test/fixtures.js';
import type { Db } from '../../db/connect.js';
import { acceptSuggestions, closeCase, dismissSuggestions, openCases } from './casework.js';
import { caseworkList } from './casework-list.js';
import { evaluateSchool } from './evaluation.js';
import { loadCaseRecord } from './record.js';

const DAYS = ['01', '02', '03', '04', '05', '08', '09', '10', '11', '12'].map((x) => `2025-09-${x}`);
/** Monday 15 September 2025, 9:00 in London. */
const NOW = '2025-09-15T08:00:00Z';

async function mark(db: Db, pupilId: string, absent: number): Promise<void> {
  await db
    .insertInto('session_marks')
    .values(
      DAYS.flatMap((date, day) =>
        (['AM', 'PM'] as const).map((session, s) => ({
          pupil_id: pupilId,
          date,
          session,
          code: day * 2 + s < absent ? 'O' : session === 'AM' ? '/' : '\\',
          minutes_late: null,
          updated_at: '2025-09-12T16:00:00.000Z',
          updated_by: null,
        })),
      ),
    )
    .execute();
}

describeEachDialect('accepting several suggestions and closing cases', (ctx) => {
  let school: SmallSchool;

  beforeAll(async () => {
    school = await seedSmallSchool(ctx.db);
    await mark(ctx.db, school.pupilsA[0]!, 14); // 30%: severe, and vulnerable
    await mark(ctx.db, school.pupilsA[1]!, 2); // 90%
    await mark(ctx.db, school.pupilsA[2]!, 4); // 80%
    await evaluateSchool(testDeps(ctx.db, ctx.dialect, NOW), school.schoolId, d('2025-09-12'));
  });

  it('lists the severely absent, vulnerable pupil first, with the year-to-date rate', async () => {
    const deps = testDeps(ctx.db, ctx.dialect, NOW);
    const list = await caseworkList(deps, school.actors.attendance_officer);
    expect(list.queue.total).toBe(3);
    expect(list.suggestions[0]).toMatchObject({ pupilId: school.pupilsA[0], severe: true, vulnerable: true });
    expect(list.suggestions[0]!.rate).toBeCloseTo(0.3);
    expect(list.queue.filters.vulnerable.count).toBe(1);
  });

  it('dismisses several in one go with a required reason, audited per pupil, in one transaction', async () => {
    const deps = testDeps(ctx.db, ctx.dialect, NOW);
    const officer = school.actors.attendance_officer;
    const ids = (await caseworkList(deps, officer)).suggestions.map((s) => s.id);
    expect(ids).toHaveLength(3);
    const noReason = await rejection(dismissSuggestions(deps, officer, { suggestionIds: ids, reason: ' ' }));
    expect(noReason.details.fields).toEqual([{ field: 'reason', message: 'Say why the suggestions are dismissed.' }]);
    expect(
      (await rejection(dismissSuggestions(deps, school.actors.senco, { suggestionIds: ids, reason: 'x' }))).code,
    ).toBe('FORBIDDEN');
    // One unknown id refuses the whole batch: nothing is dismissed.
    expect(
      (await rejection(dismissSuggestions(deps, officer, { suggestionIds: [ids[0]!, 'no-such-id'], reason: 'x' })))
        .code,
    ).toBe('NOT_FOUND');
    expect((await caseworkList(deps, officer)).queue.total).toBe(3);

    const result = await dismissSuggestions(deps, officer, { suggestionIds: ids.slice(0, 2), reason: 'Known to us' });
    expect(result).toEqual({ dismissed: 2, skipped: [] });
    const audits = await ctx.db
      .selectFrom('audit_log')
      .select(['pupil_id', 'details'])
      .where('action', '=', 'casework.suggestion.dismiss')
      .where('school_id', '=', school.schoolId)
      .execute();
    expect(audits).toHaveLength(2);
    expect(new Set(audits.map((a) => a.pupil_id)).size).toBe(2);
    for (const a of audits) expect(String(a.details)).toContain('Known to us');
    expect(await ctx.db.selectFrom('case_stages').select('id').execute()).toHaveLength(0);
    const again = await dismissSuggestions(deps, officer, { suggestionIds: ids.slice(0, 2), reason: 'x' });
    expect(again).toMatchObject({ dismissed: 0, skipped: [{ id: ids[0] }, { id: ids[1] }] });

    // Put them back as they were for the tests that follow (dismissed suggestions are not proposed again for 14 days).
    await ctx.db
      .updateTable('case_suggestions')
      .set({ status: 'open', decision_reason: null, decided_by: null, decided_by_name: null, decided_at: null })
      .where('id', 'in', ids.slice(0, 2))
      .execute();
  });

  it('accepts several in one go, audited per pupil; refuses a teacher; skips what is already decided', async () => {
    const deps = testDeps(ctx.db, ctx.dialect, NOW);
    const officer = school.actors.attendance_officer;
    const ids = (await caseworkList(deps, officer)).suggestions.map((s) => s.id);
    expect((await rejection(acceptSuggestions(deps, school.actors.teacher, { suggestionIds: ids }))).code).toBe(
      'FORBIDDEN',
    );
    const result = await acceptSuggestions(deps, officer, { suggestionIds: ids, reason: 'Attendance panel' });
    expect(result).toEqual({ accepted: 3, skipped: [] });
    const audits = await ctx.db
      .selectFrom('audit_log')
      .select('pupil_id')
      .where('action', '=', 'casework.suggestion.accept')
      .where('school_id', '=', school.schoolId)
      .execute();
    expect(audits.map((a) => a.pupil_id).sort()).toEqual([...school.pupilsA].sort());
    const again = await acceptSuggestions(deps, officer, { suggestionIds: [ids[0]!] });
    expect(again.accepted).toBe(0);
    expect(again.skipped).toHaveLength(1);
    expect((await rejection(acceptSuggestions(deps, officer, { suggestionIds: [] }))).code).toBe('VALIDATION');
  });

  it('closes a case with an outcome and reason, keeping its history, and reopens it', async () => {
    const deps = testDeps(ctx.db, ctx.dialect, NOW);
    const officer = school.actors.attendance_officer;
    const pupil = school.pupilsA[1]!;
    const bad = await rejection(closeCase(deps, officer, { pupilId: pupil, outcome: 'nope', reason: ' ' }));
    expect(bad.details.fields?.map((f) => f.field)).toEqual(['outcome', 'reason']);
    expect(
      (await rejection(closeCase(deps, school.actors.senco, { pupilId: pupil, outcome: 'improved', reason: 'x' })))
        .code,
    ).toBe('FORBIDDEN');
    await closeCase(deps, officer, { pupilId: pupil, outcome: 'improved', reason: 'Above 95% since the plan' });
    const closed = await loadCaseRecord(ctx.db, pupil);
    expect(closed.case).toMatchObject({
      status: 'closed',
      closedOn: '2025-09-15',
      closure: { outcome: 'improved', reason: 'Above 95% since the plan', outcomeLabel: 'Attendance improved' },
    });
    expect(closed.current).toBeNull();
    expect(closed.stages.map((s) => s.stageName)).toEqual([
      'Track 1: attendance support meeting',
      'Case closed: Attendance improved',
    ]);
    expect(closed.actions.every((a) => a.status === 'cancelled')).toBe(true);
    expect((await rejection(closeCase(deps, officer, { pupilId: pupil, outcome: 'other', reason: 'x' }))).code).toBe(
      'CONFLICT',
    );
    await openCases(deps, officer, [pupil], 'Absent again');
    const reopened = await loadCaseRecord(ctx.db, pupil);
    expect(reopened.case).toMatchObject({ status: 'open', closure: null });
    expect(reopened.stages.map((s) => [s.stageName, s.reason]).slice(1)).toEqual([
      ['Case closed: Attendance improved', 'Above 95% since the plan'],
      ['Case reopened', 'Absent again'],
    ]);
  });
});
