import { expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/databases.js';
import { seedSmallSchool, testDeps } from '../../../test/fixtures.js';
import type { Db } from '../../db/connect.js';
import { decideSuggestion } from './casework.js';

const DAYS = ['01', '02', '03', '04', '05', '08', '09', '10', '11', '12'].map((x) => `2025-09-${x}`);
/** Monday 15 September 2025, 9:00 in London. */
const NOW = '2025-09-15T08:00:00Z';

/** Absent (O) the first school week, present the second: 50% actual; 100% leaving the first week out. */
async function awayFirstWeek(db: Db, pupilId: string): Promise<void> {
  await db
    .insertInto('session_marks')
    .values(
      DAYS.flatMap((date, day) =>
        (['AM', 'PM'] as const).map((session) => ({
          pupil_id: pupilId,
          date,
          session,
          code: day < 5 ? 'O' : session === 'AM' ? '/' : '\\',
          minutes_late: null,
          updated_at: '2025-09-12T16:00:00.000Z',
          updated_by: null,
        })),
      ),
    )
    .execute();
}

/** The pupil in Track 1 since 1 September, with an open review suggestion; returns its id. */
async function dueForReview(db: Db, schoolId: string, pupilId: string): Promise<string> {
  await db
    .insertInto('case_stages')
    .values({
      id: `stage-${pupilId}`,
      pupil_id: pupilId,
      stage_id: 'track-1',
      stage_name: 'Track 1',
      entered_on: '2025-09-01',
      left_on: null,
      reason: 'test',
      suggestion_id: null,
      decided_by: 'system',
      decided_by_name: 'Test',
      decided_at: '2025-09-01T08:00:00.000Z',
    })
    .execute();
  const id = `review-${pupilId}`;
  await db
    .insertInto('case_suggestions')
    .values({
      id,
      pupil_id: pupilId,
      school_id: schoolId,
      as_of: '2025-09-12',
      kind: 'review',
      from_stage_id: 'track-1',
      to_stage_id: 'track-1',
      actions: '["review"]',
      explanation: 'Review due (test).',
      because: '[]',
      source: 'test',
      fingerprint: 'review',
      status: 'open',
      decided_stage_id: null,
      decision_reason: null,
      decided_by: null,
      decided_by_name: null,
      decided_at: null,
      created_at: '2025-09-12T17:00:00.000Z',
    })
    .execute();
  return id;
}

describeEachDialect('the rate a review records', (ctx) => {
  it('is the rate the policy reads: adjusted where the policy uses adjusted attendance, else actual', async () => {
    const school = await seedSmallSchool(ctx.db);
    const [alex, bea] = school.pupilsA as [string, string];
    const deps = testDeps(ctx.db, ctx.dialect, NOW);
    const officer = school.actors.attendance_officer;
    const reviewRate = async (pupilId: string): Promise<number | null> =>
      (await ctx.db.selectFrom('case_reviews').select('rate').where('pupil_id', '=', pupilId).executeTakeFirstOrThrow())
        .rate;
    for (const p of [alex, bea]) await awayFirstWeek(ctx.db, p);

    // The first school week on roll is the integration period, left out of the rate the policy reads.
    await ctx.db
      .updateTable('schools')
      .set({ policy_json: JSON.stringify({ adjustedAttendance: { integrationSchoolWeeks: 1 } }) })
      .where('id', '=', school.schoolId)
      .execute();
    const a = await dueForReview(ctx.db, school.schoolId, alex);
    await decideSuggestion(deps, officer, { suggestionId: a, decision: 'accept' });
    expect(await reviewRate(alex)).toBe(1);

    await ctx.db.updateTable('schools').set({ policy_json: '{}' }).where('id', '=', school.schoolId).execute();
    const b = await dueForReview(ctx.db, school.schoolId, bea);
    await decideSuggestion(deps, officer, { suggestionId: b, decision: 'accept' });
    expect(await reviewRate(bea)).toBe(0.5);
  });
});
