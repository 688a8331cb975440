/**
 * Long on purpose: sign-in, sessions, CSRF tokens and account creation share the token
 * handling and the throttle, and a security review reads them in one place.
 *
 * Signing in and out: local accounts with argon2id passwords, sessions stored in the database
 * (by the hash of the cookie token) with a CSRF token each, throttled sign-in, and creating
 * accounts. Every sign-in, success or failure, is audited; a password never is, nor logged.
 */
import { findSchool } from '../school/schools.js';
import type { DbOrTrx } from '../../db/connect.js';
import {
  claimNotice,
  clearThrottleKeys,
  isKnownDevice,
  rememberDevice,
  schoolForAccountNotice,
} from '../../db/accounts/sign-in-throttle.js';
import {
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
  setPassword,
  trustExists,
  type User,
} from '../../db/accounts/users.js';
import { hashToken, newId, newToken } from '../../platform/ids.js';
import { hashPassword, verifyPassword } from '../../platform/passwords.js';
import { audit } from '../audit.js';
import { can, isRole, isSchoolStaff, SYSTEM_ACTOR, type Actor, type Role } from '../authz.js';
import { insertAuditRow } from '../../db/audit.js';
import type { Deps } from '../deps.js';
import { queueMessage } from '../messages.js';
import { mfaPendingAfterFirstFactor, type MfaPending } from './mfa.js';
import { countFailures, refusedForKeys, throttledMessage, waitInWords, type CountedKey } from './throttle.js';

export {
  delaySeconds,
  FIRST_DELAY_SECONDS,
  MAX_DELAY_MINUTES,
  RESET_AFTER_MINUTES,
  retryAfterSeconds,
  throttledMessage,
  waitInWords,
} from './throttle.js';
import { AppError, type FieldError } from '../errors.js';

/** The session cookie's name. */
export const SESSION_COOKIE = 'rollcall_session';

/** How long a session lasts from sign-in (no sliding renewal). */
export const SESSION_HOURS = 8;

/**
 * Throttling (issue 16): nobody can lock a colleague out. Failures are counted per (email,
 * client address) pair, and each failure past the free ones refuses that pair for a growing
 * delay ({@link delaySeconds}); other clients are not affected. Across an email and across an
 * address, failures from devices the account has not signed in from are counted too, with more
 * free failures, and delay only unknown devices: the right password from a known device (the
 * device cookie set on a successful sign-in) is always checked. The owner of an attacked account
 * is told by email, once per {@link NOTIFY_EVERY_HOURS} hours.
 * @see https://cheatsheetseries.owasp.org/cheatsheets/Authentication_Cheat_Sheet.html#login-throttling
 * @see https://pages.nist.gov/800-63-4/sp800-63b.html (rate limiting: no permanent lockout)
 */
export const PAIR_FREE_FAILURES = 5;
/**
 * Failures for one email from unknown devices, across every client, before those are delayed:
 * a guessing attack spread over many addresses (a botnet) still slows down.
 */
export const EMAIL_FREE_FAILURES = 20;
/**
 * Failures from one address, across emails and unknown devices, before that address is delayed.
 * High because a whole school usually reaches us from one public address.
 */
export const IP_FREE_FAILURES = 100;
/** Failures for an account's email (unknown devices) before its owner is told by email… */
export const NOTIFY_AFTER_FAILURES = 10;
/** …at most once in this many hours. */
export const NOTIFY_EVERY_HOURS = 24;

/** The device cookie: set on a successful sign-in, it makes the device a known one for that account. */
export const DEVICE_COOKIE = 'rollcall_device';
export const DEVICE_COOKIE_DAYS = 180;

/** @see https://www.ncsc.gov.uk/collection/passwords (length over complexity) */
export const MIN_PASSWORD_LENGTH = 12;

export const SIGN_IN_FAILED_MESSAGE = 'Enter a correct email address and password';

const MINUTE_MS = 60_000;

function plus(iso: string, ms: number): string {
  return new Date(new Date(iso).getTime() + ms).toISOString();
}

/** Email addresses are compared trimmed and lower-case. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Throttling keys hold an email only as its hash (so whatever was typed is never stored). */
export function emailKey(email: string): string {
  return `email:${hashToken(email)}`;
}
function ipKey(ip: string): string {
  return `ip:${ip}`;
}
function pairKey(email: string, ip: string): string {
  return `pair:${hashToken(email)}:${ip}`;
}
function deviceKey(deviceHash: string, userId: string): string {
  return `device:${deviceHash}:${userId}`;
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
  await insertAuditRow(deps.db, {
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
  });
}

export interface SignInInput {
  readonly email: string;
  readonly password: string;
  /** The client's address, for throttling and the audit trail. */
  readonly ip: string;
  /** The device cookie, if the browser sent one. */
  readonly deviceToken?: string | undefined;
}

export interface SignedIn {
  /** The cookie value: shown once, stored only as its hash. */
  readonly token: string;
  readonly csrfToken: string;
  readonly expiresAt: string;
  readonly actor: Actor;
  /** The device cookie to set (the one sent, or a new one): this device is now known for the account. */
  readonly deviceToken: string;
  /** What the session still owes before it may be used: a second factor, or setting one up. */
  readonly mfaPending: MfaPending;
}

/** What the throttle counts for a sign-in attempt: per pair, or per known device. */
function throttleKeys(email: string, ip: string, knownDeviceOf: { deviceHash: string; userId: string } | undefined) {
  if (knownDeviceOf) {
    // A known device is throttled on its own: what others do elsewhere never delays it.
    return [{ key: deviceKey(knownDeviceOf.deviceHash, knownDeviceOf.userId), free: PAIR_FREE_FAILURES }];
  }
  return [
    { key: pairKey(email, ip), free: PAIR_FREE_FAILURES },
    { key: emailKey(email), free: EMAIL_FREE_FAILURES },
    { key: ipKey(ip), free: IP_FREE_FAILURES },
  ] satisfies CountedKey[];
}

/**
 * Tells the owner of an account by email that someone is failing to sign in to it, at most once
 * per {@link NOTIFY_EVERY_HOURS} hours, through the outbox (so a mail server that is down only
 * delays it). Audited; never says which password was tried.
 */
async function noticeAttack(deps: Deps, user: User, failures: number, now: string, ip: string): Promise<void> {
  if (user.disabled || failures < NOTIFY_AFTER_FAILURES) return;
  const claimed = await claimNotice(deps.db, emailKey(user.email), {
    at: now,
    notNotifiedSince: plus(now, -NOTIFY_EVERY_HOURS * 60 * MINUTE_MS),
  });
  if (!claimed) return;
  const schoolId = await schoolForAccountNotice(deps.db, user);
  if (schoolId) {
    await queueMessage(deps.db, {
      schoolId,
      pupilId: null,
      channel: 'email',
      to: user.email,
      subject: 'Someone is trying to sign in to your Rollcall account',
      body: [
        `Someone has tried to sign in to your Rollcall account (${user.email}) with a wrong password ${failures} times in the last hour.`,
        '',
        'Your account is not locked: you can still sign in with your password from a device you have used before. Sign-ins from other devices are slowed down for a while.',
        '',
        'If this was not you, tell your Rollcall administrator, and consider changing your password (Account, then Change your password). Never share your password or a sign-in code.',
        '',
        `We will tell you again if it goes on, at most once every ${NOTIFY_EVERY_HOURS} hours.`,
      ].join('\n'),
      kind: 'sign-in-attack',
      createdBy: 'system',
      now,
    });
  }
  await auditSignIn(deps, now, 'auth.attackNotice', user, { failures, ip, emailed: schoolId !== null });
  deps.logger.warn({ userId: user.id, failures, emailed: schoolId !== null }, 'sign-in failures: owner told');
}

/**
 * Checks an email and password and opens a session.
 *
 * Throws VALIDATION when a field is empty; TOO_MANY_ATTEMPTS (with `retryAfterSeconds`) while
 * this client is delayed for this email (see {@link PAIR_FREE_FAILURES}), before the password
 * is checked; and UNAUTHENTICATED with one message for an unknown email, a wrong password or a
 * disabled account. A known device of the account is throttled only on its own failures.
 */
export async function signIn(deps: Deps, input: SignInInput): Promise<SignedIn> {
  const email = normaliseEmail(input.email);
  const fields: FieldError[] = [];
  if (email === '') fields.push({ field: 'email', message: 'Enter your email address' });
  if (input.password === '') fields.push({ field: 'password', message: 'Enter your password' });
  if (fields.length > 0) throw new AppError('VALIDATION', fields.map((f) => f.message).join('. '), { fields });

  const now = deps.clock.now();
  const found = await findUserForSignIn(deps.db, email);
  const deviceHash = input.deviceToken ? hashToken(input.deviceToken) : undefined;
  const known =
    found && deviceHash && (await isKnownDevice(deps.db, deviceHash, found.user.id))
      ? { deviceHash, userId: found.user.id }
      : undefined;
  const keys = throttleKeys(email, input.ip, known);
  const wait = await refusedForKeys(
    deps.db,
    keys.map((k) => k.key),
    now,
  );
  if (wait > 0) {
    await auditSignIn(deps, now, 'auth.signInThrottled', found?.user, {
      ip: input.ip,
      knownDevice: known !== undefined,
      retryAfterSeconds: wait,
    });
    deps.logger.warn({ ip: input.ip, userId: found?.user.id, wait }, 'sign-in throttled');
    throw new AppError('TOO_MANY_ATTEMPTS', throttledMessage(wait), { retryAfterSeconds: wait });
  }

  const passwordOk = await verifyPassword(found?.passwordHash ?? (await dummyPasswordHash()), input.password);
  const actor = found && passwordOk && !found.user.disabled ? await getActor(deps.db, found.user.id) : undefined;
  if (!found || !actor) {
    const counts = await countFailures(deps.db, keys, now);
    // What was typed as an email is recorded only when it is an account's: a password typed
    // into the email box must not end up in the audit trail or the log.
    const reason = !found ? 'unknown-email' : found.user.disabled ? 'disabled' : 'wrong-password';
    await auditSignIn(deps, now, 'auth.signInFailed', found?.user, {
      ip: input.ip,
      reason,
      knownDevice: known !== undefined,
    });
    deps.logger.info({ ip: input.ip, userId: found?.user.id, reason }, 'sign-in failed');
    if (found && !known) await noticeAttack(deps, found.user, counts.get(emailKey(email)) ?? 0, now, input.ip);
    throw new AppError('UNAUTHENTICATED', SIGN_IN_FAILED_MESSAGE);
  }

  const token = newToken();
  const csrfToken = newToken();
  const deviceToken = input.deviceToken ?? newToken();
  const expiresAt = plus(now, SESSION_HOURS * 60 * MINUTE_MS);
  const mfaPending = await mfaPendingAfterFirstFactor(deps.db, found.user);
  await deps.db.transaction().execute(async (trx) => {
    // The rightful person got in from this client: its own delay ends. The counts across the
    // email and the address do not: an attack from elsewhere may still be going on.
    await clearThrottleKeys(trx, [
      pairKey(email, input.ip),
      ...(known ? [deviceKey(known.deviceHash, known.userId)] : []),
    ]);
    await rememberDevice(trx, hashToken(deviceToken), actor.userId, now);
    await insertSession(trx, {
      id: hashToken(token),
      userId: actor.userId,
      csrfToken,
      createdAt: now,
      expiresAt,
      mfaPending,
      authenticatedAt: now,
    });
    await audit(trx, actor, now, {
      action: 'auth.signIn',
      entityType: 'user',
      entityId: actor.userId,
      schoolId: actor.schoolId,
      details: { ip: input.ip, knownDevice: known !== undefined, ...(mfaPending ? { mfaPending } : {}) },
    });
  });
  deps.logger.info({ userId: actor.userId, role: actor.role, mfaPending }, 'signed in');
  return { token, csrfToken, expiresAt, actor, deviceToken, mfaPending };
}

export interface ResolvedSession {
  readonly actor: Actor;
  readonly csrfToken: string;
  readonly expiresAt: string;
  /** The password was set by an administrator: only the password page may be used until it is changed. */
  readonly mustChangePassword: boolean;
  /** The session's id (the token's hash). */
  readonly sessionId: string;
  /** A second factor is owed ('verify') or must be set up ('enrol') before anything else. */
  readonly mfaPending: MfaPending;
  /** When the person last proved who they are in this session. */
  readonly authenticatedAt: string | null;
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
  return {
    actor,
    csrfToken: session.csrfToken,
    expiresAt: session.expiresAt,
    mustChangePassword,
    sessionId: id,
    mfaPending: session.mfaPending ?? null,
    authenticatedAt: session.authenticatedAt ?? null,
  };
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
export function passwordChangeThrottledMessage(seconds: number): string {
  return `You have entered a wrong current password too many times. Wait ${waitInWords(seconds)}, then try again.`;
}

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
 * is counted for the account (so it cannot be guessed here without limit: after
 * {@link PAIR_FREE_FAILURES} failures this page is delayed, growing as for signing in; signing
 * in is not affected). On success every other session of the account ends, the
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
  const key = `password-change:${user.id}`;
  const wait = await refusedForKeys(deps.db, [key], now);
  if (wait > 0) {
    await audit(deps.db, actor, now, {
      action: 'user.passwordChangeThrottled',
      entityType: 'user',
      entityId: user.id,
      schoolId: user.schoolId,
      details: { ip: input.ip },
    });
    throw new AppError('TOO_MANY_ATTEMPTS', passwordChangeThrottledMessage(wait), { retryAfterSeconds: wait });
  }
  const hash = await findPasswordHash(deps.db, user.id);
  if (hash === undefined || !(await verifyPassword(hash, input.currentPassword))) {
    await countFailures(deps.db, [{ key, free: PAIR_FREE_FAILURES }], now);
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
    await clearThrottleKeys(trx, [key]);
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

/**
 * Opens a session for an actor whose identity another way established (single sign-on), with
 * what it still owes, audited as `auth.signIn` with the method. The device becomes a known one.
 */
export async function openSession(
  deps: Deps,
  actor: Actor,
  p: { ip: string; mfaPending: MfaPending; method: string; deviceToken?: string | undefined },
): Promise<SignedIn> {
  const now = deps.clock.now();
  const token = newToken();
  const csrfToken = newToken();
  const deviceToken = p.deviceToken ?? newToken();
  const expiresAt = plus(now, SESSION_HOURS * 60 * MINUTE_MS);
  await deps.db.transaction().execute(async (trx) => {
    await rememberDevice(trx, hashToken(deviceToken), actor.userId, now);
    await insertSession(trx, {
      id: hashToken(token),
      userId: actor.userId,
      csrfToken,
      createdAt: now,
      expiresAt,
      mfaPending: p.mfaPending,
      authenticatedAt: now,
    });
    await audit(trx, actor, now, {
      action: 'auth.signIn',
      entityType: 'user',
      entityId: actor.userId,
      schoolId: actor.schoolId,
      details: { ip: p.ip, method: p.method, ...(p.mfaPending ? { mfaPending: p.mfaPending } : {}) },
    });
  });
  deps.logger.info({ userId: actor.userId, role: actor.role, method: p.method }, 'signed in');
  return { token, csrfToken, expiresAt, actor, deviceToken, mfaPending: p.mfaPending };
}
