/**
 * Signing in and out, and what happens to requests without a session: pages redirect to the
 * sign-in page (coming back afterwards to a same-site `next`), the API answers 401.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Config } from '../config/config.js';
import type { Actor } from '../services/authz.js';
import {
  DEVICE_COOKIE,
  DEVICE_COOKIE_DAYS,
  retryAfterSeconds,
  SESSION_COOKIE,
  SESSION_HOURS,
  signIn,
  signOut,
} from '../services/accounts/auth.js';
import { AppError, HTTP_STATUS } from '../services/errors.js';
import { recentlyAuthenticated } from '../services/accounts/mfa.js';
import { signInProviders } from '../services/accounts/sso.js';

export function isApiRequest(request: FastifyRequest): boolean {
  return request.url === '/api' || request.url.startsWith('/api/') || request.url.startsWith('/api?');
}

/**
 * The signed-in actor of a request to a route that is not public (the session hook has already
 * turned away requests without one, so this only guards against a route marked public by mistake).
 */
export function requireActor(request: FastifyRequest): Actor {
  if (!request.actor) throw new AppError('UNAUTHENTICATED', 'Sign in to continue.');
  return request.actor;
}

const LOCAL_ORIGIN = 'http://rollcall.invalid';

/**
 * Where to go after signing in: only a path on this site (`/registers?date=…`), never another
 * site (`//evil.example`, `/\evil.example`, `https://…`), and never back to sign-in or sign-out.
 */
export function safeNext(next: unknown): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (typeof next !== 'string' || !next.startsWith('/') || /[\\\u0000-\u001f\u007f]/.test(next)) return '/';
  let url: URL;
  try {
    url = new URL(next, LOCAL_ORIGIN);
  } catch {
    return '/';
  }
  if (url.origin !== LOCAL_ORIGIN || url.pathname === '/sign-in' || url.pathname === '/sign-out') return '/';
  return `${url.pathname}${url.search}${url.hash}`;
}

/** Cookies (and HSTS) are Secure when configured, or by default in production. */
export function secureCookies(config: Config): boolean {
  return config.cookieSecure === 'true' || (config.cookieSecure === 'auto' && config.production);
}

function cookieOptions(config: Config) {
  return { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: secureCookies(config) };
}

/** The device cookie the browser sent, if it looks like one of ours (43 base64url characters). */
export function deviceCookie(request: FastifyRequest): string | undefined {
  const v = request.cookies[DEVICE_COOKIE];
  return v && /^[\w-]{43}$/.test(v) ? v : undefined;
}

/** Makes this browser a known device (kept across sign-outs: it is not a session). */
export function setDeviceCookie(reply: FastifyReply, config: Config, token: string): void {
  reply.setCookie(DEVICE_COOKIE, token, { ...cookieOptions(config), maxAge: DEVICE_COOKIE_DAYS * 24 * 3600 });
}

export function clearSessionCookie(reply: FastifyReply, config: Config): void {
  reply.clearCookie(SESSION_COOKIE, cookieOptions(config));
}

/** The answer to a request that needs a session and has none. */
export function rejectUnauthenticated(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (isApiRequest(request)) {
    return reply.code(401).send({ error: { code: 'UNAUTHENTICATED', message: 'Sign in to use the API.', fields: [] } });
  }
  if (request.method === 'GET' || request.method === 'HEAD') {
    return reply.redirect(`/sign-in?next=${encodeURIComponent(safeNext(request.url))}`, 302);
  }
  return reply.redirect('/sign-in', 303);
}

/** Where a person chooses their own password (and must, after an administrator set a temporary one). */
export const PASSWORD_PAGE = '/account/password';

export const PASSWORD_CHANGE_REQUIRED_MESSAGE =
  'Your password was set by an administrator. Choose your own password at /account/password before using the API.';

/**
 * The answer to a request of a person who must choose a new password (after an administrator
 * created the account or reset its password): every page but the password page and signing out
 * redirects there, and the API answers 403. Undefined when the request may go ahead.
 */
export function holdUntilPasswordChanged(request: FastifyRequest, reply: FastifyReply): FastifyReply | undefined {
  const q = request.url.indexOf('?');
  const path = q === -1 ? request.url : request.url.slice(0, q);
  if (path === PASSWORD_PAGE || path === '/sign-out') return undefined;
  if (isApiRequest(request)) {
    // API routes are all marked public (the API authenticates its own requests): a request with
    // this session is held; one with an API key acts as the key, not as this person.
    if (/^bearer /i.test(request.headers.authorization ?? '')) return undefined;
    const error = { code: 'FORBIDDEN', message: PASSWORD_CHANGE_REQUIRED_MESSAGE, fields: [] };
    return reply.code(403).send({ error: { ...error, reason: 'password-change-required' } });
  }
  if (request.routeOptions.config.public === true) return undefined;
  if (request.method === 'GET' || request.method === 'HEAD') {
    const next = safeNext(request.url);
    return reply.redirect(next === '/' ? PASSWORD_PAGE : `${PASSWORD_PAGE}?next=${encodeURIComponent(next)}`, 302);
  }
  return reply.redirect(PASSWORD_PAGE, 303);
}

/** Where a session that owes a second factor goes, and where one that must set one up goes. */
export const MFA_PAGE = '/sign-in/mfa';
export const MFA_SETUP_PAGE = '/account/mfa/totp';
export const REAUTH_PAGE = '/account/confirm';

const MFA_PATHS: Record<'verify' | 'enrol', readonly string[]> = {
  verify: [MFA_PAGE, '/sign-in/passkey', '/sign-out'],
  enrol: [MFA_SETUP_PAGE, '/account/mfa/passkeys', '/sign-out'],
};

function pathOnly(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/**
 * The answer to a request of a session that still owes a second factor (or must set one up):
 * only the pages that settle it and signing out work; other pages redirect there, the API
 * answers 403. Undefined when the request may go ahead.
 */
export function holdUntilMfa(
  request: FastifyRequest,
  reply: FastifyReply,
  pending: 'verify' | 'enrol',
): FastifyReply | undefined {
  const path = pathOnly(request.url);
  if (MFA_PATHS[pending].includes(path)) return undefined;
  if (isApiRequest(request)) {
    if (/^bearer /i.test(request.headers.authorization ?? '')) return undefined;
    const message =
      pending === 'verify'
        ? 'Finish signing in with your second factor before using the API.'
        : 'Set up a second factor at /account/mfa/totp before using the API.';
    return reply.code(403).send({ error: { code: 'FORBIDDEN', message, fields: [], reason: `mfa-${pending}` } });
  }
  // Public routes (signing in as someone else, the health check) need nothing of the session.
  if (request.routeOptions.config.public === true) return undefined;
  const page = pending === 'verify' ? MFA_PAGE : MFA_SETUP_PAGE;
  if (request.method === 'GET' || request.method === 'HEAD') {
    const next = safeNext(request.url);
    return reply.redirect(next === '/' ? page : `${page}?next=${encodeURIComponent(next)}`, 302);
  }
  return reply.redirect(page, 303);
}

export const REAUTH_REQUIRED_MESSAGE =
  'Confirm it is you (your password or a code) before exporting personal data. Go to /account/confirm.';

/**
 * The answer to a bulk export of personal data when the session's last proof of identity is
 * older than {@link REAUTH_MINUTES}: pages go to the confirmation page and come back; other
 * requests get 403. Undefined when the request may go ahead (or it acts by an API key).
 */
export function holdUntilReauthenticated(
  request: FastifyRequest,
  reply: FastifyReply,
  now: string,
): FastifyReply | undefined {
  if (request.sessionId === null || recentlyAuthenticated(request.authenticatedAt, now)) return undefined;
  if (/^bearer /i.test(request.headers.authorization ?? '')) return undefined;
  if (isApiRequest(request)) {
    const error = {
      code: 'FORBIDDEN',
      message: REAUTH_REQUIRED_MESSAGE,
      fields: [],
      reason: 'reauthentication-required',
    };
    return reply.code(403).send({ error });
  }
  if (request.method === 'GET' || request.method === 'HEAD')
    return reply.redirect(`${REAUTH_PAGE}?next=${encodeURIComponent(safeNext(request.url))}`, 302);
  return reply.redirect(REAUTH_PAGE, 303);
}

interface SignInPage {
  readonly email?: string;
  readonly next: string;
  readonly error?: AppError;
}

/** The sign-in page's context: the error summary's list and each field's message. */
function signInContext(page: SignInPage): Record<string, unknown> {
  const errors: { text: string; href?: string }[] = [];
  const fieldErrors: Record<string, string> = {};
  const e = page.error;
  if (e?.code === 'VALIDATION') {
    for (const f of e.details.fields ?? []) {
      errors.push({ text: f.message, href: `#${f.field}` });
      fieldErrors[f.field] = f.message;
    }
  } else if (e?.code === 'TOO_MANY_ATTEMPTS') {
    errors.push({ text: e.message });
  } else if (e) {
    errors.push({ text: e.message, href: '#email' });
    fieldErrors['email'] = e.message;
  }
  return { email: page.email ?? '', next: page.next === '/' ? '' : page.next, errors, fieldErrors };
}

const SIGN_IN_QUERY = z.object({ next: z.string().max(2000).optional() });
const SIGN_IN_BODY = z.object({
  email: z.string().max(320).default(''),
  password: z.string().max(1024).default(''),
  next: z.string().max(2000).optional(),
  _csrf: z.string().optional(),
});

export const authRoutes: FastifyPluginAsync = (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { deps } = app;

  app.get('/sign-in', { config: { public: true }, schema: { querystring: SIGN_IN_QUERY } }, async (request, reply) => {
    if (request.actor) return reply.redirect(safeNext(request.query.next), 303);
    const providers = await signInProviders(deps);
    return reply.view('sign-in.njk', { ...signInContext({ next: safeNext(request.query.next) }), providers });
  });

  app.post('/sign-in', { config: { public: true }, schema: { body: SIGN_IN_BODY } }, async (request, reply) => {
    const { email, password } = request.body;
    const next = safeNext(request.body.next);
    try {
      const session = await signIn(deps, { email, password, ip: request.ip, deviceToken: deviceCookie(request) });
      const previous = request.cookies[SESSION_COOKIE];
      if (previous) await signOut(deps, previous, request.actor ?? undefined);
      reply.setCookie(SESSION_COOKIE, session.token, { ...cookieOptions(deps.config), maxAge: SESSION_HOURS * 3600 });
      setDeviceCookie(reply, deps.config, session.deviceToken);
      if (session.mfaPending) {
        const page = session.mfaPending === 'verify' ? MFA_PAGE : MFA_SETUP_PAGE;
        return reply.redirect(next === '/' ? page : `${page}?next=${encodeURIComponent(next)}`, 303);
      }
      return reply.redirect(next, 303);
    } catch (e) {
      if (!(e instanceof AppError) || !['VALIDATION', 'UNAUTHENTICATED', 'TOO_MANY_ATTEMPTS'].includes(e.code)) throw e;
      if (e.code === 'TOO_MANY_ATTEMPTS') reply.header('retry-after', String(retryAfterSeconds(e)));
      return reply.code(HTTP_STATUS[e.code]).view('sign-in.njk', signInContext({ email, next, error: e }));
    }
  });

  app.post('/sign-out', async (request, reply) => {
    await signOut(deps, request.cookies[SESSION_COOKIE], request.actor ?? undefined);
    clearSessionCookie(reply, deps.config);
    return reply.redirect('/sign-in', 303);
  });
  return Promise.resolve();
};
