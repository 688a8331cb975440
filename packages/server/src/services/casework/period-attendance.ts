/**
 * Attendance over a plan's period and over a Notice to Improve's monitoring period, with the
 * domain's measures (`measurePupil` over the period): the rate, the unauthorised absence
 * sessions, and whether the target was met.
 *
 * Readings:
 * - A plan's period runs from its start to its end date (or to today while it runs). Its
 *   attendance target is the first percentage written in a target's measure ("at least 95%"),
 *   else the school's attendance target; none when neither says. Met: the rate over the period
 *   is at or above it.
 * - A Notice to Improve's period runs from the first school day after issue to the end of
 *   monitoring (or to today while monitoring). Its target is no unauthorised absence
 *   (seed 000: "no further unauthorised absence is expected"; seed 003: "if there are any
 *   unauthorised absences in the next 15 school days"). One unauthorised session misses it.
 * - Before the period ends the result is "so far": a rate below target is "below target so far",
 *   not "not met"; an unauthorised session in a notice's period already misses it.
 */
import {
  addDays,
  analysisContext,
  firstSessionOnOrAfter,
  lastSessionOnOrBefore,
  measurePupil,
  type PlainDate,
  type SchoolCalendar,
} from '@rollcall/domain';

export type TargetVerdict = 'met' | 'not-met' | 'on-track' | 'below-so-far' | 'no-target' | 'not-started';

export interface PeriodAttendance {
  readonly from: PlainDate;
  readonly to: PlainDate;
  /** The period has not ended yet: the figures are so far. */
  readonly soFar: boolean;
  readonly possibleSessions: number;
  readonly attendanceRate: number | null;
  readonly unauthorisedSessions: number;
  /** The target in words ("at least 95.0%", "no unauthorised absence"), or null. */
  readonly target: string | null;
  readonly verdict: TargetVerdict;
}

interface Roll {
  readonly codes: Parameters<typeof measurePupil>[2]['codes'];
  readonly admissionDate: PlainDate;
  readonly leavingDate: PlainDate | null;
}

function measureBetween(cal: SchoolCalendar, roll: Roll, from: PlainDate, to: PlainDate, minPossible: number) {
  const ctx = analysisContext(cal, { asOf: to, from, minPossibleSessions: minPossible });
  return measurePupil(cal, ctx, {
    codes: roll.codes,
    rollFrom: firstSessionOnOrAfter(cal, roll.admissionDate),
    rollTo: roll.leavingDate ? lastSessionOnOrBefore(cal, roll.leavingDate) : cal.sessionCount - 1,
  });
}

/** The attendance target a plan's targets name: the first "NN%" or "NN.N%" in a measure, as a fraction. */
export function planTargetRate(measures: readonly string[]): number | null {
  for (const m of measures) {
    const hit = /(\d{1,3}(?:\.\d+)?)\s*%/.exec(m);
    if (hit) {
      const rate = Number(hit[1]) / 100;
      if (rate > 0 && rate <= 1) return rate;
    }
  }
  return null;
}

const pct = (r: number): string => `${(r * 100).toFixed(1)}%`;

/** A plan's period: start to end (or today). */
export function planAttendance(
  cal: SchoolCalendar,
  roll: Roll,
  plan: { startsOn: PlainDate; endsOn: PlainDate; targets: readonly { measure: string }[] },
  schoolTarget: number | null,
  today: PlainDate,
): PeriodAttendance {
  const soFar = today < plan.endsOn;
  const to = soFar ? today : plan.endsOn;
  const rate = planTargetRate(plan.targets.map((t) => t.measure)) ?? schoolTarget;
  const target = rate === null ? null : `at least ${pct(rate)}`;
  if (to < plan.startsOn) {
    return {
      from: plan.startsOn,
      to: plan.startsOn,
      soFar: true,
      possibleSessions: 0,
      attendanceRate: null,
      unauthorisedSessions: 0,
      target,
      verdict: 'not-started',
    };
  }
  const m = measureBetween(cal, roll, plan.startsOn, to, 0);
  let verdict: TargetVerdict;
  if (m.attendanceRate === null) verdict = 'not-started';
  else if (rate === null) verdict = 'no-target';
  else if (m.attendanceRate >= rate) verdict = soFar ? 'on-track' : 'met';
  else verdict = soFar ? 'below-so-far' : 'not-met';
  return {
    from: plan.startsOn,
    to,
    soFar,
    possibleSessions: m.possibleSessions,
    attendanceRate: m.attendanceRate,
    unauthorisedSessions: m.unauthorisedAbsenceSessions,
    target,
    verdict,
  };
}

/** A Notice to Improve's monitoring period: the day after issue to the end of monitoring (or today). */
export function noticeAttendance(
  cal: SchoolCalendar,
  roll: Roll,
  notice: { issuedOn: PlainDate; monitoringEndsOn: PlainDate },
  today: PlainDate,
): PeriodAttendance {
  const from = addDays(notice.issuedOn, 1);
  const soFar = today < notice.monitoringEndsOn;
  const to = soFar ? today : notice.monitoringEndsOn;
  const target = 'no unauthorised absence';
  if (to < from) {
    return {
      from,
      to: from,
      soFar: true,
      possibleSessions: 0,
      attendanceRate: null,
      unauthorisedSessions: 0,
      target,
      verdict: 'not-started',
    };
  }
  const m = measureBetween(cal, roll, from, to, 0);
  let verdict: TargetVerdict;
  if (m.unauthorisedAbsenceSessions > 0) verdict = 'not-met';
  else if (m.possibleSessions === 0) verdict = 'not-started';
  else verdict = soFar ? 'on-track' : 'met';
  return {
    from,
    to,
    soFar,
    possibleSessions: m.possibleSessions,
    attendanceRate: m.attendanceRate,
    unauthorisedSessions: m.unauthorisedAbsenceSessions,
    target,
    verdict,
  };
}
