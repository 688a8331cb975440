/**
 * Signing in and out: local accounts with argon2id passwords, sessions stored in the database
 * (by the hash of the cookie token) with a CSRF token each, throttled sign-in, and creating
 * accounts. Every sign-in, success or failure, is audited; a password never is, nor logged.
 */
import { findSchool } from '../db/repositories/schools.js';
import type { DbOrTrx } from '../db/connect.js';
import {
  clearLoginAttempts,
  createUser,
  deleteSession,
  deleteSessionsOfUser,
  emailTaken,
  findPasswordHash,
  findSessionWithActor,
  findUser,
  findUserForSignIn,
  getActor,
  insertSession,
  loginAttempts,
  recordLoginFailure,
  setPassword,
  trustExists,
  type LoginAttempts,
  type User,
} from '../db/repositories/users.js';
import { hashToken, newId, newToken } from '../platform/ids.js';
import { hashPassword, verifyPassword } from '../platform/passwords.js';
import { audit } from './audit.js';
import { can, isRole, isSchoolStaff, SYSTEM_ACTOR, type Actor, type Role } from './authz.js';
import type { Deps } from './deps.js';
import { AppError, type FieldError } from './errors.js';

/** The session cookie's name. */
export const SESSION_COOKIE = 'rollcall_session';

/** How long a session lasts from sign-in (no sliding renewal). */
export const SESSION_HOURS = 8;

/**
 * Failed sign-ins allowed per email address within the window before it is locked.
 * @see https://cheatsheetseries.owasp.org/cheatsheets/Authentication_Cheat_Sheet.html#login-throttling
 */
export const MAX_FAILURES_PER_EMAIL = 5;

/**
 * Failed sign-ins allowed per IP address within the window. Higher than per email because a
 * whole school usually reaches us from one public address: five typos across a staff room on a
 * Monday morning must not lock every teacher out at registration time.
 * @see https://cheatsheetseries.owasp.org/cheatsheets/Authentication_Cheat_Sheet.html#login-throttling
 */
export const MAX_FAILURES_PER_IP = 20;

/** The window failures are counted in, and how long a key stays locked. */
export const THROTTLE_WINDOW_MINUTES = 15;
export const LOCK_MINUTES = 15;

/** @see https://www.ncsc.gov.uk/collection/passwords (length over complexity) */
export const MIN_PASSWORD_LENGTH = 12;

export const SIGN_IN_FAILED_MESSAGE = 'Enter a correct email address and password';
export const THROTTLED_MESSAGE = `You have tried to sign in too many times. Wait ${LOCK_MINUTES} minutes, then try again.`;

const MINUTE_MS = 60_000;

function plus(iso: string, ms: number): string {
  return new Date(new Date(iso).getTime() + ms).toISOString();
}

/** Email addresses are compared trimmed and lower-case. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Throttling keys: the email's hash (so whatever was typed is never stored), and the IP. */
export function emailKey(email: string): string {
  return `email:${hashToken(email)}`;
}
function ipKey(ip: string): string {
  return `ip:${ip}`;
}

function isLocked(a: LoginAttempts | undefined, now: string): boolean {
  return a?.lockedUntil != null && a.lockedUntil > now;
}

/**
 * A hash to verify against when the email is unknown, so that an unknown email takes as long
 * as a wrong password and does not reveal which addresses have accounts. Made once, lazily.
 */
let dummyHash: Promise<string> | undefined;
function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(newToken());
  return dummyHash;
}

/** An audit row for a sign-in event, which may have no known user. */
async function auditSignIn(
  deps: Deps,
  at: string,
  action: string,
  user: User | undefined,
  details: Record<string, unknown>,
): Promise<void> {
  await deps.db
    .insertInto('audit_log')
    .values({
      id: newId(),
      at,
      user_id: user?.id ?? null,
      user_role: user?.role ?? null,
      action,
      entity_type: 'user',
      entity_id: user?.id ?? null,
      pupil_id: null,
      school_id: user?.schoolId ?? null,
      details: JSON.stringify(details),
    })
    .execute();
}

export interface SignInInput {
  readonly email: string;
  readonly password: string;
  /** The client's address, for throttling and the audit trail. */
  readonly ip: string;
}

export interface SignedIn {
  /** The cookie value: shown once, stored only as its hash. */
  readonly token: string;
  readonly csrfToken: string;
  readonly expiresAt: string;
  readonly actor: Actor;
}

/**
 * Checks an email and password and opens a session.
 *
 * Throws VALIDATION when a field is empty, TOO_MANY_ATTEMPTS when the email or the address is
 * locked (even if the password is right), and UNAUTHENTICATED with one message for an unknown
 * email, a wrong password or a disabled account.
 */
export async function signIn(deps: Deps, input: SignInInput): Promise<SignedIn> {
  const email = normaliseEmail(input.email);
  const fields: FieldError[] = [];
  if (email === '') fields.push({ field: 'email', message: 'Enter your email address' });
  if (input.password === '') fields.push({ field: 'password', message: 'Enter your password' });
  if (fields.length > 0) throw new AppError('VALIDATION', fields.map((f) => f.message).join('. '), { fields });

  const now = deps.clock.now();
  const keys = { email: emailKey(email), ip: ipKey(input.ip) };
  const attempts = await loginAttempts(deps.db, [keys.email, keys.ip]);
  const found = await findUserForSignIn(deps.db, email);
  if (isLocked(attempts.get(keys.email), now) || isLocked(attempts.get(keys.ip), now)) {
    await auditSignIn(deps, now, 'auth.signInThrottled', found?.user, { ip: input.ip });
    deps.logger.warn({ ip: input.ip, userId: found?.user.id }, 'sign-in throttled');
    throw new AppError('TOO_MANY_ATTEMPTS', THROTTLED_MESSAGE);
  }

  const passwordOk = await verifyPassword(found?.passwordHash ?? (await dummyPasswordHash()), input.password);
  const actor = found && passwordOk && !found.user.disabled ? await getActor(deps.db, found.user.id) : undefined;
  if (!found || !actor) {
    const rule = (max: number) => ({
      at: now,
      windowStart: plus(now, -THROTTLE_WINDOW_MINUTES * MINUTE_MS),
      lockUntil: plus(now, LOCK_MINUTES * MINUTE_MS),
      maxFailures: max,
    });
    await recordLoginFailure(deps.db, keys.email, rule(MAX_FAILURES_PER_EMAIL));
    await recordLoginFailure(deps.db, keys.ip, rule(MAX_FAILURES_PER_IP));
    // What was typed as an email is recorded only when it is an account's: a password typed
    // into the email box must not end up in the audit trail or the log.
    const reason = !found ? 'unknown-email' : found.user.disabled ? 'disabled' : 'wrong-password';
    await auditSignIn(deps, now, 'auth.signInFailed', found?.user, { ip: input.ip, reason });
    deps.logger.info({ ip: input.ip, userId: found?.user.id, reason }, 'sign-in failed');
    throw new AppError('UNAUTHENTICATED', SIGN_IN_FAILED_MESSAGE);
  }

  const token = newToken();
  const csrfToken = newToken();
  const expiresAt = plus(now, SESSION_HOURS * 60 * MINUTE_MS);
  await deps.db.transaction().execute(async (trx) => {
    await clearLoginAttempts(trx, keys.email);
    await insertSession(trx, { id: hashToken(token), userId: actor.userId, csrfToken, createdAt: now, expiresAt });
    await audit(trx, actor, now, {
      action: 'auth.signIn',
      entityType: 'user',
      entityId: actor.userId,
      schoolId: actor.schoolId,
      details: { ip: input.ip },
    });
  });
  deps.logger.info({ userId: actor.userId, role: actor.role }, 'signed in');
  return { token, csrfToken, expiresAt, actor };
}

export interface ResolvedSession {
  readonly actor: Actor;
  readonly csrfToken: string;
  readonly expiresAt: string;
  /** The password was set by an administrator: only the password page may be used until it is changed. */
  readonly mustChangePassword: boolean;
}

/**
 * The actor and CSRF token of a session cookie, or undefined. An expired session, or one whose
 * account was disabled since, is deleted.
 */
export async function resolveSession(deps: Deps, token: string | undefined): Promise<ResolvedSession | undefined> {
  if (!token) return undefined;
  const id = hashToken(token);
  const found = await findSessionWithActor(deps.db, id);
  if (!found) return undefined;
  const { session, actor, mustChangePassword } = found;
  if (session.expiresAt <= deps.clock.now()) {
    await deleteSession(deps.db, id);
    return undefined;
  }
  if (!actor) {
    await deleteSession(deps.db, id);
    return undefined;
  }
  return { actor, csrfToken: session.csrfToken, expiresAt: session.expiresAt, mustChangePassword };
}

/** Ends a session (nothing happens for an unknown token). */
export async function signOut(deps: Deps, token: string | undefined, actor?: Actor): Promise<void> {
  if (!token) return;
  await deleteSession(deps.db, hashToken(token));
  if (actor) {
    await audit(deps.db, actor, deps.clock.now(), {
      action: 'auth.signOut',
      entityType: 'user',
      entityId: actor.userId,
      schoolId: actor.schoolId,
    });
  }
}

export interface NewAccountInput {
  readonly email: string;
  readonly name: string;
  readonly role: string;
  /** Required for school roles (staff, governors, parents); an administrator without one administers every school. */
  readonly schoolId?: string | null | undefined;
  /** Required for trust leads. */
  readonly trustId?: string | null | undefined;
  /** Required for local authority officers: the LA's three-digit code. */
  readonly laCode?: string | null | undefined;
  readonly password: string;
}

export interface NewAccountOptions {
  /** The password is a temporary one set by an administrator: the person must choose their own at first sign-in. */
  readonly mustChangePassword?: boolean;
  /** More to write in the same transaction as the account (a teacher's groups, say). */
  readonly andThen?: (trx: DbOrTrx, user: User) => Promise<void>;
  /** Checks to make before anything is written (more field errors, say); may throw VALIDATION. */
  readonly check?: (fields: FieldError[]) => void;
}

/** Roles whose accounts belong to one school (an administrator may have one or none). */
function needsSchool(role: Role): boolean {
  return role === 'governor' || role === 'parent' || (isSchoolStaff(role) && role !== 'admin');
}

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Creates an account. Administrators create accounts for their school; trust and local
 * authority accounts, and administrators without a school, only an installation administrator
 * (an administrator without a school) or the system (the CLI) may create.
 */
export async function createUserAccount(
  deps: Deps,
  actor: Actor,
  input: NewAccountInput,
  options: NewAccountOptions = {},
): Promise<User> {
  const email = normaliseEmail(input.email);
  const name = input.name.trim();
  const fields: FieldError[] = [];
  if (!EMAIL_PATTERN.test(email) || email.length > 254)
    fields.push({ field: 'email', message: 'Enter an email address in the correct format, like name@example.org' });
  if (name === '') fields.push({ field: 'name', message: 'Enter the person’s name' });
  if (!isRole(input.role)) fields.push({ field: 'role', message: 'Choose a role' });
  if ([...input.password].length < MIN_PASSWORD_LENGTH)
    fields.push({ field: 'password', message: `Password must be ${MIN_PASSWORD_LENGTH} characters or more` });
  options.check?.(fields);
  if (!isRole(input.role) || fields.length > 0)
    throw new AppError('VALIDATION', 'The account details are not valid.', { fields });
  const role = input.role;

  const schoolId = input.schoolId || null;
  const trustId = role === 'trust_lead' ? input.trustId || null : null;
  const laCode = role === 'la_officer' ? input.laCode?.trim() || null : null;
  if (needsSchool(role) && !schoolId)
    fields.push({ field: 'schoolId', message: 'Choose the school this account belongs to' });
  if (!needsSchool(role) && role !== 'admin' && schoolId)
    fields.push({ field: 'schoolId', message: 'Trust and local authority accounts do not belong to one school' });
  if (role === 'trust_lead' && !trustId) fields.push({ field: 'trustId', message: 'Choose the trust' });
  if (role === 'la_officer' && !(laCode && /^\d{3}$/.test(laCode)))
    fields.push({ field: 'laCode', message: 'Enter the local authority’s three-digit code' });
  if (fields.length > 0) throw new AppError('VALIDATION', 'The account details are not valid.', { fields });

  const school = schoolId ? await findSchool(deps.db, schoolId) : undefined;
  if (schoolId && !school)
    throw new AppError('VALIDATION', 'No such school.', { fields: [{ field: 'schoolId', message: 'No such school' }] });
  if (trustId && !(await trustExists(deps.db, trustId)))
    throw new AppError('VALIDATION', 'No such trust.', { fields: [{ field: 'trustId', message: 'No such trust' }] });

  const allowed =
    actor === SYSTEM_ACTOR ||
    (school
      ? can(actor, 'school.administer', {
          kind: 'school',
          schoolId: school.id,
          trustId: school.trustId,
          laCode: school.laCode,
        })
      : actor.role === 'admin' && actor.schoolId === null);
  if (!allowed)
    throw new AppError('FORBIDDEN', 'You do not have permission to create this account.', {
      action: 'school.administer',
    });

  if (await emailTaken(deps.db, email)) {
    throw new AppError('CONFLICT', 'An account with this email address already exists.', {
      fields: [{ field: 'email', message: 'An account with this email address already exists' }],
    });
  }

  const passwordHash = await hashPassword(input.password);
  const at = deps.clock.now();
  return deps.db.transaction().execute(async (trx) => {
    const user = await createUser(trx, {
      id: newId(),
      email,
      name,
      passwordHash,
      role,
      schoolId,
      trustId,
      laCode,
      createdAt: at,
      mustChangePassword: options.mustChangePassword ?? false,
    });
    await audit(trx, actor, at, {
      action: 'user.create',
      entityType: 'user',
      entityId: user.id,
      schoolId,
      details: { role, email, ...(options.mustChangePassword ? { mustChangePassword: true } : {}) },
    });
    await options.andThen?.(trx, user);
    return user;
  });
}

// ---------------------------------------------------------------------------------------------
// Changing one's own password
// ---------------------------------------------------------------------------------------------

export const WRONG_CURRENT_PASSWORD_MESSAGE = 'Your current password is not right';
export const PASSWORD_CHANGE_THROTTLED_MESSAGE = `You have entered a wrong current password too many times. Wait ${LOCK_MINUTES} minutes, then try again.`;

/** The checks of a new password and its confirmation (the same rule as for new accounts). */
export function newPasswordProblems(
  password: string,
  confirm: string,
  ids: { password: string; confirm: string } = { password: 'newPassword', confirm: 'confirmPassword' },
): FieldError[] {
  const fields: FieldError[] = [];
  if (password === '') fields.push({ field: ids.password, message: 'Enter a new password' });
  else if ([...password].length < MIN_PASSWORD_LENGTH)
    fields.push({ field: ids.password, message: `Password must be ${MIN_PASSWORD_LENGTH} characters or more` });
  if (confirm === '') fields.push({ field: ids.confirm, message: 'Confirm the new password' });
  else if (password !== '' && confirm !== password)
    fields.push({ field: ids.confirm, message: 'The passwords do not match' });
  return fields;
}

export interface PasswordChange {
  readonly currentPassword: string;
  readonly newPassword: string;
  readonly confirmPassword: string;
  /** The session cookie of the request: that session is kept, every other one of the account ends. */
  readonly sessionToken: string | undefined;
  readonly ip: string;
}

/**
 * Changes the signed-in person's own password. A wrong current password is a field error and
 * counts as a failed sign-in for the account's email (so it cannot be guessed here without limit:
 * after {@link MAX_FAILURES_PER_EMAIL} failures both this and signing in are locked for
 * {@link LOCK_MINUTES} minutes). On success every other session of the account ends, the
 * "must change" flag is cleared, and the change is audited (never the password).
 */
export async function changeOwnPassword(
  deps: Deps,
  actor: Actor,
  input: PasswordChange,
): Promise<{ sessionsEnded: number }> {
  const user = await findUser(deps.db, actor.userId);
  if (!user || user.disabled) throw new AppError('UNAUTHENTICATED', 'Sign in to continue.');
  const fields: FieldError[] = [];
  if (input.currentPassword === '') fields.push({ field: 'currentPassword', message: 'Enter your current password' });
  fields.push(...newPasswordProblems(input.newPassword, input.confirmPassword));
  if (fields.length > 0) throw new AppError('VALIDATION', 'The passwords are not valid.', { fields });

  const now = deps.clock.now();
  const key = emailKey(user.email);
  const attempts = await loginAttempts(deps.db, [key]);
  if (isLocked(attempts.get(key), now)) {
    await audit(deps.db, actor, now, {
      action: 'user.passwordChangeThrottled',
      entityType: 'user',
      entityId: user.id,
      schoolId: user.schoolId,
      details: { ip: input.ip },
    });
    throw new AppError('TOO_MANY_ATTEMPTS', PASSWORD_CHANGE_THROTTLED_MESSAGE);
  }
  const hash = await findPasswordHash(deps.db, user.id);
  if (hash === undefined || !(await verifyPassword(hash, input.currentPassword))) {
    await recordLoginFailure(deps.db, key, {
      at: now,
      windowStart: plus(now, -THROTTLE_WINDOW_MINUTES * MINUTE_MS),
      lockUntil: plus(now, LOCK_MINUTES * MINUTE_MS),
      maxFailures: MAX_FAILURES_PER_EMAIL,
    });
    await audit(deps.db, actor, now, {
      action: 'user.passwordChangeFailed',
      entityType: 'user',
      entityId: user.id,
      schoolId: user.schoolId,
      details: { ip: input.ip, reason: 'wrong-current-password' },
    });
    deps.logger.info({ userId: user.id, ip: input.ip }, 'password change refused: wrong current password');
    throw new AppError('VALIDATION', WRONG_CURRENT_PASSWORD_MESSAGE, {
      fields: [{ field: 'currentPassword', message: WRONG_CURRENT_PASSWORD_MESSAGE }],
    });
  }
  if (input.newPassword === input.currentPassword)
    throw new AppError('VALIDATION', 'The new password is the same as the current one.', {
      fields: [{ field: 'newPassword', message: 'Choose a new password that is different from your current one' }],
    });

  const passwordHash = await hashPassword(input.newPassword);
  const keep = input.sessionToken ? hashToken(input.sessionToken) : undefined;
  const sessionsEnded = await deps.db.transaction().execute(async (trx) => {
    await setPassword(trx, user.id, { passwordHash, mustChange: false, at: now });
    const ended = await deleteSessionsOfUser(trx, user.id, keep);
    await clearLoginAttempts(trx, key);
    await audit(trx, actor, now, {
      action: 'user.passwordChange',
      entityType: 'user',
      entityId: user.id,
      schoolId: user.schoolId,
      details: { ip: input.ip, otherSessionsEnded: ended, wasTemporary: user.mustChangePassword },
    });
    return ended;
  });
  deps.logger.info({ userId: user.id, sessionsEnded }, 'password changed');
  return { sessionsEnded };
}
