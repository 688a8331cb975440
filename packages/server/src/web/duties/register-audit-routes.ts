/**
 * The register audit page (`/register-audit?from=&to=`): every finding over the dates, grouped
 * by kind, each linked to the register or pupil to fix. Trust leads choose the school
 * (`&school=`). See docs/register-audit.md.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { addDays } from '@rollcall/domain';
import { getSchool, listSchools } from '../../services/school/schools.js';
import { requireActor } from '../../http/auth-routes.js';
import { can } from '../../services/authz.js';
import { AppError } from '../../services/errors.js';
import {
  FINDING_KINDS,
  FINDING_TITLES,
  runRegisterAudit,
} from '../../services/duties/register-audit/register-audit.js';

const QUERY = z.object({
  school: z.string().max(200).optional(),
  from: z.string().max(20).optional(),
  to: z.string().max(20).optional(),
});

export const registerAuditRoutes: FastifyPluginAsync = (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { deps } = app;

  app.get('/register-audit', { schema: { querystring: QUERY } }, async (request, reply) => {
    const actor = requireActor(request);
    const q = request.query;
    let schoolId = actor.schoolId ?? q.school ?? null;
    if (schoolId === null) {
      // Trust leads and installation administrators choose one of the schools they may audit.
      const schools = (await listSchools(deps.db)).filter((s) =>
        can(actor, 'registers.audit', { kind: 'school', ...s }),
      );
      if (schools.length === 0) throw new AppError('FORBIDDEN', 'You do not have permission to do that.');
      if (schools.length > 1) {
        return reply.view('admin-choose-school.njk', {
          pageTitle: 'Register audit',
          action: '/register-audit',
          schools,
        });
      }
      schoolId = schools[0]!.id;
    }
    const school = await getSchool(deps.db, schoolId);
    const today = deps.clock.today(school.timeZone);
    // Default: the last half term or so (six weeks to today).
    const to = q.to ?? today;
    const from = q.from ?? addDays(today, -42);
    try {
      const result = await runRegisterAudit(deps, actor, { schoolId, from, to });
      const sections = FINDING_KINDS.map((kind) => ({
        kind,
        title: FINDING_TITLES[kind],
        findings: result.findings.filter((f) => f.kind === kind),
      }));
      return await reply.view('register-audit.njk', {
        result,
        sections,
        from,
        to,
        chosenSchool: q.school ?? '',
        errors: [],
      });
    } catch (e) {
      if (!(e instanceof AppError) || e.code !== 'VALIDATION') throw e;
      return reply.code(400).view('register-audit.njk', {
        result: null,
        sections: [],
        from,
        to,
        chosenSchool: q.school ?? '',
        schoolName: school.name,
        errors: [{ text: e.message, href: '#audit-from' }],
      });
    }
  });
  return Promise.resolve();
};
