/**
 * Statutory findings with their explanations: which rule, which numbers, which sessions, which
 * window, and where the rule comes from. The UI, letters and audit trail show these words.
 */
import { sessionLabel, type SchoolCalendar } from './calendar.js';
import { CODE_FLAGS, CODE_TABLE, FLAG_PENALTY_NOTICE } from './codes.js';
import type { PlainDate, Session } from './dates.js';
import {
  ATTENDANCE_RETURN_SCHOOL_DAYS,
  DELETION_GROUND_SCHOOL_DAYS,
  N_RESOLUTION_SCHOOL_DAYS,
  PENALTY_NOTICE_SESSIONS,
  PENALTY_NOTICE_WINDOW_WEEKS,
  SICKNESS_RETURN_SCHOOL_DAYS,
  type AnalysisContext,
  type PupilMarks,
  type PupilMeasures,
  type SessionRef,
} from './measures.js';

export type FindingRule =
  | 'penaltyNoticeThreshold'
  | 'attendanceReturn'
  | 'sicknessReturn'
  | 'deletionGround20Days'
  | 'unresolvedN'
  | 'persistentAbsence'
  | 'severeAbsence';

export interface MarkedSession {
  readonly date: PlainDate;
  readonly session: Session;
  readonly code: string;
}

export interface Finding {
  readonly rule: FindingRule;
  readonly title: string;
  /** Where the rule is written. */
  readonly source: string;
  /** The decision in words, with its numbers. */
  readonly explanation: string;
  /** The window or run the finding looked at, when there is one. */
  readonly window?: { readonly from: PlainDate; readonly to: PlainDate };
  /** The sessions that make the finding. */
  readonly sessions?: readonly MarkedSession[];
}

/*
 * Sources are shown to staff beside each finding, so they name the published rules, not our
 * working notes: @see ../../../shared/reference/attendance-rules.md §1 (registers), §3 (measures),
 * §4 (penalty notices) and §5 (returns, deletions), which summarise the same texts.
 */
const REGS = 'The School Attendance (Pupil Registration) (England) Regulations 2024';
const WTISA = 'Working together to improve school attendance (DfE, August 2024)';

function pct(n: number | null): string {
  return n === null ? 'n/a' : `${(n * 100).toFixed(1)}%`;
}

/** The penalty-notice sessions (G, N, O, U) from session `from` to `to`, with their codes. */
function penaltySessions(cal: SchoolCalendar, marks: PupilMarks, from: number, to: number): MarkedSession[] {
  const out: MarkedSession[] = [];
  const codes = marks.codes;
  for (let s = Math.max(from, 0); s <= to; s++) {
    const c = codes[s]!;
    if (c !== 0 && (CODE_FLAGS[c]! & FLAG_PENALTY_NOTICE) !== 0) {
      out.push({ date: cal.sessionDate[s]!, session: sessionLabel(cal, s), code: CODE_TABLE[c - 1]!.code });
    }
  }
  return out;
}

/** The unresolved `N` sessions as marked sessions (date, session, code), one loop and no spread. */
function unresolvedSessions(refs: readonly SessionRef[]): MarkedSession[] {
  const out: MarkedSession[] = new Array<MarkedSession>(refs.length);
  for (let i = 0; i < refs.length; i++) {
    const r = refs[i]!;
    out[i] = { date: r.date, session: r.session, code: 'N' };
  }
  return out;
}

function sessionAt(cal: SchoolCalendar, date: PlainDate, session: Session): number {
  const day = cal.dayByDate.get(date);
  if (day === undefined) return -1;
  for (let s = cal.dayFirstSession[day]!; s < cal.dayFirstSession[day + 1]!; s++) {
    if (sessionLabel(cal, s) === session) return s;
  }
  return -1;
}

/**
 * Explains every statutory finding in a pupil's measures.
 *
 * @example findingsFor(cal, ctx, marks, measurePupil(cal, ctx, marks)).map((f) => f.rule) // ['penaltyNoticeThreshold', …]
 */
export function findingsFor(cal: SchoolCalendar, ctx: AnalysisContext, marks: PupilMarks, m: PupilMeasures): Finding[] {
  const out: Finding[] = [];
  const absent = m.authorisedAbsenceSessions + m.unauthorisedAbsenceSessions;
  const period = `${ctx.periodStart} to ${ctx.asOf}`;
  if (m.persistentAbsence) {
    out.push({
      rule: m.severeAbsence ? 'severeAbsence' : 'persistentAbsence',
      title: m.severeAbsence ? 'Severely absent' : 'Persistently absent',
      source: WTISA,
      explanation:
        `Absent ${absent} of ${m.possibleSessions} possible sessions (${pct(m.absenceRate)}) from ${period}: ` +
        (m.severeAbsence ? '50% or more is severe absence.' : '10% or more is persistent absence.'),
    });
  }
  const pn = m.penaltyNotice;
  if (pn.thresholdMet && pn.firstMetOn && pn.firstMetSession) {
    const met = sessionAt(cal, pn.firstMetOn, pn.firstMetSession);
    const week = cal.sessionWeek[met]!;
    const firstWeek = Math.max(0, week - PENALTY_NOTICE_WINDOW_WEEKS + 1);
    const sessions = penaltySessions(cal, marks, cal.weekFirstSession[firstWeek]!, met);
    const from = cal.weekMonday[firstWeek]!;
    out.push({
      rule: 'penaltyNoticeThreshold',
      title: 'Penalty-notice threshold met',
      source: `The Education (Penalty Notices) (England) (Amendment) Regulations 2024; ${WTISA}`,
      explanation:
        `${sessions.length} sessions of unauthorised absence (G, N, O, U) within the ${week - firstWeek + 1} school weeks ` +
        `from the week of ${from} to ${pn.firstMetOn} ${pn.firstMetSession}: the national threshold is ` +
        `${PENALTY_NOTICE_SESSIONS} in a rolling ${PENALTY_NOTICE_WINDOW_WEEKS} school weeks. ` +
        `The school must consider a penalty notice, support first. In the current window: ${pn.currentWindowSessions}.`,
      window: { from, to: pn.firstMetOn },
      sessions,
    });
  }
  for (const p of m.attendanceReturn.periods) {
    out.push({
      rule: 'attendanceReturn',
      title: 'Attendance return: continuous unauthorised absence',
      source: `${REGS}; ${WTISA}`,
      explanation:
        `${p.schoolDays} continuous school days from ${p.start} to ${p.end} with every possible session coded G, N, O or U ` +
        `(the return covers ${ATTENDANCE_RETURN_SCHOOL_DAYS} or more). Tell the local authority in the next attendance return.`,
      window: { from: p.start, to: p.end },
    });
  }
  const sick = m.sicknessReturn;
  if (sick.due) {
    out.push({
      rule: 'sicknessReturn',
      title: 'Sickness return',
      source: `${REGS}; ${WTISA}`,
      explanation:
        `Illness (I): longest run ${sick.longestConsecutiveSchoolDays} consecutive school days, ` +
        `${sick.cumulativeSchoolDays} school days in all from ${period} ` +
        `(the return is due at ${SICKNESS_RETURN_SCHOOL_DAYS} school days, consecutive or cumulative).`,
      window: { from: ctx.periodStart, to: ctx.asOf },
    });
  }
  for (const p of m.deletionGround20Days.periods) {
    out.push({
      rule: 'deletionGround20Days',
      title: 'Deletion ground: 20 school days continuously absent',
      source: REGS,
      explanation:
        `${p.schoolDays} continuous school days from ${p.start} to ${p.end} with every possible session coded G, N or O ` +
        `(the ground needs ${DELETION_GROUND_SCHOOL_DAYS}). The pupil may be deleted only if, after joint reasonable enquiries ` +
        `with the local authority, their whereabouts are still unknown.`,
      window: { from: p.start, to: p.end },
    });
  }
  if (m.unresolvedN.length > 0) {
    const firstN = m.unresolvedN[0]!;
    out.push({
      rule: 'unresolvedN',
      title: 'N marks not resolved',
      source: REGS,
      explanation:
        `${m.unresolvedN.length} N mark${m.unresolvedN.length === 1 ? '' : 's'} older than ${N_RESOLUTION_SCHOOL_DAYS} school days ` +
        `(the first on ${firstN.date} ${firstN.session}): replace each with the right code.`,
      window: { from: firstN.date, to: ctx.asOf },
      sessions: unresolvedSessions(m.unresolvedN),
    });
  }
  return out;
}
