/**
 * The school's attendance policy page: the policy shown readably (register times, follow-up
 * ladder, target and bands, adjusted attendance, the stages as a table, the letters), a preset
 * picker that loads a seed school's policy into the editor, and the document itself as YAML in
 * a textarea, saved with every problem listed by field.
 *
 *   GET  /school/policy            attendance officers, senior leaders, administrators
 *   GET  /school/policy?preset=id  the same, with the editor holding that preset's whole policy and
 *                                  what saving it would change, field by field (not saved yet)
 *   POST /school/policy            save the document (audited)
 *   GET  /school/policy/form       the common settings as a form (register times, follow-up,
 *                                  target and bands, leave rules)
 *   POST /school/policy/form       step=check: the problems by field, or what would change;
 *                                  step=save: the same document saved (audited) as from the editor
 */
import {
  conditionInWords as domainConditionInWords,
  formatThreshold,
  orderedStages,
  POLICY_PRESETS,
  policyPreset,
  type AttendancePolicy,
  type Condition,
} from '@rollcall/domain';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireActor } from '../../http/auth-routes.js';
import type { Actor } from '../../services/authz.js';
import type { Deps } from '../../services/deps.js';
import { AppError, HTTP_STATUS } from '../../services/errors.js';
import {
  caseworkPolicyOf,
  caseworkSettingsOf,
  parsePolicyText,
  policyLetters,
  presetDocument,
  type SchoolPolicy,
} from '../../services/policy/school-policy.js';
import { saveSchoolPolicy, viewSchoolPolicy } from '../../services/policy/school-policy-store.js';
import { leavePolicyOf, leaveRulesInWords } from '../../services/leave/leave.js';
import { policyChanges } from '../../services/policy/policy-changes.js';
import {
  documentFromForm,
  FORM_BAND_ROWS,
  FORM_PERIOD_ROWS,
  policyFormValues,
  type PolicyForm,
} from '../../services/policy/policy-form.js';
import { summaryBandsOf } from '../../services/follow-up/summaries.js';

const pct = formatThreshold;
const weeks = (n: number) => `${n} school week${n === 1 ? '' : 's'}`;

/** A trigger or step-down condition in words (the domain's wording, issue 13). */
export const conditionInWords = (c: Condition): string => domainConditionInWords(c);

const TAG_COLOURS = new Set([
  'grey',
  'green',
  'turquoise',
  'blue',
  'light-blue',
  'purple',
  'pink',
  'red',
  'orange',
  'yellow',
]);

function stagesTable(policy: AttendancePolicy) {
  const stages = orderedStages(policy);
  return stages.map((s, i) => {
    const to =
      s.stepDownTo === null
        ? null
        : s.stepDownTo === undefined
          ? (stages[i - 1] ?? null)
          : stages.find((t) => t.id === s.stepDownTo);
    return {
      id: s.id,
      name: s.name,
      order: s.order,
      triggers: s.triggers.map(conditionInWords),
      actions: s.actions,
      review: s.reviewAfterSchoolWeeks > 0 ? `every ${weeks(s.reviewAfterSchoolWeeks)}` : 'no set review',
      stepDown: (s.stepDownWhen ?? []).map(conditionInWords),
      stepDownActions: s.stepDownActions ?? ['letter:positive'],
      leadsTo: to ? to.name : 'case closed (no stage)',
    };
  });
}

function summary(policy: SchoolPolicy) {
  const cw = caseworkPolicyOf(policy);
  return {
    leave: leaveRulesInWords(leavePolicyOf(policy)),
    halfTermlyBands: summaryBandsOf(policy).map((b) => ({ from: `${b.from}%`, label: b.label, advice: b.advice })),
    halfTermlyFromPolicy: policy.halfTermlyLetter !== undefined,
    registerTimes: policy.registerTimes,
    followUp: policy.followUp,
    convertNToO: policy.convertNToOAfterSchoolDays,
    minPossibleSessions: policy.minPossibleSessions,
    casework: { id: cw.id, name: cw.name, source: cw.source, fromDefault: policy.casework === undefined },
    preset: policy.preset ?? null,
    target: cw.target === undefined ? null : pct(cw.target),
    bands: [...cw.bands]
      .sort((a, b) => b.minRate - a.minRate)
      .map((b) => ({
        name: b.name,
        from: pct(b.minRate),
        description: b.description ?? '',
        tag: TAG_COLOURS.has(b.colour) ? `govuk-tag--${b.colour}` : 'govuk-tag--grey',
        colour: b.colour,
      })),
    adjusted: cw.adjustedAttendance ?? null,
    caseworkSettings: caseworkSettingsOf(policy),
    stages: stagesTable(cw),
    letters: policyLetters(policy).map((l) => ({ key: l.key, title: l.title })),
  };
}

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
  extras: {
    text?: string;
    errors?: { field: string; message: string }[];
    banner?: string | null;
    preset?: string;
    /** What saving the editor's document would change, in words (a preset being chosen). */
    changes?: string[];
  },
): Promise<FastifyReply> {
  const view = await viewSchoolPolicy(deps, actor, schoolId);
  // Show what is being edited when it reads, else what is stored.
  const editing = extras.text === undefined ? null : parsePolicyText(extras.text);
  const shownPolicy = editing?.ok ? editing.policy : view.policy;
  return reply.view('policy.njk', {
    schoolName: view.schoolName,
    schoolQuery: actor.schoolId ? '' : `?school=${encodeURIComponent(schoolId)}`,
    text: extras.text ?? view.yaml,
    storedIsValid: view.storedIsValid,
    unsaved: extras.text !== undefined,
    p: summary(shownPolicy),
    presets: POLICY_PRESETS.map((p) => ({ id: p.id, name: p.name, summary: p.summary, source: p.policy.source })),
    chosenPreset: extras.preset ?? null,
    changes: extras.changes ?? null,
    errors: (extras.errors ?? []).map((e) => ({ text: `${e.field}: ${e.message}`, href: '#policy-text' })),
    banner: extras.banner ?? null,
  });
}

const QUERY = z.object({
  school: z.string().max(200).optional(),
  preset: z.string().max(100).optional(),
  saved: z.string().max(10).optional(),
});
const BODY = z.object({ _csrf: z.string().optional(), policy: z.string().max(200_000).default('') });
/** The form's fields by document path, plus the step ('check' or 'save'). */
const FORM_BODY = z.record(z.string().max(100), z.string().max(2000));

const BAND_COLOURS = ['green', 'yellow', 'orange', 'red', 'purple', 'blue', 'turquoise', 'pink', 'grey'];

async function renderForm(
  deps: Deps,
  reply: FastifyReply,
  actor: Actor,
  schoolId: string,
  extras: { values?: PolicyForm; errors?: { field: string; message: string }[]; changes?: string[] | null },
): Promise<FastifyReply> {
  const view = await viewSchoolPolicy(deps, actor, schoolId);
  const values = extras.values ?? policyFormValues(view.policy);
  const errors = extras.errors ?? [];
  const id = (field: string) => `f-${field.replace(/\./g, '-')}`;
  // A register window's own problem (open too long, closing before it opens) sits by its close.
  const placed = errors.map((x) => ({
    field: /^registerTimes\.(AM|PM)$/.test(x.field) ? `${x.field}.closes` : x.field,
    message: x.message,
    named: x.field,
  }));
  const fieldErrors: Record<string, string> = {};
  for (const x of placed) fieldErrors[x.field] ??= x.message;
  return reply.view('policy-form.njk', {
    schoolName: view.schoolName,
    schoolQuery: actor.schoolId ? '' : `?school=${encodeURIComponent(schoolId)}`,
    v: values,
    e: fieldErrors,
    errors: placed.map((x) => ({ text: `${x.named}: ${x.message}`, href: `#${id(x.field)}` })),
    changes: extras.changes ?? null,
    bandRows: Array.from({ length: FORM_BAND_ROWS }, (_, i) => i),
    periodRows: Array.from({ length: FORM_PERIOD_ROWS }, (_, i) => i),
    colours: BAND_COLOURS,
  });
}

export const policyRoutes: FastifyPluginAsync = (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { deps } = app;

  app.get('/school/policy', { schema: { querystring: QUERY } }, async (request, reply) => {
    const actor = requireActor(request);
    const schoolId = schoolOf(actor, request.query.school);
    const presetId = request.query.preset;
    if (presetId !== undefined && presetId !== '') {
      const view = await viewSchoolPolicy(deps, actor, schoolId);
      if (!policyPreset(presetId)) {
        reply.code(400);
        return render(deps, reply, actor, schoolId, {
          errors: [{ field: 'preset', message: `there is no preset "${presetId}"` }],
        });
      }
      const text = presetDocument(view.policy, presetId);
      const next = parsePolicyText(text);
      return render(deps, reply, actor, schoolId, {
        text,
        preset: presetId,
        changes: next.ok ? policyChanges(view.policy, next.policy) : [],
        banner: `The editor now holds the preset “${policyPreset(presetId)!.name}”: its whole policy, with your settings where its school’s policy says nothing. Nothing is saved until you save it.`,
      });
    }
    return render(deps, reply, actor, schoolId, {
      banner: request.query.saved ? 'The attendance policy has been saved.' : null,
    });
  });

  app.post('/school/policy', { schema: { querystring: QUERY, body: BODY } }, async (request, reply) => {
    const actor = requireActor(request);
    const schoolId = schoolOf(actor, request.query.school);
    try {
      await saveSchoolPolicy(deps, actor, { schoolId, text: request.body.policy });
      const q = actor.schoolId ? '' : `&school=${encodeURIComponent(schoolId)}`;
      return await reply.redirect(`/school/policy?saved=1${q}`, 303);
    } catch (e) {
      if (!(e instanceof AppError) || e.code !== 'VALIDATION') throw e;
      reply.code(HTTP_STATUS[e.code]);
      return render(deps, reply, actor, schoolId, {
        text: request.body.policy,
        errors: [...(e.details.fields ?? [])],
      });
    }
  });
  app.get('/school/policy/form', { schema: { querystring: QUERY } }, async (request, reply) => {
    const actor = requireActor(request);
    return renderForm(deps, reply, actor, schoolOf(actor, request.query.school), {});
  });

  app.post('/school/policy/form', { schema: { querystring: QUERY, body: FORM_BODY } }, async (request, reply) => {
    const actor = requireActor(request);
    const schoolId = schoolOf(actor, request.query.school);
    const view = await viewSchoolPolicy(deps, actor, schoolId);
    const values: PolicyForm = request.body;
    const built = documentFromForm(view.policy, view.document, values);
    if (!built.ok) {
      reply.code(400);
      return renderForm(deps, reply, actor, schoolId, { values, errors: built.errors });
    }
    if (values.step !== 'save') {
      return renderForm(deps, reply, actor, schoolId, { values, changes: policyChanges(view.policy, built.policy) });
    }
    try {
      await saveSchoolPolicy(deps, actor, { schoolId, text: JSON.stringify(built.raw) });
    } catch (e) {
      if (!(e instanceof AppError) || e.code !== 'VALIDATION') throw e;
      reply.code(HTTP_STATUS[e.code]);
      return renderForm(deps, reply, actor, schoolId, { values, errors: [...(e.details.fields ?? [])] });
    }
    const q = actor.schoolId ? '' : `&school=${encodeURIComponent(schoolId)}`;
    return reply.redirect(`/school/policy?saved=1${q}`, 303);
  });
  return Promise.resolve();
};
