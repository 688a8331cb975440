/**
 * The office desk: signing in late arrivals and signing out early leavers, two forms on one page
 * (`#late-arrivals`, `#early-leavers`) with today's lists under them. Each form posts, and on
 * success redirects back to the page (post/redirect/get), whose banner is built from what was
 * stored; on a problem the page is shown again with the error summary and what was typed.
 */
import type { Session } from '@rollcall/domain';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireActor } from '../../http/auth-routes.js';
import type { Actor } from '../../services/authz.js';
import { AppError, HTTP_STATUS, type FieldError } from '../../services/errors.js';
import { officeDesk, type OfficeDesk } from '../../services/office-desk/office-desk.js';
import { recordEarlyLeaver, recordLateArrival } from '../../services/registers/registers.js';

export const REASON_MAX = 500;

export interface LateForm {
  pupilId: string;
  arrivedAt: string;
  session: string;
  reason: string;
  keepAsLate: boolean;
}

export interface EarlyForm {
  pupilId: string;
  leftAt: string;
  collectedBy: string;
  reason: string;
}

type FormName = 'late' | 'early';

/** Where each field of each form is on the page, for the error summary's links. */
const FIELD_IDS: Readonly<Record<FormName, Readonly<Record<string, string>>>> = {
  late: {
    pupilId: 'late-pupil',
    arrivedAt: 'late-time',
    session: 'late-session',
    date: 'late-session',
    reason: 'late-reason',
    keepAsLate: 'late-keep',
  },
  early: {
    pupilId: 'early-pupil',
    leftAt: 'early-time',
    date: 'early-time',
    collectedBy: 'early-collected',
    reason: 'early-reason',
  },
};

/**
 * A time of day as people type it: `9:35`, `09:35` or `9.35` become `09:35`; anything else
 * (`9.5`, `935`, `25:00`) is returned unchanged for the service to refuse.
 */
export function normaliseTime(value: string): string {
  const m = /^(\d{1,2})[:.](\d{2})$/.exec(value.trim());
  if (!m) return value.trim();
  return `${m[1]!.padStart(2, '0')}:${m[2]}`;
}

const TIME_RE = /^([01]\d|2[0-3]):[0-5]\d$/;

const text = z.string().max(10_000).default('');
const LATE_BODY = z.object({
  _csrf: z.string().optional(),
  pupilId: text,
  arrivedAt: text,
  session: text,
  reason: text,
  keepAsLate: z.union([z.string(), z.array(z.string())]).optional(),
});
const EARLY_BODY = z.object({
  _csrf: z.string().optional(),
  pupilId: text,
  leftAt: text,
  collectedBy: text,
  reason: text,
});
const OFFICE_QUERY = z.object({
  recorded: z.enum(['late', 'early']).optional(),
  pupil: z.string().max(200).optional(),
});

/** Checks what the form can check by itself; the service checks the rest (roll, register times, permission). */
export function checkLateForm(form: LateForm): FieldError[] {
  const errors: FieldError[] = [];
  if (!form.pupilId) errors.push({ field: 'pupilId', message: 'Select the pupil who arrived late.' });
  if (!form.arrivedAt) errors.push({ field: 'arrivedAt', message: 'Enter the time of arrival, for example 09:12.' });
  else if (!TIME_RE.test(form.arrivedAt))
    errors.push({ field: 'arrivedAt', message: 'Enter the time of arrival as HH:MM, for example 09:12.' });
  if (form.session !== 'AM' && form.session !== 'PM')
    errors.push({ field: 'session', message: 'Select the morning or the afternoon session.' });
  if (form.reason.length > REASON_MAX)
    errors.push({ field: 'reason', message: `The reason must be ${REASON_MAX} characters or fewer.` });
  return errors;
}

export function checkEarlyForm(form: EarlyForm): FieldError[] {
  const errors: FieldError[] = [];
  if (!form.pupilId) errors.push({ field: 'pupilId', message: 'Select the pupil who is leaving.' });
  if (!form.leftAt) errors.push({ field: 'leftAt', message: 'Enter the time the pupil left, for example 11:30.' });
  else if (!TIME_RE.test(form.leftAt))
    errors.push({ field: 'leftAt', message: 'Enter the time the pupil left as HH:MM, for example 11:30.' });
  if (form.collectedBy.length > 200)
    errors.push({ field: 'collectedBy', message: 'Who collected the pupil must be 200 characters or fewer.' });
  if (!form.reason)
    errors.push({ field: 'reason', message: 'Enter why the pupil left, for example "dental appointment".' });
  else if (form.reason.length > REASON_MAX)
    errors.push({ field: 'reason', message: `The reason must be ${REASON_MAX} characters or fewer.` });
  return errors;
}

/** The error summary's list and each field's message, for one form. */
export function formErrors(
  form: FormName,
  fields: readonly FieldError[],
  fallback: string,
): { errors: { text: string; href: string }[]; fieldErrors: Record<string, string> } {
  const ids = FIELD_IDS[form];
  const errors: { text: string; href: string }[] = [];
  const fieldErrors: Record<string, string> = {};
  for (const f of fields) {
    const id = ids[f.field] ?? ids['pupilId']!;
    errors.push({ text: f.message, href: `#${id}` });
    fieldErrors[f.field] ??= f.message;
  }
  if (errors.length === 0) errors.push({ text: fallback, href: `#${ids['pupilId']!}` });
  return { errors, fieldErrors };
}

/** The confirmation for what was just recorded, from what is stored (never from the query string). */
export function confirmation(
  desk: OfficeDesk,
  recorded: 'late' | 'early' | undefined,
  pupilId: string | undefined,
): { text: string; detail: string } | null {
  if (!recorded || !pupilId) return null;
  if (recorded === 'late') {
    const a = desk.lateArrivals.find((x) => x.pupilId === pupilId);
    if (!a) return null;
    return {
      text: `${a.pupilName} signed in at ${a.arrivedAt}: ${a.code}, ${a.minutesLate} minute${a.minutesLate === 1 ? '' : 's'} late`,
      detail:
        a.code === 'U'
          ? `The ${a.session === 'AM' ? 'morning' : 'afternoon'} register had closed, so the mark is U (unauthorised absence).`
          : 'The mark is L (late before the register closed), which counts as present.',
    };
  }
  const e = desk.earlyLeavers.find((x) => x.pupilId === pupilId);
  if (!e) return null;
  return {
    text: `${e.pupilName} signed out at ${e.leftAt}${e.collectedBy ? `, collected by ${e.collectedBy}` : ''}`,
    detail: `Reason: ${e.reason}`,
  };
}

function schoolOf(actor: Actor): string {
  if (!actor.schoolId) throw new AppError('FORBIDDEN', 'The office desk is for staff of a school.');
  return actor.schoolId;
}

function isFormError(e: unknown): e is AppError {
  return (
    e instanceof AppError &&
    (e.code === 'VALIDATION' || e.code === 'REASON_REQUIRED' || e.code === 'NOT_A_SCHOOL_SESSION')
  );
}

interface PageState {
  late?: LateForm;
  early?: EarlyForm;
  active?: FormName;
  errors?: { text: string; href: string }[];
  fieldErrors?: Record<string, string>;
  banner?: { text: string; detail: string } | null;
}

function render(reply: FastifyReply, desk: OfficeDesk, state: PageState): FastifyReply {
  const late: LateForm = state.late ?? {
    pupilId: '',
    arrivedAt: desk.now,
    session: desk.session,
    reason: '',
    keepAsLate: false,
  };
  const early: EarlyForm = state.early ?? { pupilId: '', leftAt: desk.now, collectedBy: '', reason: '' };
  return reply.view('office.njk', {
    desk,
    late,
    early,
    active: state.active ?? null,
    errors: state.errors ?? [],
    fieldErrors: state.fieldErrors ?? {},
    banner: state.banner ?? null,
  });
}

export const officeRoutes: FastifyPluginAsync = (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { deps } = app;

  app.get('/office', { schema: { querystring: OFFICE_QUERY } }, async (request, reply) => {
    const actor = requireActor(request);
    const desk = await officeDesk(deps, actor, schoolOf(actor));
    return render(reply, desk, { banner: confirmation(desk, request.query.recorded, request.query.pupil) });
  });

  app.post('/office/late-arrivals', { schema: { body: LATE_BODY } }, async (request, reply) => {
    const actor = requireActor(request);
    const desk = await officeDesk(deps, actor, schoolOf(actor));
    const body = request.body;
    const keep = Array.isArray(body.keepAsLate) ? body.keepAsLate.includes('yes') : body.keepAsLate === 'yes';
    const form: LateForm = {
      pupilId: body.pupilId.trim(),
      arrivedAt: normaliseTime(body.arrivedAt),
      session: body.session.trim(),
      reason: body.reason.trim(),
      keepAsLate: keep && desk.canKeepAsLate,
    };
    const problems = checkLateForm(form);
    try {
      if (problems.length > 0)
        throw new AppError('VALIDATION', 'The late arrival could not be recorded.', { fields: problems });
      await recordLateArrival(deps, actor, {
        pupilId: form.pupilId,
        date: desk.today,
        session: form.session as Session,
        arrivedAt: form.arrivedAt,
        reason: form.reason || null,
        keepAsLate: keep,
      });
    } catch (e) {
      if (!isFormError(e)) throw e;
      const shown = formErrors('late', e.details.fields ?? [], e.message);
      return render(reply.code(HTTP_STATUS[e.code]), desk, { late: form, active: 'late', ...shown });
    }
    return reply.redirect(`/office?recorded=late&pupil=${encodeURIComponent(form.pupilId)}`, 303);
  });

  app.post('/office/early-leavers', { schema: { body: EARLY_BODY } }, async (request, reply) => {
    const actor = requireActor(request);
    const desk = await officeDesk(deps, actor, schoolOf(actor));
    const body = request.body;
    const form: EarlyForm = {
      pupilId: body.pupilId.trim(),
      leftAt: normaliseTime(body.leftAt),
      collectedBy: body.collectedBy.trim(),
      reason: body.reason.trim(),
    };
    const problems = checkEarlyForm(form);
    try {
      if (problems.length > 0)
        throw new AppError('VALIDATION', 'The early leaver could not be recorded.', { fields: problems });
      await recordEarlyLeaver(deps, actor, {
        pupilId: form.pupilId,
        date: desk.today,
        leftAt: form.leftAt,
        reason: form.reason,
        collectedBy: form.collectedBy || null,
      });
    } catch (e) {
      if (!isFormError(e)) throw e;
      const shown = formErrors('early', e.details.fields ?? [], e.message);
      return render(reply.code(HTTP_STATUS[e.code]), desk, { early: form, active: 'early', ...shown });
    }
    return reply.redirect(`/office?recorded=early&pupil=${encodeURIComponent(form.pupilId)}`, 303);
  });
  return Promise.resolve();
};
