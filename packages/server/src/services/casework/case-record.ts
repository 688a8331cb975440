/**
 * A pupil's case record: read it, and record what people do — meetings (scheduled, held or not
 * attended, with attendees, barriers, minutes, the pupil's and parents' voice and actions with
 * owner, due date and outcome), plans (support / improvement with SMART targets and review
 * dates, medical action plans, part-time timetables with the head's approval, an agreed end date,
 * 2-weekly reviews and the LA informed), referrals, attendance contracts, Notices to Improve
 * (monitoring period from the calendar) and the penalty-notice ledger (national rules, at most
 * 2 per parent per child in a rolling 3 years).
 *
 * Reading needs `casework.view`; recording needs `casework.manage`. Every change is audited
 * and runs in one transaction. Validation errors name the field.
 */
import type { PlainDate } from '@rollcall/domain';
import type { z } from 'zod';
import {
  completeOpenPolicyActions,
  findCaseItem,
  insertCaseItem,
  parentContacts,
  updateCaseItem,
} from '../../db/casework/case-record.js';
import type { Trx } from '../../db/connect.js';
import { pupilMarks } from '../../db/pupils/pupils.js';
import { newId } from '../../platform/ids.js';
import { audit } from '../audit.js';
import { authorise, can, type Actor, type Action } from '../authz.js';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import { loadPupilScope } from '../pupil-scope.js';
import { layMarks } from '../pupils/pupils.js';
import { schoolCalendar } from '../registers/registers.js';
import { actionDescription, actionHref, actionLabel } from './actions.js';
import { letterTitles, validation } from './casework.js';
import { planNextReview } from './casework-list.js';
import { policyDates, type PolicyDate } from './due-dates.js';
import { schoolWeeksAfter } from './facts.js';
import { nextPenaltyNotice, type LedgerDecision } from './ledger.js';
import { noticeAttendance, planAttendance, type PeriodAttendance } from './period-attendance.js';
import { caseworkPolicyOf, minPlanSchoolWeeks, noticePeriodOf, stageOf } from './policy.js';
import { Check } from './record-check.js';
import {
  ACTION,
  CONTRACT,
  earliestPlanEnd,
  MEETING,
  monitoringEnd,
  NOTICE_TO_IMPROVE,
  PENALTY_NOTICE,
  PLAN,
  REFERRAL,
  type ActionInput,
  type AnyRecordKind,
  type Completes,
  type KindContext,
  type PlanInput,
  type RecordMeetingInput,
  type ScheduleMeetingInput,
} from './record-kinds.js';
import {
  AGENCY_LABELS,
  loadCaseRecord,
  PLAN_KIND_LABELS,
  type CaseRecord,
  type NoticePeriod,
  type PlanKind,
} from './record.js';

type Scope = Awaited<ReturnType<typeof loadPupilScope>>;

export interface ParentOption {
  readonly key: string;
  readonly name: string;
  readonly relationship: string;
}

export interface CaseView {
  readonly pupil: { id: string; name: string; yearGroup: string | null };
  readonly school: { id: string; name: string };
  /** The school's letter titles in words by template key (to say a letter action in words). */
  readonly letters: ReadonlyMap<string, string>;
  readonly today: PlainDate;
  readonly record: CaseRecord;
  readonly policy: ReturnType<typeof caseworkPolicyOf>;
  readonly currentStageName: string | null;
  readonly nextReviewDue: PlainDate | null;
  /** The stage has no set review: its reviews are the policy's check points (see `policyDates`). */
  readonly reviewsAtCheckPoints: boolean;
  /** The dates the policy counts to for this case (stage, plan, notice, contract) and its next check points. */
  readonly policyDates: readonly PolicyDate[];
  readonly parents: readonly ParentOption[];
  readonly planNextReviews: Readonly<Record<string, PlainDate | null>>;
  readonly actionLinks: Readonly<Record<string, string>>;
  readonly minPlanSchoolWeeks: number;
  readonly noticePeriod: NoticePeriod;
  /** Per parent: what a new penalty notice would be today. */
  readonly ledger: readonly { parentKey: string; parentName: string; next: LedgerDecision }[];
  /** Attendance over each plan's period and each Notice to Improve's monitoring period, by id. */
  readonly periodAttendance: Readonly<Record<string, PeriodAttendance>>;
  readonly canManage: boolean;
  /** May compose and send letters (letter actions link to the compose page). */
  readonly canSendLetters: boolean;
}

async function scopeFor(deps: Deps, actor: Actor, pupilId: string, action: Action) {
  const scope = await loadPupilScope(deps.db, pupilId);
  authorise(actor, action, scope.resource);
  return scope;
}

/** A pupil's case record, for the case page. Audited as a read. */
export async function getCase(deps: Deps, actor: Actor, pupilId: string): Promise<CaseView> {
  const { pupil, school, resource } = await scopeFor(deps, actor, pupilId, 'casework.view');
  const policy = caseworkPolicyOf(school);
  const today = deps.clock.today(school.timeZone);
  const cal = await schoolCalendar(deps, school.id);
  const stored = await loadCaseRecord(deps.db, pupil.id);
  const letters = await letterTitles(deps, school);
  const record = {
    ...stored,
    actions: stored.actions.map((a) => ({
      ...a,
      description: actionDescription(a.description, a.policyAction, letters),
    })),
  };
  const contacts = await parentContacts(deps.db, pupil.id);
  const parents: ParentOption[] = contacts.map((c) => ({ key: c.id, name: c.name, relationship: c.relationship }));
  const stage = record.current ? stageOf(policy, record.current.stageId) : null;
  let nextReviewDue: PlainDate | null = null;
  if (record.current && stage && stage.reviewAfterSchoolWeeks > 0) {
    const reviews = record.reviews.filter((r) => r.caseStageId === record.current!.id);
    const from = reviews.length > 0 ? reviews[reviews.length - 1]!.reviewedOn : record.current.enteredOn;
    nextReviewDue = schoolWeeksAfter(cal, from, stage.reviewAfterSchoolWeeks);
  }
  const ledgerParents = new Map<string, string>();
  for (const p of parents) ledgerParents.set(p.key, p.name);
  for (const n of record.penaltyNotices)
    if (!ledgerParents.has(n.parentKey)) ledgerParents.set(n.parentKey, n.parentName);
  const ledger = [...ledgerParents].map(([parentKey, parentName]) => ({
    parentKey,
    parentName,
    next: nextPenaltyNotice(
      record.penaltyNotices.filter((n) => n.parentKey === parentKey),
      today,
    ),
  }));
  const periodAttendance: Record<string, PeriodAttendance> = {};
  if (record.plans.length > 0 || record.notices.length > 0) {
    const laid = layMarks(cal, await pupilMarks(deps.db, pupil.id));
    const roll = { codes: laid.codes, admissionDate: pupil.admissionDate, leavingDate: pupil.leavingDate };
    for (const p of record.plans) {
      periodAttendance[p.id] = planAttendance(cal, roll, p, policy.target ?? null, today);
    }
    for (const n of record.notices) periodAttendance[n.id] = noticeAttendance(cal, roll, n, today);
  }
  await audit(deps.db, actor, deps.clock.now(), {
    action: 'casework.view',
    entityType: 'case',
    entityId: pupil.id,
    pupilId: pupil.id,
    schoolId: school.id,
  });
  return {
    pupil: { id: pupil.id, name: `${pupil.forename} ${pupil.surname}`, yearGroup: pupil.yearGroup },
    school: { id: school.id, name: school.name },
    letters,
    today,
    record,
    policy,
    currentStageName: record.current ? (stage?.name ?? record.current.stageName) : null,
    nextReviewDue,
    reviewsAtCheckPoints: stage !== null && stage.reviewAfterSchoolWeeks === 0,
    policyDates: policyDates(cal, policy, record, today),
    parents,
    planNextReviews: Object.fromEntries(
      record.plans.map((p) => [p.id, p.status === 'active' ? planNextReview(p) : null]),
    ),
    // A letter action links to the compose page only for those who may send letters (a SENCO may not).
    actionLinks: Object.fromEntries(
      record.actions
        .filter((a) => a.policyAction && (!a.policyAction.startsWith('letter:') || can(actor, 'letter.send', resource)))
        .map((a) => [a.id, actionHref(pupil.id, a.policyAction!)]),
    ),
    minPlanSchoolWeeks: minPlanSchoolWeeks(school),
    noticePeriod: noticePeriodOf(school),
    ledger,
    periodAttendance,
    canManage: can(actor, 'casework.manage', resource),
    canSendLetters: can(actor, 'letter.send', resource),
  };
}

// ---------------------------------------------------------------------------------------------
// Creating and updating any kind of record (the kinds are data: record-kinds.ts)

/** The input did not have the shape the kind expects: VALIDATION naming each field. */
function parsed<I>(schema: z.ZodType<I>, input: unknown, failed: string): I {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw validation(
    failed,
    result.error.issues.map((i) => ({ field: i.path.join('.') || 'input', message: i.message })),
  );
}

function contextOf(deps: Deps, actor: Actor, scope: Scope): KindContext {
  return {
    deps,
    actor,
    pupilId: scope.pupil.id,
    school: scope.school,
    today: () => deps.clock.today(scope.school.timeZone),
    calendar: () => schoolCalendar(deps, scope.school.id),
  };
}

/**
 * Writes `body` and its audit entry in one transaction, then completes the policy's open action
 * the record answers (if any).
 */
async function change(
  deps: Deps,
  actor: Actor,
  scope: Scope,
  entry: { action: string; entityType: string; entityId: string; details?: Record<string, unknown> | undefined },
  completes: Completes | undefined,
  body: (trx: Trx, now: string) => Promise<void>,
): Promise<void> {
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    await body(trx, now);
    if (completes) {
      await completeOpenPolicyActions(
        trx,
        scope.pupil.id,
        { policyAction: completes.policyAction, like: completes.like ?? false },
        { outcome: completes.outcome, completedOn: completes.completedOn, now },
      );
    }
    const { details, ...rest } = entry;
    await audit(trx, actor, now, {
      ...rest,
      ...(details !== undefined && { details }),
      pupilId: scope.pupil.id,
      schoolId: scope.school.id,
    });
  });
}

/** Creates a record of the given kind for the input's pupil; returns its id. */
export async function createItem<I extends { pupilId: string }>(
  kind: AnyRecordKind,
  deps: Deps,
  actor: Actor,
  input: I,
): Promise<string> {
  const spec = kind.create;
  const scope = await scopeFor(deps, actor, input.pupilId, kind.permission);
  const valid = parsed(spec.input, input, spec.failed);
  const ctx = contextOf(deps, actor, scope);
  const c = new Check();
  const checked: unknown = await spec.check(c, valid, ctx);
  c.done(spec.failed);
  const write = await spec.write(checked, ctx);
  const id = newId();
  await change(
    deps,
    actor,
    scope,
    { action: spec.action, entityType: kind.entityType, entityId: spec.auditEntityId ?? id, details: write.details },
    write.completes,
    async (trx, now) => {
      await insertCaseItem(trx, kind.table, {
        id,
        pupil_id: scope.pupil.id,
        ...write.values,
        created_by: actor.userId,
        created_at: now,
        updated_at: now,
      });
    },
  );
  return id;
}

/**
 * Updates one of the pupil's records of the given kind (the id in the input's `idField`):
 * NOT_FOUND when the pupil has no such record, CONFLICT when it can no longer be changed.
 */
export async function updateItem<I extends { pupilId: string }>(
  kind: AnyRecordKind,
  deps: Deps,
  actor: Actor,
  input: I,
): Promise<void> {
  const spec = kind.update;
  const scope = await scopeFor(deps, actor, input.pupilId, kind.permission);
  const valid = parsed(spec.input, input, spec.failed);
  const id = (valid as Record<string, unknown>)[spec.idField];
  const row = await findCaseItem(deps.db, kind.table, scope.pupil.id, typeof id === 'string' ? id : '');
  if (!row) throw new AppError('NOT_FOUND', spec.missing);
  const decided = spec.decided?.(row) ?? null;
  if (decided !== null) throw new AppError('CONFLICT', decided);
  const ctx = contextOf(deps, actor, scope);
  const c = new Check();
  const checked: unknown = await spec.check(c, valid, row, ctx);
  c.done(spec.failed);
  const write = await spec.write(checked, row, ctx);
  await change(
    deps,
    actor,
    scope,
    { action: spec.action, entityType: kind.entityType, entityId: row.id, details: write.details },
    write.completes,
    async (trx, now) => {
      await updateCaseItem(trx, kind.table, row.id, { ...write.set, updated_at: now });
      await write.also?.(trx, now);
    },
  );
}

// ---------------------------------------------------------------------------------------------
// Each kind's two calls, by the names the pages, the CLI, the demo and the tests use

interface Typed {
  readonly create: { readonly input: z.ZodType };
  readonly update: { readonly input: z.ZodType };
  readonly any: AnyRecordKind;
}

function creator<K extends Typed>(kind: K) {
  return (deps: Deps, actor: Actor, input: z.infer<K['create']['input']>): Promise<string> =>
    createItem(kind.any, deps, actor, input as { pupilId: string });
}
function updater<K extends Typed>(kind: K) {
  return (deps: Deps, actor: Actor, input: z.infer<K['update']['input']>): Promise<void> =>
    updateItem(kind.any, deps, actor, input as { pupilId: string });
}

export const scheduleMeeting = creator(MEETING);
/** Records a meeting as held (with attendees, barriers, minutes, voices, actions), not attended, or cancelled. */
export const recordMeeting = updater(MEETING);
export const addAction = creator(ACTION);
/** Records an action's outcome: done or cancelled, with what happened. */
export const completeAction = updater(ACTION);
export const createPlan = creator(PLAN);
/** Reviews a plan: notes, each target met or not, optionally ending it with an outcome. */
export const reviewPlan = updater(PLAN);
export const createReferral = creator(REFERRAL);
export const updateReferral = updater(REFERRAL);
export const createContract = creator(CONTRACT);
export const updateContract = updater(CONTRACT);
export const issueNoticeToImprove = creator(NOTICE_TO_IMPROVE);
export const recordNoticeOutcome = updater(NOTICE_TO_IMPROVE);
/**
 * Records a penalty notice in the ledger, with the national amounts and deadlines. A third
 * notice to the same parent for the same child within 3 years is refused with the reason and
 * the other routes.
 */
export const recordPenaltyNotice = creator(PENALTY_NOTICE);
/** Records a payment (the amount follows from the date), a withdrawal, or non-payment. */
export const recordPenaltyOutcome = updater(PENALTY_NOTICE);

export { earliestPlanEnd, monitoringEnd };
export type { ActionInput, PlanInput, RecordMeetingInput, ScheduleMeetingInput };
export { actionLabel, PLAN_KIND_LABELS, AGENCY_LABELS, type PlanKind };
