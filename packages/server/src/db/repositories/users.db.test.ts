import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/databases.js';
import { seedSmallSchool, type SmallSchool } from '../../../test/fixtures.js';
import {
  childrenOfParent,
  clearLoginAttempts,
  createUser,
  deleteExpiredSessions,
  deleteSession,
  emailTaken,
  findSession,
  findSessionWithActor,
  findUser,
  findUserForSignIn,
  getActor,
  insertSession,
  listUsers,
  loginAttempts,
  recordLoginFailure,
  trustExists,
  type FailureRule,
} from './users.js';

describeEachDialect('users repository', (ctx) => {
  let school: SmallSchool;
  beforeAll(async () => {
    school = await seedSmallSchool(ctx.db, 'users');
  });

  it('creates a user and reads it back without the password hash', async () => {
    const created = await createUser(ctx.db, {
      id: 'u-new',
      email: 'new.teacher@school.test',
      name: 'New Teacher',
      passwordHash: '$argon2id$fake',
      role: 'teacher',
      schoolId: school.schoolId,
      trustId: null,
      laCode: null,
      createdAt: '2025-09-08T08:00:00.000Z',
    });
    const read = await findUser(ctx.db, 'u-new');
    expect(read).toEqual(created);
    expect(read).not.toHaveProperty('passwordHash');
    expect(JSON.stringify(read)).not.toContain('argon2');
    expect(await emailTaken(ctx.db, 'new.teacher@school.test')).toBe(true);
    expect(await emailTaken(ctx.db, 'nobody@school.test')).toBe(false);
  });

  it('findUserForSignIn returns the hash with the user, and nothing for an unknown email', async () => {
    const found = await findUserForSignIn(ctx.db, 'new.teacher@school.test');
    expect(found?.passwordHash).toBe('$argon2id$fake');
    expect(found?.user.name).toBe('New Teacher');
    expect(await findUserForSignIn(ctx.db, 'nobody@school.test')).toBeUndefined();
  });

  it('an account with an unknown role cannot sign in or act', async () => {
    await ctx.db
      .insertInto('users')
      .values({
        id: 'u-odd',
        email: 'odd@school.test',
        display_name: 'Odd',
        password_hash: 'x',
        role: 'wizard',
        school_id: school.schoolId,
        trust_id: null,
        la_code: null,
        created_at: '2025-09-01T00:00:00Z',
      })
      .execute();
    expect(await findUserForSignIn(ctx.db, 'odd@school.test')).toBeUndefined();
    expect(await getActor(ctx.db, 'u-odd')).toBeUndefined();
    expect((await listUsers(ctx.db, school.schoolId)).map((u) => u.id)).not.toContain('u-odd');
  });

  it('getActor gives a teacher their groups and a parent their children', async () => {
    const teacher = await getActor(ctx.db, school.actors.teacher.userId);
    expect(teacher?.role).toBe('teacher');
    expect([...(teacher?.groupIds ?? [])].sort()).toEqual([school.groupA, school.teachingGroup].sort());
    expect(teacher?.pupilIds.size).toBe(0);

    const parent = await getActor(ctx.db, school.parent.userId);
    expect([...(parent?.pupilIds ?? [])]).toEqual([school.pupilsA[0]]);
    expect(parent?.groupIds.size).toBe(0);

    const trustLead = await getActor(ctx.db, school.actors.trust_lead.userId);
    expect(trustLead).toMatchObject({ role: 'trust_lead', schoolId: null, trustId: school.actors.trust_lead.trustId });
    expect(await getActor(ctx.db, 'no-such-user')).toBeUndefined();
  });

  it('getActor refuses a disabled account', async () => {
    await ctx.db.updateTable('users').set({ disabled: 1 }).where('id', '=', 'u-new').execute();
    expect(await getActor(ctx.db, 'u-new')).toBeUndefined();
    expect((await findUser(ctx.db, 'u-new'))?.disabled).toBe(true);
  });

  it('findSessionWithActor gives the same actor as getActor in one query, and none for a disabled account', async () => {
    const who = [
      school.actors.teacher.userId,
      school.parent.userId,
      school.actors.trust_lead.userId,
      school.actors.office.userId,
      'u-new', // disabled above
    ];
    for (const [i, userId] of who.entries()) {
      await insertSession(ctx.db, {
        id: `sa${i}`,
        userId,
        csrfToken: `csrf${i}`,
        createdAt: '2025-09-08T08:00:00.000Z',
        expiresAt: '2025-09-08T16:00:00.000Z',
      });
    }
    for (const [i, userId] of who.entries()) {
      const found = await findSessionWithActor(ctx.db, `sa${i}`);
      expect(found?.session).toEqual({
        id: `sa${i}`,
        userId,
        csrfToken: `csrf${i}`,
        createdAt: '2025-09-08T08:00:00.000Z',
        expiresAt: '2025-09-08T16:00:00.000Z',
      });
      expect(found?.actor).toEqual(await getActor(ctx.db, userId));
    }
    expect((await findSessionWithActor(ctx.db, 'sa0'))?.actor?.groupIds.size).toBe(2);
    expect((await findSessionWithActor(ctx.db, 'sa4'))?.actor).toBeUndefined();
    expect(await findSessionWithActor(ctx.db, 'no-such-session')).toBeUndefined();
  });

  it('lists a school’s users by name', async () => {
    const users = await listUsers(ctx.db, school.schoolId);
    const names = users.map((u) => u.name);
    expect(names).toEqual([...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(users.map((u) => u.role)).toContain('office');
    expect(users.every((u) => u.schoolId === school.schoolId)).toBe(true);
  });

  it('a parent’s children by name', async () => {
    expect(await childrenOfParent(ctx.db, school.parent.userId)).toEqual([
      { pupilId: school.pupilsA[0], forename: 'Alex', surname: 'Able', yearGroup: '3' },
    ]);
  });

  it('knows which trusts exist', async () => {
    expect(await trustExists(ctx.db, school.actors.trust_lead.trustId!)).toBe(true);
    expect(await trustExists(ctx.db, 'no-trust')).toBe(false);
  });

  it('stores, finds and deletes sessions; housekeeping removes expired ones', async () => {
    const userId = school.actors.office.userId;
    await insertSession(ctx.db, {
      id: 'h1',
      userId,
      csrfToken: 'c1',
      createdAt: '2025-09-08T08:00:00.000Z',
      expiresAt: '2025-09-08T16:00:00.000Z',
    });
    await insertSession(ctx.db, {
      id: 'h2',
      userId,
      csrfToken: 'c2',
      createdAt: '2025-09-07T08:00:00.000Z',
      expiresAt: '2025-09-07T16:00:00.000Z',
    });
    expect(await findSession(ctx.db, 'h1')).toEqual({
      id: 'h1',
      userId,
      csrfToken: 'c1',
      createdAt: '2025-09-08T08:00:00.000Z',
      expiresAt: '2025-09-08T16:00:00.000Z',
    });
    expect(await deleteExpiredSessions(ctx.db, '2025-09-08T09:00:00.000Z')).toBe(1);
    expect(await findSession(ctx.db, 'h2')).toBeUndefined();
    await deleteSession(ctx.db, 'h1');
    expect(await findSession(ctx.db, 'h1')).toBeUndefined();
  });

  it('counts failures, locks at the maximum, and starts again after the window or the lock', async () => {
    const rule = (at: string, max = 3): FailureRule => {
      const t = new Date(at).getTime();
      return {
        at,
        windowStart: new Date(t - 15 * 60_000).toISOString(),
        lockUntil: new Date(t + 15 * 60_000).toISOString(),
        maxFailures: max,
      };
    };
    const k = 'email:test';
    await recordLoginFailure(ctx.db, k, rule('2025-09-08T08:00:00.000Z'));
    await recordLoginFailure(ctx.db, k, rule('2025-09-08T08:01:00.000Z'));
    expect((await loginAttempts(ctx.db, [k])).get(k)).toEqual({
      key: k,
      failures: 2,
      firstFailureAt: '2025-09-08T08:00:00.000Z',
      lockedUntil: null,
    });
    await recordLoginFailure(ctx.db, k, rule('2025-09-08T08:02:00.000Z'));
    expect((await loginAttempts(ctx.db, [k])).get(k)).toMatchObject({
      failures: 3,
      lockedUntil: '2025-09-08T08:17:00.000Z',
    });
    // After the lock has passed, the count starts again.
    await recordLoginFailure(ctx.db, k, rule('2025-09-08T08:20:00.000Z'));
    expect((await loginAttempts(ctx.db, [k])).get(k)).toEqual({
      key: k,
      failures: 1,
      firstFailureAt: '2025-09-08T08:20:00.000Z',
      lockedUntil: null,
    });
    // Failures older than the window no longer count.
    await recordLoginFailure(ctx.db, k, rule('2025-09-08T08:40:00.000Z'));
    expect((await loginAttempts(ctx.db, [k])).get(k)).toMatchObject({
      failures: 1,
      firstFailureAt: '2025-09-08T08:40:00.000Z',
    });
    await clearLoginAttempts(ctx.db, k);
    expect((await loginAttempts(ctx.db, [k])).size).toBe(0);
    expect((await loginAttempts(ctx.db, [])).size).toBe(0);
  });

  it('counts concurrent failures without losing any', async () => {
    const k = 'ip:192.0.2.1';
    const at = '2025-09-08T09:00:00.000Z';
    const rule: FailureRule = {
      at,
      windowStart: '2025-09-08T08:45:00.000Z',
      lockUntil: '2025-09-08T09:15:00.000Z',
      maxFailures: 50,
    };
    await recordLoginFailure(ctx.db, k, rule);
    await Promise.all(Array.from({ length: 10 }, () => recordLoginFailure(ctx.db, k, rule)));
    expect((await loginAttempts(ctx.db, [k])).get(k)?.failures).toBe(11);
  });
});
