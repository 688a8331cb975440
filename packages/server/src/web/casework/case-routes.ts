/**
 * Long on purpose: one Fastify plugin for the casework pages (the officer's list and
 * the case page): the form table, the renderers and the error re-render path are shared by every
 * form; splitting it would split that path.
 *
 * Casework pages: the officer's list (`/casework`: open suggestions with accept / adjust /
 * dismiss, overdue reviews and actions, pupils per stage; `POST /casework/open` puts pupils on
 * the list) and a pupil's case record (`/pupils/:pupilId/case`: stage, suggestions, actions,
 * meetings, plans, referrals, contracts, Notices to Improve and the penalty-notice ledger).
 * Every form posts and redirects back (post/redirect/get); a problem re-renders the page with
 * the error summary, each message beside its field, and what was typed.
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireActor } from '../../http/auth-routes.js';
import type { Actor } from '../../services/authz.js';
import {
  addAction,
  completeAction,
  createContract,
  createPlan,
  createReferral,
  getCase,
  issueNoticeToImprove,
  recordMeeting,
  recordNoticeOutcome,
  recordPenaltyNotice,
  recordPenaltyOutcome,
  reviewPlan,
  scheduleMeeting,
  updateContract,
  updateReferral,
} from '../../services/casework/case-record.js';
import {
  acceptSuggestions,
  closeCase,
  decideSuggestion,
  dismissSuggestions,
  MAX_ACCEPT_AT_ONCE,
  openCases,
  setStage,
} from '../../services/casework/casework.js';
import { caseworkList } from '../../services/casework/casework-list.js';
import { actionHref, actionLabel } from '../../services/casework/actions.js';
import { pounds } from '../../services/casework/ledger.js';
import {
  AGENCIES,
  AGENCY_LABELS,
  CLOSE_OUTCOME_LABELS,
  CLOSE_OUTCOMES,
  PLAN_KINDS,
  PLAN_KIND_LABELS,
} from '../../services/casework/record.js';
import type { Deps } from '../../services/deps.js';
import { AppError, HTTP_STATUS, type FieldError } from '../../services/errors.js';

type FormValue = string | string[];
type Form = Record<string, FormValue>;

const FORM = z.record(z.string(), z.union([z.string().max(20_000), z.array(z.string().max(20_000)).max(50)]));
const PUPIL = z.object({ pupilId: z.string().min(1).max(200) });
const ITEM = z.object({ pupilId: z.string().min(1).max(200), itemId: z.string().min(1).max(200) });
const SUGGESTION = z.object({ id: z.string().min(1).max(200) });
const LIST_QUERY = z.object({
  school: z.string().max(200).optional(),
  done: z.string().max(40).optional(),
  n: z.string().max(10).optional(),
  skipped: z.string().max(10).optional(),
  closePupil: z.string().max(200).optional(),
  stage: z.string().max(200).optional(),
  kind: z.string().max(40).optional(),
  year: z.string().max(40).optional(),
  vulnerable: z.string().max(10).optional(),
  sort: z.string().max(40).optional(),
  page: z.string().max(10).optional(),
});
type ListQuery = z.infer<typeof LIST_QUERY>;
const ACCEPT_MANY = z.object({
  _csrf: z.string().max(500).optional(),
  returnTo: z.string().max(2000).optional(),
  reason: z.string().max(20_000).optional(),
  suggestionIds: z.union([z.string().max(200), z.array(z.string().max(200)).max(MAX_ACCEPT_AT_ONCE)]).optional(),
});

/** Where a decision on the list returns to: the list with its filters and page, else the list. */
function listTarget(back: string, done: string, extra = ''): string {
  const base = back === '/casework' || back.startsWith('/casework?') ? back : '/casework';
  return `${base}${base.includes('?') ? '&' : '?'}done=${encodeURIComponent(done)}${extra}`;
}
const CASE_QUERY = z.object({ done: z.string().max(40).optional() });

const DONE: Record<string, string> = {
  accept: 'Suggestion accepted: the stage has moved and the actions are on the case',
  adjust: 'Stage set as you chose: the actions are on the case',
  dismiss: 'Suggestion dismissed with your reason',
  'accept-many': 'Suggestions accepted: the stages have moved and the actions are on each case',
  'dismiss-many': 'Suggestions dismissed with your reason',
  opened: 'Case opened',
  closed: 'Case closed: its history stays on this page, and it can be reopened',
  stage: 'Stage changed',
  meeting: 'Meeting arranged',
  'meeting-recorded': 'Meeting recorded',
  action: 'Action added',
  'action-done': 'Action updated',
  plan: 'Plan saved',
  'plan-review': 'Plan review recorded',
  referral: 'Referral recorded',
  'referral-update': 'Referral updated',
  contract: 'Attendance contract recorded',
  'contract-update': 'Contract updated',
  notice: 'Notice to Improve recorded',
  'notice-outcome': 'Notice to Improve outcome recorded',
  penalty: 'Penalty notice recorded in the ledger',
  'penalty-outcome': 'Penalty notice outcome recorded',
};

function one(v: FormValue | undefined): string {
  return Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
}

function many(v: FormValue | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** The list's filters and page from a `/casework?…` return address. */
function listQueryOf(back: string): ListQuery {
  if (!back.startsWith('/casework?')) return {};
  const parsed = LIST_QUERY.safeParse(Object.fromEntries(new URLSearchParams(back.slice('/casework?'.length))));
  return parsed.success ? parsed.data : {};
}

function isFormError(e: unknown): e is AppError {
  return e instanceof AppError && e.code === 'VALIDATION';
}

/** The id of a field's input on the page: `<form>-<field with dots as dashes>`. */
export function fieldId(formKey: string, field: string): string {
  return `${formKey}-${field.replace(/\./g, '-')}`;
}

interface PageState {
  errors?: { text: string; href: string }[];
  fieldErrors?: Record<string, string>;
  active?: string | null;
  form?: Form;
  banner?: string | null;
  /** A pupil just taken out of staged casework from the list: propose closing the case. */
  closePupil?: string | null;
}

function errorState(e: AppError, formKey: string, form: Form): PageState {
  const fields: readonly FieldError[] = e.details.fields ?? [];
  const errors = fields.map((f) => ({ text: f.message, href: `#${fieldId(formKey, f.field)}` }));
  if (errors.length === 0) errors.push({ text: e.message, href: `#${formKey}` });
  const fieldErrors: Record<string, string> = {};
  for (const f of fields) fieldErrors[f.field] ??= f.message;
  return { errors, fieldErrors, active: formKey, form };
}

/** Template helpers: a form's value (what was typed when it failed, else the default) and a field's error. */
function formHelpers(state: PageState) {
  const active = state.active ?? null;
  const form = state.form ?? {};
  const fieldErrors = state.fieldErrors ?? {};
  return {
    v: (fk: string, name: string, dflt = '', index?: number): string => {
      if (active !== fk) return dflt;
      return index === undefined ? one(form[name]) : (many(form[name])[index] ?? '');
    },
    e: (fk: string, field: string): { text: string } | undefined =>
      active === fk && fieldErrors[field] ? { text: fieldErrors[field] } : undefined,
    fid: fieldId,
  };
}

async function renderList(deps: Deps, reply: FastifyReply, actor: Actor, query: ListQuery, state: PageState = {}) {
  const list = await caseworkList(deps, actor, query.school, query);
  const q = list.queue.query;
  const pageHref = (page: number): string => {
    const params = new URLSearchParams(q);
    if (page > 1) params.set('page', String(page));
    const str = params.toString();
    return str ? `/casework?${str}#suggestions` : '/casework#suggestions';
  };
  /** The list with one filter (or the order) changed, from the first page. */
  const listHref = (key: string, value: string | null): string => {
    const next = new URLSearchParams(q);
    if (value === null) next.delete(key);
    else next.set(key, value);
    const str = next.toString();
    return str ? `/casework?${str}#suggestions` : '/casework#suggestions';
  };
  const here = new URLSearchParams(q);
  if (list.queue.page > 1) here.set('page', String(list.queue.page));
  return reply.view('casework.njk', {
    ...formHelpers(state),
    list,
    pageHref,
    listHref,
    returnTo: here.toString() ? `/casework?${here.toString()}` : '/casework',
    closeHref: state.closePupil ? `/pupils/${encodeURIComponent(state.closePupil)}/case#close` : null,
    stageOptions: list.policy.stages.map((s) => ({ value: s.id, text: s.name })),
    errors: state.errors ?? [],
    fieldErrors: state.fieldErrors ?? {},
    active: state.active ?? null,
    form: state.form ?? {},
    banner: state.banner ?? null,
  });
}

async function renderCase(deps: Deps, reply: FastifyReply, actor: Actor, pupilId: string, state: PageState = {}) {
  const view = await getCase(deps, actor, pupilId);
  const suggestions = view.record.suggestions
    .filter((s) => s.status === 'open')
    .map((s) => ({
      ...s,
      pupilName: view.pupil.name,
      toStageName: view.policy.stages.find((x) => x.id === s.toStageId)?.name ?? 'No stage (out of staged casework)',
      fromStageName: view.policy.stages.find((x) => x.id === s.fromStageId)?.name ?? null,
      actionItems: s.actions.map((a) => ({
        label: actionLabel(a, view.letters),
        href: actionHref(view.pupil.id, a, { canSendLetters: view.canSendLetters }),
      })),
    }));
  return reply.view('case.njk', {
    ...formHelpers(state),
    ...view,
    suggestions,
    decided: view.record.suggestions.filter((s) => s.status !== 'open' && s.status !== 'superseded').slice(0, 20),
    stageOptions: view.policy.stages.map((s) => ({ value: s.id, text: s.name })),
    planKinds: PLAN_KINDS.map((k) => ({ value: k, text: PLAN_KIND_LABELS[k] })),
    closeOutcomes: CLOSE_OUTCOMES.map((o) => ({ value: o, text: CLOSE_OUTCOME_LABELS[o] })),
    planKindLabels: PLAN_KIND_LABELS,
    meetingStatusLabels: { scheduled: 'Arranged', held: 'Held', not_attended: 'Not attended', cancelled: 'Cancelled' },
    noticeStatusLabels: {
      monitoring: 'Monitoring',
      improved: 'Improved',
      not_improved: 'Not improved',
      withdrawn: 'Withdrawn',
    },
    agencies: AGENCIES.map((a) => ({ value: a, text: AGENCY_LABELS[a] })),
    agencyLabels: AGENCY_LABELS,
    money: Object.fromEntries(
      view.record.penaltyNotices.flatMap((n) => [
        [`${n.id}-full`, pounds(n.amountPence)],
        [`${n.id}-reduced`, n.reducedAmountPence === null ? '' : pounds(n.reducedAmountPence)],
        [`${n.id}-paid`, n.paidPence === null ? '' : pounds(n.paidPence)],
      ]),
    ),
    openMeetings: view.record.meetings.filter((m) => m.status === 'scheduled'),
    errors: state.errors ?? [],
    fieldErrors: state.fieldErrors ?? {},
    active: state.active ?? null,
    form: state.form ?? {},
    banner: state.banner ?? null,
  });
}

/** The page section each form's redirect returns to. */
const ANCHORS: Record<string, string> = {
  stage: 'stage',
  close: 'stage',
  meeting: 'meetings',
  action: 'actions',
  plan: 'plans',
  referral: 'referrals',
  contract: 'contracts',
  notice: 'notices',
  penalty: 'penalty-notices',
};

type CaseHandler = (deps: Deps, actor: Actor, pupilId: string, itemId: string, b: Form) => Promise<unknown>;

/** Forms on the case page: path under /pupils/:pupilId/case, the form's key on the page, the call. */
const CASE_FORMS: readonly { path: string; key: (itemId: string) => string; done: string; call: CaseHandler }[] = [
  {
    path: '/close',
    key: () => 'close',
    done: 'closed',
    call: (deps, actor, pupilId, _i, b) =>
      closeCase(deps, actor, { pupilId, outcome: one(b['outcome']), reason: one(b['reason']) }),
  },
  {
    path: '/stage',
    key: () => 'stage',
    done: 'stage',
    call: (deps, actor, pupilId, _i, b) =>
      setStage(deps, actor, { pupilId, stageId: one(b['stageId']), reason: one(b['reason']) }),
  },
  {
    path: '/meetings',
    key: () => 'meeting',
    done: 'meeting',
    call: (deps, actor, pupilId, _i, b) =>
      scheduleMeeting(deps, actor, {
        pupilId,
        kind: one(b['kind']),
        date: one(b['date']),
        time: one(b['time']),
        place: one(b['place']),
        invited: one(b['invited']),
      }),
  },
  {
    path: '/meetings/:itemId',
    key: (id) => `meeting-${id}`,
    done: 'meeting-recorded',
    call: (deps, actor, pupilId, meetingId, b) => {
      const descriptions = many(b['actionDescription']);
      const owners = many(b['actionOwner']);
      const dues = many(b['actionDue']);
      const n = Math.max(descriptions.length, owners.length, dues.length);
      return recordMeeting(deps, actor, {
        pupilId,
        meetingId,
        outcome: one(b['outcome']),
        heldOn: one(b['heldOn']),
        attendees: one(b['attendees']),
        barriers: one(b['barriers']),
        minutes: one(b['minutes']),
        pupilVoice: one(b['pupilVoice']),
        parentVoice: one(b['parentVoice']),
        actions: Array.from({ length: n }, (_, i) => ({
          description: descriptions[i] ?? '',
          owner: owners[i] ?? '',
          dueOn: dues[i] ?? '',
        })),
      });
    },
  },
  {
    path: '/actions',
    key: () => 'action',
    done: 'action',
    call: (deps, actor, pupilId, _i, b) =>
      addAction(deps, actor, {
        pupilId,
        description: one(b['description']),
        owner: one(b['owner']),
        dueOn: one(b['dueOn']),
      }),
  },
  {
    path: '/actions/:itemId',
    key: (id) => `action-${id}`,
    done: 'action-done',
    call: (deps, actor, pupilId, actionId, b) =>
      completeAction(deps, actor, { pupilId, actionId, status: one(b['status']), outcome: one(b['outcome']) }),
  },
  {
    path: '/plans',
    key: () => 'plan',
    done: 'plan',
    call: (deps, actor, pupilId, _i, b) => {
      const texts = many(b['targetText']);
      const measures = many(b['targetMeasure']);
      return createPlan(deps, actor, {
        pupilId,
        kind: one(b['kind']),
        startsOn: one(b['startsOn']),
        endsOn: one(b['endsOn']),
        details: one(b['details']),
        targets: texts.map((text, i) => ({ text, measure: measures[i] ?? '' })),
        reviewDates: many(b['reviewDate']),
        headApprovedBy: one(b['headApprovedBy']),
        headApprovedOn: one(b['headApprovedOn']),
        laInformedOn: one(b['laInformedOn']),
      });
    },
  },
  {
    path: '/plans/:itemId',
    key: (id) => `plan-${id}`,
    done: 'plan-review',
    call: (deps, actor, pupilId, planId, b) =>
      reviewPlan(deps, actor, {
        pupilId,
        planId,
        on: one(b['on']),
        notes: one(b['notes']),
        targetsMet: many(b['targetMet']),
        end: one(b['end']) === 'yes',
        outcome: one(b['outcome']),
        laInformedOn: one(b['laInformedOn']),
      }),
  },
  {
    path: '/referrals',
    key: () => 'referral',
    done: 'referral',
    call: (deps, actor, pupilId, _i, b) =>
      createReferral(deps, actor, {
        pupilId,
        agency: one(b['agency']),
        madeOn: one(b['madeOn']),
        reason: one(b['reason']),
        reference: one(b['reference']),
      }),
  },
  {
    path: '/referrals/:itemId',
    key: (id) => `referral-${id}`,
    done: 'referral-update',
    call: (deps, actor, pupilId, referralId, b) =>
      updateReferral(deps, actor, { pupilId, referralId, status: one(b['status']), outcome: one(b['outcome']) }),
  },
  {
    path: '/contracts',
    key: () => 'contract',
    done: 'contract',
    call: (deps, actor, pupilId, _i, b) =>
      createContract(deps, actor, {
        pupilId,
        parentName: one(b['parentName']),
        agreedOn: one(b['agreedOn']),
        parentCommitments: one(b['parentCommitments']),
        supportOffered: one(b['supportOffered']),
        reviewOn: one(b['reviewOn']),
        endsOn: one(b['endsOn']),
      }),
  },
  {
    path: '/contracts/:itemId',
    key: (id) => `contract-${id}`,
    done: 'contract-update',
    call: (deps, actor, pupilId, contractId, b) =>
      updateContract(deps, actor, {
        pupilId,
        contractId,
        status: one(b['status']),
        outcome: one(b['outcome']),
        reviewOn: one(b['reviewOn']),
      }),
  },
  {
    path: '/notices',
    key: () => 'notice',
    done: 'notice',
    call: (deps, actor, pupilId, _i, b) =>
      issueNoticeToImprove(deps, actor, {
        pupilId,
        parentName: one(b['parentName']),
        issuedOn: one(b['issuedOn']),
        period: one(b['period']),
        expectations: one(b['expectations']),
      }),
  },
  {
    path: '/notices/:itemId',
    key: (id) => `notice-${id}`,
    done: 'notice-outcome',
    call: (deps, actor, pupilId, noticeId, b) =>
      recordNoticeOutcome(deps, actor, { pupilId, noticeId, status: one(b['status']), outcome: one(b['outcome']) }),
  },
  {
    path: '/penalty-notices',
    key: () => 'penalty',
    done: 'penalty',
    call: (deps, actor, pupilId, _i, b) =>
      recordPenaltyNotice(deps, actor, {
        pupilId,
        parentKey: one(b['parentKey']),
        parentName: one(b['parentName']),
        issuedOn: one(b['issuedOn']),
        reason: one(b['reason']),
      }),
  },
  {
    path: '/penalty-notices/:itemId',
    key: (id) => `penalty-${id}`,
    done: 'penalty-outcome',
    call: (deps, actor, pupilId, noticeId, b) =>
      recordPenaltyOutcome(deps, actor, { pupilId, noticeId, status: one(b['status']), paidOn: one(b['paidOn']) }),
  },
];

export const caseRoutes: FastifyPluginAsync = (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { deps } = app;

  app.get('/casework', { schema: { querystring: LIST_QUERY } }, async (request, reply) => {
    const actor = requireActor(request);
    const done = request.query.done;
    let banner = done ? (DONE[done] ?? null) : null;
    if (done === 'accept-many' && request.query.n) {
      const n = Number(request.query.n) || 0;
      const skipped = Number(request.query.skipped ?? '0') || 0;
      banner = `${n} suggestion${n === 1 ? '' : 's'} accepted: the stages have moved and the actions are on each case`;
      if (skipped > 0)
        banner += ` (${skipped} not accepted: already decided, or another suggestion for the same pupil was accepted)`;
    }
    if (done === 'dismiss-many' && request.query.n) {
      const n = Number(request.query.n) || 0;
      const skipped = Number(request.query.skipped ?? '0') || 0;
      banner = `${n} suggestion${n === 1 ? '' : 's'} dismissed with your reason`;
      if (skipped > 0) banner += ` (${skipped} not dismissed: already decided)`;
    }
    return renderList(deps, reply, actor, request.query, { banner, closePupil: request.query.closePupil ?? null });
  });

  app.post('/casework/suggestions/:id', { schema: { params: SUGGESTION, body: FORM } }, async (request, reply) => {
    const actor = requireActor(request);
    const b = request.body;
    const id = request.params.id;
    const decision = one(b['decision']);
    const back = one(b['returnTo']);
    let decided;
    try {
      decided = await decideSuggestion(deps, actor, {
        suggestionId: id,
        decision,
        stageId: one(b['stageId']),
        reason: one(b['reason']),
      });
    } catch (e) {
      if (!isFormError(e)) throw e;
      const state = errorState(e, `suggestion-${id}`, b);
      const code = HTTP_STATUS[e.code];
      if (back.startsWith('/pupils/')) {
        const pupilId = decodeURIComponent(back.split('/')[2] ?? '');
        return renderCase(deps, reply.code(code), actor, pupilId, state);
      }
      return renderList(deps, reply.code(code), actor, listQueryOf(back), state);
    }
    if (back.startsWith('/pupils/')) {
      const hash = decided.outOfStages ? '#close' : '';
      return reply.redirect(`${back}?done=${encodeURIComponent(decision)}${hash}`, 303);
    }
    const extra = decided.outOfStages ? `&closePupil=${encodeURIComponent(decided.pupilId)}` : '';
    return reply.redirect(listTarget(back, decision, extra), 303);
  });

  /**
   * "Accept selected" and "Dismiss selected": one form (the ticked suggestions and one reason)
   * with two buttons, the second posting here through `formaction`, so it works without
   * JavaScript. Its problems are shown on the form (key `accept-many`), whichever button.
   */
  const BULK = [
    { path: '/casework/accept-selected', done: 'accept-many', call: acceptSuggestions },
    { path: '/casework/dismiss-selected', done: 'dismiss-many', call: dismissSuggestions },
  ] as const;
  for (const bulk of BULK) {
    app.post(bulk.path, { schema: { body: ACCEPT_MANY } }, async (request, reply) => {
      const actor = requireActor(request);
      const b = request.body;
      const back = b.returnTo ?? '/casework';
      const ids =
        b.suggestionIds === undefined ? [] : Array.isArray(b.suggestionIds) ? b.suggestionIds : [b.suggestionIds];
      let result;
      try {
        result = await bulk.call(deps, actor, { suggestionIds: ids, reason: b.reason });
      } catch (e) {
        if (!isFormError(e)) throw e;
        const form: Form = { reason: b.reason ?? '', suggestionIds: ids };
        return renderList(
          deps,
          reply.code(HTTP_STATUS[e.code]),
          actor,
          listQueryOf(back),
          errorState(e, 'accept-many', form),
        );
      }
      const n = 'accepted' in result ? result.accepted : result.dismissed;
      return reply.redirect(listTarget(back, bulk.done, `&n=${n}&skipped=${result.skipped.length}`), 303);
    });
  }

  app.post('/casework/open', { schema: { body: FORM } }, async (request, reply) => {
    const actor = requireActor(request);
    const ids = many(request.body['pupilIds']);
    try {
      await openCases(deps, actor, ids, one(request.body['reason']));
    } catch (e) {
      if (!isFormError(e)) throw e;
      return renderList(deps, reply.code(HTTP_STATUS[e.code]), actor, {}, errorState(e, 'open', request.body));
    }
    const back = one(request.body['returnTo']);
    if (ids.length === 1 && back === 'case') {
      return reply.redirect(`/pupils/${encodeURIComponent(ids[0]!)}/case?done=opened`, 303);
    }
    return reply.redirect('/casework?done=opened', 303);
  });

  app.get('/pupils/:pupilId/case', { schema: { params: PUPIL, querystring: CASE_QUERY } }, async (request, reply) => {
    const actor = requireActor(request);
    const done = request.query.done;
    return renderCase(deps, reply, actor, request.params.pupilId, { banner: done ? (DONE[done] ?? null) : null });
  });

  for (const f of CASE_FORMS) {
    const hasItem = f.path.includes(':itemId');
    app.post(
      `/pupils/:pupilId/case${f.path}`,
      { schema: { params: hasItem ? ITEM : PUPIL, body: FORM } },
      async (request, reply) => {
        const actor = requireActor(request);
        const params = request.params as { pupilId: string; itemId?: string };
        const itemId = params.itemId ?? '';
        try {
          await f.call(deps, actor, params.pupilId, itemId, request.body);
        } catch (e) {
          if (!isFormError(e)) throw e;
          const key = f.key(itemId);
          return renderCase(
            deps,
            reply.code(HTTP_STATUS[e.code]),
            actor,
            params.pupilId,
            errorState(e, key, request.body),
          );
        }
        const anchor = ANCHORS[f.key('').split('-')[0] ?? ''] ?? 'stage';
        return reply.redirect(`/pupils/${encodeURIComponent(params.pupilId)}/case?done=${f.done}#${anchor}`, 303);
      },
    );
  }
  return Promise.resolve();
};
