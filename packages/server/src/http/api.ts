/**
 * The JSON API: the same operations as the pages, for integrations and the enhanced register.
 * Every route has zod schemas; the OpenAPI description is generated from them at
 * `/api/openapi.json`. Signed-in sessions use the session cookie and the `x-csrf-token` header;
 * other systems send `Authorization: Bearer <API key>` (no CSRF token: a header a browser never
 * sends by itself). A key with the `read` scope may use GET routes, `write` the others. See
 * docs/api.md.
 */
import fastifySwagger from '@fastify/swagger';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { findPupils, getPupilRecord } from '../services/pupils/pupils.js';
import {
  amendMark,
  getRegister,
  recordEarlyLeaver,
  recordLateArrival,
  registerBoard,
  saveRegister,
} from '../services/registers/registers.js';
import { resolveApiKey } from '../services/accounts/api-keys.js';
import { WEBHOOK_EVENT_SCHEMAS } from '../services/exchange/webhook-events.js';
import { censusCountsExport, dailyAttendanceExport } from '../services/exchange/exports/attendance-exports.js';
import { dfeDailyFile } from '../services/exchange/exports/dfe-returns.js';
import { rejectUnauthenticated, requireActor } from './auth-routes.js';
import {
  AUTH_ERRORS,
  BoardSchema,
  csvResponse,
  errorResponses,
  json,
  LateArrivalResultSchema,
  MarkCode,
  PlainDateInput,
  PupilRecordSchema,
  PupilSummarySchema,
  RegisterSchema,
  SaveRegisterResultSchema,
  Session,
  TimeOfDay,
  withoutUnusedComponents,
} from './api-schemas.js';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A CSV export as a download named by the service (every export of the API answers so). */
function sendCsvFile(reply: FastifyReply, out: { readonly fileName: string; readonly csv: string }): FastifyReply {
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${out.fileName}"`)
    .send(out.csv);
}

function apiError(code: string, message: string) {
  return { error: { code, message, fields: [] } };
}

const date = PlainDateInput;
const session = Session;
const time = TimeOfDay;
const code = MarkCode;

const registerParams = z.object({ groupId: z.string().min(1), date, session });
const markBody = z.object({
  pupilId: z.string().min(1),
  code,
  minutesLate: z.number().int().min(0).max(600).nullish(),
  reason: z.string().max(500).nullish(),
  seen: MarkCode.nullable()
    .optional()
    .describe(
      'The code this client showed for the pupil when it loaded the register (null: no mark). With it, a mark ' +
        'someone else wrote since (the office, a parent report) is kept when this save leaves the pupil as seen, ' +
        'and is a conflict (409) when this save changes the pupil too.',
    ),
  seenMinutes: z
    .number()
    .int()
    .min(0)
    .max(600)
    .nullable()
    .optional()
    .describe(
      'The minutes late this client showed for the pupil (null: none). Checked like `seen`: the office signing ' +
        'a pupil in late with other minutes is kept when this save leaves the pupil as seen.',
    ),
});

const SIGNATURE_DESCRIPTION =
  '`t=<unix seconds>,v1=<hex HMAC-SHA256>`: the HMAC of `t + "." + rawBody` keyed with the webhook’s secret. ' +
  'Recompute it over the bytes received, compare in constant time, and refuse a `t` more than 5 minutes old.';

/** The OpenAPI 3.1 `webhooks`: what Rollcall POSTs to a subscriber for each event (docs/webhooks.md). */
function webhookDescriptions() {
  const header = (name: string, description: string) => ({
    name,
    in: 'header' as const,
    required: true,
    description,
    schema: { type: 'string' as const },
  });
  return Object.fromEntries(
    Object.entries(WEBHOOK_EVENT_SCHEMAS).map(([event, schema]) => {
      const id = z.globalRegistry.get(schema)?.id ?? '';
      return [
        event,
        {
          post: {
            operationId: `${event.replace(/\.(\w)/, (_m, c: string) => c.toUpperCase())}Webhook`,
            tags: ['webhooks'],
            summary: `${event}: ${z.globalRegistry.get(schema)?.description ?? ''}`,
            description:
              'Sent to each subscription of the school that chose this event (`marks.changed`: those that chose ' +
              '`mark.changed`), signed; retried with exponential ' +
              'back-off (1 minute, doubling, 9 attempts) until the receiver answers 2xx. At least once: skip an ' +
              'event `id` already processed.',
            security: [],
            parameters: [
              header('Rollcall-Signature', SIGNATURE_DESCRIPTION),
              header('Rollcall-Event', `The event: \`${event}\``),
              header('Rollcall-Delivery', 'This delivery’s id (the same on each retry)'),
            ],
            requestBody: {
              required: true,
              content: { 'application/json': { schema: { $ref: `#/components/schemas/${id}` } } },
            },
            responses: {
              '2XX': { description: 'Accepted (the body is ignored)' },
              '4XX': { description: 'Refused: retried after the back-off, then given up' },
            },
          },
        },
      ];
    }),
  );
}

export const apiRoutes: FastifyPluginAsync = async (root) => {
  await root.register(
    async (api) => {
      await api.register(fastifySwagger, {
        openapi: {
          openapi: '3.1.0',
          info: {
            title: 'Rollcall API',
            version: '0.1.0',
            description:
              'School attendance for England: registers, office, pupils, exports. Every error answer has the ' +
              'one `Error` body. Dates are `YYYY-MM-DD`, moments ISO 8601 date-times in UTC. See docs/api.md.',
            license: { name: 'AGPL-3.0-or-later', identifier: 'AGPL-3.0-or-later' },
          },
          tags: [
            { name: 'registers', description: 'Session and lesson registers, the register board' },
            { name: 'office', description: 'The office desk: late arrivals, early leavers, amendments' },
            { name: 'pupils', description: 'Finding pupils and their records' },
            { name: 'exports', description: 'CSV files for the DfE and the census' },
            { name: 'webhooks', description: 'Events Rollcall sends to a school’s subscribers (docs/webhooks.md)' },
          ],
          webhooks: webhookDescriptions(),
          servers: [{ url: '/' }],
          components: {
            securitySchemes: {
              session: { type: 'apiKey', in: 'cookie', name: 'rollcall_session' },
              csrf: { type: 'apiKey', in: 'header', name: 'x-csrf-token' },
              apiKey: {
                type: 'http',
                scheme: 'bearer',
                description:
                  'An API key made by an administrator at /admin/api-keys: `Authorization: Bearer rk_…`. ' +
                  'It acts with its role at its school; scope `read` allows GET routes, `write` the others. ' +
                  'A revoked or unknown key is answered 401, a missing scope 403.',
              },
            },
          },
          security: [{ session: [], csrf: [] }, { apiKey: [] }],
        },
        transform: jsonSchemaTransform,
        transformObject: (document) => withoutUnusedComponents(jsonSchemaTransformObject(document)),
      });
      // The API authenticates its own requests (a session or an API key), so the app's session
      // hook lets them through and the hook below decides.
      api.addHook('onRoute', (route) => {
        route.config = { ...route.config, public: true };
      });
      api.addHook('onRequest', async (request, reply) => {
        if (request.routeOptions.url === '/api/openapi.json') return;
        const auth = request.headers.authorization;
        if (auth !== undefined && /^bearer /i.test(auth)) {
          const found = await resolveApiKey(api.deps, auth.slice(7).trim());
          if (!found) {
            return reply
              .code(401)
              .header('www-authenticate', 'Bearer')
              .send(apiError('UNAUTHENTICATED', 'The API key is not valid, or has been revoked.'));
          }
          const needs = READ_METHODS.has(request.method) ? 'read' : 'write';
          if (!found.key.scopes.includes(needs)) {
            return reply.code(403).send(apiError('FORBIDDEN', `This API key does not have the ${needs} scope.`));
          }
          request.actor = found.actor;
          request.csrfToken = null;
          return;
        }
        if (!request.actor) return rejectUnauthenticated(request, reply);
      });
      const app = api.withTypeProvider<ZodTypeProvider>();

      app.get('/openapi.json', { schema: { hide: true } }, () => api.swagger());

      app.get(
        '/registers/:groupId/:date/:session',
        {
          schema: {
            operationId: 'getRegister',
            tags: ['registers'],
            summary: 'A register with its pupils and marks',
            params: registerParams,
            querystring: z.object({ lessonId: z.string().optional() }),
            response: { 200: json('The register', RegisterSchema), ...errorResponses(...AUTH_ERRORS, 404, 409) },
          },
        },
        async (request) => {
          const view = await getRegister(api.deps, requireActor(request), {
            ...request.params,
            lessonId: request.query.lessonId,
          });
          return {
            group: view.group,
            date: view.date,
            session: view.session,
            lesson: view.lesson,
            window: view.window,
            state: view.state,
            version: view.version,
            takenAt: view.takenAt,
            takenBy: view.takenBy,
            canAmend: view.canAmend,
            pupils: [...view.pupils],
          };
        },
      );

      app.put(
        '/registers/:groupId/:date/:session',
        {
          schema: {
            operationId: 'saveRegister',
            tags: ['registers'],
            summary: "Save a register (atomic; 409 with the other person's changes if it was saved meanwhile)",
            description:
              'Saves every mark sent, or none. Answered 200 with the new version. When someone else saved the ' +
              'register since `version`, or wrote a mark this save changes since it was `seen`, nothing is saved and ' +
              'the answer is 409 with `error.conflict`: who saved, when, and which pupils they changed.',
            params: registerParams,
            body: z.object({
              version: z.number().int().min(0),
              lessonId: z.string().nullish(),
              marks: z.array(markBody).max(200),
            }),
            response: {
              200: json('Saved: the new version and how many marks changed', SaveRegisterResultSchema),
              ...errorResponses(...AUTH_ERRORS, 404, 409),
            },
          },
        },
        async (request) => saveRegister(api.deps, requireActor(request), { ...request.params, ...request.body }),
      );

      app.get(
        '/board',
        {
          schema: {
            operationId: 'getBoard',
            tags: ['registers'],
            summary: 'The register board for a school and date',
            querystring: z.object({ schoolId: z.string().optional(), date: date.optional() }),
            response: { 200: json('The board', BoardSchema), ...errorResponses(...AUTH_ERRORS, 404) },
          },
        },
        async (request) => {
          const actor = requireActor(request);
          const schoolId = request.query.schoolId ?? actor.schoolId ?? '';
          const board = await registerBoard(api.deps, actor, {
            schoolId,
            date: request.query.date ?? api.deps.clock.today(),
          });
          return { date: board.date, isSchoolDay: board.isSchoolDay, notTaken: board.notTaken, rows: [...board.rows] };
        },
      );

      app.post(
        '/late-arrivals',
        {
          schema: {
            operationId: 'recordLateArrival',
            tags: ['office'],
            summary: 'Sign in a late arrival (L before the close, U after)',
            response: {
              201: json('Recorded: the mark written and the minutes late', LateArrivalResultSchema),
              ...errorResponses(...AUTH_ERRORS, 404, 409),
            },
            body: z.object({
              pupilId: z.string().min(1),
              date,
              session,
              arrivedAt: time,
              reason: z.string().max(500).nullish(),
              keepAsLate: z.boolean().optional(),
            }),
          },
        },
        async (request, reply) =>
          reply.code(201).send(await recordLateArrival(api.deps, requireActor(request), request.body)),
      );

      app.post(
        '/early-leavers',
        {
          schema: {
            operationId: 'recordEarlyLeaver',
            tags: ['office'],
            summary: 'Sign out a pupil leaving early',
            response: {
              201: json('Recorded', z.object({ recorded: z.literal(true) })),
              ...errorResponses(...AUTH_ERRORS, 404, 409),
            },
            body: z.object({
              pupilId: z.string().min(1),
              date,
              leftAt: time,
              reason: z.string().min(1).max(500),
              collectedBy: z.string().max(200).nullish(),
            }),
          },
        },
        async (request, reply) => {
          await recordEarlyLeaver(api.deps, requireActor(request), request.body);
          return reply.code(201).send({ recorded: true });
        },
      );

      app.post(
        '/amendments',
        {
          schema: {
            operationId: 'amendMark',
            tags: ['office'],
            summary: 'Amend a session mark (with a reason; kept in the history)',
            response: {
              201: json('Amended: the change is in the mark history', z.object({ amended: z.literal(true) })),
              ...errorResponses(...AUTH_ERRORS, 404, 409),
            },
            body: z.object({
              pupilId: z.string().min(1),
              date,
              session,
              code,
              minutesLate: z.number().int().min(0).max(600).nullish(),
              reason: z.string().min(1).max(500),
            }),
          },
        },
        async (request, reply) => {
          await amendMark(api.deps, requireActor(request), request.body);
          return reply.code(201).send({ amended: true });
        },
      );

      app.get(
        '/pupils',
        {
          schema: {
            operationId: 'findPupils',
            tags: ['pupils'],
            summary: 'Find pupils by name or UPN',
            querystring: z.object({ q: z.string().min(1).max(100), schoolId: z.string().optional() }),
            response: {
              200: json('Pupils whose name or UPN matches', z.object({ pupils: z.array(PupilSummarySchema) })),
              ...errorResponses(...AUTH_ERRORS, 404),
            },
          },
        },
        async (request) => {
          const actor = requireActor(request);
          return {
            pupils: await findPupils(api.deps, actor, request.query.schoolId ?? actor.schoolId ?? '', request.query.q),
          };
        },
      );

      app.get(
        '/pupils/:id',
        {
          schema: {
            operationId: 'getPupilRecord',
            tags: ['pupils'],
            summary: "A pupil's record: measures, marks and history (audited)",
            params: z.object({ id: z.string().min(1) }),
            querystring: z.object({ asOf: date.optional() }),
            response: { 200: json("The pupil's record", PupilRecordSchema), ...errorResponses(...AUTH_ERRORS, 404) },
          },
        },
        async (request) => {
          const record = await getPupilRecord(api.deps, requireActor(request), request.params.id, request.query.asOf);
          const { school, ...rest } = record;
          return {
            ...rest,
            school: { id: school.id, name: school.name, urn: school.urn },
            contacts: record.contacts ? [...record.contacts] : null,
            findings: record.findings.map((f) => ({ ...f, sessions: f.sessions && [...f.sessions] })),
            days: [...record.days],
            history: [...record.history],
          };
        },
      );

      app.get(
        '/exports/daily-attendance',
        {
          config: { reauth: true },
          schema: {
            operationId: 'exportDailyAttendance',
            tags: ['exports'],
            summary:
              'Daily pupil-level attendance as CSV: one row per pupil on roll and school session of the day (docs/exports.md)',
            querystring: z.object({ schoolId: z.string().optional(), date }),
            response: {
              200: csvResponse('The DfE daily pupil-level file (docs/exports.md)'),
              ...errorResponses(...AUTH_ERRORS, 404),
            },
          },
        },
        async (request, reply) => {
          const actor = requireActor(request);
          const out = await dailyAttendanceExport(api.deps, actor, {
            schoolId: request.query.schoolId ?? actor.schoolId ?? '',
            date: request.query.date,
          });
          return sendCsvFile(reply, out);
        },
      );

      app.get(
        '/exports/dfe-daily',
        {
          config: { reauth: true },
          schema: {
            operationId: 'exportDfeDaily',
            tags: ['exports'],
            summary:
              "The DfE daily pupil-level file as CSV: every pupil item the DfE's daily collection holds, each session of the day and the last 7 days' changed codes (docs/exports.md)",
            querystring: z.object({ schoolId: z.string().optional(), date }),
            response: {
              200: csvResponse('The DfE daily pupil-level file with every pupil item (docs/exports.md)'),
              ...errorResponses(...AUTH_ERRORS, 404),
            },
          },
        },
        async (request, reply) => {
          const actor = requireActor(request);
          const out = await dfeDailyFile(api.deps, actor, {
            schoolId: request.query.schoolId ?? actor.schoolId ?? '',
            date: request.query.date,
          });
          return sendCsvFile(reply, out);
        },
      );

      app.get(
        '/exports/census-attendance',
        {
          config: { reauth: true },
          schema: {
            operationId: 'exportCensusAttendance',
            tags: ['exports'],
            summary: 'Termly census attendance counts per pupil as CSV, by term name or dates (docs/exports.md)',
            response: {
              200: csvResponse('Census attendance counts per pupil (docs/exports.md)'),
              ...errorResponses(...AUTH_ERRORS, 404),
            },
            querystring: z.object({
              schoolId: z.string().optional(),
              term: z.string().max(100).optional(),
              from: date.optional(),
              to: date.optional(),
            }),
          },
        },
        async (request, reply) => {
          const actor = requireActor(request);
          const q = request.query;
          const out = await censusCountsExport(api.deps, actor, {
            schoolId: q.schoolId ?? actor.schoolId ?? '',
            term: q.term,
            from: q.from,
            to: q.to,
          });
          return sendCsvFile(reply, out);
        },
      );
    },
    { prefix: '/api' },
  );
};
