/**
 * Multi-factor authentication (issue 16): an authenticator app (TOTP, RFC 6238) with one-time
 * recovery codes, and passkeys (services/accounts/passkeys.ts) as a second option.
 *
 * A second factor is required of the roles in {@link MFA_DEFAULT_ROLES} and, when the school
 * says so, of all its staff. After the password (or single sign-on without the provider's word
 * that it did MFA), a session owes either a code ('verify': the account has a second factor) or
 * setting one up ('enrol': the account must and has none); until then only those pages work.
 * Everyone else may set one up, and is then asked for it too.
 *
 * Re-authentication: bulk exports of personal data need the password or a second factor within
 * the last {@link REAUTH_MINUTES} minutes of the session.
 */
import QRCode from 'qrcode';
import { Secret, TOTP } from 'otpauth';
import {
  confirmTotp,
  deleteRecoveryCodes,
  deletePasskeysOf,
  deleteTotp,
  findTotp,
  passkeysOf,
  replaceRecoveryCodes,
  saveConfirmedTotp,
  savePendingTotp,
  schoolRequiresMfaForAllStaff,
  setSchoolMfaForAllStaff,
  unusedRecoveryCodes,
  useRecoveryCode,
  userIdsWithRoles,
  useTotpStep,
} from '../../db/accounts/mfa.js';
import { findSchool } from '../school/schools.js';
import { findPasswordHash, findUser, touchSessionAuthenticated, updateSessionAuth } from '../../db/accounts/users.js';
import type { DbOrTrx } from '../../db/connect.js';
import { hashToken, newRecoveryCode, newSecretBytes } from '../../platform/ids.js';
import { verifyPassword } from '../../platform/passwords.js';
import { secretBox } from '../../platform/secrets.js';
import { audit } from '../audit.js';
import { countThrottleFailure, refusedForKeys, throttledError } from './throttle.js';
import { can, isSchoolStaff, ROLES, type Actor, type Role } from '../authz.js';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';

/**
 * Roles that must use a second factor whatever the school says: they see personal data of many
 * pupils (or of several schools), or safeguarding details (designated safeguarding leads and deputies).
 * @see https://www.gov.uk/guidance/meeting-digital-and-technology-standards-in-schools-and-colleges/cyber-security-standards-for-schools-and-colleges
 */
export const MFA_DEFAULT_ROLES: readonly Role[] = ROLES.filter((r) =>
  ['admin', 'senior_leader', 'attendance_officer', 'dsl', 'deputy_dsl', 'trust_lead', 'la_officer'].includes(r),
);

/** Minutes a proof of identity counts for before a bulk export of personal data. */
export const REAUTH_MINUTES = 15;
/** Recovery codes made at a time. */
export const RECOVERY_CODE_COUNT = 10;
/** Wrong codes for an account before each further one is delayed (as for passwords). */
export const MFA_FREE_FAILURES = 5;

const TOTP_PERIOD = 30;
const TOTP_DIGITS = 6;
const ISSUER = 'Rollcall';

export const WRONG_CODE_MESSAGE = 'Enter a correct code from your authenticator app, or a recovery code';

export type MfaPending = 'verify' | 'enrol' | null;

/** Whether a role must use a second factor (`schoolRequiresAll`: the school requires it of all staff). */
export function mfaRequiredFor(role: Role, schoolRequiresAll: boolean): boolean {
  return MFA_DEFAULT_ROLES.includes(role) || (schoolRequiresAll && isSchoolStaff(role));
}

export interface MfaStatus {
  readonly required: boolean;
  readonly totp: boolean;
  readonly passkeys: number;
  readonly recoveryCodesLeft: number;
}

export async function mfaStatus(
  db: DbOrTrx,
  user: { id: string; role: Role; schoolId: string | null },
): Promise<MfaStatus> {
  const [totp, passkeys, left, all] = await Promise.all([
    findTotp(db, user.id),
    passkeysOf(db, user.id),
    unusedRecoveryCodes(db, user.id),
    user.schoolId ? schoolRequiresMfaForAllStaff(db, user.schoolId) : Promise.resolve(false),
  ]);
  return {
    required: mfaRequiredFor(user.role, all),
    totp: totp?.confirmedAt != null,
    passkeys: passkeys.length,
    recoveryCodesLeft: left,
  };
}

/** The signed-in person's own second factors, and whether their role must have one by default. */
export async function ownMfaStatus(deps: Deps, actor: Actor): Promise<MfaStatus & { byRole: boolean }> {
  const user = await findUser(deps.db, actor.userId);
  if (!user) throw new AppError('UNAUTHENTICATED', 'Sign in to continue.');
  return { ...(await mfaStatus(deps.db, user)), byRole: MFA_DEFAULT_ROLES.includes(user.role) };
}

/** What a new session owes once the password (or a provider without MFA) is accepted. */
export async function mfaPendingAfterFirstFactor(
  db: DbOrTrx,
  user: { id: string; role: Role; schoolId: string | null },
): Promise<MfaPending> {
  const s = await mfaStatus(db, user);
  if (s.totp || s.passkeys > 0) return 'verify';
  return s.required ? 'enrol' : null;
}

// ---------------------------------------------------------------------------------------------
// Codes
// ---------------------------------------------------------------------------------------------

function totpOf(secretBase32: string, label: string): TOTP {
  return new TOTP({
    issuer: ISSUER,
    label,
    algorithm: 'SHA1',
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD,
    secret: Secret.fromBase32(secretBase32),
  });
}

/** The time step a 6-digit code is valid for at `now` (±1 step for clock drift), or null. */
export function totpStep(secretBase32: string, code: string, now: string): number | null {
  const token = code.replace(/\s/g, '');
  if (!/^\d{6}$/.test(token)) return null;
  const timestamp = Date.parse(now);
  const delta = TOTP.validate({
    token,
    secret: Secret.fromBase32(secretBase32),
    algorithm: 'SHA1',
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD,
    timestamp,
    window: 1,
  });
  return delta === null ? null : TOTP.counter({ period: TOTP_PERIOD, timestamp }) + delta;
}

/** The code an authenticator app shows at `now` (tests, the demo's printout). */
export function totpCode(secretBase32: string, now: string): string {
  return TOTP.generate({
    secret: Secret.fromBase32(secretBase32),
    algorithm: 'SHA1',
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD,
    timestamp: Date.parse(now),
  });
}

/** A recovery code as typed (any case, spaces and hyphens) in its stored form, or null. */
function normaliseRecoveryCode(code: string): string | null {
  const c = code.toUpperCase().replace(/[\s-]/g, '');
  return /^[0-9A-Z]{10}$/.test(c) ? c : null;
}

function recoveryHash(userId: string, normalised: string): string {
  return hashToken(`${userId}:${normalised}`);
}

/** New recovery codes, `XXXXX-XXXXX` (50 random bits each). */
function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
}

/** Issues new recovery codes (returned once; their hashes stored), replacing any left. */
export async function issueRecoveryCodes(db: DbOrTrx, userId: string, at: string): Promise<string[]> {
  const codes = newRecoveryCodes();
  await replaceRecoveryCodes(
    db,
    userId,
    codes.map((c) => recoveryHash(userId, normaliseRecoveryCode(c)!)),
    at,
  );
  return codes;
}

// ---------------------------------------------------------------------------------------------
// Setting up an authenticator app
// ---------------------------------------------------------------------------------------------

export interface TotpSetup {
  /** The secret, base32, to type into an app that cannot scan. */
  readonly secret: string;
  readonly uri: string;
  /** The QR code of the URI, an SVG element (made here: safe to put in the page). */
  readonly qrSvg: string;
}

/**
 * Starts setting up an authenticator app (or shows the one being set up again). Refused when
 * one is already set up: remove it first.
 */
export async function startTotpSetup(deps: Deps, actor: Actor): Promise<TotpSetup> {
  const user = await findUser(deps.db, actor.userId);
  if (!user) throw new AppError('UNAUTHENTICATED', 'Sign in to continue.');
  const box = secretBox(deps.config);
  const existing = await findTotp(deps.db, user.id);
  if (existing?.confirmedAt) throw new AppError('CONFLICT', 'An authenticator app is already set up for your account.');
  let secret: string;
  if (existing) secret = box.open(existing.secretSealed);
  else {
    secret = new Secret({ buffer: newSecretBytes(20).buffer as ArrayBuffer }).base32;
    await savePendingTotp(deps.db, user.id, box.seal(secret), deps.clock.now());
  }
  const uri = totpOf(secret, user.email).toString();
  const qrSvg = await QRCode.toString(uri, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
  return { secret, uri, qrSvg };
}

/**
 * Confirms an authenticator app with a code it shows, issues recovery codes (returned once,
 * stored as hashes) and settles the session (nothing owed, identity proved now). Audited.
 */
export async function confirmTotpSetup(
  deps: Deps,
  actor: Actor,
  input: { code: string; sessionId: string; ip: string },
): Promise<{ recoveryCodes: string[] }> {
  const row = await findTotp(deps.db, actor.userId);
  if (!row || row.confirmedAt) throw new AppError('CONFLICT', 'Start setting up an authenticator app again.');
  const now = deps.clock.now();
  const key = mfaKey(actor.userId);
  const wait = await refusedForKeys(deps.db, [key], now);
  if (wait > 0) throw throttledError(wait);
  const step = totpStep(secretBox(deps.config).open(row.secretSealed), input.code, now);
  if (step === null) {
    await countThrottleFailure(deps.db, key, MFA_FREE_FAILURES, now);
    throw new AppError('VALIDATION', 'Enter the 6-digit code your authenticator app shows', {
      fields: [{ field: 'code', message: 'Enter the 6-digit code your authenticator app shows' }],
    });
  }
  return deps.db.transaction().execute(async (trx) => {
    await confirmTotp(trx, actor.userId, now, step);
    const recoveryCodes = await issueRecoveryCodes(trx, actor.userId, now);
    await updateSessionAuth(trx, input.sessionId, { mfaPending: null, authenticatedAt: now });
    await audit(trx, actor, now, {
      action: 'mfa.totpEnrol',
      entityType: 'user',
      entityId: actor.userId,
      schoolId: actor.schoolId,
      details: { ip: input.ip, recoveryCodes: recoveryCodes.length },
    });
    return { recoveryCodes };
  });
}

/** The throttle key of an account's second-factor failures (codes and passkeys alike). */
export function mfaKey(userId: string): string {
  return `mfa:${userId}`;
}

/**
 * Checks a second factor typed by the person (a code from the app, or a recovery code, which is
 * then used up). Wrong codes are counted per account with growing delays. Returns the method.
 * Throws VALIDATION (field `code`) or TOO_MANY_ATTEMPTS.
 */
async function checkCode(deps: Deps, userId: string, code: string, now: string): Promise<'totp' | 'recovery-code'> {
  const key = mfaKey(userId);
  const wait = await refusedForKeys(deps.db, [key], now);
  if (wait > 0) throw throttledError(wait);
  const typed = code.trim();
  if (typed === '')
    throw new AppError('VALIDATION', 'Enter a code', { fields: [{ field: 'code', message: 'Enter a code' }] });
  const row = await findTotp(deps.db, userId);
  if (row?.confirmedAt) {
    const step = totpStep(secretBox(deps.config).open(row.secretSealed), typed, now);
    if (step !== null && (await useTotpStep(deps.db, userId, step))) return 'totp';
  }
  const recovery = normaliseRecoveryCode(typed);
  if (recovery && (await useRecoveryCode(deps.db, userId, recoveryHash(userId, recovery), now))) return 'recovery-code';
  await countThrottleFailure(deps.db, key, MFA_FREE_FAILURES, now);
  throw new AppError('VALIDATION', WRONG_CODE_MESSAGE, { fields: [{ field: 'code', message: WRONG_CODE_MESSAGE }] });
}

/**
 * The second step of signing in: a code settles the session. Audited (`auth.mfaVerified`, or
 * `auth.mfaFailed` with the reason), never the code.
 */
export async function verifySecondFactor(
  deps: Deps,
  actor: Actor,
  input: { code: string; sessionId: string; ip: string },
): Promise<{ method: 'totp' | 'recovery-code'; recoveryCodesLeft: number }> {
  const now = deps.clock.now();
  let method: 'totp' | 'recovery-code';
  try {
    method = await checkCode(deps, actor.userId, input.code, now);
  } catch (e) {
    if (e instanceof AppError)
      await audit(deps.db, actor, now, {
        action: 'auth.mfaFailed',
        entityType: 'user',
        entityId: actor.userId,
        schoolId: actor.schoolId,
        details: { ip: input.ip, reason: e.code === 'TOO_MANY_ATTEMPTS' ? 'throttled' : 'wrong-code' },
      });
    throw e;
  }
  await deps.db.transaction().execute(async (trx) => {
    await updateSessionAuth(trx, input.sessionId, { mfaPending: null, authenticatedAt: now });
    await audit(trx, actor, now, {
      action: 'auth.mfaVerified',
      entityType: 'user',
      entityId: actor.userId,
      schoolId: actor.schoolId,
      details: { ip: input.ip, method },
    });
  });
  return { method, recoveryCodesLeft: await unusedRecoveryCodes(deps.db, actor.userId) };
}

// ---------------------------------------------------------------------------------------------
// Re-authentication
// ---------------------------------------------------------------------------------------------

/** Whether a session's last proof of identity is recent enough for a bulk export. */
export function recentlyAuthenticated(authenticatedAt: string | null | undefined, now: string): boolean {
  return authenticatedAt != null && Date.parse(now) - Date.parse(authenticatedAt) < REAUTH_MINUTES * 60_000;
}

/**
 * Proves identity again within a session (before a bulk export): the password, or a second
 * factor when the account has one (`code`). Wrong answers are counted as for signing in.
 */
export async function reauthenticate(
  deps: Deps,
  actor: Actor,
  input: { password?: string; code?: string; sessionId: string; ip: string },
): Promise<void> {
  const now = deps.clock.now();
  let method: string;
  if (input.code !== undefined && input.code.trim() !== '') {
    method = await checkCode(deps, actor.userId, input.code, now);
  } else {
    const password = input.password ?? '';
    if (password === '')
      throw new AppError('VALIDATION', 'Enter your password', {
        fields: [{ field: 'password', message: 'Enter your password' }],
      });
    const key = `reauth:${actor.userId}`;
    const wait = await refusedForKeys(deps.db, [key], now);
    if (wait > 0) throw throttledError(wait);
    const hash = await findPasswordHash(deps.db, actor.userId);
    if (!hash || !(await verifyPassword(hash, password))) {
      await countThrottleFailure(deps.db, key, MFA_FREE_FAILURES, now);
      await audit(deps.db, actor, now, {
        action: 'auth.reauthFailed',
        entityType: 'user',
        entityId: actor.userId,
        schoolId: actor.schoolId,
        details: { ip: input.ip },
      });
      throw new AppError('VALIDATION', 'Your password is not right', {
        fields: [{ field: 'password', message: 'Your password is not right' }],
      });
    }
    method = 'password';
  }
  await touchSessionAuthenticated(deps.db, input.sessionId, now);
  await audit(deps.db, actor, now, {
    action: 'auth.reauthenticated',
    entityType: 'user',
    entityId: actor.userId,
    schoolId: actor.schoolId,
    details: { ip: input.ip, method },
  });
}

// ---------------------------------------------------------------------------------------------
// Managing one's own second factors
// ---------------------------------------------------------------------------------------------

/** New recovery codes (the old ones stop working). Needs a recent proof of identity (the page checks). */
export async function regenerateRecoveryCodes(deps: Deps, actor: Actor): Promise<string[]> {
  const row = await findTotp(deps.db, actor.userId);
  const passkeys = await passkeysOf(deps.db, actor.userId);
  if (!row?.confirmedAt && passkeys.length === 0)
    throw new AppError('CONFLICT', 'Set up an authenticator app or a passkey first.');
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (trx) => {
    const codes = await issueRecoveryCodes(trx, actor.userId, now);
    await audit(trx, actor, now, {
      action: 'mfa.recoveryCodesRegenerate',
      entityType: 'user',
      entityId: actor.userId,
      schoolId: actor.schoolId,
    });
    return codes;
  });
}

/**
 * Removes the authenticator app. Refused when a second factor is required and no passkey would
 * be left. The recovery codes go with the last second factor.
 */
export async function removeTotp(deps: Deps, actor: Actor): Promise<void> {
  const user = await findUser(deps.db, actor.userId);
  if (!user) throw new AppError('UNAUTHENTICATED', 'Sign in to continue.');
  const status = await mfaStatus(deps.db, user);
  if (status.required && status.passkeys === 0)
    throw new AppError('CONFLICT', 'Your role must use a second factor: add a passkey before removing the app.');
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    await deleteTotp(trx, actor.userId);
    if (status.passkeys === 0) await deleteRecoveryCodes(trx, actor.userId);
    await audit(trx, actor, now, {
      action: 'mfa.totpRemove',
      entityType: 'user',
      entityId: actor.userId,
      schoolId: actor.schoolId,
    });
  });
}

/**
 * An administrator resets another person's second factors (a lost phone or laptop and no recovery
 * codes): the app, the passkeys and the recovery codes all go (a passkey left behind would still
 * be asked for at the next sign-in, on the device that was lost), and a role that must have one
 * sets one up again at the next sign-in. Audited, with how many passkeys went.
 */
export async function resetSecondFactors(deps: Deps, actor: Actor, userId: string): Promise<void> {
  const user = await findUser(deps.db, userId);
  if (!user) throw new AppError('NOT_FOUND', 'No such account.');
  const school = user.schoolId ? await findSchool(deps.db, user.schoolId) : undefined;
  const allowed = school
    ? can(actor, 'school.administer', {
        kind: 'school',
        schoolId: school.id,
        trustId: school.trustId,
        laCode: school.laCode,
      })
    : actor.role === 'admin' && actor.schoolId === null;
  if (!allowed)
    throw new AppError('FORBIDDEN', 'You do not have permission to do that.', { action: 'school.administer' });
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    await deleteTotp(trx, userId);
    await deleteRecoveryCodes(trx, userId);
    const passkeys = await deletePasskeysOf(trx, userId);
    await audit(trx, actor, now, {
      action: 'mfa.reset',
      entityType: 'user',
      entityId: userId,
      schoolId: user.schoolId,
      details: { passkeys },
    });
  });
}

// ---------------------------------------------------------------------------------------------
// The demo
// ---------------------------------------------------------------------------------------------

/**
 * The demo's authenticator key, as public as the demo's password (docs/demo.md): every demo
 * account whose role must use a second factor has an app set up with it, so the demo signs in
 * as the real product does. Never used outside the demo.
 */
export const DEMO_TOTP_SECRET = 'ROLLCALLDEMOSECRETKEYFORTHEDEMOS';

/**
 * Sets up the demo key for every account whose role must use a second factor (or, given the demo
 * accounts' emails, for those of them without an app of their own: a demo made before second
 * factors); returns how many.
 */
export async function enrolDemoSecondFactors(deps: Deps, demoEmails?: readonly string[]): Promise<number> {
  const box = secretBox(deps.config);
  const now = deps.clock.now();
  const ids = await userIdsWithRoles(deps.db, MFA_DEFAULT_ROLES, demoEmails);
  await deps.db.transaction().execute(async (trx) => {
    for (const id of ids) await saveConfirmedTotp(trx, id, box.seal(DEMO_TOTP_SECRET), now);
  });
  return ids.length;
}

// ---------------------------------------------------------------------------------------------
// The school setting
// ---------------------------------------------------------------------------------------------

export async function schoolMfaSetting(deps: Deps, actor: Actor, schoolId: string): Promise<boolean> {
  await authoriseSchoolAdmin(deps, actor, schoolId);
  return schoolRequiresMfaForAllStaff(deps.db, schoolId);
}

/** A school's administrators may require a second factor of all its staff (audited). */
export async function setSchoolMfaSetting(
  deps: Deps,
  actor: Actor,
  schoolId: string,
  required: boolean,
): Promise<void> {
  await authoriseSchoolAdmin(deps, actor, schoolId);
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    await setSchoolMfaForAllStaff(trx, schoolId, required);
    await audit(trx, actor, now, {
      action: 'school.mfaAllStaff',
      entityType: 'school',
      entityId: schoolId,
      schoolId,
      details: { required },
    });
  });
}

async function authoriseSchoolAdmin(deps: Deps, actor: Actor, schoolId: string): Promise<void> {
  const school = await findSchool(deps.db, schoolId);
  if (!school) throw new AppError('NOT_FOUND', 'No such school.');
  if (
    !can(actor, 'school.administer', {
      kind: 'school',
      schoolId: school.id,
      trustId: school.trustId,
      laCode: school.laCode,
    })
  )
    throw new AppError('FORBIDDEN', 'You do not have permission to do that.', { action: 'school.administer' });
}
