import { expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/databases.js';
import { seedSmallSchool, testDeps } from '../../../test/fixtures.js';
import { saveTemplate } from '../casework/letters/letters.js';
import { sendFirstDayTexts } from './first-day-texts.js';

/** Monday 8 September 2025, 09:30 in London. */
const NOW = '2025-09-08T08:30:00Z';

describeEachDialect('first-day texts from the worklist', (ctx) => {
  it("texts every family not heard from this morning in the school's wording, and records each as a contact attempt", async () => {
    const school = await seedSmallSchool(ctx.db);
    const deps = testDeps(ctx.db, ctx.dialect, NOW);
    const [alex, bea] = [school.pupilsA[0]!, school.pupilsA[1]!];
    for (const pupilId of [alex, bea])
      await ctx.db
        .insertInto('session_marks')
        .values({
          pupil_id: pupilId,
          date: '2025-09-08',
          session: 'AM',
          code: 'N',
          minutes_late: null,
          updated_at: NOW,
          updated_by: null,
        })
        .execute();
    const officer = school.actors.attendance_officer;
    await saveTemplate(deps, officer, school.schoolId, {
      key: 'text-first-day',
      title: 'Text: not heard from you',
      body: 'Test Primary has not heard from you about {{pupil.forename}} today. Please ring 01632 960000.',
    });
    const r = await sendFirstDayTexts(deps, school.actors.office, {
      schoolId: school.schoolId,
      date: '2025-09-08' as never,
      pupilId: null,
    });
    // Alex's mother has a mobile; Bea has no contact.
    expect(r).toEqual({
      queued: 1,
      pupils: 1,
      skipped: [{ pupilName: 'Bea Baker', reason: 'no contact has a mobile number' }],
    });
    const texts = await ctx.db
      .selectFrom('messages')
      .select(['to_address', 'body', 'kind', 'pupil_id'])
      .where('school_id', '=', school.schoolId)
      .execute();
    expect(texts).toEqual([
      {
        to_address: '+447700900123',
        body: 'Test Primary has not heard from you about Alex today. Please ring 01632 960000.',
        kind: 'first-day-text',
        pupil_id: alex,
      },
    ]);
    const attempts = await ctx.db
      .selectFrom('contact_attempts')
      .select(['method', 'outcome', 'contact_name'])
      .where('pupil_id', '=', alex)
      .execute();
    expect(attempts).toEqual([{ method: 'text', outcome: 'left_message', contact_name: 'Parent of Alex (Mother)' }]);
    // A teacher may not.
    await expect(
      sendFirstDayTexts(deps, school.actors.teacher, {
        schoolId: school.schoolId,
        date: '2025-09-08' as never,
        pupilId: alex,
      }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});
