/**
 * The parts of a school's attendance policy beside the staged casework: register times, the
 * first-day follow-up ladder, N-to-O conversion, the PA/SA minimum, the leave rules and the
 * bands of the half-termly letter. A preset carries the ones its seed states (`PresetSettings`);
 * what a seed does not state is left to the school's current settings.
 *
 * Pure data and defaults: the document is validated in the server (`school-policy.ts`).
 */
import type { PlainDate, Session } from '../dates.js';
import type { RegisterWindow } from '../registers.js';

/**
 * The first-day follow-up ladder, in school days of unexplained absence, and the time by which
 * the office calls home on the first day (null: no time set, the worklist says "first-day calls").
 */
export interface FollowUpSettings {
  readonly homeVisitFirstDay: number;
  readonly homeVisitEveryDays: number;
  readonly vulnerableHomeVisitDay: number;
  readonly cmeEnquiriesDay: number;
  readonly cmeReferralDay: number;
  /** `HH:MM`: the office calls parents who have not reported an absence by this time. */
  readonly firstCallBy?: string | null;
}

/** Leave kinds a request can be for (the register code each is granted with is in the leave service). */
export const LEAVE_RULE_KINDS = ['exceptional', 'religious', 'traveller', 'performance'] as const;
export type LeaveRuleKind = (typeof LEAVE_RULE_KINDS)[number];

/** A period the school lists when leave is not granted ("immediately before and during" statutory assessments). */
export interface AssessmentPeriod {
  readonly name: string;
  readonly from: PlainDate;
  readonly to: PlainDate;
}

/** Lunchtime passes: whether the school offers them and on what terms (seed 001 §10). */
export interface LunchtimePassRules {
  /** Whether parents may ask for one at all. */
  readonly offered: boolean;
  /** The headteacher answers in writing within this many calendar days (null: not set). */
  readonly decisionWithinDays: number | null;
  /** The pupil leaves within this many minutes of the start of lunch (null: not set). */
  readonly leaveWithinMinutes: number | null;
  /** The pupil is back at least this many minutes before lunch ends (null: not set). */
  readonly returnMinutesBeforeEnd: number | null;
  /** Permission lapses at the end of each term unless the parent asks for it to continue. */
  readonly renewTermly: boolean;
}

/**
 * The school's rules for leave of absence. Leave is never granted retrospectively (always; the
 * law and every seed agree), so that is not a setting.
 */
export interface LeaveRules {
  /** Calendar days' notice by kind ("four weeks" is 28). */
  readonly noticeDays: Readonly<Record<LeaveRuleKind, number>>;
  /** Exceptional leave is refused when the year's record shows any unauthorised absence. */
  readonly refuseWithAnyUnauthorisedAbsence: boolean;
  /**
   * Exceptional leave is refused when authorised absence this year is already above this share
   * of possible sessions (0.1 = 10%); null: not a ground (the figure is still shown).
   */
  readonly authorisedAbsenceLimit: number | null;
  /** A licensed performance is not authorised when attendance would fall below this (0.96 = 96%). */
  readonly performanceAttendanceLimit: number;
  /** Requests of this many school days or more need a forwarding address. */
  readonly forwardingAddressSchoolDays: number;
  /** The school's statutory assessment periods (with the run-up it treats as "immediately before"). */
  readonly assessmentPeriods: readonly AssessmentPeriod[];
  readonly lunchtimePasses: LunchtimePassRules;
}

/**
 * Rollcall's leave rules when a policy says nothing (what the leave service did before leave
 * rules were per school): four weeks' notice (a week for religious observance, a legal
 * entitlement), refusal with any unauthorised absence or authorised absence above 10%, a
 * performance limit of 90% (the persistent-absence line), a forwarding address from 15 school
 * days, no assessment periods, lunchtime passes offered with no further terms.
 *
 * @see ../../../../../shared/seeds/001_43e87305f1d06844.txt "Leave of absence"
 */
export const DEFAULT_LEAVE_RULES: LeaveRules = Object.freeze({
  noticeDays: Object.freeze({ exceptional: 28, religious: 7, traveller: 28, performance: 28 }),
  refuseWithAnyUnauthorisedAbsence: true,
  authorisedAbsenceLimit: 0.1,
  performanceAttendanceLimit: 0.9,
  forwardingAddressSchoolDays: 15,
  assessmentPeriods: Object.freeze([]),
  lunchtimePasses: Object.freeze({
    offered: true,
    decisionWithinDays: null,
    leaveWithinMinutes: null,
    returnMinutesBeforeEnd: null,
    renewTermly: false,
  }),
});

/** A band of the half-termly attendance letter: what a parent is told about a rate. */
export interface LetterBand {
  /** Lowest rate in the band, a fraction (0.96 = 96%), inclusive. */
  readonly from: number;
  readonly label: string;
  /** A sentence for parents. */
  readonly advice: string;
}

/** The half-termly attendance letter to every family: its bands, highest first. */
export interface HalfTermlyLetterSettings {
  readonly bands: readonly LetterBand[];
}

/**
 * What a preset brings beside its casework: only what its seed states. Every part is optional
 * and partial; what is left out keeps the school's current setting when the preset is chosen.
 * The school's own assessment-period dates are never replaced by a preset (no seed lists dates).
 */
export interface PresetSettings {
  readonly registerTimes?: Partial<Record<Session, RegisterWindow>>;
  readonly minPossibleSessions?: number;
  readonly convertNToOAfterSchoolDays?: number | null;
  readonly followUp?: Partial<FollowUpSettings>;
  readonly leave?: Partial<Omit<LeaveRules, 'noticeDays' | 'lunchtimePasses' | 'assessmentPeriods'>> & {
    readonly noticeDays?: Partial<Record<LeaveRuleKind, number>>;
    readonly lunchtimePasses?: Partial<LunchtimePassRules>;
  };
  readonly halfTermlyLetter?: HalfTermlyLetterSettings;
}
