import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/databases.js';
import { seedSmallSchool, type SmallSchool } from '../../../test/fixtures.js';
import { newId } from '../../platform/ids.js';
import { activeSubscriptions } from './webhooks.js';

describeEachDialect('active webhook subscriptions, read together', (ctx) => {
  let s: SmallSchool;
  beforeAll(async () => {
    s = await seedSmallSchool(ctx.db);
  });
  const subscribe = async (schoolId: string, events: string) => {
    const id = newId();
    await ctx.db
      .insertInto('webhook_subscriptions')
      .values({
        id,
        school_id: schoolId,
        url: 'https://receiver.example.org/events',
        events,
        description: 'test',
        secret_enc: 'sealed',
        created_by: 'test',
        created_at: '2025-09-09T08:00:00.000Z',
        disabled_at: null,
      })
      .execute();
    return id;
  };

  it('callers of one turn share one read per school; a later call reads again and sees what was written since', async () => {
    const first = await subscribe(s.schoolId, 'mark.changed');
    await subscribe(s.otherSchoolId, 'absence.reported');
    // Asked in the same turn (as the saves of one batch are answered together): one read.
    const [a, b, other] = await Promise.all([
      activeSubscriptions(ctx.db, s.schoolId),
      activeSubscriptions(ctx.db, s.schoolId),
      activeSubscriptions(ctx.db, s.otherSchoolId),
    ]);
    expect(b).toBe(a);
    expect(a.map((x) => x.id)).toEqual([first]);
    expect(other.map((x) => x.events)).toEqual([['absence.reported']]);
    // Nothing is kept past the read: a subscription written since is seen by the next call.
    const second = await subscribe(s.schoolId, 'mark.changed');
    const again = await activeSubscriptions(ctx.db, s.schoolId);
    expect(again).not.toBe(a);
    expect(again.map((x) => x.id).sort()).toEqual([first, second].sort());
  });
});
