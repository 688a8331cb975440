import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../test/databases.js';
import { seedSmallSchool, testDeps } from '../../test/fixtures.js';
import { runCodesList, runCodesRemove, runCodesSet } from './codes.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: (t: string) => void out.push(t), stderr: (t: string) => void err.push(t) }, out, err };
}

describeEachDialect('rollcall codes list|set|remove', (ctx) => {
  let urn: string;
  const deps = () => testDeps(ctx.db, ctx.dialect);

  beforeAll(async () => {
    const school = await seedSmallSchool(ctx.db);
    urn = (await ctx.db.selectFrom('schools').select('urn').where('id', '=', school.schoolId).executeTakeFirstOrThrow())
      .urn;
  });

  it('sets, lists and removes a school code, audited as the system', async () => {
    const set = capture();
    expect(await runCodesSet(deps(), set.io, { school: urn, code: 'sk', as: 'i', meaning: 'Sick' })).toBe(0);
    expect(set.out.join('')).toBe('SK is imported as I at Test Primary.\n');
    const list = capture();
    expect(await runCodesList(deps(), list.io, { school: urn, format: 'json' })).toBe(0);
    expect(JSON.parse(list.out.join(''))).toEqual([{ code: 'SK', as: 'I', meaning: 'Sick' }]);
    const table = capture();
    expect(await runCodesList(deps(), table.io, { school: urn })).toBe(0);
    expect(table.out.join('')).toContain('SK\tI\tSick\n');
    const audit = await ctx.db
      .selectFrom('audit_log')
      .select('user_id')
      .where('action', '=', 'schoolCodes.add')
      .execute();
    expect(audit).toEqual([{ user_id: 'system' }]);
    const removed = capture();
    expect(await runCodesRemove(deps(), removed.io, { school: urn, code: 'SK' })).toBe(0);
    const empty = capture();
    await runCodesList(deps(), empty.io, { school: urn });
    expect(empty.out.join('')).toContain('has no codes of its own');
  });

  it('exits 2 naming the option for every problem, and stores nothing', async () => {
    const bad = capture();
    expect(await runCodesSet(deps(), bad.io, { school: urn, code: '/', as: 'Q9' })).toBe(2);
    const err = bad.err.join('');
    expect(err).toContain('rollcall codes set: The school code was not saved.');
    expect(err).toContain('  --code: "/" is a national code');
    expect(err).toContain('  --as: "Q9" is not a national code in force');
    expect(err).toContain('Nothing was stored.');
    const unknownSchool = capture();
    expect(await runCodesSet(deps(), unknownSchool.io, { school: '999999', code: 'SK', as: 'I' })).toBe(2);
    expect(unknownSchool.err.join('')).toContain('No school with URN 999999.');
    const missing = capture();
    expect(await runCodesRemove(deps(), missing.io, { school: urn, code: 'NOPE' })).toBe(2);
    expect(missing.err.join('')).toContain('The school has no code "NOPE".');
    const count = await ctx.db
      .selectFrom('school_codes')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(0);
  });
});
