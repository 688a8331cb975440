/**
 * The school's details page: postal address, telephone, email, headteacher and attendance lead,
 * used by letters (`{{school.address}}`), PDF headers and the certificate's sign-off.
 *
 *   GET  /school/details   senior leaders and administrators (`?school=` for an administrator without a school)
 *   POST /school/details   save (validated, every problem by field; audited)
 *   GET  /school/details/logo          the stored logo (for the page)
 *   POST /school/details/logo          upload a logo: multipart, PNG or JPEG, checked; audited
 *   POST /school/details/logo/remove   remove it; audited
 */
import fastifyMultipart, { type MultipartFile } from '@fastify/multipart';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireActor } from '../../http/auth-routes.js';
import type { Actor } from '../../services/authz.js';
import type { Deps } from '../../services/deps.js';
import { AppError, HTTP_STATUS } from '../../services/errors.js';
import { checkImage, IMAGE_MAX_BYTES } from '../../platform/images.js';
import {
  removeSchoolLogo,
  saveSchoolDetails,
  saveSchoolLogo,
  SCHOOL_DETAIL_FIELDS,
  viewSchoolDetails,
  viewSchoolLogo,
  type LogoUpload,
  type SchoolDetailField,
} from '../../services/school/school-details.js';

const QUERY = z.object({
  school: z.string().max(200).optional(),
  saved: z.string().max(10).optional(),
  logo: z.enum(['saved', 'removed']).optional(),
});
const SCHOOL_QUERY = z.object({ school: z.string().max(200).optional() });
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
  state: {
    form?: Form;
    fieldErrors?: Partial<Record<string, string>>;
    banner?: string | null;
    logoError?: string | null;
  },
): Promise<FastifyReply> {
  const d = await viewSchoolDetails(deps, actor, schoolId);
  const stored = await viewSchoolLogo(deps, actor, schoolId);
  const checked = stored ? checkImage(stored.bytes) : null;
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
  const logoError = state.logoError ?? null;
  return reply.view('school-details.njk', {
    logo: stored
      ? {
          type: stored.type === 'image/jpeg' ? 'JPEG' : 'PNG',
          size: checked?.ok ? `${checked.width} × ${checked.height} pixels` : '',
          kb: Math.max(1, Math.round(stored.bytes.length / 1024)),
        }
      : null,
    logoError,
    logoMaxKb: IMAGE_MAX_BYTES / 1024,
    schoolName: d.name,
    laCode: d.laCode,
    schoolQuery: actor.schoolId ? '' : `?school=${encodeURIComponent(schoolId)}`,
    form,
    fieldErrors,
    errors: [
      ...SCHOOL_DETAIL_FIELDS.filter((f) => fieldErrors[f]).map((f) => ({
        text: fieldErrors[f]!,
        href: `#school-${f}`,
      })),
      ...(logoError ? [{ text: logoError, href: '#school-logo' }] : []),
    ],
    banner: state.banner ?? null,
  });
}

/**
 * A file part read into memory, up to the limit (busboy stops reading there and marks it
 * truncated): the body's `logo` is then a {@link LogoUpload}.
 */
async function readLogoPart(part: MultipartFile): Promise<void> {
  const bytes = await part.toBuffer();
  const upload: LogoUpload = { bytes, truncated: part.file.truncated };
  part.value = upload;
}

function isLogoUpload(v: unknown): v is LogoUpload {
  return typeof v === 'object' && v !== null && Buffer.isBuffer((v as LogoUpload).bytes);
}

const BANNERS: Record<string, string> = {
  saved: 'The logo has been saved: it is printed at the top right of every letter from now on.',
  removed: 'The logo has been removed: letters are printed without one from now on.',
};

export const schoolDetailsRoutes: FastifyPluginAsync = async (fastify) => {
  // Multipart forms only on these routes (the logo upload). The fields and the file land in the
  // body, so the CSRF check (a preHandler) finds `_csrf` there as for every other form.
  await fastify.register(fastifyMultipart, {
    attachFieldsToBody: 'keyValues',
    onFile: readLogoPart,
    throwFileSizeLimit: false,
    limits: { fileSize: IMAGE_MAX_BYTES, files: 1, fields: 4, parts: 5, fieldSize: 1_000 },
  });
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { deps } = app;

  app.get('/school/details', { schema: { querystring: QUERY } }, async (request, reply) => {
    const actor = requireActor(request);
    const schoolId = schoolOf(actor, request.query.school);
    return render(deps, reply, actor, schoolId, {
      banner: request.query.logo
        ? BANNERS[request.query.logo]!
        : request.query.saved
          ? 'The school details have been saved.'
          : null,
    });
  });

  app.get('/school/details/logo', { schema: { querystring: SCHOOL_QUERY } }, async (request, reply) => {
    const actor = requireActor(request);
    const logo = await viewSchoolLogo(deps, actor, schoolOf(actor, request.query.school));
    if (!logo) throw new AppError('NOT_FOUND', 'The school has no logo.');
    return reply.type(logo.type).header('content-disposition', 'inline').send(logo.bytes);
  });

  app.post('/school/details/logo', { schema: { querystring: SCHOOL_QUERY } }, async (request, reply) => {
    const actor = requireActor(request);
    const schoolId = schoolOf(actor, request.query.school);
    const q = actor.schoolId ? '' : `&school=${encodeURIComponent(schoolId)}`;
    const body: unknown = request.body;
    const file = body && typeof body === 'object' ? (body as { logo?: unknown }).logo : undefined;
    try {
      await saveSchoolLogo(deps, actor, schoolId, isLogoUpload(file) ? file : null);
      return await reply.redirect(`/school/details?logo=saved${q}`, 303);
    } catch (e) {
      if (!(e instanceof AppError) || e.code !== 'VALIDATION') throw e;
      return render(deps, reply.code(HTTP_STATUS[e.code]), actor, schoolId, {
        logoError: e.details.fields?.[0]?.message ?? e.message,
      });
    }
  });

  app.post('/school/details/logo/remove', { schema: { querystring: SCHOOL_QUERY } }, async (request, reply) => {
    const actor = requireActor(request);
    const schoolId = schoolOf(actor, request.query.school);
    await removeSchoolLogo(deps, actor, schoolId);
    const q = actor.schoolId ? '' : `&school=${encodeURIComponent(schoolId)}`;
    return reply.redirect(`/school/details?logo=removed${q}`, 303);
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
};
