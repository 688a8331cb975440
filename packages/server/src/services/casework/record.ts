/**
 * The case record as read back: a pupil's case, stage history, reviews, suggestions, meetings,
 * actions, plans, referrals, contracts, Notices to Improve and penalty notices. Plain reads over
 * the casework tables (migration 2026-11-28T00-00-00_casework), shared with letters and evidence
 * packs. The queries are in db/casework/ (cases.ts, suggestions.ts, case-record.ts); writes live in
 * the services beside this file.
 */
import type { PlainDate } from '@rollcall/domain';
import { listCaseItems, type CaseItemRow, type CaseItemTable } from '../../db/casework/case-record.js';
import { findCaseRow, reviewRows, stageHistoryRows } from '../../db/casework/cases.js';
import { suggestionRowsOf } from '../../db/casework/suggestions.js';
import type { DbOrTrx } from '../../db/connect.js';

export const PLAN_KINDS = ['attendance-support', 'improvement', 'medical', 'part-time-timetable'] as const;
export type PlanKind = (typeof PLAN_KINDS)[number];
export const PLAN_KIND_LABELS: Record<PlanKind, string> = {
  'attendance-support': 'Attendance support plan',
  improvement: 'Attendance improvement plan',
  medical: 'Medical action plan',
  'part-time-timetable': 'Part-time timetable',
};

export const AGENCIES = [
  'early-help',
  'education-welfare',
  'social-care',
  'camhs',
  'school-nursing',
  'local-authority',
  'locality-team',
] as const;
export type Agency = (typeof AGENCIES)[number];
export const AGENCY_LABELS: Record<Agency, string> = {
  'early-help': 'Early help',
  'education-welfare': 'Education welfare service',
  'social-care': "Children's social care",
  camhs: 'CAMHS',
  'school-nursing': 'School nursing',
  'local-authority': 'Local authority attendance team',
  'locality-team': 'Locality team',
};

export interface CaseInfo {
  readonly id: string;
  readonly pupilId: string;
  readonly schoolId: string;
  readonly status: 'open' | 'closed';
  readonly openedOn: PlainDate;
  readonly openedBy: string;
  readonly closedOn: PlainDate | null;
  /** How and why the case was closed (while it is closed). */
  readonly closure: CaseClosure | null;
}

/** How a case ends. */
export const CLOSE_OUTCOMES = ['improved', 'stepped-down', 'left-school', 'referred-on', 'other'] as const;
export type CloseOutcome = (typeof CLOSE_OUTCOMES)[number];
export const CLOSE_OUTCOME_LABELS: Record<CloseOutcome, string> = {
  improved: 'Attendance improved',
  'stepped-down': 'Stepped down out of staged casework',
  'left-school': 'Left the school',
  'referred-on': 'Handed to another service (for example the local authority)',
  other: 'Other',
};

/**
 * Closing and reopening are entries in the stage history (no stage, entered and left the same
 * day) so the history reads in order; their stage names begin with these.
 */
export const CASE_CLOSED_PREFIX = 'Case closed: ';
export const CASE_REOPENED_NAME = 'Case reopened';

export interface CaseClosure {
  readonly on: PlainDate;
  readonly outcome: CloseOutcome;
  readonly outcomeLabel: string;
  readonly reason: string;
  readonly by: string;
}

export interface StageEntry {
  readonly id: string;
  readonly stageId: string | null;
  readonly stageName: string;
  readonly enteredOn: PlainDate;
  readonly leftOn: PlainDate | null;
  readonly reason: string;
  readonly suggestionId: string | null;
  readonly decidedBy: string;
  readonly decidedAt: string;
}

export interface CaseReview {
  readonly id: string;
  readonly caseStageId: string;
  readonly reviewedOn: PlainDate;
  readonly rate: number | null;
  readonly notes: string;
  readonly reviewedBy: string;
}

export type SuggestionStatus = 'open' | 'accepted' | 'adjusted' | 'dismissed' | 'superseded';

export interface StoredSuggestion {
  readonly id: string;
  readonly pupilId: string;
  readonly schoolId: string;
  readonly asOf: PlainDate;
  readonly kind: 'enter' | 'review' | 'stepDown' | 'action';
  readonly fromStageId: string | null;
  readonly toStageId: string | null;
  readonly actions: readonly string[];
  readonly explanation: string;
  readonly source: string;
  readonly status: SuggestionStatus;
  readonly decidedStageId: string | null;
  readonly decisionReason: string | null;
  readonly decidedByName: string | null;
  readonly decidedAt: string | null;
}

export type MeetingStatus = 'scheduled' | 'held' | 'not_attended' | 'cancelled';

export interface Meeting {
  readonly id: string;
  readonly kind: string;
  readonly stageId: string | null;
  readonly scheduledFor: PlainDate;
  readonly time: string | null;
  readonly place: string | null;
  readonly invited: string;
  readonly status: MeetingStatus;
  readonly heldOn: PlainDate | null;
  readonly attendees: string | null;
  readonly barriers: string | null;
  readonly minutes: string | null;
  readonly pupilVoice: string | null;
  readonly parentVoice: string | null;
}

export type ActionStatus = 'open' | 'done' | 'cancelled';

export interface CaseAction {
  readonly id: string;
  readonly pupilId: string;
  readonly policyAction: string | null;
  readonly description: string;
  readonly owner: string;
  readonly dueOn: PlainDate;
  readonly status: ActionStatus;
  readonly outcome: string | null;
  readonly completedOn: PlainDate | null;
  readonly suggestionId: string | null;
  readonly meetingId: string | null;
}

export interface PlanTarget {
  /** Specific and measurable, e.g. "attend every morning session by 8:50". */
  readonly text: string;
  /** How it is measured, e.g. "attendance at least 95% over the plan". */
  readonly measure: string;
  /** null until reviewed. */
  readonly met: boolean | null;
}

export interface PlanReview {
  readonly on: PlainDate;
  readonly notes: string;
  readonly by: string;
}

export interface CasePlan {
  readonly id: string;
  readonly kind: PlanKind;
  readonly status: 'active' | 'ended';
  readonly startsOn: PlainDate;
  readonly endsOn: PlainDate;
  readonly details: string | null;
  readonly targets: readonly PlanTarget[];
  readonly reviewDates: readonly PlainDate[];
  readonly reviews: readonly PlanReview[];
  readonly headApprovedBy: string | null;
  readonly headApprovedOn: PlainDate | null;
  readonly laInformedOn: PlainDate | null;
  readonly outcome: string | null;
}

export interface Referral {
  readonly id: string;
  readonly agency: Agency;
  readonly madeOn: PlainDate;
  readonly reason: string;
  readonly reference: string | null;
  readonly status: 'made' | 'accepted' | 'declined' | 'closed';
  readonly outcome: string | null;
}

export interface Contract {
  readonly id: string;
  readonly parentName: string;
  readonly agreedOn: PlainDate;
  readonly parentCommitments: string;
  readonly supportOffered: string;
  readonly reviewOn: PlainDate;
  readonly endsOn: PlainDate;
  readonly status: 'active' | 'completed' | 'broken' | 'ended';
  readonly outcome: string | null;
}

export type NoticePeriod = '15-school-days' | '6-weeks';

export interface NoticeToImprove {
  readonly id: string;
  readonly parentName: string;
  readonly issuedOn: PlainDate;
  readonly period: NoticePeriod;
  readonly monitoringEndsOn: PlainDate;
  readonly expectations: string;
  readonly status: 'monitoring' | 'improved' | 'not_improved' | 'withdrawn';
  readonly outcome: string | null;
  readonly outcomeOn: PlainDate | null;
}

export interface PenaltyNotice {
  readonly id: string;
  readonly parentKey: string;
  readonly parentName: string;
  readonly issuedOn: PlainDate;
  readonly sequence: number;
  readonly reducedAmountPence: number | null;
  readonly reducedBy: PlainDate | null;
  readonly amountPence: number;
  readonly payBy: PlainDate;
  readonly reason: string;
  readonly status: 'issued' | 'paid' | 'withdrawn' | 'unpaid';
  readonly paidOn: PlainDate | null;
  readonly paidPence: number | null;
}

export interface CaseRecord {
  readonly case: CaseInfo | null;
  /** Oldest first; the current stage is the one without `leftOn`. */
  readonly stages: readonly StageEntry[];
  readonly current: StageEntry | null;
  readonly reviews: readonly CaseReview[];
  readonly suggestions: readonly StoredSuggestion[];
  readonly meetings: readonly Meeting[];
  readonly actions: readonly CaseAction[];
  readonly plans: readonly CasePlan[];
  readonly referrals: readonly Referral[];
  readonly contracts: readonly Contract[];
  readonly notices: readonly NoticeToImprove[];
  readonly penaltyNotices: readonly PenaltyNotice[];
}

const d = (v: string | null): PlainDate | null => (v === null ? null : (v as PlainDate));

function parseJson<T>(text: string, fallback: T): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

export function toSuggestion(r: {
  id: string;
  pupil_id: string;
  school_id: string;
  as_of: string;
  kind: string;
  from_stage_id: string | null;
  to_stage_id: string | null;
  actions: string;
  explanation: string;
  source: string;
  status: string;
  decided_stage_id: string | null;
  decision_reason: string | null;
  decided_by_name: string | null;
  decided_at: string | null;
}): StoredSuggestion {
  return {
    id: r.id,
    pupilId: r.pupil_id,
    schoolId: r.school_id,
    asOf: r.as_of as PlainDate,
    kind: r.kind as StoredSuggestion['kind'],
    fromStageId: r.from_stage_id,
    toStageId: r.to_stage_id,
    actions: parseJson<string[]>(r.actions, []),
    explanation: r.explanation,
    source: r.source,
    status: r.status as SuggestionStatus,
    decidedStageId: r.decided_stage_id,
    decisionReason: r.decision_reason,
    decidedByName: r.decided_by_name,
    decidedAt: r.decided_at,
  };
}

export function toAction(r: {
  id: string;
  pupil_id: string;
  policy_action: string | null;
  description: string;
  owner: string;
  due_on: string;
  status: string;
  outcome: string | null;
  completed_on: string | null;
  suggestion_id: string | null;
  meeting_id: string | null;
}): CaseAction {
  return {
    id: r.id,
    pupilId: r.pupil_id,
    policyAction: r.policy_action,
    description: r.description,
    owner: r.owner,
    dueOn: r.due_on as PlainDate,
    status: r.status as ActionStatus,
    outcome: r.outcome,
    completedOn: d(r.completed_on),
    suggestionId: r.suggestion_id,
    meetingId: r.meeting_id,
  };
}

export async function findCase(db: DbOrTrx, pupilId: string): Promise<CaseInfo | null> {
  const r = await findCaseRow(db, pupilId);
  if (!r) return null;
  return {
    id: r.id,
    pupilId: r.pupil_id,
    schoolId: r.school_id,
    status: r.status === 'closed' ? 'closed' : 'open',
    openedOn: r.opened_on as PlainDate,
    openedBy: r.opened_by,
    closedOn: (r.closed_on as PlainDate | null) ?? null,
    closure: null,
  };
}

/** The closure of a closed case: the last "Case closed" entry of its stage history. */
export function closureOf(info: CaseInfo | null, stages: readonly StageEntry[]): CaseClosure | null {
  if (!info || info.status !== 'closed') return null;
  const entry = [...stages].reverse().find((s) => s.stageId === null && s.stageName.startsWith(CASE_CLOSED_PREFIX));
  if (!entry) return null;
  const label = entry.stageName.slice(CASE_CLOSED_PREFIX.length);
  const outcome = CLOSE_OUTCOMES.find((o) => CLOSE_OUTCOME_LABELS[o] === label) ?? 'other';
  return { on: entry.enteredOn, outcome, outcomeLabel: label, reason: entry.reason, by: entry.decidedBy };
}

/** Stage history of a pupil, oldest first. */
export async function stageHistory(db: DbOrTrx, pupilId: string): Promise<StageEntry[]> {
  const rows = await stageHistoryRows(db, pupilId);
  return rows.map((r) => ({
    id: r.id,
    stageId: r.stage_id,
    stageName: r.stage_name,
    enteredOn: r.entered_on as PlainDate,
    leftOn: d(r.left_on),
    reason: r.reason,
    suggestionId: r.suggestion_id,
    decidedBy: r.decided_by_name,
    decidedAt: r.decided_at,
  }));
}

/** How one kind of case record is listed: its table, the order, and each row as read back. */
export interface CaseItemList<T extends CaseItemTable> {
  readonly table: T;
  readonly order: { readonly column: string; readonly direction: 'asc' | 'desc' };
  readonly view: (row: CaseItemRow<T>) => unknown;
}

function list<T extends CaseItemTable, V>(
  table: T,
  column: string,
  direction: 'asc' | 'desc',
  view: (row: CaseItemRow<T>) => V,
): CaseItemList<T> & { view: (row: CaseItemRow<T>) => V } {
  return { table, order: { column, direction }, view };
}

/** The lists of the case record, one per kind of record (record-kinds.ts names each kind's list). */
export const CASE_ITEM_LISTS = {
  meetings: list('case_meetings', 'scheduled_for', 'desc', (r): Meeting => ({
    id: r.id,
    kind: r.kind,
    stageId: r.stage_id,
    scheduledFor: r.scheduled_for as PlainDate,
    time: r.time,
    place: r.place,
    invited: r.invited,
    status: r.status as MeetingStatus,
    heldOn: d(r.held_on),
    attendees: r.attendees,
    barriers: r.barriers,
    minutes: r.minutes,
    pupilVoice: r.pupil_voice,
    parentVoice: r.parent_voice,
  })),
  actions: list('case_actions', 'due_on', 'asc', toAction),
  plans: list('case_plans', 'starts_on', 'desc', (r): CasePlan => ({
    id: r.id,
    kind: r.kind as PlanKind,
    status: r.status === 'ended' ? 'ended' : 'active',
    startsOn: r.starts_on as PlainDate,
    endsOn: r.ends_on as PlainDate,
    details: r.details,
    targets: parseJson<PlanTarget[]>(r.targets, []),
    reviewDates: parseJson<PlainDate[]>(r.review_dates, []),
    reviews: parseJson<PlanReview[]>(r.reviews, []),
    headApprovedBy: r.head_approved_by,
    headApprovedOn: d(r.head_approved_on),
    laInformedOn: d(r.la_informed_on),
    outcome: r.outcome,
  })),
  referrals: list('case_referrals', 'made_on', 'desc', (r): Referral => ({
    id: r.id,
    agency: r.agency as Agency,
    madeOn: r.made_on as PlainDate,
    reason: r.reason,
    reference: r.reference,
    status: r.status as Referral['status'],
    outcome: r.outcome,
  })),
  contracts: list('case_contracts', 'agreed_on', 'desc', (r): Contract => ({
    id: r.id,
    parentName: r.parent_name,
    agreedOn: r.agreed_on as PlainDate,
    parentCommitments: r.parent_commitments,
    supportOffered: r.support_offered,
    reviewOn: r.review_on as PlainDate,
    endsOn: r.ends_on as PlainDate,
    status: r.status as Contract['status'],
    outcome: r.outcome,
  })),
  notices: list('notices_to_improve', 'issued_on', 'desc', (r): NoticeToImprove => ({
    id: r.id,
    parentName: r.parent_name,
    issuedOn: r.issued_on as PlainDate,
    period: r.period as NoticePeriod,
    monitoringEndsOn: r.monitoring_ends_on as PlainDate,
    expectations: r.expectations,
    status: r.status as NoticeToImprove['status'],
    outcome: r.outcome,
    outcomeOn: d(r.outcome_on),
  })),
  penaltyNotices: list('penalty_notices', 'issued_on', 'asc', (r): PenaltyNotice => ({
    id: r.id,
    parentKey: r.parent_key,
    parentName: r.parent_name,
    issuedOn: r.issued_on as PlainDate,
    sequence: r.sequence,
    reducedAmountPence: r.reduced_amount_pence,
    reducedBy: d(r.reduced_by),
    amountPence: r.amount_pence,
    payBy: r.pay_by as PlainDate,
    reason: r.reason,
    status: r.status as PenaltyNotice['status'],
    paidOn: d(r.paid_on),
    paidPence: r.paid_pence,
  })),
} as const;

type Lists = typeof CASE_ITEM_LISTS;

async function listed<K extends keyof Lists>(
  db: DbOrTrx,
  pupilId: string,
  key: K,
): Promise<ReturnType<Lists[K]['view']>[]> {
  const spec = CASE_ITEM_LISTS[key] as unknown as CaseItemList<CaseItemTable>;
  const rows = await listCaseItems(db, spec.table, pupilId, spec.order);
  return rows.map((r) => spec.view(r)) as ReturnType<Lists[K]['view']>[];
}

/** The whole case record of a pupil (no permission check: callers check). */
export async function loadCaseRecord(db: DbOrTrx, pupilId: string): Promise<CaseRecord> {
  const [caseInfo, stages, reviews, suggestions, meetings, actions, plans, referrals, contracts, notices, pns] =
    await Promise.all([
      findCase(db, pupilId),
      stageHistory(db, pupilId),
      reviewRows(db, pupilId),
      suggestionRowsOf(db, pupilId),
      listed(db, pupilId, 'meetings'),
      listed(db, pupilId, 'actions'),
      listed(db, pupilId, 'plans'),
      listed(db, pupilId, 'referrals'),
      listed(db, pupilId, 'contracts'),
      listed(db, pupilId, 'notices'),
      listed(db, pupilId, 'penaltyNotices'),
    ]);
  return {
    case: caseInfo ? { ...caseInfo, closure: closureOf(caseInfo, stages) } : null,
    stages,
    current: stages.find((s) => s.leftOn === null && s.stageId !== null) ?? null,
    reviews: reviews.map((r) => ({
      id: r.id,
      caseStageId: r.case_stage_id,
      reviewedOn: r.reviewed_on as PlainDate,
      rate: r.rate,
      notes: r.notes,
      reviewedBy: r.reviewed_by,
    })),
    suggestions: suggestions.map(toSuggestion),
    meetings,
    actions,
    plans,
    referrals,
    contracts,
    notices,
    penaltyNotices: pns,
  };
}
