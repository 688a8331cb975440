/**
 * Single sign-on with Microsoft Entra ID and Google Workspace over OpenID Connect (issue 16;
 * `openid-client`): the authorisation code flow with PKCE, a one-time state bound to the browser
 * (cookie) and stored server-side, and a nonce. Accounts are linked by the provider's (issuer,
 * subject), never by email: a person links their account once, signed in with their password, at
 * `/account/mfa`. Entra's tenant (`tid`) and Google's hosted domain (`hd`) are checked against
 * the school's configuration. The provider's `amr` claim saying MFA was done counts as the second
 * factor; otherwise the usual rule applies (docs/security-sign-in.md).
 */
import * as oidc from 'openid-client';
import { findSchool } from '../school/schools.js';
import { getActor } from '../../db/accounts/users.js';
import {
  allSsoProviders,
  deleteSsoLink,
  findSsoProvider,
  insertSsoLink,
  insertSsoProvider,
  insertSsoState,
  linkedUserId,
  ssoLinksOfUser,
  ssoProvidersOfSchool,
  takeSsoState,
  type SsoProviderRow,
} from '../../db/accounts/sso.js';
import { secondsAheadOfSystem } from '../../platform/clock.js';
import { hashToken, newId, newToken } from '../../platform/ids.js';
import { secretBox } from '../../platform/secrets.js';
import { audit } from '../audit.js';
import { openSession, type SignedIn } from './auth.js';
import { can, SYSTEM_ACTOR, type Actor } from '../authz.js';
import type { Deps } from '../deps.js';
import { AppError, type FieldError } from '../errors.js';
import { mfaPendingAfterFirstFactor } from './mfa.js';

/** How long a sign-in may take at the provider. */
export const SSO_STATE_MINUTES = 10;
export const SSO_FAILED_MESSAGE = 'Single sign-on did not work. Try again, or sign in with your email and password.';

export interface SsoProviderView {
  readonly id: string;
  readonly kind: 'entra' | 'google';
  readonly label: string;
  readonly tenant: string | null;
  readonly allowedDomain: string | null;
  readonly clientId: string;
}

function view(p: SsoProviderRow): SsoProviderView {
  return {
    id: p.id,
    kind: p.kind,
    label: p.kind === 'entra' ? 'Microsoft 365' : 'Google Workspace',
    tenant: p.tenant,
    allowedDomain: p.allowedDomain,
    clientId: p.clientId,
  };
}

/** Every configured provider, "Microsoft 365 (School name)" (the sign-in page offers them: the school is not known yet). */
export async function signInProviders(deps: Deps): Promise<{ id: string; text: string }[]> {
  return (await allSsoProviders(deps.db)).map((p) => ({
    id: p.id,
    text: `${p.kind === 'google' ? 'Google Workspace' : 'Microsoft 365'} (${p.schoolName})`,
  }));
}

function providerLabel(kind: string): string {
  return kind === 'google' ? 'Google Workspace' : 'Microsoft 365';
}

export interface SsoSchoolChoice {
  readonly schoolId: string;
  readonly schoolName: string;
  readonly providers: readonly { id: string; text: string }[];
}

/**
 * The school picker of single sign-on: every school with a provider, by name; given an email
 * address, only the schools whose provider is for its domain (Google's hosted domain, or the
 * email domain an Entra provider was given), when there are any. One tenant or domain may serve
 * several schools (a trust's Microsoft 365): the person then chooses their school.
 */
export async function ssoSchoolChoices(
  deps: Deps,
  email: string | undefined,
): Promise<{ schools: SsoSchoolChoice[]; domain: string | null; matched: boolean }> {
  const all = await allSsoProviders(deps.db);
  const at = email?.trim().toLowerCase().lastIndexOf('@') ?? -1;
  const domain =
    email && at > 0
      ? email
          .trim()
          .toLowerCase()
          .slice(at + 1)
      : null;
  const forDomain = domain ? all.filter((p) => p.allowedDomain === domain) : [];
  const chosen = forDomain.length > 0 ? forDomain : all;
  const bySchool = new Map<string, { schoolName: string; providers: { id: string; text: string }[] }>();
  for (const p of chosen) {
    const entry = bySchool.get(p.schoolId) ?? { schoolName: p.schoolName, providers: [] };
    entry.providers.push({ id: p.id, text: providerLabel(p.kind) });
    bySchool.set(p.schoolId, entry);
  }
  return {
    schools: [...bySchool].map(([schoolId, v]) => ({ schoolId, ...v })),
    domain,
    matched: forDomain.length > 0,
  };
}

export interface OwnSsoAccount {
  readonly providerId: string;
  readonly label: string;
  /** When the account was linked, or null when it is not. */
  readonly linkedAt: string | null;
}

/** The signed-in person's school's providers, and whether their account is linked to each (the account page). */
export async function ownSsoAccounts(deps: Deps, actor: Actor): Promise<OwnSsoAccount[]> {
  const links = new Map((await ssoLinksOfUser(deps.db, actor.userId)).map((l) => [l.providerId, l.createdAt]));
  const providers = actor.schoolId ? await ssoProvidersOfSchool(deps.db, actor.schoolId) : [];
  const out: OwnSsoAccount[] = providers.map((p) => ({
    providerId: p.id,
    label: providerLabel(p.kind),
    linkedAt: links.get(p.id) ?? null,
  }));
  // A link to a provider not of the person's school (moved school): shown so it can be removed.
  for (const [providerId, createdAt] of links)
    if (!out.some((o) => o.providerId === providerId)) {
      const p = await findSsoProvider(deps.db, providerId);
      out.push({ providerId, label: p ? providerLabel(p.kind) : 'Single sign-on', linkedAt: createdAt });
    }
  return out;
}

/**
 * Unlinks one's own account from a provider: that provider's account no longer signs in here (the
 * password, and linking again, still work). Audited (`sso.unlink`).
 */
export async function unlinkSso(deps: Deps, actor: Actor, providerId: string): Promise<void> {
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    if ((await deleteSsoLink(trx, actor.userId, providerId)) === 0)
      throw new AppError('NOT_FOUND', 'Your account is not linked to that provider.');
    await audit(trx, actor, now, {
      action: 'sso.unlink',
      entityType: 'user',
      entityId: actor.userId,
      schoolId: actor.schoolId,
      details: { providerId },
    });
  });
}

async function authoriseSchool(deps: Deps, actor: Actor, schoolId: string): Promise<void> {
  const school = await findSchool(deps.db, schoolId);
  if (!school) throw new AppError('NOT_FOUND', 'No such school.');
  if (
    actor !== SYSTEM_ACTOR &&
    !can(actor, 'school.administer', { kind: 'school', schoolId, trustId: school.trustId, laCode: school.laCode })
  )
    throw new AppError('FORBIDDEN', 'You do not have permission to do that.', { action: 'school.administer' });
}

export async function schoolSsoProviders(deps: Deps, actor: Actor, schoolId: string): Promise<SsoProviderView[]> {
  await authoriseSchool(deps, actor, schoolId);
  return (await ssoProvidersOfSchool(deps.db, schoolId)).map(view);
}

export interface NewSsoProvider {
  readonly kind: string;
  /** Entra: the directory (tenant) id, a GUID. */
  readonly tenant?: string | undefined;
  /** Google: the Workspace domain (hd). */
  readonly allowedDomain?: string | undefined;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Only for tests against a provider on loopback: the issuer to use instead of Microsoft's or Google's. */
  readonly issuer?: string | undefined;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9-]{1,63}\.)+[a-z]{2,63}$/i;

/** Adds a school's identity provider (administrators of the school). The secret is sealed; audited without it. */
export async function addSsoProvider(
  deps: Deps,
  actor: Actor,
  schoolId: string,
  input: NewSsoProvider,
): Promise<SsoProviderView> {
  await authoriseSchool(deps, actor, schoolId);
  const fields: FieldError[] = [];
  const kind = input.kind === 'entra' || input.kind === 'google' ? input.kind : null;
  if (!kind) fields.push({ field: 'kind', message: 'Choose Microsoft 365 or Google Workspace' });
  const tenant = input.tenant?.trim() ?? '';
  const domain = input.allowedDomain?.trim().toLowerCase() ?? '';
  if (kind === 'entra' && !GUID.test(tenant))
    fields.push({
      field: 'tenant',
      message: 'Enter the directory (tenant) ID, like 72f988bf-86f1-41af-91ab-2d7cd011db47',
    });
  if (kind === 'google' && !DOMAIN.test(domain))
    fields.push({ field: 'allowedDomain', message: 'Enter your Google Workspace domain, like school.example.org' });
  if (kind === 'entra' && domain !== '' && !DOMAIN.test(domain))
    fields.push({
      field: 'allowedDomain',
      message: 'Enter an email domain, like school.example.org, or leave it empty',
    });
  if (input.clientId.trim() === '' || input.clientId.length > 200)
    fields.push({ field: 'clientId', message: 'Enter the client (application) ID' });
  if (input.clientSecret === '' || input.clientSecret.length > 500)
    fields.push({ field: 'clientSecret', message: 'Enter the client secret' });
  if (fields.length > 0 || !kind)
    throw new AppError('VALIDATION', 'The single sign-on details are not valid.', { fields });
  const issuer =
    input.issuer ??
    (kind === 'entra'
      ? `https://login.microsoftonline.com/${tenant.toLowerCase()}/v2.0`
      : 'https://accounts.google.com');
  const row: SsoProviderRow = {
    id: newId(),
    schoolId,
    kind,
    issuer,
    tenant: kind === 'entra' ? tenant.toLowerCase() : null,
    allowedDomain: domain === '' ? null : domain,
    clientId: input.clientId.trim(),
    clientSecretSealed: secretBox(deps.config).seal(input.clientSecret),
  };
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    await insertSsoProvider(trx, row, now);
    await audit(trx, actor, now, {
      action: 'sso.providerAdd',
      entityType: 'school',
      entityId: schoolId,
      schoolId,
      details: {
        providerId: row.id,
        kind,
        issuer,
        tenant: row.tenant,
        allowedDomain: row.allowedDomain,
        clientId: row.clientId,
      },
    });
  });
  return view(row);
}

function isLoopback(url: URL): boolean {
  return url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
}

/** The provider's configuration (discovery), with our clock; plain HTTP only on loopback (tests). */
async function clientFor(deps: Deps, p: SsoProviderRow): Promise<oidc.Configuration> {
  const issuer = new URL(p.issuer);
  const secret = secretBox(deps.config).open(p.clientSecretSealed);
  return oidc.discovery(
    issuer,
    p.clientId,
    { client_secret: secret, [oidc.clockSkew]: secondsAheadOfSystem(deps.clock) },
    undefined,
    isLoopback(issuer) && issuer.protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : undefined,
  );
}

export interface SsoStart {
  /** Where to send the browser. */
  readonly url: string;
  /** The state, to keep in a cookie until the browser comes back. */
  readonly state: string;
}

/**
 * Starts a sign-in (or, with `linkUser`, linking a signed-in account) at a provider: PKCE
 * verifier and nonce kept server-side under the state's hash, for {@link SSO_STATE_MINUTES}.
 */
export async function startSso(
  deps: Deps,
  input: { providerId: string; redirectUri: string; next: string; linkUser?: Actor | undefined },
): Promise<SsoStart> {
  const p = await findSsoProvider(deps.db, input.providerId);
  if (!p) throw new AppError('NOT_FOUND', 'No such single sign-on provider.');
  const config = await clientFor(deps, p);
  const verifier = oidc.randomPKCECodeVerifier();
  const state = newToken();
  const nonce = newToken();
  const now = deps.clock.now();
  await insertSsoState(deps.db, hashToken(state), {
    providerId: p.id,
    verifierSealed: secretBox(deps.config).seal(verifier),
    nonce,
    next: input.next,
    linkUserId: input.linkUser?.userId ?? null,
    createdAt: now,
    expiresAt: new Date(Date.parse(now) + SSO_STATE_MINUTES * 60_000).toISOString(),
  });
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: input.redirectUri,
    scope: 'openid email profile',
    response_type: 'code',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...(p.kind === 'google' && p.allowedDomain ? { hd: p.allowedDomain } : {}),
  });
  return { url: url.href, state };
}

export type SsoOutcome =
  | { readonly kind: 'signedIn'; readonly session: SignedIn; readonly next: string }
  | { readonly kind: 'linked'; readonly next: string };

async function refuse(deps: Deps, reason: string, details: Record<string, unknown>): Promise<never> {
  await audit(deps.db, SYSTEM_ACTOR, deps.clock.now(), {
    action: 'auth.ssoFailed',
    entityType: 'user',
    entityId: null,
    schoolId: typeof details['schoolId'] === 'string' ? details['schoolId'] : null,
    details: { reason, ...details },
  });
  deps.logger.info({ reason }, 'single sign-on refused');
  throw new AppError('UNAUTHENTICATED', SSO_FAILED_MESSAGE, { reason });
}

/**
 * The browser is back from the provider: checks the state (this browser's, unused, not expired),
 * exchanges the code with the PKCE verifier, checks the ID token (signature, issuer, audience,
 * expiry, nonce: openid-client), the tenant or hosted domain, then signs in the linked account
 * (or links it). Every refusal is audited (`auth.ssoFailed` with the reason) and says only
 * {@link SSO_FAILED_MESSAGE}.
 */
export async function finishSso(
  deps: Deps,
  input: { currentUrl: string; stateCookie: string | undefined; ip: string; deviceToken?: string | undefined },
): Promise<SsoOutcome> {
  const url = new URL(input.currentUrl);
  const state = url.searchParams.get('state') ?? '';
  if (state === '' || input.stateCookie !== state) return refuse(deps, 'state-mismatch', { ip: input.ip });
  const now = deps.clock.now();
  const st = await takeSsoState(deps.db, hashToken(state), now);
  if (!st) return refuse(deps, 'state-used-or-expired', { ip: input.ip });
  const p = await findSsoProvider(deps.db, st.providerId);
  if (!p) return refuse(deps, 'provider-gone', { ip: input.ip });
  let claims: oidc.IDToken | undefined;
  try {
    const config = await clientFor(deps, p);
    const tokens = await oidc.authorizationCodeGrant(config, url, {
      pkceCodeVerifier: secretBox(deps.config).open(st.verifierSealed),
      expectedState: state,
      expectedNonce: st.nonce,
      idTokenExpected: true,
    });
    claims = tokens.claims();
  } catch (e) {
    // The provider's error code and openid-client's message name what was wrong; never a token.
    const message = e instanceof Error ? e.message : String(e);
    const code = typeof (e as { error?: unknown }).error === 'string' ? (e as { error: string }).error : undefined;
    return refuse(deps, 'token-rejected', {
      ip: input.ip,
      schoolId: p.schoolId,
      error: message.slice(0, 200),
      ...(code ? { providerError: code.slice(0, 100) } : {}),
    });
  }
  if (!claims) return refuse(deps, 'no-id-token', { ip: input.ip, schoolId: p.schoolId });
  const tid = typeof claims['tid'] === 'string' ? claims['tid'].toLowerCase() : null;
  const hd = typeof claims['hd'] === 'string' ? claims['hd'].toLowerCase() : null;
  if (p.kind === 'entra' && tid !== p.tenant)
    return refuse(deps, 'wrong-tenant', { ip: input.ip, schoolId: p.schoolId, tid });
  if (p.kind === 'google' && hd !== p.allowedDomain)
    return refuse(deps, 'wrong-domain', { ip: input.ip, schoolId: p.schoolId, hd });
  const subject = claims.sub;
  const amr = Array.isArray(claims['amr']) ? claims['amr'].filter((a): a is string => typeof a === 'string') : [];

  if (st.linkUserId) {
    const actor = await getActor(deps.db, st.linkUserId);
    if (!actor) return refuse(deps, 'link-account-gone', { ip: input.ip, schoolId: p.schoolId });
    if (actor.schoolId !== p.schoolId) return refuse(deps, 'link-other-school', { ip: input.ip, schoolId: p.schoolId });
    const existing = await linkedUserId(deps.db, p.issuer, subject);
    if (existing && existing !== actor.userId)
      return refuse(deps, 'subject-linked-elsewhere', { ip: input.ip, schoolId: p.schoolId });
    if (!existing)
      await deps.db.transaction().execute(async (trx) => {
        await insertSsoLink(trx, { issuer: p.issuer, subject, userId: actor.userId, providerId: p.id, at: now });
        await audit(trx, actor, now, {
          action: 'sso.link',
          entityType: 'user',
          entityId: actor.userId,
          schoolId: actor.schoolId,
          details: { providerId: p.id, issuer: p.issuer, ip: input.ip },
        });
      });
    return { kind: 'linked', next: st.next };
  }

  const userId = await linkedUserId(deps.db, p.issuer, subject);
  if (!userId) return refuse(deps, 'not-linked', { ip: input.ip, schoolId: p.schoolId });
  const actor = await getActor(deps.db, userId);
  if (!actor) return refuse(deps, 'account-disabled', { ip: input.ip, schoolId: p.schoolId });
  // The provider's word that it did MFA counts as the second factor (Entra sends amr: ["pwd","mfa"]).
  const mfaPending = amr.includes('mfa')
    ? null
    : await mfaPendingAfterFirstFactor(deps.db, { id: actor.userId, role: actor.role, schoolId: actor.schoolId });
  const session = await openSession(deps, actor, {
    ip: input.ip,
    mfaPending,
    method: `sso:${p.kind}${amr.includes('mfa') ? '+mfa' : ''}`,
    deviceToken: input.deviceToken,
  });
  return { kind: 'signedIn', session, next: st.next };
}
