import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../test/databases.js';
import { seedSmallSchool, testDeps, type SmallSchool } from '../../test/fixtures.js';
import { findUserForSignIn } from '../db/accounts/users.js';
import { verifyPassword } from '../platform/passwords.js';
import { resolveSession, signIn } from '../services/accounts/auth.js';
import { usersCreateCommand, usersResetPasswordCommand, usersSetDisabledCommand } from './users.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: (t: string) => void out.push(t), stderr: (t: string) => void err.push(t) }, out, err };
}

describeEachDialect('rollcall users create', (ctx) => {
  let school: SmallSchool;
  beforeAll(async () => {
    school = await seedSmallSchool(ctx.db, 'cli');
  });

  it('creates a school account from the school’s URN, printing no password', async () => {
    const c = capture();
    const code = await usersCreateCommand(
      testDeps(ctx.db, ctx.dialect),
      {
        email: 'Head@School.test',
        name: 'Head Teacher',
        role: 'senior_leader',
        schoolUrn: '900001-cli',
        password: 'a good long password',
      },
      c.io,
    );
    expect(code).toBe(0);
    expect(c.out.join('')).toMatch(/^Created senior_leader account head@school\.test \(id [\w-]+\)\n$/);
    expect(c.out.join('') + c.err.join('')).not.toContain('a good long password');
    const found = await findUserForSignIn(ctx.db, 'head@school.test');
    expect(found?.user).toMatchObject({ role: 'senior_leader', schoolId: school.schoolId });
    expect(await verifyPassword(found!.passwordHash, 'a good long password')).toBe(true);
    const audit = await ctx.db
      .selectFrom('audit_log')
      .select(['user_id', 'user_role'])
      .where('action', '=', 'user.create')
      .where('entity_id', '=', found!.user.id)
      .executeTakeFirstOrThrow();
    expect(audit).toEqual({ user_id: 'system', user_role: 'admin' });
  });

  it('creates trust and local authority accounts and an installation administrator', async () => {
    const deps = testDeps(ctx.db, ctx.dialect);
    const trustId = school.actors.trust_lead.trustId!;
    expect(
      await usersCreateCommand(
        deps,
        { email: 'lead@trust.test', name: 'Trust Lead', role: 'trust_lead', trustId, password: 'a good long password' },
        capture().io,
      ),
    ).toBe(0);
    expect(
      await usersCreateCommand(
        deps,
        {
          email: 'officer@la.test',
          name: 'LA Officer',
          role: 'la_officer',
          laCode: '999',
          password: 'a good long password',
        },
        capture().io,
      ),
    ).toBe(0);
    expect(
      await usersCreateCommand(
        deps,
        { email: 'root@rollcall.test', name: 'Installer', role: 'admin', password: 'a good long password' },
        capture().io,
      ),
    ).toBe(0);
    expect((await findUserForSignIn(ctx.db, 'root@rollcall.test'))?.user.schoolId).toBeNull();
  });

  it('explains what is wrong, with the exit codes of the error codes', async () => {
    const deps = testDeps(ctx.db, ctx.dialect);
    const unknownSchool = capture();
    expect(
      await usersCreateCommand(
        deps,
        { email: 'x@school.test', name: 'X', role: 'teacher', schoolUrn: '000000', password: 'a good long password' },
        unknownSchool.io,
      ),
    ).toBe(4);
    expect(unknownSchool.err.join('')).toContain('No school with URN 000000');

    const invalid = capture();
    expect(
      await usersCreateCommand(
        deps,
        { email: 'x@school.test', name: 'X', role: 'wizard', password: 'short' },
        invalid.io,
      ),
    ).toBe(2);
    expect(invalid.err.join('')).toContain('role: Choose a role');
    expect(invalid.err.join('')).toContain('roles: teacher, office');
    expect(invalid.err.join('')).toContain('password: Password must be 12 characters or more');
    expect(invalid.err.join('')).not.toContain('short');

    const duplicate = capture();
    expect(
      await usersCreateCommand(
        deps,
        {
          email: 'HEAD@school.test',
          name: 'Again',
          role: 'teacher',
          schoolUrn: '900001-cli',
          password: 'a good long password',
        },
        duplicate.io,
      ),
    ).toBe(5);
    expect(duplicate.err.join('')).toContain('already exists');
  });

  it('resets a forgotten password: sessions end, the person must choose their own, nothing printed of it', async () => {
    const deps = testDeps(ctx.db, ctx.dialect);
    expect(
      await usersCreateCommand(
        deps,
        {
          email: 'only.admin@school.test',
          name: 'Only Admin',
          role: 'admin',
          schoolUrn: '900001-cli',
          password: 'the old long password',
        },
        capture().io,
      ),
    ).toBe(0);
    const before = await signIn(deps, {
      email: 'only.admin@school.test',
      password: 'the old long password',
      ip: '127.0.0.1',
    });
    const c = capture();
    expect(
      await usersResetPasswordCommand(
        deps,
        { email: ' Only.Admin@School.test ', password: 'correct horse battery' },
        c.io,
      ),
    ).toBe(0);
    expect(c.out.join('')).toBe(
      'Set a temporary password for only.admin@school.test (admin); 1 session(s) ended. They must choose their own at their next sign-in.\n',
    );
    expect(c.out.join('') + c.err.join('')).not.toContain('correct horse battery');
    expect(await resolveSession(deps, before.token)).toBeUndefined();
    const after = await signIn(deps, {
      email: 'only.admin@school.test',
      password: 'correct horse battery',
      ip: '127.0.0.1',
    });
    expect((await resolveSession(deps, after.token))?.mustChangePassword).toBe(true);
    const audited = await ctx.db
      .selectFrom('audit_log')
      .select(['user_id', 'details'])
      .where('action', '=', 'user.passwordReset')
      .where('entity_id', '=', after.actor.userId)
      .execute();
    expect(audited).toEqual([{ user_id: 'system', details: JSON.stringify({ sessionsEnded: 1 }) }]);

    const short = capture();
    expect(
      await usersResetPasswordCommand(deps, { email: 'only.admin@school.test', password: 'short' }, short.io),
    ).toBe(2);
    expect(short.err.join('')).toContain('password: Password must be 12 characters or more');
    const unknown = capture();
    expect(
      await usersResetPasswordCommand(
        deps,
        { email: 'nobody@school.test', password: 'correct horse battery' },
        unknown.io,
      ),
    ).toBe(4);
    expect(unknown.err.join('')).toBe(
      'rollcall users reset-password: No account with the email address nobody@school.test.\n',
    );
  });

  it('disables an account at once (its sessions end) and enables it again', async () => {
    const deps = testDeps(ctx.db, ctx.dialect);
    expect(
      await usersCreateCommand(
        deps,
        {
          email: 'leaver@school.test',
          name: 'Leaver',
          role: 'teacher',
          schoolUrn: '900001-cli',
          password: 'a good long password',
        },
        capture().io,
      ),
    ).toBe(0);
    const signedIn = await signIn(deps, {
      email: 'leaver@school.test',
      password: 'a good long password',
      ip: '127.0.0.1',
    });
    const off = capture();
    expect(await usersSetDisabledCommand(deps, { email: 'leaver@school.test', disabled: true }, off.io)).toBe(0);
    expect(off.out.join('')).toBe('Disabled leaver@school.test (teacher); 1 session(s) ended.\n');
    expect(await resolveSession(deps, signedIn.token)).toBeUndefined();
    await expect(
      signIn(deps, { email: 'leaver@school.test', password: 'a good long password', ip: '127.0.0.1' }),
    ).rejects.toThrow();
    const on = capture();
    expect(await usersSetDisabledCommand(deps, { email: 'leaver@school.test', disabled: false }, on.io)).toBe(0);
    expect(on.out.join('')).toBe('Enabled leaver@school.test (teacher): they can sign in again with their password.\n');
    const again = await signIn(deps, {
      email: 'leaver@school.test',
      password: 'a good long password',
      ip: '127.0.0.1',
    });
    expect((await resolveSession(deps, again.token))?.actor.role).toBe('teacher');
  });
});
