import { beforeAll, describe, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/databases.js';
import { seedSmallSchool, type SmallSchool } from '../../../test/fixtures.js';
import {
  childrenOfParent,
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
  trustExists,
  addParentLink,
  changeStaffGroups,
  childNamesOfUsers,
  contactWithEmail,
  deleteSessionsOfUser,
  findPasswordHash,
  groupNamesOfUsers,
  listTrusts,
  removeAllLinks,
  removeParentLink,
  searchAccounts,
  setPassword,
  setUserDisabled,
  staffGroupIds,
  updateUserDetails,
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
        mfaPending: null,
        authenticatedAt: '2025-09-08T08:00:00.000Z',
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
      mfaPending: null,
      authenticatedAt: '2025-09-08T08:00:00.000Z',
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
      mfaPending: null,
      authenticatedAt: '2025-09-08T08:00:00.000Z',
    });
    expect(await deleteExpiredSessions(ctx.db, '2025-09-08T09:00:00.000Z')).toBe(1);
    expect(await findSession(ctx.db, 'h2')).toBeUndefined();
    await deleteSession(ctx.db, 'h1');
    expect(await findSession(ctx.db, 'h1')).toBeUndefined();
  });

  describe('account management', () => {
    const session = (id: string, userId: string) =>
      insertSession(ctx.db, {
        id,
        userId,
        csrfToken: `csrf-${id}`,
        createdAt: '2025-09-08T08:00:00.000Z',
        expiresAt: '2025-09-08T16:00:00.000Z',
      });

    it('a temporary password is carried by the session lookup until a new one is set', async () => {
      await createUser(ctx.db, {
        id: 'u-temp',
        email: 'temp@school.test',
        name: 'Temp Teacher',
        passwordHash: 'h1',
        role: 'teacher',
        schoolId: school.schoolId,
        trustId: null,
        laCode: null,
        createdAt: '2025-09-08T08:00:00.000Z',
        mustChangePassword: true,
      });
      expect((await findUser(ctx.db, 'u-temp'))?.mustChangePassword).toBe(true);
      await session('mc1', 'u-temp');
      expect((await findSessionWithActor(ctx.db, 'mc1'))?.mustChangePassword).toBe(true);
      await setPassword(ctx.db, 'u-temp', { passwordHash: 'h2', mustChange: false, at: '2025-09-08T09:00:00.000Z' });
      expect(await findPasswordHash(ctx.db, 'u-temp')).toBe('h2');
      expect((await findSessionWithActor(ctx.db, 'mc1'))?.mustChangePassword).toBe(false);
      const row = await ctx.db
        .selectFrom('users')
        .select('password_changed_at')
        .where('id', '=', 'u-temp')
        .executeTakeFirstOrThrow();
      expect(row.password_changed_at).toBe('2025-09-08T09:00:00.000Z');
      // Other accounts are not forced.
      expect((await findUser(ctx.db, school.actors.office.userId))?.mustChangePassword).toBe(false);
    });

    it('ends every session of an account but the one kept', async () => {
      await session('k1', school.actors.senco.userId);
      await session('k2', school.actors.senco.userId);
      await session('k3', school.actors.senco.userId);
      await session('other', school.actors.governor.userId);
      expect(await deleteSessionsOfUser(ctx.db, school.actors.senco.userId, 'k2')).toBe(2);
      expect(await findSession(ctx.db, 'k2')).toBeDefined();
      expect(await findSession(ctx.db, 'k1')).toBeUndefined();
      expect(await deleteSessionsOfUser(ctx.db, school.actors.senco.userId)).toBe(1);
      expect(await findSession(ctx.db, 'k2')).toBeUndefined();
      expect(await findSession(ctx.db, 'other')).toBeDefined();
    });

    it('disables and enables, renames and changes a role', async () => {
      await setUserDisabled(ctx.db, 'u-temp', true);
      expect((await findUser(ctx.db, 'u-temp'))?.disabled).toBe(true);
      await setUserDisabled(ctx.db, 'u-temp', false);
      await updateUserDetails(ctx.db, 'u-temp', { name: 'Temp Office', role: 'office' });
      expect(await findUser(ctx.db, 'u-temp')).toMatchObject({ name: 'Temp Office', role: 'office', disabled: false });
      await updateUserDetails(ctx.db, 'u-temp', { name: 'Temp Teacher', role: 'teacher' });
    });

    it('changes a teacher’s groups and names them; removes every link on a change of role', async () => {
      await changeStaffGroups(ctx.db, 'u-temp', [school.groupA, school.groupB], []);
      expect((await staffGroupIds(ctx.db, 'u-temp')).sort()).toEqual([school.groupA, school.groupB].sort());
      await changeStaffGroups(ctx.db, 'u-temp', [school.teachingGroup], [school.groupB]);
      const names = await groupNamesOfUsers(ctx.db, ['u-temp', school.actors.office.userId]);
      expect(names.get('u-temp')).toEqual(['3 Maths', 'Year 3 Oak']);
      expect(names.has(school.actors.office.userId)).toBe(false);
      await removeAllLinks(ctx.db, 'u-temp');
      expect(await staffGroupIds(ctx.db, 'u-temp')).toEqual([]);
      expect((await groupNamesOfUsers(ctx.db, [])).size).toBe(0);
    });

    it('links a parent to children through the contact with their email, and unlinks', async () => {
      const pupil = school.pupilsA[0]!;
      expect(await contactWithEmail(ctx.db, pupil, 'parent@example.org')).toBe('contact0-users');
      expect(await contactWithEmail(ctx.db, pupil, 'someone@example.org')).toBeNull();
      expect(await contactWithEmail(ctx.db, school.pupilsA[1]!, 'parent@example.org')).toBeNull();
      const parent = school.parent.userId;
      await addParentLink(ctx.db, { userId: parent, pupilId: school.pupilsA[1]!, contactId: null });
      await addParentLink(ctx.db, { userId: parent, pupilId: school.pupilsA[1]!, contactId: null }); // twice: once
      expect((await childNamesOfUsers(ctx.db, [parent])).get(parent)).toEqual(['Alex Able', 'Bea Baker']);
      expect(await removeParentLink(ctx.db, parent, school.pupilsA[1]!)).toBe(1);
      expect(await removeParentLink(ctx.db, parent, school.pupilsA[1]!)).toBe(0);
      expect((await childNamesOfUsers(ctx.db, [parent])).get(parent)).toEqual(['Alex Able']);
    });

    it('searches a school’s accounts by role, name or email (any case), a page at a time', async () => {
      const all = await searchAccounts(ctx.db, { schoolId: school.schoolId, limit: 100, offset: 0 });
      expect(all.total).toBe(all.users.length);
      expect(all.users.every((u) => u.schoolId === school.schoolId)).toBe(true);
      const teachers = await searchAccounts(ctx.db, {
        schoolId: school.schoolId,
        role: 'teacher',
        limit: 100,
        offset: 0,
      });
      expect(teachers.users.every((u) => u.role === 'teacher')).toBe(true);
      expect(teachers.total).toBeGreaterThanOrEqual(2);
      const byName = await searchAccounts(ctx.db, { schoolId: school.schoolId, query: 'TEMP', limit: 100, offset: 0 });
      expect(byName.users.map((u) => u.id)).toEqual(['u-temp']);
      const byEmail = await searchAccounts(ctx.db, {
        schoolId: school.schoolId,
        query: 'SENCO-users@',
        limit: 100,
        offset: 0,
      });
      expect(byEmail.users.map((u) => u.id)).toEqual([school.actors.senco.userId]);
      // `%` is matched as typed (issue 16: it used to match everyone).
      expect(
        (await searchAccounts(ctx.db, { schoolId: school.schoolId, query: '%', limit: 100, offset: 0 })).total,
      ).toBe(0);
      const page2 = await searchAccounts(ctx.db, { schoolId: school.schoolId, limit: 2, offset: 2 });
      expect(page2.users.map((u) => u.id)).toEqual(all.users.slice(2, 4).map((u) => u.id));
      expect(page2.total).toBe(all.total);
      const wide = await searchAccounts(ctx.db, { schoolId: null, limit: 100, offset: 0 });
      expect(wide.users.map((u) => u.role).sort()).toEqual(['la_officer', 'trust_lead']);
    });

    it('lists trusts by name', async () => {
      expect(await listTrusts(ctx.db)).toContainEqual({ id: 'trust-users', name: 'Test Trust' });
    });
  });
});
