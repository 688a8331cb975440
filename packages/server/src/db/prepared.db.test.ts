import { expect, it } from 'vitest';
import { describeEachDialect } from '../../test/databases.js';
import { seedSmallSchool } from '../../test/fixtures.js';
import { postgresPoolOf } from './connect.js';
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

  it('never reads what another transaction has not committed, and reads its own inside one', async () => {
    const school = await seedSmallSchool(ctx.db, 'prepared-tx');
    const named = prepared((db, args: { surname: string }) =>
      db.selectFrom('pupils').select(['id']).where('legal_surname', '=', args.surname),
    );
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let seenInside: unknown[] = [];
    // A transaction inserts a pupil, waits, and is rolled back: nobody outside may ever see it.
    const writing = ctx.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('pupils')
        .values({
          id: `uncommitted-${school.schoolId}`,
          school_id: school.schoolId,
          upn: 'A123456789012',
          legal_surname: 'Uncommitted',
          legal_forename: 'Una',
          admission_date: '2025-09-01',
        })
        .execute();
      seenInside = await named(trx, { surname: 'Uncommitted' });
      await held;
      throw new Error('rolled back');
    });
    await new Promise((r) => setTimeout(r, 50));
    // Read from outside while it is open (on SQLite: on the very connection it holds).
    const outside = named(ctx.db, { surname: 'Uncommitted' });
    release();
    await expect(writing).rejects.toThrow('rolled back');
    expect(seenInside).toHaveLength(1);
    expect(await outside).toEqual([]);
    expect(await named(ctx.db, { surname: 'Uncommitted' })).toEqual([]);
  });
});

describeEachDialect('queries built once, on PostgreSQL as named statements', (ctx) => {
  it('prepares the statement once on the connection it runs on and keeps it there (PostgreSQL)', async () => {
    const pool = postgresPoolOf(ctx.db);
    if (ctx.dialect === 'sqlite') {
      expect(pool).toBeUndefined();
      return;
    }
    expect(pool).toBeDefined();
    const school = await seedSmallSchool(ctx.db, 'prepared-named');
    const expected = (
      await ctx.db.selectFrom('pupils').select(['id']).where('school_id', '=', school.schoolId).orderBy('id').execute()
    ).map((r) => r.id);
    expect(expected.length).toBeGreaterThan(1);
    const ofSchool = prepared((db, args: { schoolId: string }) =>
      db.selectFrom('pupils').select(['id']).where('school_id', '=', args.schoolId).orderBy('id'),
    );
    // One at a time, so the pool hands out the same idle connection each time.
    for (let i = 0; i < 8; i++) {
      expect((await ofSchool(ctx.db, { schoolId: school.schoolId })).map((r) => r.id)).toEqual(expected);
    }
    const statements = await pool!.query<{ name: string; statement: string }>(
      'select name, statement from pg_prepared_statements',
    );
    const ours = statements.rows.filter((r) => r.statement.includes('"school_id" = $1'));
    expect(ours).toHaveLength(1);
    expect(ours[0]!.name).toMatch(/^rollcall_prepared_\d+$/);
  });
});
