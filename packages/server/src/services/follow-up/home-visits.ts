/**
 * Home visits in the first-day response: planned (day 3 of unexplained absence and every 3
 * days after, at once for a vulnerable pupil) and recorded (who went, in a pair or alone,
 * whether the child was seen, who was present, what was discussed, whether a calling card was
 * left, any safeguarding concern, next steps).
 *
 * Planning and recording need `mark.amend` (office, attendance officer, senior leaders: the staff
 * who run the first-day response); reading needs `school.viewPupilLists`.
 *
 * @see ../../../../shared/seeds/002_aba111d41983db42.txt §5.4 (home visits), §5.7 (CME)
 */
import { isPlainDate, isTimeOfDay, type PlainDate } from '@rollcall/domain';
import type { DbOrTrx } from '../../db/connect.js';
import { homeVisitRows, insertHomeVisit, plannedHomeVisit, updateHomeVisit } from '../../db/follow-up/home-visits.js';
import { localDateTime } from '../../platform/clock.js';
import { newId } from '../../platform/ids.js';
import { audit } from '../audit.js';
import { authorise, can, type Actor } from '../authz.js';
import type { Deps } from '../deps.js';
import { AppError, type FieldError } from '../errors.js';
import { loadPupilScope } from '../pupil-scope.js';
import { raiseDslAlert, withLaReason } from '../safeguarding/safeguarding.js';

export type HomeVisitStatus = 'planned' | 'done' | 'cancelled';

export interface HomeVisit {
  readonly id: string;
  readonly pupilId: string;
  readonly status: HomeVisitStatus;
  readonly plannedFor: PlainDate;
  readonly reason: string;
  /** ISO instant of the visit, when done. */
  readonly visitedAt: string | null;
  /** The visit's local date and time at the school. */
  readonly visitedOn: PlainDate | null;
  readonly visitedTime: string | null;
  readonly staff: string | null;
  readonly pair: boolean;
  readonly childSeen: boolean | null;
  readonly present: string | null;
  readonly discussed: string | null;
  readonly callingCardLeft: boolean;
  readonly safeguardingConcern: boolean;
  readonly nextSteps: string | null;
  /** Done, child not seen and nobody present: the "urgent attendance follow-up" letter is due. */
  readonly nobodyHome: boolean;
}

/** The instant of a local date and time in a time zone (two passes cover the clock change). */
function localToInstant(date: PlainDate, time: string, timeZone: string): string {
  const guess = Date.parse(`${date}T${time}:00Z`);
  const seen = localDateTime(new Date(guess).toISOString(), timeZone);
  const offset = Date.parse(`${seen.date}T${seen.time}:00Z`) - guess;
  return new Date(guess - offset).toISOString();
}

/** Home visits of some pupils, newest planned date first. */
export async function listHomeVisits(
  db: DbOrTrx,
  pupilIds: readonly string[],
  timeZone = 'Europe/London',
): Promise<HomeVisit[]> {
  const rows = await homeVisitRows(db, pupilIds);
  return rows.map((r) => {
    const local = r.visited_at ? localDateTime(r.visited_at, timeZone) : null;
    const status: HomeVisitStatus = r.status === 'done' || r.status === 'cancelled' ? r.status : 'planned';
    const childSeen = r.child_seen === null ? null : r.child_seen === 1;
    return {
      id: r.id,
      pupilId: r.pupil_id,
      status,
      plannedFor: r.planned_for as PlainDate,
      reason: r.reason,
      visitedAt: r.visited_at,
      visitedOn: local?.date ?? null,
      visitedTime: local?.time ?? null,
      staff: r.staff,
      pair: r.pair === 1,
      childSeen,
      present: r.present,
      discussed: r.discussed,
      callingCardLeft: r.calling_card_left === 1,
      safeguardingConcern: r.safeguarding_concern === 1,
      nextSteps: r.next_steps,
      nobodyHome: status === 'done' && childSeen === false && !r.present,
    };
  });
}

/**
 * A pupil's home visits (reading needs `school.viewPupilLists`: the school's staff who run the
 * first-day response, and trust and LA staff, whose school is the pupil's, not their own).
 * Whether a visit raised a safeguarding concern is shown only to roles that may see
 * safeguarding details (`pupil.viewSafeguarding`).
 */
export async function homeVisitsForPupil(
  deps: Deps,
  actor: Actor,
  pupilId: string,
): Promise<{
  pupil: { id: string; name: string; schoolId: string };
  visits: HomeVisit[];
  canRecord: boolean;
  showSafeguarding: boolean;
  /** Today at the pupil's school. */
  today: PlainDate;
}> {
  const scope = await loadPupilScope(deps.db, pupilId);
  const { pupil, school } = scope;
  const resource = await withLaReason(deps, actor, scope.resource);
  // An LA officer reads them with the pupil's record (where the LA has a reason).
  if (actor.role === 'la_officer') authorise(actor, 'pupil.view', resource);
  else
    authorise(actor, 'school.viewPupilLists', {
      kind: 'school',
      schoolId: school.id,
      trustId: school.trustId,
      laCode: school.laCode,
    });
  const showSafeguarding = can(actor, 'pupil.viewSafeguarding', resource);
  const visits = await listHomeVisits(deps.db, [pupil.id], school.timeZone);
  return {
    pupil: { id: pupil.id, name: `${pupil.forename} ${pupil.surname}`, schoolId: school.id },
    visits: showSafeguarding ? visits : visits.map((v) => ({ ...v, safeguardingConcern: false })),
    canRecord: can(actor, 'mark.amend', resource),
    showSafeguarding,
    today: deps.clock.today(school.timeZone),
  };
}

export interface PlanHomeVisitInput {
  readonly pupilId: string;
  readonly plannedFor: string;
  readonly reason: string;
}

/** Plans a home visit for a date (today or later). Audited. */
export async function planHomeVisit(deps: Deps, actor: Actor, input: PlanHomeVisitInput): Promise<string> {
  const { pupil, school, resource } = await loadPupilScope(deps.db, input.pupilId);
  authorise(actor, 'mark.amend', resource);
  const errors: FieldError[] = [];
  const today = deps.clock.today(school.timeZone);
  if (!isPlainDate(input.plannedFor))
    errors.push({ field: 'plannedFor', message: 'Enter the date of the visit, for example 2025-09-10.' });
  else if (input.plannedFor < today)
    errors.push({ field: 'plannedFor', message: 'Plan the visit for today or a later date.' });
  const reason = input.reason.trim();
  if (!reason) errors.push({ field: 'reason', message: 'Say why, for example “day 3 of unexplained absence”.' });
  else if (reason.length > 500)
    errors.push({ field: 'reason', message: 'The reason must be 500 characters or fewer.' });
  if (errors.length > 0) throw new AppError('VALIDATION', 'The home visit could not be planned.', { fields: errors });
  const id = newId();
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    await insertHomeVisit(trx, {
      id,
      pupil_id: pupil.id,
      status: 'planned',
      planned_for: input.plannedFor,
      reason,
      visited_at: null,
      staff: null,
      child_seen: null,
      present: null,
      discussed: null,
      next_steps: null,
      created_by: actor.userId,
      created_at: now,
      updated_at: now,
    });
    await audit(trx, actor, now, {
      action: 'homeVisit.plan',
      entityType: 'home_visit',
      entityId: id,
      pupilId: pupil.id,
      schoolId: school.id,
      details: { plannedFor: input.plannedFor },
    });
  });
  return id;
}

export interface RecordHomeVisitInput {
  readonly pupilId: string;
  /** A planned visit this record completes; without it a new (unplanned) visit is recorded. */
  readonly visitId?: string | null | undefined;
  readonly visitDate: string;
  readonly visitTime: string;
  /** Who went (names). */
  readonly staff: string;
  readonly pair: boolean;
  /** 'yes' | 'no' as the form sends it, or a boolean. */
  readonly childSeen: boolean | null;
  /** Who was present; empty when nobody answered. */
  readonly present?: string | null | undefined;
  readonly discussed?: string | null | undefined;
  readonly callingCardLeft: boolean;
  readonly safeguardingConcern: boolean;
  readonly nextSteps?: string | null | undefined;
  /** Why the visit was made (for an unplanned visit). */
  readonly reason?: string | null | undefined;
}

const LONG = 2000;

/** Records a home visit (completing a planned one, or a new one). Audited. */
export async function recordHomeVisit(deps: Deps, actor: Actor, input: RecordHomeVisitInput): Promise<string> {
  const { pupil, school, resource } = await loadPupilScope(deps.db, input.pupilId);
  authorise(actor, 'mark.amend', resource);
  const errors: FieldError[] = [];
  const today = deps.clock.today(school.timeZone);
  if (!isPlainDate(input.visitDate))
    errors.push({ field: 'visitDate', message: 'Enter the date of the visit, for example 2025-09-10.' });
  else if (input.visitDate > today)
    errors.push({ field: 'visitDate', message: 'The visit date cannot be in the future.' });
  if (!isTimeOfDay(input.visitTime))
    errors.push({ field: 'visitTime', message: 'Enter the time of the visit as HH:MM, for example 10:30.' });
  const staff = input.staff.trim();
  if (!staff) errors.push({ field: 'staff', message: 'Enter who went on the visit.' });
  else if (staff.length > 200) errors.push({ field: 'staff', message: 'Who went must be 200 characters or fewer.' });
  if (input.childSeen === null) errors.push({ field: 'childSeen', message: 'Select whether the child was seen.' });
  const present = input.present?.trim() || null;
  const discussed = input.discussed?.trim() || null;
  const nextSteps = input.nextSteps?.trim() || null;
  for (const [field, value] of [
    ['present', present],
    ['discussed', discussed],
    ['nextSteps', nextSteps],
  ] as const) {
    if (value && value.length > LONG) errors.push({ field, message: `This must be ${LONG} characters or fewer.` });
  }
  if (input.childSeen === true && !present)
    errors.push({ field: 'present', message: 'Say who was present when the child was seen.' });
  if (input.safeguardingConcern && !nextSteps)
    errors.push({
      field: 'nextSteps',
      message: 'Say what was done about the safeguarding concern (for example, reported to the DSL at 11:05).',
    });
  let planned: { id: string; reason: string } | undefined;
  if (input.visitId) {
    planned = await plannedHomeVisit(deps.db, input.visitId, pupil.id);
    if (!planned) errors.push({ field: 'visitId', message: 'That planned visit is not open for this pupil.' });
  }
  const reason = planned?.reason ?? (input.reason?.trim() || 'Unexplained absence');
  if (errors.length > 0) throw new AppError('VALIDATION', 'The home visit could not be recorded.', { fields: errors });
  const now = deps.clock.now();
  const visitedAt = localToInstant(input.visitDate as PlainDate, input.visitTime, school.timeZone);
  const values = {
    status: 'done',
    visited_at: visitedAt,
    staff,
    pair: input.pair ? 1 : 0,
    child_seen: input.childSeen ? 1 : 0,
    present,
    discussed,
    calling_card_left: input.callingCardLeft ? 1 : 0,
    safeguarding_concern: input.safeguardingConcern ? 1 : 0,
    next_steps: nextSteps,
    updated_at: now,
  };
  const id = planned?.id ?? newId();
  await deps.db.transaction().execute(async (trx) => {
    if (planned) {
      await updateHomeVisit(trx, planned.id, values);
    } else {
      await insertHomeVisit(trx, {
        id,
        pupil_id: pupil.id,
        planned_for: input.visitDate,
        reason,
        created_by: actor.userId,
        created_at: now,
        ...values,
      });
    }
    await audit(trx, actor, now, {
      action: 'homeVisit.record',
      entityType: 'home_visit',
      entityId: id,
      pupilId: pupil.id,
      schoolId: school.id,
      details: {
        visitDate: input.visitDate,
        childSeen: input.childSeen,
        pair: input.pair,
        callingCardLeft: input.callingCardLeft,
        safeguardingConcern: input.safeguardingConcern,
      },
    });
    if (input.safeguardingConcern) {
      await raiseDslAlert(trx, {
        schoolId: school.id,
        schoolName: school.name,
        pupilId: pupil.id,
        kind: 'home_visit_concern',
        sourceId: id,
        summary: `Home visit on ${input.visitDate} by ${input.staff.trim() || actor.name}: safeguarding concern recorded.${nextSteps ? ` Next steps: ${nextSteps}` : ''}`,
        raisedBy: actor,
        now,
      });
    }
  });
  return id;
}
