/**
 * Webhooks administration (`/admin/webhooks`): a school's subscriptions (add one: a URL and the
 * events, the signing secret shown once; turn one off) and each subscription's delivery log
 * (`/admin/webhooks/:id`: status, attempts, the last answer's code). See docs/webhooks.md.
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireActor } from '../../http/auth-routes.js';
import type { Actor } from '../../services/authz.js';
import type { Deps } from '../../services/deps.js';
import { AppError } from '../../services/errors.js';
import {
  createSubscription,
  deliveryLog,
  disableSubscription,
  listSubscriptions,
  rotateSubscriptionSecret,
  SECRET_GRACE_HOURS,
  subscriptionLog,
  WEBHOOK_EVENTS,
  WEBHOOK_MAX_ATTEMPTS,
  webhookSchool,
} from '../../services/exchange/webhooks.js';

const text = z.string().max(1000).optional();
const SCHOOL_QUERY = z.object({ school: z.string().max(200).optional(), disabled: z.string().max(10).optional() });
const CREATE_BODY = z.object({
  _csrf: z.string().optional(),
  school: text,
  url: z.string().max(4000).default(''),
  description: z.string().max(1000).default(''),
  events: z.union([z.string(), z.array(z.string())]).optional(),
});
const DISABLE_BODY = z.object({ _csrf: z.string().optional(), school: text });
const ROTATE_BODY = z.object({ _csrf: z.string().optional(), previous: z.string().max(10).optional() });
const ID = z.object({ id: z.string().min(1).max(200) });

interface PageState {
  created?: { url: string; secret: string };
  errors?: { text: string; href: string }[];
  fieldErrors?: Record<string, string>;
  form?: { url: string; description: string; events: string[] };
  banner?: string | null;
}

const EVENT_ITEMS = Object.entries(WEBHOOK_EVENTS).map(([value, hint]) => ({ value, hint }));

async function renderPage(
  deps: Deps,
  reply: FastifyReply,
  actor: Actor,
  chosen: string | undefined,
  state: PageState = {},
): Promise<FastifyReply> {
  const choice = await webhookSchool(deps, actor, chosen);
  if (choice.kind === 'choose') {
    return reply.view('admin-choose-school.njk', {
      pageTitle: 'Webhooks',
      action: '/admin/webhooks',
      schools: choice.schools,
    });
  }
  const school = choice.school;
  const [subscriptions, deliveries] = await Promise.all([
    listSubscriptions(deps, actor, school.id),
    deliveryLog(deps, actor, school.id),
  ]);
  const urls = new Map(subscriptions.map((s) => [s.id, s.url]));
  return reply.view('admin-webhooks.njk', {
    school,
    subscriptions,
    deliveries: deliveries.slice(0, 20).map((d) => ({ ...d, url: urls.get(d.subscriptionId) ?? '' })),
    events: EVENT_ITEMS,
    maxAttempts: WEBHOOK_MAX_ATTEMPTS,
    created: state.created ?? null,
    errors: state.errors ?? [],
    fieldErrors: state.fieldErrors ?? {},
    form: state.form ?? { url: '', description: '', events: [] },
    banner: state.banner ?? null,
  });
}

export const webhookRoutes: FastifyPluginAsync = (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { deps } = app;

  app.get('/admin/webhooks', { schema: { querystring: SCHOOL_QUERY } }, async (request, reply) =>
    renderPage(deps, reply, requireActor(request), request.query.school, {
      banner: request.query.disabled ? 'The webhook was turned off: nothing more is sent to it' : null,
    }),
  );

  app.post('/admin/webhooks', { schema: { body: CREATE_BODY } }, async (request, reply) => {
    const actor = requireActor(request);
    const b = request.body;
    const events = b.events === undefined ? [] : Array.isArray(b.events) ? b.events : [b.events];
    const choice = await webhookSchool(deps, actor, b.school);
    if (choice.kind === 'choose') throw new AppError('VALIDATION', 'Choose a school.');
    try {
      const { subscription, secret } = await createSubscription(deps, actor, {
        schoolId: choice.school.id,
        url: b.url,
        events,
        description: b.description,
      });
      return await renderPage(deps, reply, actor, b.school, { created: { url: subscription.url, secret } });
    } catch (e) {
      if (!(e instanceof AppError) || e.code !== 'VALIDATION' || !e.details.fields) throw e;
      const fieldErrors: Record<string, string> = {};
      for (const f of e.details.fields) fieldErrors[f.field] ??= f.message;
      return renderPage(deps, reply.code(400), actor, b.school, {
        errors: e.details.fields.map((f) => ({ text: f.message, href: `#webhook-${f.field}` })),
        fieldErrors,
        form: { url: b.url, description: b.description, events },
      });
    }
  });

  app.post('/admin/webhooks/:id/disable', { schema: { params: ID, body: DISABLE_BODY } }, async (request, reply) => {
    await disableSubscription(deps, requireActor(request), request.params.id);
    const school = request.body.school ? `&school=${encodeURIComponent(request.body.school)}` : '';
    return reply.redirect(`/admin/webhooks?disabled=1${school}`, 303);
  });

  app.get('/admin/webhooks/:id', { schema: { params: ID } }, async (request, reply) => {
    const { subscription, deliveries } = await subscriptionLog(deps, requireActor(request), request.params.id);
    return reply.view('admin-webhook-log.njk', {
      subscription,
      deliveries,
      maxAttempts: WEBHOOK_MAX_ATTEMPTS,
      graceHours: SECRET_GRACE_HOURS,
      rotated: null,
      errors: [],
    });
  });

  app.post('/admin/webhooks/:id/rotate', { schema: { params: ID, body: ROTATE_BODY } }, async (request, reply) => {
    const actor = requireActor(request);
    const previous = request.body.previous;
    if (previous !== 'keep' && previous !== 'stop') {
      const { subscription, deliveries } = await subscriptionLog(deps, actor, request.params.id);
      return reply.code(400).view('admin-webhook-log.njk', {
        subscription,
        deliveries,
        maxAttempts: WEBHOOK_MAX_ATTEMPTS,
        graceHours: SECRET_GRACE_HOURS,
        rotated: null,
        errors: [{ text: 'Choose whether the previous secret keeps signing for a while', href: '#rotate-keep' }],
      });
    }
    const { secret, subscription: rotated } = await rotateSubscriptionSecret(deps, actor, request.params.id, {
      keepPrevious: previous === 'keep',
    });
    const { subscription, deliveries } = await subscriptionLog(deps, actor, request.params.id);
    return reply.view('admin-webhook-log.njk', {
      subscription,
      deliveries,
      maxAttempts: WEBHOOK_MAX_ATTEMPTS,
      graceHours: SECRET_GRACE_HOURS,
      rotated: { secret, previousSignsUntil: rotated.previousSecretUntil },
      errors: [],
    });
  });

  return Promise.resolve();
};
