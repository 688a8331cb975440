import { beforeAll, describe, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/databases.js';
import { seedSmallSchool, testDeps, type SmallSchool } from '../../../test/fixtures.js';
import type { Db } from '../../db/connect.js';
import { findSession, findSessionWithActor, findUser, findUserForSignIn } from '../../db/accounts/users.js';
import { fixedClock } from '../../platform/clock.js';
import { hashToken } from '../../platform/ids.js';
import { hashPassword, verifyPassword } from '../../platform/passwords.js';
import {
  changeOwnPassword,
  createUserAccount,
  WRONG_CURRENT_PASSWORD_MESSAGE,
  delaySeconds,
  EMAIL_FREE_FAILURES,
  FIRST_DELAY_SECONDS,
  MAX_DELAY_MINUTES,
  normaliseEmail,
  NOTIFY_AFTER_FAILURES,
  PAIR_FREE_FAILURES,
  passwordChangeThrottledMessage,
  resolveSession,
  SIGN_IN_FAILED_MESSAGE,
  signIn,
  signOut,
  throttledMessage,
} from './auth.js';
import { SYSTEM_ACTOR } from '../authz.js';
import { DEMO_TOTP_SECRET, enrolDemoSecondFactors, MFA_DEFAULT_ROLES, totpCode, verifySecondFactor } from './mfa.js';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';

const PASSWORD = 'correct horse battery staple';
const AT = '2025-09-08T07:30:00.000Z';

function depsAt(db: Db, dialect: Deps['dialect'], iso: string): Deps {
  return testDeps(db, dialect, fixedClock(iso));
}

async function failure(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected an AppError');
}

async function auditActions(db: Db, userId: string | null): Promise<string[]> {
  let q = db.selectFrom('audit_log').select(['action', 'at']).where('action', 'like', 'auth.%');
  q = userId === null ? q.where('user_id', 'is', null) : q.where('user_id', '=', userId);
  return (await q.orderBy('at').execute()).map((r) => r.action);
}

describe('normaliseEmail', () => {
  it('trims and lower-cases', () => {
    expect(normaliseEmail('  Office@School.TEST ')).toBe('office@school.test');
  });
});

describeEachDialect('auth service', (ctx) => {
  let school: SmallSchool;
  let hash: string;
  const email = (role: string): string => `${role}-auth@school.test`;

  beforeAll(async () => {
    school = await seedSmallSchool(ctx.db, 'auth');
    hash = await hashPassword(PASSWORD);
    await ctx.db.updateTable('users').set({ password_hash: hash }).execute();
  });

  it('signs in: a session stored by the token’s hash, with a CSRF token, for 8 hours', async () => {
    const deps = depsAt(ctx.db, ctx.dialect, AT);
    const s = await signIn(deps, { email: ' Teacher-Auth@School.test ', password: PASSWORD, ip: '192.0.2.10' });
    expect(s.actor.userId).toBe(school.actors.teacher.userId);
    expect(s.actor.groupIds.has(school.groupA)).toBe(true);
    expect(s.expiresAt).toBe('2025-09-08T15:30:00.000Z');
    expect(s.token).not.toBe(s.csrfToken);
    expect(await findSession(ctx.db, s.token)).toBeUndefined();
    const stored = await findSession(ctx.db, hashToken(s.token));
    expect(stored).toMatchObject({ userId: s.actor.userId, csrfToken: s.csrfToken, expiresAt: s.expiresAt });
    expect(await auditActions(ctx.db, s.actor.userId)).toContain('auth.signIn');
  });

  it('resolves a session until it expires, then deletes it', async () => {
    const s = await signIn(depsAt(ctx.db, ctx.dialect, AT), {
      email: email('office'),
      password: PASSWORD,
      ip: '192.0.2.10',
    });
    const during = await resolveSession(depsAt(ctx.db, ctx.dialect, '2025-09-08T15:29:59.000Z'), s.token);
    expect(during?.actor.role).toBe('office');
    expect(during?.csrfToken).toBe(s.csrfToken);
    expect(await resolveSession(depsAt(ctx.db, ctx.dialect, '2025-09-08T15:30:00.000Z'), s.token)).toBeUndefined();
    expect(await findSession(ctx.db, hashToken(s.token))).toBeUndefined();
    expect(await resolveSession(depsAt(ctx.db, ctx.dialect, AT), undefined)).toBeUndefined();
    expect(await resolveSession(depsAt(ctx.db, ctx.dialect, AT), 'not-a-token')).toBeUndefined();
  });

  it('signs out', async () => {
    const deps = depsAt(ctx.db, ctx.dialect, AT);
    const s = await signIn(deps, { email: email('senco'), password: PASSWORD, ip: '192.0.2.10' });
    await signOut(deps, s.token, s.actor);
    expect(await resolveSession(deps, s.token)).toBeUndefined();
    expect(await auditActions(ctx.db, s.actor.userId)).toEqual(['auth.signIn', 'auth.signOut']);
    await signOut(deps, undefined);
  });

  it('gives one message for an unknown email and a wrong password, and audits both without the password', async () => {
    const deps = depsAt(ctx.db, ctx.dialect, AT);
    const unknown = await failure(signIn(deps, { email: 'nobody@school.test', password: PASSWORD, ip: '192.0.2.20' }));
    const wrong = await failure(
      signIn(deps, { email: email('governor'), password: 'not the password', ip: '192.0.2.20' }),
    );
    expect([unknown.code, wrong.code]).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED']);
    expect(unknown.message).toBe(SIGN_IN_FAILED_MESSAGE);
    expect(wrong.message).toBe(SIGN_IN_FAILED_MESSAGE);
    const rows = await ctx.db
      .selectFrom('audit_log')
      .select(['action', 'user_id', 'details'])
      .where('action', '=', 'auth.signInFailed')
      .execute();
    expect(rows.map((r) => r.user_id).sort()).toEqual([null, school.actors.governor.userId].sort());
    const all = JSON.stringify(rows);
    expect(all).not.toContain(PASSWORD);
    expect(all).not.toContain('not the password');
    // What was typed as an unknown email is not kept either (it might be a password).
    expect(all).not.toContain('nobody@school.test');
    const stored = JSON.stringify(await ctx.db.selectFrom('login_attempts').selectAll().execute());
    expect(stored).not.toContain('nobody@school.test');
  });

  it('asks for both fields before checking anything', async () => {
    const e = await failure(signIn(depsAt(ctx.db, ctx.dialect, AT), { email: ' ', password: '', ip: '192.0.2.21' }));
    expect(e.code).toBe('VALIDATION');
    expect(e.details.fields?.map((f) => f.field)).toEqual(['email', 'password']);
    expect(
      (await ctx.db.selectFrom('login_attempts').select('key').where('key', '=', 'ip:192.0.2.21').execute()).length,
    ).toBe(0);
  });

  it('refuses a disabled account with the same message', async () => {
    await ctx.db.updateTable('users').set({ disabled: 1 }).where('id', '=', school.actors.la_officer.userId).execute();
    const e = await failure(
      signIn(depsAt(ctx.db, ctx.dialect, AT), { email: email('la_officer'), password: PASSWORD, ip: '192.0.2.22' }),
    );
    expect(e.code).toBe('UNAUTHENTICATED');
    expect(e.message).toBe(SIGN_IN_FAILED_MESSAGE);
  });

  it('a session owes a second factor: set one up for roles that must, enter it once set up, nothing otherwise', async () => {
    const deps = depsAt(ctx.db, ctx.dialect, '2025-11-01T08:00:00.000Z');
    const admin = await signIn(deps, { email: email('admin'), password: PASSWORD, ip: '192.0.2.150' });
    expect(admin.mfaPending).toBe('enrol');
    expect((await resolveSession(deps, admin.token))?.mfaPending).toBe('enrol');
    const teacher = await signIn(deps, { email: email('teacher'), password: PASSWORD, ip: '192.0.2.150' });
    expect(teacher.mfaPending).toBeNull();
    expect(MFA_DEFAULT_ROLES).toEqual(
      expect.arrayContaining(['admin', 'senior_leader', 'attendance_officer', 'trust_lead', 'la_officer']),
    );
    expect(MFA_DEFAULT_ROLES).not.toContain('teacher');
    expect(await enrolDemoSecondFactors(deps)).toBeGreaterThanOrEqual(5);
    const again = await signIn(deps, { email: email('senior_leader'), password: PASSWORD, ip: '192.0.2.150' });
    expect(again.mfaPending).toBe('verify');
    const s = await resolveSession(deps, again.token);
    await verifySecondFactor(deps, again.actor, {
      code: totpCode(DEMO_TOTP_SECRET, '2025-11-01T08:00:00.000Z'),
      sessionId: s!.sessionId,
      ip: '192.0.2.150',
    });
    expect((await resolveSession(deps, again.token))?.mfaPending).toBeNull();
    await ctx.db.deleteFrom('mfa_totp').execute();
  });

  describe('throttling never denies the rightful person', () => {
    /** A Deps whose clock is `minutes` (and seconds) after a base instant. */
    const at =
      (base: string) =>
      (minutes: number, seconds = 0): Deps =>
        depsAt(ctx.db, ctx.dialect, new Date(Date.parse(base) + minutes * 60_000 + seconds * 1000).toISOString());

    it('five wrong passwords from one client do not refuse the right password from another', async () => {
      const t = at('2025-10-01T08:00:00.000Z');
      const target = email('attendance_officer');
      for (let i = 0; i < PAIR_FREE_FAILURES + 1; i++) {
        const e = await failure(signIn(t(0, i), { email: target, password: 'wrong password!', ip: '198.51.100.7' }));
        expect(e.code).toBe('UNAUTHENTICATED');
      }
      // The attacking client is now delayed, even with the right password…
      const delayed = await failure(signIn(t(0, 5), { email: target, password: PASSWORD, ip: '198.51.100.7' }));
      expect(delayed.code).toBe('TOO_MANY_ATTEMPTS');
      expect(delayed.message).toBe(throttledMessage(FIRST_DELAY_SECONDS));
      expect(delayed.details['retryAfterSeconds']).toBe(FIRST_DELAY_SECONDS);
      expect(await auditActions(ctx.db, school.actors.attendance_officer.userId)).toContain('auth.signInThrottled');
      // …but the rightful person, on another client, signs in at once.
      const ok = await signIn(t(0, 6), { email: target, password: PASSWORD, ip: '192.0.2.200' });
      expect(ok.actor.role).toBe('attendance_officer');
    });

    it('delays grow per (email, client) pair and end by themselves', async () => {
      const t = at('2025-10-02T08:00:00.000Z');
      const target = email('senior_leader');
      const ip = '198.51.100.8';
      const wrong = (d: Deps) => failure(signIn(d, { email: target, password: 'nope nope nope', ip }));
      for (let i = 0; i < PAIR_FREE_FAILURES; i++) expect((await wrong(t(0, i))).code).toBe('UNAUTHENTICATED');
      // 6th failure at 08:01:00: 30 s; then 60 s; then 120 s.
      expect((await wrong(t(1))).code).toBe('UNAUTHENTICATED');
      expect((await wrong(t(1, 29))).details['retryAfterSeconds']).toBe(1);
      expect((await wrong(t(1, 30))).code).toBe('UNAUTHENTICATED');
      const second = await wrong(t(1, 31));
      expect(second.code).toBe('TOO_MANY_ATTEMPTS');
      expect(second.details['retryAfterSeconds']).toBe(59);
      expect((await wrong(t(2, 30))).code).toBe('UNAUTHENTICATED');
      expect((await wrong(t(2, 31))).details['retryAfterSeconds']).toBe(119);
      expect(delaySeconds(PAIR_FREE_FAILURES + 50, PAIR_FREE_FAILURES)).toBe(MAX_DELAY_MINUTES * 60);
      // After the delay the right password works from that client too, and clears its count.
      const ok = await signIn(t(4, 30), { email: target, password: PASSWORD, ip });
      expect(ok.actor.role).toBe('senior_leader');
      expect((await wrong(t(4, 31))).code).toBe('UNAUTHENTICATED');
    });

    it('an attack on an email from many addresses slows unknown devices, never a known one', async () => {
      const t = at('2025-10-03T08:00:00.000Z');
      const target = email('teacher');
      const first = await signIn(t(0), { email: target, password: PASSWORD, ip: '192.0.2.100' });
      expect(first.deviceToken).toMatch(/^[\w-]{43}$/);
      for (let i = 0; i < EMAIL_FREE_FAILURES + 5; i++) {
        await failure(signIn(t(1), { email: target, password: `guess ${i}`, ip: `203.0.113.${i}` }));
      }
      // A new device on a new address is slowed…
      const fresh = await failure(signIn(t(1, 10), { email: target, password: PASSWORD, ip: '192.0.2.101' }));
      expect(fresh.code).toBe('TOO_MANY_ATTEMPTS');
      // …the device the teacher signed in from before is not, wherever it is now.
      const known = await signIn(t(1, 10), {
        email: target,
        password: PASSWORD,
        ip: '192.0.2.102',
        deviceToken: first.deviceToken,
      });
      expect(known.actor.userId).toBe(school.actors.teacher.userId);
      expect(known.deviceToken).toBe(first.deviceToken);
      // Another account's device cookie does not make this device known for the teacher.
      const other = await signIn(t(1, 15), { email: email('office'), password: PASSWORD, ip: '192.0.2.103' });
      const stranger = await failure(
        signIn(t(1, 20), { email: target, password: PASSWORD, ip: '192.0.2.103', deviceToken: other.deviceToken }),
      );
      expect(stranger.code).toBe('TOO_MANY_ATTEMPTS');
      // A known device is throttled on its own failures.
      for (let i = 0; i < PAIR_FREE_FAILURES + 1; i++) {
        await failure(
          signIn(t(4), { email: target, password: `typo ${i}`, ip: '192.0.2.102', deviceToken: first.deviceToken }),
        );
      }
      const own = await failure(
        signIn(t(4), { email: target, password: PASSWORD, ip: '192.0.2.102', deviceToken: first.deviceToken }),
      );
      expect(own.code).toBe('TOO_MANY_ATTEMPTS');
    });

    it('a school’s shared address is not locked by colleagues’ failures', async () => {
      const t = at('2025-10-04T08:00:00.000Z');
      const ip = '203.0.113.200';
      for (let i = 0; i < 30; i++) {
        await failure(signIn(t(0, i), { email: `guess${i}@school.test`, password: 'guess guess guess', ip }));
      }
      expect((await signIn(t(1), { email: email('admin'), password: PASSWORD, ip })).actor.role).toBe('admin');
    });

    it('tells the owner by email, once per window, that their account is being attacked', async () => {
      const t = at('2025-10-05T08:00:00.000Z');
      const target = email('trust_lead');
      const notices = () =>
        ctx.db
          .selectFrom('messages')
          .select(['to_address', 'subject', 'body', 'school_id', 'status'])
          .where('kind', '=', 'sign-in-attack')
          .where('to_address', '=', target)
          .execute();
      for (let i = 0; i < NOTIFY_AFTER_FAILURES - 1; i++) {
        await failure(signIn(t(0, i), { email: target, password: `secret-guess-${i}`, ip: `198.51.100.${100 + i}` }));
      }
      expect(await notices()).toHaveLength(0);
      for (let i = 0; i < 15; i++) {
        await failure(signIn(t(1, i), { email: target, password: `secret-guess-x${i}`, ip: `198.51.100.${150 + i}` }));
      }
      const sent = await notices();
      expect(sent).toHaveLength(1);
      // A trust lead's notice goes through a school of the trust's outbox.
      expect(sent[0]!.school_id).toBe(school.schoolId);
      expect(sent[0]!.status).toBe('pending');
      expect(sent[0]!.body).toContain('not locked');
      expect(sent[0]!.body).not.toContain('secret-guess');
      expect(await auditActions(ctx.db, school.actors.trust_lead.userId)).toContain('auth.attackNotice');
      // The next day, a new attack: told again.
      const u = at('2025-10-06T08:30:00.000Z');
      for (let i = 0; i < NOTIFY_AFTER_FAILURES; i++) {
        await failure(signIn(u(0, i), { email: target, password: 'again again', ip: `198.51.100.${200 + i}` }));
      }
      expect(await notices()).toHaveLength(2);
      // Unknown emails are nobody's to tell.
      for (let i = 0; i < NOTIFY_AFTER_FAILURES + 1; i++) {
        await failure(signIn(u(1, i), { email: 'nobody-here@school.test', password: 'x', ip: `198.51.100.${i}` }));
      }
      expect(
        await ctx.db.selectFrom('messages').select('id').where('to_address', '=', 'nobody-here@school.test').execute(),
      ).toHaveLength(0);
    });
  });

  describe('creating accounts', () => {
    const input = { email: ' New.Office@School.TEST ', name: ' New Office ', role: 'office', password: 'twelve chars' };

    it('an administrator creates an account in their school: email lower-case, password hashed, audited', async () => {
      const deps = depsAt(ctx.db, ctx.dialect, AT);
      const user = await createUserAccount(deps, school.actors.admin, { ...input, schoolId: school.schoolId });
      expect(user).toMatchObject({
        email: 'new.office@school.test',
        name: 'New Office',
        role: 'office',
        schoolId: school.schoolId,
        disabled: false,
      });
      const found = await findUserForSignIn(ctx.db, 'new.office@school.test');
      expect(found?.passwordHash).toMatch(/^\$argon2id\$/);
      expect(await verifyPassword(found!.passwordHash, 'twelve chars')).toBe(true);
      const audit = await ctx.db
        .selectFrom('audit_log')
        .select(['user_id', 'details'])
        .where('action', '=', 'user.create')
        .where('entity_id', '=', user.id)
        .executeTakeFirstOrThrow();
      expect(audit.user_id).toBe(school.actors.admin.userId);
      expect(audit.details).not.toContain('twelve chars');
      // And the new account can sign in.
      expect(
        (await signIn(deps, { email: 'NEW.OFFICE@school.test', password: 'twelve chars', ip: '192.0.2.30' })).actor
          .role,
      ).toBe('office');
    });

    it('refuses a second account with the same email, whatever its case', async () => {
      const e = await failure(
        createUserAccount(depsAt(ctx.db, ctx.dialect, AT), school.actors.admin, {
          ...input,
          email: 'NEW.office@school.test',
          schoolId: school.schoolId,
        }),
      );
      expect(e.code).toBe('CONFLICT');
      expect(e.details.fields?.[0]?.field).toBe('email');
    });

    it('validates the details', async () => {
      const deps = depsAt(ctx.db, ctx.dialect, AT);
      const short = await failure(
        createUserAccount(deps, school.actors.admin, {
          ...input,
          email: 'short@school.test',
          password: 'eleven char',
          schoolId: school.schoolId,
        }),
      );
      expect(short.code).toBe('VALIDATION');
      expect(short.details.fields?.map((f) => f.field)).toEqual(['password']);
      const bad = await failure(
        createUserAccount(deps, school.actors.admin, {
          email: 'not-an-email',
          name: '',
          role: 'wizard',
          password: 'long enough password',
        }),
      );
      expect(bad.details.fields?.map((f) => f.field)).toEqual(['email', 'name', 'role']);
      const noSchool = await failure(createUserAccount(deps, SYSTEM_ACTOR, { ...input, email: 'x1@school.test' }));
      expect(noSchool.details.fields?.map((f) => f.field)).toEqual(['schoolId']);
      const noLa = await failure(
        createUserAccount(deps, SYSTEM_ACTOR, { ...input, email: 'x2@school.test', role: 'la_officer', laCode: '12' }),
      );
      expect(noLa.details.fields?.map((f) => f.field)).toEqual(['laCode']);
      const noTrust = await failure(
        createUserAccount(deps, SYSTEM_ACTOR, {
          ...input,
          email: 'x3@school.test',
          role: 'trust_lead',
          trustId: 'no-such-trust',
        }),
      );
      expect(noTrust.details.fields?.map((f) => f.field)).toEqual(['trustId']);
    });

    it('only administrators of the school, an installation administrator or the system may create accounts', async () => {
      const deps = depsAt(ctx.db, ctx.dialect, AT);
      for (const actor of [school.actors.office, school.actors.senior_leader, school.actors.teacher]) {
        const e = await failure(
          createUserAccount(deps, actor, {
            ...input,
            email: `by-${actor.role}@school.test`,
            schoolId: school.schoolId,
          }),
        );
        expect(e.code).toBe('FORBIDDEN');
      }
      const otherSchool = await failure(
        createUserAccount(deps, school.actors.admin, {
          ...input,
          email: 'other@school.test',
          schoolId: school.otherSchoolId,
        }),
      );
      expect(otherSchool.code).toBe('FORBIDDEN');
      // A school's administrator cannot create a local authority account…
      const la = { ...input, email: 'la@la.test', role: 'la_officer', laCode: '999' };
      expect((await failure(createUserAccount(deps, school.actors.admin, la))).code).toBe('FORBIDDEN');
      // …the system can, and an installation administrator (no school) can.
      expect((await createUserAccount(deps, SYSTEM_ACTOR, la)).laCode).toBe('999');
      const installationAdmin = { ...school.actors.admin, schoolId: null };
      const lead = await createUserAccount(deps, installationAdmin, {
        ...input,
        email: 'lead@trust.test',
        role: 'trust_lead',
        trustId: school.actors.trust_lead.trustId,
      });
      expect(lead).toMatchObject({ role: 'trust_lead', schoolId: null, trustId: school.actors.trust_lead.trustId });
    });
  });

  describe('changing one’s own password', () => {
    const NEW = 'a brand new passphrase';
    const change = (
      deps: Deps,
      actorRole: 'senco' | 'governor',
      token: string | undefined,
      p: Partial<Record<string, string>>,
    ) =>
      changeOwnPassword(deps, school.actors[actorRole], {
        currentPassword: p['current'] ?? PASSWORD,
        newPassword: p['next'] ?? NEW,
        confirmPassword: p['confirm'] ?? p['next'] ?? NEW,
        sessionToken: token,
        ip: '192.0.2.77',
      });

    it('asks for each field, the minimum length and a matching confirmation, before checking the password', async () => {
      const deps = depsAt(ctx.db, ctx.dialect, AT);
      const e = await failure(
        change(deps, 'senco', undefined, { current: '', next: 'too short', confirm: 'different' }),
      );
      expect(e.code).toBe('VALIDATION');
      expect(e.details.fields).toEqual([
        { field: 'currentPassword', message: 'Enter your current password' },
        { field: 'newPassword', message: 'Password must be 12 characters or more' },
        { field: 'confirmPassword', message: 'The passwords do not match' },
      ]);
      const empty = await failure(change(deps, 'senco', undefined, { next: '', confirm: '' }));
      expect(empty.details.fields?.map((f) => f.message)).toEqual(['Enter a new password', 'Confirm the new password']);
      const same = await failure(change(deps, 'senco', undefined, { next: PASSWORD }));
      expect(same.details.fields?.map((f) => f.field)).toEqual(['newPassword']);
    });

    it('keeps this session, ends every other one, clears the temporary flag, audits without the password', async () => {
      const deps = depsAt(ctx.db, ctx.dialect, AT);
      const here = await signIn(deps, { email: email('senco'), password: PASSWORD, ip: '192.0.2.77' });
      const elsewhere = await signIn(deps, { email: email('senco'), password: PASSWORD, ip: '192.0.2.78' });
      const other = await signIn(deps, { email: email('office'), password: PASSWORD, ip: '192.0.2.79' });
      await ctx.db
        .updateTable('users')
        .set({ must_change_password: 1 })
        .where('id', '=', school.actors.senco.userId)
        .execute();
      expect((await resolveSession(deps, here.token))?.mustChangePassword).toBe(true);
      expect((await findUser(ctx.db, school.actors.senco.userId))?.mustChangePassword).toBe(true);

      expect(await change(deps, 'senco', here.token, {})).toEqual({ sessionsEnded: 1 });
      expect((await resolveSession(deps, here.token))?.mustChangePassword).toBe(false);
      expect(await resolveSession(deps, elsewhere.token)).toBeUndefined();
      expect(await resolveSession(deps, other.token)).toBeDefined();
      expect((await findUser(ctx.db, school.actors.senco.userId))?.mustChangePassword).toBe(false);
      const found = await findUserForSignIn(ctx.db, email('senco'));
      expect(await verifyPassword(found!.passwordHash, NEW)).toBe(true);
      const audited = await ctx.db
        .selectFrom('audit_log')
        .select(['details', 'user_id'])
        .where('action', '=', 'user.passwordChange')
        .where('entity_id', '=', school.actors.senco.userId)
        .execute();
      expect(audited).toHaveLength(1);
      expect(audited[0]!.user_id).toBe(school.actors.senco.userId);
      expect(audited[0]!.details).not.toContain(NEW);
      expect(audited[0]!.details).not.toContain(PASSWORD);
      expect(audited[0]!.details).not.toContain('argon2');
      // The old password no longer signs in; the new one does.
      expect((await failure(signIn(deps, { email: email('senco'), password: PASSWORD, ip: '192.0.2.80' }))).code).toBe(
        'UNAUTHENTICATED',
      );
      expect((await signIn(deps, { email: email('senco'), password: NEW, ip: '192.0.2.80' })).actor.role).toBe('senco');
    });

    it('a wrong current password is a field error, delayed after too many, without refusing sign-in', async () => {
      const deps = depsAt(ctx.db, ctx.dialect, '2025-09-09T07:30:00.000Z');
      const s = await signIn(deps, { email: email('governor'), password: PASSWORD, ip: '192.0.2.90' });
      for (let i = 0; i < PAIR_FREE_FAILURES + 1; i++) {
        const e = await failure(change(deps, 'governor', s.token, { current: `wrong guess ${i}` }));
        expect(e.code).toBe('VALIDATION');
        expect(e.details.fields).toEqual([{ field: 'currentPassword', message: WRONG_CURRENT_PASSWORD_MESSAGE }]);
      }
      // Delayed: even the right current password is refused for now; signing in is not.
      const locked = await failure(change(deps, 'governor', s.token, {}));
      expect(locked.code).toBe('TOO_MANY_ATTEMPTS');
      expect(locked.message).toBe(passwordChangeThrottledMessage(FIRST_DELAY_SECONDS));
      expect((await signIn(deps, { email: email('governor'), password: PASSWORD, ip: '192.0.2.91' })).actor.role).toBe(
        'governor',
      );
      // The session itself stays; after the delay the change goes through.
      expect((await findSessionWithActor(ctx.db, hashToken(s.token)))?.actor?.role).toBe('governor');
      const later = depsAt(ctx.db, ctx.dialect, '2025-09-09T07:31:00.000Z');
      expect(await change(later, 'governor', s.token, {})).toEqual({ sessionsEnded: 1 });
      const failures = await ctx.db
        .selectFrom('audit_log')
        .select('details')
        .where('action', '=', 'user.passwordChangeFailed')
        .where('entity_id', '=', school.actors.governor.userId)
        .execute();
      expect(failures).toHaveLength(PAIR_FREE_FAILURES + 1);
      expect(failures.map((f) => f.details).join()).not.toContain('wrong guess');
    });
  });
});
