/**
 * First-day response pages: the morning worklist (`/worklist?date=`) of pupils with an
 * unexplained absence (N), vulnerable first, with one-click forms to record each call, a form
 * to resolve the absence once a reason is given, and the list of N marks left too long; and a
 * pupil's home visits (`/pupils/:id/home-visits`): plan one, record one. Every form posts and
 * redirects back (post/redirect/get); a problem re-renders the page with the error summary and
 * what was typed.
 */
import { ALREADY_TEXTED, sendFirstDayTexts } from '../../services/follow-up/first-day-texts.js';
import { listOutbox } from '../../services/messages.js';
import { isPlainDate, type PlainDate } from '@rollcall/domain';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { getSchool } from '../../services/school/schools.js';
import { leaveAdviceFor } from '../../services/leave/leave.js';
import { requireActor } from '../../http/auth-routes.js';
import type { Actor } from '../../services/authz.js';
import type { Deps } from '../../services/deps.js';
import { AppError, HTTP_STATUS, type FieldError } from '../../services/errors.js';
import { homeVisitsForPupil, planHomeVisit, recordHomeVisit } from '../../services/follow-up/home-visits.js';
import {
  ABSENCE_REASONS,
  recordContactAttempt,
  resolveAbsence,
  RESOLVE_CODES,
  staleN,
  worklist,
} from '../../services/follow-up/worklist.js';

const text = z.string().max(10_000).default('');
const many = z.union([z.string(), z.array(z.string())]).optional();

const WORKLIST_QUERY = z.object({
  date: z.string().max(20).optional(),
  done: z.enum(['attempt', 'resolved']).optional(),
  texts: z.string().max(20).optional(),
  texted: z.string().max(20).optional(),
  skipped: z.string().max(20).optional(),
  already: z.string().max(20).optional(),
});
const TEXTS_BODY = z.object({ _csrf: z.string().optional(), date: text, pupilId: text });
const ATTEMPT_BODY = z.object({
  _csrf: z.string().optional(),
  date: text,
  pupilId: text,
  method: text,
  contactId: text,
  outcome: text,
  reason: text,
  notes: text,
  safeguardingConcern: text,
});
const RESOLVE_BODY = z.object({
  _csrf: z.string().optional(),
  date: text,
  pupilId: text,
  sessions: many,
  code: text,
  reason: text,
});
const PUPIL_PARAMS = z.object({ id: z.string().min(1).max(200) });
const VISITS_QUERY = z.object({ saved: z.enum(['planned', 'recorded']).optional() });
const PLAN_BODY = z.object({ _csrf: z.string().optional(), plannedFor: text, reason: text });
const RECORD_BODY = z.object({
  _csrf: z.string().optional(),
  visitId: text,
  visitDate: text,
  visitTime: text,
  staff: text,
  pair: many,
  childSeen: text,
  present: text,
  discussed: text,
  callingCardLeft: many,
  safeguardingConcern: many,
  nextSteps: text,
});

const OUTCOME_LABELS: Record<string, string> = {
  no_answer: 'No answer',
  left_message: 'Left a message',
  reason_given: 'Reason given',
  unobtainable: 'Number unobtainable',
  other: 'Other',
};

function schoolOf(actor: Actor): string {
  if (!actor.schoolId) throw new AppError('FORBIDDEN', 'The worklist is for staff of a school.');
  return actor.schoolId;
}

function isFormError(e: unknown): e is AppError {
  return e instanceof AppError && (e.code === 'VALIDATION' || e.code === 'NOT_A_SCHOOL_SESSION');
}

function ticked(v: string | string[] | undefined): boolean {
  return Array.isArray(v) ? v.includes('yes') : v === 'yes';
}

function list(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** The error summary's links and each field's message. */
function shownErrors(
  fields: readonly FieldError[],
  fallback: string,
  idOf: (field: string) => string,
): { errors: { text: string; href: string }[]; fieldErrors: Record<string, string> } {
  const errors = fields.map((f) => ({ text: f.message, href: `#${idOf(f.field)}` }));
  const fieldErrors: Record<string, string> = {};
  for (const f of fields) fieldErrors[f.field] ??= f.message;
  if (errors.length === 0) errors.push({ text: fallback, href: `#${idOf('')}` });
  return { errors, fieldErrors };
}

interface WorklistState {
  errors?: { text: string; href: string }[];
  fieldErrors?: Record<string, string>;
  /** The pupil whose form failed, and which form. */
  activePupil?: string;
  activeForm?: 'attempt' | 'resolve';
  form?: Record<string, string | string[]>;
  banner?: string | null;
}

async function renderWorklist(
  deps: Deps,
  reply: FastifyReply,
  actor: Actor,
  date: PlainDate,
  state: WorklistState = {},
): Promise<FastifyReply> {
  const schoolId = schoolOf(actor);
  const [list, stale] = await Promise.all([
    worklist(deps, actor, { schoolId, date }),
    staleN(deps, actor, { schoolId, asOf: date }),
  ]);
  // A refused leave request covering the day: the absence is likely an unauthorised holiday (G).
  const advice = Object.fromEntries(
    await Promise.all(list.entries.map(async (e) => [e.pupilId, await leaveAdviceFor(deps, e.pupilId, date)] as const)),
  );
  return reply.view('worklist.njk', {
    list,
    advice,
    stale,
    date,
    reasons: ABSENCE_REASONS,
    resolveCodes: RESOLVE_CODES,
    outcomeLabels: OUTCOME_LABELS,
    errors: state.errors ?? [],
    fieldErrors: state.fieldErrors ?? {},
    activePupil: state.activePupil ?? null,
    activeForm: state.activeForm ?? null,
    form: state.form ?? {},
    banner: state.banner ?? null,
  });
}

async function todayAt(deps: Deps, actor: Actor): Promise<PlainDate> {
  const school = await getSchool(deps.db, schoolOf(actor));
  return deps.clock.today(school.timeZone);
}

async function dateOr(deps: Deps, actor: Actor, value: string | undefined): Promise<PlainDate> {
  if (value && isPlainDate(value)) return value;
  return todayAt(deps, actor);
}

interface VisitsState {
  errors?: { text: string; href: string }[];
  fieldErrors?: Record<string, string>;
  active?: 'plan' | 'record';
  plan?: Record<string, string>;
  record?: Record<string, string | boolean>;
  banner?: string | null;
}

async function renderVisits(
  deps: Deps,
  reply: FastifyReply,
  actor: Actor,
  pupilId: string,
  state: VisitsState = {},
): Promise<FastifyReply> {
  const data = await homeVisitsForPupil(deps, actor, pupilId);
  // The pupil's school's today: trust and LA staff have no school of their own.
  const today = data.today;
  return reply.view('home-visit.njk', {
    ...data,
    today,
    planned: data.visits.filter((v) => v.status === 'planned'),
    errors: state.errors ?? [],
    fieldErrors: state.fieldErrors ?? {},
    active: state.active ?? null,
    plan: state.plan ?? { plannedFor: today, reason: '' },
    record: state.record ?? {
      visitId: data.visits.find((v) => v.status === 'planned')?.id ?? '',
      visitDate: today,
      visitTime: '',
      staff: '',
      pair: true,
      childSeen: '',
      present: '',
      discussed: '',
      callingCardLeft: false,
      safeguardingConcern: false,
      nextSteps: '',
    },
    banner: state.banner ?? null,
  });
}

export const worklistRoutes: FastifyPluginAsync = (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { deps } = app;

  app.get(
    '/outbox',
    { schema: { querystring: z.object({ status: z.enum(['pending', 'sent', 'delivered', 'failed']).optional() }) } },
    async (request, reply) => {
      const actor = requireActor(request);
      if (!actor.schoolId) throw new AppError('FORBIDDEN', 'The outbox is for staff of a school.');
      const school = await getSchool(deps.db, actor.schoolId);
      const rows = await listOutbox(deps, actor, school, { status: request.query.status ?? null });
      return reply.view('outbox.njk', {
        school,
        rows,
        status: request.query.status ?? '',
        emailConfigured: deps.config.mail.smtpUrl !== null,
        smsProvider: deps.config.sms.provider,
      });
    },
  );

  app.get('/worklist', { schema: { querystring: WORKLIST_QUERY } }, async (request, reply) => {
    const actor = requireActor(request);
    const date = await dateOr(deps, actor, request.query.date);
    const q = request.query;
    const smsWord =
      deps.config.sms.provider === 'log'
        ? ' No text message provider is configured, so they are written to the log, not delivered to phones.'
        : ' The outbox shows when each is delivered.';
    const banner =
      q.done === 'attempt'
        ? 'Contact attempt recorded'
        : q.done === 'resolved'
          ? 'Absence resolved: the N mark was re-coded and the change kept in the history'
          : q.texts !== undefined
            ? `${q.texts} text${q.texts === '1' ? '' : 's'} queued in the outbox for the families of ${q.texted ?? '0'} pupil${q.texted === '1' ? '' : 's'}${q.skipped && q.skipped !== '0' ? `; ${q.skipped} pupil${q.skipped === '1' ? '' : 's'} not texted (no mobile number)` : ''}${q.already && q.already !== '0' ? `; ${q.already} pupil${q.already === '1' ? "'s family was" : "s' families were"} texted about this absence already and not texted again` : ''}.${smsWord}`
            : null;
    return renderWorklist(deps, reply, actor, date, { banner });
  });

  app.post('/worklist/texts', { schema: { body: TEXTS_BODY } }, async (request, reply) => {
    const actor = requireActor(request);
    if (!actor.schoolId) throw new AppError('FORBIDDEN', 'The worklist is for staff of a school.');
    const date = await dateOr(deps, actor, request.body.date);
    const pupilId = request.body.pupilId.trim() || null;
    const r = await sendFirstDayTexts(deps, actor, { schoolId: actor.schoolId, date, pupilId });
    const already = r.skipped.filter((s) => s.reason === ALREADY_TEXTED).length;
    return reply.redirect(
      `/worklist?date=${date}&texts=${r.queued}&texted=${r.pupils}&skipped=${r.skipped.length - already}${already > 0 ? `&already=${already}` : ''}${pupilId ? `#pupil-${encodeURIComponent(pupilId)}` : ''}`,
      303,
    );
  });

  app.post('/worklist/attempts', { schema: { body: ATTEMPT_BODY } }, async (request, reply) => {
    const actor = requireActor(request);
    const b = request.body;
    const date = await dateOr(deps, actor, b.date);
    try {
      await recordContactAttempt(deps, actor, {
        pupilId: b.pupilId.trim(),
        absenceDate: date,
        method: b.method.trim(),
        contactId: b.contactId.trim() || null,
        outcome: b.outcome.trim(),
        reason: b.reason.trim() || null,
        notes: b.notes.trim() || null,
        safeguardingConcern: b.safeguardingConcern === 'yes',
      });
    } catch (e) {
      if (!isFormError(e)) throw e;
      const pupil = b.pupilId.trim();
      const shown = shownErrors(e.details.fields ?? [], e.message, (f) =>
        f === 'notes' ? `attempt-${pupil}-notes` : `attempt-${pupil}-reason`,
      );
      return renderWorklist(deps, reply.code(HTTP_STATUS[e.code]), actor, date, {
        ...shown,
        activePupil: pupil,
        activeForm: 'attempt',
        form: { reason: b.reason, notes: b.notes, contactId: b.contactId },
      });
    }
    return reply.redirect(`/worklist?date=${date}&done=attempt#pupil-${encodeURIComponent(b.pupilId.trim())}`, 303);
  });

  app.post('/worklist/resolve', { schema: { body: RESOLVE_BODY } }, async (request, reply) => {
    const actor = requireActor(request);
    const b = request.body;
    const date = await dateOr(deps, actor, b.date);
    const sessions = list(b.sessions);
    try {
      await resolveAbsence(deps, actor, {
        pupilId: b.pupilId.trim(),
        date,
        sessions,
        code: b.code.trim(),
        reason: b.reason,
      });
    } catch (e) {
      if (!isFormError(e)) throw e;
      const pupil = b.pupilId.trim();
      const shown = shownErrors(e.details.fields ?? [], e.message, (f) =>
        f === 'code' || f === 'sessions' ? `resolve-${pupil}-${f}` : `resolve-${pupil}-reason`,
      );
      return renderWorklist(deps, reply.code(HTTP_STATUS[e.code]), actor, date, {
        ...shown,
        activePupil: pupil,
        activeForm: 'resolve',
        form: { code: b.code, reason: b.reason, sessions },
      });
    }
    return reply.redirect(`/worklist?date=${date}&done=resolved`, 303);
  });

  app.get(
    '/pupils/:id/home-visits',
    { schema: { params: PUPIL_PARAMS, querystring: VISITS_QUERY } },
    async (request, reply) => {
      const actor = requireActor(request);
      const saved = request.query.saved;
      return renderVisits(deps, reply, actor, request.params.id, {
        banner: saved === 'planned' ? 'Home visit planned' : saved === 'recorded' ? 'Home visit recorded' : null,
      });
    },
  );

  app.post(
    '/pupils/:id/home-visits/plan',
    { schema: { params: PUPIL_PARAMS, body: PLAN_BODY } },
    async (request, reply) => {
      const actor = requireActor(request);
      const id = request.params.id;
      const plan = { plannedFor: request.body.plannedFor.trim(), reason: request.body.reason };
      try {
        await planHomeVisit(deps, actor, { pupilId: id, ...plan });
      } catch (e) {
        if (!isFormError(e)) throw e;
        const shown = shownErrors(e.details.fields ?? [], e.message, (f) =>
          f === 'reason' ? 'plan-reason' : 'plan-date',
        );
        return renderVisits(deps, reply.code(HTTP_STATUS[e.code]), actor, id, { ...shown, active: 'plan', plan });
      }
      return reply.redirect(`/pupils/${encodeURIComponent(id)}/home-visits?saved=planned`, 303);
    },
  );

  app.post(
    '/pupils/:id/home-visits',
    { schema: { params: PUPIL_PARAMS, body: RECORD_BODY } },
    async (request, reply) => {
      const actor = requireActor(request);
      const id = request.params.id;
      const b = request.body;
      const record = {
        visitId: b.visitId.trim(),
        visitDate: b.visitDate.trim(),
        visitTime: b.visitTime
          .trim()
          .replace('.', ':')
          .replace(/^(\d):/, '0$1:'),
        staff: b.staff,
        pair: ticked(b.pair),
        childSeen: b.childSeen,
        present: b.present,
        discussed: b.discussed,
        callingCardLeft: ticked(b.callingCardLeft),
        safeguardingConcern: ticked(b.safeguardingConcern),
        nextSteps: b.nextSteps,
      };
      try {
        await recordHomeVisit(deps, actor, {
          pupilId: id,
          ...record,
          visitId: record.visitId || null,
          childSeen: b.childSeen === 'yes' ? true : b.childSeen === 'no' ? false : null,
        });
      } catch (e) {
        if (!isFormError(e)) throw e;
        const shown = shownErrors(e.details.fields ?? [], e.message, (f) => `hv-${f || 'visitDate'}`);
        return renderVisits(deps, reply.code(HTTP_STATUS[e.code]), actor, id, { ...shown, active: 'record', record });
      }
      return reply.redirect(`/pupils/${encodeURIComponent(id)}/home-visits?saved=recorded`, 303);
    },
  );
  return Promise.resolve();
};
