/**
 * Second factors in the browser (services/accounts/mfa.ts, docs/security-sign-in.md):
 *
 *   GET/POST /sign-in/mfa               the second step of signing in: a code from the app or a recovery code,
 *                                       or (the page's other choice) a passkey
 *   POST     /sign-in/passkey           the passkey's answer (services/accounts/passkeys.ts)
 *   GET      /account/mfa               one's own second factors
 *   GET/POST /account/mfa/totp          set up an authenticator app (QR code), then the recovery codes, once
 *   POST     /account/mfa/totp/remove   remove the app (not when the role must have a second factor and no passkey is left)
 *   POST     /account/mfa/recovery-codes new recovery codes (needs a recent proof of identity)
 *   GET/POST /account/mfa/passkeys      add a passkey (instead of an app when one must be set up)
 *   POST     /account/mfa/passkeys/:id/remove   remove one (needs a recent proof of identity)
 *   GET/POST /account/confirm           prove it is you again before a bulk export of personal data
 *   GET/POST /admin/sign-in-security    a school's administrators: require a second factor of all staff
 *   POST     /admin/users/:userId/reset-mfa   an administrator clears someone's app and recovery codes
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { MFA_PAGE, MFA_SETUP_PAGE, REAUTH_PAGE, requireActor, safeNext } from '../../http/auth-routes.js';
import { retryAfterSeconds } from '../../services/accounts/auth.js';
import { ROLE_LABELS } from '../../services/authz.js';
import { AppError, HTTP_STATUS, type FieldError } from '../../services/errors.js';
import {
  confirmTotpSetup,
  MFA_DEFAULT_ROLES,
  ownMfaStatus,
  reauthenticate,
  REAUTH_MINUTES,
  recentlyAuthenticated,
  regenerateRecoveryCodes,
  removeTotp,
  resetSecondFactors,
  schoolMfaSetting,
  setSchoolMfaSetting,
  startTotpSetup,
  verifySecondFactor,
} from '../../services/accounts/mfa.js';
import {
  hasAuthenticatorApp,
  ownPasskeys,
  passkeyRegistrationOptions,
  passkeySignInOptions,
  registerPasskey,
  relyingParty,
  removePasskey,
  verifyPasskey,
  type RelyingParty,
} from '../../services/accounts/passkeys.js';

const NEXT_QUERY = z.object({ next: z.string().max(2000).optional() });
const CODE_BODY = z.object({
  _csrf: z.string().optional(),
  code: z.string().max(64).default(''),
  next: z.string().max(2000).optional(),
});

function errorsOf(
  e: AppError,
  href: string,
): { errors: { text: string; href?: string }[]; fieldErrors: Record<string, string> } {
  const fields: readonly FieldError[] = e.details.fields ?? [];
  if (fields.length === 0) return { errors: [{ text: e.message }], fieldErrors: {} };
  const fieldErrors: Record<string, string> = {};
  for (const f of fields) fieldErrors[f.field] ??= f.message;
  return {
    errors: fields.map((f) => ({ text: f.message, href: `#${f.field === 'code' ? href : f.field}` })),
    fieldErrors,
  };
}

/** Expected refusals are shown on the page; anything else goes to the error handler. */
function expected(e: unknown, reply: FastifyReply): AppError {
  if (!(e instanceof AppError) || !['VALIDATION', 'TOO_MANY_ATTEMPTS', 'CONFLICT'].includes(e.code)) throw e;
  reply.code(HTTP_STATUS[e.code]);
  if (e.code === 'TOO_MANY_ATTEMPTS') reply.header('retry-after', String(retryAfterSeconds(e)));
  return e;
}

function sessionIdOf(request: FastifyRequest): string {
  if (!request.sessionId) throw new AppError('UNAUTHENTICATED', 'Sign in to continue.');
  return request.sessionId;
}

/** The passkeys' relying party for this request (PUBLIC_URL, else the address asked). */
function rpOf(request: FastifyRequest): RelyingParty {
  return relyingParty(request.server.deps.config, `${request.protocol}://${request.host}`);
}

const PASSKEY_BODY = z.object({
  _csrf: z.string().optional(),
  response: z.string().max(20_000).default(''),
  name: z.string().max(200).default(''),
  next: z.string().max(2000).optional(),
});

export const mfaRoutes: FastifyPluginAsync = (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { deps } = app;

  // --- The second step of signing in --------------------------------------------------------

  /** The second step's page: a passkey (when the account has one) or a code. */
  const renderSecondStep = async (
    request: FastifyRequest,
    reply: FastifyReply,
    next: string,
    errors: ReturnType<typeof errorsOf> = { errors: [], fieldErrors: {} },
  ) => {
    const actor = requireActor(request);
    const options = await passkeySignInOptions(deps, actor, { sessionId: sessionIdOf(request), rp: rpOf(request) });
    return reply.view('sign-in-mfa.njk', {
      navigation: [],
      next: next === '/' ? '' : next,
      passkeyOptions: options ? JSON.stringify(options) : null,
      hasApp: await hasAuthenticatorApp(deps, actor),
      ...errors,
    });
  };

  app.get(MFA_PAGE, { schema: { querystring: NEXT_QUERY } }, async (request, reply) => {
    requireActor(request);
    const next = safeNext(request.query.next);
    if (request.mfaPending !== 'verify') return reply.redirect(next, 303);
    return renderSecondStep(request, reply, next);
  });

  app.post('/sign-in/passkey', { schema: { body: PASSKEY_BODY } }, async (request, reply) => {
    const actor = requireActor(request);
    const next = safeNext(request.body.next);
    if (request.mfaPending !== 'verify') return reply.redirect(next, 303);
    try {
      await verifyPasskey(deps, actor, {
        sessionId: sessionIdOf(request),
        rp: rpOf(request),
        response: request.body.response,
        ip: request.ip,
      });
      return await reply.redirect(next, 303);
    } catch (e) {
      const err = expected(e, reply);
      return renderSecondStep(request, reply, next, errorsOf(err, 'passkey'));
    }
  });

  app.post(MFA_PAGE, { schema: { body: CODE_BODY } }, async (request, reply) => {
    const actor = requireActor(request);
    const next = safeNext(request.body.next);
    if (request.mfaPending !== 'verify') return reply.redirect(next, 303);
    try {
      await verifySecondFactor(deps, actor, {
        code: request.body.code,
        sessionId: sessionIdOf(request),
        ip: request.ip,
      });
      return await reply.redirect(next, 303);
    } catch (e) {
      const err = expected(e, reply);
      return renderSecondStep(request, reply, next, errorsOf(err, 'code'));
    }
  });

  // --- One's own second factors ---------------------------------------------------------------

  const renderAccount = async (
    actor: ReturnType<typeof requireActor>,
    reply: FastifyReply,
    errors: { text: string }[],
  ) =>
    reply.view('account-mfa.njk', {
      status: await ownMfaStatus(deps, actor),
      passkeys: await ownPasskeys(deps, actor),
      errors,
    });

  app.get('/account/mfa', async (request, reply) => renderAccount(requireActor(request), reply, []));

  // --- Passkeys -----------------------------------------------------------------------------

  const PASSKEYS_PAGE = '/account/mfa/passkeys';

  const renderAddPasskey = async (
    request: FastifyRequest,
    reply: FastifyReply,
    next: string,
    name = '',
    errors: ReturnType<typeof errorsOf> = { errors: [], fieldErrors: {} },
  ) => {
    const actor = requireActor(request);
    const options = await passkeyRegistrationOptions(deps, actor, {
      sessionId: sessionIdOf(request),
      rp: rpOf(request),
    });
    const forced = request.mfaPending === 'enrol';
    return reply.view('account-mfa-passkey.njk', {
      ...(forced ? { navigation: [] } : {}),
      forced,
      passkeyOptions: JSON.stringify(options),
      name,
      next: next === '/' ? '' : next,
      ...errors,
    });
  };

  /** Adding a passkey to an account that already has a second factor needs a recent proof of identity. */
  const needsConfirmation = async (request: FastifyRequest): Promise<boolean> => {
    if (request.mfaPending === 'enrol') return false;
    const status = await ownMfaStatus(deps, requireActor(request));
    return (status.totp || status.passkeys > 0) && !recentlyAuthenticated(request.authenticatedAt, deps.clock.now());
  };

  app.get(PASSKEYS_PAGE, { schema: { querystring: NEXT_QUERY } }, async (request, reply) => {
    requireActor(request);
    if (await needsConfirmation(request))
      return reply.redirect(`${REAUTH_PAGE}?next=${encodeURIComponent(PASSKEYS_PAGE)}`, 303);
    return renderAddPasskey(request, reply, safeNext(request.query.next));
  });

  app.post(PASSKEYS_PAGE, { schema: { body: PASSKEY_BODY } }, async (request, reply) => {
    const actor = requireActor(request);
    const next = safeNext(request.body.next);
    if (await needsConfirmation(request))
      return reply.redirect(`${REAUTH_PAGE}?next=${encodeURIComponent(PASSKEYS_PAGE)}`, 303);
    const forced = request.mfaPending === 'enrol';
    try {
      const { recoveryCodes } = await registerPasskey(deps, actor, {
        sessionId: sessionIdOf(request),
        rp: rpOf(request),
        name: request.body.name,
        response: request.body.response,
        ip: request.ip,
      });
      if (recoveryCodes)
        return await reply.view('account-mfa-codes.njk', {
          recoveryCodes,
          continueHref: forced ? next : '/account/mfa',
          enrolled: true,
          enrolledTitle: 'Your passkey is set up',
          forced,
        });
      return await reply.redirect('/account/mfa', 303);
    } catch (e) {
      const err = expected(e, reply);
      return renderAddPasskey(request, reply, next, request.body.name, errorsOf(err, 'passkey'));
    }
  });

  app.post(
    '/account/mfa/passkeys/:passkeyId/remove',
    { schema: { params: z.object({ passkeyId: z.string().max(1400) }) } },
    async (request, reply) => {
      const actor = requireActor(request);
      if (!recentlyAuthenticated(request.authenticatedAt, deps.clock.now()))
        return reply.redirect(`${REAUTH_PAGE}?next=${encodeURIComponent('/account/mfa')}`, 303);
      try {
        await removePasskey(deps, actor, request.params.passkeyId);
        return await reply.redirect('/account/mfa', 303);
      } catch (e) {
        const err = expected(e, reply);
        return renderAccount(actor, reply, [{ text: err.message }]);
      }
    },
  );

  const renderSetup = async (
    request: FastifyRequest,
    reply: FastifyReply,
    next: string,
    errors: ReturnType<typeof errorsOf> = { errors: [], fieldErrors: {} },
  ) => {
    const setup = await startTotpSetup(deps, requireActor(request));
    const forced = request.mfaPending === 'enrol';
    return reply.view('account-mfa-totp.njk', {
      ...(forced ? { navigation: [] } : {}),
      forced,
      qrSvg: setup.qrSvg,
      secret: setup.secret.replace(/(.{4})/g, '$1 ').trim(),
      next: next === '/' ? '' : next,
      ...errors,
    });
  };

  app.get(MFA_SETUP_PAGE, { schema: { querystring: NEXT_QUERY } }, async (request, reply) => {
    requireActor(request);
    try {
      return await renderSetup(request, reply, safeNext(request.query.next));
    } catch (e) {
      if (e instanceof AppError && e.code === 'CONFLICT') return reply.redirect('/account/mfa', 303);
      throw e;
    }
  });

  app.post(MFA_SETUP_PAGE, { schema: { body: CODE_BODY } }, async (request, reply) => {
    const actor = requireActor(request);
    const next = safeNext(request.body.next);
    const forced = request.mfaPending === 'enrol';
    try {
      const { recoveryCodes } = await confirmTotpSetup(deps, actor, {
        code: request.body.code,
        sessionId: sessionIdOf(request),
        ip: request.ip,
      });
      return await reply.view('account-mfa-codes.njk', { recoveryCodes, continueHref: next, enrolled: true, forced });
    } catch (e) {
      const err = expected(e, reply);
      if (err.code === 'CONFLICT') return reply.redirect('/account/mfa', 303);
      return renderSetup(request, reply, next, errorsOf(err, 'code'));
    }
  });

  app.post('/account/mfa/totp/remove', async (request, reply) => {
    const actor = requireActor(request);
    if (!recentlyAuthenticated(request.authenticatedAt, deps.clock.now()))
      return reply.redirect(`${REAUTH_PAGE}?next=${encodeURIComponent('/account/mfa')}`, 303);
    try {
      await removeTotp(deps, actor);
      return await reply.redirect('/account/mfa', 303);
    } catch (e) {
      const err = expected(e, reply);
      return renderAccount(actor, reply, [{ text: err.message }]);
    }
  });

  app.post('/account/mfa/recovery-codes', async (request, reply) => {
    const actor = requireActor(request);
    if (!recentlyAuthenticated(request.authenticatedAt, deps.clock.now()))
      return reply.redirect(`${REAUTH_PAGE}?next=${encodeURIComponent('/account/mfa')}`, 303);
    const recoveryCodes = await regenerateRecoveryCodes(deps, actor);
    return reply.view('account-mfa-codes.njk', { recoveryCodes, continueHref: '/account/mfa', enrolled: false });
  });

  // --- Re-authentication ----------------------------------------------------------------------

  const CONFIRM_BODY = z.object({
    _csrf: z.string().optional(),
    password: z.string().max(1024).optional(),
    code: z.string().max(64).optional(),
    next: z.string().max(2000).optional(),
  });

  const renderConfirm = async (
    request: FastifyRequest,
    reply: FastifyReply,
    next: string,
    errors: ReturnType<typeof errorsOf> = { errors: [], fieldErrors: {} },
  ) => {
    const status = await ownMfaStatus(deps, requireActor(request));
    return reply.view('account-confirm.njk', {
      next: next === '/' ? '' : next,
      hasCode: status.totp,
      minutes: REAUTH_MINUTES,
      ...errors,
    });
  };

  app.get(REAUTH_PAGE, { schema: { querystring: NEXT_QUERY } }, async (request, reply) =>
    renderConfirm(request, reply, safeNext(request.query.next)),
  );

  app.post(REAUTH_PAGE, { schema: { body: CONFIRM_BODY } }, async (request, reply) => {
    const actor = requireActor(request);
    const next = safeNext(request.body.next);
    try {
      await reauthenticate(deps, actor, {
        password: request.body.password,
        code: request.body.code,
        sessionId: sessionIdOf(request),
        ip: request.ip,
      });
      return await reply.redirect(next, 303);
    } catch (e) {
      const err = expected(e, reply);
      return renderConfirm(request, reply, next, errorsOf(err, 'code'));
    }
  });

  // --- The school's setting, and resetting someone's second factors ---------------------------

  app.get('/admin/sign-in-security', async (request, reply) => {
    const actor = requireActor(request);
    const roles = MFA_DEFAULT_ROLES.map((r) => ROLE_LABELS[r]);
    if (!actor.schoolId) {
      if (actor.role !== 'admin') throw new AppError('FORBIDDEN', 'You do not have permission to do that.');
      return reply.view('admin-sign-in-security.njk', { installation: true, roles, saved: false });
    }
    const required = await schoolMfaSetting(deps, actor, actor.schoolId);
    return reply.view('admin-sign-in-security.njk', {
      required,
      roles: MFA_DEFAULT_ROLES.map((r) => ROLE_LABELS[r]),
      saved: false,
    });
  });

  app.post(
    '/admin/sign-in-security',
    { schema: { body: z.object({ _csrf: z.string().optional(), allStaff: z.string().max(10).optional() }) } },
    async (request, reply) => {
      const actor = requireActor(request);
      if (!actor.schoolId) throw new AppError('NOT_FOUND', 'Sign-in security is set by each school’s administrators.');
      const required = request.body.allStaff === 'yes';
      await setSchoolMfaSetting(deps, actor, actor.schoolId, required);
      return reply.view('admin-sign-in-security.njk', {
        required,
        roles: MFA_DEFAULT_ROLES.map((r) => ROLE_LABELS[r]),
        saved: true,
      });
    },
  );

  app.post(
    '/admin/users/:userId/reset-mfa',
    { schema: { params: z.object({ userId: z.string().max(100) }) } },
    async (request, reply) => {
      const actor = requireActor(request);
      await resetSecondFactors(deps, actor, request.params.userId);
      return reply.redirect(`/admin/users/${encodeURIComponent(request.params.userId)}`, 303);
    },
  );

  return Promise.resolve();
};
