/**
 * The scheduled jobs page (administrators): every job with its schedule, the latest runs with
 * what each did or its error, and running a job by hand for a date. A school's administrator
 * sees and runs the jobs for their own school alone; an installation administrator (no school)
 * sees every run and runs jobs for every school (services/duties/jobs/runner.ts).
 *
 *   GET  /admin/jobs
 *   POST /admin/jobs/run
 */
import { isPlainDate } from '@rollcall/domain';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireActor } from '../../http/auth-routes.js';
import { authorise, type Actor } from '../../services/authz.js';
import { AppError } from '../../services/errors.js';
import { jobRunsFor, jobsFor, runJob } from '../../services/duties/jobs/index.js';

function mayRunJobs(actor: Actor): void {
  authorise(actor, 'jobs.run', {
    kind: 'school',
    schoolId: actor.schoolId ?? '',
    trustId: actor.trustId,
    laCode: actor.laCode ?? '',
  });
}

const QUERY = z.object({ ran: z.string().max(200).optional(), outcome: z.string().max(40).optional() });
const RUN_BODY = z.object({
  _csrf: z.string().optional(),
  job: z.string().max(100),
  date: z.string().max(40).default(''),
});

const OUTCOMES: Record<string, string> = {
  done: 'done',
  alreadyDone: 'already done for that date: nothing was run again',
  busy: 'running elsewhere just now: nothing was run',
  failed: 'failed: see its error below',
};

export const jobsRoutes: FastifyPluginAsync = (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { deps } = app;

  app.get('/admin/jobs', { schema: { querystring: QUERY } }, async (request, reply) => {
    const actor = requireActor(request);
    mayRunJobs(actor);
    const runs = await jobRunsFor(deps, actor, { limit: 100 });
    const { jobs, installation } = jobsFor(actor);
    const { ran, outcome } = request.query;
    return reply.view('jobs.njk', {
      jobs,
      installation,
      runs: runs.map((r) => ({ ...r, summaryJson: r.summary ? JSON.stringify(r.summary, null, 1) : '' })),
      today: deps.clock.today(deps.config.timeZone),
      banner: ran && outcome ? `${ran}: ${OUTCOMES[outcome] ?? outcome}` : null,
    });
  });

  app.post('/admin/jobs/run', { schema: { body: RUN_BODY } }, async (request, reply) => {
    const actor = requireActor(request);
    mayRunJobs(actor);
    const date = request.body.date.trim() || deps.clock.today(deps.config.timeZone);
    if (!isPlainDate(date)) throw new AppError('VALIDATION', 'Enter the date as YYYY-MM-DD.');
    const { installation } = jobsFor(actor);
    const outcome = await runJob(deps, request.body.job, date, {
      trigger: 'manual',
      requestedBy: actor,
      schoolId: installation ? null : actor.schoolId,
    });
    return reply.redirect(
      `/admin/jobs?ran=${encodeURIComponent(`${request.body.job} for ${date}`)}&outcome=${outcome.status}`,
      303,
    );
  });
  return Promise.resolve();
};
