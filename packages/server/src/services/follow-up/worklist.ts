/**
 * Long on purpose: the first-day worklist, contact attempts, resolving an absence and
 * the list of ageing `N` marks share the pupil scope, the contacts and the escalation ladder.
 *
 * First-day response: the morning worklist of pupils with an unexplained absence (`N`), vulnerable
 * pupils first, with their contacts, today's contact attempts, home visits, and the escalation
 * step the default ladder says is due; recording contact attempts; resolving the absence (the `N`
 * re-coded with history); and the list of `N` marks left unresolved too long.
 *
 * @see ../../../../shared/seeds/000_fc0f941c00c384e8.txt (first-day calls by 9:00, door-knock, "urgent attendance follow-up" letter)
 * @see ../../../../shared/seeds/002_aba111d41983db42.txt §5.4 home visits, §5.7 children missing education
 * @see ../../../../docs/first-day-response.md
 */
import { raiseDslAlert } from '../safeguarding/safeguarding.js';
import { DEFAULT_FOLLOW_UP_LADDER, type FollowUpLadder } from '../policy/school-policy.js';
import {
  lastDayOnOrBefore,
  lookupCode,
  N_RESOLUTION_SCHOOL_DAYS,
  sessionIndex,
  sessionLabel,
  type PlainDate,
  type SchoolCalendar,
  type Session,
} from '@rollcall/domain';
import type { DbOrTrx } from '../../db/connect.js';
import {
  codesOfPupilsBetween,
  contactAttemptRows,
  contactOfPupil,
  groupMembershipsOf,
  insertContactAttempt,
  nMarksOn,
  nMarksUpTo,
  phoneContactsOf,
  worklistPupils,
} from '../../db/follow-up/worklist.js';
import { sessionMarksFor } from '../../db/pupils/pupils.js';
import { writeSessionMarks } from '../../db/registers/registers.js';
import { getSchool, type School } from '../school/schools.js';
import { newId } from '../../platform/ids.js';
import { audit } from '../audit.js';
import { authorise, can, type Actor, type Resource } from '../authz.js';
import type { Deps } from '../deps.js';
import { AppError, type FieldError } from '../errors.js';
import { listHomeVisits, type HomeVisit } from './home-visits.js';
import { loadPupilScope } from '../pupil-scope.js';
import { schoolCalendar } from '../registers/registers.js';

// ---------------------------------------------------------------------------------------------
// The default escalation ladder
// ---------------------------------------------------------------------------------------------

/**
 * The default first-day response ladder, counted in consecutive school days of unexplained
 * absence (day 1 is the first day).
 *
 * - Every day: call every contact in priority order (seed 000: first-day calls by 9:00, and
 *   on each day the absence continues).
 * - Home visit on day 3 and every 3 days after; at once (day 1) when the pupil is vulnerable
 *   (seed 002 §5.4).
 * - A social worker is recorded: tell them of every day of unexplained absence.
 * - A home visit found nobody: send the "urgent attendance follow-up" letter (seed 000 appendix 1).
 * - School day 10: children-missing-education enquiries; school day 20: CME referral to the
 *   local authority (seed 002 §5.7).
 *
 * @see ../../../../shared/seeds/000_fc0f941c00c384e8.txt
 * @see ../../../../shared/seeds/002_aba111d41983db42.txt
 */
export const DEFAULT_LADDER: FollowUpLadder = DEFAULT_FOLLOW_UP_LADDER;

export type StepKind = 'call' | 'homeVisit' | 'socialWorker' | 'letter' | 'cmeEnquiries' | 'cmeReferral';

export interface DueStep {
  readonly kind: StepKind;
  readonly explanation: string;
  /** Whether today's record shows it done (calls made, visit done). */
  readonly done: boolean;
}

/** Facts the ladder reads. */
export interface LadderFacts {
  readonly day: number;
  readonly vulnerable: boolean;
  readonly socialWorker: boolean;
  readonly contactCount: number;
  readonly contactsTriedToday: number;
  readonly reasonGivenToday: boolean;
  readonly visitDoneToday: boolean;
  readonly visitPlannedToday: boolean;
  readonly nobodyFoundOnVisit: boolean;
}

/** The steps due on a day of unexplained absence, most pressing first. Pure. */
export function dueSteps(f: LadderFacts, ladder: FollowUpLadder = DEFAULT_LADDER): DueStep[] {
  const steps: DueStep[] = [];
  const n = f.day;
  if (n >= ladder.cmeReferralDay) {
    steps.push({
      kind: 'cmeReferral',
      explanation: `Day ${n} of unexplained absence: children missing education referral to the local authority due (policy: after ${ladder.cmeReferralDay} school days with no contact)`,
      done: false,
    });
  } else if (n >= ladder.cmeEnquiriesDay) {
    steps.push({
      kind: 'cmeEnquiries',
      explanation: `Day ${n} of unexplained absence: children missing education enquiries due (policy: from school day ${ladder.cmeEnquiriesDay}; referral at day ${ladder.cmeReferralDay})`,
      done: false,
    });
  }
  const regular = n >= ladder.homeVisitFirstDay && (n - ladder.homeVisitFirstDay) % ladder.homeVisitEveryDays === 0;
  const atOnce = f.vulnerable && n === ladder.vulnerableHomeVisitDay;
  if (regular || atOnce) {
    steps.push({
      kind: 'homeVisit',
      explanation: atOnce
        ? `Day ${n} of unexplained absence of a vulnerable pupil: home visit due at once (policy: at once if vulnerable; otherwise day ${ladder.homeVisitFirstDay}, then every ${ladder.homeVisitEveryDays} days)`
        : `Day ${n} of unexplained absence: home visit due (policy: day ${ladder.homeVisitFirstDay}, then every ${ladder.homeVisitEveryDays} days)`,
      done: f.visitDoneToday,
    });
  }
  if (f.nobodyFoundOnVisit) {
    steps.push({
      kind: 'letter',
      explanation: 'A home visit found nobody at home: send the “urgent attendance follow-up” letter',
      done: false,
    });
  }
  if (f.socialWorker) {
    steps.push({
      kind: 'socialWorker',
      explanation: `Day ${n} of unexplained absence: inform the pupil’s social worker (policy: of any unexplained absence)`,
      done: false,
    });
  }
  steps.push({
    kind: 'call',
    explanation:
      f.contactCount === 0
        ? `Day ${n} of unexplained absence: no contacts recorded; ask the office to find a number (policy: call every contact in priority order)`
        : `Day ${n} of unexplained absence: call every contact in priority order (policy: first-day calls by ${ladder.firstCallBy ?? '9:00'}, and each day the absence continues)`,
    done: f.reasonGivenToday || (f.contactCount > 0 && f.contactsTriedToday >= f.contactCount),
  });
  return steps;
}

// ---------------------------------------------------------------------------------------------
// Contact attempts
// ---------------------------------------------------------------------------------------------

export const ATTEMPT_METHODS = ['call', 'text', 'email', 'in_person'] as const;
export type AttemptMethod = (typeof ATTEMPT_METHODS)[number];
export const ATTEMPT_OUTCOMES = ['no_answer', 'left_message', 'reason_given', 'unobtainable', 'other'] as const;
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];
export const ABSENCE_REASONS = ['illness', 'medical', 'other'] as const;
export type AbsenceReason = (typeof ABSENCE_REASONS)[number];

/** The code the worklist suggests for a reason given (the user may choose another). */
export const SUGGESTED_CODE: Readonly<Record<AbsenceReason, string | null>> = {
  illness: 'I',
  medical: 'M',
  other: null,
};

/** Codes offered when resolving an `N` from the worklist. */
export const RESOLVE_CODES = ['I', 'M', 'C', 'O', 'U', 'G'] as const;

const REASON_PREFIX = /^Reason given: (illness|medical|other)\.\s*/;

/** The reason is kept at the start of the notes (the table has no column for it). */
function notesWithReason(reason: AbsenceReason | null, notes: string | null): string | null {
  if (!reason) return notes;
  return `Reason given: ${reason}.${notes ? ` ${notes}` : ''}`;
}

function splitNotes(stored: string | null): { reason: AbsenceReason | null; notes: string | null } {
  if (!stored) return { reason: null, notes: null };
  const m = REASON_PREFIX.exec(stored);
  if (!m) return { reason: null, notes: stored };
  const rest = stored.slice(m[0].length).trim();
  return { reason: m[1] as AbsenceReason, notes: rest || null };
}

export interface ContactAttempt {
  readonly id: string;
  readonly pupilId: string;
  readonly absenceDate: PlainDate;
  readonly method: string;
  readonly contactId: string | null;
  readonly contactName: string | null;
  readonly outcome: string;
  readonly reason: AbsenceReason | null;
  readonly notes: string | null;
  readonly madeByName: string;
  readonly madeAt: string;
}

export interface ContactAttemptInput {
  readonly pupilId: string;
  readonly absenceDate: PlainDate;
  readonly method: string;
  readonly contactId?: string | null | undefined;
  readonly outcome: string;
  readonly notes?: string | null | undefined;
  readonly reason?: string | null | undefined;
  /** The call raised a safeguarding concern: the DSL is told at once (services/safeguarding/safeguarding.ts). */
  readonly safeguardingConcern?: boolean | undefined;
}

function isOneOf<T extends string>(list: readonly T[], value: string | null | undefined): value is T {
  return value !== null && value !== undefined && (list as readonly string[]).includes(value);
}

/**
 * Records a call, text, email or door-knock about a day's unexplained absence. Recorded by the
 * staff who may amend marks (office, attendance officer, senior leaders): the people who run
 * the first-day response. Audited.
 */
const METHOD_LABEL: Readonly<Record<string, string>> = {
  call: 'Call',
  text: 'Text',
  email: 'Email',
  in_person: 'Conversation in person',
};

export async function recordContactAttempt(deps: Deps, actor: Actor, input: ContactAttemptInput): Promise<string> {
  const { pupil, school, resource } = await loadPupilScope(deps.db, input.pupilId);
  authorise(actor, 'mark.amend', resource);
  const errors: FieldError[] = [];
  const cal = await schoolCalendar(deps, school.id);
  if (!cal.dayByDate.has(input.absenceDate))
    errors.push({ field: 'absenceDate', message: `${input.absenceDate} is not a school day.` });
  else if (input.absenceDate > deps.clock.today(school.timeZone))
    errors.push({ field: 'absenceDate', message: 'The absence date cannot be in the future.' });
  if (!isOneOf(ATTEMPT_METHODS, input.method))
    errors.push({ field: 'method', message: 'Select how you tried to reach the family.' });
  if (!isOneOf(ATTEMPT_OUTCOMES, input.outcome)) errors.push({ field: 'outcome', message: 'Select the outcome.' });
  const reasonRaw = input.reason?.trim() || null;
  let reason: AbsenceReason | null = null;
  if (input.outcome === 'reason_given') {
    if (!isOneOf(ABSENCE_REASONS, reasonRaw))
      errors.push({ field: 'reason', message: 'Select the reason given: illness, medical or other.' });
    else reason = reasonRaw;
  } else if (reasonRaw) {
    errors.push({ field: 'reason', message: 'A reason goes with the outcome “reason given” only.' });
  }
  const notes = input.notes?.trim() || null;
  if (notes && notes.length > 1000) errors.push({ field: 'notes', message: 'Notes must be 1000 characters or fewer.' });
  if (input.outcome === 'reason_given' && reason === 'other' && !notes)
    errors.push({ field: 'notes', message: 'Say what reason was given.' });
  let contactName: string | null = null;
  if (input.contactId) {
    const c = await contactOfPupil(deps.db, input.contactId, pupil.id);
    if (!c) errors.push({ field: 'contactId', message: 'That contact is not one of this pupil’s contacts.' });
    else contactName = `${c.name} (${c.relationship})`;
  }
  if (errors.length > 0)
    throw new AppError('VALIDATION', 'The contact attempt could not be recorded.', { fields: errors });
  const id = newId();
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    await insertContactAttempt(trx, {
      id,
      pupil_id: pupil.id,
      absence_date: input.absenceDate,
      method: input.method,
      contact_id: input.contactId || null,
      contact_name: contactName,
      outcome: input.outcome,
      notes: notesWithReason(reason, notes),
      made_by: actor.userId,
      made_by_name: actor.name,
      made_at: now,
      safeguarding_concern: input.safeguardingConcern ? 1 : 0,
    });
    if (input.safeguardingConcern) {
      await raiseDslAlert(trx, {
        schoolId: school.id,
        schoolName: school.name,
        pupilId: pupil.id,
        kind: 'call_concern',
        sourceId: id,
        summary: `${METHOD_LABEL[input.method] ?? 'Contact'} about the absence on ${input.absenceDate}${contactName ? ` with ${contactName}` : ''}: safeguarding concern recorded.${notes ? ` Notes: ${notes}` : ''}`,
        raisedBy: actor,
        now,
      });
    }
    await audit(trx, actor, now, {
      action: 'absence.contactAttempt',
      entityType: 'contact_attempt',
      entityId: id,
      pupilId: pupil.id,
      schoolId: school.id,
      details: { date: input.absenceDate, method: input.method, outcome: input.outcome, reason },
    });
  });
  return id;
}

export async function contactAttemptsFor(
  db: DbOrTrx,
  pupilIds: readonly string[],
  date: PlainDate,
): Promise<ContactAttempt[]> {
  const rows = await contactAttemptRows(db, pupilIds, date);
  return rows.map((r) => {
    const split = splitNotes(r.notes);
    return {
      id: r.id,
      pupilId: r.pupil_id,
      absenceDate: r.absence_date as PlainDate,
      method: r.method,
      contactId: r.contact_id,
      contactName: r.contact_name,
      outcome: r.outcome,
      reason: split.reason,
      notes: split.notes,
      madeByName: r.made_by_name,
      madeAt: r.made_at,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Resolving the absence
// ---------------------------------------------------------------------------------------------

export interface ResolveInput {
  readonly pupilId: string;
  readonly date: PlainDate;
  readonly sessions: readonly string[];
  readonly code: string;
  readonly reason: string;
}

/**
 * Re-codes a day's `N` marks once the reason is known, through the mark history (source
 * `office`, with the reason). Only sessions still coded `N` are changed. Audited.
 */
export async function resolveAbsence(deps: Deps, actor: Actor, input: ResolveInput): Promise<number> {
  const { pupil, school, resource } = await loadPupilScope(deps.db, input.pupilId);
  authorise(actor, 'mark.amend', resource);
  const errors: FieldError[] = [];
  const cal = await schoolCalendar(deps, school.id);
  const sessions = [...new Set(input.sessions)];
  if (sessions.length === 0) errors.push({ field: 'sessions', message: 'Select the sessions to re-code.' });
  for (const s of sessions) {
    if ((s !== 'AM' && s !== 'PM') || sessionIndex(cal, input.date, s) < 0)
      errors.push({ field: 'sessions', message: `${input.date} ${s} is not a school session.` });
  }
  const found = lookupCode(input.code, input.date);
  if (!input.code) errors.push({ field: 'code', message: 'Select the code for the absence.' });
  else if (!found.ok) errors.push({ field: 'code', message: found.message });
  else if (input.code === 'N') errors.push({ field: 'code', message: 'Choose a code other than N.' });
  const reason = input.reason.trim();
  if (!reason) errors.push({ field: 'reason', message: 'Give the reason, for example “mother called: sickness”.' });
  else if (reason.length > 500)
    errors.push({ field: 'reason', message: 'The reason must be 500 characters or fewer.' });
  if (errors.length > 0) throw new AppError('VALIDATION', 'The absence could not be resolved.', { fields: errors });
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (trx) => {
    const writes = [];
    for (const s of sessions as Session[]) {
      const before = (await sessionMarksFor(trx, [pupil.id], input.date, s)).get(pupil.id);
      if (before?.code !== 'N') continue;
      writes.push({
        pupilId: pupil.id,
        date: input.date,
        session: s,
        code: input.code,
        minutesLate: null,
        previousCode: before.code,
        previousMinutesLate: before.minutesLate,
        reason,
      });
    }
    if (writes.length === 0) {
      throw new AppError('VALIDATION', 'The absence could not be resolved.', {
        fields: [{ field: 'sessions', message: 'None of those sessions is coded N any more.' }],
      });
    }
    const changed = await writeSessionMarks(trx, writes, {
      userId: actor.userId,
      userName: actor.name,
      userRole: actor.role,
      at: now,
      source: 'office',
    });
    await audit(trx, actor, now, {
      action: 'absence.resolve',
      entityType: 'pupil',
      entityId: pupil.id,
      pupilId: pupil.id,
      schoolId: school.id,
      details: { date: input.date, sessions: writes.map((w) => w.session), from: 'N', to: input.code },
    });
    return changed;
  });
}

// ---------------------------------------------------------------------------------------------
// The worklist
// ---------------------------------------------------------------------------------------------

export interface WorklistContact {
  readonly id: string;
  readonly name: string;
  readonly relationship: string;
  readonly priority: number;
  readonly phones: readonly { readonly label: string; readonly number: string }[];
}

export interface WorklistEntry {
  readonly pupilId: string;
  readonly name: string;
  readonly upn: string;
  readonly yearGroup: string | null;
  readonly groupName: string | null;
  /** 0 = child protection … 6 = previous unexplained absence, 7 = none. */
  readonly vulnerabilityRank: number;
  readonly vulnerable: boolean;
  /** Why the pupil is ranked so; named safeguarding facts only for roles allowed to see them. */
  readonly vulnerabilityLabels: readonly string[];
  readonly previousUnexplained: number;
  readonly nSessions: readonly Session[];
  readonly consecutiveDays: number;
  /** Null when the actor may not see contacts. */
  readonly contacts: readonly WorklistContact[] | null;
  readonly attempts: readonly ContactAttempt[];
  readonly homeVisits: readonly HomeVisit[];
  readonly due: readonly DueStep[];
  /** The first reason given today, offered for resolving, with its suggested code. */
  readonly offerResolve: { readonly reason: AbsenceReason; readonly code: string | null } | null;
  readonly canRecord: boolean;
}

export interface Worklist {
  readonly school: School;
  readonly date: PlainDate;
  readonly entries: readonly WorklistEntry[];
}

function schoolResource(school: School): Resource {
  return { kind: 'school', schoolId: school.id, trustId: school.trustId, laCode: school.laCode };
}

/** Codes that keep a run of unexplained absence going (the brief's reading: N and O). */
const RUN_CODES = new Set(['N', 'O']);
const UNEXPLAINED_CODES = new Set(['N', 'O', 'U', 'G']);

/**
 * Consecutive school days of unexplained absence up to and including `date`. A school day joins
 * the run when every marked possible session is N or O; a day whose sessions are all "not
 * possible" neither extends nor breaks it; any other mark, or no mark on an earlier day, breaks
 * it. On `date` itself a session not yet marked does not break the run (the PM register may be
 * still to come).
 */
export function consecutiveUnexplainedDays(
  cal: SchoolCalendar,
  marks: ReadonlyMap<string, string>,
  date: PlainDate,
): number {
  const last = cal.dayByDate.get(date) ?? lastDayOnOrBefore(cal, date);
  let count = 0;
  for (let day = last; day >= 0; day--) {
    const dayDate = cal.dayDate[day]!;
    let qualifying = 0;
    let broken = false;
    for (let s = cal.dayFirstSession[day]!; s < cal.dayFirstSession[day + 1]!; s++) {
      const code = marks.get(`${dayDate}/${sessionLabel(cal, s)}`);
      if (code === undefined) {
        if (dayDate === date) continue;
        broken = true;
        break;
      }
      if (RUN_CODES.has(code)) qualifying++;
      else {
        const found = lookupCode(code, dayDate);
        if (found.ok && found.definition.category === 'notPossible') continue;
        broken = true;
        break;
      }
    }
    if (broken) break;
    if (qualifying > 0) count++;
    else if (dayDate === date) break;
  }
  return count;
}

function academicYearStart(date: PlainDate): string {
  const y = Number(date.slice(0, 4));
  return Number(date.slice(5, 7)) >= 9 ? `${y}-09-01` : `${y - 1}-09-01`;
}

/**
 * Every pupil with an `N` session mark on the date, vulnerable pupils first. Live as soon as the
 * registers have N marks in them.
 */
export async function worklist(deps: Deps, actor: Actor, q: { schoolId: string; date: PlainDate }): Promise<Worklist> {
  const school = await getSchool(deps.db, q.schoolId);
  authorise(actor, 'school.viewPupilLists', schoolResource(school));
  const cal = await schoolCalendar(deps, school.id);
  const nRows = await nMarksOn(deps.db, school.id, q.date);
  const nByPupil = new Map<string, Session[]>();
  for (const r of nRows) {
    const list = nByPupil.get(r.pupil_id) ?? [];
    list.push(r.session as Session);
    nByPupil.set(r.pupil_id, list);
  }
  const ids = [...nByPupil.keys()];
  if (ids.length === 0) return { school, date: q.date, entries: [] };

  const [pupils, marks, memberships, contacts, attempts, visits] = await Promise.all([
    worklistPupils(deps.db, ids),
    codesOfPupilsBetween(deps.db, ids, academicYearStart(q.date), q.date),
    groupMembershipsOf(deps.db, ids),
    phoneContactsOf(deps.db, ids),
    contactAttemptsFor(deps.db, ids, q.date),
    listHomeVisits(deps.db, ids),
  ]);

  const entries: WorklistEntry[] = [];
  for (const p of pupils) {
    const groupIds = memberships.filter((m) => m.pupil_id === p.id).map((m) => m.group_id);
    const resource: Resource = { ...schoolResource(school), kind: 'pupil', pupilId: p.id, groupIds };
    const seeSafeguarding = can(actor, 'pupil.viewSafeguarding', resource);
    const seeContacts = can(actor, 'pupil.viewContacts', resource);
    const markMap = new Map<string, string>();
    let previousUnexplained = 0;
    for (const m of marks) {
      if (m.pupil_id !== p.id) continue;
      markMap.set(`${m.date}/${m.session}`, m.code);
      if (m.date < q.date && UNEXPLAINED_CODES.has(m.code)) previousUnexplained++;
    }
    const ranks: { rank: number; label: string; safeguarding: boolean }[] = [];
    if (p.cp === 1) ranks.push({ rank: 0, label: 'Child protection plan', safeguarding: true });
    if (p.cin === 1) ranks.push({ rank: 1, label: 'Child in need', safeguarding: true });
    if (p.lac === 1) ranks.push({ rank: 2, label: 'Looked after', safeguarding: true });
    if (p.social_worker) ranks.push({ rank: 3, label: 'Social worker', safeguarding: true });
    if (p.ehcp === 1 || p.sen_status === 'E') ranks.push({ rank: 4, label: 'EHCP', safeguarding: false });
    else if (p.sen_status === 'K') ranks.push({ rank: 5, label: 'SEN support', safeguarding: false });
    if (previousUnexplained > 0)
      ranks.push({
        rank: 6,
        label: `${previousUnexplained} earlier unexplained session${previousUnexplained === 1 ? '' : 's'} this year`,
        safeguarding: false,
      });
    const rank = ranks.length > 0 ? Math.min(...ranks.map((r) => r.rank)) : 7;
    const vulnerable = rank <= 3;
    const labels = ranks.filter((r) => seeSafeguarding || !r.safeguarding).map((r) => r.label);
    if (vulnerable && !seeSafeguarding) labels.unshift('Vulnerable (ask the DSL)');
    const day = consecutiveUnexplainedDays(cal, markMap, q.date);
    const pupilContacts = contacts.filter((c) => c.pupil_id === p.id);
    const pupilAttempts = attempts.filter((a) => a.pupilId === p.id);
    const pupilVisits = visits.filter((v) => v.pupilId === p.id);
    const runStart = day > 0 ? (cal.dayDate[(cal.dayByDate.get(q.date) ?? 0) - day + 1] ?? q.date) : q.date;
    const visitsThisRun = pupilVisits.filter(
      (v) => v.status === 'planned' || (v.status === 'done' && (v.visitedOn ?? v.plannedFor) >= runStart),
    );
    const reasonAttempt = pupilAttempts.find((a) => a.outcome === 'reason_given' && a.reason);
    const tried = new Set(pupilAttempts.filter((a) => a.contactId).map((a) => a.contactId));
    const due = dueSteps(
      {
        day,
        vulnerable,
        socialWorker: p.social_worker !== null && p.social_worker !== '',
        contactCount: pupilContacts.length,
        contactsTriedToday: pupilContacts.filter((c) => tried.has(c.id)).length,
        reasonGivenToday: reasonAttempt !== undefined,
        visitDoneToday: pupilVisits.some((v) => v.status === 'done' && v.visitedOn === q.date),
        visitPlannedToday: pupilVisits.some((v) => v.status === 'planned' && v.plannedFor === q.date),
        nobodyFoundOnVisit: visitsThisRun.some((v) => v.status === 'done' && v.nobodyHome),
      },
      school.policy.followUp,
    );
    entries.push({
      pupilId: p.id,
      name: `${p.preferred_forename ?? p.legal_forename} ${p.preferred_surname ?? p.legal_surname}`,
      upn: p.upn,
      yearGroup: p.year_group,
      groupName: p.group_name,
      vulnerabilityRank: rank,
      vulnerable,
      vulnerabilityLabels: labels,
      previousUnexplained,
      nSessions: (nByPupil.get(p.id) ?? []).sort(),
      consecutiveDays: day,
      contacts: seeContacts
        ? pupilContacts.map((c) => ({
            id: c.id,
            name: c.name,
            relationship: c.relationship,
            priority: Number(c.priority),
            phones: [
              ...(c.mobile_phone ? [{ label: 'Mobile', number: c.mobile_phone }] : []),
              ...(c.home_phone ? [{ label: 'Home', number: c.home_phone }] : []),
              ...(c.work_phone ? [{ label: 'Work', number: c.work_phone }] : []),
            ],
          }))
        : null,
      attempts: pupilAttempts,
      homeVisits: visitsThisRun,
      due,
      offerResolve: reasonAttempt?.reason
        ? { reason: reasonAttempt.reason, code: SUGGESTED_CODE[reasonAttempt.reason] }
        : null,
      canRecord: can(actor, 'mark.amend', resource),
    });
  }
  entries.sort(
    (a, b) =>
      a.vulnerabilityRank - b.vulnerabilityRank ||
      b.consecutiveDays - a.consecutiveDays ||
      a.name.localeCompare(b.name),
  );
  return { school, date: q.date, entries };
}

// ---------------------------------------------------------------------------------------------
// N never lingers
// ---------------------------------------------------------------------------------------------

export interface StaleN {
  readonly pupilId: string;
  readonly name: string;
  readonly date: PlainDate;
  readonly session: Session;
  /** School days from the mark's day to "as of" (more than N_RESOLUTION_SCHOOL_DAYS). */
  readonly schoolDaysOld: number;
}

/**
 * `N` marks older than 5 school days as of a date: the domain's `unresolvedN` reading (a mark on
 * school day d is stale when asOfDay − d > 5).
 *
 * @see ../../../domain/src/measures.ts N_RESOLUTION_SCHOOL_DAYS
 */
export async function staleN(deps: Deps, actor: Actor, q: { schoolId: string; asOf: PlainDate }): Promise<StaleN[]> {
  const school = await getSchool(deps.db, q.schoolId);
  authorise(actor, 'school.viewPupilLists', schoolResource(school));
  const cal = await schoolCalendar(deps, school.id);
  const asOfDay = lastDayOnOrBefore(cal, q.asOf);
  const rows = await nMarksUpTo(deps.db, school.id, q.asOf);
  const out: StaleN[] = [];
  for (const r of rows) {
    const day = cal.dayByDate.get(r.date as PlainDate);
    if (day === undefined || asOfDay - day <= N_RESOLUTION_SCHOOL_DAYS) continue;
    out.push({
      pupilId: r.pupil_id,
      name: `${r.preferred_forename ?? r.legal_forename} ${r.preferred_surname ?? r.legal_surname}`,
      date: r.date as PlainDate,
      session: r.session as Session,
      schoolDaysOld: asOfDay - day,
    });
  }
  return out;
}
