/**
 * A pupil's integration period (`/pupils/:pupilId/integration`): the policy's default period,
 * the one recorded for the pupil, both attendance rates, and a form to record or extend the
 * period (attendance officer, SENCO, senior leader, administrator; audited). Errors name the field.
 */
import { dateInWords } from '@rollcall/domain';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireActor } from '../../http/auth-routes.js';
import { can, type Actor } from '../../services/authz.js';
import type { Deps } from '../../services/deps.js';
import { AppError, HTTP_STATUS } from '../../services/errors.js';
import {
  integrationView,
  pupilAdjustedAttendance,
  recordIntegrationPeriod,
} from '../../services/pupils/integration-periods.js';
import { pupilResource, type PupilRecord } from '../../services/pupils/pupils.js';

export interface AdjustedSection {
  readonly actual: string;
  readonly adjusted: string;
  /** The period left out, in words; null when the pupil has none (joined before the calendar). */
  readonly period: { readonly from: string; readonly to: string } | null;
  readonly recorded: boolean;
  readonly explanation: string;
  /** The integration page, for those who may record the period. */
  readonly href: string | null;
}

/**
 * The pupil page's line "Actual attendance X% · Adjusted attendance Y% (integration period
 * d1–d2 left out)" when the school's policy uses adjusted attendance; null otherwise.
 */
export async function adjustedAttendanceSection(
  deps: Deps,
  actor: Actor,
  record: PupilRecord,
): Promise<AdjustedSection | null> {
  const a = await pupilAdjustedAttendance(deps, record.school, record.pupil, record.asOf);
  if (!a) return null;
  const resource = pupilResource(record.school, record.pupil.id, []);
  return {
    actual: a.actualText,
    adjusted: a.adjustedText,
    period: a.period ? { from: dateInWords(a.period.from), to: dateInWords(a.period.to) } : null,
    recorded: a.recorded,
    explanation: a.figures.explanation,
    href: can(actor, 'integration.record', resource)
      ? `/pupils/${encodeURIComponent(record.pupil.id)}/integration`
      : null,
  };
}

const PARAMS = z.object({ pupilId: z.string().min(1).max(200) });
const QUERY = z.object({ saved: z.string().max(20).optional() });
const text = z.string().max(10_000).default('');
const BODY = z.object({ _csrf: z.string().optional(), from: text, to: text, reason: text });

/** The field ids on the page, for the error summary's links. */
const FIELD_IDS: Record<string, string> = {
  from: 'integration-from',
  to: 'integration-to',
  reason: 'integration-reason',
};

interface FormState {
  form?: { from: string; to: string; reason: string };
  errors?: { text: string; href: string }[];
  fieldErrors?: Record<string, string>;
  banner?: string | null;
}

async function render(
  deps: Deps,
  reply: FastifyReply,
  actor: Actor,
  pupilId: string,
  state: FormState = {},
): Promise<FastifyReply> {
  const view = await integrationView(deps, actor, pupilId);
  const current = view.recorded ?? view.defaultPeriod;
  return reply.view('integration.njk', {
    ...view,
    form: state.form ?? { from: current?.from ?? view.pupil.admissionDate, to: current?.to ?? '', reason: '' },
    errors: state.errors ?? [],
    fieldErrors: state.fieldErrors ?? {},
    banner: state.banner ?? null,
  });
}

export const integrationRoutes: FastifyPluginAsync = (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { deps } = app;

  app.get(
    '/pupils/:pupilId/integration',
    { schema: { params: PARAMS, querystring: QUERY } },
    async (request, reply) => {
      const actor = requireActor(request);
      const banner =
        request.query.saved === 'recorded'
          ? 'Integration period recorded'
          : request.query.saved === 'extended'
            ? 'Integration period changed'
            : null;
      return render(deps, reply, actor, request.params.pupilId, { banner });
    },
  );

  app.post('/pupils/:pupilId/integration', { schema: { params: PARAMS, body: BODY } }, async (request, reply) => {
    const actor = requireActor(request);
    const form = { from: request.body.from.trim(), to: request.body.to.trim(), reason: request.body.reason };
    try {
      const r = await recordIntegrationPeriod(deps, actor, { pupilId: request.params.pupilId, ...form });
      return reply.redirect(
        `/pupils/${encodeURIComponent(request.params.pupilId)}/integration?saved=${r.extended ? 'extended' : 'recorded'}`,
        303,
      );
    } catch (e) {
      if (!(e instanceof AppError) || e.code !== 'VALIDATION') throw e;
      const fields = e.details.fields ?? [];
      return render(deps, reply.code(HTTP_STATUS[e.code]), actor, request.params.pupilId, {
        form,
        errors: fields.map((f) => ({ text: f.message, href: `#${FIELD_IDS[f.field] ?? 'integration-from'}` })),
        fieldErrors: Object.fromEntries(fields.map((f) => [f.field, f.message])),
      });
    }
  });
  return Promise.resolve();
};
