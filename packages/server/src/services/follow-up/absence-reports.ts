/**
 * Parents reporting an absence: a parent tells the school their child is off (today or on
 * future school days) with a reason; the report proposes a code (illness → I, medical → M,
 * religious observance → R, other → none: the office decides) and is matched at once to any
 * `N` marks already in the register for those sessions. Nothing is re-coded until the office
 * confirms: confirming writes the code to every session of the report up to today that is `N`
 * or still unmarked (history source `parent`); rejecting keeps the marks and records a note.
 *
 * @see ../../../../shared/seeds/001_43e87305f1d06844.txt §5 (parents report by 9:00 on the first day) and §8
 * @see ../../../../docs/parents.md
 */
import {
  countSchoolDays,
  firstSessionOnOrAfter,
  isPlainDate,
  lastSessionOnOrBefore,
  lookupCode,
  sessionLabel,
  type PlainDate,
  type SchoolCalendar,
  type Session,
} from '@rollcall/domain';
import {
  absenceReportOwner,
  absenceReportsOfPupil,
  insertAbsenceReport,
  pendingAbsenceReports,
  recordAbsenceReportDecision,
  type AbsenceReportRow,
} from '../../db/follow-up/absence-reports.js';
import { pupilMarksBetween } from '../../db/pupils/pupils.js';
import { writeSessionMarks, type MarkWrite } from '../../db/registers/registers.js';
import { getSchool, type School } from '../school/schools.js';
import { localDateTime } from '../../platform/clock.js';
import { newId } from '../../platform/ids.js';
import { audit } from '../audit.js';
import { authorise, type Actor, type Resource } from '../authz.js';
import type { Deps } from '../deps.js';
import { AppError, type FieldError } from '../errors.js';
import { emitWebhookEvents, markChanged } from '../exchange/webhooks.js';
import { loadPupilScope } from '../pupil-scope.js';
import { schoolCalendar } from '../registers/registers.js';

export const REPORT_REASONS = ['illness', 'medical', 'religious', 'other'] as const;
export type ReportReason = (typeof REPORT_REASONS)[number];

export const REPORT_SESSIONS = ['ALL', 'AM', 'PM'] as const;
export type ReportSessions = (typeof REPORT_SESSIONS)[number];

export type ReportStatus = 'pending' | 'confirmed' | 'rejected';

export const REASON_LABELS: Readonly<Record<ReportReason, string>> = {
  illness: 'Illness',
  medical: 'Medical or dental appointment',
  religious: 'Religious observance',
  other: 'Another reason',
};

/** The code a report proposes; null for "other": the office decides. */
export const PROPOSED_CODE: Readonly<Record<ReportReason, string | null>> = {
  illness: 'I',
  medical: 'M',
  religious: 'R',
  other: null,
};

/**
 * A parent may report up to 20 school days at once (four weeks); a longer absence is a
 * conversation with the school, not a form.
 */
export const MAX_REPORT_SCHOOL_DAYS = 20;
export const DETAILS_MAX = 1000;
export const EVIDENCE_MAX = 500;
export const NOTE_MAX = 500;

export interface ReportAbsenceInput {
  readonly pupilId: string;
  readonly fromDate: string;
  readonly toDate: string;
  readonly sessions: string;
  readonly reason: string;
  readonly details?: string | null | undefined;
  readonly expectedReturn?: string | null | undefined;
  readonly evidence?: string | null | undefined;
}

export interface SessionRef {
  readonly date: PlainDate;
  readonly session: Session;
}

export interface ReportResult {
  readonly id: string;
  readonly proposedCode: string | null;
  /** Sessions of the report already coded N (matched, not yet re-coded). */
  readonly matched: readonly SessionRef[];
}

export interface AbsenceReport {
  readonly id: string;
  readonly pupilId: string;
  readonly pupilName: string;
  readonly reportedBy: string;
  readonly reportedByName: string;
  readonly fromDate: PlainDate;
  readonly toDate: PlainDate;
  readonly sessions: ReportSessions;
  readonly reason: ReportReason;
  readonly details: string | null;
  readonly expectedReturn: PlainDate | null;
  readonly evidence: string | null;
  readonly proposedCode: string | null;
  readonly status: ReportStatus;
  readonly decidedAt: string | null;
  readonly decisionNote: string | null;
  readonly createdAt: string;
}

function isOneOf<T extends string>(list: readonly T[], value: string | null | undefined): value is T {
  return value !== null && value !== undefined && (list as readonly string[]).includes(value);
}

/** The school sessions of a date range, by which sessions the report covers. */
export function sessionsInRange(
  cal: SchoolCalendar,
  from: PlainDate,
  to: PlainDate,
  which: ReportSessions,
): SessionRef[] {
  const out: SessionRef[] = [];
  const last = lastSessionOnOrBefore(cal, to);
  for (let s = firstSessionOnOrAfter(cal, from); s <= last; s++) {
    const session = sessionLabel(cal, s);
    if (which === 'ALL' || which === session) out.push({ date: cal.sessionDate[s]!, session });
  }
  return out;
}

/** '2025-09-08' → '8 September 2025'. */
function longDate(date: PlainDate): string {
  const month = new Intl.DateTimeFormat('en-GB', { month: 'long', timeZone: 'UTC' }).format(
    new Date(`${date}T00:00:00Z`),
  );
  return `${Number(date.slice(8, 10))} ${month} ${date.slice(0, 4)}`;
}

async function nSessions(deps: Deps, pupilId: string, refs: readonly SessionRef[]): Promise<SessionRef[]> {
  if (refs.length === 0) return [];
  const rows = await pupilMarksBetween(deps.db, pupilId, refs[0]!.date, refs[refs.length - 1]!.date);
  const codes = new Map(rows.map((r) => [`${r.date}/${r.session}`, r.code]));
  return refs.filter((r) => codes.get(`${r.date}/${r.session}`) === 'N');
}

/**
 * A parent reports their child's absence for today or future school days. Only a parent of
 * that child may (staff record what a parent says on the worklist instead). Audited.
 */
export async function reportAbsence(deps: Deps, actor: Actor, input: ReportAbsenceInput): Promise<ReportResult> {
  const { pupil, school, resource } = await loadPupilScope(deps.db, input.pupilId);
  authorise(actor, 'pupil.view', resource);
  if (actor.role !== 'parent' || !actor.pupilIds.has(pupil.id))
    throw new AppError('FORBIDDEN', 'Only a parent of the child can report their absence here.');
  const cal = await schoolCalendar(deps, school.id);
  const today = deps.clock.today(school.timeZone);
  const errors: FieldError[] = [];
  const from = isPlainDate(input.fromDate) ? input.fromDate : null;
  const to = isPlainDate(input.toDate) ? input.toDate : null;
  if (!from) errors.push({ field: 'fromDate', message: 'Enter the first day of the absence as a real date.' });
  else if (from < today)
    errors.push({ field: 'fromDate', message: 'The first day of the absence must be today or later.' });
  else if (!cal.dayByDate.has(from)) errors.push({ field: 'fromDate', message: 'The first day must be a school day.' });
  if (!to) errors.push({ field: 'toDate', message: 'Enter the last day of the absence as a real date.' });
  else if (from && to < from)
    errors.push({ field: 'toDate', message: 'The last day must be the same as or after the first day.' });
  else if (!cal.dayByDate.has(to)) errors.push({ field: 'toDate', message: 'The last day must be a school day.' });
  else if (from && countSchoolDays(cal, from, to) > MAX_REPORT_SCHOOL_DAYS)
    errors.push({
      field: 'toDate',
      message: `You can report up to ${MAX_REPORT_SCHOOL_DAYS} school days at once. For a longer absence, contact the school.`,
    });
  if (!isOneOf(REPORT_SESSIONS, input.sessions))
    errors.push({
      field: 'sessions',
      message: 'Select whether your child will miss the whole day, the morning or the afternoon.',
    });
  if (!isOneOf(REPORT_REASONS, input.reason))
    errors.push({ field: 'reason', message: 'Select the reason for the absence.' });
  const details = input.details?.trim() || null;
  if (details && details.length > DETAILS_MAX)
    errors.push({ field: 'details', message: `Details must be ${DETAILS_MAX} characters or fewer.` });
  else if (input.reason === 'other' && !details)
    errors.push({ field: 'details', message: 'Tell us the reason for the absence.' });
  const expectedRaw = input.expectedReturn?.trim() || null;
  let expectedReturn: PlainDate | null = null;
  if (expectedRaw) {
    if (!isPlainDate(expectedRaw))
      errors.push({ field: 'expectedReturn', message: 'Enter the expected return date as a real date.' });
    else if (to && expectedRaw <= to)
      errors.push({
        field: 'expectedReturn',
        message: 'The expected return date must be after the last day of the absence.',
      });
    else expectedReturn = expectedRaw;
  }
  const evidence = input.evidence?.trim() || null;
  if (evidence && evidence.length > EVIDENCE_MAX)
    errors.push({ field: 'evidence', message: `Evidence must be ${EVIDENCE_MAX} characters or fewer.` });
  if (
    errors.length > 0 ||
    !from ||
    !to ||
    !isOneOf(REPORT_SESSIONS, input.sessions) ||
    !isOneOf(REPORT_REASONS, input.reason)
  )
    throw new AppError('VALIDATION', 'The absence could not be reported.', { fields: errors });
  const sessions = input.sessions;
  const reason = input.reason;
  const refs = sessionsInRange(cal, from, to, sessions);
  if (refs.length === 0)
    throw new AppError('VALIDATION', 'The absence could not be reported.', {
      fields: [{ field: 'sessions', message: 'There is no school session in those dates.' }],
    });
  const proposedCode = PROPOSED_CODE[reason];
  const now = deps.clock.now();
  const id = newId();
  const matched = await nSessions(
    deps,
    pupil.id,
    refs.filter((r) => r.date <= today),
  );
  await deps.db.transaction().execute(async (trx) => {
    await insertAbsenceReport(trx, {
      id,
      pupil_id: pupil.id,
      reported_by: actor.userId,
      from_date: from,
      to_date: to,
      sessions,
      reason,
      details,
      expected_return: expectedReturn,
      evidence,
      proposed_code: proposedCode ?? '',
      status: 'pending',
      decided_by: null,
      decided_at: null,
      decision_note: null,
      created_at: now,
    });
    await audit(trx, actor, now, {
      action: 'absenceReport.create',
      entityType: 'absence_report',
      entityId: id,
      pupilId: pupil.id,
      schoolId: school.id,
      details: { from, to, sessions, reason, proposedCode, matched: matched.length },
    });
    await emitWebhookEvents(trx, now, school.id, 'absence.reported', [
      { pupilId: pupil.id, data: { reportId: id, from, to, sessions, reason, proposedCode, expectedReturn } },
    ]);
  });
  return { id, proposedCode, matched };
}

type ReportRow = AbsenceReportRow;

function toReport(r: ReportRow): AbsenceReport {
  return {
    id: r.id,
    pupilId: r.pupil_id,
    pupilName: `${r.preferred_forename ?? r.legal_forename} ${r.preferred_surname ?? r.legal_surname}`,
    reportedBy: r.reported_by,
    reportedByName: r.reporter_name ?? 'A parent',
    fromDate: r.from_date as PlainDate,
    toDate: r.to_date as PlainDate,
    sessions: isOneOf(REPORT_SESSIONS, r.sessions) ? r.sessions : 'ALL',
    reason: isOneOf(REPORT_REASONS, r.reason) ? r.reason : 'other',
    details: r.details,
    expectedReturn: r.expected_return as PlainDate | null,
    evidence: r.evidence,
    proposedCode: r.proposed_code || null,
    status: r.status === 'confirmed' || r.status === 'rejected' ? r.status : 'pending',
    decidedAt: r.decided_at,
    decisionNote: r.decision_note,
    createdAt: r.created_at,
  };
}

/** A pupil's reports, newest first. Not authorised here: callers decide who sees them. */
export async function reportsOfPupil(deps: Pick<Deps, 'db'>, pupilId: string): Promise<AbsenceReport[]> {
  const rows = await absenceReportsOfPupil(deps.db, pupilId);
  return rows.map(toReport);
}

/**
 * What a parent's "report an absence" page shows: their child, the child's school, today there,
 * and the reports this parent made for the child (newest first). Only a parent of the child
 * (staff record what a parent says on the worklist instead).
 */
export async function parentsOwnReports(deps: Deps, actor: Actor, pupilId: string) {
  const { pupil, school, resource } = await loadPupilScope(deps.db, pupilId);
  if (actor.role !== 'parent' || !actor.pupilIds.has(pupilId))
    throw new AppError('FORBIDDEN', 'Only a parent of the child can report their absence here.');
  authorise(actor, 'pupil.view', resource);
  const reports = (await reportsOfPupil(deps, pupil.id)).filter((r) => r.reportedBy === actor.userId);
  return { pupil, school, today: deps.clock.today(school.timeZone), reports };
}

export interface PendingReport extends AbsenceReport {
  /** Sessions of the report up to today coded N now. */
  readonly matched: readonly SessionRef[];
}

function schoolResource(school: School): Resource {
  return { kind: 'school', schoolId: school.id, trustId: school.trustId, laCode: school.laCode };
}

/** The school's pending reports, oldest first, for the office (`mark.amend`). */
export async function pendingReports(
  deps: Deps,
  actor: Actor,
  q: { schoolId: string },
): Promise<{ school: School; reports: PendingReport[] }> {
  const school = await getSchool(deps.db, q.schoolId);
  authorise(actor, 'mark.amend', schoolResource(school));
  const cal = await schoolCalendar(deps, school.id);
  const today = deps.clock.today(school.timeZone);
  const rows = await pendingAbsenceReports(deps.db, school.id);
  const reports: PendingReport[] = [];
  for (const r of rows) {
    const report = toReport(r);
    const refs = sessionsInRange(cal, report.fromDate, report.toDate, report.sessions).filter((x) => x.date <= today);
    reports.push({ ...report, matched: await nSessions(deps, report.pupilId, refs) });
  }
  return { school, reports };
}

export interface DecideInput {
  readonly reportId: string;
  readonly decision: string;
  readonly code?: string | null | undefined;
  readonly note?: string | null | undefined;
}

export interface DecideResult {
  readonly status: 'confirmed' | 'rejected';
  readonly code: string | null;
  /** Sessions re-coded on confirming. */
  readonly coded: readonly SessionRef[];
}

/**
 * The office confirms or rejects a report (`mark.amend`). Confirming codes every session of the
 * report up to today that is N or unmarked with the proposed (or chosen) authorised code, with
 * history source `parent`; later sessions are left to the register (see docs/parents.md).
 * Rejecting keeps the marks and records the note. Audited.
 */
export async function decideReport(deps: Deps, actor: Actor, input: DecideInput): Promise<DecideResult> {
  const row = await absenceReportOwner(deps.db, input.reportId);
  if (!row) throw new AppError('NOT_FOUND', 'No such absence report.');
  const { pupil, school, resource } = await loadPupilScope(deps.db, row.pupil_id);
  authorise(actor, 'mark.amend', resource);
  const report = (await reportsOfPupil(deps, pupil.id)).find((r) => r.id === row.id);
  if (!report) throw new AppError('NOT_FOUND', 'No such absence report.');
  if (report.status !== 'pending') throw new AppError('CONFLICT', `This report has already been ${report.status}.`);
  const errors: FieldError[] = [];
  const note = input.note?.trim() || null;
  if (note && note.length > NOTE_MAX)
    errors.push({ field: 'note', message: `The note must be ${NOTE_MAX} characters or fewer.` });
  const today = deps.clock.today(school.timeZone);
  const now = deps.clock.now();
  if (input.decision === 'reject') {
    if (!note) errors.push({ field: 'note', message: 'Say why the report is rejected (the parent is told).' });
    if (errors.length > 0) throw new AppError('VALIDATION', 'The report could not be rejected.', { fields: errors });
    await deps.db.transaction().execute(async (trx) => {
      await recordAbsenceReportDecision(trx, report.id, { status: 'rejected', by: actor.userId, at: now, note });
      await audit(trx, actor, now, {
        action: 'absenceReport.reject',
        entityType: 'absence_report',
        entityId: report.id,
        pupilId: pupil.id,
        schoolId: school.id,
        details: { note },
      });
    });
    return { status: 'rejected', code: null, coded: [] };
  }
  if (input.decision !== 'confirm') {
    errors.push({ field: 'decision', message: 'Choose to confirm or reject the report.' });
    throw new AppError('VALIDATION', 'The report could not be decided.', { fields: errors });
  }
  const code = input.code?.trim() || report.proposedCode;
  if (!code) errors.push({ field: 'code', message: 'Select the code for the absence.' });
  else {
    const found = lookupCode(code, report.fromDate);
    if (!found.ok) errors.push({ field: 'code', message: found.message });
    else if (found.definition.category !== 'authorised')
      errors.push({ field: 'code', message: 'Choose an authorised absence code (for example I, M or R).' });
  }
  if (errors.length > 0 || !code)
    throw new AppError('VALIDATION', 'The report could not be confirmed.', { fields: errors });
  const cal = await schoolCalendar(deps, school.id);
  const refs = sessionsInRange(cal, report.fromDate, report.toDate, report.sessions).filter((r) => r.date <= today);
  const reported = localDateTime(report.createdAt, school.timeZone).date;
  const why = `Reported by parent on ${longDate(reported)}: ${REASON_LABELS[report.reason].toLowerCase()}${report.details ? ` (${report.details})` : ''}`;
  return deps.db.transaction().execute(async (trx) => {
    const rows =
      refs.length === 0 ? [] : await pupilMarksBetween(trx, pupil.id, refs[0]!.date, refs[refs.length - 1]!.date);
    const current = new Map(rows.map((r) => [`${r.date}/${r.session}`, r]));
    const writes: MarkWrite[] = [];
    for (const ref of refs) {
      const before = current.get(`${ref.date}/${ref.session}`);
      if (before && before.code !== 'N') continue;
      writes.push({
        pupilId: pupil.id,
        date: ref.date,
        session: ref.session,
        code,
        minutesLate: null,
        previousCode: before?.code ?? null,
        previousMinutesLate: before?.minutes_late ?? null,
        reason: why,
      });
    }
    await writeSessionMarks(trx, writes, {
      userId: actor.userId,
      userName: actor.name,
      userRole: actor.role,
      at: now,
      source: 'parent',
    });
    await recordAbsenceReportDecision(trx, report.id, { status: 'confirmed', by: actor.userId, at: now, note });
    await audit(trx, actor, now, {
      action: 'absenceReport.confirm',
      entityType: 'absence_report',
      entityId: report.id,
      pupilId: pupil.id,
      schoolId: school.id,
      details: { code, sessions: writes.map((w) => `${w.date} ${w.session}`) },
    });
    await emitWebhookEvents(
      trx,
      now,
      school.id,
      'mark.changed',
      writes.map((w) => markChanged(w, null, actor.name, 'parent report')),
    );
    const coded: SessionRef[] = writes.map((w) => ({ date: w.date, session: w.session }));
    return { status: 'confirmed' as const, code, coded };
  });
}
