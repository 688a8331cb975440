import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/databases.js';
import { seedSmallSchool, testDeps, type SmallSchool } from '../../../test/fixtures.js';
import { AppError } from '../errors.js';
import { homeVisitsForPupil, planHomeVisit, recordHomeVisit } from './home-visits.js';

/** Wednesday 10 September 2025, 11:00 in London. */
const NOW = '2025-09-10T10:00:00Z';

async function fieldsOf(p: Promise<unknown>): Promise<string[]> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AppError) return (e.details.fields ?? []).map((f) => f.field);
    throw e;
  }
  throw new Error('expected a rejection');
}

describeEachDialect('home visits', (ctx) => {
  let school: SmallSchool;
  const deps = () => testDeps(ctx.db, ctx.dialect, NOW);
  beforeAll(async () => {
    school = await seedSmallSchool(ctx.db);
  });

  it('plans a visit with validation, then records it, completing the plan', async () => {
    const pupilId = school.pupilsA[1]!;
    expect(
      await fieldsOf(planHomeVisit(deps(), school.actors.office, { pupilId, plannedFor: '2025-09-01', reason: '' })),
    ).toEqual(['plannedFor', 'reason']);
    const id = await planHomeVisit(deps(), school.actors.office, {
      pupilId,
      plannedFor: '2025-09-10',
      reason: 'Day 3 of unexplained absence',
    });
    expect(
      await fieldsOf(
        recordHomeVisit(deps(), school.actors.office, {
          pupilId,
          visitId: id,
          visitDate: '2025-09-11',
          visitTime: '9.5',
          staff: ' ',
          pair: false,
          childSeen: null,
          callingCardLeft: false,
          safeguardingConcern: true,
        }),
      ),
    ).toEqual(['visitDate', 'visitTime', 'staff', 'childSeen', 'nextSteps']);
    await recordHomeVisit(deps(), school.actors.office, {
      pupilId,
      visitId: id,
      visitDate: '2025-09-10',
      visitTime: '10:30',
      staff: 'Test office, Test attendance officer',
      pair: true,
      childSeen: true,
      present: 'Child and mother',
      discussed: 'Sickness since Monday; GP appointment tomorrow',
      callingCardLeft: false,
      safeguardingConcern: false,
      nextSteps: 'Call tomorrow after the appointment',
    });
    const list = await homeVisitsForPupil(deps(), school.actors.office, pupilId);
    expect(list.canRecord).toBe(true);
    expect(list.visits).toMatchObject([
      {
        id,
        status: 'done',
        plannedFor: '2025-09-10',
        reason: 'Day 3 of unexplained absence',
        visitedAt: '2025-09-10T09:30:00.000Z',
        visitedOn: '2025-09-10',
        visitedTime: '10:30',
        pair: true,
        childSeen: true,
        present: 'Child and mother',
        nobodyHome: false,
      },
    ]);
    const audited = await ctx.db
      .selectFrom('audit_log')
      .select('action')
      .where('pupil_id', '=', pupilId)
      .orderBy('action')
      .execute();
    // Both at the same fixed instant.
    expect(audited.map((a) => a.action)).toEqual(['homeVisit.plan', 'homeVisit.record']);
  });

  it('refuses a teacher and another school’s office', async () => {
    const pupilId = school.pupilsA[0]!;
    await expect(
      planHomeVisit(deps(), school.actors.teacher, { pupilId, plannedFor: '2025-09-10', reason: 'x' }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const other = await seedSmallSchool(ctx.db);
    await expect(homeVisitsForPupil(deps(), other.actors.office, pupilId)).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
  });
});
