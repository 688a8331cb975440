/**
 * The school's details page: postal address, telephone, email, headteacher and attendance lead,
 * used by letters (`{{school.address}}`), PDF headers and the certificate's sign-off.
 *
 *   GET  /school/details   senior leaders and administrators (`?school=` for an administrator without a school)
 *   POST /school/details   save (validated, every problem by field; audited)
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireActor } from '../http/auth-routes.js';
import type { Actor } from '../services/authz.js';
import type { Deps } from '../services/deps.js';
import { AppError, HTTP_STATUS } from '../services/errors.js';
import {
  saveSchoolDetails,
  SCHOOL_DETAIL_FIELDS,
  viewSchoolDetails,
  type SchoolDetailField,
} from '../services/school-details.js';

const QUERY = z.object({ school: z.string().max(200).optional(), saved: z.string().max(10).optional() });
const text = z.string().max(2_000).default('');
const BODY = z.object({
  _csrf: z.string().optional(),
  address: text,
  postcode: text,
  phone: text,
  email: text,
  headteacherName: text,
  attendanceLeadName: text,
  estab: text,
});

type Form = Record<SchoolDetailField, string>;

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
  state: { form?: Form; fieldErrors?: Partial<Record<string, string>>; banner?: string | null },
): Promise<FastifyReply> {
  const d = await viewSchoolDetails(deps, actor, schoolId);
  const form: Form = state.form ?? {
    address: d.address ?? '',
    postcode: d.postcode ?? '',
    phone: d.phone ?? '',
    email: d.email ?? '',
    headteacherName: d.headteacherName ?? '',
    attendanceLeadName: d.attendanceLeadName ?? '',
    estab: d.estab ?? '',
  };
  const fieldErrors = state.fieldErrors ?? {};
  return reply.view('school-details.njk', {
    schoolName: d.name,
    laCode: d.laCode,
    schoolQuery: actor.schoolId ? '' : `?school=${encodeURIComponent(schoolId)}`,
    form,
    fieldErrors,
    errors: SCHOOL_DETAIL_FIELDS.filter((f) => fieldErrors[f]).map((f) => ({
      text: fieldErrors[f]!,
      href: `#school-${f}`,
    })),
    banner: state.banner ?? null,
  });
}

export const schoolDetailsRoutes: FastifyPluginAsync = (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { deps } = app;

  app.get('/school/details', { schema: { querystring: QUERY } }, async (request, reply) => {
    const actor = requireActor(request);
    const schoolId = schoolOf(actor, request.query.school);
    return render(deps, reply, actor, schoolId, {
      banner: request.query.saved ? 'The school details have been saved.' : null,
    });
  });

  app.post('/school/details', { schema: { querystring: QUERY, body: BODY } }, async (request, reply) => {
    const actor = requireActor(request);
    const schoolId = schoolOf(actor, request.query.school);
    const { _csrf: _ignored, ...form } = request.body;
    try {
      await saveSchoolDetails(deps, actor, schoolId, form);
      const q = actor.schoolId ? '' : `&school=${encodeURIComponent(schoolId)}`;
      return await reply.redirect(`/school/details?saved=1${q}`, 303);
    } catch (e) {
      if (!(e instanceof AppError) || e.code !== 'VALIDATION') throw e;
      const fields = e.details.fields ?? [];
      return render(deps, reply.code(HTTP_STATUS[e.code]), actor, schoolId, {
        form,
        fieldErrors: Object.fromEntries(fields.map((f) => [f.field, f.message])),
      });
    }
  });
  return Promise.resolve();
};
