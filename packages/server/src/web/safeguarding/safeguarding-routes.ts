/**
 * Safeguarding pages (issue 16):
 *
 *   GET  /dsl                                   the designated safeguarding lead's alerts (DSL and deputies)
 *   POST /dsl/alerts/:id/acknowledge            acknowledge an alert, with what was done
 *   GET  /pupils/:id/access-reason              a local authority officer says why they need a pupil's record
 *   POST /pupils/:id/access-reason              record it (audited, shown to the school in the chronology)
 *   POST /pupils/:id/contacts/:contactId/restriction   mark a contact "no contact" / court order, or clear it
 *   GET  /la/pupils                             an LA officer's pupils: those the LA has a reason to see, with the reasons
 */
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireActor } from '../../http/auth-routes.js';
import { AppError, HTTP_STATUS } from '../../services/errors.js';
import {
  accessReasonSubject,
  acknowledgeDslAlert,
  DSL_ALERT_TITLES,
  dslWorklist,
  isContactRestriction,
  laPupils,
  LA_REASON_DAYS,
  recordLaAccessReason,
  setContactRestriction,
} from '../../services/safeguarding/safeguarding.js';

const ID = z.string().min(1).max(200);
const DSL_QUERY = z.object({ done: z.string().max(20).optional() });
const ACK_BODY = z.object({ _csrf: z.string().optional(), note: z.string().max(4000).default('') });
const REASON_BODY = z.object({ _csrf: z.string().optional(), reason: z.string().max(4000).default('') });
const RESTRICTION_BODY = z.object({ _csrf: z.string().optional(), restriction: z.string().max(40).default('') });

export const safeguardingRoutes: FastifyPluginAsync = (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { deps } = app;

  app.get('/dsl', { schema: { querystring: DSL_QUERY } }, async (request, reply) => {
    const actor = requireActor(request);
    if (!actor.schoolId) throw new AppError('FORBIDDEN', 'The safeguarding alerts are for the school’s DSL.');
    const list = await dslWorklist(deps, actor, actor.schoolId);
    return reply.view('dsl.njk', {
      list,
      titles: DSL_ALERT_TITLES,
      banner: request.query.done === 'acknowledged' ? 'Alert acknowledged' : null,
    });
  });

  app.post(
    '/dsl/alerts/:id/acknowledge',
    { schema: { params: z.object({ id: ID }), body: ACK_BODY } },
    async (request, reply) => {
      const actor = requireActor(request);
      await acknowledgeDslAlert(deps, actor, { alertId: request.params.id, note: request.body.note });
      return reply.redirect('/dsl?done=acknowledged', 303);
    },
  );

  app.get('/la/pupils', async (request, reply) => {
    const list = await laPupils(deps, requireActor(request));
    return reply.view('la-pupils.njk', { list, total: list.schools.reduce((n, s) => n + s.pupils.length, 0) });
  });

  app.get('/pupils/:id/access-reason', { schema: { params: z.object({ id: ID }) } }, async (request, reply) => {
    const actor = requireActor(request);
    return reply.view('access-reason.njk', {
      pupil: await accessReasonSubject(deps, actor, request.params.id),
      days: LA_REASON_DAYS,
      reason: '',
      errors: [],
    });
  });

  app.post(
    '/pupils/:id/access-reason',
    { schema: { params: z.object({ id: ID }), body: REASON_BODY } },
    async (request, reply) => {
      const actor = requireActor(request);
      const id = request.params.id;
      try {
        await recordLaAccessReason(deps, actor, { pupilId: id, reason: request.body.reason });
      } catch (e) {
        if (!(e instanceof AppError) || e.code !== 'VALIDATION') throw e;
        return reply.code(HTTP_STATUS.VALIDATION).view('access-reason.njk', {
          pupil: await accessReasonSubject(deps, actor, id),
          days: LA_REASON_DAYS,
          reason: request.body.reason,
          errors: (e.details.fields ?? []).map((f) => ({ text: f.message, href: `#${f.field}` })),
        });
      }
      return reply.redirect(`/pupils/${encodeURIComponent(id)}`, 303);
    },
  );

  app.post(
    '/pupils/:id/contacts/:contactId/restriction',
    { schema: { params: z.object({ id: ID, contactId: ID }), body: RESTRICTION_BODY } },
    async (request, reply) => {
      const actor = requireActor(request);
      const value = request.body.restriction;
      if (value !== '' && !isContactRestriction(value))
        throw new AppError('VALIDATION', 'Choose no contact, court order, or none.', {
          fields: [{ field: 'restriction', message: 'Choose no contact, court order, or none.' }],
        });
      await setContactRestriction(deps, actor, {
        pupilId: request.params.id,
        contactId: request.params.contactId,
        restriction: value === '' ? null : value,
      });
      return reply.redirect(`/pupils/${encodeURIComponent(request.params.id)}`, 303);
    },
  );
  return Promise.resolve();
};
