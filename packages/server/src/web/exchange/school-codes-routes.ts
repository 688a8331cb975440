/**
 * The school's own attendance codes (issue 15, item 4): which national code each code of the
 * school's MIS stands for, applied when a marks file is imported (docs/mis-import.md).
 *
 *   GET  /school/codes          administrators (`?school=` for an administrator without a school)
 *   POST /school/codes          add or change a code (validated, every problem by field; audited)
 *   POST /school/codes/remove   remove a code (audited)
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireActor } from '../../http/auth-routes.js';
import type { Actor } from '../../services/authz.js';
import type { Deps } from '../../services/deps.js';
import { AppError, HTTP_STATUS, type FieldError } from '../../services/errors.js';
import {
  listSchoolCodes,
  NATIONAL_TARGETS,
  removeSchoolCode,
  setSchoolCode,
} from '../../services/exchange/import/school-codes.js';

const QUERY = z.object({ school: z.string().max(200).optional(), done: z.string().max(10).optional() });
const text = z.string().max(2_000).default('');
const BODY = z.object({ _csrf: z.string().optional(), schoolCode: text, code: text, meaning: text });
const REMOVE_BODY = z.object({ _csrf: z.string().optional(), schoolCode: text });

const BANNERS: Record<string, string> = {
  saved: 'Saved. Marks files imported from now on read this code as the national code it stands for.',
  removed: 'Removed. Marks already imported keep their national code.',
};

function schoolOf(actor: Actor, query: string | undefined): string {
  const id = actor.schoolId ?? query;
  if (!id) throw new AppError('FORBIDDEN', 'You do not have permission to do that.');
  return id;
}

async function render(
  deps: Deps,
  reply: FastifyReply,
  actor: Actor,
  schoolId: string,
  state: { form?: Record<string, string>; fields?: readonly FieldError[]; banner?: string | null },
): Promise<FastifyReply> {
  const { school, codes } = await listSchoolCodes(deps, actor, schoolId);
  const fields = state.fields ?? [];
  return reply.view('school-codes.njk', {
    schoolName: school.name,
    schoolUrn: school.urn,
    schoolQuery: actor.schoolId ? '' : `?school=${encodeURIComponent(schoolId)}`,
    codes,
    targets: NATIONAL_TARGETS,
    form: state.form ?? { schoolCode: '', code: '', meaning: '' },
    fieldErrors: Object.fromEntries(fields.map((f) => [f.field, f.message])),
    errors: fields.map((f) => ({ text: f.message, href: `#codes-${f.field}` })),
    banner: state.banner ?? null,
  });
}

export const schoolCodesRoutes: FastifyPluginAsync = (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { deps } = app;
  const back = (actor: Actor, schoolId: string, done: string): string =>
    `/school/codes?done=${done}${actor.schoolId ? '' : `&school=${encodeURIComponent(schoolId)}`}`;

  app.get('/school/codes', { schema: { querystring: QUERY } }, async (request, reply) => {
    const actor = requireActor(request);
    const done = request.query.done;
    return render(deps, reply, actor, schoolOf(actor, request.query.school), {
      banner: done ? (BANNERS[done] ?? null) : null,
    });
  });

  app.post('/school/codes', { schema: { querystring: QUERY, body: BODY } }, async (request, reply) => {
    const actor = requireActor(request);
    const schoolId = schoolOf(actor, request.query.school);
    const { _csrf: _ignored, ...form } = request.body;
    try {
      await setSchoolCode(deps, actor, { schoolId, ...form });
      return await reply.redirect(back(actor, schoolId, 'saved'), 303);
    } catch (e) {
      if (!(e instanceof AppError) || e.code !== 'VALIDATION') throw e;
      return render(deps, reply.code(HTTP_STATUS[e.code]), actor, schoolId, { form, fields: e.details.fields ?? [] });
    }
  });

  app.post('/school/codes/remove', { schema: { querystring: QUERY, body: REMOVE_BODY } }, async (request, reply) => {
    const actor = requireActor(request);
    const schoolId = schoolOf(actor, request.query.school);
    try {
      await removeSchoolCode(deps, actor, { schoolId, schoolCode: request.body.schoolCode });
      return await reply.redirect(back(actor, schoolId, 'removed'), 303);
    } catch (e) {
      if (!(e instanceof AppError) || e.code !== 'NOT_FOUND') throw e;
      return render(deps, reply.code(HTTP_STATUS[e.code]), actor, schoolId, { fields: e.details.fields ?? [] });
    }
  });
  return Promise.resolve();
};
