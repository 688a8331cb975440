import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/databases.js';
import { seedSmallSchool, type SmallSchool } from '../../../test/fixtures.js';
import {
  claimNotice,
  clearThrottleKeys,
  countFailure,
  forgetDevicesOfUser,
  isKnownDevice,
  pruneThrottle,
  refuseUntil,
  rememberDevice,
  schoolForAccountNotice,
  throttleStates,
} from './sign-in-throttle.js';

describeEachDialect('sign-in throttle store', (ctx) => {
  let school: SmallSchool;
  beforeAll(async () => {
    school = await seedSmallSchool(ctx.db, 'throttle');
  });

  it('counts failures, and starts again after the reset window', async () => {
    const k = 'pair:test';
    expect(
      await countFailure(ctx.db, k, { at: '2025-09-08T08:00:00.000Z', resetBefore: '2025-09-08T07:00:00.000Z' }),
    ).toBe(1);
    expect(
      await countFailure(ctx.db, k, { at: '2025-09-08T08:01:00.000Z', resetBefore: '2025-09-08T07:01:00.000Z' }),
    ).toBe(2);
    await refuseUntil(ctx.db, k, '2025-09-08T08:02:00.000Z');
    // A shorter refusal never shortens a longer one.
    await refuseUntil(ctx.db, k, '2025-09-08T08:01:30.000Z');
    expect((await throttleStates(ctx.db, [k])).get(k)).toEqual({
      key: k,
      failures: 2,
      refusedUntil: '2025-09-08T08:02:00.000Z',
      lastFailureAt: '2025-09-08T08:01:00.000Z',
    });
    // The last failure is older than the window: 1 again, and the refusal lifted.
    expect(
      await countFailure(ctx.db, k, { at: '2025-09-08T09:30:00.000Z', resetBefore: '2025-09-08T08:30:00.000Z' }),
    ).toBe(1);
    expect((await throttleStates(ctx.db, [k])).get(k)?.refusedUntil).toBeNull();
    await clearThrottleKeys(ctx.db, [k]);
    expect((await throttleStates(ctx.db, [k])).size).toBe(0);
    expect((await throttleStates(ctx.db, [])).size).toBe(0);
  });

  it('counts concurrent failures without losing any', async () => {
    const k = 'ip:192.0.2.1';
    const p = { at: '2025-09-08T09:00:00.000Z', resetBefore: '2025-09-08T08:00:00.000Z' };
    await countFailure(ctx.db, k, p);
    const counts = await Promise.all(Array.from({ length: 10 }, () => countFailure(ctx.db, k, p)));
    expect((await throttleStates(ctx.db, [k])).get(k)?.failures).toBe(11);
    expect(new Set(counts).size).toBe(10);
  });

  it('lets exactly one caller claim a notice per window', async () => {
    const k = 'email:notice';
    await countFailure(ctx.db, k, { at: '2025-09-08T10:00:00.000Z', resetBefore: '2025-09-08T09:00:00.000Z' });
    const p = { at: '2025-09-08T10:00:00.000Z', notNotifiedSince: '2025-09-07T10:00:00.000Z' };
    const claims = await Promise.all(Array.from({ length: 5 }, () => claimNotice(ctx.db, k, p)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(
      await claimNotice(ctx.db, k, { at: '2025-09-09T09:00:00.000Z', notNotifiedSince: '2025-09-08T09:00:00.000Z' }),
    ).toBe(false);
    expect(
      await claimNotice(ctx.db, k, { at: '2025-09-09T11:00:00.000Z', notNotifiedSince: '2025-09-08T11:00:00.000Z' }),
    ).toBe(true);
    expect(await claimNotice(ctx.db, 'email:none', p)).toBe(false);
  });

  it('prunes keys whose failures, refusal and notice are all old', async () => {
    const k = 'pair:old';
    await countFailure(ctx.db, k, { at: '2020-01-01T00:00:00.000Z', resetBefore: '2019-12-31T23:00:00.000Z' });
    expect(await pruneThrottle(ctx.db, '2020-01-02T00:00:00.000Z')).toBeGreaterThanOrEqual(1);
    expect((await throttleStates(ctx.db, [k])).size).toBe(0);
  });

  it('remembers devices per account and forgets them', async () => {
    const teacher = school.actors.teacher.userId;
    const office = school.actors.office.userId;
    await rememberDevice(ctx.db, 'dev1', teacher, '2025-09-08T08:00:00.000Z');
    await rememberDevice(ctx.db, 'dev1', teacher, '2025-09-08T09:00:00.000Z');
    expect(await isKnownDevice(ctx.db, 'dev1', teacher)).toBe(true);
    expect(await isKnownDevice(ctx.db, 'dev1', office)).toBe(false);
    expect(await isKnownDevice(ctx.db, 'dev2', teacher)).toBe(false);
    expect(await forgetDevicesOfUser(ctx.db, teacher)).toBe(1);
    expect(await isKnownDevice(ctx.db, 'dev1', teacher)).toBe(false);
  });

  it('finds the school whose outbox carries a notice', async () => {
    const a = (role: 'teacher' | 'trust_lead' | 'la_officer') => school.actors[role];
    expect(await schoolForAccountNotice(ctx.db, a('teacher'))).toBe(school.schoolId);
    expect(await schoolForAccountNotice(ctx.db, a('trust_lead'))).not.toBeNull();
    expect(await schoolForAccountNotice(ctx.db, a('la_officer'))).not.toBeNull();
    expect(await schoolForAccountNotice(ctx.db, { schoolId: null, trustId: 'no-such-trust', laCode: null })).toBeNull();
  });
});
