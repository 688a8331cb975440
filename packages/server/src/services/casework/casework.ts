/**
 * Long on purpose: every decision an officer takes on a case (open, close, accept, adjust,
 * dismiss, one or many at once, set the stage) goes through the same few writes (the case opened,
 * the stage moved, the actions created, the other suggestions superseded) and one audit shape,
 * which are easiest to check read together. The officer's list is in casework-list.ts.
 *
 * Casework decisions: open and close cases, decide on suggestions (accept, adjust the stage,
 * dismiss with a reason), and set a stage by hand. The system proposes; people decide: a stage
 * changes only here, by a person, with who, when and why recorded, and audited. The queries are
 * in db/casework/ (cases.ts, suggestions.ts, case-record.ts).
 */
import {
  addDays,
  analysisContext,
  firstSessionOnOrAfter,
  lastSessionOnOrBefore,
  measurePupil,
  type AttendancePolicy,
  type PlainDate,
  type SchoolCalendar,
} from '@rollcall/domain';
import { cancelOpenActions, insertCaseItem } from '../../db/casework/case-record.js';
import {
  closeOpenCase,
  currentStageEntry,
  findCaseRow,
  insertCase,
  insertReview,
  insertStageEntry,
  leaveCurrentStage,
  reopenCase,
} from '../../db/casework/cases.js';
import { findSuggestionRow, recordDecision, supersedeOpenSuggestionsOf } from '../../db/casework/suggestions.js';
import type { DbOrTrx, Trx } from '../../db/connect.js';
import { pupilMarks } from '../../db/pupils/pupils.js';
import { getSchool, type School } from '../school/schools.js';
import { newId } from '../../platform/ids.js';
import { audit } from '../audit.js';
import { authorise, type Actor, type Resource } from '../authz.js';
import type { Deps } from '../deps.js';
import { AppError, type FieldError } from '../errors.js';
import { emitWebhookEvents } from '../exchange/webhooks.js';
import { loadPupilScope } from '../pupil-scope.js';
import { pupilAdjustedAttendance } from '../pupils/integration-periods.js';
import { layMarks } from '../pupils/pupils.js';
import { schoolCalendar } from '../registers/registers.js';
import { actionLabel, type LetterTitles } from './actions.js';
import { libraryOf } from './letters/letters.js';
import { nthSchoolDayFrom } from './facts.js';
import { caseworkPolicyOf, stageName, stageOf } from './policy.js';
import {
  CASE_CLOSED_PREFIX,
  CASE_REOPENED_NAME,
  CLOSE_OUTCOME_LABELS,
  CLOSE_OUTCOMES,
  toSuggestion,
  type CloseOutcome,
  type StoredSuggestion,
} from './record.js';

/** Proposed actions are due this many school days after the decision. */
export const ACTION_DUE_SCHOOL_DAYS = 5;

/** The school's letter templates by key, each title in words, for saying a letter action in words. */
export async function letterTitles(deps: Deps, school: School): Promise<LetterTitles> {
  const lib = await libraryOf(deps, school);
  return new Map([...lib.english].map(([key, t]) => [key, t.titleInWords]));
}

export function schoolResource(school: School): Resource {
  return { kind: 'school', schoolId: school.id, trustId: school.trustId, laCode: school.laCode };
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
