/**
 * Administration for integrations and privacy: API keys (`/admin/api-keys`: create one, seen
 * once; revoke), the audit log search (`/admin/audit`: who viewed and changed what, by user,
 * pupil, action and dates) and a pupil's subject access export (`/pupils/:id/subject-access`:
 * everything held, as a JSON download, audited). See docs/api.md and docs/privacy.md.
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { getSchool, listSchools } from '../../services/school/schools.js';
import { requireActor } from '../../http/auth-routes.js';
import {
  API_KEY_ROLES,
  API_SCOPES,
  createApiKey,
  listApiKeys,
  revokeApiKey,
} from '../../services/accounts/api-keys.js';
import { searchAudit } from '../../services/accounts/audit-search.js';
import { ROLE_LABELS, type Actor } from '../../services/authz.js';
import type { Deps } from '../../services/deps.js';
import { AppError, type FieldError } from '../../services/errors.js';
import { subjectAccessExport } from '../../services/pupils/subject-access.js';

const text = z.string().max(1000).optional();
const SCHOOL_QUERY = z.object({ school: z.string().max(200).optional(), revoked: z.string().max(10).optional() });
const CREATE_BODY = z.object({
  _csrf: z.string().optional(),
  school: text,
  name: z.string().max(1000).default(''),
  role: z.string().max(100).default(''),
  scopes: z.union([z.string(), z.array(z.string())]).optional(),
});
const REVOKE_BODY = z.object({ _csrf: z.string().optional(), school: text });
const AUDIT_QUERY = z.object({
  school: text,
  user: text,
  pupil: text,
  action: text,
  from: text,
  to: text,
  page: z.coerce.number().int().min(1).max(100_000).optional(),
});

/** The school the page is about: the admin's own, or (an installation administrator) the one chosen. */
async function schoolFor(deps: Deps, actor: Actor, chosen: string | undefined): Promise<string | null> {
  if (actor.schoolId) return actor.schoolId;
  if (chosen) return (await getSchool(deps.db, chosen)).id;
  return null;
}

function errorsOf(fields: readonly FieldError[], prefix: string) {
  const fieldErrors: Record<string, string> = {};
  for (const f of fields) fieldErrors[f.field] ??= f.message;
  return { errors: fields.map((f) => ({ text: f.message, href: `#${prefix}-${f.field}` })), fieldErrors };
}

interface KeysState {
  created?: { name: string; secret: string };
  errors?: { text: string; href: string }[];
  fieldErrors?: Record<string, string>;
  form?: { name: string; role: string; scopes: string[] };
  banner?: string | null;
}

async function renderKeys(
  deps: Deps,
  reply: FastifyReply,
  actor: Actor,
  chosen: string | undefined,
  state: KeysState = {},
): Promise<FastifyReply> {
  const schoolId = await schoolFor(deps, actor, chosen);
  if (schoolId === null) {
    if (actor.role !== 'admin') throw new AppError('FORBIDDEN', 'You do not have permission to do that.');
    return reply.view('admin-choose-school.njk', {
      pageTitle: 'API keys',
      action: '/admin/api-keys',
      schools: await listSchools(deps.db),
    });
  }
  const [school, keys] = await Promise.all([getSchool(deps.db, schoolId), listApiKeys(deps, actor, schoolId)]);
  return reply.view('admin-api-keys.njk', {
    school,
    keys,
    roles: API_KEY_ROLES.map((r) => ({ value: r, text: ROLE_LABELS[r] })),
    roleLabels: ROLE_LABELS,
    scopes: API_SCOPES,
    created: state.created ?? null,
    errors: state.errors ?? [],
    fieldErrors: state.fieldErrors ?? {},
    form: state.form ?? { name: '', role: 'office', scopes: ['read'] },
    banner: state.banner ?? null,
  });
}

export const adminRoutes: FastifyPluginAsync = (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { deps } = app;

  app.get('/admin/api-keys', { schema: { querystring: SCHOOL_QUERY } }, async (request, reply) =>
    renderKeys(deps, reply, requireActor(request), request.query.school, {
      banner: request.query.revoked ? 'The key was revoked: requests using it are now refused' : null,
    }),
  );

  app.post('/admin/api-keys', { schema: { body: CREATE_BODY } }, async (request, reply) => {
    const actor = requireActor(request);
    const b = request.body;
    const scopes = b.scopes === undefined ? [] : Array.isArray(b.scopes) ? b.scopes : [b.scopes];
    const schoolId = await schoolFor(deps, actor, b.school);
    if (schoolId === null) throw new AppError('VALIDATION', 'Choose a school.');
    try {
      const { key, secret } = await createApiKey(deps, actor, { schoolId, name: b.name, role: b.role, scopes });
      return await renderKeys(deps, reply, actor, b.school, { created: { name: key.name, secret } });
    } catch (e) {
      if (!(e instanceof AppError) || e.code !== 'VALIDATION' || !e.details.fields) throw e;
      return renderKeys(deps, reply.code(400), actor, b.school, {
        ...errorsOf(e.details.fields, 'key'),
        form: { name: b.name, role: b.role, scopes },
      });
    }
  });

  app.post(
    '/admin/api-keys/:id/revoke',
    { schema: { params: z.object({ id: z.string().min(1).max(200) }), body: REVOKE_BODY } },
    async (request, reply) => {
      await revokeApiKey(deps, requireActor(request), request.params.id);
      const school = request.body.school ? `&school=${encodeURIComponent(request.body.school)}` : '';
      return reply.redirect(`/admin/api-keys?revoked=1${school}`, 303);
    },
  );

  app.get('/admin/audit', { schema: { querystring: AUDIT_QUERY } }, async (request, reply) => {
    const actor = requireActor(request);
    const q = request.query;
    const schoolId = await schoolFor(deps, actor, q.school);
    if (schoolId === null) {
      if (actor.role !== 'admin') throw new AppError('FORBIDDEN', 'You do not have permission to do that.');
      return reply.view('admin-choose-school.njk', {
        pageTitle: 'Audit log',
        action: '/admin/audit',
        schools: await listSchools(deps.db),
      });
    }
    const filters = {
      user: q.user ?? '',
      pupil: q.pupil ?? '',
      action: q.action ?? '',
      from: q.from ?? '',
      to: q.to ?? '',
    };
    const school = await getSchool(deps.db, schoolId);
    const params = new URLSearchParams({ ...filters, ...(q.school ? { school: q.school } : {}) });
    try {
      const result = await searchAudit(deps, actor, { schoolId, ...filters, page: q.page });
      return await reply.view('admin-audit.njk', {
        school,
        result,
        filters,
        errors: [],
        fieldErrors: {},
        nextHref: result.more ? `/admin/audit?${params.toString()}&page=${result.page + 1}` : null,
        prevHref: result.page > 1 ? `/admin/audit?${params.toString()}&page=${result.page - 1}` : null,
      });
    } catch (e) {
      if (!(e instanceof AppError) || e.code !== 'VALIDATION' || !e.details.fields) throw e;
      return reply.code(400).view('admin-audit.njk', {
        school,
        result: { rows: [], page: 1, more: false, actions: [] },
        filters,
        ...errorsOf(e.details.fields, 'audit'),
        nextHref: null,
        prevHref: null,
      });
    }
  });

  app.get(
    '/pupils/:id/subject-access',
    { config: { reauth: true }, schema: { params: z.object({ id: z.string().min(1).max(200) }) } },
    async (request, reply) => {
      const out = await subjectAccessExport(deps, requireActor(request), request.params.id);
      const name = `subject-access-${out.about.upn || out.about.pupilId}-${out.exportedAt.slice(0, 10)}.json`;
      return reply
        .type('application/json; charset=utf-8')
        .header('content-disposition', `attachment; filename="${name}"`)
        .send(JSON.stringify(out, null, 2));
    },
  );

  return Promise.resolve();
};
