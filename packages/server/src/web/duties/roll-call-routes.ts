/**
 * The emergency roll call (docs/roll-call.md): `/roll-call` shows who is on site now by class and
 * starts a roll call; `/roll-call/:id` is the list the marshals tick on their phones, the missing
 * first; every page prints one page per class. Forms post and redirect back (post/redirect/get);
 * `assets/roll-call.ts` sends the ticks without reloading the page.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireActor } from '../../http/auth-routes.js';
import type { Actor } from '../../services/authz.js';
import { AppError } from '../../services/errors.js';
import {
  closeRollCall,
  onSiteNow,
  recentRollCalls,
  rollCallView,
  setPupilAccounted,
  startRollCall,
} from '../../services/duties/roll-call.js';

function schoolOf(actor: Actor): string {
  if (!actor.schoolId) throw new AppError('FORBIDDEN', 'The roll call is for staff of a school.');
  return actor.schoolId;
}

const ID = z.object({ id: z.string().min(1).max(100) });
const TICK_BODY = z.object({
  _csrf: z.string().optional(),
  tick: z.string().max(200),
  /** The class the marshal was looking at (the page goes back to it). */
  class: z.string().max(100).optional(),
});
const VIEW_QUERY = z.object({ class: z.string().max(100).optional() });
const CSRF_ONLY = z.object({ _csrf: z.string().optional() });

/** A class's anchor on the roll call page. */
export function classAnchor(name: string): string {
  return `class-${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
}

export const rollCallRoutes: FastifyPluginAsync = (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { deps } = app;

  app.get('/roll-call', async (request, reply) => {
    const actor = requireActor(request);
    const schoolId = schoolOf(actor);
    const [now, recent] = await Promise.all([onSiteNow(deps, actor, schoolId), recentRollCalls(deps, actor, schoolId)]);
    return reply.view('roll-call-now.njk', { now, recent, classAnchor, csrfToken: request.csrfToken });
  });

  app.post('/roll-call', { schema: { body: CSRF_ONLY } }, async (request, reply) => {
    const actor = requireActor(request);
    const id = await startRollCall(deps, actor, schoolOf(actor));
    return reply.redirect(`/roll-call/${encodeURIComponent(id)}`, 303);
  });

  app.get('/roll-call/:id', { schema: { params: ID, querystring: VIEW_QUERY } }, async (request, reply) => {
    const actor = requireActor(request);
    const view = await rollCallView(deps, actor, request.params.id);
    const only = request.query.class ? view.classes.filter((c) => c.name === request.query.class) : [];
    return reply.view('roll-call.njk', {
      view,
      shown: only.length ? only : view.classes,
      only: only.length ? only[0]!.name : null,
      classAnchor,
      csrfToken: request.csrfToken,
    });
  });

  app.post('/roll-call/:id/tick', { schema: { params: ID, body: TICK_BODY } }, async (request, reply) => {
    const actor = requireActor(request);
    const m = /^(yes|no):(.+)$/.exec(request.body.tick);
    if (!m)
      throw new AppError('VALIDATION', 'Choose a pupil to tick.', {
        fields: [{ field: 'tick', message: 'Choose a pupil to tick.' }],
      });
    await setPupilAccounted(deps, actor, { rollCallId: request.params.id, pupilId: m[2]!, accounted: m[1] === 'yes' });
    // The page's script asks for JSON; without it, back to the class on the list.
    if ((request.headers.accept ?? '').includes('application/json')) {
      const view = await rollCallView(deps, actor, request.params.id);
      return reply.send({ expected: view.expected, accounted: view.accounted, missing: view.missing.length });
    }
    const back = request.body.class ? `?class=${encodeURIComponent(request.body.class)}` : '';
    const anchor = request.body.class ? classAnchor(request.body.class) : 'missing';
    return reply.redirect(`/roll-call/${encodeURIComponent(request.params.id)}${back}#${anchor}`, 303);
  });

  app.post('/roll-call/:id/close', { schema: { params: ID, body: CSRF_ONLY } }, async (request, reply) => {
    const actor = requireActor(request);
    await closeRollCall(deps, actor, request.params.id);
    return reply.redirect(`/roll-call/${encodeURIComponent(request.params.id)}`, 303);
  });
  return Promise.resolve();
};
