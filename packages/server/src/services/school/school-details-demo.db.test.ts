import { plainDate } from '@rollcall/domain';
import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/databases.js';
import { createDemo } from '../demo/demo.js';
import { schoolDetailsOf } from './school-details.js';

describeEachDialect('the demo’s school details', (ctx) => {
  beforeAll(async () => {
    await createDemo(ctx.db, {
      today: plainDate('2026-11-25'),
      now: '2026-11-25T10:30:00.000Z',
      seed: 7,
      scale: 0.1,
      passwordHash: 'demo-hash',
    });
  });

  it('gives both schools made-up details: an Exampleton street, a ZX postcode, generated staff names', async () => {
    const schools = await ctx.db.selectFrom('schools').select('id').execute();
    expect(schools.length).toBeGreaterThanOrEqual(2);
    const heads = await ctx.db
      .selectFrom('users')
      .select(['display_name', 'email'])
      .where('email', 'like', 'head@%')
      .execute();
    for (const { id } of schools) {
      const d = await schoolDetailsOf(ctx.db, id);
      expect(d.address).toMatch(/\nExampleton$/);
      expect(d.postcode).toMatch(/^ZX\d /);
      expect(d.phone).toMatch(/^01632 960/);
      expect(d.email).toMatch(/^office@.*\.test$/);
      expect(heads.map((h) => h.display_name)).toContain(d.headteacherName);
      expect(d.attendanceLeadName).toMatch(/^(Mr|Mrs|Ms|Miss) \S+ \S+/);
    }
  });
});
