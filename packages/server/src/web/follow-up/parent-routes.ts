/**
 * Parent reporting pages: a parent reports their child's absence
 * (`/pupils/:id/report-absence`, a GOV.UK question page with an error summary and a success
 * panel saying what happens next), and the office's list of pending reports
 * (`/absence-reports`) with a form per report to confirm (choosing the code) or reject (with a
 * note). Forms post and redirect (post/redirect/get); a problem re-renders with what was typed.
 */
import { isPlainDate, type PlainDate } from '@rollcall/domain';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireActor } from '../../http/auth-routes.js';
import {
  decideReport,
  parentsOwnReports,
  pendingReports,
  REASON_LABELS,
  reportAbsence,
  type AbsenceReport,
  type SessionRef,
} from '../../services/follow-up/absence-reports.js';
import type { Actor } from '../../services/authz.js';
import type { Deps } from '../../services/deps.js';
import { AppError, HTTP_STATUS, type FieldError } from '../../services/errors.js';
import { dayMonthYear } from '../pupils/pupil-routes.js';

const text = z.string().max(10_000).default('');
const PUPIL_PARAMS = z.object({ id: z.string().min(1).max(200) });
const REPORT_PARAMS = z.object({ id: z.string().min(1).max(200) });
const FORM_QUERY = z.object({ reported: z.string().max(200).optional() });
const LIST_QUERY = z.object({ done: z.enum(['confirmed', 'rejected']).optional() });
const REPORT_BODY = z.object({
  _csrf: z.string().optional(),
  'from-day': text,
  'from-month': text,
  'from-year': text,
  'to-day': text,
  'to-month': text,
  'to-year': text,
  sessions: text,
  reason: text,
  details: text,
  'return-day': text,
  'return-month': text,
  'return-year': text,
  evidence: text,
});
const DECIDE_BODY = z.object({ _csrf: z.string().optional(), decision: text, code: text, note: text });

/** Codes the office may choose when confirming (authorised absence). */
export const CONFIRM_CODES = [
  { code: 'I', meaning: 'Illness' },
  { code: 'M', meaning: 'Medical or dental appointment' },
  { code: 'R', meaning: 'Religious observance' },
  { code: 'C', meaning: 'Other authorised circumstances' },
] as const;

export interface ReportForm {
  from: { day: string; month: string; year: string };
  to: { day: string; month: string; year: string };
  sessions: string;
  reason: string;
  details: string;
  expectedReturn: { day: string; month: string; year: string };
  evidence: string;
}

const FIELD_IDS: Readonly<Record<string, string>> = {
  fromDate: 'from-day',
  toDate: 'to-day',
  sessions: 'sessions',
  reason: 'reason',
  details: 'details',
  expectedReturn: 'return-day',
  evidence: 'evidence',
  code: 'code',
  note: 'note',
  decision: 'decision',
};

function dateParts(date: PlainDate): { day: string; month: string; year: string } {
  return { day: String(Number(date.slice(8, 10))), month: String(Number(date.slice(5, 7))), year: date.slice(0, 4) };
}

/** Day, month, year → 'YYYY-MM-DD' ('' when all empty; the raw text when not a date, for the service to refuse). */
function fromParts(p: { day: string; month: string; year: string }): string {
  if (!p.day && !p.month && !p.year) return '';
  const candidate = `${p.year}-${p.month.padStart(2, '0')}-${p.day.padStart(2, '0')}`;
  return /^\d{1,2}$/.test(p.day) && /^\d{1,2}$/.test(p.month) && /^\d{4}$/.test(p.year) && isPlainDate(candidate)
    ? candidate
    : `${p.day}/${p.month}/${p.year}`;
}

function summaryOf(
  fields: readonly FieldError[],
  fallback: string,
  anchor = 'from-day',
): { errors: { text: string; href: string }[]; fieldErrors: Record<string, string> } {
  const errors = fields.map((f) => ({ text: f.message, href: `#${FIELD_IDS[f.field] ?? anchor}` }));
  const fieldErrors: Record<string, string> = {};
  for (const f of fields) fieldErrors[f.field] ??= f.message;
  if (errors.length === 0) errors.push({ text: fallback, href: `#${anchor}` });
  return { errors, fieldErrors };
}

function sessionsText(sessions: string): string {
  return sessions === 'AM' ? 'Morning only' : sessions === 'PM' ? 'Afternoon only' : 'All day';
}

function datesText(r: Pick<AbsenceReport, 'fromDate' | 'toDate'>): string {
  return r.fromDate === r.toDate
    ? dayMonthYear(r.fromDate)
    : `${dayMonthYear(r.fromDate)} to ${dayMonthYear(r.toDate)}`;
}

function refsText(refs: readonly SessionRef[]): string {
  return refs.map((r) => `${dayMonthYear(r.date)} ${r.session}`).join(', ');
}

async function renderForm(
  deps: Deps,
  reply: FastifyReply,
  actor: Actor,
  pupilId: string,
  extras: {
    form?: ReportForm;
    errors?: { text: string; href: string }[];
    fieldErrors?: Record<string, string>;
    reported?: string;
  },
): Promise<FastifyReply> {
  const { pupil, school, today, reports: mine } = await parentsOwnReports(deps, actor, pupilId);
  const reported = extras.reported ? mine.find((r) => r.id === extras.reported) : undefined;
  const empty = { day: '', month: '', year: '' };
  return reply.view('report-absence.njk', {
    pupil: { id: pupil.id, name: `${pupil.forename} ${pupil.surname}` },
    school: { name: school.name },
    form: extras.form ?? {
      from: dateParts(today),
      to: empty,
      sessions: 'ALL',
      reason: '',
      details: '',
      expectedReturn: empty,
      evidence: '',
    },
    reasons: Object.entries(REASON_LABELS).map(([value, label]) => ({ value, text: label })),
    errors: extras.errors ?? [],
    fieldErrors: extras.fieldErrors ?? {},
    reported: reported
      ? {
          dates: datesText(reported),
          sessions: sessionsText(reported.sessions),
          reason: REASON_LABELS[reported.reason],
          proposedCode: reported.proposedCode,
        }
      : null,
    reports: mine.map((r) => ({
      dates: datesText(r),
      sessions: sessionsText(r.sessions),
      reason: REASON_LABELS[r.reason],
      status: r.status,
      note: r.decisionNote,
    })),
  });
}

function officeSchool(actor: Actor): string {
  if (!actor.schoolId) throw new AppError('FORBIDDEN', 'Absence reports are for the staff of a school.');
  return actor.schoolId;
}

async function renderList(
  deps: Deps,
  reply: FastifyReply,
  actor: Actor,
  extras: {
    done?: string | undefined;
    active?: string;
    values?: { decision: string; code: string; note: string };
    errors?: { text: string; href: string }[];
    fieldErrors?: Record<string, string>;
  },
): Promise<FastifyReply> {
  const { school, reports } = await pendingReports(deps, actor, { schoolId: officeSchool(actor) });
  return reply.view('absence-reports.njk', {
    school,
    codes: CONFIRM_CODES,
    done: extras.done ?? null,
    active: extras.active ?? null,
    values: extras.values ?? null,
    errors: extras.errors ?? [],
    fieldErrors: extras.fieldErrors ?? {},
    reports: reports.map((r) => ({
      id: r.id,
      pupilId: r.pupilId,
      pupilName: r.pupilName,
      reportedBy: r.reportedByName,
      dates: datesText(r),
      sessions: sessionsText(r.sessions),
      reason: REASON_LABELS[r.reason],
      details: r.details,
      evidence: r.evidence,
      expectedReturn: r.expectedReturn ? dayMonthYear(r.expectedReturn) : null,
      proposedCode: r.proposedCode,
      matched: r.matched.length > 0 ? refsText(r.matched) : null,
    })),
  });
}

export const parentRoutes: FastifyPluginAsync = (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { deps } = app;

  app.get(
    '/pupils/:id/report-absence',
    { schema: { params: PUPIL_PARAMS, querystring: FORM_QUERY } },
    async (request, reply) => {
      const actor = requireActor(request);
      return renderForm(deps, reply, actor, request.params.id, {
        ...(request.query.reported ? { reported: request.query.reported } : {}),
      });
    },
  );

  app.post(
    '/pupils/:id/report-absence',
    { schema: { params: PUPIL_PARAMS, body: REPORT_BODY } },
    async (request, reply) => {
      const actor = requireActor(request);
      const b = request.body;
      const form: ReportForm = {
        from: { day: b['from-day'].trim(), month: b['from-month'].trim(), year: b['from-year'].trim() },
        to: { day: b['to-day'].trim(), month: b['to-month'].trim(), year: b['to-year'].trim() },
        sessions: b.sessions.trim(),
        reason: b.reason.trim(),
        details: b.details.trim(),
        expectedReturn: { day: b['return-day'].trim(), month: b['return-month'].trim(), year: b['return-year'].trim() },
        evidence: b.evidence.trim(),
      };
      const fromDate = fromParts(form.from);
      // One day: the last day may be left empty.
      const toDate = fromParts(form.to) || fromDate;
      try {
        const r = await reportAbsence(deps, actor, {
          pupilId: request.params.id,
          fromDate,
          toDate,
          sessions: form.sessions,
          reason: form.reason,
          details: form.details,
          expectedReturn: fromParts(form.expectedReturn),
          evidence: form.evidence,
        });
        return reply.redirect(
          `/pupils/${encodeURIComponent(request.params.id)}/report-absence?reported=${encodeURIComponent(r.id)}`,
          303,
        );
      } catch (e) {
        if (!(e instanceof AppError) || e.code !== 'VALIDATION') throw e;
        reply.code(HTTP_STATUS[e.code]);
        return renderForm(deps, reply, actor, request.params.id, {
          form,
          ...summaryOf(e.details.fields ?? [], e.message),
        });
      }
    },
  );

  app.get('/absence-reports', { schema: { querystring: LIST_QUERY } }, async (request, reply) => {
    const actor = requireActor(request);
    return renderList(deps, reply, actor, { done: request.query.done });
  });

  app.post('/absence-reports/:id', { schema: { params: REPORT_PARAMS, body: DECIDE_BODY } }, async (request, reply) => {
    const actor = requireActor(request);
    const values = {
      decision: request.body.decision.trim(),
      code: request.body.code.trim(),
      note: request.body.note.trim(),
    };
    try {
      const r = await decideReport(deps, actor, { reportId: request.params.id, ...values });
      return reply.redirect(`/absence-reports?done=${r.status}`, 303);
    } catch (e) {
      if (!(e instanceof AppError) || e.code !== 'VALIDATION') throw e;
      reply.code(HTTP_STATUS[e.code]);
      const shown = summaryOf(e.details.fields ?? [], e.message, 'decision');
      // Anchors name the report's own fields.
      const errors = shown.errors.map((x) => ({ ...x, href: `${x.href}-${request.params.id}` }));
      return renderList(deps, reply, actor, {
        active: request.params.id,
        values,
        errors,
        fieldErrors: shown.fieldErrors,
      });
    }
  });
  return Promise.resolve();
};
