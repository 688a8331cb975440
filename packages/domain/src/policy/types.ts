/**
 * Staged casework as data: a school's attendance policy names its bands and its stages, each
 * stage with the triggers that bring a pupil into it, the actions it proposes, when it is
 * reviewed and when a pupil may step down. `evaluate` (evaluate.ts) reads these with a pupil's
 * case facts and proposes; people decide.
 */
import type { PlainDate } from '../dates.js';

/** A colour band for an attendance rate (e.g. the red/orange/yellow/green of a ROYG letter). */
export interface AttendanceBand {
  readonly name: string;
  /** Lowest rate in the band, as a fraction (0.95 = 95%), inclusive. */
  readonly minRate: number;
  /** A colour name the UI maps to a tag colour (e.g. 'green', 'yellow', 'red', 'purple'). */
  readonly colour: string;
  /** What the band means for a pupil in it, in a few words (shown beside the band). */
  readonly description?: string;
}

/**
 * A condition that brings a pupil into a stage. Every kind looks at more absence as worse, so
 * more absence can only make a trigger hold, never stop it holding.
 */
export type Trigger =
  /** Year-to-date attendance rate strictly below `rate`. */
  | { readonly kind: 'rateBelow'; readonly rate: number }
  /** Attendance over the last `weeks` school weeks strictly below `rate`. */
  | { readonly kind: 'rateBelowOverLastWeeks'; readonly rate: number; readonly weeks: number }
  /** At least `sessions` unauthorised absence sessions in the last `weeks` school weeks. */
  | { readonly kind: 'unauthorisedSessionsInRollingWeeks'; readonly sessions: number; readonly weeks: number }
  /** At least `weeks` broken weeks (a week with any absence) this year. */
  | { readonly kind: 'brokenWeeksAtLeast'; readonly weeks: number }
  /** At least `days` consecutive school days absent, up to "as of". */
  | { readonly kind: 'consecutiveDaysAbsent'; readonly days: number }
  /** The rate now is no better than (≤) the rate at the current stage's last review. */
  | { readonly kind: 'noImprovementSinceReview' }
  /** At least `schoolWeeks` school weeks in the current stage. */
  | { readonly kind: 'timeInStageAtLeast'; readonly schoolWeeks: number }
  /** At least `meetings` meetings in the current stage not attended (`CaseFacts.meetingsNotAttendedInStage`). */
  | { readonly kind: 'meetingNotAttended'; readonly meetings: number }
  /** At least `targets` plan targets missed at review (`CaseFacts.planTargetsMissed`). */
  | { readonly kind: 'planTargetsMissed'; readonly targets: number }
  /** Every one of `all` holds (e.g. parents not engaging AND the unauthorised-absence threshold). */
  | { readonly kind: 'allOf'; readonly all: readonly Trigger[] };

/**
 * A condition for stepping down. Every kind looks at less absence as better (or at time only),
 * so more absence can never make a step down hold: the types forbid stepping down *because of*
 * more absence.
 */
export type StepDownCondition =
  /** Year-to-date attendance rate at least `rate`. */
  | { readonly kind: 'rateAtLeast'; readonly rate: number }
  /** Attendance over the last `weeks` school weeks at least `rate`. */
  | { readonly kind: 'rateAtLeastOverLastWeeks'; readonly rate: number; readonly weeks: number }
  /** At most `sessions` unauthorised absence sessions in the last `weeks` school weeks. */
  | { readonly kind: 'unauthorisedSessionsInRollingWeeksAtMost'; readonly sessions: number; readonly weeks: number }
  /** The rate now is strictly better than at the current stage's last review. */
  | { readonly kind: 'improvedSinceReview' }
  /** At least `schoolWeeks` school weeks in the current stage. */
  | { readonly kind: 'timeInStageAtLeast'; readonly schoolWeeks: number };

/** Anything `evaluate` checks. */
export type Condition = Trigger | StepDownCondition;

export interface PolicyStage {
  /** Stable id, e.g. 'stage-2'. */
  readonly id: string;
  /** Shown to people, e.g. 'Stage 2: meeting with the attendance lead'. */
  readonly name: string;
  /** Position in the ladder: higher is more intensive. Unique within a policy. */
  readonly order: number;
  /** ANY of them holding brings a pupil into (or towards) this stage. */
  readonly triggers: readonly Trigger[];
  /** What the stage proposes, e.g. 'letter:stage-1a', 'meeting', 'plan'. */
  readonly actions: readonly string[];
  /** A review is due this many school weeks after entering the stage (or after the last review). */
  readonly reviewAfterSchoolWeeks: number;
  /** ALL of them holding (and none of this stage's triggers) proposes stepping down one stage. */
  readonly stepDownWhen?: readonly StepDownCondition[];
  /** Actions proposed with a step down, e.g. 'letter:positive'. Default ['letter:positive']. */
  readonly stepDownActions?: readonly string[];
  /**
   * Where a step down leads: the id of a lower stage, or null to close the case (out of staged
   * casework). Default: the stage just below (or out of staged casework from the lowest stage).
   */
  readonly stepDownTo?: string | null;
}

export interface AttendancePolicy {
  readonly id: string;
  readonly name: string;
  /** Where the policy is written, e.g. 'seed 001' or the school's policy document. */
  readonly source: string;
  /** The school's attendance target as a fraction (e.g. 0.96), when it has one. */
  readonly target?: number;
  /**
   * When set, the policy is read over the adjusted rate (adjusted.ts): each pupil's first
   * `integrationSchoolWeeks` school weeks on roll are left out of the rate its triggers see,
   * while the actual rate is still reported.
   */
  readonly adjustedAttendance?: { readonly integrationSchoolWeeks: number };
  /** Shortest support or improvement plan, in school weeks (Rollcall's default 6 when absent). */
  readonly minPlanSchoolWeeks?: number;
  /** A Notice to Improve's monitoring period (Rollcall's default '15-school-days' when absent). */
  readonly noticeToImprovePeriod?: '15-school-days' | '6-weeks';
  /**
   * New entries into staged casework (first-stage suggestions) one evaluation proposes at most,
   * the most serious first; the rest are held back to the next evaluation. Absent: no cap.
   */
  readonly maxNewEntriesPerRun?: number;
  readonly bands: readonly AttendanceBand[];
  readonly stages: readonly PolicyStage[];
}

/** The year-to-date measures a case needs; `PupilMeasures` (measures.ts) has them all. */
export interface CaseMeasures {
  /** Fraction of possible sessions attended; null when there are no possible sessions. */
  readonly attendanceRate: number | null;
  readonly unauthorisedAbsenceSessions: number;
  readonly brokenWeeks: number;
}

export interface CaseFacts {
  /** The day of the evaluation. */
  readonly asOf: PlainDate;
  /** Year to date. */
  readonly measures: CaseMeasures;
  readonly recent: {
    /** Attendance rate over the last N school weeks, keyed by N; null when no possible sessions. */
    readonly rateOverLastWeeks: Readonly<Record<number, number | null>>;
    /** Unauthorised absence sessions in the last N school weeks, keyed by N. */
    readonly unauthorisedInLastWeeks: Readonly<Record<number, number>>;
    /** School days absent in a row up to "as of". */
    readonly consecutiveDaysAbsent: number;
  };
  /** The pupil's current stage, or null when the pupil is in no stage. */
  readonly currentStage: {
    readonly id: string;
    readonly enteredOn: PlainDate;
    readonly schoolWeeksInStage: number;
    readonly lastReview?: {
      readonly on: PlainDate;
      /** Year-to-date attendance rate recorded at the review. */
      readonly rate: number;
      /** School weeks since the review (the next review is due from here). */
      readonly schoolWeeksSince: number;
    };
  } | null;
  /** Meetings in the current stage the family did not attend (filled from the case record). */
  readonly meetingsNotAttendedInStage?: number;
  /** Plan targets missed at the plan's reviews in the current stage (filled from the case record). */
  readonly planTargetsMissed?: number;
}

/** One condition checked, with the number used and the threshold it was held against. */
export interface TriggerResult {
  /** The stage whose condition this is. */
  readonly stageId: string;
  /** Why it was checked: a stage's trigger, a step-down condition, or the review period. */
  readonly role: 'trigger' | 'stepDown' | 'review';
  readonly condition: Condition;
  readonly met: boolean;
  /** The pupil's figure (rate as a fraction, or a count); null when there is none. */
  readonly value: number | null;
  /** The figure it was held against; null when there is none (e.g. no review yet). */
  readonly threshold: number | null;
  /** The check in words, with its numbers and dates. */
  readonly explanation: string;
}

export type SuggestionKind = 'enter' | 'review' | 'stepDown' | 'stay';

/** A proposal for people to decide on, never an action taken. */
export interface Suggestion {
  readonly kind: SuggestionKind;
  readonly asOf: PlainDate;
  /** The stage the pupil is in now, or null. */
  readonly fromStageId: string | null;
  /** enter: the proposed stage; stepDown: the stage below (null = out of staged casework); review/stay: the current stage. */
  readonly toStageId: string | null;
  /** The proposed actions (the entered stage's actions, the step-down actions, or ['review']). */
  readonly actions: readonly string[];
  /** Where the policy is written. */
  readonly source: string;
  /** The proposal in words, with its numbers, dates and source. */
  readonly explanation: string;
  /** Every condition checked for this proposal. Never empty. */
  readonly because: readonly TriggerResult[];
}
