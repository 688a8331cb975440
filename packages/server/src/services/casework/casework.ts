/**
 * Long on purpose: the officer's decisions (open, close, accept, adjust, dismiss, set
 * the stage) and the officer's list (queueOf, caseworkList) share the suggestion, stage and review
 * reads and one audit shape; the list (from `planNextReview` down) is the seam to split along once
 * the open work on this file has landed.
 *
 * Casework decisions and the officer's list: open cases, decide on suggestions (accept, adjust
 * the stage, dismiss with a reason), and the list of open suggestions, overdue reviews and
 * actions, and pupils per stage. The system proposes; people decide: a stage changes only here,
 * by a person, with who, when and why recorded, and audited.
 */
import {
  academicYearOf,
  addDays,
  analysisContext,
  firstSessionOnOrAfter,
  lastSessionOnOrBefore,
  measurePupil,
  orderedStages,
  type AttendancePolicy,
  type PlainDate,
  type SchoolCalendar,
} from '@rollcall/domain';
import {
  cancelOpenActions,
  caseItemsInStatus,
  insertCaseItem,
  type DueColumn,
  type OverdueRow,
  type OverdueTable,
} from '../../db/casework/case-record.js';
import { caseListPupilsAt, latestEvaluationAuditDetails } from '../../db/casework/casework-list.js';
import {
  closeOpenCase,
  currentStageEntriesOf,
  currentStageEntry,
  findCaseRow,
  insertCase,
  insertReview,
  insertStageEntry,
  leaveCurrentStage,
  openCasesAt,
  reopenCase,
  reviewDatesOf,
} from '../../db/casework/cases.js';
import {
  findSuggestionRow,
  openSuggestionsAt,
  recordDecision,
  supersedeOpenSuggestionsOf,
} from '../../db/casework/suggestions.js';
import type { DbOrTrx, Trx } from '../../db/connect.js';
import { pupilMarks } from '../../db/pupils/pupils.js';
import { getSchool, type School } from '../school/schools.js';
import { newId } from '../../platform/ids.js';
import { loadCohort } from '../analysis/cohort.js';
import { audit } from '../audit.js';
import { authorise, can, type Actor, type Resource } from '../authz.js';
import type { Deps } from '../deps.js';
import { AppError, type FieldError } from '../errors.js';
import { emitWebhookEvents } from '../exchange/webhooks.js';
import { loadPupilScope } from '../follow-up/home-visits.js';
import { pupilAdjustedAttendance } from '../pupils/integration-periods.js';
import { layMarks } from '../pupils/pupils.js';
import { schoolCalendar } from '../registers/registers.js';
import { actionDescription, actionHref, actionLabel, type LetterTitles } from './actions.js';
import { libraryOf } from './letters/letters.js';
import { nthSchoolDayFrom, schoolWeeksAfter } from './facts.js';
import { caseworkPolicyOf, stageName, stageOf } from './policy.js';
import {
  CASE_CLOSED_PREFIX,
  CASE_REOPENED_NAME,
  CLOSE_OUTCOME_LABELS,
  CLOSE_OUTCOMES,
  PLAN_KIND_LABELS,
  toSuggestion,
  type CloseOutcome,
  type PlanKind,
  type StoredSuggestion,
} from './record.js';

/** Proposed actions are due this many school days after the decision. */
export const ACTION_DUE_SCHOOL_DAYS = 5;
/** Part-time timetables are reviewed at least every 2 weeks (DfE guidance). */
export const PART_TIME_REVIEW_DAYS = 14;

/** The school's letter templates by key, each title in words, for saying a letter action in words. */
export async function letterTitles(deps: Deps, school: School): Promise<LetterTitles> {
  const lib = await libraryOf(deps, school);
  return new Map([...lib.english].map(([key, t]) => [key, t.titleInWords]));
}

export function schoolResource(school: School): Resource {
  return { kind: 'school', schoolId: school.id, trustId: school.trustId, laCode: school.laCode };
}

function pupilName(p: {
  preferred_forename: string | null;
  legal_forename: string;
  preferred_surname: string | null;
  legal_surname: string;
}): string {
  return `${p.preferred_forename ?? p.legal_forename} ${p.preferred_surname ?? p.legal_surname}`;
}

export function validation(message: string, fields: FieldError[]): AppError {
  return new AppError('VALIDATION', message, { fields });
}

/** The school a staff member works in (administrators without a school are asked to pick one). */
export async function actorSchool(deps: Deps, actor: Actor, schoolId?: string): Promise<School> {
  const id = schoolId ?? actor.schoolId;
  if (!id) throw new AppError('FORBIDDEN', 'Casework is for staff of a school.');
  const school = await getSchool(deps.db, id);
  authorise(actor, 'casework.view', schoolResource(school));
  return school;
}

/** Year-to-date attendance rate of one pupil on a day (for reviews). */
export async function pupilRateOn(
  db: DbOrTrx,
  cal: SchoolCalendar,
  school: School,
  pupil: { id: string; admissionDate: PlainDate; leavingDate: PlainDate | null },
  asOf: PlainDate,
): Promise<number | null> {
  const ctx = analysisContext(cal, { asOf, minPossibleSessions: school.policy.minPossibleSessions });
  const laid = layMarks(cal, await pupilMarks(db, pupil.id));
  return measurePupil(cal, ctx, {
    codes: laid.codes,
    rollFrom: firstSessionOnOrAfter(cal, pupil.admissionDate),
    rollTo: pupil.leavingDate ? lastSessionOnOrBefore(cal, pupil.leavingDate) : cal.sessionCount - 1,
  }).attendanceRate;
}

/** Opens the case of a pupil if not open (reopens a closed one). Returns true when it changed. */
async function ensureCaseOpen(
  trx: Trx,
  actor: Actor,
  pupilId: string,
  schoolId: string,
  today: PlainDate,
  now: string,
  reopenReason?: string,
): Promise<boolean> {
  const existing = await findCaseRow(trx, pupilId);
  if (existing?.status === 'open') return false;
  if (existing) {
    await reopenCase(trx, existing.id, { openedOn: today, openedBy: actor.name });
    // The history keeps the closure; the reopening is recorded beside it.
    await insertStageEntry(trx, {
      id: newId(),
      pupil_id: pupilId,
      stage_id: null,
      stage_name: CASE_REOPENED_NAME,
      entered_on: today,
      left_on: today,
      reason: reopenReason ?? 'Reopened',
      suggestion_id: null,
      decided_by: actor.userId,
      decided_by_name: actor.name,
      decided_at: now,
    });
  } else {
    await insertCase(trx, {
      id: newId(),
      pupil_id: pupilId,
      school_id: schoolId,
      status: 'open',
      opened_on: today,
      opened_by: actor.name,
      closed_on: null,
      created_at: now,
    });
  }
  await emitWebhookEvents(trx, now, schoolId, 'case.opened', [
    { pupilId, data: { openedOn: today, openedBy: actor.name, reopened: existing !== undefined } },
  ]);
  return true;
}

/** Opens cases for pupils (puts them on the casework list). Audited per pupil opened. */
export async function openCases(
  deps: Deps,
  actor: Actor,
  pupilIds: readonly string[],
  reason?: string,
): Promise<number> {
  const ids = [...new Set(pupilIds.map((p) => p.trim()).filter((p) => p !== ''))];
  if (ids.length === 0)
    throw validation('Choose at least one pupil.', [{ field: 'pupilIds', message: 'Choose at least one pupil.' }]);
  const scopes: Awaited<ReturnType<typeof loadPupilScope>>[] = [];
  for (const id of ids) {
    const scope = await loadPupilScope(deps.db, id);
    authorise(actor, 'casework.manage', scope.resource);
    scopes.push(scope);
  }
  const now = deps.clock.now();
  let opened = 0;
  await deps.db.transaction().execute(async (trx) => {
    for (const { pupil, school } of scopes) {
      const today = deps.clock.today(school.timeZone);
      const why = (reason ?? '').trim().slice(0, 2000) || undefined;
      if (await ensureCaseOpen(trx, actor, pupil.id, school.id, today, now, why)) {
        opened++;
        await audit(trx, actor, now, {
          action: 'casework.open',
          entityType: 'case',
          entityId: pupil.id,
          pupilId: pupil.id,
          schoolId: school.id,
        });
      }
    }
  });
  return opened;
}

/**
 * Closes a pupil's case with an outcome and a reason: the pupil leaves any stage, the open
 * suggestions are superseded and the open actions cancelled; the history stays (a "Case closed"
 * entry records the outcome, the reason, who and when) and the case can be reopened. Audited.
 */
export async function closeCase(
  deps: Deps,
  actor: Actor,
  input: { pupilId: string; outcome: string; reason: string },
): Promise<void> {
  const { pupil, school, resource } = await loadPupilScope(deps.db, input.pupilId);
  authorise(actor, 'casework.manage', resource);
  const existing = await findCaseRow(deps.db, pupil.id);
  if (!existing || existing.status !== 'open') throw new AppError('CONFLICT', 'The case is not open.');
  const outcome = input.outcome.trim() as CloseOutcome;
  const reason = input.reason.trim();
  const errors: FieldError[] = [];
  if (!CLOSE_OUTCOMES.includes(outcome)) errors.push({ field: 'outcome', message: 'Choose the outcome.' });
  if (!reason) errors.push({ field: 'reason', message: 'Say why the case is closed.' });
  else if (reason.length > 2000)
    errors.push({ field: 'reason', message: 'The reason must be 2,000 characters or fewer.' });
  if (errors.length > 0) throw validation('The case could not be closed.', errors);
  const today = deps.clock.today(school.timeZone);
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    if (!(await closeOpenCase(trx, existing.id, today)))
      throw new AppError('CONFLICT', 'The case has just been closed.');
    await leaveCurrentStage(trx, pupil.id, today);
    await insertStageEntry(trx, {
      id: newId(),
      pupil_id: pupil.id,
      stage_id: null,
      stage_name: `${CASE_CLOSED_PREFIX}${CLOSE_OUTCOME_LABELS[outcome]}`,
      entered_on: today,
      left_on: today,
      reason,
      suggestion_id: null,
      decided_by: actor.userId,
      decided_by_name: actor.name,
      decided_at: now,
    });
    await supersedeOpenSuggestionsOf(trx, pupil.id, 'The case was closed', now);
    await cancelOpenActions(trx, pupil.id, { outcome: 'The case was closed', completedOn: today, now });
    await audit(trx, actor, now, {
      action: 'casework.close',
      entityType: 'case',
      entityId: pupil.id,
      pupilId: pupil.id,
      schoolId: school.id,
      details: { outcome, reason },
    });
  });
}

/** Moves a pupil to a stage (null: out of staged casework), closing the current one. */
async function moveStage(
  trx: Trx,
  actor: Actor,
  opts: {
    pupilId: string;
    policy: AttendancePolicy;
    stageId: string | null;
    today: PlainDate;
    now: string;
    reason: string;
    suggestionId: string | null;
  },
): Promise<string> {
  await leaveCurrentStage(trx, opts.pupilId, opts.today);
  const id = newId();
  await insertStageEntry(trx, {
    id,
    pupil_id: opts.pupilId,
    stage_id: opts.stageId,
    stage_name: stageName(opts.policy, opts.stageId),
    entered_on: opts.today,
    left_on: opts.stageId === null ? opts.today : null,
    reason: opts.reason,
    suggestion_id: opts.suggestionId,
    decided_by: actor.userId,
    decided_by_name: actor.name,
    decided_at: opts.now,
  });
  return id;
}

async function createActions(
  trx: Trx,
  actor: Actor,
  opts: {
    pupilId: string;
    actions: readonly string[];
    dueOn: PlainDate;
    now: string;
    suggestionId: string | null;
    meetingId?: string | null;
  },
): Promise<void> {
  for (const a of opts.actions) {
    if (a === 'review') continue; // a review is the decision itself
    await insertCaseItem(trx, 'case_actions', {
      id: newId(),
      pupil_id: opts.pupilId,
      policy_action: a,
      description: actionLabel(a),
      owner: actor.name,
      due_on: opts.dueOn,
      status: 'open',
      outcome: null,
      completed_on: null,
      suggestion_id: opts.suggestionId,
      meeting_id: opts.meetingId ?? null,
      created_by: actor.userId,
      created_at: opts.now,
      updated_at: opts.now,
    });
  }
}

export type Decision = 'accept' | 'adjust' | 'dismiss';

export interface DecideInput {
  readonly suggestionId: string;
  readonly decision: string;
  /** adjust: the stage chosen instead ('' or 'none' = out of staged casework). */
  readonly stageId?: string | undefined;
  /** Required to adjust or dismiss; optional to accept. */
  readonly reason?: string | undefined;
}

interface PreparedDecision {
  readonly suggestion: StoredSuggestion;
  readonly pupilId: string;
  readonly school: School;
  readonly policy: AttendancePolicy;
  readonly decision: Decision;
  readonly chosen: string | null;
  readonly reason: string;
  readonly today: PlainDate;
  readonly dueOn: PlainDate;
  readonly status: StoredSuggestion['status'];
  readonly currentStageRowId: string | null;
  readonly rate: number | null;
}

/** Reads and checks a decision (permission, an open suggestion, the fields); writes nothing. */
async function prepareDecision(deps: Deps, actor: Actor, input: DecideInput): Promise<PreparedDecision> {
  const row = await findSuggestionRow(deps.db, input.suggestionId);
  if (!row) throw new AppError('NOT_FOUND', 'No such suggestion.');
  const suggestion = toSuggestion(row);
  const { pupil, school, resource } = await loadPupilScope(deps.db, suggestion.pupilId);
  authorise(actor, 'casework.manage', resource);
  if (suggestion.status !== 'open') {
    throw new AppError('CONFLICT', 'This suggestion has already been decided.', { status: suggestion.status });
  }
  const policy = caseworkPolicyOf(school);
  const decision = input.decision as Decision;
  const reason = (input.reason ?? '').trim();
  const errors: FieldError[] = [];
  if (!['accept', 'adjust', 'dismiss'].includes(decision)) {
    errors.push({ field: 'decision', message: 'Choose accept, adjust the stage, or dismiss.' });
  }
  let chosen: string | null = suggestion.toStageId;
  if (decision === 'adjust') {
    const raw = (input.stageId ?? '').trim();
    chosen = raw === '' || raw === 'none' ? null : raw;
    if (chosen !== null && !stageOf(policy, chosen)) {
      errors.push({ field: 'stageId', message: 'Choose one of the policy’s stages, or no stage.' });
    }
    if (!reason) errors.push({ field: 'reason', message: 'Say why the stage differs from the suggestion.' });
  }
  if (decision === 'dismiss' && !reason) {
    errors.push({ field: 'reason', message: 'Say why the suggestion is dismissed.' });
  }
  if (reason.length > 2000) errors.push({ field: 'reason', message: 'The reason must be 2,000 characters or fewer.' });
  if (errors.length > 0) throw validation('The decision could not be recorded.', errors);

  const today = deps.clock.today(school.timeZone);
  const cal = await schoolCalendar(deps, school.id);
  const dueOn = nthSchoolDayFrom(cal, addDays(today, 1), ACTION_DUE_SCHOOL_DAYS) ?? addDays(today, 7);
  const status: StoredSuggestion['status'] =
    decision === 'accept' ? 'accepted' : decision === 'adjust' ? 'adjusted' : 'dismissed';
  const current = await currentStageEntry(deps.db, pupil.id);
  // A review records the rate the policy reads (the adjusted rate where the policy uses adjusted
  // attendance), since "no improvement since the review" is judged against it.
  let rate: number | null = null;
  if (decision === 'accept' && suggestion.kind === 'review') {
    const adjusted = await pupilAdjustedAttendance(deps, school, pupil, today);
    rate = adjusted ? adjusted.figures.adjusted.rate : await pupilRateOn(deps.db, cal, school, pupil, today);
  }
  return {
    suggestion,
    pupilId: pupil.id,
    school,
    policy,
    decision,
    chosen,
    reason,
    today,
    dueOn,
    status,
    currentStageRowId: current?.id ?? null,
    rate,
  };
}

/** Writes a prepared decision (inside the caller's transaction) and its audit entry. */
async function applyDecision(trx: Trx, actor: Actor, d: PreparedDecision, now: string): Promise<void> {
  const { suggestion, decision, chosen, reason, today, policy, school } = d;
  const pupilId = d.pupilId;
  if (suggestion.kind === 'review' && decision === 'accept' && d.currentStageRowId === null) {
    throw new AppError('CONFLICT', 'The pupil is no longer in a stage to review.');
  }
  const recorded = await recordDecision(trx, suggestion.id, {
    status: d.status,
    stageId: decision === 'dismiss' ? null : chosen,
    reason: reason || null,
    by: actor.userId,
    byName: actor.name,
    at: now,
  });
  if (!recorded) {
    throw new AppError('CONFLICT', 'This suggestion has just been decided by someone else.');
  }
  if (decision !== 'dismiss') {
    await ensureCaseOpen(trx, actor, pupilId, school.id, today, now);
    const why = `${decision === 'accept' ? 'Accepted' : 'Adjusted'} the suggestion of ${suggestion.asOf}: ${suggestion.explanation}${reason ? ` Decision: ${reason}` : ''}`;
    if (suggestion.kind === 'action' && decision === 'accept') {
      // An action the stage proposes (e.g. a penalty notice after a Notice to Improve is
      // breached): the stage stays; the actions below are created.
    } else if (suggestion.kind === 'review' && decision === 'accept') {
      await insertReview(trx, {
        id: newId(),
        pupil_id: pupilId,
        case_stage_id: d.currentStageRowId!,
        reviewed_on: today,
        rate: d.rate,
        notes: reason || 'Reviewed; the stage stays.',
        reviewed_by: actor.name,
        created_at: now,
      });
    } else {
      await moveStage(trx, actor, {
        pupilId,
        policy,
        stageId: chosen,
        today,
        now,
        reason: why,
        suggestionId: suggestion.id,
      });
      // Other open suggestions were made against the old stage.
      await supersedeOpenSuggestionsOf(trx, pupilId, 'The stage changed', now);
    }
    const actions =
      decision === 'adjust' && chosen !== suggestion.toStageId
        ? (stageOf(policy, chosen)?.actions ?? [])
        : suggestion.actions;
    await createActions(trx, actor, { pupilId, actions, dueOn: d.dueOn, now, suggestionId: suggestion.id });
  }
  await audit(trx, actor, now, {
    action: `casework.suggestion.${decision}`,
    entityType: 'case_suggestion',
    entityId: suggestion.id,
    pupilId,
    schoolId: school.id,
    details: {
      kind: suggestion.kind,
      from: suggestion.fromStageId,
      proposed: suggestion.toStageId,
      decided: decision === 'dismiss' ? null : chosen,
      reason: reason || null,
    },
  });
}

/**
 * Decides on an open suggestion. Accept: moves the stage as proposed (a review records the
 * review instead), creates the proposed actions as case actions. Adjust: moves to the stage
 * chosen, with that stage's actions. Dismiss: nothing changes but the suggestion. One
 * transaction, audited.
 */
export async function decideSuggestion(
  deps: Deps,
  actor: Actor,
  input: DecideInput,
): Promise<{ pupilId: string; status: StoredSuggestion['status']; outOfStages: boolean }> {
  const d = await prepareDecision(deps, actor, input);
  const now = deps.clock.now();
  await deps.db.transaction().execute((trx) => applyDecision(trx, actor, d, now));
  // Out of staged casework: the page proposes closing the case.
  const outOfStages =
    d.decision !== 'dismiss' && d.chosen === null && !(d.suggestion.kind === 'review' && d.decision === 'accept');
  return { pupilId: d.pupilId, status: d.status, outOfStages };
}

/** Most suggestions accepted (or dismissed) at once. */
export const MAX_ACCEPT_AT_ONCE = 100;

export interface AcceptManyResult {
  readonly accepted: number;
  /** Suggestions not accepted: already decided (by someone else, or superseded by another accepted for the same pupil). */
  readonly skipped: readonly { id: string; pupilName: string | null; why: string }[];
}

export interface DismissManyResult {
  readonly dismissed: number;
  /** Suggestions not dismissed: already decided (by someone else, or superseded). */
  readonly skipped: readonly { id: string; pupilName: string | null; why: string }[];
}

/**
 * Decides several open suggestions the same way with one reason: each exactly as a single
 * decision (its own audit entry per pupil), all in one transaction. A suggestion already
 * decided is skipped and reported, as is (accepting) one superseded by another accepted in the
 * same batch for the same pupil; any other problem refuses the whole batch.
 */
async function decideMany(
  deps: Deps,
  actor: Actor,
  decision: 'accept' | 'dismiss',
  input: { suggestionIds: readonly string[]; reason?: string | undefined },
): Promise<{ decided: number; skipped: { id: string; pupilName: string | null; why: string }[] }> {
  const verb = decision === 'accept' ? 'accept' : 'dismiss';
  const ids = [...new Set(input.suggestionIds.map((i) => i.trim()).filter((i) => i !== ''))];
  if (ids.length === 0)
    throw validation('Choose at least one suggestion.', [
      { field: 'suggestionIds', message: `Choose at least one suggestion to ${verb}.` },
    ]);
  if (ids.length > MAX_ACCEPT_AT_ONCE)
    throw validation('Too many suggestions at once.', [
      { field: 'suggestionIds', message: `Choose at most ${MAX_ACCEPT_AT_ONCE} suggestions at once.` },
    ]);
  const reason = (input.reason ?? '').trim();
  // The same checks and wording as a single decision (prepareDecision), once for the batch.
  if (decision === 'dismiss' && !reason)
    throw validation('The decision could not be recorded.', [
      { field: 'reason', message: 'Say why the suggestions are dismissed.' },
    ]);
  if (reason.length > 2000)
    throw validation('The decision could not be recorded.', [
      { field: 'reason', message: 'The reason must be 2,000 characters or fewer.' },
    ]);
  const prepared: PreparedDecision[] = [];
  const skipped: { id: string; pupilName: string | null; why: string }[] = [];
  for (const id of ids) {
    try {
      prepared.push(await prepareDecision(deps, actor, { suggestionId: id, decision, reason }));
    } catch (e) {
      if (e instanceof AppError && e.code === 'CONFLICT') skipped.push({ id, pupilName: null, why: e.message });
      else throw e;
    }
  }
  const now = deps.clock.now();
  let decided = 0;
  await deps.db.transaction().execute(async (trx) => {
    const moved = new Set<string>();
    for (const d of prepared) {
      // Accepting moves the stage and supersedes the pupil's other open suggestions; dismissing does not.
      if (decision === 'accept' && moved.has(d.pupilId)) {
        skipped.push({ id: d.suggestion.id, pupilName: null, why: 'Another suggestion for this pupil was accepted.' });
        continue;
      }
      await applyDecision(trx, actor, d, now);
      moved.add(d.pupilId);
      decided++;
    }
  });
  return { decided, skipped };
}

/**
 * Accepts several open suggestions with one reason (optional, as for one): each exactly as a
 * single accept (stage, actions, one audit entry per pupil), all in one transaction. A
 * suggestion already decided, or superseded by another accepted in the same batch (the same
 * pupil), is skipped and reported; any other problem refuses the whole batch.
 */
export async function acceptSuggestions(
  deps: Deps,
  actor: Actor,
  input: { suggestionIds: readonly string[]; reason?: string | undefined },
): Promise<AcceptManyResult> {
  const { decided, skipped } = await decideMany(deps, actor, 'accept', input);
  return { accepted: decided, skipped };
}

/**
 * Dismisses several open suggestions with one reason (required, as for one): each exactly as a
 * single dismissal (nothing else changes; one audit entry per pupil), all in one transaction.
 * A suggestion already decided is skipped and reported; any other problem refuses the batch.
 */
export async function dismissSuggestions(
  deps: Deps,
  actor: Actor,
  input: { suggestionIds: readonly string[]; reason?: string | undefined },
): Promise<DismissManyResult> {
  const { decided, skipped } = await decideMany(deps, actor, 'dismiss', input);
  return { dismissed: decided, skipped };
}

/** Sets a pupil's stage by hand (no suggestion), with a reason. Audited. */
export async function setStage(
  deps: Deps,
  actor: Actor,
  input: { pupilId: string; stageId: string; reason: string },
): Promise<void> {
  const { pupil, school, resource } = await loadPupilScope(deps.db, input.pupilId);
  authorise(actor, 'casework.manage', resource);
  const policy = caseworkPolicyOf(school);
  const raw = input.stageId.trim();
  const chosen = raw === '' || raw === 'none' ? null : raw;
  const reason = input.reason.trim();
  const errors: FieldError[] = [];
  if (chosen !== null && !stageOf(policy, chosen))
    errors.push({ field: 'stageId', message: 'Choose one of the policy’s stages, or no stage.' });
  if (!reason) errors.push({ field: 'reason', message: 'Say why the stage changes.' });
  if (errors.length > 0) throw validation('The stage could not be changed.', errors);
  const today = deps.clock.today(school.timeZone);
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    await ensureCaseOpen(trx, actor, pupil.id, school.id, today, now);
    await moveStage(trx, actor, { pupilId: pupil.id, policy, stageId: chosen, today, now, reason, suggestionId: null });
    await supersedeOpenSuggestionsOf(trx, pupil.id, 'The stage changed', now);
    await audit(trx, actor, now, {
      action: 'casework.stage.set',
      entityType: 'case',
      entityId: pupil.id,
      pupilId: pupil.id,
      schoolId: school.id,
      details: { stageId: chosen, reason },
    });
  });
}

export interface ListedSuggestion extends StoredSuggestion {
  readonly pupilName: string;
  readonly yearGroup: string | null;
  /** Child protection plan, child in need, looked after or a social worker (the worklist's reading). */
  readonly vulnerable: boolean;
  /** Year-to-date attendance rate on the day of the list; null with no possible sessions. */
  readonly rate: number | null;
  /** Year-to-date attendance at or below 50% (severe absence). */
  readonly severe: boolean;
  readonly fromStageName: string | null;
  readonly toStageName: string;
  readonly actionItems: readonly { label: string; href: string }[];
}

export type OverdueKind =
  'review' | 'action' | 'plan-review' | 'plan-end' | 'contract-review' | 'notice-outcome' | 'penalty-payment';

export interface OverdueItem {
  readonly kind: OverdueKind;
  readonly pupilId: string;
  readonly pupilName: string;
  readonly what: string;
  readonly dueOn: PlainDate;
  readonly owner: string | null;
  readonly href: string;
}

/** Suggestions per page on the officer's list. */
export const SUGGESTIONS_PER_PAGE = 25;

/** Filters, order and page of the officer's list of suggestions (all optional, from the query string). */
export interface SuggestionQuery {
  /** The stage proposed: a stage id, or 'none' for out of staged casework. */
  readonly stage?: string | undefined;
  readonly kind?: string | undefined;
  readonly year?: string | undefined;
  /** '1': vulnerable pupils only. */
  readonly vulnerable?: string | undefined;
  /** 'serious' (the default) or 'newest'. */
  readonly sort?: string | undefined;
  readonly page?: string | number | undefined;
}

export interface FilterOption {
  readonly value: string;
  readonly text: string;
  /** Suggestions matching this option and the other filters chosen. */
  readonly count: number;
  readonly selected: boolean;
}

export interface SuggestionQueue {
  /** Open suggestions at the school, before filters. */
  readonly total: number;
  /** Open suggestions matching the filters. */
  readonly matching: number;
  readonly page: number;
  readonly pages: number;
  readonly perPage: number;
  /** Most serious first, newest first, or by stage (the page shows a heading per stage with its count). */
  readonly sort: 'serious' | 'newest' | 'stage';
  readonly filters: {
    readonly stage: readonly FilterOption[];
    readonly kind: readonly FilterOption[];
    readonly year: readonly FilterOption[];
    readonly vulnerable: FilterOption;
  };
  /** The query string of the filters and order chosen (no page), for links and forms. */
  readonly query: string;
}

export interface CaseworkList {
  readonly school: { id: string; name: string };
  readonly today: PlainDate;
  readonly policy: AttendancePolicy;
  /** The page of open suggestions matching the filters, most serious (or newest) first. */
  readonly suggestions: readonly ListedSuggestion[];
  readonly queue: SuggestionQueue;
  readonly overdue: readonly OverdueItem[];
  readonly stages: readonly {
    id: string | null;
    name: string;
    pupils: { id: string; name: string; since: PlainDate }[];
  }[];
  readonly canManage: boolean;
  /** New entries the latest evaluation held back under the policy's cap (`maxNewEntriesPerRun`); null when none. */
  readonly heldBack: HeldBack | null;
}

export interface HeldBack {
  /** The day evaluated. */
  readonly asOf: PlainDate;
  /** Entries into staged casework proposed but not stored. */
  readonly count: number;
  /** The policy's cap. */
  readonly cap: number;
  /** The stage entered (the policy's first). */
  readonly stageName: string;
}

/** Evaluations older than this are not looked at for held-back entries (it bounds the audit read). */
const HELD_BACK_LOOKBACK_DAYS = 14;

/**
 * What the school's latest evaluation held back under the cap, from its audit entry (the
 * evaluation records `heldBack` and `maxNewEntriesPerRun` there); null when nothing was.
 */
async function latestHeldBack(deps: Deps, school: School, policy: AttendancePolicy, today: PlainDate) {
  const row = await latestEvaluationAuditDetails(deps.db, school.id, addDays(today, -HELD_BACK_LOOKBACK_DAYS));
  if (!row?.details) return null;
  let details: { asOf?: unknown; heldBack?: unknown; maxNewEntriesPerRun?: unknown };
  try {
    details = JSON.parse(row.details) as typeof details;
  } catch {
    return null;
  }
  const count = typeof details.heldBack === 'number' ? details.heldBack : 0;
  if (count <= 0 || typeof details.maxNewEntriesPerRun !== 'number' || typeof details.asOf !== 'string') return null;
  const first = orderedStages(policy)[0];
  return {
    asOf: details.asOf as PlainDate,
    count,
    cap: details.maxNewEntriesPerRun,
    stageName: first?.name ?? 'the first stage',
  } satisfies HeldBack;
}

/** The next date a plan is due for review: the first planned review date after the last review. */
export function planNextReview(plan: {
  kind: string;
  startsOn: PlainDate;
  reviewDates: readonly PlainDate[];
  reviews: readonly { on: PlainDate }[];
}): PlainDate | null {
  const last = plan.reviews.reduce<PlainDate | null>((m, r) => (m === null || r.on > m ? r.on : m), null);
  const after = last ?? plan.startsOn;
  if (plan.kind === 'part-time-timetable') return addDays(after, PART_TIME_REVIEW_DAYS);
  const next = [...plan.reviewDates].sort().find((d) => (last === null ? true : d > last));
  return next ?? null;
}

/** Vulnerable as the worklist reads it: a child protection plan, child in need, looked after, or a social worker. */
function isVulnerable(p: { cp: number; cin: number; lac: number; social_worker: string | null }): boolean {
  return Number(p.cp) === 1 || Number(p.cin) === 1 || Number(p.lac) === 1 || (p.social_worker ?? '') !== '';
}

/** Year-to-date rate and severe absence (the domain's measures) of some pupils, from one read of marks. */
async function yearToDateRates(
  deps: Deps,
  school: School,
  asOf: PlainDate,
  pupilIds: readonly string[],
): Promise<Map<string, { rate: number | null; severe: boolean }>> {
  const out = new Map<string, { rate: number | null; severe: boolean }>();
  if (pupilIds.length === 0) return out;
  // The analysis cohort of the year (cached per process and kept current as marks are written),
  // so the list does not read every listed pupil's marks on each page.
  const year = academicYearOf(asOf);
  const cohort = await loadCohort(deps, school.id, { from: year.start, to: year.end });
  const ctx = analysisContext(cohort.cal, { asOf, minPossibleSessions: school.policy.minPossibleSessions });
  const wanted = new Set(pupilIds);
  for (const p of cohort.pupils) {
    if (!wanted.has(p.id)) continue;
    const m = measurePupil(cohort.cal, ctx, p.marks);
    out.set(p.id, { rate: m.attendanceRate, severe: m.severeAbsence });
  }
  return out;
}

const KIND_OPTIONS = [
  { value: 'enter', text: 'Enter a stage' },
  { value: 'review', text: 'Review' },
  { value: 'stepDown', text: 'Step down' },
] as const;

/**
 * Filters, counts, orders and pages the open suggestions. Each option's count is of the
 * suggestions matching it and the other filters chosen. "Most serious" first: severe absence
 * and vulnerable pupils (both before either, either before neither), then the higher stage
 * proposed, the lower rate, the newer evaluation and the name; "newest": the newer evaluation,
 * then as most serious.
 */
export function queueOf(
  policy: AttendancePolicy,
  all: readonly ListedSuggestion[],
  query: SuggestionQuery,
): { page: ListedSuggestion[]; queue: SuggestionQueue } {
  const stageKey = (s: ListedSuggestion): string => s.toStageId ?? 'none';
  const stages = [...orderedStages(policy).map((s) => ({ value: s.id, text: s.name }))];
  stages.push({ value: 'none', text: 'No stage (out of staged casework)' });
  const pick = (v: string | undefined, allowed: readonly string[]): string | null =>
    v !== undefined && allowed.includes(v) ? v : null;
  const years = [...new Set(all.map((s) => s.yearGroup ?? ''))].sort((a, b) =>
    a.localeCompare(b, 'en', { numeric: true }),
  );
  const chosen = {
    stage: pick(
      query.stage,
      stages.map((s) => s.value),
    ),
    kind: pick(
      query.kind,
      KIND_OPTIONS.map((k) => k.value),
    ),
    year: pick(query.year, years),
    vulnerable: query.vulnerable === '1',
  };
  type Key = keyof typeof chosen;
  const matches = (s: ListedSuggestion, skip?: Key): boolean =>
    (skip === 'stage' || chosen.stage === null || stageKey(s) === chosen.stage) &&
    (skip === 'kind' || chosen.kind === null || s.kind === chosen.kind) &&
    (skip === 'year' || chosen.year === null || (s.yearGroup ?? '') === chosen.year) &&
    (skip === 'vulnerable' || !chosen.vulnerable || s.vulnerable);
  const countBy = (skip: Key, f: (s: ListedSuggestion) => boolean): number =>
    all.filter((s) => matches(s, skip) && f(s)).length;

  const order = new Map(orderedStages(policy).map((s, i) => [s.id, i]));
  const concern = (s: ListedSuggestion): number => (s.severe ? 0 : 1) + (s.vulnerable ? 0 : 1);
  const serious = (a: ListedSuggestion, b: ListedSuggestion): number =>
    concern(a) - concern(b) ||
    (order.get(b.toStageId ?? '') ?? -1) - (order.get(a.toStageId ?? '') ?? -1) ||
    (a.rate ?? 2) - (b.rate ?? 2) ||
    (a.asOf < b.asOf ? 1 : a.asOf > b.asOf ? -1 : 0) ||
    a.pupilName.localeCompare(b.pupilName);
  const sort = query.sort === 'newest' ? 'newest' : query.sort === 'stage' ? 'stage' : 'serious';
  // By stage: the highest stage first ('out of staged casework' last), the most serious first within.
  const stageRank = (s: ListedSuggestion): number => (s.toStageId === null ? -1 : (order.get(s.toStageId) ?? -1));
  const byStage = (a: ListedSuggestion, b: ListedSuggestion): number => stageRank(b) - stageRank(a) || serious(a, b);
  const matching = all.filter((s) => matches(s));
  matching.sort(
    sort === 'newest'
      ? (a, b) => (a.asOf < b.asOf ? 1 : a.asOf > b.asOf ? -1 : 0) || serious(a, b)
      : sort === 'stage'
        ? byStage
        : serious,
  );
  const pages = Math.max(1, Math.ceil(matching.length / SUGGESTIONS_PER_PAGE));
  const asked = Number.parseInt(String(query.page ?? '1'), 10);
  const page = Number.isFinite(asked) ? Math.min(Math.max(1, asked), pages) : 1;

  const params = new URLSearchParams();
  if (chosen.stage !== null) params.set('stage', chosen.stage);
  if (chosen.kind !== null) params.set('kind', chosen.kind);
  if (chosen.year !== null) params.set('year', chosen.year);
  if (chosen.vulnerable) params.set('vulnerable', '1');
  if (sort !== 'serious') params.set('sort', sort);

  return {
    page: matching.slice((page - 1) * SUGGESTIONS_PER_PAGE, page * SUGGESTIONS_PER_PAGE),
    queue: {
      total: all.length,
      matching: matching.length,
      page,
      pages,
      perPage: SUGGESTIONS_PER_PAGE,
      sort,
      filters: {
        stage: stages.map((o) => ({
          ...o,
          count: countBy('stage', (s) => stageKey(s) === o.value),
          selected: chosen.stage === o.value,
        })),
        kind: KIND_OPTIONS.map((o) => ({
          ...o,
          count: countBy('kind', (s) => s.kind === o.value),
          selected: chosen.kind === o.value,
        })),
        year: years.map((y) => ({
          value: y,
          text: y === '' ? 'No year group' : `Year ${y}`,
          count: countBy('year', (s) => (s.yearGroup ?? '') === y),
          selected: chosen.year === y,
        })),
        vulnerable: {
          value: '1',
          text: 'Vulnerable pupils only',
          count: countBy('vulnerable', (s) => s.vulnerable),
          selected: chosen.vulnerable,
        },
      },
      query: params.toString(),
    },
  };
}

type OverdueEntry = Omit<OverdueItem, 'pupilId' | 'pupilName'>;
type OverdueSource = (
  deps: Deps,
  pupilIds: readonly string[],
  today: PlainDate,
  ctx: { canSendLetters: boolean; letters: LetterTitles },
) => Promise<(OverdueEntry & { pupilId: string })[]>;

/**
 * Reads the rows of a case table in a status (and, with `due`, due before today) for some
 * pupils, and turns each into its overdue items.
 */
function overdueFrom<T extends OverdueTable>(
  table: T,
  status: string,
  due: DueColumn | null,
  items: (
    row: OverdueRow<T>,
    today: PlainDate,
    ctx: { canSendLetters: boolean; letters: LetterTitles },
  ) => OverdueEntry[],
): OverdueSource {
  return async (deps, pupilIds, today, ctx) => {
    const rows = await caseItemsInStatus(
      deps.db,
      table,
      pupilIds,
      status,
      due === null ? null : { column: due, today },
    );
    return rows.flatMap((row) => items(row, today, ctx).map((item) => ({ ...item, pupilId: row.pupil_id })));
  };
}

const caseHref = (pupilId: string, anchor: string): string => `/pupils/${encodeURIComponent(pupilId)}/case#${anchor}`;

/** One overdue item per row, due on its `due` date, owned by nobody, linking to a section of the case page. */
function dueItem<T extends OverdueTable>(
  table: T,
  status: string,
  due: DueColumn,
  kind: OverdueKind,
  anchor: string,
  what: (row: OverdueRow<T>) => string,
): OverdueSource {
  return overdueFrom(table, status, due, (row) => [
    {
      kind,
      what: what(row),
      dueOn: (row as unknown as Record<DueColumn, PlainDate>)[due],
      owner: null,
      href: caseHref(row.pupil_id, anchor),
    },
  ]);
}

/** What falls overdue on the officer's list besides stage reviews, table by table, in the list's order. */
const OVERDUE_SOURCES: readonly OverdueSource[] = [
  overdueFrom('case_actions', 'open', 'due_on', (a, _today, { canSendLetters, letters }) => [
    {
      kind: 'action',
      what: actionDescription(a.description, a.policy_action, letters),
      dueOn: a.due_on as PlainDate,
      owner: a.owner,
      // A letter action goes to the compose page only for those who may send letters (not a SENCO).
      href:
        a.policy_action && (!a.policy_action.startsWith('letter:') || canSendLetters)
          ? actionHref(a.pupil_id, a.policy_action)
          : caseHref(a.pupil_id, 'actions'),
    },
  ]),
  overdueFrom('case_plans', 'active', null, (p, today) => {
    const label = PLAN_KIND_LABELS[p.kind as PlanKind] ?? p.kind;
    const next = planNextReview({
      kind: p.kind,
      startsOn: p.starts_on as PlainDate,
      reviewDates: JSON.parse(p.review_dates) as PlainDate[],
      reviews: JSON.parse(p.reviews) as { on: PlainDate }[],
    });
    const href = caseHref(p.pupil_id, `plan-${p.id}`);
    const out: OverdueEntry[] = [];
    if (next && next < today)
      out.push({ kind: 'plan-review', what: `Review of the ${label.toLowerCase()}`, dueOn: next, owner: null, href });
    if (p.ends_on < today)
      out.push({
        kind: 'plan-end',
        what: `${label} past its agreed end date: end or extend it`,
        dueOn: p.ends_on as PlainDate,
        owner: null,
        href,
      });
    return out;
  }),
  dueItem(
    'case_contracts',
    'active',
    'review_on',
    'contract-review',
    'contracts',
    () => 'Review of the attendance contract',
  ),
  dueItem(
    'notices_to_improve',
    'monitoring',
    'monitoring_ends_on',
    'notice-outcome',
    'notices',
    () => 'Outcome of the Notice to Improve (monitoring period ended)',
  ),
  dueItem(
    'penalty_notices',
    'issued',
    'pay_by',
    'penalty-payment',
    'notices',
    (n) => `Penalty notice to ${n.parent_name}: payment deadline passed (record payment, or unpaid)`,
  ),
];

/** The officer's list for a school, its suggestions filtered, ordered and paged by `query`. */
export async function caseworkList(
  deps: Deps,
  actor: Actor,
  schoolId?: string,
  query: SuggestionQuery = {},
): Promise<CaseworkList> {
  const school = await actorSchool(deps, actor, schoolId);
  const policy = caseworkPolicyOf(school);
  const today = deps.clock.today(school.timeZone);
  const cal = await schoolCalendar(deps, school.id);
  const pupilRows = await caseListPupilsAt(deps.db, school.id);
  const pupilsById = new Map(pupilRows.map((p) => [p.id, p]));
  const names = new Map(pupilRows.map((p) => [p.id, pupilName(p)]));
  const nameOf = (id: string): string => names.get(id) ?? 'Unknown pupil';
  const inSchool = <T extends { pupil_id: string }>(rows: T[]): T[] => rows.filter((r) => names.has(r.pupil_id));
  const pupilIds = [...names.keys()];
  const byPupil = pupilIds.length === 0 ? ['-'] : pupilIds;

  const open = (await openSuggestionsAt(deps.db, school.id)).map(toSuggestion);
  const rates = await yearToDateRates(deps, school, today, [
    ...new Set(open.map((s) => s.pupilId).filter((id) => pupilsById.has(id))),
  ]);
  const canSendLetters = can(actor, 'letter.send', schoolResource(school));
  const letters = await letterTitles(deps, school);
  const all = open.map((s): ListedSuggestion => {
    const p = pupilsById.get(s.pupilId);
    const m = rates.get(s.pupilId);
    return {
      ...s,
      pupilName: nameOf(s.pupilId),
      yearGroup: p?.year_group ?? null,
      vulnerable: p ? isVulnerable(p) : false,
      rate: m?.rate ?? null,
      severe: m?.severe ?? false,
      fromStageName: s.fromStageId ? stageName(policy, s.fromStageId) : null,
      toStageName: stageName(policy, s.toStageId),
      actionItems: s.actions.map((a) => ({
        label: actionLabel(a, letters),
        href: actionHref(s.pupilId, a, { canSendLetters }),
      })),
    };
  });
  const { page: suggestions, queue } = queueOf(policy, all, query);

  const current = inSchool(await currentStageEntriesOf(deps.db, byPupil));
  const reviews = await reviewDatesOf(deps.db, byPupil);
  const lastReview = new Map<string, PlainDate>();
  for (const r of reviews) {
    const prev = lastReview.get(r.case_stage_id);
    if (!prev || r.reviewed_on > prev) lastReview.set(r.case_stage_id, r.reviewed_on as PlainDate);
  }
  const overdue: OverdueItem[] = [];
  for (const c of current) {
    const stage = stageOf(policy, c.stage_id);
    if (!stage || stage.reviewAfterSchoolWeeks <= 0) continue;
    const from = lastReview.get(c.id) ?? (c.entered_on as PlainDate);
    const due = schoolWeeksAfter(cal, from, stage.reviewAfterSchoolWeeks);
    if (due && due < today) {
      overdue.push({
        kind: 'review',
        pupilId: c.pupil_id,
        pupilName: nameOf(c.pupil_id),
        what: `Review of ${stage.name} (every ${stage.reviewAfterSchoolWeeks} school weeks)`,
        dueOn: due,
        owner: null,
        href: `/pupils/${encodeURIComponent(c.pupil_id)}/case#stage`,
      });
    }
  }
  for (const source of OVERDUE_SOURCES) {
    for (const { pupilId, ...item } of await source(deps, byPupil, today, { canSendLetters, letters })) {
      if (names.has(pupilId)) overdue.push({ ...item, pupilId, pupilName: nameOf(pupilId) });
    }
  }
  overdue.sort((a, b) => (a.dueOn < b.dueOn ? -1 : a.dueOn > b.dueOn ? 1 : a.pupilName.localeCompare(b.pupilName)));

  const openCaseRows = inSchool(await openCasesAt(deps.db, school.id));
  const inStage = new Set(current.filter((c) => c.stage_id !== null).map((c) => c.pupil_id));
  const stages: CaseworkList['stages'][number][] = orderedStages(policy).map((s) => ({
    id: s.id,
    name: s.name,
    pupils: current
      .filter((c) => c.stage_id === s.id)
      .map((c) => ({ id: c.pupil_id, name: nameOf(c.pupil_id), since: c.entered_on as PlainDate }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  }));
  stages.unshift({
    id: null,
    name: 'Open case, no stage',
    pupils: openCaseRows
      .filter((c) => !inStage.has(c.pupil_id))
      .map((c) => ({ id: c.pupil_id, name: nameOf(c.pupil_id), since: c.opened_on as PlainDate }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  });

  return {
    school: { id: school.id, name: school.name },
    today,
    policy,
    suggestions,
    queue,
    overdue,
    stages,
    canManage: can(actor, 'casework.manage', schoolResource(school)),
    heldBack: await latestHeldBack(deps, school, policy, today),
  };
}
