/**
 * Adjusted attendance: a school for pupils with long prior absence gives each new pupil an
 * integration period (usually 4–6 school weeks) in which they are not expected to attend full
 * time. The adjusted rate leaves the integration period's sessions out; the actual rate is
 * always reported beside it (it is the statutory figure).
 *
 * @see ../../../../../shared/seeds/004_4e3aa116c3efb606.txt "Introduction and Background" (adjusted attendance figure)
 */
import type { SchoolCalendar } from '../calendar.js';
import { firstSessionOnOrAfter, lastSessionOnOrBefore } from '../calendar.js';
import { CAT_APPROVED_ACTIVITY, CAT_AUTHORISED, CAT_PRESENT, CAT_UNAUTHORISED, CODE_CATEGORY } from '../codes.js';
import type { PlainDate } from '../dates.js';
import type { AnalysisContext, PupilMarks } from '../measures.js';
import { formatRate } from './evaluate.js';

/** A pupil's integration period, both days inclusive. */
export interface IntegrationPeriod {
  readonly from: PlainDate;
  readonly to: PlainDate;
}

export interface RateParts {
  /** Possible sessions (present, approved activity, authorised or unauthorised absence). */
  readonly possible: number;
  /** Sessions attended (present or approved educational activity). */
  readonly attended: number;
  /** attended / possible; null when there are no possible sessions. */
  readonly rate: number | null;
}

export interface AdjustedAttendance {
  /** Every possible session in the statistics period (the statutory rate). */
  readonly actual: RateParts;
  /** The same, leaving out the sessions inside the integration period. */
  readonly adjusted: RateParts;
  /** Possible sessions left out (inside the integration period and the statistics period). */
  readonly excludedSessions: number;
  readonly integration: IntegrationPeriod | null;
  /** Both rates in words, with the period left out. */
  readonly explanation: string;
}

function parts(possible: number, attended: number): RateParts {
  return { possible, attended, rate: possible > 0 ? attended / possible : null };
}

/**
 * The actual and adjusted attendance of one pupil over the statistics period of `ctx` (up to
 * "as of"), leaving the integration period's sessions out of the adjusted rate. Pure.
 */
export function adjustedAttendance(
  cal: SchoolCalendar,
  ctx: AnalysisContext,
  marks: PupilMarks,
  integration: IntegrationPeriod | null,
): AdjustedAttendance {
  const start = Math.max(0, marks.rollFrom, ctx.periodFromSession);
  const end = Math.min(ctx.asOfSession, marks.rollTo, cal.sessionCount - 1);
  const iFrom = integration ? firstSessionOnOrAfter(cal, integration.from) : 0;
  const iTo = integration ? lastSessionOnOrBefore(cal, integration.to) : -1;
  let possible = 0;
  let attended = 0;
  let exPossible = 0;
  let exAttended = 0;
  for (let s = start; s <= end; s++) {
    const cat = CODE_CATEGORY[marks.codes[s]!]!;
    if (cat !== CAT_PRESENT && cat !== CAT_APPROVED_ACTIVITY && cat !== CAT_AUTHORISED && cat !== CAT_UNAUTHORISED)
      continue;
    const came = cat === CAT_PRESENT || cat === CAT_APPROVED_ACTIVITY ? 1 : 0;
    possible++;
    attended += came;
    if (s >= iFrom && s <= iTo) {
      exPossible++;
      exAttended += came;
    }
  }
  const actual = parts(possible, attended);
  const adjusted = parts(possible - exPossible, attended - exAttended);
  const left = integration
    ? `leaving out ${exPossible} possible session${exPossible === 1 ? '' : 's'} of the integration period ${integration.from} to ${integration.to}`
    : 'no integration period, so both rates are the same';
  return {
    actual,
    adjusted,
    excludedSessions: exPossible,
    integration,
    explanation:
      `actual attendance ${formatRate(actual.rate)} (${attended} of ${possible} sessions); ` +
      `adjusted ${formatRate(adjusted.rate)} (${adjusted.attended} of ${adjusted.possible}), ${left}`,
  };
}

/**
 * The default integration period of a pupil who joined on `joined`: from that day to the last
 * school day of the `schoolWeeks`-th school week that has a session on or after it. Null when
 * the calendar has no school session on or after `joined`, or `schoolWeeks` is 0.
 */
export function defaultIntegrationPeriod(
  cal: SchoolCalendar,
  joined: PlainDate,
  schoolWeeks: number,
): IntegrationPeriod | null {
  const first = firstSessionOnOrAfter(cal, joined);
  if (first >= cal.sessionCount || schoolWeeks <= 0) return null;
  const lastWeek = cal.sessionWeek[first]! + schoolWeeks - 1;
  let last = first;
  while (last + 1 < cal.sessionCount && cal.sessionWeek[last + 1]! <= lastWeek) last++;
  return { from: joined, to: cal.sessionDate[last]! };
}
