import type { PlainDate } from '@rollcall/domain';
import { expect, it } from 'vitest';
import { describeEachDialect } from '../../test/databases.js';
import { seedSmallSchool } from '../../test/fixtures.js';
import { sql } from 'kysely';
import { postgresPoolOf } from './connect.js';
import { gathered, prepared } from './prepared.js';
import { groupWithMemberIdsOnRoll, groupWithMembersOnRoll } from './pupils/pupils.js';

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

describeEachDialect('queries gathered: callers of one turn share one statement on PostgreSQL', (ctx) => {
  it('answers each caller with its own rows, from one statement on PostgreSQL and one each on SQLite', async () => {
    const school = await seedSmallSchool(ctx.db, 'gathered');
    const calls = { one: 0, many: 0, manyKeys: [] as string[][] };
    const ofGroupOne = prepared((db, args: { groupId: string }) =>
      db.selectFrom('pupils').select(['id', 'reg_group_id']).where('reg_group_id', '=', args.groupId),
    );
    const ofGroupMany = prepared((db, args: { groupId: readonly string[] }) =>
      db
        .selectFrom('pupils')
        .select(['id', 'reg_group_id'])
        .where('reg_group_id', '=', sql<string>`any(${args.groupId}::text[])`),
    );
    const pupilsOf = gathered({
      one: (db, p: { groupId: string }) => {
        calls.one++;
        return ofGroupOne(db, p);
      },
      many: (db, p) => {
        calls.many++;
        calls.manyKeys.push([...p.groupId]);
        return ofGroupMany(db, p);
      },
      keyOf: (p) => p.groupId,
      rowKey: (r) => r.reg_group_id ?? '',
    });
    const [a, b, a2, none] = await Promise.all([
      pupilsOf(ctx.db, { groupId: school.groupA }),
      pupilsOf(ctx.db, { groupId: school.groupB }),
      pupilsOf(ctx.db, { groupId: school.groupA }),
      pupilsOf(ctx.db, { groupId: 'no-such-group' }),
    ]);
    expect(a.map((r) => r.id).sort()).toEqual([...school.pupilsA].sort());
    expect(b.map((r) => r.id).sort()).toEqual([...school.pupilsB].sort());
    expect(a2.map((r) => r.id).sort()).toEqual([...school.pupilsA].sort());
    expect(a2).not.toBe(a); // each caller its own array
    expect(none).toEqual([]);
    if (ctx.dialect === 'postgres') {
      // One statement, each key asked once.
      expect(calls).toEqual({ one: 0, many: 1, manyKeys: [[school.groupA, school.groupB, 'no-such-group']] });
    } else {
      expect(calls).toEqual({ one: 4, many: 0, manyKeys: [] });
    }

    // Nothing is kept: a pupil moved since is read in its new group by the next call.
    await ctx.db
      .updateTable('pupils')
      .set({ reg_group_id: school.groupB })
      .where('id', '=', school.pupilsA[0]!)
      .execute();
    const alone = { ...calls };
    const after = await pupilsOf(ctx.db, { groupId: school.groupB });
    expect(after.map((r) => r.id).sort()).toEqual([...school.pupilsB, school.pupilsA[0]!].sort());
    // A caller alone in its turn is asked with the one-key statement, on either database.
    expect(calls.one - alone.one).toBe(1);
    expect(calls.many).toBe(alone.many);

    // Inside a transaction each call runs on the transaction's connection by itself.
    const before = { ...calls };
    await ctx.db.transaction().execute(async (trx) => {
      await Promise.all([pupilsOf(trx, { groupId: school.groupA }), pupilsOf(trx, { groupId: school.groupB })]);
    });
    expect(calls.one - before.one).toBe(2);
    expect(calls.many).toBe(before.many);
  });

  it('fails every caller of a statement that fails', async () => {
    const failing = gathered<{ id: string }, { k: string }, { k: string }>({
      one: () => Promise.reject(new Error('no database today')),
      many: () => Promise.reject(new Error('no database today')),
      keyOf: (p) => p.id,
      rowKey: (r) => r.k,
    });
    const results = await Promise.allSettled([failing(ctx.db, { id: 'a' }), failing(ctx.db, { id: 'b' })]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });

  it('keeps a failure to the caller whose parameters caused it', async () => {
    // A group id with a NUL (from a URL's %00) fails PostgreSQL's statement; the registers asked
    // for in the same turn are still read.
    const school = await seedSmallSchool(ctx.db, 'gathered-nul');
    const [a, bad, b] = await Promise.allSettled([
      groupWithMembersOnRoll(ctx.db, school.groupA, '2025-10-01' as PlainDate),
      groupWithMembersOnRoll(ctx.db, 'x\u0000y', '2025-10-01' as PlainDate),
      groupWithMemberIdsOnRoll(ctx.db, school.groupB, '2025-10-01' as PlainDate),
    ]);
    expect(a.status === 'fulfilled' && a.value?.group.id).toBe(school.groupA);
    expect(b.status === 'fulfilled' && b.value?.group.id).toBe(school.groupB);
    // PostgreSQL refuses the NUL, SQLite finds no such group: either way nothing is read for it.
    expect(bad.status === 'rejected' || bad.value === undefined).toBe(true);
  });

  it('reads a register’s group, school and pupils on roll for many groups and dates in one turn', async () => {
    const school = await seedSmallSchool(ctx.db, 'gathered-roll');
    // A pupil of group A who left on 2025-09-30 is on roll on the 30th, not on 1 October.
    await ctx.db
      .updateTable('pupils')
      .set({ leaving_date: '2025-09-30' })
      .where('id', '=', school.pupilsA[0]!)
      .execute();
    const [a30, a01, b01, missing] = await Promise.all([
      groupWithMembersOnRoll(ctx.db, school.groupA, '2025-09-30' as PlainDate),
      groupWithMembersOnRoll(ctx.db, school.groupA, '2025-10-01' as PlainDate),
      groupWithMembersOnRoll(ctx.db, school.groupB, '2025-10-01' as PlainDate),
      groupWithMembersOnRoll(ctx.db, 'no-such-group', '2025-10-01' as PlainDate),
    ]);
    expect(a30?.group.id).toBe(school.groupA);
    expect(a30?.schoolRow.id).toBe(school.schoolId);
    expect(a30?.members.map((p) => p.id).sort()).toEqual([...school.pupilsA].sort());
    expect(a01?.members.map((p) => p.id).sort()).toEqual(school.pupilsA.slice(1).sort());
    expect(b01?.group.id).toBe(school.groupB);
    expect(b01?.members.map((p) => p.id).sort()).toEqual([...school.pupilsB].sort());
    expect(missing).toBeUndefined();
    // A save reads only the ids, the same pupils.
    const [ids30, ids01, idsB, idsMissing] = await Promise.all([
      groupWithMemberIdsOnRoll(ctx.db, school.groupA, '2025-09-30' as PlainDate),
      groupWithMemberIdsOnRoll(ctx.db, school.groupA, '2025-10-01' as PlainDate),
      groupWithMemberIdsOnRoll(ctx.db, school.groupB, '2025-10-01' as PlainDate),
      groupWithMemberIdsOnRoll(ctx.db, 'no-such-group', '2025-10-01' as PlainDate),
    ]);
    expect(ids30?.group.id).toBe(school.groupA);
    expect(ids30?.schoolRow.id).toBe(school.schoolId);
    expect([...(ids30?.memberIds ?? [])].sort()).toEqual([...school.pupilsA].sort());
    expect([...(ids01?.memberIds ?? [])].sort()).toEqual(school.pupilsA.slice(1).sort());
    expect([...(idsB?.memberIds ?? [])].sort()).toEqual([...school.pupilsB].sort());
    expect(idsMissing).toBeUndefined();
    // Asked alone in its turn (a register saved while the school is quiet): the same answer, and
    // a group whose pupils have all left is found with no one on roll.
    const alone = await groupWithMemberIdsOnRoll(ctx.db, school.groupA, '2025-10-01' as PlainDate);
    expect(alone?.group.id).toBe(school.groupA);
    expect(alone?.schoolRow.id).toBe(school.schoolId);
    expect([...(alone?.memberIds ?? [])].sort()).toEqual(school.pupilsA.slice(1).sort());
    await ctx.db.updateTable('pupils').set({ leaving_date: '2025-09-30' }).where('id', 'in', school.pupilsB).execute();
    const empty = await groupWithMemberIdsOnRoll(ctx.db, school.groupB, '2025-10-01' as PlainDate);
    expect(empty?.group.id).toBe(school.groupB);
    expect(empty?.memberIds).toEqual([]);
    expect(await groupWithMemberIdsOnRoll(ctx.db, 'no-such-group', '2025-10-01' as PlainDate)).toBeUndefined();
    // A pupil admitted on 2 October is on roll from that day, alone in its turn or asked with others.
    await ctx.db
      .updateTable('pupils')
      .set({ admission_date: '2025-10-02' })
      .where('id', '=', school.pupilsA[1]!)
      .execute();
    const before = await groupWithMemberIdsOnRoll(ctx.db, school.groupA, '2025-10-01' as PlainDate);
    expect([...(before?.memberIds ?? [])].sort()).toEqual(school.pupilsA.slice(2).sort());
    const [on01, on02] = await Promise.all([
      groupWithMemberIdsOnRoll(ctx.db, school.groupA, '2025-10-01' as PlainDate),
      groupWithMemberIdsOnRoll(ctx.db, school.groupA, '2025-10-02' as PlainDate),
    ]);
    expect([...(on01?.memberIds ?? [])].sort()).toEqual(school.pupilsA.slice(2).sort());
    expect([...(on02?.memberIds ?? [])].sort()).toEqual(school.pupilsA.slice(1).sort());
  });
});
