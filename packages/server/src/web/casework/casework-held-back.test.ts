import type { PlainDate } from '@rollcall/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pagesHarness, textOf, type PagesHarness } from '../../../test/web-pages.js';
import { evaluateSchool } from '../../services/casework/evaluation.js';
import { caseRoutes } from './case-routes.js';

const DAYS = ['01', '02', '03', '04', '05', '08', '09', '10', '11', '12'].map((x) => `2025-09-${x}`);

let t: PagesHarness;

/** Absent (O) for the first `absent` sessions of two weeks, present after. */
function marks(pupilId: string, absent: number) {
  return DAYS.flatMap((date, day) =>
    (['AM', 'PM'] as const).map((session, s) => ({
      pupil_id: pupilId,
      date,
      session,
      code: day * 2 + s < absent ? 'O' : session === 'AM' ? '/' : '\\',
      minutes_late: null,
      updated_at: '2025-09-12T16:00:00.000Z',
      updated_by: null,
    })),
  );
}

beforeAll(async () => {
  t = await pagesHarness([caseRoutes], 'caseheldback', '2025-09-15T08:00:00.000Z');
  const pupils = [...t.school.pupilsA, ...t.school.pupilsB];
  await t.open.db
    .insertInto('session_marks')
    .values([...marks(pupils[0]!, 4), ...marks(pupils[1]!, 2), ...marks(pupils[2]!, 3), ...marks(pupils[3]!, 0)])
    .execute();
});

afterAll(async () => {
  await t.close();
});

describe('the cap on new entries on the officer’s list', () => {
  it('says how many more pupils the latest evaluation held back, and why', async () => {
    const officer = await t.signInAs('attendance_officer');
    await t.open.db
      .updateTable('schools')
      .set({ policy_json: JSON.stringify({ maxNewEntriesPerRun: 1 }) })
      .where('id', '=', t.school.schoolId)
      .execute();
    await evaluateSchool(t.deps, t.school.schoolId, '2025-09-12' as PlainDate);
    const res = await t.get('/casework', officer);
    expect(res.statusCode).toBe(200);
    const text = textOf(res.body);
    expect(text).toContain('1 open suggestion,');
    expect(textOf(/data-testid="held-back"[\s\S]*?<\/div>/.exec(res.body)![0])).toContain(
      'The evaluation of Friday 12 September 2025 held back 2 more pupils entering Track 1: attendance support meeting: ' +
        'the policy proposes at most 1 new at once, the most serious (lowest attendance) first. ' +
        'They come again at the next evaluation while they still hold.',
    );
  });
});
