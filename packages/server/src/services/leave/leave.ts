/**
 * Long on purpose: one lifecycle: request, the policy's checks (each stored with its
 * explanation), decision, letter and the register pre-fill share the leave row and the rules; the
 * checks with their wording are about a third of it.
 *
 * Leave of absence: a parent asks in advance (on a form that shows the school's rules first),
 * Rollcall checks the request against the policy and stores each check with its explanation,
 * and the headteacher or their delegate grants or refuses it with a reason. The parent gets a
 * letter; granted leave pre-fills the register with the kind's code; refused leave leaves advice
 * for the register and the worklist (`G` if the child is taken out anyway).
 *
 * Who may do what: a parent requests for their own child (role `parent` and `pupil.view`);
 * deciding needs `mark.amend` AND the role `senior_leader` or `admin` ("the headteacher or
 * their delegate"). The role check lives here, not in authz.ts, until the policy grows a
 * `leave.decide` action.
 *
 * @see ../../../../shared/seeds/001_43e87305f1d06844.txt "Leave of absence" (section 8)
 * @see ../../../../shared/seeds/004_4e3aa116c3efb606.txt (leave only in exceptional circumstances)
 */
import {
  addDays,
  analysisContext,
  countSchoolDays,
  dateInWords,
  firstSessionOnOrAfter,
  isPlainDate,
  lastSessionOnOrBefore,
  measurePupil,
  toDayNumber,
  DEFAULT_LEAVE_RULES,
  type AssessmentPeriod,
  type LeaveRules,
  type PlainDate,
  type SchoolCalendar,
  type Session,
} from '@rollcall/domain';
import type { DbOrTrx } from '../../db/connect.js';
import {
  insertLeaveRequest,
  leaveRequestRows,
  parentContactEmail,
  recordLeaveDecision,
  refusedLeaveCovering,
} from '../../db/leave/leave-requests.js';
import { pupilMarksBetween, pupilMarks } from '../../db/pupils/pupils.js';
import { writeSessionMarks, type MarkWrite } from '../../db/registers/registers.js';
import { getSchool } from '../school/schools.js';
import { newId } from '../../platform/ids.js';
import { audit } from '../audit.js';
import { authorise, type Actor, type Resource } from '../authz.js';
import type { Deps } from '../deps.js';
import { AppError, type FieldError } from '../errors.js';
import { loadPupilScope } from '../pupil-scope.js';
import { queueMessage } from '../messages.js';
import { layMarks } from '../pupils/pupils.js';
import { schoolCalendar } from '../registers/registers.js';
import type { SchoolPolicy } from '../policy/school-policy.js';
import { emitWebhookEvents, markChanged } from '../exchange/webhooks.js';

// ---------------------------------------------------------------------------------------------
// Policy: the school's leave rules (the `leave` section of its policy document)
// ---------------------------------------------------------------------------------------------

/**
 * Notice for a leave request when the policy says nothing: 28 calendar days ("at least four
 * weeks prior to the proposed start date"). Four weeks is a span of the calendar, not 20 school
 * days: a holiday in between does not lengthen it. A school sets its own per kind
 * (`leave.noticeDays`).
 *
 * @see ../../../../shared/seeds/001_43e87305f1d06844.txt "Leave of absence"
 */
export const LEAVE_NOTICE_DAYS = DEFAULT_LEAVE_RULES.noticeDays.exceptional;

/**
 * Notice for religious observance when the policy says nothing: 7 calendar days. Absence on a
 * day exclusively set apart for religious observance by the religious body is a legal
 * entitlement, so Rollcall's default asks for a week's notice only (seed 001 asks for four
 * weeks, which its preset sets).
 *
 * @see ../../../../shared/seeds/001_43e87305f1d06844.txt "Religious observance"
 */
export const RELIGIOUS_NOTICE_DAYS = DEFAULT_LEAVE_RULES.noticeDays.religious;

/**
 * Leave is refused when the pupil's authorised absence this academic year is already above this
 * share of possible sessions ("already above 10 percent for any reason"), unless the school's
 * policy says otherwise (`leave.authorisedAbsenceLimit`, null: not a ground).
 *
 * @see ../../../../shared/seeds/001_43e87305f1d06844.txt "Leave of absence"
 */
export const AUTHORISED_ABSENCE_LIMIT = 0.1;

/**
 * A licensed performance is not authorised when the pupil's attendance, counting the requested
 * sessions as absent and the sessions before the leave as attended, would fall below this.
 * Rollcall's default reading is 90% (below it a pupil is persistently absent); seed 001 sets
 * 96%, which its preset carries (`leave.performanceAttendanceLimit`).
 *
 * @see ../../../../shared/seeds/001_43e87305f1d06844.txt "Performances and activities"
 */
export const PERFORMANCE_ATTENDANCE_LIMIT = DEFAULT_LEAVE_RULES.performanceAttendanceLimit;

/**
 * Requests of this many school days or more need a forwarding address (where the family can be
 * reached while away, for the school's enquiries if the child does not return), unless the
 * school's policy sets another number (`leave.forwardingAddressSchoolDays`).
 *
 * @see ../../../../shared/reference/attendance-rules.md (deletion after an agreed leave of absence)
 */
export const FORWARDING_ADDRESS_SCHOOL_DAYS = DEFAULT_LEAVE_RULES.forwardingAddressSchoolDays;

export type { AssessmentPeriod };

/** The leave rules a request is checked against: the school's `leave` section. */
export type LeavePolicy = LeaveRules;

/** Rollcall's leave rules for a document that has no `leave` section. */
export const DEFAULT_LEAVE_POLICY: LeavePolicy = DEFAULT_LEAVE_RULES;

/** The school's leave rules, from its policy document (defaults for an old document without them). */
export function leavePolicyOf(policy: SchoolPolicy): LeavePolicy {
  return policy.leave;
}

export const LEAVE_KINDS = ['exceptional', 'religious', 'traveller', 'performance', 'lunchtime'] as const;
export type LeaveKind = (typeof LEAVE_KINDS)[number];

export const LEAVE_KIND_LABELS: Record<LeaveKind, string> = {
  exceptional: 'Exceptional circumstances',
  religious: 'Religious observance',
  traveller: 'Travelling for work (Gypsy, Roma and Traveller families)',
  performance: 'Licensed performance or activity',
  lunchtime: 'Leaving the premises at lunchtime (a lunchtime pass)',
};

/** The register code granted leave is pre-filled with; lunchtime passes write no marks. */
export const LEAVE_CODES: Record<LeaveKind, string | null> = {
  exceptional: 'C',
  religious: 'R',
  traveller: 'T',
  performance: 'C1',
  lunchtime: null,
};

function isLeaveKind(value: string): value is LeaveKind {
  return (LEAVE_KINDS as readonly string[]).includes(value);
}

// ---------------------------------------------------------------------------------------------
// The checks (pure)
// ---------------------------------------------------------------------------------------------

export type CheckId =
  | 'retrospective'
  | 'notice'
  | 'assessmentPeriod'
  | 'unauthorisedAbsence'
  | 'authorisedAbsence'
  | 'performanceAttendance'
  | 'schoolDays'
  | 'forwardingAddressRequired'
  | 'lunchtimeTerms';

/** `refuse`: the policy says the request should be refused; `pass`: met; `info`: for the decision-maker. */
export type CheckResult = 'pass' | 'refuse' | 'info';

export interface LeaveCheck {
  readonly id: CheckId;
  readonly result: CheckResult;
  readonly explanation: string;
  /** The number the check used (days, sessions, a percentage), when there is one. */
  readonly value?: number;
}

export interface LeaveAssessment {
  readonly checks: readonly LeaveCheck[];
  /** `refuse` when any check says so. */
  readonly recommendation: 'grant' | 'refuse';
  readonly schoolDays: number;
  readonly forwardingAddressRequired: boolean;
}

/** The facts the checks need, gathered by the service. */
export interface LeaveFacts {
  readonly kind: LeaveKind;
  readonly today: PlainDate;
  readonly fromDate: PlainDate;
  readonly toDate: PlainDate;
  /** School days and sessions in the requested range. */
  readonly schoolDays: number;
  readonly sessionsRequested: number;
  /** School sessions after today and before the first day of leave. */
  readonly sessionsBefore: number;
  /** This academic year to today. */
  readonly possibleSessions: number;
  readonly attendedSessions: number;
  readonly authorisedAbsenceSessions: number;
  readonly unauthorisedAbsenceSessions: number;
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

const WEEKS = ['', 'a week', 'two weeks', 'three weeks', 'four weeks', 'five weeks', 'six weeks'];

/** A notice period in words: '28' → 'four weeks', '7' → 'a week', '10' → '10 days'. */
export function noticeInWords(days: number): string {
  return days % 7 === 0 && WEEKS[days / 7] ? WEEKS[days / 7]! : plural(days, 'day');
}

/**
 * Checks a request against the school's leave rules. Every check carries its explanation.
 * Religious observance, travelling for work and licensed performances are absences the law
 * provides for, so the absence record and assessment periods inform their decision but are not
 * grounds for refusal; a rule the school's policy does not have (e.g. no refusal for
 * unauthorised absence) is shown as information. A lunchtime pass writes no marks: its checks
 * are the dates and the school's terms for passes.
 *
 * @example evaluateLeave(DEFAULT_LEAVE_POLICY, facts).recommendation // 'refuse' with any unauthorised absence
 */
export function evaluateLeave(policy: LeavePolicy, f: LeaveFacts): LeaveAssessment {
  const checks: LeaveCheck[] = [];
  const binding = f.kind === 'exceptional';

  if (f.kind === 'lunchtime') {
    checks.push(
      f.fromDate < f.today
        ? { id: 'retrospective', result: 'info', explanation: 'The pass starts before today.' }
        : { id: 'retrospective', result: 'pass', explanation: 'Requested in advance.' },
    );
  } else {
    const kind = f.kind;
    if (f.fromDate < f.today) {
      checks.push({
        id: 'retrospective',
        result: 'refuse',
        explanation:
          'The first day has already passed: the school cannot grant leave retrospectively, and absence not approved in advance is unauthorised.',
      });
    } else {
      checks.push({ id: 'retrospective', result: 'pass', explanation: 'Requested in advance.' });
    }
    const notice = policy.noticeDays[kind];
    const given = toDayNumber(f.fromDate) - toDayNumber(f.today);
    const noticeText = noticeInWords(notice);
    checks.push(
      given >= notice
        ? {
            id: 'notice',
            result: 'pass',
            value: given,
            explanation: `${plural(given, 'day')}' notice; at least ${notice} (${noticeText}) are needed.`,
          }
        : {
            id: 'notice',
            result: 'refuse',
            value: Math.max(0, given),
            explanation: `Only ${plural(Math.max(0, given), 'day')}' notice: requests must reach the school at least ${notice} days (${noticeText}) before the first day.`,
          },
    );

    const period = policy.assessmentPeriods.find((p) => f.fromDate <= p.to && f.toDate >= p.from);
    checks.push(
      period
        ? {
            id: 'assessmentPeriod',
            result: binding ? 'refuse' : 'info',
            explanation: `The dates fall in ${period.name} (${period.from} to ${period.to}): leave is not granted immediately before or during statutory assessments.`,
          }
        : {
            id: 'assessmentPeriod',
            result: 'pass',
            explanation:
              policy.assessmentPeriods.length === 0
                ? 'No statutory assessment periods are set for the school.'
                : 'Not during a statutory assessment period.',
          },
    );

    const u = f.unauthorisedAbsenceSessions;
    const ground = policy.refuseWithAnyUnauthorisedAbsence;
    checks.push({
      id: 'unauthorisedAbsence',
      result: u > 0 ? (binding && ground ? 'refuse' : 'info') : 'pass',
      value: u,
      explanation:
        u === 0
          ? 'No unauthorised absence this school year.'
          : ground
            ? `${plural(u, 'session')} of unauthorised absence this school year: leave is not granted when the record shows any.`
            : `${plural(u, 'session')} of unauthorised absence this school year (not in itself a ground for refusal in the school’s policy).`,
    });

    if (kind !== 'religious') {
      const rate = f.possibleSessions > 0 ? f.authorisedAbsenceSessions / f.possibleSessions : 0;
      const limit = policy.authorisedAbsenceLimit;
      const over = limit !== null && rate > limit;
      checks.push({
        id: 'authorisedAbsence',
        result: over ? (binding ? 'refuse' : 'info') : limit === null ? 'info' : 'pass',
        value: Math.round(rate * 1000) / 10,
        explanation:
          `Authorised absence this school year is ${pct(rate)} (${f.authorisedAbsenceSessions} of ${plural(f.possibleSessions, 'possible session')}); ` +
          (limit === null
            ? 'the school’s policy sets no limit.'
            : `${over ? 'above' : 'within'} the ${pct(limit)} limit.`),
      });
    }

    if (kind === 'performance') {
      const attended = f.attendedSessions + f.sessionsBefore;
      const possible = f.possibleSessions + f.sessionsBefore + f.sessionsRequested;
      const projected = possible > 0 ? attended / possible : 1;
      const below = projected < policy.performanceAttendanceLimit;
      checks.push({
        id: 'performanceAttendance',
        result: below ? 'refuse' : 'pass',
        value: Math.round(projected * 1000) / 10,
        explanation: `With the requested sessions absent (and every session before them attended), attendance would be ${pct(projected)}; the school does not authorise performance absence below ${pct(policy.performanceAttendanceLimit)}.`,
      });
    }
  }

  checks.push({
    id: 'schoolDays',
    result: 'info',
    value: f.schoolDays,
    explanation: `${plural(f.schoolDays, 'school day')} (${plural(f.sessionsRequested, 'session')}) requested.`,
  });
  const forwardingAddressRequired = f.kind !== 'lunchtime' && f.schoolDays >= policy.forwardingAddressSchoolDays;
  if (forwardingAddressRequired) {
    checks.push({
      id: 'forwardingAddressRequired',
      result: 'info',
      value: f.schoolDays,
      explanation: `${policy.forwardingAddressSchoolDays} school days or more: the family must give a forwarding address.`,
    });
  }
  if (f.kind === 'lunchtime') {
    const terms = lunchtimeTerms(policy);
    if (terms.length > 0)
      checks.push({ id: 'lunchtimeTerms', result: 'info', explanation: `The school’s terms: ${terms.join('; ')}.` });
  }
  return {
    checks,
    recommendation: checks.some((c) => c.result === 'refuse') ? 'refuse' : 'grant',
    schoolDays: f.schoolDays,
    forwardingAddressRequired,
  };
}

const KIND_IN_A_SENTENCE = {
  religious: 'religious observance',
  traveller: 'travelling for work',
  performance: 'a licensed performance',
} as const;

function spanInWords(days: number): string {
  if (days === 1) return 'one day';
  const weeks = days / 7;
  return Number.isInteger(weeks) && weeks > 0
    ? `${weeks === 1 ? 'a week' : `${weeks} weeks`} (${days} days)`
    : `${days} days`;
}

/**
 * The school's leave rules in words, for the parent's form (shown before the questions): notice
 * by kind, the grounds for refusal the policy has, performances, forwarding addresses and
 * lunchtime passes.
 */
export function leaveRulesInWords(rules: LeavePolicy): string[] {
  const n = rules.noticeDays;
  const lines: string[] = [];
  const others = (['religious', 'traveller', 'performance'] as const).filter((k) => n[k] !== n.exceptional);
  lines.push(
    `Ask in advance, at least ${spanInWords(n.exceptional)} before the first day.` +
      others.map((k) => ` For ${KIND_IN_A_SENTENCE[k]}, at least ${spanInWords(n[k])}.`).join(''),
  );
  lines.push(
    'The headteacher grants leave in term time only in exceptional circumstances: events that are rare, significant, unavoidable and short. Family holidays are not exceptional circumstances.',
  );
  const grounds: string[] = [];
  if (rules.assessmentPeriods.length > 0)
    grounds.push(
      `immediately before or during statutory assessments (${rules.assessmentPeriods
        .map((p) => `${p.name}: ${longDate(p.from)} to ${longDate(p.to)}`)
        .join('; ')})`,
    );
  if (rules.refuseWithAnyUnauthorisedAbsence)
    grounds.push('when your child has any unauthorised absence this school year');
  if (rules.authorisedAbsenceLimit !== null)
    grounds.push(
      `when their authorised absence is already above ${pct(rules.authorisedAbsenceLimit).replace('.0%', '%')}`,
    );
  if (grounds.length > 0) lines.push(`Leave is not granted ${grounds.join(', ')}.`);
  lines.push('Leave cannot be granted after the event.');
  lines.push(
    `For a performance, give the local authority licence reference; the school does not authorise performance absence that would take attendance below ${pct(rules.performanceAttendanceLimit).replace('.0%', '%')}.`,
  );
  lines.push(
    `For ${rules.forwardingAddressSchoolDays} school days or more, give an address where you can be reached while away.`,
  );
  const terms = lunchtimeTerms(rules);
  if (!rules.lunchtimePasses.offered) lines.push('The school does not offer lunchtime passes.');
  else if (terms.length > 0) lines.push(`Lunchtime passes: ${terms.join('; ')}.`);
  return lines;
}

/** The school's terms for lunchtime passes, in words (empty when it sets none). */
export function lunchtimeTerms(policy: LeavePolicy): string[] {
  const l = policy.lunchtimePasses;
  const out: string[] = [];
  if (l.decisionWithinDays !== null)
    out.push(`the headteacher answers in writing within ${noticeInWords(l.decisionWithinDays)}`);
  if (l.leaveWithinMinutes !== null)
    out.push(`the pupil leaves within ${l.leaveWithinMinutes} minutes of the start of lunch`);
  if (l.returnMinutesBeforeEnd !== null)
    out.push(`the pupil is back no later than ${l.returnMinutesBeforeEnd} minutes before the end of lunch`);
  if (l.renewTermly) out.push('permission is renewed each term');
  return out;
}

// ---------------------------------------------------------------------------------------------
// Stored requests
// ---------------------------------------------------------------------------------------------

export type LeaveStatus = 'pending' | 'granted' | 'refused' | 'withdrawn';

export interface LeaveRequest {
  readonly id: string;
  readonly pupilId: string;
  readonly pupilName: string;
  readonly requestedBy: string;
  readonly requestedByName: string;
  readonly kind: LeaveKind;
  readonly kindLabel: string;
  readonly fromDate: PlainDate;
  readonly toDate: PlainDate;
  readonly reason: string;
  readonly forwardingAddress: string | null;
  readonly status: LeaveStatus;
  readonly assessment: LeaveAssessment;
  readonly decisionReason: string | null;
  readonly decidedBy: string | null;
  readonly decidedAt: string | null;
  readonly createdAt: string;
}

function toStatus(s: string): LeaveStatus {
  return s === 'granted' || s === 'refused' || s === 'withdrawn' ? s : 'pending';
}

function parseAssessment(json: string): LeaveAssessment {
  const parsed = JSON.parse(json) as Partial<LeaveAssessment>;
  return {
    checks: parsed.checks ?? [],
    recommendation: parsed.recommendation === 'refuse' ? 'refuse' : 'grant',
    schoolDays: parsed.schoolDays ?? 0,
    forwardingAddressRequired: parsed.forwardingAddressRequired ?? false,
  };
}

async function readRequests(
  db: DbOrTrx,
  where: { pupilId?: string; schoolId?: string; status?: LeaveStatus; id?: string },
): Promise<LeaveRequest[]> {
  const rows = await leaveRequestRows(db, where);
  return rows.map((r) => {
    const kind: LeaveKind = isLeaveKind(r.kind) ? r.kind : 'exceptional';
    return {
      id: r.id,
      pupilId: r.pupil_id,
      pupilName: `${r.preferred_forename ?? r.legal_forename} ${r.preferred_surname ?? r.legal_surname}`,
      requestedBy: r.requested_by,
      requestedByName: r.display_name ?? 'Unknown',
      kind,
      kindLabel: LEAVE_KIND_LABELS[kind],
      fromDate: r.from_date as PlainDate,
      toDate: r.to_date as PlainDate,
      reason: r.reason,
      forwardingAddress: r.forwarding_address,
      status: toStatus(r.status),
      assessment: parseAssessment(r.checks),
      decisionReason: r.decision_reason,
      decidedBy: r.decided_by,
      decidedAt: r.decided_at,
      createdAt: r.created_at,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Requesting
// ---------------------------------------------------------------------------------------------

export interface RequestLeaveInput {
  readonly pupilId: string;
  readonly kind: string;
  readonly fromDate: string;
  readonly toDate: string;
  readonly reason: string;
  readonly forwardingAddress?: string | null | undefined;
}

export const LEAVE_REASON_MAX = 2000;
const MAX_RANGE_DAYS = 366;
/** A licence reference: the word licence, then a token with a digit in it (e.g. "Licence ref LA/2025/123"). */
const LICENCE_REFERENCE = /licen[cs]e\b[\s\S]*?[A-Za-z0-9/-]*\d[A-Za-z0-9/-]*/i;

function sessionsIn(cal: SchoolCalendar, from: PlainDate, to: PlainDate): { date: PlainDate; session: Session }[] {
  const out: { date: PlainDate; session: Session }[] = [];
  const last = lastSessionOnOrBefore(cal, to);
  for (let s = firstSessionOnOrAfter(cal, from); s <= last; s++) {
    out.push({ date: cal.sessionDate[s]!, session: cal.sessionIsPM[s] === 1 ? 'PM' : 'AM' });
  }
  return out;
}

/** The checks' facts for a pupil and a range, from this year's marks to today. */
async function gatherFacts(
  deps: Deps,
  pupil: { id: string; admissionDate: PlainDate; leavingDate: PlainDate | null },
  schoolId: string,
  minPossibleSessions: number,
  kind: LeaveKind,
  today: PlainDate,
  fromDate: PlainDate,
  toDate: PlainDate,
): Promise<LeaveFacts> {
  const cal = await schoolCalendar(deps, schoolId);
  const laid = layMarks(cal, await pupilMarks(deps.db, pupil.id));
  const ctx = analysisContext(cal, { asOf: today, minPossibleSessions });
  const m = measurePupil(cal, ctx, {
    codes: laid.codes,
    minutesLate: laid.minutesLate,
    rollFrom: firstSessionOnOrAfter(cal, pupil.admissionDate),
    rollTo: pupil.leavingDate ? lastSessionOnOrBefore(cal, pupil.leavingDate) : cal.sessionCount - 1,
  });
  const dayAfter = addDays(today, 1);
  const before = fromDate > dayAfter ? sessionsIn(cal, dayAfter, addDays(fromDate, -1)).length : 0;
  return {
    kind,
    today,
    fromDate,
    toDate,
    schoolDays: countSchoolDays(cal, fromDate, toDate),
    sessionsRequested: sessionsIn(cal, fromDate, toDate).length,
    sessionsBefore: before,
    possibleSessions: m.possibleSessions,
    attendedSessions: m.presentSessions + m.approvedActivitySessions,
    authorisedAbsenceSessions: m.authorisedAbsenceSessions,
    unauthorisedAbsenceSessions: m.unauthorisedAbsenceSessions,
  };
}

/**
 * A parent asks for leave for their own child. Validation errors name their fields; the checks
 * are computed and stored with the request, which waits for the headteacher's decision.
 * Audited.
 */
export async function requestLeave(
  deps: Deps,
  actor: Actor,
  input: RequestLeaveInput,
): Promise<{ id: string; assessment: LeaveAssessment }> {
  const { pupil, school, resource } = await loadPupilScope(deps.db, input.pupilId);
  authorise(actor, 'pupil.view', resource);
  if (actor.role !== 'parent' || !actor.pupilIds.has(pupil.id)) {
    throw new AppError('FORBIDDEN', 'Only a parent of the child can ask for leave.');
  }
  const today = deps.clock.today(school.timeZone);
  const errors: FieldError[] = [];
  const kind = input.kind.trim();
  const rules = leavePolicyOf(school.policy);
  if (!isLeaveKind(kind)) errors.push({ field: 'kind', message: 'Select what the leave is for.' });
  else if (kind === 'lunchtime' && !rules.lunchtimePasses.offered)
    errors.push({ field: 'kind', message: 'The school’s policy does not offer lunchtime passes.' });
  const from = input.fromDate.trim();
  const to = input.toDate.trim();
  if (!isPlainDate(from)) errors.push({ field: 'fromDate', message: 'Enter the first day, for example 2025-10-13.' });
  if (!isPlainDate(to)) errors.push({ field: 'toDate', message: 'Enter the last day, for example 2025-10-14.' });
  else if (isPlainDate(from) && to < from)
    errors.push({ field: 'toDate', message: 'The last day must be the same as or after the first day.' });
  else if (isPlainDate(from) && toDayNumber(to) - toDayNumber(from) > MAX_RANGE_DAYS)
    errors.push({ field: 'toDate', message: 'Ask for at most one year at a time.' });
  const reason = input.reason.trim();
  if (!reason) errors.push({ field: 'reason', message: 'Explain why the leave is needed.' });
  else if (reason.length > LEAVE_REASON_MAX)
    errors.push({ field: 'reason', message: `The reason must be ${LEAVE_REASON_MAX} characters or fewer.` });
  else if (kind === 'performance' && !LICENCE_REFERENCE.test(reason))
    errors.push({
      field: 'reason',
      message:
        'For a performance, give the local authority licence reference in the reason, for example “Licence LA/2025/123”.',
    });
  const forwardingAddress = input.forwardingAddress?.trim() ?? '';
  if (forwardingAddress.length > 1000)
    errors.push({ field: 'forwardingAddress', message: 'The forwarding address must be 1000 characters or fewer.' });

  let assessment: LeaveAssessment | undefined;
  if (errors.length === 0 && isLeaveKind(kind) && isPlainDate(from) && isPlainDate(to)) {
    const facts = await gatherFacts(deps, pupil, school.id, school.policy.minPossibleSessions, kind, today, from, to);
    if (facts.schoolDays === 0) {
      errors.push({
        field: 'fromDate',
        message: 'There are no school days between these dates, so no leave is needed.',
      });
    } else {
      assessment = evaluateLeave(rules, facts);
      if (assessment.forwardingAddressRequired && !forwardingAddress) {
        errors.push({
          field: 'forwardingAddress',
          message: `For ${rules.forwardingAddressSchoolDays} school days or more, give the address where you can be reached while away.`,
        });
      }
    }
  }
  if (errors.length > 0 || !assessment || !isLeaveKind(kind)) {
    throw new AppError('VALIDATION', 'The request could not be sent.', { fields: errors });
  }
  const id = newId();
  const now = deps.clock.now();
  const stored = assessment;
  await deps.db.transaction().execute(async (trx) => {
    await insertLeaveRequest(trx, {
      id,
      pupil_id: pupil.id,
      requested_by: actor.userId,
      kind,
      from_date: from,
      to_date: to,
      reason,
      forwarding_address: forwardingAddress || null,
      status: 'pending',
      checks: JSON.stringify(stored),
      decision_reason: null,
      decided_by: null,
      decided_at: null,
      created_at: now,
    });
    await audit(trx, actor, now, {
      action: 'leave.request',
      entityType: 'leave_request',
      entityId: id,
      pupilId: pupil.id,
      schoolId: school.id,
      details: { kind, fromDate: from, toDate: to, recommendation: stored.recommendation },
    });
  });
  return { id, assessment };
}

/** A child's requests and decisions, oldest first (anyone who may view the pupil). */
export async function leaveForPupil(
  deps: Deps,
  actor: Actor,
  pupilId: string,
): Promise<{
  pupil: { id: string; name: string };
  requests: LeaveRequest[];
  canRequest: boolean;
  today: PlainDate;
  /** The school's leave rules (its policy document's `leave`). */
  rules: LeavePolicy;
}> {
  const { pupil, school, resource } = await loadPupilScope(deps.db, pupilId);
  authorise(actor, 'pupil.view', resource);
  return {
    pupil: { id: pupil.id, name: `${pupil.forename} ${pupil.surname}` },
    requests: await readRequests(deps.db, { pupilId: pupil.id }),
    canRequest: actor.role === 'parent' && actor.pupilIds.has(pupil.id),
    today: deps.clock.today(school.timeZone),
    rules: leavePolicyOf(school.policy),
  };
}

// ---------------------------------------------------------------------------------------------
// Deciding
// ---------------------------------------------------------------------------------------------

const DECIDER_ROLES: readonly string[] = ['senior_leader', 'admin'];

/** `mark.amend` on the resource, and the headteacher or their delegate (senior leader or admin). */
function authoriseDecider(actor: Actor, resource: Resource): void {
  authorise(actor, 'mark.amend', resource);
  if (!DECIDER_ROLES.includes(actor.role)) {
    throw new AppError('FORBIDDEN', 'Only the headteacher or their delegate can decide leave requests.');
  }
}

/** Requests waiting for a decision at a school, by first day. */
export async function pendingLeave(deps: Deps, actor: Actor, input: { schoolId: string }): Promise<LeaveRequest[]> {
  const school = await getSchool(deps.db, input.schoolId);
  authoriseDecider(actor, { kind: 'school', schoolId: school.id, trustId: school.trustId, laCode: school.laCode });
  return readRequests(deps.db, { schoolId: school.id, status: 'pending' });
}

export interface DecideLeaveInput {
  readonly requestId: string;
  readonly decision: string;
  readonly reason: string;
}

export interface DecideLeaveResult {
  readonly status: 'granted' | 'refused';
  /** Marks pre-filled (granted leave); sessions already marked are left as they are. */
  readonly marksWritten: number;
  readonly marksKept: number;
  /** The letter to the parent: queued by email, or not (then the office posts it). */
  readonly letter: { readonly queued: boolean; readonly messageId: string | null; readonly note: string };
  readonly letterText: string;
}

/** '2025-10-13' → '13 October 2025'. */
export function longDate(date: PlainDate): string {
  return dateInWords(date);
}

function range(r: LeaveRequest): string {
  return r.fromDate === r.toDate ? longDate(r.fromDate) : `${longDate(r.fromDate)} to ${longDate(r.toDate)}`;
}

/** The letter to the parent: the decision, its reason and the checks, in plain words. */
export function decisionLetter(
  r: LeaveRequest,
  schoolName: string,
  status: 'granted' | 'refused',
  reason: string,
): string {
  const lines = [
    'Dear parent or carer,',
    '',
    `Your request for leave of absence for ${r.pupilName} (${r.kindLabel.toLowerCase()}) on ${range(r)} has been ${status}.`,
    '',
    `Reason for the decision: ${reason}`,
    '',
    'What we checked against the school’s attendance policy:',
    ...r.assessment.checks.map((c) => `- ${c.explanation}${c.result === 'refuse' ? ' (grounds for refusal)' : ''}`),
    '',
  ];
  if (status === 'refused') {
    lines.push(
      `If ${r.pupilName} is taken out of school on these dates, the absence will be recorded as unauthorised and may lead to a penalty notice.`,
      '',
    );
  } else if (LEAVE_CODES[r.kind]) {
    lines.push(`${r.pupilName} is expected back at school on the first school day after ${longDate(r.toDate)}.`, '');
  }
  lines.push('Yours sincerely,', '', `The headteacher, ${schoolName}`);
  return lines.join('\n');
}

/**
 * The headteacher or their delegate grants or refuses a pending request, with a reason. Granted
 * leave pre-fills every unmarked school session in the range with the kind's code (with
 * history); a letter goes to the requesting parent's email if they have one. Audited.
 */
export async function decideLeave(deps: Deps, actor: Actor, input: DecideLeaveInput): Promise<DecideLeaveResult> {
  const [request] = await readRequests(deps.db, { id: input.requestId });
  if (!request) throw new AppError('NOT_FOUND', 'No such leave request.');
  const { school, resource } = await loadPupilScope(deps.db, request.pupilId);
  authoriseDecider(actor, resource);
  if (request.status !== 'pending') {
    throw new AppError('CONFLICT', `This request has already been ${request.status}.`);
  }
  const today = deps.clock.today(school.timeZone);
  const errors: FieldError[] = [];
  const decision = input.decision === 'grant' ? 'granted' : input.decision === 'refuse' ? 'refused' : null;
  if (!decision) errors.push({ field: 'decision', message: 'Select grant or refuse.' });
  else if (decision === 'granted' && request.kind !== 'lunchtime' && request.fromDate < today)
    errors.push({
      field: 'decision',
      message:
        'The first day has passed: leave cannot be granted retrospectively. Refuse it, or ask for a new request.',
    });
  const reason = input.reason.trim();
  if (!reason)
    errors.push({ field: 'reason', message: 'Give the reason for the decision; the parent’s letter quotes it.' });
  else if (reason.length > LEAVE_REASON_MAX)
    errors.push({ field: 'reason', message: `The reason must be ${LEAVE_REASON_MAX} characters or fewer.` });
  if (errors.length > 0 || !decision)
    throw new AppError('VALIDATION', 'The decision could not be recorded.', { fields: errors });

  const now = deps.clock.now();
  const code = LEAVE_CODES[request.kind];
  const cal = code && decision === 'granted' ? await schoolCalendar(deps, school.id) : null;
  const letterText = decisionLetter(request, school.name, decision, reason);
  const contactEmail = await parentContactEmail(deps.db, request.requestedBy, request.pupilId);
  const email = contactEmail?.trim() || null;

  return deps.db.transaction().execute(async (trx) => {
    const decided = await recordLeaveDecision(trx, request.id, {
      status: decision,
      reason,
      by: actor.userId,
      at: now,
    });
    if (!decided) throw new AppError('CONFLICT', 'This request was decided meanwhile.');

    let marksWritten = 0;
    let marksKept = 0;
    if (code && cal) {
      const wanted = sessionsIn(cal, request.fromDate, request.toDate);
      const existing = await pupilMarksBetween(trx, request.pupilId, request.fromDate, request.toDate);
      const marked = new Set(existing.map((m) => `${m.date}/${m.session}`));
      const writes: MarkWrite[] = [];
      for (const s of wanted) {
        if (marked.has(`${s.date}/${s.session}`)) {
          marksKept++;
          continue;
        }
        writes.push({
          pupilId: request.pupilId,
          date: s.date,
          session: s.session,
          code,
          minutesLate: null,
          previousCode: null,
          previousMinutesLate: null,
          reason: `Leave granted on ${longDate(today)}: ${reason}`,
        });
      }
      marksWritten = await writeSessionMarks(trx, writes, {
        userId: actor.userId,
        userName: actor.name,
        userRole: actor.role,
        at: now,
        source: 'office',
      });
      await emitWebhookEvents(
        trx,
        now,
        school.id,
        'mark.changed',
        writes.map((w) => markChanged(w, null, actor.name, 'leave')),
      );
    }

    let letter: DecideLeaveResult['letter'];
    if (email) {
      const messageId = await queueMessage(
        trx,
        {
          schoolId: school.id,
          pupilId: request.pupilId,
          channel: 'email',
          to: email,
          subject: `Leave of absence for ${request.pupilName}: ${decision}`,
          body: letterText,
          kind: 'leave-decision',
          createdBy: actor.userId,
          now,
        },
        actor,
      );
      letter = { queued: true, messageId, note: 'The letter was emailed to the parent who asked.' };
    } else {
      letter = {
        queued: false,
        messageId: null,
        note: 'The parent who asked has no email address: print the letter and post it.',
      };
    }
    await audit(trx, actor, now, {
      action: 'leave.decide',
      entityType: 'leave_request',
      entityId: request.id,
      pupilId: request.pupilId,
      schoolId: school.id,
      details: { decision, marksWritten, marksKept, letterQueued: letter.queued },
    });
    return { status: decision, marksWritten, marksKept, letter, letterText };
  });
}

/** What the register and the worklist say about an absence on a date when leave was refused. */
export interface LeaveAdvice {
  readonly requestId: string;
  readonly code: 'G';
  readonly text: string;
}

/**
 * Advice for an absence on a date: when leave covering it was refused, suggest `G` (holiday
 * not authorised by the school). Null when no refused request covers the date.
 */
export async function leaveAdviceFor(
  deps: Pick<Deps, 'db'>,
  pupilId: string,
  date: PlainDate,
): Promise<LeaveAdvice | null> {
  const refused = await refusedLeaveCovering(deps.db, pupilId, date);
  return refused ? { requestId: refused, code: 'G', text: 'Leave was refused for this date: suggest G' } : null;
}
