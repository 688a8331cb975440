/**
 * Long on purpose: one Fastify application builder: security headers, forms, cookies,
 * sessions, CSRF, the error handler and the 404 page are registered in an order that matters, which
 * splitting would scatter.
 *
 * The web application: security headers, forms, cookies, static assets, Nunjucks pages with
 * GOV.UK Frontend and MOJ Frontend, sessions, CSRF, one error handler and the 404 page.
 * `buildApp` never listens; `main` does. Other resources add their pages and API routes as
 * plugins through `routes`, without editing this file:
 *
 *   const app = await buildApp(deps, { routes: [registerRoutes, boardRoutes] });
 *
 * Inside a plugin: `app.deps` is the {@link Deps}; `request.actor` is the signed-in actor (every
 * route requires one unless its config says `public: true`); `reply.view(template, context)`
 * renders a page from `src/web/views` with the layout's context (user, navigation, CSRF token).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import fastifyStatic from '@fastify/static';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyPluginAsync,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import helmet from 'helmet';
import nunjucks from 'nunjucks';
import { academicYearOf, dateInWords, isPlainDate } from '@rollcall/domain';
import { localDateTime } from '../platform/clock.js';
import { resolveSession, retryAfterSeconds, SESSION_COOKIE } from '../services/accounts/auth.js';
import { can, ROLE_LABELS, type Action, type Actor, type Resource } from '../services/authz.js';
import type { Deps } from '../services/deps.js';
import { AppError, HTTP_STATUS, type FieldError } from '../services/errors.js';
import { cleanText } from '../services/text-safety.js';
import {
  authRoutes,
  clearSessionCookie,
  holdUntilMfa,
  holdUntilPasswordChanged,
  holdUntilReauthenticated,
  isApiRequest,
  rejectUnauthenticated,
  secureCookies,
} from './auth-routes.js';
import { homeRoutes } from './home-routes.js';
import { mfaRoutes } from '../web/accounts/mfa-routes.js';
import { ssoRoutes } from '../web/accounts/sso-routes.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** What services are built from: use it in route plugins (`app.deps`). */
    deps: Deps;
    /** Every route registered (method and URL pattern; HEAD left out). */
    routeTable: readonly { readonly method: string; readonly url: string }[];
  }
  interface FastifyRequest {
    /** The signed-in actor; null only on public routes (others redirect or answer 401 first). */
    actor: Actor | null;
    /** The session's CSRF token, to put in forms as `_csrf`; null without a session. */
    csrfToken: string | null;
    /** The account's password was set by an administrator: only the password page may be used. */
    mustChangePassword: boolean;
    /** The session owes a second factor ('verify') or setting one up ('enrol'): only those pages work. */
    mfaPending: 'verify' | 'enrol' | null;
    /** The session's id (the hash of its cookie), null without a session. */
    sessionId: string | null;
    /** When the person last proved who they are in this session (re-authentication). */
    authenticatedAt: string | null;
  }
  interface FastifyReply {
    /** Renders a page from src/web/views with the layout's context merged under `context`. */
    view(template: string, context?: Record<string, unknown>): FastifyReply;
  }
  interface FastifyContextConfig {
    /** The route may be used without signing in (sign-in page, health check). */
    public?: boolean;
    /**
     * The route exports personal data in bulk: a person signed in with a session must have proved
     * who they are (password or second factor) within the last few minutes (services/accounts/mfa.ts).
     */
    reauth?: boolean;
  }
}

export interface BuildAppOptions {
  /** Route plugins registered after the shell (pages and API routes of each resource). */
  readonly routes?: readonly FastifyPluginAsync[];
  /**
   * Fastify's `trustProxy`: set it when Rollcall runs behind a reverse proxy, so that
   * `request.ip` (used to throttle sign-in) is the client's address, not the proxy's.
   */
  readonly trustProxy?: boolean | string | string[];
}

// The package root is two levels up from both src/http (vitest) and dist/http (node).
const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const VIEWS_DIR = join(PACKAGE_ROOT, 'src', 'web', 'views');
export const PUBLIC_DIR = join(PACKAGE_ROOT, 'public');
const requireFrom = createRequire(import.meta.url);
const GOVUK_DIST = join(dirname(requireFrom.resolve('govuk-frontend/package.json')), 'dist');
const MOJ_ROOT = dirname(requireFrom.resolve('@ministryofjustice/frontend/package.json'));

/** What /assets/ serves of the two frontends: fonts, images, the manifest, the compiled CSS and JS. */
const ASSET_PATH = /^\/(?:(?:fonts|images)\/[\w.-]+|manifest\.json|(?:govuk|moj)-frontend\.min\.(?:css|js)(?:\.map)?)$/;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export const SERVICE_NAME = 'Rollcall';

function isStaticRequest(request: FastifyRequest): boolean {
  return request.url.startsWith('/assets/') || request.url.startsWith('/public/');
}

function pathOf(request: FastifyRequest): string {
  const q = request.url.indexOf('?');
  return q === -1 ? request.url : request.url.slice(0, q);
}

/**
 * The hash of the one inline script of the GOV.UK page template (it adds the `js-enabled` and
 * `govuk-frontend-supported` classes), read from the installed template so that an upgrade
 * that changes it cannot silently break the CSP.
 */
function govukInlineScriptHash(): string {
  const template = readFileSync(join(GOVUK_DIST, 'govuk', 'template.njk'), 'utf8');
  const m = /<script[^>]*>([^<]+)<\/script>/.exec(template);
  if (!m?.[1]) throw new Error('govuk-frontend template.njk: inline script not found (update the CSP in http/app.ts)');
  return `'sha256-${createHash('sha256').update(m[1]).digest('base64')}'`;
}

// ---------------------------------------------------------------------------------------------
// What the layout shows a user: permission flags and the service navigation.
// ---------------------------------------------------------------------------------------------

export interface Permissions {
  /** Take registers (a teacher: for their own groups). */
  readonly takeRegisters: boolean;
  readonly viewBoard: boolean;
  /** Late arrivals and early leavers. */
  readonly office: boolean;
  /** The unexplained-absence worklist (first-day calls, home visits). */
  readonly worklist: boolean;
  /** Decide leave-of-absence requests (the headteacher or a delegate). */
  readonly leaveDecisions: boolean;
  /** The casework list and case records (attendance officers, SENCO, senior leaders). */
  readonly casework: boolean;
  /** The school's letter templates (attendance officers, senior leaders, admins). */
  readonly letters: boolean;
  readonly pupilSearch: boolean;
  readonly aggregates: boolean;
  readonly administer: boolean;
  /** Trust and local authority roles: several schools. */
  readonly schools: boolean;
  /** The register audit: school staff who may, and trust leads (who choose a school). */
  readonly registerAudit?: boolean;
  /** The school's details: address, headteacher, attendance lead (senior leaders, admins). */
  readonly schoolDetails?: boolean;
  /** Returns to the local authority and the admission register. */
  readonly duties: boolean;
  /** Scheduled jobs (administrators). */
  readonly jobs: boolean;
  /** The school's attendance policy document (stages, bands, letters). */
  readonly policy: boolean;
  /** The emergency roll call: who is on site now. */
  readonly rollCall?: boolean;
  /** The designated safeguarding lead's alerts (DSL and deputies). */
  readonly safeguardingAlerts?: boolean;
  /** The outbox of texts and emails (`messages.view`). */
  readonly messages?: boolean;
  /** A local authority officer's pupils: those the LA has a reason to see (services/safeguarding.ts). */
  readonly laPupils?: boolean;
}

/**
 * What the navigation offers, from the policy applied to the actor's own school. Trust and
 * local authority roles work across schools and start from their list of schools.
 */
export function permissionsFor(actor: Actor): Permissions {
  const acrossSchools = actor.schoolId === null && actor.role !== 'admin';
  const own: Resource = {
    kind: 'school',
    schoolId: actor.schoolId ?? '',
    trustId: actor.trustId,
    laCode: actor.laCode ?? '',
  };
  const may = (action: Action): boolean => !acrossSchools && can(actor, action, own);
  return {
    takeRegisters: actor.role === 'teacher' ? actor.groupIds.size > 0 : may('register.take'),
    viewBoard: may('register.viewBoard'),
    office: may('office.signInOut'),
    worklist: may('mark.amend'),
    leaveDecisions: may('mark.amend') && (actor.role === 'senior_leader' || actor.role === 'admin'),
    casework: may('casework.view'),
    letters: may('letter.editTemplates'),
    pupilSearch: may('school.viewPupilLists'),
    aggregates: may('school.viewAggregates'),
    administer: may('school.administer'),
    schools: acrossSchools,
    registerAudit: may('registers.audit') || (acrossSchools && actor.role === 'trust_lead'),
    duties: may('duties.view'),
    jobs: may('jobs.run'),
    policy: may('policy.edit'),
    schoolDetails: may('school.editDetails'),
    rollCall: may('rollcall.take'),
    safeguardingAlerts: may('safeguarding.lead'),
    messages: may('messages.view'),
    laPupils: actor.role === 'la_officer' && actor.laCode !== null,
  };
}

export interface NavItem {
  readonly text: string;
  readonly href: string;
  readonly current: boolean;
}

export function navigationFor(permissions: Permissions, path: string): NavItem[] {
  const items: [boolean, string, string][] = [
    [true, 'Home', '/'],
    [permissions.safeguardingAlerts === true, 'Safeguarding alerts', '/dsl'],
    [permissions.takeRegisters, 'Registers', '/registers'],
    [permissions.viewBoard, 'Register board', '/board'],
    [permissions.office, 'Office', '/office'],
    [permissions.rollCall === true, 'Roll call', '/roll-call'],
    [permissions.worklist, 'Absence follow-up', '/worklist'],
    [permissions.worklist, 'Parents’ reports', '/absence-reports'],
    [permissions.leaveDecisions, 'Leave requests', '/leave'],
    [permissions.casework, 'Casework', '/casework'],
    [permissions.pupilSearch, 'Pupils', '/pupils'],
    [permissions.letters, 'Letters', '/school/letters'],
    [permissions.aggregates || permissions.schools, 'Attendance figures', '/analysis'],
    [permissions.laPupils === true, 'My pupils', '/la/pupils'],
    [permissions.policy, 'Attendance policy', '/school/policy'],
    [permissions.schoolDetails === true, 'School details', '/school/details'],
    [permissions.duties, 'LA returns', '/returns'],
    [permissions.duties, 'Admission register', '/admissions'],
    [permissions.administer, 'Accounts', '/admin/users'],
    [permissions.administer, 'Audit log', '/admin/audit'],
    [permissions.administer, 'Sign-in security', '/admin/sign-in-security'],
    [permissions.jobs, 'Scheduled jobs', '/admin/jobs'],
    [permissions.registerAudit === true, 'Register audit', '/register-audit'],
    [permissions.administer, 'API keys', '/admin/api-keys'],
    [permissions.administer, 'Webhooks', '/admin/webhooks'],
    [permissions.administer, 'School codes', '/school/codes'],
  ];
  return items
    .filter(([shown]) => shown)
    .map(([, text, href]) => ({
      text,
      href,
      current: href === '/' ? path === '/' : path === href || path.startsWith(`${href}/`),
    }));
}

// ---------------------------------------------------------------------------------------------
// Views
// ---------------------------------------------------------------------------------------------

/** 'YYYY-MM-DD' → 'Monday 8 September 2025' (the GOV.UK style: no commas, whatever ICU says); anything else unchanged. */
export function longDate(value: unknown): unknown {
  return typeof value === 'string' && isPlainDate(value) ? dateInWords(value, { weekday: true }) : value;
}

/**
 * An instant (ISO 8601 UTC) as local time in words: '2026-11-25T10:30:00.000Z' → '25 November
 * 2026 at 10:30' in the school's zone (Europe/London by default); anything else unchanged.
 */
export function localTime(value: unknown, timeZone = 'Europe/London'): unknown {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) return value;
  const when = new Date(value);
  if (Number.isNaN(when.getTime())) return value;
  const l = localDateTime(value, timeZone);
  return `${dateInWords(l.date)} at ${l.time}`;
}

/**
 * A policy's source, or a casework explanation, in plain words: the internal names of the seed
 * policies Rollcall's presets were read from ("seed 003 …") become "the school’s written policy
 * …", and dates read as dates ('2026-10-16' → '16 October 2026') (issue 17: no internal keys).
 */
export function plainSource(value: unknown): unknown {
  return typeof value === 'string'
    ? value
        .replace(/\b(?:policy )?seeds? 0\d\d\b:?/g, 'the school’s written policy')
        .replace(/\b\d{4}-\d{2}-\d{2}\b(?!T)/g, (d) => (isPlainDate(d) ? dateInWords(d) : d))
    : value;
}

/**
 * The period a figure covers, said the same way on every analysis page (issue 17: consistent
 * period labels): '1 September 2025 to 19 December 2025 (school year 2025/26)', or without a
 * start 'the school year 2025/26 to 19 December 2025'. Anything that is not a date is left as it is.
 */
export function period(from: unknown, to: unknown): unknown {
  if (typeof to !== 'string' || !isPlainDate(to)) return to;
  const year = academicYearOf(to);
  if (typeof from !== 'string' || !isPlainDate(from)) return `the school year ${year.label} to ${dateInWords(to)}`;
  return `${dateInWords(from)} to ${dateInWords(to)} (school year ${year.label})`;
}

/**
 * Nunjucks's `trim`, which every GOV.UK component applies to the HTML it is given (a table's,
 * a tab's, a summary card's), is `str.replace(/^\s*|\s*$/g, '')`: the expression is tried at
 * every character, and at each one inside a run of spaces it scans to the run's end, so a large
 * block costs time in proportion to its length times its indentation (2 ms for 450 KB of
 * indented table rows; 13% of the pupil page's server time, bench d's profile, 7 December 2026).
 * `String.prototype.trim` removes the same characters (JavaScript's `\s` is exactly its white
 * space and line terminators) from the two ends only. A safe (already escaped) string stays safe.
 */
export function trim(str: unknown): unknown {
  const trimmed = String.prototype.trim.call(str);
  return str instanceof nunjucks.runtime.SafeString ? new nunjucks.runtime.SafeString(trimmed) : trimmed;
}

/** The Nunjucks environment: our views first, then the GOV.UK and MOJ macros. */
export function createViews(options: { noCache: boolean }): nunjucks.Environment {
  const loader = new nunjucks.FileSystemLoader([VIEWS_DIR, GOVUK_DIST, MOJ_ROOT], { noCache: options.noCache });
  const env = new nunjucks.Environment(loader, { autoescape: true });
  env.addFilter('trim', trim);
  env.addFilter('longDate', longDate);
  env.addFilter('localTime', localTime);
  env.addFilter('plainSource', plainSource);
  env.addFilter('period', period);
  env.addGlobal('serviceName', SERVICE_NAME);
  return env;
}

function layoutContext(request: FastifyRequest): Record<string, unknown> {
  const actor = request.actor;
  const permissions = actor ? permissionsFor(actor) : null;
  return {
    currentPath: pathOf(request),
    csrfToken: request.csrfToken,
    user: actor ? { id: actor.userId, name: actor.name, role: actor.role, roleLabel: ROLE_LABELS[actor.role] } : null,
    can: permissions ?? {},
    navigation: permissions ? navigationFor(permissions, pathOf(request)) : [],
  };
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

const GENERIC_500 = 'Sorry, there is a problem with the service. Try again later.';

const TITLES: Record<number, string> = {
  400: 'There is a problem with the request',
  401: 'You need to sign in',
  403: 'You cannot do that',
  404: 'Page not found',
  409: 'Someone else changed this',
  414: 'The address is too long',
  429: 'Too many attempts',
  431: 'The request headers are too large',
  503: 'Sorry, the service is unavailable',
};

/** How long a client is asked to wait (Retry-After, seconds) when the disk is full. */
export const DISK_FULL_RETRY_AFTER_SECONDS = 300;

const DISK_FULL_MESSAGE =
  'Rollcall cannot save anything at the moment because the server has run out of storage space; nothing was changed. Try again later, and tell your administrator.';

/**
 * A full disk, however the database or the file system says it: SQLite's SQLITE_FULL (also
 * when the database reached its maximum size), Node's ENOSPC, PostgreSQL's 53100 (disk_full).
 */
export function isDiskFull(error: unknown): boolean {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === '53100') return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** Sends an error as JSON under /api/ and as the error page elsewhere; never a stack trace. */
function sendError(
  reply: FastifyReply,
  status: number,
  code: string,
  message: string,
  fields: readonly FieldError[] = [],
  conflict?: Record<string, unknown>,
): FastifyReply {
  const request = reply.request;
  reply.code(status);
  if (isApiRequest(request)) return reply.send({ error: { code, message, fields, ...(conflict ? { conflict } : {}) } });
  try {
    return reply.view('error.njk', {
      status,
      title: TITLES[status] ?? (status >= 500 ? 'Sorry, there is a problem with the service' : 'There is a problem'),
      message,
    });
  } catch (e) {
    request.log.error({ err: e }, 'error page failed to render');
    return reply.type('text/plain; charset=utf-8').send(status >= 500 ? GENERIC_500 : message);
  }
}

function validationFields(
  validation: readonly { instancePath?: string; message?: string }[],
  context: string | undefined,
): FieldError[] {
  return validation.map((v) => ({
    field: (v.instancePath ?? '').replace(/^\//, '').replaceAll('/', '.') || context || 'request',
    message: v.message ?? 'Invalid value',
  }));
}

/**
 * What a refused register save says about the other save (who, when, which pupils): the API
 * answers it in `error.conflict` (docs/api.md).
 */
function conflictDetails(error: AppError): Record<string, unknown> | undefined {
  if (error.code !== 'CONFLICT' || typeof error.details.savedBy !== 'string') return undefined;
  const { version, savedBy, savedAt, changes } = error.details;
  return { version, savedBy, savedAt, changes };
}

function handleError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof AppError) {
    const status = HTTP_STATUS[error.code];
    request.log.info({ code: error.code, status }, 'request refused');
    if (error.code === 'UNAUTHENTICATED' && !isApiRequest(request)) return rejectUnauthenticated(request, reply);
    if (error.code === 'TOO_MANY_ATTEMPTS') reply.header('retry-after', String(retryAfterSeconds(error)));
    return sendError(reply, status, error.code, error.message, error.details.fields, conflictDetails(error));
  }
  const e = error as { validation?: unknown; validationContext?: string; statusCode?: unknown };
  if (Array.isArray(e.validation)) {
    const fields = validationFields(e.validation as { instancePath?: string; message?: string }[], e.validationContext);
    return sendError(reply, 400, 'VALIDATION', 'There is a problem with what was sent: check each field.', fields);
  }
  if (isDiskFull(error)) {
    request.log.error({ err: error }, 'disk full');
    reply.header('retry-after', String(DISK_FULL_RETRY_AFTER_SECONDS));
    return sendError(reply, 503, 'UNAVAILABLE', DISK_FULL_MESSAGE);
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    // Fastify's own refusals (malformed body, too large, wrong content type): no internals.
    request.log.info({ status: e.statusCode, err: error }, 'request refused');
    const code = e.statusCode === 404 ? 'NOT_FOUND' : e.statusCode === 414 ? 'URI_TOO_LONG' : 'BAD_REQUEST';
    return sendError(reply, e.statusCode, code, TITLES[e.statusCode] ?? 'There is a problem with the request');
  }
  request.log.error({ err: error }, 'unhandled error');
  return sendError(reply, 500, 'INTERNAL', GENERIC_500);
}

/**
 * What Fastify answers itself, before any route or hook: a malformed address (400) or a path
 * parameter over the length limit (414). Answered in the app's error shape, like every error.
 */
function frameworkErrorHandler(views: () => nunjucks.Environment | null) {
  return (error: { statusCode?: number }, request: FastifyRequest, reply: FastifyReply): void => {
    const status = error.statusCode === 414 ? 414 : 400;
    const code = status === 414 ? 'URI_TOO_LONG' : 'BAD_REQUEST';
    const message = TITLES[status]!;
    request.log.info({ status, err: error }, 'request refused by the router');
    reply.code(status);
    const env = views();
    // The router answers before the app's reply decorations exist: render the page directly.
    if (isApiRequest(request) || !env) {
      void reply.send({ error: { code, message, fields: [] } });
      return;
    }
    const html = env.render('error.njk', { ...layoutContext(request), status, title: message, message });
    void reply.type('text/html; charset=utf-8').send(html);
  };
}

/**
 * What Node's HTTP parser refuses before Fastify sees a request (headers too large, a
 * malformed request line, a timeout): the app's JSON error shape on the raw socket.
 */
function handleClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'TIMEOUT', 'The request took too long to arrive.']
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'BAD_REQUEST', TITLES[431]!]
        : err.code === 'HPE_URI_TOO_LONG' || err.code === 'HPE_HEADER_OVERFLOW_URI'
          ? [414, 'URI_TOO_LONG', TITLES[414]!]
          : [400, 'BAD_REQUEST', TITLES[400]!];
  const body = JSON.stringify({ error: { code, message, fields: [] } });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Bad Request'}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  414: 'URI Too Long',
  431: 'Request Header Fields Too Large',
};

/**
 * Text from outside (form fields, JSON bodies, query strings, path parameters) without NUL,
 * control characters or bidi overrides (services/text-safety.ts). Passwords are left exactly as
 * typed: changing one would lock its owner out.
 */
function cleanInput(value: unknown, key = '', depth = 0): unknown {
  if (typeof value === 'string') return /password/i.test(key) ? value : cleanText(value);
  if (depth > 20 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => cleanInput(v, key, depth + 1));
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value; // a Buffer or a stream: not text
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = cleanInput(v, k, depth + 1);
  return out;
}

/** The host (and port) a browser's Origin header names, or null when it names none. */
function originHost(origin: string): string | null {
  if (origin === 'null') return null;
  try {
    return new URL(origin).host.toLowerCase();
  } catch {
    return null;
  }
}

function constantTimeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function csrfSent(request: FastifyRequest): string | undefined {
  const header = request.headers['x-csrf-token'];
  if (typeof header === 'string' && header !== '') return header;
  const body = request.body;
  if (body && typeof body === 'object' && '_csrf' in body) {
    const value = (body as { _csrf?: unknown })._csrf;
    if (typeof value === 'string') return value;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// The app
// ---------------------------------------------------------------------------------------------

export async function buildApp(deps: Deps, options: BuildAppOptions = {}): Promise<FastifyInstance> {
  // Typed as Fastify's logger so the app is a plain FastifyInstance for route plugins.
  const loggerInstance: FastifyBaseLogger = deps.logger;
  let pageViews: nunjucks.Environment | null = null;
  const app = Fastify({
    loggerInstance,
    trustProxy: options.trustProxy ?? false,
    frameworkErrors: frameworkErrorHandler(() => pageViews),
    clientErrorHandler: handleClientError,
  });
  // The route table, for the route-level authorisation test (http/route-authz.test.ts).
  const routeTable: { method: string; url: string }[] = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) if (method !== 'HEAD') routeTable.push({ method, url: route.url });
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorate('deps', deps);
  app.decorateRequest('actor', null);
  app.decorateRequest('csrfToken', null);
  app.decorateRequest('mustChangePassword', false);
  app.decorateRequest('mfaPending', null);
  app.decorateRequest('sessionId', null);
  app.decorateRequest('authenticatedAt', null);

  const secure = secureCookies(deps.config);
  // The security headers (helmet), built once: @fastify/helmet built helmet's middleware afresh
  // for every request (parsing and checking the policy's directives each time, ~30 µs of the
  // 8:50 rush's CPU a save); the headers sent are the same.
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", govukInlineScriptHash()],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'"],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        objectSrc: ["'none'"],
        // Only over HTTPS: on plain-HTTP development servers it would break every asset.
        ...(secure ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    frameguard: { action: 'deny' },
    strictTransportSecurity: secure,
  });
  app.addHook('onRequest', (request, reply, done) => {
    securityHeaders(request.raw, reply.raw, (error?: unknown) => done(error instanceof Error ? error : undefined));
  });
  await app.register(fastifyFormbody);
  await app.register(fastifyCookie);

  await app.register(fastifyStatic, {
    root: [
      join(GOVUK_DIST, 'govuk', 'assets'),
      join(MOJ_ROOT, 'moj', 'assets'),
      join(GOVUK_DIST, 'govuk'),
      join(MOJ_ROOT, 'moj'),
    ],
    prefix: '/assets/',
    allowedPath: (pathname) => ASSET_PATH.test(pathname),
    index: false,
    maxAge: '1d',
  });
  await app.register(fastifyStatic, { root: PUBLIC_DIR, prefix: '/public/', decorateReply: false, index: false });

  const views = createViews({ noCache: deps.config.reloadTemplates });
  pageViews = views;
  app.decorateReply('view', function (this: FastifyReply, template: string, context: Record<string, unknown> = {}) {
    const html = views.render(template, { ...layoutContext(this.request), ...context });
    return this.type('text/html; charset=utf-8').send(html);
  });

  // Who is asking: the session cookie becomes request.actor; without one, only public routes.
  app.addHook('onRequest', async (request, reply) => {
    if (isStaticRequest(request)) return;
    const token = request.cookies[SESSION_COOKIE];
    const session = token ? await resolveSession(deps, token) : undefined;
    if (token && !session) clearSessionCookie(reply, deps.config);
    request.actor = session?.actor ?? null;
    request.csrfToken = session?.csrfToken ?? null;
    request.mustChangePassword = session?.mustChangePassword ?? false;
    request.mfaPending = session?.mfaPending ?? null;
    request.sessionId = session?.sessionId ?? null;
    request.authenticatedAt = session?.authenticatedAt ?? null;
    if (!request.actor && request.routeOptions.config.public !== true) return rejectUnauthenticated(request, reply);
    // The second factor comes before anything else, changing a temporary password included.
    if (request.mfaPending) return holdUntilMfa(request, reply, request.mfaPending);
    if (request.mustChangePassword) return holdUntilPasswordChanged(request, reply);
    if (request.routeOptions.config.reauth === true && request.sessionId !== null)
      return holdUntilReauthenticated(request, reply, deps.clock.now());
  });

  // Every state-changing request made with a session must carry its CSRF token. Browsers that
  // say a request comes from another site are refused outright (which also stops a cross-site
  // form signing someone in to an account of the attacker's).
  app.addHook('preHandler', (request, _reply, done) => {
    if (SAFE_METHODS.has(request.method)) return done();
    const refuse = (reason: string) => {
      request.log.warn({ url: pathOf(request), reason }, 'cross-site request refused');
      done(new AppError('FORBIDDEN', 'This form has expired. Go back, reload the page and try again.', { reason }));
    };
    const site = request.headers['sec-fetch-site'];
    if (site === 'cross-site') return refuse('cross-site');
    // A browser without Fetch Metadata (older, or a privacy setting) still says where a form
    // came from in Origin: one from another site is refused too, which guards the sign-in form
    // (no session, so no CSRF token yet). API calls with a key carry no ambient credentials.
    const origin = request.headers.origin;
    if (site === undefined && origin !== undefined && !/^bearer /i.test(request.headers.authorization ?? '')) {
      if (originHost(origin) !== originHost(`${request.protocol}://${request.host}`)) return refuse('origin');
    }
    if (request.csrfToken === null) return done();
    const sent = csrfSent(request);
    if (sent === undefined || !constantTimeEqual(sent, request.csrfToken)) return refuse('csrf');
    done();
  });

  // Input without NUL, control characters or bidi overrides, before any route reads it.
  app.addHook('preValidation', (request, _reply, done) => {
    if (request.body !== undefined && request.body !== null) request.body = cleanInput(request.body);
    request.query = cleanInput(request.query);
    request.params = cleanInput(request.params);
    done();
  });

  // Signed-in pages are not kept by the browser's cache (nor shown again after signing out).
  app.addHook('onSend', (request, reply, payload, done) => {
    if (request.actor && !isStaticRequest(request)) reply.header('cache-control', 'no-store');
    done(null, payload);
  });

  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) =>
    isApiRequest(request) ? sendError(reply, 404, 'NOT_FOUND', 'Not found') : reply.code(404).view('not-found.njk'),
  );

  app.get('/healthz', { config: { public: true } }, () => ({ status: 'ok' }));
  // No favicon of our own yet; answer rather than redirect to the sign-in page.
  app.get('/favicon.ico', { config: { public: true } }, (_request, reply) => reply.code(204).send());

  await app.register(authRoutes);
  await app.register(mfaRoutes);
  await app.register(ssoRoutes);
  await app.register(homeRoutes);
  for (const routes of options.routes ?? []) await app.register(routes);
  return app;
}
