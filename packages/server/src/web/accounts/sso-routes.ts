/**
 * Single sign-on in the browser (services/accounts/sso.ts, docs/security-sign-in.md):
 *
 *   GET      /sign-in/sso/:providerId     go to the school's provider (Microsoft 365 or Google Workspace)
 *   GET      /sign-in/sso/callback        back from the provider: signed in (or the account linked)
 *   GET      /sign-in/sso                 the school picker: choose your school (or give your email to narrow it)
 *   GET      /account/sso                 one's own school accounts: linked or not, link, unlink
 *   GET      /account/sso/:providerId     link one's own account to the provider (signed in)
 *   POST     /account/sso/:providerId/unlink   unlink it (audited)
 *   GET/POST /admin/sso                   a school's administrators configure their providers
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Config } from '../../config/config.js';
import {
  deviceCookie,
  MFA_PAGE,
  MFA_SETUP_PAGE,
  requireActor,
  safeNext,
  secureCookies,
  setDeviceCookie,
} from '../../http/auth-routes.js';
import { SESSION_COOKIE, SESSION_HOURS } from '../../services/accounts/auth.js';
import { AppError, HTTP_STATUS, type FieldError } from '../../services/errors.js';
import {
  addSsoProvider,
  finishSso,
  ownSsoAccounts,
  schoolSsoProviders,
  ssoSchoolChoices,
  SSO_STATE_MINUTES,
  startSso,
  unlinkSso,
} from '../../services/accounts/sso.js';

export const SSO_STATE_COOKIE = 'rollcall_sso_state';
const CALLBACK = '/sign-in/sso/callback';

function origin(request: FastifyRequest, config: Config): string {
  // Normalised (no default port), so the redirect address is the same string at both steps.
  return config.publicUrl ?? new URL(`${request.protocol}://${request.host}`).origin;
}

function stateCookieOptions(config: Config) {
  return { path: '/sign-in/sso', httpOnly: true, sameSite: 'lax' as const, secure: secureCookies(config) };
}

const ID = z.string().min(1).max(100);

export const ssoRoutes: FastifyPluginAsync = (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { deps } = app;

  const go = async (request: FastifyRequest, reply: FastifyReply, providerId: string, next: string, link: boolean) => {
    const start = await startSso(deps, {
      providerId,
      redirectUri: `${origin(request, deps.config)}${CALLBACK}`,
      next,
      linkUser: link ? requireActor(request) : undefined,
    });
    reply.setCookie(SSO_STATE_COOKIE, start.state, {
      ...stateCookieOptions(deps.config),
      maxAge: SSO_STATE_MINUTES * 60,
    });
    return reply.redirect(start.url, 303);
  };

  app.get(
    CALLBACK,
    { config: { public: true }, schema: { querystring: z.record(z.string(), z.string().max(4000)) } },
    async (request, reply) => {
      const stateCookie = request.cookies[SSO_STATE_COOKIE];
      reply.clearCookie(SSO_STATE_COOKIE, stateCookieOptions(deps.config));
      try {
        const out = await finishSso(deps, {
          currentUrl: `${origin(request, deps.config)}${request.url}`,
          stateCookie,
          ip: request.ip,
          deviceToken: deviceCookie(request),
        });
        if (out.kind === 'linked') return await reply.redirect('/account/sso?linked=1', 303);
        const s = out.session;
        reply.setCookie(SESSION_COOKIE, s.token, {
          path: '/',
          httpOnly: true,
          sameSite: 'lax',
          secure: secureCookies(deps.config),
          maxAge: SESSION_HOURS * 3600,
        });
        setDeviceCookie(reply, deps.config, s.deviceToken);
        const next = safeNext(out.next);
        if (s.mfaPending) {
          const page = s.mfaPending === 'verify' ? MFA_PAGE : MFA_SETUP_PAGE;
          return await reply.redirect(next === '/' ? page : `${page}?next=${encodeURIComponent(next)}`, 303);
        }
        return await reply.redirect(next, 303);
      } catch (e) {
        if (!(e instanceof AppError) || e.code !== 'UNAUTHENTICATED') throw e;
        return reply
          .code(401)
          .view('sign-in.njk', { email: '', next: '', errors: [{ text: e.message }], fieldErrors: {}, providers: [] });
      }
    },
  );

  app.get(
    '/sign-in/sso',
    {
      config: { public: true },
      schema: {
        querystring: z.object({ email: z.string().max(320).optional(), next: z.string().max(2000).optional() }),
      },
    },
    async (request, reply) => {
      const next = safeNext(request.query.next);
      const email = request.query.email?.trim() ?? '';
      const choices = await ssoSchoolChoices(deps, email === '' ? undefined : email);
      const only = choices.matched && choices.schools.length === 1 ? choices.schools[0]! : null;
      if (only && only.providers.length === 1) {
        const to = `/sign-in/sso/${encodeURIComponent(only.providers[0]!.id)}`;
        return reply.redirect(next === '/' ? to : `${to}?next=${encodeURIComponent(next)}`, 303);
      }
      return reply.view('sign-in-sso.njk', {
        ...choices,
        email,
        next: next === '/' ? '' : next,
      });
    },
  );

  app.get(
    '/sign-in/sso/:providerId',
    {
      config: { public: true },
      schema: {
        params: z.object({ providerId: ID }),
        querystring: z.object({ next: z.string().max(2000).optional() }),
      },
    },
    async (request, reply) => go(request, reply, request.params.providerId, safeNext(request.query.next), false),
  );

  app.get('/account/sso/:providerId', { schema: { params: z.object({ providerId: ID }) } }, async (request, reply) =>
    go(request, reply, request.params.providerId, '/account/sso', true),
  );

  app.get(
    '/account/sso',
    {
      schema: {
        querystring: z.object({ linked: z.string().max(5).optional(), unlinked: z.string().max(5).optional() }),
      },
    },
    async (request, reply) => {
      const accounts = await ownSsoAccounts(deps, requireActor(request));
      const banner = request.query.linked
        ? 'Your account is linked.'
        : request.query.unlinked
          ? 'Your account is unlinked.'
          : null;
      return reply.view('account-sso.njk', { accounts, banner });
    },
  );

  app.post(
    '/account/sso/:providerId/unlink',
    { schema: { params: z.object({ providerId: ID }) } },
    async (request, reply) => {
      await unlinkSso(deps, requireActor(request), request.params.providerId);
      return reply.redirect('/account/sso?unlinked=1', 303);
    },
  );

  const renderAdmin = async (
    request: FastifyRequest,
    reply: FastifyReply,
    extra: {
      errors?: { text: string; href?: string }[];
      fieldErrors?: Record<string, string>;
      values?: Record<string, string>;
      saved?: boolean;
    } = {},
  ) => {
    const actor = requireActor(request);
    if (!actor.schoolId) throw new AppError('NOT_FOUND', 'Single sign-on is set up by each school’s administrators.');
    const providers = await schoolSsoProviders(deps, actor, actor.schoolId);
    return reply.view('admin-sso.njk', {
      providers,
      callback: `${origin(request, deps.config)}${CALLBACK}`,
      errors: extra.errors ?? [],
      fieldErrors: extra.fieldErrors ?? {},
      values: extra.values ?? {},
      saved: extra.saved ?? false,
    });
  };

  app.get('/admin/sso', async (request, reply) => renderAdmin(request, reply));

  app.post(
    '/admin/sso',
    {
      schema: {
        body: z.object({
          _csrf: z.string().optional(),
          kind: z.string().max(20).default(''),
          tenant: z.string().max(100).default(''),
          allowedDomain: z.string().max(253).default(''),
          clientId: z.string().max(300).default(''),
          clientSecret: z.string().max(600).default(''),
        }),
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      if (!actor.schoolId) throw new AppError('NOT_FOUND', 'Single sign-on is set up by each school’s administrators.');
      const { clientSecret, _csrf, ...values } = request.body;
      void _csrf;
      try {
        await addSsoProvider(deps, actor, actor.schoolId, { ...values, clientSecret });
        return await renderAdmin(request, reply, { saved: true });
      } catch (e) {
        if (!(e instanceof AppError) || e.code !== 'VALIDATION') throw e;
        reply.code(HTTP_STATUS.VALIDATION);
        const fields: readonly FieldError[] = e.details.fields ?? [];
        const fieldErrors: Record<string, string> = {};
        for (const f of fields) fieldErrors[f.field] ??= f.message;
        // The secret is never sent back to the page.
        return renderAdmin(request, reply, {
          errors: fields.map((f) => ({ text: f.message, href: `#${f.field}` })),
          fieldErrors,
          values,
        });
      }
    },
  );

  return Promise.resolve();
};
