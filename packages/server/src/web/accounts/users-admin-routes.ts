/**
 * Account management for administrators (see services/accounts/accounts.ts and docs/accounts.md):
 *
 *   GET  /admin/users                     a school's accounts: filter by role, search by name or email, paged
 *                                         (`?school=` for an installation administrator; `school=none` for
 *                                         trust, local authority and installation administrator accounts)
 *   GET  /admin/users/new, POST            create an account with a temporary password (a teacher's groups too)
 *   GET  /admin/users/:id                  the account: edit, a parent's children, reset password, disable
 *   POST /admin/users/:id                  name, role, a teacher's groups
 *   POST /admin/users/:id/disable|enable   disabling ends every session of the account at once
 *   POST /admin/users/:id/password         a temporary password; the person must choose their own
 *   POST /admin/users/:id/children         link a child (a parent's account)
 *   POST /admin/users/:id/children/:pupilId/remove
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listSchools } from '../../services/school/schools.js';
import type { PupilSummary } from '../../services/pupils/pupils.js';
import { requireActor } from '../../http/auth-routes.js';
import {
  accountScope,
  ACCOUNTS_PAGE_SIZE,
  createAccount,
  findChildrenToLink,
  getAccount,
  groupsForNewAccount,
  isInstallationAdmin,
  linkChild,
  listAccounts,
  resetAccountPassword,
  rolesFor,
  setAccountDisabled,
  trustsForNewAccount,
  unlinkChild,
  updateAccount,
  type AccountScope,
} from '../../services/accounts/accounts.js';
import { MIN_PASSWORD_LENGTH } from '../../services/accounts/auth.js';
import { ROLE_LABELS, type Actor } from '../../services/authz.js';
import type { Deps } from '../../services/deps.js';
import { AppError, HTTP_STATUS, type FieldError } from '../../services/errors.js';

/** `school=none`: the accounts without a school. */
const NO_SCHOOL = 'none';

const id = z.string().min(1).max(200);
const text = z.string().max(1000).default('');
const password = z.string().max(1024).default('');
const many = z.union([z.string().max(200), z.array(z.string().max(200)).max(2000)]).optional();
const LIST_QUERY = z.object({
  school: z.string().max(200).optional(),
  role: z.string().max(40).optional(),
  q: z.string().max(200).optional(),
  page: z.coerce.number().int().min(1).max(100_000).optional(),
  done: z.string().max(40).optional(),
});
const NEW_QUERY = z.object({ school: z.string().max(200).optional() });
const NEW_BODY = z.object({
  _csrf: z.string().optional(),
  school: z.string().max(200).optional(),
  name: text,
  email: text,
  role: z.string().max(40).default(''),
  groups: many,
  trustId: z.string().max(200).optional(),
  laCode: z.string().max(20).optional(),
  password,
  confirmPassword: password,
});
const PARAMS = z.object({ id });
const CHILD_PARAMS = z.object({ id, pupilId: id });
const ACCOUNT_QUERY = z.object({ pupilq: z.string().max(100).optional(), done: z.string().max(40).optional() });
const EDIT_BODY = z.object({
  _csrf: z.string().optional(),
  name: text,
  role: z.string().max(40).optional(),
  groups: many,
});
const RESET_BODY = z.object({ _csrf: z.string().optional(), password, confirmPassword: password });
const CHILD_BODY = z.object({ _csrf: z.string().optional(), pupilId: z.string().max(200).default('') });
const EMPTY_BODY = z.object({ _csrf: z.string().optional() });

const BANNERS: Readonly<Record<string, string>> = {
  created:
    'Account created. Give the person their temporary password: they must choose their own when they first sign in.',
  'created-parent':
    'Account created. Choose the parent’s children below, then give them their temporary password: they must choose their own when they first sign in.',
  saved: 'Account details saved.',
  disabled: 'Account disabled. The person has been signed out everywhere and cannot sign in.',
  enabled: 'Account enabled. The person can sign in again.',
  reset:
    'Temporary password set. The person has been signed out everywhere and must choose their own password when they next sign in.',
  linked: 'Child linked to the account.',
  unlinked: 'Child removed from the account.',
};

function asList(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** The groups posted: the ticked ones and the one added (the "Add a group" select posts '' when none is chosen). */
function groupsOf(v: string | string[] | undefined): string[] {
  return [...new Set(asList(v).filter((g) => g !== ''))];
}

/** The scope a request is about: the administrator's own school, or the one an installation administrator chose. */
async function scopeOf(deps: Deps, actor: Actor, chosen: string | undefined): Promise<AccountScope | undefined> {
  if (actor.schoolId) return accountScope(deps, actor, actor.schoolId);
  if (!isInstallationAdmin(actor))
    throw new AppError('FORBIDDEN', 'You do not have permission to manage these accounts.');
  if (!chosen) return undefined;
  return accountScope(deps, actor, chosen === NO_SCHOOL ? null : chosen);
}

function scopeParam(scope: AccountScope): string {
  return scope.kind === 'school' ? scope.school.id : NO_SCHOOL;
}

function scopeName(scope: AccountScope): string {
  return scope.kind === 'school' ? scope.school.name : 'Trust, local authority and installation accounts';
}

interface Errors {
  errors: { text: string; href: string }[];
  fieldErrors: Record<string, string>;
}

/** The fields in the order the forms show them: the error summary lists problems in the same order. */
const FIELD_ORDER = ['name', 'email', 'role', 'groups', 'trustId', 'laCode', 'password', 'confirmPassword'];

function errorsOf(fields: readonly FieldError[], prefix: string, fallback: string): Errors {
  const fieldErrors: Record<string, string> = {};
  for (const f of fields) fieldErrors[f.field] ??= f.message;
  const rank = (f: FieldError) => (FIELD_ORDER.includes(f.field) ? FIELD_ORDER.indexOf(f.field) : FIELD_ORDER.length);
  const errors = [...fields]
    .sort((a, b) => rank(a) - rank(b))
    .map((f) => ({ text: f.message, href: `#${prefix}-${f.field}` }));
  if (errors.length === 0) errors.push({ text: fallback, href: `#${prefix}-name` });
  return { errors, fieldErrors };
}

function isShownError(e: unknown): e is AppError {
  return e instanceof AppError && (e.code === 'VALIDATION' || e.code === 'CONFLICT') && e.details.fields !== undefined;
}

// ---------------------------------------------------------------------------------------------
// Pages
// ---------------------------------------------------------------------------------------------

interface NewForm {
  name: string;
  email: string;
  role: string;
  groups: string[];
  trustId: string;
  laCode: string;
}

async function renderNew(
  deps: Deps,
  reply: FastifyReply,
  actor: Actor,
  scope: AccountScope,
  state: Partial<Errors> & { form?: NewForm } = {},
): Promise<FastifyReply> {
  const [groups, trusts] = await Promise.all([
    groupsForNewAccount(deps, actor, scope),
    scope.kind === 'wide' ? trustsForNewAccount(deps, actor) : Promise.resolve([]),
  ]);
  return reply.view('admin-users-new.njk', {
    scope: { kind: scope.kind, param: scopeParam(scope), name: scopeName(scope) },
    roles: rolesFor(scope).map((r) => ({ value: r, text: ROLE_LABELS[r] })),
    groups,
    trusts,
    minLength: MIN_PASSWORD_LENGTH,
    form: state.form ?? { name: '', email: '', role: '', groups: [], trustId: '', laCode: '' },
    errors: state.errors ?? [],
    fieldErrors: state.fieldErrors ?? {},
  });
}

interface AccountPageState {
  readonly banner?: string | null;
  /** Which form the errors belong to. */
  readonly failed?: 'edit' | 'reset' | 'status' | 'children';
  readonly errors?: { text: string; href: string }[];
  readonly fieldErrors?: Record<string, string>;
  readonly edit?: { name: string; role: string; groups: string[] };
  readonly pupilQuery?: string;
}

async function renderAccount(
  deps: Deps,
  reply: FastifyReply,
  actor: Actor,
  userId: string,
  state: AccountPageState = {},
): Promise<FastifyReply> {
  const a = await getAccount(deps, actor, userId);
  const pupilQuery = (state.pupilQuery ?? '').trim();
  const linked = new Set(a.children.map((c) => c.pupilId));
  const found: PupilSummary[] =
    a.user.role === 'parent' && pupilQuery !== '' ? await findChildrenToLink(deps, actor, userId, pupilQuery) : [];
  return reply.view('admin-users-account.njk', {
    account: a.user,
    roleLabel: a.roleLabel,
    self: a.self,
    scope: { kind: a.scope.kind, param: scopeParam(a.scope), name: scopeName(a.scope) },
    roles: rolesFor(a.scope).map((r) => ({ value: r, text: ROLE_LABELS[r] })),
    schoolGroups: a.schoolGroups,
    children: a.children,
    pupilQuery,
    found: found.map((p) => ({ ...p, linked: linked.has(p.id) })),
    edit: state.edit ?? { name: a.user.name, role: a.user.role, groups: [...a.groupIds] },
    minLength: MIN_PASSWORD_LENGTH,
    banner: state.banner ?? null,
    failed: state.failed ?? null,
    errors: state.errors ?? [],
    fieldErrors: state.fieldErrors ?? {},
  });
}

function accountHref(userId: string, done: string): string {
  return `/admin/users/${encodeURIComponent(userId)}?done=${done}`;
}

export const usersAdminRoutes: FastifyPluginAsync = (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { deps } = app;

  app.get('/admin/users', { schema: { querystring: LIST_QUERY } }, async (request, reply) => {
    const actor = requireActor(request);
    const q = request.query;
    const scope = await scopeOf(deps, actor, q.school);
    if (!scope) {
      return reply.view('admin-users-choose.njk', { schools: await listSchools(deps.db), noSchool: NO_SCHOOL });
    }
    const role = q.role ?? '';
    const query = (q.q ?? '').trim();
    const list = await listAccounts(deps, actor, {
      schoolId: scope.kind === 'school' ? scope.school.id : null,
      role,
      query,
      page: q.page,
    });
    const params = new URLSearchParams({
      ...(actor.schoolId ? {} : { school: scopeParam(scope) }),
      ...(role ? { role } : {}),
      ...(query ? { q: query } : {}),
    });
    const href = (page: number) =>
      `/admin/users?${new URLSearchParams([...params, ['page', String(page)]]).toString()}`;
    const first = list.total === 0 ? 0 : (list.page - 1) * ACCOUNTS_PAGE_SIZE + 1;
    return reply.view('admin-users.njk', {
      scope: { kind: scope.kind, param: scopeParam(scope), name: scopeName(scope) },
      chooseAnother: actor.schoolId === null,
      rows: list.rows,
      total: list.total,
      first,
      last: first === 0 ? 0 : first + list.rows.length - 1,
      roles: rolesFor(scope).map((r) => ({ value: r, text: ROLE_LABELS[r], selected: r === role })),
      filters: { role, q: query },
      nextHref: list.page < list.pages ? href(list.page + 1) : null,
      prevHref: list.page > 1 ? href(list.page - 1) : null,
      banner: null,
    });
  });

  app.get('/admin/users/new', { schema: { querystring: NEW_QUERY } }, async (request, reply) => {
    const actor = requireActor(request);
    const scope = await scopeOf(deps, actor, request.query.school);
    if (!scope) return reply.redirect('/admin/users', 303);
    return renderNew(deps, reply, actor, scope);
  });

  app.post('/admin/users/new', { schema: { body: NEW_BODY } }, async (request, reply) => {
    const actor = requireActor(request);
    const b = request.body;
    const scope = await scopeOf(deps, actor, b.school);
    if (!scope) throw new AppError('VALIDATION', 'Choose a school.');
    const form: NewForm = {
      name: b.name,
      email: b.email,
      role: b.role,
      groups: groupsOf(b.groups),
      trustId: b.trustId ?? '',
      laCode: b.laCode ?? '',
    };
    try {
      const user = await createAccount(deps, actor, {
        schoolId: scope.kind === 'school' ? scope.school.id : null,
        email: form.email,
        name: form.name,
        role: form.role,
        password: b.password,
        confirmPassword: b.confirmPassword,
        groupIds: form.groups,
        trustId: form.trustId || undefined,
        laCode: form.laCode || undefined,
      });
      return await reply.redirect(accountHref(user.id, user.role === 'parent' ? 'created-parent' : 'created'), 303);
    } catch (e) {
      if (!isShownError(e)) throw e;
      reply.code(HTTP_STATUS[e.code]);
      return renderNew(deps, reply, actor, scope, {
        form,
        ...errorsOf(e.details.fields ?? [], 'new', e.message),
      });
    }
  });

  app.get('/admin/users/:id', { schema: { params: PARAMS, querystring: ACCOUNT_QUERY } }, async (request, reply) => {
    const done = request.query.done;
    return renderAccount(deps, reply, requireActor(request), request.params.id, {
      banner: done ? (BANNERS[done] ?? null) : null,
      pupilQuery: request.query.pupilq ?? '',
    });
  });

  app.post('/admin/users/:id', { schema: { params: PARAMS, body: EDIT_BODY } }, async (request, reply) => {
    const actor = requireActor(request);
    const b = request.body;
    const edit = { name: b.name, role: b.role ?? '', groups: groupsOf(b.groups) };
    try {
      await updateAccount(deps, actor, request.params.id, { name: edit.name, role: b.role, groupIds: edit.groups });
      return await reply.redirect(accountHref(request.params.id, 'saved'), 303);
    } catch (e) {
      if (!isShownError(e)) throw e;
      reply.code(HTTP_STATUS[e.code]);
      return renderAccount(deps, reply, actor, request.params.id, {
        failed: 'edit',
        edit,
        ...errorsOf(e.details.fields ?? [], 'edit', e.message),
      });
    }
  });

  for (const [path, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    app.post(`/admin/users/:id/${path}`, { schema: { params: PARAMS, body: EMPTY_BODY } }, async (request, reply) => {
      const actor = requireActor(request);
      try {
        await setAccountDisabled(deps, actor, request.params.id, disabled);
        return await reply.redirect(accountHref(request.params.id, disabled ? 'disabled' : 'enabled'), 303);
      } catch (e) {
        if (!isShownError(e)) throw e;
        reply.code(HTTP_STATUS[e.code]);
        return renderAccount(deps, reply, actor, request.params.id, {
          failed: 'status',
          errors: [{ text: e.message, href: '#status' }],
          fieldErrors: { status: e.message },
        });
      }
    });
  }

  app.post('/admin/users/:id/password', { schema: { params: PARAMS, body: RESET_BODY } }, async (request, reply) => {
    const actor = requireActor(request);
    try {
      await resetAccountPassword(deps, actor, request.params.id, {
        password: request.body.password,
        confirmPassword: request.body.confirmPassword,
      });
      return await reply.redirect(accountHref(request.params.id, 'reset'), 303);
    } catch (e) {
      if (!isShownError(e)) throw e;
      reply.code(HTTP_STATUS[e.code]);
      return renderAccount(deps, reply, actor, request.params.id, {
        failed: 'reset',
        ...errorsOf(e.details.fields ?? [], 'reset', e.message),
      });
    }
  });

  app.post('/admin/users/:id/children', { schema: { params: PARAMS, body: CHILD_BODY } }, async (request, reply) => {
    await linkChild(deps, requireActor(request), request.params.id, request.body.pupilId);
    return reply.redirect(accountHref(request.params.id, 'linked'), 303);
  });

  app.post(
    '/admin/users/:id/children/:pupilId/remove',
    { schema: { params: CHILD_PARAMS, body: EMPTY_BODY } },
    async (request, reply) => {
      await unlinkChild(deps, requireActor(request), request.params.id, request.params.pupilId);
      return reply.redirect(accountHref(request.params.id, 'unlinked'), 303);
    },
  );

  return Promise.resolve();
};
