/**
 * Leave of absence pages: a parent's request form (the rules first, then the questions, then
 * the child's previous requests and decisions), and the headteacher's list of pending requests
 * with each request's checks and a grant-or-refuse form with a required reason.
 *
 *   GET/POST /pupils/:id/leave   parent (staff who may view the pupil see the history only)
 *   GET /leave, POST /leave/:id  senior leaders and administrators
 */
import type { PlainDate } from '@rollcall/domain';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireActor } from '../../http/auth-routes.js';
import type { Actor } from '../../services/authz.js';
import type { Deps } from '../../services/deps.js';
import { AppError, HTTP_STATUS, type FieldError } from '../../services/errors.js';
import {
  decideLeave,
  LEAVE_KIND_LABELS,
  LEAVE_KINDS,
  leaveForPupil,
  leaveRulesInWords,
  longDate,
  pendingLeave,
  requestLeave,
} from '../../services/leave/leave.js';

const FIELD_IDS: Readonly<Record<string, string>> = {
  kind: 'leave-kind',
  fromDate: 'leave-from',
  toDate: 'leave-to',
  reason: 'leave-reason',
  forwardingAddress: 'leave-forwarding',
};

interface Shown {
  errors: { text: string; href: string }[];
  fieldErrors: Record<string, string>;
}

function shown(fields: readonly FieldError[], fallback: string, ids: (field: string) => string): Shown {
  const errors = fields.map((f) => ({ text: f.message, href: `#${ids(f.field)}` }));
  const fieldErrors: Record<string, string> = {};
  for (const f of fields) fieldErrors[f.field] ??= f.message;
  if (errors.length === 0) errors.push({ text: fallback, href: `#${ids('')}` });
  return { errors, fieldErrors };
}

export interface LeaveForm {
  kind: string;
  fromDate: string;
  toDate: string;
  reason: string;
  forwardingAddress: string;
}

const EMPTY_FORM: LeaveForm = { kind: '', fromDate: '', toDate: '', reason: '', forwardingAddress: '' };

async function renderRequestPage(
  deps: Deps,
  reply: FastifyReply,
  actor: Actor,
  pupilId: string,
  extras: Partial<Shown> & { form?: LeaveForm; banner?: string | null },
): Promise<FastifyReply> {
  const view = await leaveForPupil(deps, actor, pupilId);
  return reply.view('leave-request.njk', {
    pupil: view.pupil,
    requests: view.requests.map((r) => ({ ...r, dates: dates(r.fromDate, r.toDate) })),
    canRequest: view.canRequest,
    staff: actor.role !== 'parent',
    today: view.today,
    kinds: LEAVE_KINDS.filter((k) => k !== 'lunchtime' || view.rules.lunchtimePasses.offered).map((k) => ({
      value: k,
      text: LEAVE_KIND_LABELS[k],
    })),
    rules: leaveRulesInWords(view.rules),
    forwardingDays: view.rules.forwardingAddressSchoolDays,
    form: extras.form ?? EMPTY_FORM,
    errors: extras.errors ?? [],
    fieldErrors: extras.fieldErrors ?? {},
    banner: extras.banner ?? null,
  });
}

function dates(from: PlainDate, to: PlainDate): string {
  return from === to ? longDate(from) : `${longDate(from)} to ${longDate(to)}`;
}

async function renderDecisionsPage(
  deps: Deps,
  reply: FastifyReply,
  actor: Actor,
  schoolId: string,
  extras: Partial<Shown> & { active?: string; form?: { decision: string; reason: string }; banner?: string | null },
): Promise<FastifyReply> {
  const pending = await pendingLeave(deps, actor, { schoolId });
  return reply.view('leave-decisions.njk', {
    requests: pending.map((r) => ({ ...r, dates: dates(r.fromDate, r.toDate) })),
    active: extras.active ?? null,
    form: extras.form ?? { decision: '', reason: '' },
    errors: extras.errors ?? [],
    fieldErrors: extras.fieldErrors ?? {},
    banner: extras.banner ?? null,
  });
}

function schoolOf(actor: Actor, query: string | undefined): string {
  const id = actor.schoolId ?? query;
  if (!id) throw new AppError('FORBIDDEN', 'You do not have permission to do that.');
  return id;
}

const PARAMS = z.object({ id: z.string().min(1).max(200) });
const text = z.string().max(10_000).default('');
const REQUEST_BODY = z.object({
  _csrf: z.string().optional(),
  kind: text,
  fromDate: text,
  toDate: text,
  reason: text,
  forwardingAddress: text,
});
const REQUEST_QUERY = z.object({ sent: z.string().max(200).optional() });
const DECISIONS_QUERY = z.object({ school: z.string().max(200).optional(), decided: z.string().max(40).optional() });
const DECIDE_BODY = z.object({ _csrf: z.string().optional(), decision: text, reason: text });

const DECIDED_BANNERS: Readonly<Record<string, string>> = {
  // What really happened: an email is queued in the outbox; without an email server it waits there.
  'granted-emailed':
    'Leave granted. The register is pre-filled and the letter is queued in the outbox to be emailed to the parent (see the outbox for when it goes).',
  'granted-queued':
    'Leave granted. The register is pre-filled. The letter is queued but not emailed: no email server is configured, so post it or ask an administrator to set up email.',
  'granted-post': 'Leave granted. The register is pre-filled. The parent has no email address: post the letter.',
  'refused-emailed':
    'Leave refused. The letter is queued in the outbox to be emailed to the parent (see the outbox for when it goes).',
  'refused-queued':
    'Leave refused. The letter is queued but not emailed: no email server is configured, so post it or ask an administrator to set up email.',
  'refused-post': 'Leave refused. The parent has no email address: post the letter.',
};

export const leaveRoutes: FastifyPluginAsync = (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { deps } = app;

  app.get('/pupils/:id/leave', { schema: { params: PARAMS, querystring: REQUEST_QUERY } }, async (request, reply) => {
    const actor = requireActor(request);
    return renderRequestPage(deps, reply, actor, request.params.id, {
      banner: request.query.sent
        ? 'Your request has been sent to the headteacher. You will get a letter with the decision.'
        : null,
    });
  });

  app.post('/pupils/:id/leave', { schema: { params: PARAMS, body: REQUEST_BODY } }, async (request, reply) => {
    const actor = requireActor(request);
    const b = request.body;
    const form: LeaveForm = {
      kind: b.kind.trim(),
      fromDate: b.fromDate.trim(),
      toDate: b.toDate.trim(),
      reason: b.reason.trim(),
      forwardingAddress: b.forwardingAddress.trim(),
    };
    try {
      const { id } = await requestLeave(deps, actor, { pupilId: request.params.id, ...form });
      return await reply.redirect(`/pupils/${encodeURIComponent(request.params.id)}/leave?sent=${id}`, 303);
    } catch (e) {
      if (!(e instanceof AppError) || e.code !== 'VALIDATION') throw e;
      reply.code(HTTP_STATUS[e.code]);
      return renderRequestPage(deps, reply, actor, request.params.id, {
        form,
        ...shown(e.details.fields ?? [], e.message, (f) => FIELD_IDS[f] ?? 'leave-kind'),
      });
    }
  });

  app.get('/leave', { schema: { querystring: DECISIONS_QUERY } }, async (request, reply) => {
    const actor = requireActor(request);
    const decided = request.query.decided;
    return renderDecisionsPage(deps, reply, actor, schoolOf(actor, request.query.school), {
      banner: decided ? (DECIDED_BANNERS[decided] ?? null) : null,
    });
  });

  app.post(
    '/leave/:id',
    { schema: { params: PARAMS, querystring: DECISIONS_QUERY, body: DECIDE_BODY } },
    async (request, reply) => {
      const actor = requireActor(request);
      const form = { decision: request.body.decision.trim(), reason: request.body.reason.trim() };
      try {
        const result = await decideLeave(deps, actor, { requestId: request.params.id, ...form });
        const school = actor.schoolId ? '' : `&school=${encodeURIComponent(request.query.school ?? '')}`;
        return await reply.redirect(
          `/leave?decided=${result.status}-${result.letter.queued ? (deps.config.mail.smtpUrl ? 'emailed' : 'queued') : 'post'}${school}`,
          303,
        );
      } catch (e) {
        if (!(e instanceof AppError) || e.code !== 'VALIDATION') throw e;
        reply.code(HTTP_STATUS[e.code]);
        const id = request.params.id;
        return renderDecisionsPage(deps, reply, actor, schoolOf(actor, request.query.school), {
          active: id,
          form,
          ...shown(e.details.fields ?? [], e.message, (f) => `${f === 'reason' ? 'reason' : 'decision'}-${id}`),
        });
      }
    },
  );
  return Promise.resolve();
};
