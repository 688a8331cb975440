/**
 * The signed-in person's own account: changing their password (`/account/password`), for every
 * role, parents included. After an administrator created the account or reset its password,
 * every other page redirects here until the person has chosen their own (see http/auth-routes).
 *
 *   GET/POST /account/password   current password, new password, confirmation
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PASSWORD_PAGE, requireActor, safeNext } from '../../http/auth-routes.js';
import {
  changeOwnPassword,
  MIN_PASSWORD_LENGTH,
  retryAfterSeconds,
  SESSION_COOKIE,
} from '../../services/accounts/auth.js';
import { AppError, HTTP_STATUS, type FieldError } from '../../services/errors.js';

/** Each field's element id on the page. */
const FIELD_IDS: Readonly<Record<string, string>> = {
  currentPassword: 'current-password',
  newPassword: 'new-password',
  confirmPassword: 'confirm-password',
};

interface PageState {
  readonly errors?: { text: string; href?: string }[];
  readonly fieldErrors?: Record<string, string>;
  readonly banner?: string | null;
  readonly next: string;
}

/** `forced`: the session hook found the password set by an administrator (request.mustChangePassword). */
function renderPage(reply: FastifyReply, forced: boolean, state: PageState): FastifyReply {
  return reply.view('account-password.njk', {
    forced,
    // Held on this page: the other pages would only lead back here.
    ...(forced ? { navigation: [] } : {}),
    minLength: MIN_PASSWORD_LENGTH,
    errors: state.errors ?? [],
    fieldErrors: state.fieldErrors ?? {},
    banner: state.banner ?? null,
    next: state.next === '/' ? '' : state.next,
    continueHref: state.next,
  });
}

function shown(fields: readonly FieldError[]): Pick<PageState, 'errors' | 'fieldErrors'> {
  const fieldErrors: Record<string, string> = {};
  for (const f of fields) fieldErrors[f.field] ??= f.message;
  return {
    errors: fields.map((f) => ({ text: f.message, href: `#${FIELD_IDS[f.field] ?? 'current-password'}` })),
    fieldErrors,
  };
}

const QUERY = z.object({ next: z.string().max(2000).optional(), changed: z.string().max(10).optional() });
const password = z.string().max(1024).default('');
const BODY = z.object({
  _csrf: z.string().optional(),
  currentPassword: password,
  newPassword: password,
  confirmPassword: password,
  next: z.string().max(2000).optional(),
});

export const accountRoutes: FastifyPluginAsync = (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { deps } = app;

  app.get(PASSWORD_PAGE, { schema: { querystring: QUERY } }, async (request, reply) => {
    requireActor(request);
    return renderPage(reply, request.mustChangePassword, {
      next: safeNext(request.query.next),
      banner: request.query.changed
        ? 'Your password has been changed. Anywhere else you were signed in, you have been signed out.'
        : null,
    });
  });

  app.post(PASSWORD_PAGE, { schema: { body: BODY } }, async (request, reply) => {
    const actor = requireActor(request);
    const b = request.body;
    const next = safeNext(b.next);
    try {
      await changeOwnPassword(deps, actor, {
        currentPassword: b.currentPassword,
        newPassword: b.newPassword,
        confirmPassword: b.confirmPassword,
        sessionToken: request.cookies[SESSION_COOKIE],
        ip: request.ip,
      });
      const query = new URLSearchParams({ changed: '1', ...(next === '/' ? {} : { next }) });
      return await reply.redirect(`${PASSWORD_PAGE}?${query.toString()}`, 303);
    } catch (e) {
      if (!(e instanceof AppError) || !['VALIDATION', 'TOO_MANY_ATTEMPTS'].includes(e.code)) throw e;
      reply.code(HTTP_STATUS[e.code]);
      if (e.code === 'TOO_MANY_ATTEMPTS') {
        reply.header('retry-after', String(retryAfterSeconds(e)));
        return renderPage(reply, request.mustChangePassword, { next, errors: [{ text: e.message }] });
      }
      return renderPage(reply, request.mustChangePassword, { next, ...shown(e.details.fields ?? []) });
    }
  });

  return Promise.resolve();
};
