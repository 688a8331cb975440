import { expect, it } from 'vitest';
import { describeEachDialect } from '../../test/databases.js';
import { seedSmallSchool } from '../../test/fixtures.js';
import { prepared } from './prepared.js';

describeEachDialect('queries built once', (ctx) => {
  it('puts each call’s values where the markers were, the same value in every place it is used', async () => {
    const school = await seedSmallSchool(ctx.db, 'prepared');
    const pupilsOf = prepared((db, args: { groupId: string; year: string }) =>
      db
        .selectFrom('pupils')
        .select(['id'])
        .where('reg_group_id', '=', args.groupId)
        .where((eb) => eb.or([eb('year_group', '=', args.year), eb('year_group', '=', args.year)]))
        .where('school_id', '=', school.schoolId) // a constant, kept as it was when built
        .orderBy('id'),
    );
    const a = await pupilsOf(ctx.db, { groupId: school.groupA, year: '3' });
    expect(a.map((r) => r.id)).toEqual([...school.pupilsA].sort());
    const b = await pupilsOf(ctx.db, { groupId: school.groupB, year: '4' });
    expect(b.map((r) => r.id)).toEqual([...school.pupilsB].sort());
    expect(await pupilsOf(ctx.db, { groupId: school.groupA, year: '4' })).toEqual([]);
  });
});
