/**
 * Passkeys (WebAuthn) as a second factor (issue 16), beside the authenticator app of
 * services/accounts/mfa.ts: registering one from the sign-in security page (or instead of an app when a
 * role must set up a second factor), the second step of signing in with one, listing and removing
 * them. The ceremonies are checked by `@simplewebauthn/server`; this module keeps the state:
 *
 * - the challenge is stored on the session, used once (taken and cleared in one statement), for
 *   one purpose (registering or signing in) and for {@link CHALLENGE_MINUTES} minutes;
 * - the relying party is the installation's `PUBLIC_URL` (its host name is the RP ID), or, without
 *   it, the address the request came to (development);
 * - a passkey is the account's own: an assertion by another account's credential is refused;
 * - the signature counter must grow (when the authenticator keeps one), and is stored only if no
 *   other use of the same assertion got there first;
 * - wrong answers count towards the same growing delays as wrong codes;
 * - every registration, removal, use and refusal is audited (never the key itself).
 */
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import {
  deletePasskey,
  deleteRecoveryCodes,
  findPasskey,
  findTotp,
  insertPasskey,
  passkeysOf,
  saveSessionChallenge,
  takeSessionChallenge,
  unusedRecoveryCodes,
  usePasskey,
} from '../../db/accounts/mfa.js';
import { findUser, updateSessionAuth } from '../../db/accounts/users.js';
import type { Config } from '../../config/config.js';
import { audit } from '../audit.js';
import type { Actor } from '../authz.js';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import { issueRecoveryCodes, MFA_FREE_FAILURES, mfaKey, mfaStatus } from './mfa.js';
import { countThrottleFailure, refusedForKeys, throttledError } from './throttle.js';

/** Minutes a challenge may be answered in. */
export const CHALLENGE_MINUTES = 5;
/** Passkeys one account may hold. */
export const MAX_PASSKEYS = 10;
const NAME_MAX = 60;

export const PASSKEY_REFUSED_MESSAGE =
  'Your passkey was not accepted. Try again, or use a code from your authenticator app or a recovery code.';

/** Who the passkeys belong to: the site's origin and its host name (the RP ID). */
export interface RelyingParty {
  readonly id: string;
  readonly origin: string;
  readonly name: string;
}

/**
 * The relying party: `PUBLIC_URL` when set (production: passkeys made there work only there), else
 * the origin the request came to (development on localhost).
 */
export function relyingParty(config: Config, requestOrigin: string): RelyingParty {
  const origin = config.publicUrl ?? new URL(requestOrigin).origin;
  return { id: new URL(origin).hostname, origin, name: 'Rollcall' };
}

export interface PasskeyListItem {
  readonly id: string;
  readonly name: string;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
}

/** The signed-in person's own passkeys, oldest first. */
export async function ownPasskeys(deps: Deps, actor: Actor): Promise<PasskeyListItem[]> {
  return (await passkeysOf(deps.db, actor.userId)).map((p) => ({
    id: p.id,
    name: p.name,
    createdAt: p.createdAt,
    lastUsedAt: p.lastUsedAt,
  }));
}

// ---------------------------------------------------------------------------------------------
// Challenges
// ---------------------------------------------------------------------------------------------

type Purpose = 'register' | 'authenticate';

function sealChallenge(purpose: Purpose, issuedAt: string, challenge: string): string {
  return `${purpose} ${issuedAt} ${challenge}`;
}

/** The session's waiting challenge for this purpose, used up by asking; null when none is valid. */
async function takeChallenge(deps: Deps, sessionId: string, purpose: Purpose, now: string): Promise<string | null> {
  const stored = await takeSessionChallenge(deps.db, sessionId);
  if (!stored) return null;
  const [p, issuedAt, challenge] = stored.split(' ');
  if (p !== purpose || !issuedAt || !challenge) return null;
  if (Date.parse(now) - Date.parse(issuedAt) > CHALLENGE_MINUTES * 60_000) return null;
  return challenge;
}

function refused(field = 'passkey'): AppError {
  return new AppError('VALIDATION', PASSKEY_REFUSED_MESSAGE, {
    fields: [{ field, message: PASSKEY_REFUSED_MESSAGE }],
  });
}

/** The browser's answer, posted as JSON text in a form field: an object with an id, or a clear error. */
function parseAnswer(text: string): unknown {
  try {
    const parsed: unknown = JSON.parse(text);
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      typeof (parsed as { id?: unknown }).id === 'string' &&
      typeof (parsed as { response?: unknown }).response === 'object'
    )
      return parsed;
  } catch {
    // fall through
  }
  throw refused();
}

// ---------------------------------------------------------------------------------------------
// Registering a passkey
// ---------------------------------------------------------------------------------------------

/** Options for the browser to create a passkey; the challenge is kept on the session. */
export async function passkeyRegistrationOptions(
  deps: Deps,
  actor: Actor,
  input: { sessionId: string; rp: RelyingParty },
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const user = await findUser(deps.db, actor.userId);
  if (!user) throw new AppError('UNAUTHENTICATED', 'Sign in to continue.');
  const existing = await passkeysOf(deps.db, user.id);
  const options = await generateRegistrationOptions({
    rpName: input.rp.name,
    rpID: input.rp.id,
    userName: user.email,
    userDisplayName: user.name,
    userID: new TextEncoder().encode(user.id),
    attestationType: 'none',
    excludeCredentials: existing.map((p) => ({ id: p.id, transports: [...p.transports] })),
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
    supportedAlgorithmIDs: [-7, -257],
  });
  await saveSessionChallenge(deps.db, input.sessionId, sealChallenge('register', deps.clock.now(), options.challenge));
  return options;
}

/**
 * Checks the browser's new passkey against the session's challenge and keeps it. The first second
 * factor of an account also brings recovery codes (returned once); a session that had to set up a
 * second factor is settled (the page asks for a recent proof of identity before adding one to an
 * account that already has a second factor). Audited (`mfa.passkeyAdd`).
 */
export async function registerPasskey(
  deps: Deps,
  actor: Actor,
  input: { sessionId: string; rp: RelyingParty; name: string; response: string; ip: string },
): Promise<{ recoveryCodes: string[] | null; passkeyId: string }> {
  const now = deps.clock.now();
  const name = input.name.trim();
  if (name.length > NAME_MAX)
    throw new AppError('VALIDATION', `Name the passkey in ${NAME_MAX} characters or fewer`, {
      fields: [{ field: 'name', message: `Name the passkey in ${NAME_MAX} characters or fewer` }],
    });
  const user = await findUser(deps.db, actor.userId);
  if (!user) throw new AppError('UNAUTHENTICATED', 'Sign in to continue.');
  const before = await mfaStatus(deps.db, user);
  if (before.passkeys >= MAX_PASSKEYS)
    throw new AppError('CONFLICT', `You have ${MAX_PASSKEYS} passkeys: remove one before adding another.`);
  const answer = parseAnswer(input.response) as RegistrationResponseJSON;
  const challenge = await takeChallenge(deps, input.sessionId, 'register', now);
  if (!challenge) throw refused();
  let verified;
  try {
    verified = await verifyRegistrationResponse({
      response: answer,
      expectedChallenge: challenge,
      expectedOrigin: input.rp.origin,
      expectedRPID: input.rp.id,
      requireUserVerification: false,
    });
  } catch (e) {
    await auditRefusal(deps, actor, now, input.ip, 'mfa.passkeyAddFailed', e);
    throw refused();
  }
  if (!verified.verified) {
    await auditRefusal(deps, actor, now, input.ip, 'mfa.passkeyAddFailed', new Error('not verified'));
    throw refused();
  }
  const { credential, credentialDeviceType, credentialBackedUp } = verified.registrationInfo;
  if (await findPasskey(deps.db, credential.id)) throw new AppError('CONFLICT', 'This passkey is already registered.');
  const label = name === '' ? `Passkey ${before.passkeys + 1}` : name;
  return deps.db.transaction().execute(async (trx) => {
    await insertPasskey(trx, {
      id: credential.id,
      userId: user.id,
      publicKey: Buffer.from(credential.publicKey).toString('base64url'),
      counter: credential.counter,
      transports: credential.transports ?? [],
      name: label,
      createdAt: now,
    });
    const firstFactor = !before.totp && before.passkeys === 0;
    const recoveryCodes = firstFactor ? await issueRecoveryCodes(trx, user.id, now) : null;
    // The first second factor settles a session that had to set one up.
    if (firstFactor) await updateSessionAuth(trx, input.sessionId, { mfaPending: null, authenticatedAt: now });
    await audit(trx, actor, now, {
      action: 'mfa.passkeyAdd',
      entityType: 'user',
      entityId: user.id,
      schoolId: actor.schoolId,
      details: {
        ip: input.ip,
        name: label,
        deviceType: credentialDeviceType,
        backedUp: credentialBackedUp,
        ...(recoveryCodes ? { recoveryCodes: recoveryCodes.length } : {}),
      },
    });
    return { recoveryCodes, passkeyId: credential.id };
  });
}

// ---------------------------------------------------------------------------------------------
// Signing in with a passkey (the second step)
// ---------------------------------------------------------------------------------------------

/** Options for the browser to sign in with one of the account's passkeys; null when it has none. */
export async function passkeySignInOptions(
  deps: Deps,
  actor: Actor,
  input: { sessionId: string; rp: RelyingParty },
): Promise<PublicKeyCredentialRequestOptionsJSON | null> {
  const passkeys = await passkeysOf(deps.db, actor.userId);
  if (passkeys.length === 0) return null;
  const options = await generateAuthenticationOptions({
    rpID: input.rp.id,
    allowCredentials: passkeys.map((p) => ({ id: p.id, transports: [...p.transports] })),
    userVerification: 'preferred',
  });
  await saveSessionChallenge(
    deps.db,
    input.sessionId,
    sealChallenge('authenticate', deps.clock.now(), options.challenge),
  );
  return options;
}

/**
 * Checks a passkey's answer against the session's challenge (used once): the credential must be
 * the account's, the signature right and the counter growing. Settles the session. Audited
 * (`auth.mfaVerified` with method `passkey`, or `auth.mfaFailed` with the reason).
 */
export async function verifyPasskey(
  deps: Deps,
  actor: Actor,
  input: { sessionId: string; rp: RelyingParty; response: string; ip: string },
): Promise<{ passkeyName: string }> {
  const now = deps.clock.now();
  const key = mfaKey(actor.userId);
  const wait = await refusedForKeys(deps.db, [key], now);
  if (wait > 0) throw throttledError(wait);
  const fail = async (reason: string): Promise<never> => {
    await countThrottleFailure(deps.db, key, MFA_FREE_FAILURES, now);
    await audit(deps.db, actor, now, {
      action: 'auth.mfaFailed',
      entityType: 'user',
      entityId: actor.userId,
      schoolId: actor.schoolId,
      details: { ip: input.ip, method: 'passkey', reason: reason.slice(0, 200) },
    });
    throw refused();
  };
  let answer: AuthenticationResponseJSON;
  try {
    answer = parseAnswer(input.response) as AuthenticationResponseJSON;
  } catch {
    return fail('unreadable answer');
  }
  const challenge = await takeChallenge(deps, input.sessionId, 'authenticate', now);
  if (!challenge) return fail('no challenge waiting (used, expired or never issued)');
  const passkey = await findPasskey(deps.db, answer.id);
  if (!passkey || passkey.userId !== actor.userId) return fail('not a passkey of this account');
  let newCounter: number;
  try {
    const result = await verifyAuthenticationResponse({
      response: answer,
      expectedChallenge: challenge,
      expectedOrigin: input.rp.origin,
      expectedRPID: input.rp.id,
      credential: {
        id: passkey.id,
        publicKey: new Uint8Array(Buffer.from(passkey.publicKey, 'base64url')),
        counter: passkey.counter,
        transports: [...passkey.transports],
      },
      requireUserVerification: false,
    });
    if (!result.verified) return await fail('signature not verified');
    newCounter = result.authenticationInfo.newCounter;
  } catch (e) {
    return fail(e instanceof Error ? e.message : 'refused');
  }
  await deps.db.transaction().execute(async (trx) => {
    if (!(await usePasskey(trx, passkey.id, { was: passkey.counter, now: newCounter }, now)))
      throw new AppError('CONFLICT', 'This passkey was just used: try again.');
    await updateSessionAuth(trx, input.sessionId, { mfaPending: null, authenticatedAt: now });
    await audit(trx, actor, now, {
      action: 'auth.mfaVerified',
      entityType: 'user',
      entityId: actor.userId,
      schoolId: actor.schoolId,
      details: { ip: input.ip, method: 'passkey', passkey: passkey.name },
    });
  });
  return { passkeyName: passkey.name };
}

// ---------------------------------------------------------------------------------------------
// Removing one
// ---------------------------------------------------------------------------------------------

/**
 * Removes one of one's own passkeys. Refused when a second factor is required and it is the last
 * one left (no app either). The recovery codes go with the last second factor. Audited.
 */
export async function removePasskey(deps: Deps, actor: Actor, passkeyId: string): Promise<void> {
  const user = await findUser(deps.db, actor.userId);
  if (!user) throw new AppError('UNAUTHENTICATED', 'Sign in to continue.');
  const passkey = await findPasskey(deps.db, passkeyId);
  if (!passkey || passkey.userId !== user.id) throw new AppError('NOT_FOUND', 'No such passkey.');
  const status = await mfaStatus(deps.db, user);
  const lastFactor = !status.totp && status.passkeys === 1;
  if (status.required && lastFactor)
    throw new AppError(
      'CONFLICT',
      'Your role must use a second factor: set up an authenticator app or another passkey before removing this one.',
    );
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    await deletePasskey(trx, user.id, passkeyId);
    if (lastFactor) await deleteRecoveryCodes(trx, user.id);
    await audit(trx, actor, now, {
      action: 'mfa.passkeyRemove',
      entityType: 'user',
      entityId: user.id,
      schoolId: actor.schoolId,
      details: { name: passkey.name },
    });
  });
}

/** Whether the person has an authenticator app (for the sign-in page's choice). */
export async function hasAuthenticatorApp(deps: Deps, actor: Actor): Promise<boolean> {
  return (await findTotp(deps.db, actor.userId))?.confirmedAt != null;
}

/** Recovery codes left (for the sign-in page's choice). */
export async function recoveryCodesLeft(deps: Deps, actor: Actor): Promise<number> {
  return unusedRecoveryCodes(deps.db, actor.userId);
}

async function auditRefusal(deps: Deps, actor: Actor, now: string, ip: string, action: string, e: unknown) {
  await audit(deps.db, actor, now, {
    action,
    entityType: 'user',
    entityId: actor.userId,
    schoolId: actor.schoolId,
    details: { ip, reason: (e instanceof Error ? e.message : 'refused').slice(0, 200) },
  });
}
