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
import { policyDates, type PolicyDate } from './due-dates.js';
import {
  addDays,
  firstSessionOnOrAfter,
  isPlainDate,
  isTimeOfDay,
  mondayOf,
  type PlainDate,
  type SchoolCalendar,
} from '@rollcall/domain';
import type { Trx } from '../../db/connect.js';
import type { Database } from '../../db/schema.js';
import type { School } from '../../db/repositories/schools.js';
import { newId } from '../../platform/ids.js';
import { audit } from '../audit.js';
import { authorise, can, type Actor } from '../authz.js';
import type { Deps } from '../deps.js';
import { AppError, type FieldError } from '../errors.js';
import { loadPupilScope } from '../home-visits.js';
import { pupilMarks } from '../../db/repositories/pupils.js';
import { layMarks } from '../pupils.js';
import { schoolCalendar } from '../registers.js';
import { noticeAttendance, planAttendance, type PeriodAttendance } from './period-attendance.js';
import { actionDescription, actionHref, actionLabel } from './actions.js';
import { letterTitles, planNextReview, validation } from './casework.js';
import { nthSchoolDayFrom, schoolWeeksAfter } from './facts.js';
import { amountDueOn, nextPenaltyNotice, pounds, type LedgerDecision } from './ledger.js';
import { caseworkPolicyOf, minPlanSchoolWeeks, noticePeriodOf, stageOf } from './policy.js';
import {
  AGENCIES,
  AGENCY_LABELS,
  loadCaseRecord,
  PLAN_KIND_LABELS,
  PLAN_KINDS,
  type CaseRecord,
  type NoticePeriod,
  type PlanKind,
  type PlanTarget,
} from './record.js';

const MAX_TEXT = 10_000;

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

async function scopeFor(deps: Deps, actor: Actor, pupilId: string, action: 'casework.view' | 'casework.manage') {
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
  const contacts = await deps.db
    .selectFrom('contacts')
    .select(['id', 'name', 'relationship'])
    .where('pupil_id', '=', pupil.id)
    .where('parental_responsibility', '=', 1)
    .orderBy('priority')
    .execute();
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
// Validation helpers: each names its field.

class Check {
  readonly errors: FieldError[] = [];
  text(
    field: string,
    value: string | undefined,
    label: string,
    opts: { required?: boolean; max?: number } = {},
  ): string | null {
    const v = (value ?? '').trim();
    if (!v) {
      if (opts.required ?? true) this.errors.push({ field, message: `Enter ${label}.` });
      return null;
    }
    const max = opts.max ?? MAX_TEXT;
    if (v.length > max)
      this.errors.push({
        field,
        message: `${capital(label)} must be ${max.toLocaleString('en-GB')} characters or fewer.`,
      });
    return v;
  }
  date(field: string, value: string | undefined, label: string, opts: { required?: boolean } = {}): PlainDate | null {
    const v = (value ?? '').trim();
    if (!v) {
      if (opts.required ?? true) this.errors.push({ field, message: `Enter ${label}, for example 2025-09-10.` });
      return null;
    }
    if (!isPlainDate(v)) {
      this.errors.push({ field, message: `${capital(label)} must be a real date, for example 2025-09-10.` });
      return null;
    }
    return v;
  }
  oneOf<T extends string>(field: string, value: string | undefined, options: readonly T[], message: string): T | null {
    const v = (value ?? '').trim();
    if (!(options as readonly string[]).includes(v)) {
      this.errors.push({ field, message });
      return null;
    }
    return v as T;
  }
  add(field: string, message: string): void {
    this.errors.push({ field, message });
  }
  done(message: string): void {
    if (this.errors.length > 0) throw validation(message, this.errors);
  }
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

async function change(
  deps: Deps,
  actor: Actor,
  scope: Scope,
  entry: { action: string; entityType: string; entityId: string; details?: Record<string, unknown> },
  body: (trx: Trx, now: string) => Promise<void>,
): Promise<void> {
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    await body(trx, now);
    await audit(trx, actor, now, {
      ...entry,
      pupilId: scope.pupil.id,
      schoolId: scope.school.id,
    });
  });
}

/** The case tables whose rows belong to one pupil and are changed one by one from the case page. */
type PupilItemTable =
  | 'case_meetings'
  | 'case_actions'
  | 'case_plans'
  | 'case_referrals'
  | 'case_contracts'
  | 'notices_to_improve'
  | 'penalty_notices';

/**
 * One of the pupil's rows of a case table: NOT_FOUND (`missing`) when the pupil has no row with
 * that id, CONFLICT when `decided` gives a reason it can no longer be changed.
 */
async function pupilItem<T extends PupilItemTable>(
  deps: Deps,
  scope: Scope,
  table: T,
  id: string,
  opts: { missing: string; decided?: (row: Database[T]) => string | null },
): Promise<Database[T]> {
  // Every one of these tables has `id` and `pupil_id`; the cast only names one for the builder.
  const row = (await deps.db
    .selectFrom(table as 'case_meetings')
    .selectAll()
    .where('id', '=', id)
    .where('pupil_id', '=', scope.pupil.id)
    .executeTakeFirst()) as Database[T] | undefined;
  if (!row) throw new AppError('NOT_FOUND', opts.missing);
  const decided = opts.decided?.(row) ?? null;
  if (decided !== null) throw new AppError('CONFLICT', decided);
  return row;
}

function today(deps: Deps, school: School): PlainDate {
  return deps.clock.today(school.timeZone);
}

// ---------------------------------------------------------------------------------------------
// Meetings and actions

export interface ScheduleMeetingInput {
  readonly pupilId: string;
  readonly kind: string;
  readonly date: string;
  readonly time?: string | undefined;
  readonly place?: string | undefined;
  readonly invited: string;
}

export async function scheduleMeeting(deps: Deps, actor: Actor, input: ScheduleMeetingInput): Promise<string> {
  const scope = await scopeFor(deps, actor, input.pupilId, 'casework.manage');
  const c = new Check();
  const kind = c.text('kind', input.kind, 'what the meeting is for', { max: 200 });
  const date = c.date('date', input.date, 'the date of the meeting');
  const time = (input.time ?? '').trim();
  if (time && !isTimeOfDay(time)) c.add('time', 'The time must be HH:MM on the 24-hour clock, for example 09:30.');
  const place = c.text('place', input.place, 'the place', { required: false, max: 500 });
  const invited = c.text('invited', input.invited, 'who is invited (for example “parent, pupil, attendance officer”)');
  c.done('The meeting could not be arranged.');
  const current = await deps.db
    .selectFrom('case_stages')
    .select('stage_id')
    .where('pupil_id', '=', scope.pupil.id)
    .where('left_on', 'is', null)
    .executeTakeFirst();
  const id = newId();
  await change(
    deps,
    actor,
    scope,
    { action: 'casework.meeting.schedule', entityType: 'case_meeting', entityId: id, details: { date } },
    async (trx, now) => {
      await trx
        .insertInto('case_meetings')
        .values({
          id,
          pupil_id: scope.pupil.id,
          kind: kind!,
          stage_id: current?.stage_id ?? null,
          scheduled_for: date!,
          time: time || null,
          place,
          invited: invited!,
          status: 'scheduled',
          held_on: null,
          attendees: null,
          barriers: null,
          minutes: null,
          pupil_voice: null,
          parent_voice: null,
          created_by: actor.userId,
          created_at: now,
          updated_at: now,
        })
        .execute();
    },
  );
  return id;
}

export interface ActionInput {
  readonly description: string;
  readonly owner: string;
  readonly dueOn: string;
}

export interface RecordMeetingInput {
  readonly pupilId: string;
  readonly meetingId: string;
  /** held | not_attended | cancelled */
  readonly outcome: string;
  readonly heldOn?: string | undefined;
  readonly attendees?: string | undefined;
  readonly barriers?: string | undefined;
  readonly minutes?: string | undefined;
  readonly pupilVoice?: string | undefined;
  readonly parentVoice?: string | undefined;
  /** Actions agreed; rows left wholly blank are ignored. */
  readonly actions?: readonly ActionInput[] | undefined;
}

function checkActions(
  c: Check,
  actions: readonly ActionInput[] | undefined,
  prefix = 'actions',
): { description: string; owner: string; dueOn: PlainDate }[] {
  const out: { description: string; owner: string; dueOn: PlainDate }[] = [];
  (actions ?? []).forEach((a, i) => {
    if (!a.description.trim() && !a.owner.trim() && !a.dueOn.trim()) return;
    const description = c.text(`${prefix}.${i}.description`, a.description, `what action ${i + 1} is`, { max: 1000 });
    const owner = c.text(`${prefix}.${i}.owner`, a.owner, `who owns action ${i + 1}`, { max: 200 });
    const dueOn = c.date(`${prefix}.${i}.dueOn`, a.dueOn, `when action ${i + 1} is due`);
    if (description && owner && dueOn) out.push({ description, owner, dueOn });
  });
  return out;
}

/** Records a meeting as held (with attendees, barriers, minutes, voices, actions), not attended, or cancelled. */
export async function recordMeeting(deps: Deps, actor: Actor, input: RecordMeetingInput): Promise<void> {
  const scope = await scopeFor(deps, actor, input.pupilId, 'casework.manage');
  const meeting = await pupilItem(deps, scope, 'case_meetings', input.meetingId, {
    missing: 'No such meeting for this pupil.',
    decided: (m) => (m.status !== 'scheduled' ? 'This meeting has already been recorded.' : null),
  });
  const c = new Check();
  const outcome = c.oneOf(
    'outcome',
    input.outcome,
    ['held', 'not_attended', 'cancelled'] as const,
    'Say whether the meeting was held, not attended, or cancelled.',
  );
  const heldOn =
    c.date('heldOn', input.heldOn, 'the date of the meeting', { required: outcome === 'held' }) ??
    meeting.scheduled_for;
  if (heldOn > today(deps, scope.school))
    c.add('heldOn', 'A meeting cannot be recorded before it happens: the date is in the future.');
  const held = outcome === 'held';
  const attendees = c.text('attendees', input.attendees, 'who attended', { required: held });
  const barriers = c.text('barriers', input.barriers, 'the barriers to attendance identified', { required: false });
  const minutes = c.text('minutes', input.minutes, 'the minutes (what was discussed and agreed)', { required: held });
  const pupilVoice = c.text('pupilVoice', input.pupilVoice, 'the pupil’s voice', { required: false });
  const parentVoice = c.text('parentVoice', input.parentVoice, 'the parents’ voice', { required: false });
  const actions = checkActions(c, input.actions);
  c.done('The meeting could not be recorded.');
  await change(
    deps,
    actor,
    scope,
    {
      action: 'casework.meeting.record',
      entityType: 'case_meeting',
      entityId: meeting.id,
      details: { outcome, actions: actions.length },
    },
    async (trx, now) => {
      await trx
        .updateTable('case_meetings')
        .set({
          status: outcome!,
          held_on: heldOn,
          attendees,
          barriers,
          minutes,
          pupil_voice: pupilVoice,
          parent_voice: parentVoice,
          updated_at: now,
        })
        .where('id', '=', meeting.id)
        .execute();
      for (const a of actions) {
        await insertAction(trx, actor, now, scope.pupil.id, { ...a, policyAction: null, meetingId: meeting.id });
      }
      // The meeting proposed by a suggestion is done.
      if (outcome !== 'cancelled') {
        await trx
          .updateTable('case_actions')
          .set({
            status: 'done',
            outcome: `Meeting ${outcome === 'held' ? 'held' : 'arranged; not attended'} on ${heldOn}`,
            completed_on: heldOn,
            updated_at: now,
          })
          .where('pupil_id', '=', scope.pupil.id)
          .where('status', '=', 'open')
          .where('policy_action', 'like', 'meeting:%')
          .execute();
      }
    },
  );
}

async function insertAction(
  trx: Trx,
  actor: Actor,
  now: string,
  pupilId: string,
  a: { description: string; owner: string; dueOn: PlainDate; policyAction: string | null; meetingId: string | null },
): Promise<string> {
  const id = newId();
  await trx
    .insertInto('case_actions')
    .values({
      id,
      pupil_id: pupilId,
      policy_action: a.policyAction,
      description: a.description,
      owner: a.owner,
      due_on: a.dueOn,
      status: 'open',
      outcome: null,
      completed_on: null,
      suggestion_id: null,
      meeting_id: a.meetingId,
      created_by: actor.userId,
      created_at: now,
      updated_at: now,
    })
    .execute();
  return id;
}

export async function addAction(deps: Deps, actor: Actor, input: ActionInput & { pupilId: string }): Promise<string> {
  const scope = await scopeFor(deps, actor, input.pupilId, 'casework.manage');
  const c = new Check();
  const [a] = checkActions(c, [input], 'action');
  if (!a && c.errors.length === 0) c.add('action.0.description', 'Enter what the action is.');
  c.done('The action could not be added.');
  let id = '';
  await change(
    deps,
    actor,
    scope,
    { action: 'casework.action.add', entityType: 'case_action', entityId: 'new' },
    async (trx, now) => {
      id = await insertAction(trx, actor, now, scope.pupil.id, { ...a!, policyAction: null, meetingId: null });
    },
  );
  return id;
}

/** Records an action's outcome: done or cancelled, with what happened. */
export async function completeAction(
  deps: Deps,
  actor: Actor,
  input: { pupilId: string; actionId: string; status: string; outcome: string },
): Promise<void> {
  const scope = await scopeFor(deps, actor, input.pupilId, 'casework.manage');
  const row = await pupilItem(deps, scope, 'case_actions', input.actionId, {
    missing: 'No such action for this pupil.',
  });
  const c = new Check();
  const status = c.oneOf(
    'status',
    input.status,
    ['done', 'cancelled'] as const,
    'Say whether the action was done or cancelled.',
  );
  const outcome = c.text('outcome', input.outcome, 'the outcome', { max: 2000 });
  c.done('The action could not be updated.');
  const on = today(deps, scope.school);
  await change(
    deps,
    actor,
    scope,
    { action: 'casework.action.complete', entityType: 'case_action', entityId: row.id, details: { status } },
    async (trx, now) => {
      await trx
        .updateTable('case_actions')
        .set({ status: status!, outcome, completed_on: on, updated_at: now })
        .where('id', '=', row.id)
        .execute();
    },
  );
}

// ---------------------------------------------------------------------------------------------
// Plans

export interface PlanInput {
  readonly pupilId: string;
  readonly kind: string;
  readonly startsOn: string;
  readonly endsOn: string;
  readonly details?: string | undefined;
  readonly targets?: readonly { text: string; measure: string }[] | undefined;
  readonly reviewDates?: readonly string[] | undefined;
  readonly headApprovedBy?: string | undefined;
  readonly headApprovedOn?: string | undefined;
  readonly laInformedOn?: string | undefined;
}

/**
 * The earliest end date a plan may have under the policy's minimum length: the last school day
 * of the `minWeeks`-th school week, counting the week the plan starts as week 1. Where the
 * calendar does not reach that far, the Friday of that week.
 */
export function earliestPlanEnd(cal: SchoolCalendar, startsOn: PlainDate, minWeeks: number): PlainDate {
  return lastSchoolDayOfWeek(cal, startsOn, minWeeks) ?? addDays(mondayOf(startsOn), 7 * minWeeks - 3);
}

/** The last school day of the n-th school week from the week of the first school day on or after `from`. */
function lastSchoolDayOfWeek(cal: SchoolCalendar, from: PlainDate, n: number): PlainDate | null {
  const a = firstSessionOnOrAfter(cal, from);
  if (a >= cal.sessionCount) return null;
  const week = cal.sessionWeek[a]! + n - 1;
  if (week >= cal.weekCount) return null;
  return cal.sessionDate[cal.weekFirstSession[week + 1]! - 1]!;
}

export async function createPlan(deps: Deps, actor: Actor, input: PlanInput): Promise<string> {
  const scope = await scopeFor(deps, actor, input.pupilId, 'casework.manage');
  const c = new Check();
  const kind = c.oneOf('kind', input.kind, PLAN_KINDS, 'Choose the kind of plan.');
  const startsOn = c.date('startsOn', input.startsOn, 'the start date');
  const endsOn = c.date(
    'endsOn',
    input.endsOn,
    kind === 'part-time-timetable' ? 'the agreed end date' : 'the end date',
  );
  const details = c.text(
    'details',
    input.details,
    kind === 'medical'
      ? 'the medical needs and what the plan does'
      : kind === 'part-time-timetable'
        ? 'the reduced timetable'
        : 'details',
    {
      required: kind === 'medical' || kind === 'part-time-timetable',
    },
  );
  if (startsOn && endsOn && endsOn <= startsOn) c.add('endsOn', 'The end date must be after the start date.');
  const minWeeks = minPlanSchoolWeeks(scope.school);
  const cal = await schoolCalendar(deps, scope.school.id);
  const smart = kind === 'attendance-support' || kind === 'improvement';
  if (smart && startsOn && endsOn && endsOn > startsOn) {
    const earliest = earliestPlanEnd(cal, startsOn, minWeeks);
    if (endsOn < earliest) {
      c.add(
        'endsOn',
        `The policy sets a minimum plan length of ${minWeeks} school weeks: end it on ${earliest} or later.`,
      );
    }
  }
  const targets: PlanTarget[] = [];
  (input.targets ?? []).forEach((t, i) => {
    if (!t.text.trim() && !t.measure.trim()) return;
    const text = c.text(`targets.${i}.text`, t.text, `target ${i + 1} (specific: what will happen)`, { max: 1000 });
    const measure = c.text(`targets.${i}.measure`, t.measure, `how target ${i + 1} is measured`, { max: 1000 });
    if (text && measure) targets.push({ text, measure, met: null });
  });
  if (smart && targets.length === 0 && !c.errors.some((e) => e.field.startsWith('targets.'))) {
    c.add('targets.0.text', 'Give at least one SMART target (specific, measurable, achievable, relevant, time-bound).');
  }
  const reviewDates: PlainDate[] = [];
  (input.reviewDates ?? []).forEach((r, i) => {
    if (!r.trim()) return;
    const d = c.date(`reviewDates.${i}`, r, `review date ${i + 1}`);
    if (!d) return;
    if (startsOn && endsOn && (d < startsOn || d > endsOn))
      c.add(`reviewDates.${i}`, `Review date ${i + 1} must fall within the plan (${startsOn} to ${endsOn}).`);
    else reviewDates.push(d);
  });
  if (smart && reviewDates.length === 0 && !c.errors.some((e) => e.field.startsWith('reviewDates.'))) {
    c.add('reviewDates.0', 'Give at least one review date.');
  }
  let headApprovedBy: string | null = null;
  let headApprovedOn: PlainDate | null = null;
  let laInformedOn: PlainDate | null = null;
  if (kind === 'part-time-timetable') {
    headApprovedBy = c.text(
      'headApprovedBy',
      input.headApprovedBy,
      'the headteacher who approved the part-time timetable',
      { max: 200 },
    );
    headApprovedOn = c.date('headApprovedOn', input.headApprovedOn, 'the date the headteacher approved it');
    laInformedOn = c.date('laInformedOn', input.laInformedOn, 'the date the local authority was informed', {
      required: false,
    });
    if (headApprovedOn && startsOn && headApprovedOn > startsOn)
      c.add('headApprovedOn', 'The headteacher approves a part-time timetable before it starts.');
  }
  c.done('The plan could not be saved.');
  const id = newId();
  await change(
    deps,
    actor,
    scope,
    { action: 'casework.plan.create', entityType: 'case_plan', entityId: id, details: { kind, startsOn, endsOn } },
    async (trx, now) => {
      await trx
        .insertInto('case_plans')
        .values({
          id,
          pupil_id: scope.pupil.id,
          kind: kind!,
          status: 'active',
          starts_on: startsOn!,
          ends_on: endsOn!,
          details,
          targets: JSON.stringify(targets),
          review_dates: JSON.stringify(reviewDates.sort()),
          reviews: '[]',
          head_approved_by: headApprovedBy,
          head_approved_on: headApprovedOn,
          la_informed_on: laInformedOn,
          outcome: null,
          created_by: actor.userId,
          created_at: now,
          updated_at: now,
        })
        .execute();
      await trx
        .updateTable('case_actions')
        .set({
          status: 'done',
          outcome: `${PLAN_KIND_LABELS[kind!]} agreed from ${startsOn} to ${endsOn}`,
          completed_on: today(deps, scope.school),
          updated_at: now,
        })
        .where('pupil_id', '=', scope.pupil.id)
        .where('status', '=', 'open')
        .where('policy_action', '=', `plan:${kind}`)
        .execute();
    },
  );
  return id;
}

/** Reviews a plan: notes, each target met or not, optionally ending it with an outcome. */
export async function reviewPlan(
  deps: Deps,
  actor: Actor,
  input: {
    pupilId: string;
    planId: string;
    on: string;
    notes: string;
    targetsMet?: readonly string[] | undefined;
    end?: boolean | undefined;
    outcome?: string | undefined;
    laInformedOn?: string | undefined;
  },
): Promise<void> {
  const scope = await scopeFor(deps, actor, input.pupilId, 'casework.manage');
  const plan = await pupilItem(deps, scope, 'case_plans', input.planId, {
    missing: 'No such plan for this pupil.',
    decided: (p) => (p.status !== 'active' ? 'This plan has ended.' : null),
  });
  const c = new Check();
  const on = c.date('on', input.on, 'the date of the review');
  if (on && on > today(deps, scope.school))
    c.add('on', 'A review cannot be recorded before it happens: the date is in the future.');
  const notes = c.text('notes', input.notes, 'what the review found');
  const targets = JSON.parse(plan.targets) as PlanTarget[];
  const met = input.targetsMet ?? [];
  const updatedTargets = targets.map((t, i): PlanTarget => {
    const v = met[i] ?? '';
    if (v === 'yes') return { ...t, met: true };
    if (v === 'no') return { ...t, met: false };
    if (v !== '') c.add(`targetsMet.${i}`, `Say whether target ${i + 1} was met.`);
    return t;
  });
  const outcome = c.text('outcome', input.outcome, 'the outcome of the plan', { required: input.end === true });
  const laInformedOn = c.date('laInformedOn', input.laInformedOn, 'the date the local authority was informed', {
    required: false,
  });
  c.done('The review could not be recorded.');
  const reviews = [
    ...(JSON.parse(plan.reviews) as { on: string; notes: string; by: string }[]),
    { on: on!, notes: notes!, by: actor.name },
  ];
  await change(
    deps,
    actor,
    scope,
    {
      action: 'casework.plan.review',
      entityType: 'case_plan',
      entityId: plan.id,
      details: { end: input.end === true },
    },
    async (trx, now) => {
      await trx
        .updateTable('case_plans')
        .set({
          targets: JSON.stringify(updatedTargets),
          reviews: JSON.stringify(reviews),
          status: input.end ? 'ended' : 'active',
          outcome: input.end ? outcome : plan.outcome,
          la_informed_on: laInformedOn ?? plan.la_informed_on,
          updated_at: now,
        })
        .where('id', '=', plan.id)
        .execute();
    },
  );
}

// ---------------------------------------------------------------------------------------------
// Referrals and contracts

export async function createReferral(
  deps: Deps,
  actor: Actor,
  input: { pupilId: string; agency: string; madeOn: string; reason: string; reference?: string | undefined },
): Promise<string> {
  const scope = await scopeFor(deps, actor, input.pupilId, 'casework.manage');
  const c = new Check();
  const agency = c.oneOf('agency', input.agency, AGENCIES, 'Choose who the referral is to.');
  const madeOn = c.date('madeOn', input.madeOn, 'the date of the referral');
  if (madeOn && madeOn > today(deps, scope.school))
    c.add('madeOn', 'Record a referral once it is made: the date is in the future.');
  const reason = c.text('reason', input.reason, 'the reason for the referral');
  const reference = c.text('reference', input.reference, 'the reference', { required: false, max: 200 });
  c.done('The referral could not be recorded.');
  const id = newId();
  await change(
    deps,
    actor,
    scope,
    { action: 'casework.referral.create', entityType: 'case_referral', entityId: id, details: { agency } },
    async (trx, now) => {
      await trx
        .insertInto('case_referrals')
        .values({
          id,
          pupil_id: scope.pupil.id,
          agency: agency!,
          made_on: madeOn!,
          reason: reason!,
          reference,
          status: 'made',
          outcome: null,
          created_by: actor.userId,
          created_at: now,
          updated_at: now,
        })
        .execute();
      await trx
        .updateTable('case_actions')
        .set({
          status: 'done',
          outcome: `Referral to ${AGENCY_LABELS[agency!]} made on ${madeOn}`,
          completed_on: madeOn,
          updated_at: now,
        })
        .where('pupil_id', '=', scope.pupil.id)
        .where('status', '=', 'open')
        .where('policy_action', '=', `referral:${agency}`)
        .execute();
    },
  );
  return id;
}

export async function updateReferral(
  deps: Deps,
  actor: Actor,
  input: { pupilId: string; referralId: string; status: string; outcome: string },
): Promise<void> {
  const scope = await scopeFor(deps, actor, input.pupilId, 'casework.manage');
  const row = await pupilItem(deps, scope, 'case_referrals', input.referralId, {
    missing: 'No such referral for this pupil.',
  });
  const c = new Check();
  const status = c.oneOf(
    'status',
    input.status,
    ['accepted', 'declined', 'closed'] as const,
    'Choose accepted, declined or closed.',
  );
  const outcome = c.text('outcome', input.outcome, 'the outcome');
  c.done('The referral could not be updated.');
  await change(
    deps,
    actor,
    scope,
    { action: 'casework.referral.update', entityType: 'case_referral', entityId: row.id, details: { status } },
    async (trx, now) => {
      await trx
        .updateTable('case_referrals')
        .set({ status: status!, outcome, updated_at: now })
        .where('id', '=', row.id)
        .execute();
    },
  );
}

export async function createContract(
  deps: Deps,
  actor: Actor,
  input: {
    pupilId: string;
    parentName: string;
    agreedOn: string;
    parentCommitments: string;
    supportOffered: string;
    reviewOn: string;
    endsOn: string;
  },
): Promise<string> {
  const scope = await scopeFor(deps, actor, input.pupilId, 'casework.manage');
  const c = new Check();
  const parentName = c.text('parentName', input.parentName, 'the parent’s name', { max: 200 });
  const agreedOn = c.date('agreedOn', input.agreedOn, 'the date it was agreed');
  const parentCommitments = c.text('parentCommitments', input.parentCommitments, 'what the parents agree to do');
  const supportOffered = c.text('supportOffered', input.supportOffered, 'the support the school and others offer');
  const reviewOn = c.date('reviewOn', input.reviewOn, 'the review date');
  const endsOn = c.date('endsOn', input.endsOn, 'the end date');
  if (agreedOn && endsOn && endsOn <= agreedOn) c.add('endsOn', 'The end date must be after the date it was agreed.');
  if (agreedOn && reviewOn && reviewOn <= agreedOn)
    c.add('reviewOn', 'The review date must be after the date it was agreed.');
  c.done('The contract could not be recorded.');
  const id = newId();
  await change(
    deps,
    actor,
    scope,
    { action: 'casework.contract.create', entityType: 'case_contract', entityId: id },
    async (trx, now) => {
      await trx
        .insertInto('case_contracts')
        .values({
          id,
          pupil_id: scope.pupil.id,
          parent_name: parentName!,
          agreed_on: agreedOn!,
          parent_commitments: parentCommitments!,
          support_offered: supportOffered!,
          review_on: reviewOn!,
          ends_on: endsOn!,
          status: 'active',
          outcome: null,
          created_by: actor.userId,
          created_at: now,
          updated_at: now,
        })
        .execute();
      await trx
        .updateTable('case_actions')
        .set({
          status: 'done',
          outcome: `Attendance contract agreed on ${agreedOn}`,
          completed_on: agreedOn,
          updated_at: now,
        })
        .where('pupil_id', '=', scope.pupil.id)
        .where('status', '=', 'open')
        .where('policy_action', '=', 'contract')
        .execute();
    },
  );
  return id;
}

export async function updateContract(
  deps: Deps,
  actor: Actor,
  input: { pupilId: string; contractId: string; status: string; outcome: string; reviewOn?: string | undefined },
): Promise<void> {
  const scope = await scopeFor(deps, actor, input.pupilId, 'casework.manage');
  const row = await pupilItem(deps, scope, 'case_contracts', input.contractId, {
    missing: 'No such contract for this pupil.',
  });
  const c = new Check();
  const status = c.oneOf(
    'status',
    input.status,
    ['active', 'completed', 'broken', 'ended'] as const,
    'Choose: still active (reviewed), completed, broken or ended.',
  );
  const outcome = c.text('outcome', input.outcome, 'what the review found');
  const reviewOn = c.date('reviewOn', input.reviewOn, 'the next review date', { required: status === 'active' });
  c.done('The contract could not be updated.');
  await change(
    deps,
    actor,
    scope,
    { action: 'casework.contract.update', entityType: 'case_contract', entityId: row.id, details: { status } },
    async (trx, now) => {
      await trx
        .updateTable('case_contracts')
        .set({ status: status!, outcome, review_on: reviewOn ?? row.review_on, updated_at: now })
        .where('id', '=', row.id)
        .execute();
    },
  );
}

// ---------------------------------------------------------------------------------------------
// Notices to Improve and penalty notices

/**
 * When a Notice to Improve's monitoring period ends: 15 school days counted from the first
 * school day after issue, or 6 school weeks (the week of the first school day after issue is
 * week 1; the period ends on the last school day of week 6). Falls back to calendar counting
 * (weekdays; 42 days) where the school's calendar does not reach that far.
 */
export function monitoringEnd(cal: SchoolCalendar, issuedOn: PlainDate, period: NoticePeriod): PlainDate {
  const from = addDays(issuedOn, 1);
  if (period === '15-school-days') {
    const d = nthSchoolDayFrom(cal, from, 15);
    if (d) return d;
    let day = issuedOn;
    for (let n = 0; n < 15;) {
      day = addDays(day, 1);
      const wd = new Date(`${day}T00:00:00Z`).getUTCDay();
      if (wd !== 0 && wd !== 6) n++;
    }
    return day;
  }
  const end = lastSchoolDayOfWeek(cal, from, 6);
  if (end) return end;
  return addDays(issuedOn, 42);
}

export async function issueNoticeToImprove(
  deps: Deps,
  actor: Actor,
  input: { pupilId: string; parentName: string; issuedOn: string; period?: string | undefined; expectations: string },
): Promise<string> {
  const scope = await scopeFor(deps, actor, input.pupilId, 'casework.manage');
  const c = new Check();
  const parentName = c.text('parentName', input.parentName, 'the parent’s name', { max: 200 });
  const issuedOn = c.date('issuedOn', input.issuedOn, 'the date of issue');
  const period = (input.period ?? '').trim()
    ? c.oneOf(
        'period',
        input.period,
        ['15-school-days', '6-weeks'] as const,
        'Choose 15 school days or 6 school weeks.',
      )
    : noticePeriodOf(scope.school);
  const expectations = c.text(
    'expectations',
    input.expectations,
    'what must improve (the expectations during monitoring)',
  );
  c.done('The Notice to Improve could not be recorded.');
  const cal = await schoolCalendar(deps, scope.school.id);
  const ends = monitoringEnd(cal, issuedOn!, period!);
  const id = newId();
  await change(
    deps,
    actor,
    scope,
    {
      action: 'casework.nti.issue',
      entityType: 'notice_to_improve',
      entityId: id,
      details: { issuedOn, period, ends },
    },
    async (trx, now) => {
      await trx
        .insertInto('notices_to_improve')
        .values({
          id,
          pupil_id: scope.pupil.id,
          parent_name: parentName!,
          issued_on: issuedOn!,
          period: period!,
          monitoring_ends_on: ends,
          expectations: expectations!,
          status: 'monitoring',
          outcome: null,
          outcome_on: null,
          created_by: actor.userId,
          created_at: now,
          updated_at: now,
        })
        .execute();
      await trx
        .updateTable('case_actions')
        .set({
          status: 'done',
          outcome: `Notice to Improve issued on ${issuedOn}; monitoring to ${ends}`,
          completed_on: issuedOn,
          updated_at: now,
        })
        .where('pupil_id', '=', scope.pupil.id)
        .where('status', '=', 'open')
        .where('policy_action', '=', 'notice-to-improve')
        .execute();
    },
  );
  return id;
}

export async function recordNoticeOutcome(
  deps: Deps,
  actor: Actor,
  input: { pupilId: string; noticeId: string; status: string; outcome: string },
): Promise<void> {
  const scope = await scopeFor(deps, actor, input.pupilId, 'casework.manage');
  const row = await pupilItem(deps, scope, 'notices_to_improve', input.noticeId, {
    missing: 'No such Notice to Improve for this pupil.',
    decided: (n) => (n.status !== 'monitoring' ? 'This notice already has its outcome.' : null),
  });
  const c = new Check();
  const status = c.oneOf(
    'status',
    input.status,
    ['improved', 'not_improved', 'withdrawn'] as const,
    'Choose improved, not improved, or withdrawn.',
  );
  const outcome = c.text('outcome', input.outcome, 'the outcome (attendance over the monitoring period)');
  const on = today(deps, scope.school);
  if (status && status !== 'withdrawn' && on <= row.monitoring_ends_on) {
    c.add(
      'status',
      `The monitoring period runs to ${row.monitoring_ends_on}: record whether attendance improved after it ends (or withdraw the notice).`,
    );
  }
  c.done('The outcome could not be recorded.');
  await change(
    deps,
    actor,
    scope,
    { action: 'casework.nti.outcome', entityType: 'notice_to_improve', entityId: row.id, details: { status } },
    async (trx, now) => {
      await trx
        .updateTable('notices_to_improve')
        .set({ status: status!, outcome, outcome_on: on, updated_at: now })
        .where('id', '=', row.id)
        .execute();
    },
  );
}

/**
 * Records a penalty notice in the ledger, with the national amounts and deadlines. A third
 * notice to the same parent for the same child within 3 years is refused with the reason and
 * the other routes.
 */
export async function recordPenaltyNotice(
  deps: Deps,
  actor: Actor,
  input: {
    pupilId: string;
    parentKey?: string | undefined;
    parentName?: string | undefined;
    issuedOn: string;
    reason: string;
  },
): Promise<string> {
  const scope = await scopeFor(deps, actor, input.pupilId, 'casework.manage');
  const c = new Check();
  const contacts = await deps.db
    .selectFrom('contacts')
    .select(['id', 'name'])
    .where('pupil_id', '=', scope.pupil.id)
    .execute();
  const chosen = (input.parentKey ?? '').trim();
  const contact = contacts.find((x) => x.id === chosen);
  let parentKey: string | null = null;
  let parentName: string | null = null;
  if (contact) {
    parentKey = contact.id;
    parentName = contact.name;
  } else if (chosen && chosen !== 'other') {
    const previous = await deps.db
      .selectFrom('penalty_notices')
      .select(['parent_key', 'parent_name'])
      .where('pupil_id', '=', scope.pupil.id)
      .where('parent_key', '=', chosen)
      .executeTakeFirst();
    if (previous) {
      parentKey = previous.parent_key;
      parentName = previous.parent_name;
    } else c.add('parentKey', 'Choose the parent the notice is issued to.');
  } else {
    parentName = c.text('parentName', input.parentName, 'the parent’s name (the notice is per parent)', { max: 200 });
    if (parentName) parentKey = `name:${parentName.toLowerCase().replace(/\s+/g, ' ')}`;
  }
  const issuedOn = c.date('issuedOn', input.issuedOn, 'the date of issue');
  const reason = c.text('reason', input.reason, 'the reason (the absence the notice is for)');
  c.done('The penalty notice could not be recorded.');
  const previous = await deps.db
    .selectFrom('penalty_notices')
    .select(['issued_on', 'status'])
    .where('pupil_id', '=', scope.pupil.id)
    .where('parent_key', '=', parentKey!)
    .execute();
  const next = nextPenaltyNotice(
    previous.map((p) => ({ issuedOn: p.issued_on as PlainDate, status: p.status })),
    issuedOn!,
  );
  if (!next.ok) throw validation(next.reason, [{ field: 'issuedOn', message: next.reason }]);
  const id = newId();
  await change(
    deps,
    actor,
    scope,
    {
      action: 'casework.penaltyNotice.record',
      entityType: 'penalty_notice',
      entityId: id,
      details: { sequence: next.sequence, amount: pounds(next.amountPence) },
    },
    async (trx, now) => {
      await trx
        .insertInto('penalty_notices')
        .values({
          id,
          pupil_id: scope.pupil.id,
          parent_key: parentKey!,
          parent_name: parentName!,
          issued_on: issuedOn!,
          sequence: next.sequence,
          reduced_amount_pence: next.reducedAmountPence,
          reduced_by: next.reducedBy,
          amount_pence: next.amountPence,
          pay_by: next.payBy,
          reason: reason!,
          status: 'issued',
          paid_on: null,
          paid_pence: null,
          created_by: actor.userId,
          created_at: now,
          updated_at: now,
        })
        .execute();
    },
  );
  return id;
}

/** Records a payment (the amount follows from the date), a withdrawal, or non-payment. */
export async function recordPenaltyOutcome(
  deps: Deps,
  actor: Actor,
  input: { pupilId: string; noticeId: string; status: string; paidOn?: string | undefined },
): Promise<void> {
  const scope = await scopeFor(deps, actor, input.pupilId, 'casework.manage');
  const row = await pupilItem(deps, scope, 'penalty_notices', input.noticeId, {
    missing: 'No such penalty notice for this pupil.',
    decided: (n) => (n.status !== 'issued' ? 'This penalty notice already has its outcome.' : null),
  });
  const c = new Check();
  const status = c.oneOf(
    'status',
    input.status,
    ['paid', 'withdrawn', 'unpaid'] as const,
    'Choose paid, withdrawn or unpaid.',
  );
  const paidOn = c.date('paidOn', input.paidOn, 'the date it was paid', { required: status === 'paid' });
  if (paidOn && paidOn < row.issued_on) c.add('paidOn', 'The payment date cannot be before the notice was issued.');
  if (paidOn && paidOn > row.pay_by)
    c.add('paidOn', `The notice had to be paid by ${row.pay_by}: after that it is unpaid (the LA may prosecute).`);
  c.done('The outcome could not be recorded.');
  const paidPence =
    status === 'paid' && paidOn
      ? amountDueOn(
          {
            reducedAmountPence: row.reduced_amount_pence,
            reducedBy: row.reduced_by as PlainDate | null,
            amountPence: row.amount_pence,
          },
          paidOn,
        )
      : null;
  await change(
    deps,
    actor,
    scope,
    {
      action: 'casework.penaltyNotice.outcome',
      entityType: 'penalty_notice',
      entityId: row.id,
      details: { status, paidPence },
    },
    async (trx, now) => {
      await trx
        .updateTable('penalty_notices')
        .set({ status: status!, paid_on: paidOn, paid_pence: paidPence, updated_at: now })
        .where('id', '=', row.id)
        .execute();
    },
  );
}

export { actionLabel, PLAN_KIND_LABELS, AGENCY_LABELS, type PlanKind };
