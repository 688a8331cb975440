import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/databases.js';
import { rejection, seedSmallSchool, testDeps, type SmallSchool } from '../../../test/fixtures.js';
import { findUser, findUserForSignIn, insertSession, staffGroupIds } from '../../db/accounts/users.js';
import { hashToken } from '../../platform/ids.js';
import { hashPassword, verifyPassword } from '../../platform/passwords.js';
import {
  CANNOT_DEMOTE_SELF,
  CANNOT_DISABLE_SELF,
  CANNOT_RESET_OWN,
  createAccount,
  findChildrenToLink,
  getAccount,
  linkChild,
  listAccounts,
  resetAccountPassword,
  setAccountDisabled,
  unlinkChild,
  updateAccount,
} from './accounts.js';
import { resolveSession, signIn } from './auth.js';
import type { Actor } from '../authz.js';
import type { Deps } from '../deps.js';

const PASSWORD = 'correct horse battery staple';
const TEMPORARY = 'temporary passphrase';

describeEachDialect('accounts service', (ctx) => {
  let school: SmallSchool;
  let deps: Deps;
  let admin: Actor;
  let installationAdmin: Actor;
  beforeAll(async () => {
    school = await seedSmallSchool(ctx.db, 'acc');
    await ctx.db
      .updateTable('users')
      .set({ password_hash: await hashPassword(PASSWORD) })
      .execute();
    deps = testDeps(ctx.db, ctx.dialect, '2025-09-08T08:00:00.000Z');
    admin = school.actors.admin;
    installationAdmin = { ...admin, userId: 'u-installation', schoolId: null };
  });

  const actions = async (entityId: string): Promise<string[]> =>
    (
      await ctx.db
        .selectFrom('audit_log')
        .select('action')
        .where('entity_id', '=', entityId)
        .orderBy('at')
        .orderBy('id')
        .execute()
    ).map((r) => r.action);

  it('only administrators manage accounts: of their school; an installation administrator, every school and the rest', async () => {
    for (const role of [
      'teacher',
      'office',
      'attendance_officer',
      'senco',
      'senior_leader',
      'governor',
      'parent',
      'trust_lead',
      'la_officer',
    ] as const) {
      const who = school.actors[role];
      expect((await rejection(listAccounts(deps, who, { schoolId: school.schoolId }))).code, role).toBe('FORBIDDEN');
      expect((await rejection(getAccount(deps, who, school.actors.office.userId))).code, role).toBe('FORBIDDEN');
    }
    expect((await rejection(listAccounts(deps, admin, { schoolId: school.otherSchoolId }))).code).toBe('FORBIDDEN');
    expect((await rejection(listAccounts(deps, admin, { schoolId: null }))).code).toBe('FORBIDDEN');
    expect((await rejection(getAccount(deps, admin, school.actors.trust_lead.userId))).code).toBe('FORBIDDEN');
    expect((await rejection(getAccount(deps, admin, 'no-such-user'))).code).toBe('NOT_FOUND');

    const own = await listAccounts(deps, admin, { schoolId: school.schoolId });
    expect(own.rows.every((r) => r.schoolId === school.schoolId)).toBe(true);
    expect(own.scope.kind).toBe('school');
    const other = await listAccounts(deps, installationAdmin, { schoolId: school.otherSchoolId });
    expect(other.total).toBe(0);
    const wide = await listAccounts(deps, installationAdmin, { schoolId: null });
    expect(wide.rows.map((r) => r.role).sort()).toEqual(['la_officer', 'trust_lead']);
    expect((await getAccount(deps, installationAdmin, school.actors.trust_lead.userId)).user.role).toBe('trust_lead');
  });

  it('lists with role words, a teacher’s groups and a parent’s children; filters by role and text; audited', async () => {
    const list = await listAccounts(deps, admin, { schoolId: school.schoolId });
    const teacher = list.rows.find((r) => r.id === school.actors.teacher.userId);
    expect(teacher).toMatchObject({ roleLabel: 'Teacher', groups: ['3 Maths', 'Year 3 Oak'], children: [] });
    const parent = list.rows.find((r) => r.id === school.parent.userId);
    expect(parent).toMatchObject({ roleLabel: 'Parent', children: ['Alex Able'] });
    const teachers = await listAccounts(deps, admin, { schoolId: school.schoolId, role: 'teacher' });
    expect(teachers.rows.map((r) => r.name).sort()).toEqual(['Test teacher', 'Test teacher B']);
    const found = await listAccounts(deps, admin, { schoolId: school.schoolId, query: 'SENCO-acc' });
    expect(found.rows.map((r) => r.id)).toEqual([school.actors.senco.userId]);
    const audited = await ctx.db
      .selectFrom('audit_log')
      .select(['details'])
      .where('action', '=', 'user.list')
      .execute();
    expect(audited.length).toBeGreaterThanOrEqual(3);
  });

  it('creates a teacher with groups and a temporary password they must change; audited without the password', async () => {
    const user = await createAccount(deps, admin, {
      schoolId: school.schoolId,
      email: ' New.Teacher@School.test ',
      name: 'New Teacher',
      role: 'teacher',
      password: TEMPORARY,
      confirmPassword: TEMPORARY,
      groupIds: [school.groupB, school.teachingGroup],
    });
    expect(user).toMatchObject({ email: 'new.teacher@school.test', role: 'teacher', mustChangePassword: true });
    expect((await staffGroupIds(ctx.db, user.id)).sort()).toEqual([school.groupB, school.teachingGroup].sort());
    expect(await actions(user.id)).toEqual(['user.create', 'user.groupsChange']);
    const details = await ctx.db.selectFrom('audit_log').select('details').where('entity_id', '=', user.id).execute();
    expect(JSON.stringify(details)).not.toContain(TEMPORARY);
    // Signing in works, and the session says the password must be changed.
    const s = await signIn(deps, { email: 'new.teacher@school.test', password: TEMPORARY, ip: '192.0.2.1' });
    expect(s.actor.groupIds.has(school.groupB)).toBe(true);
    expect((await resolveSession(deps, s.token))?.mustChangePassword).toBe(true);
  });

  it('validates a new account: the rules of createUserAccount, a matching confirmation, groups of the school, roles of the scope', async () => {
    const e = await rejection(
      createAccount(deps, admin, {
        schoolId: school.schoolId,
        email: 'bad',
        name: '',
        role: 'teacher',
        password: 'short',
        confirmPassword: 'other',
        groupIds: ['not-a-group'],
      }),
    );
    expect(e.code).toBe('VALIDATION');
    expect(e.details.fields?.map((f) => f.field)).toEqual(['email', 'name', 'password', 'confirmPassword', 'groups']);
    const lead = await rejection(
      createAccount(deps, installationAdmin, {
        schoolId: school.schoolId,
        email: 'lead2@school.test',
        name: 'Lead',
        role: 'trust_lead',
        password: TEMPORARY,
        confirmPassword: TEMPORARY,
      }),
    );
    expect(lead.details.fields?.map((f) => f.field)).toContain('role');
    const taken = await rejection(
      createAccount(deps, admin, {
        schoolId: school.schoolId,
        email: 'new.teacher@school.test',
        name: 'Again',
        role: 'office',
        password: TEMPORARY,
        confirmPassword: TEMPORARY,
      }),
    );
    expect(taken.code).toBe('CONFLICT');
    // Trust and LA accounts: an installation administrator only.
    const la = {
      schoolId: null,
      email: 'la2@la.test',
      name: 'LA',
      role: 'la_officer',
      laCode: '999',
      password: TEMPORARY,
      confirmPassword: TEMPORARY,
    };
    expect((await rejection(createAccount(deps, admin, la))).code).toBe('FORBIDDEN');
    expect((await createAccount(deps, installationAdmin, la)).mustChangePassword).toBe(true);
    expect(
      (
        await rejection(
          createAccount(deps, school.actors.senior_leader, { ...la, schoolId: school.schoolId, role: 'office' }),
        )
      ).code,
    ).toBe('FORBIDDEN');
  });

  it('edits the name, role and a teacher’s groups; a teacher who changes role loses their groups', async () => {
    const teacherB = school.teacherB.userId;
    await updateAccount(deps, admin, teacherB, { name: ' Teacher Bee ', role: 'teacher', groupIds: [school.groupA] });
    expect(await findUser(ctx.db, teacherB)).toMatchObject({ name: 'Teacher Bee', role: 'teacher' });
    expect(await staffGroupIds(ctx.db, teacherB)).toEqual([school.groupA]);
    await updateAccount(deps, admin, teacherB, { name: 'Teacher Bee', role: 'office', groupIds: [school.groupA] });
    expect((await findUser(ctx.db, teacherB))?.role).toBe('office');
    expect(await staffGroupIds(ctx.db, teacherB)).toEqual([]);
    expect(await actions(teacherB)).toEqual(['user.update', 'user.update']);
    const bad = await rejection(updateAccount(deps, admin, teacherB, { name: '', role: 'trust_lead' }));
    expect(bad.details.fields?.map((f) => f.field)).toEqual(['name', 'role']);
    // Accounts without a school keep their role (only the name changes).
    await updateAccount(deps, installationAdmin, school.actors.trust_lead.userId, {
      name: 'Lead Renamed',
      role: 'office',
    });
    expect(await findUser(ctx.db, school.actors.trust_lead.userId)).toMatchObject({
      name: 'Lead Renamed',
      role: 'trust_lead',
    });
  });

  it('an administrator cannot remove their own administrator role or disable or reset themselves', async () => {
    const demote = await rejection(updateAccount(deps, admin, admin.userId, { name: 'Test admin', role: 'office' }));
    expect(demote.details.fields).toEqual([{ field: 'role', message: CANNOT_DEMOTE_SELF }]);
    const disable = await rejection(setAccountDisabled(deps, admin, admin.userId, true));
    expect(disable.message).toBe(CANNOT_DISABLE_SELF);
    const reset = await rejection(
      resetAccountPassword(deps, admin, admin.userId, { password: TEMPORARY, confirmPassword: TEMPORARY }),
    );
    expect(reset.message).toBe(CANNOT_RESET_OWN);
    expect(await findUser(ctx.db, admin.userId)).toMatchObject({ role: 'admin', disabled: false });
    // Another administrator may.
    const other = { ...admin, userId: 'u-other-admin' };
    await updateAccount(deps, other, admin.userId, { name: 'Test admin', role: 'admin' });
  });

  it('disabling ends every session at once and stops signing in; enabling lets the person sign in again', async () => {
    const office = school.actors.office.userId;
    const a = await signIn(deps, { email: 'office-acc@school.test', password: PASSWORD, ip: '192.0.2.2' });
    const b = await signIn(deps, { email: 'office-acc@school.test', password: PASSWORD, ip: '192.0.2.3' });
    expect(await setAccountDisabled(deps, admin, office, true)).toEqual({ sessionsEnded: 2 });
    expect(await resolveSession(deps, a.token)).toBeUndefined();
    expect(await resolveSession(deps, b.token)).toBeUndefined();
    expect(
      (await rejection(signIn(deps, { email: 'office-acc@school.test', password: PASSWORD, ip: '192.0.2.4' }))).code,
    ).toBe('UNAUTHENTICATED');
    await setAccountDisabled(deps, admin, office, false);
    expect(
      (await signIn(deps, { email: 'office-acc@school.test', password: PASSWORD, ip: '192.0.2.5' })).actor.role,
    ).toBe('office');
    expect((await actions(office)).filter((x) => x.startsWith('user.'))).toEqual(['user.disable', 'user.enable']);
  });

  it('a reset sets a temporary password, ends every session and lifts a sign-in lock; the person must change it', async () => {
    const senco = school.actors.senco.userId;
    await insertSession(ctx.db, {
      id: hashToken('senco-token'),
      userId: senco,
      csrfToken: 'c',
      createdAt: '2025-09-08T07:00:00.000Z',
      expiresAt: '2025-09-08T15:00:00.000Z',
    });
    for (let i = 0; i < 5; i++)
      await rejection(signIn(deps, { email: 'senco-acc@school.test', password: 'wrong', ip: `192.0.2.${10 + i}` }));
    const short = await rejection(
      resetAccountPassword(deps, admin, senco, { password: 'short', confirmPassword: 'short' }),
    );
    expect(short.details.fields?.map((f) => f.field)).toEqual(['password']);
    expect(await resetAccountPassword(deps, admin, senco, { password: TEMPORARY, confirmPassword: TEMPORARY })).toEqual(
      {
        sessionsEnded: 1,
      },
    );
    expect(await resolveSession(deps, 'senco-token')).toBeUndefined();
    const found = await findUserForSignIn(ctx.db, 'senco-acc@school.test');
    expect(await verifyPassword(found!.passwordHash, TEMPORARY)).toBe(true);
    expect(found?.user.mustChangePassword).toBe(true);
    const s = await signIn(deps, { email: 'senco-acc@school.test', password: TEMPORARY, ip: '192.0.2.20' });
    expect((await resolveSession(deps, s.token))?.mustChangePassword).toBe(true);
    const details = await ctx.db
      .selectFrom('audit_log')
      .select('details')
      .where('action', '=', 'user.passwordReset')
      .execute();
    expect(JSON.stringify(details)).not.toContain(TEMPORARY);
  });

  it('links a parent to children of the school through the matching contact, and unlinks; audited', async () => {
    const parent = await createAccount(deps, admin, {
      schoolId: school.schoolId,
      email: 'Parent@Example.org'.replace('Parent', 'second.parent'),
      name: 'Second Parent',
      role: 'parent',
      password: TEMPORARY,
      confirmPassword: TEMPORARY,
    });
    // A contact of Bea's with this parent's email.
    await ctx.db
      .insertInto('contacts')
      .values({
        id: 'contact-bea',
        pupil_id: school.pupilsA[1]!,
        name: 'Second Parent',
        relationship: 'Father',
        parental_responsibility: 1,
        lives_with_pupil: 1,
        priority: 1,
        mobile_phone: null,
        home_phone: null,
        work_phone: null,
        email: 'Second.Parent@example.org',
      })
      .execute();
    expect((await findChildrenToLink(deps, admin, parent.id, 'bak')).map((p) => p.surname)).toEqual(['Baker']);
    expect((await findChildrenToLink(deps, admin, parent.id, 'B801200005001')).map((p) => p.surname)).toEqual(['Able']);
    await linkChild(deps, admin, parent.id, school.pupilsA[1]!);
    await linkChild(deps, admin, parent.id, school.pupilsA[2]!);
    const links = await ctx.db
      .selectFrom('parent_links')
      .select(['pupil_id', 'contact_id'])
      .where('user_id', '=', parent.id)
      .orderBy('pupil_id')
      .execute();
    expect(links).toEqual([
      { pupil_id: school.pupilsA[1]!, contact_id: 'contact-bea' },
      { pupil_id: school.pupilsA[2]!, contact_id: null },
    ]);
    expect((await getAccount(deps, admin, parent.id)).children.map((c) => c.forename)).toEqual(['Bea', 'Cal']);
    await unlinkChild(deps, admin, parent.id, school.pupilsA[2]!);
    expect((await rejection(unlinkChild(deps, admin, parent.id, school.pupilsA[2]!))).code).toBe('NOT_FOUND');
    // Only parents have children, only of their school.
    const other = await ctx.db
      .insertInto('pupils')
      .values({
        id: 'p-other-school',
        school_id: school.otherSchoolId,
        upn: 'A123456789012',
        legal_forename: 'Oz',
        legal_surname: 'Other',
        date_of_birth: '2017-01-01',
        admission_date: '2025-09-01',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    expect((await rejection(linkChild(deps, admin, parent.id, other.id))).code).toBe('PUPIL_NOT_FOUND');
    expect((await rejection(linkChild(deps, admin, school.actors.teacher.userId, school.pupilsA[0]!))).code).toBe(
      'VALIDATION',
    );
    expect((await actions(parent.id)).filter((a) => /child/i.test(a))).toEqual([
      'user.childSearch',
      'user.childSearch',
      'user.linkChild',
      'user.linkChild',
      'user.unlinkChild',
    ]);
  });

  it('a parent who becomes staff loses their children', async () => {
    await updateAccount(deps, admin, school.parent.userId, { name: 'Was a parent', role: 'governor' });
    expect(
      await ctx.db.selectFrom('parent_links').select('pupil_id').where('user_id', '=', school.parent.userId).execute(),
    ).toEqual([]);
  });
});
