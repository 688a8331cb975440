/**
 * Returns to the local authority: the list, each return with its pupils and evidence, CSV and PDF
 * downloads, preparing returns now, and marking a return sent (who and when are recorded).
 *
 *   GET  /returns                 office (view), attendance officer, senior leader, admin
 *   POST /returns/prepare         attendance officer, senior leader, admin
 *   GET  /returns/:id             view, with the pupils (audited)
 *   GET  /returns/:id/csv|pdf     downloads
 *   POST /returns/:id/sent        mark sent
 *   POST /returns/ctf             write a pupil's Common Transfer File (a download; recorded and audited)
 *   POST /returns/ctf/:exportId/sent  mark a CTF written as sent (uploaded to School to School; audited)
 */
import { isPlainDate } from '@rollcall/domain';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireActor } from '../../http/auth-routes.js';
import { can, type Actor } from '../../services/authz.js';
import { AppError, HTTP_STATUS } from '../../services/errors.js';
import { getSchool } from '../../services/school/schools.js';
import { returnDeadlines } from '../../services/duties/returns/deadlines.js';
import { returnCsv, returnFileName, returnPdf } from '../../services/duties/returns/export.js';
import { ctfsDue, exportCtf, markCtfSent, upnOfPupil } from '../../services/exchange/exports/ctf.js';
import {
  getReturn,
  listReturns,
  markReturnSent,
  prepareReturns,
  RETURN_KINDS,
  RETURN_TITLES,
} from '../../services/duties/returns/returns.js';

function schoolOf(actor: Actor, query: string | undefined): string {
  const id = actor.schoolId ?? query;
  if (!id) throw new AppError('FORBIDDEN', 'You do not have permission to do that.');
  return id;
}

const PARAMS = z.object({ id: z.string().min(1).max(200) });
const LIST_QUERY = z.object({
  school: z.string().max(200).optional(),
  prepared: z.string().max(10).optional(),
  ctfSent: z.string().max(10).optional(),
});
const PREPARE_BODY = z.object({
  _csrf: z.string().optional(),
  school: z.string().max(200).optional(),
  asOf: z.string().max(40).default(''),
});
const SENT_BODY = z.object({ _csrf: z.string().optional(), note: z.string().max(2000).default('') });
const DETAIL_QUERY = z.object({ sent: z.string().max(10).optional() });
const CTF_SENT_PARAMS = z.object({ exportId: z.string().min(1).max(200) });
const CTF_SENT_BODY = z.object({ _csrf: z.string().optional(), school: z.string().max(200).optional() });
const CTF_BODY = z.object({
  _csrf: z.string().optional(),
  school: z.string().max(200).optional(),
  pupilId: z.string().min(1).max(200),
  destination: z.string().max(20).default(''),
});

export const returnsRoutes: FastifyPluginAsync = (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { deps } = app;

  app.get('/returns', { schema: { querystring: LIST_QUERY } }, async (request, reply) => {
    const actor = requireActor(request);
    const schoolId = schoolOf(actor, request.query.school);
    const returns = await listReturns(deps, actor, schoolId);
    const deadlines = await returnDeadlines(deps, actor, schoolId, returns);
    const school = await getSchool(deps.db, schoolId);
    const prepared = request.query.prepared;
    const today = deps.clock.today(school.timeZone);
    const schoolScope = { kind: 'school' as const, schoolId, trustId: school.trustId, laCode: school.laCode };
    return reply.view('returns.njk', {
      school,
      ctfsDue: await ctfsDue(deps, actor, schoolId, today),
      canExport: can(actor, 'school.export', schoolScope),
      returns: returns.map((r) => ({ ...r, title: RETURN_TITLES[r.kind], deadline: deadlines.get(r.id) ?? null })),
      missed: [...deadlines.values()].filter((d) => d.state === 'missed').length,
      kinds: RETURN_KINDS.map((k) => ({ kind: k, title: RETURN_TITLES[k] })),
      canManage: can(actor, 'duties.manage', {
        kind: 'school',
        schoolId,
        trustId: school.trustId,
        laCode: school.laCode,
      }),
      today: deps.clock.today(school.timeZone),
      banner:
        request.query.ctfSent !== undefined
          ? 'The Common Transfer File is recorded as sent.'
          : prepared === undefined
            ? null
            : prepared === '0'
              ? 'Nothing new to return: every pupil due is already in a return.'
              : `Prepared ${prepared} return${prepared === '1' ? '' : 's'}. Check each and mark it sent once it has gone to the local authority.`,
      errors: [],
    });
  });

  app.post('/returns/ctf', { schema: { body: CTF_BODY } }, async (request, reply) => {
    const actor = requireActor(request);
    const schoolId = schoolOf(actor, request.body.school);
    const school = await getSchool(deps.db, schoolId);
    const upn = await upnOfPupil(deps, schoolId, request.body.pupilId);
    const destination = request.body.destination.trim();
    const out = await exportCtf(deps, actor, {
      schoolId,
      upns: [upn],
      destination: destination === '' ? undefined : destination,
      today: deps.clock.today(school.timeZone),
    });
    return reply
      .type('application/xml; charset=utf-8')
      .header('content-disposition', `attachment; filename="${out.fileName}"`)
      .send(out.xml);
  });

  app.post(
    '/returns/ctf/:exportId/sent',
    { schema: { params: CTF_SENT_PARAMS, body: CTF_SENT_BODY } },
    async (request, reply) => {
      const actor = requireActor(request);
      const schoolId = schoolOf(actor, request.body.school);
      await markCtfSent(deps, actor, { schoolId, exportId: request.params.exportId });
      const q = actor.schoolId ? '' : `&school=${encodeURIComponent(schoolId)}`;
      return reply.redirect(`/returns?ctfSent=1${q}`, 303);
    },
  );

  app.post('/returns/prepare', { schema: { body: PREPARE_BODY } }, async (request, reply) => {
    const actor = requireActor(request);
    const schoolId = schoolOf(actor, request.body.school);
    const school = await getSchool(deps.db, schoolId);
    const asOf = request.body.asOf.trim() || deps.clock.today(school.timeZone);
    if (!isPlainDate(asOf)) throw new AppError('VALIDATION', 'Enter the date as YYYY-MM-DD.');
    const prepared = await prepareReturns(deps, actor, { schoolId, asOf });
    const q = actor.schoolId ? '' : `&school=${encodeURIComponent(schoolId)}`;
    return reply.redirect(`/returns?prepared=${prepared.length}${q}`, 303);
  });

  app.get('/returns/:id', { schema: { params: PARAMS, querystring: DETAIL_QUERY } }, async (request, reply) => {
    const actor = requireActor(request);
    const r = await getReturn(deps, actor, request.params.id);
    return reply.view('return.njk', {
      r,
      title: RETURN_TITLES[r.kind],
      canManage: can(actor, 'duties.manage', {
        kind: 'school',
        schoolId: r.school.id,
        trustId: r.school.trustId,
        laCode: r.school.laCode,
      }),
      banner: request.query.sent ? 'Marked as sent to the local authority.' : null,
      errors: [],
    });
  });

  app.get('/returns/:id/csv', { config: { reauth: true }, schema: { params: PARAMS } }, async (request, reply) => {
    const actor = requireActor(request);
    const r = await getReturn(deps, actor, request.params.id);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${returnFileName(r, 'csv')}"`)
      .send(returnCsv(r));
  });

  app.get('/returns/:id/pdf', { schema: { params: PARAMS } }, async (request, reply) => {
    const actor = requireActor(request);
    const r = await getReturn(deps, actor, request.params.id);
    return reply
      .type('application/pdf')
      .header('content-disposition', `attachment; filename="${returnFileName(r, 'pdf')}"`)
      .send(await returnPdf(r));
  });

  app.post('/returns/:id/sent', { schema: { params: PARAMS, body: SENT_BODY } }, async (request, reply) => {
    const actor = requireActor(request);
    try {
      await markReturnSent(deps, actor, { returnId: request.params.id, note: request.body.note });
    } catch (e) {
      if (!(e instanceof AppError) || e.code !== 'CONFLICT') throw e;
      reply.code(HTTP_STATUS[e.code]);
      const r = await getReturn(deps, actor, request.params.id);
      return reply.view('return.njk', {
        r,
        title: RETURN_TITLES[r.kind],
        canManage: true,
        banner: null,
        errors: [{ text: e.message, href: '#sent-note' }],
      });
    }
    return reply.redirect(`/returns/${encodeURIComponent(request.params.id)}?sent=1`, 303);
  });
  return Promise.resolve();
};
