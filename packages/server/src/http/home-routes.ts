/**
 * The home page: where each role starts. A teacher sees today's registers for their groups,
 * the office the board and the office desk, attendance leads the board and pupil search,
 * governors aggregated figures, trust and local authority roles their schools, parents their
 * children, administrators the school's accounts.
 */
import type { FastifyPluginAsync } from 'fastify';
import { homeFor } from '../services/home.js';
import { requireActor } from './auth-routes.js';

export const homeRoutes: FastifyPluginAsync = (app) => {
  app.get('/', async (request, reply) => {
    const actor = requireActor(request);
    const home = await homeFor(app.deps, actor);
    return reply.view('home.njk', { home, role: actor.role });
  });
  return Promise.resolve();
};
