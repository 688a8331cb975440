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
 * When a rule is checked, i.e. whose measures it reads (docs/policy.md, "Cadence"):
 * - 'today' (the default): every school day, the measures up to "as of";
 * - 'halfTermCheck': the last school day of the latest half-term (calendar term) ended this
 *   school year, with the measures as they stood that day; nothing before the first one;
 * - 'reviewPoint': the latest of the policy's `reviewPoints` reached this school year, with the
 *   measures as they stood that day; nothing before the first one.
 * A rule read at a check point gives the same answer every day until the next check point, so
 * a proposal made at a check point stays until people decide (or the next check point).
 */
export type CheckAt = 'today' | 'halfTermCheck' | 'reviewPoint';

/**
 * A review point of the school year: a date (the first school day on or after it), or the first
 * or last school week of a month (its first school day, or its last school day).
 */
export type ReviewPoint =
  | { readonly kind: 'date'; readonly month: number; readonly day: number; readonly label?: string }
  | {
      readonly kind: 'schoolWeekOf';
      readonly which: 'first' | 'last';
      readonly month: number;
      readonly label?: string;
    };

/**
 * Time measured from when something started, through the school's calendar: school days,
 * school weeks, or calendar months (docs/casework.md, "Time").
 */
export type Anchor =
  /** The day the current stage was entered. */
  | 'stageEntry'
  /** The day the current Notice to Improve was issued. */
  | 'noticeIssued'
  /** The last school day of the current Notice to Improve's period (15 school days, or 6 weeks). */
  | 'noticePeriodEnd'
  /** The day the current attendance contract was agreed. */
  | 'contractAgreed'
  /** The start of the current (active) plan. */
  | 'planStart';

export type Span =
  { readonly schoolDays: number } | { readonly schoolWeeks: number } | { readonly calendarMonths: number };

/** Engagement facts from the case record (docs/casework.md, "Engagement"). */
export type EngagementFact =
  /** A contract in the case is recorded as broken. */
  | 'contractBroken'
  /** A medical action plan (plan kind 'medical') has been agreed in the case. */
  | 'medicalActionPlanAgreed'
  /** A parent refused support: a referral (e.g. early help) declined, or a support meeting refused. */
  | 'parentRefusedSupport';

/**
 * A condition that brings a pupil into a stage. Every kind but `not` looks at more absence as
 * worse, so more absence can only make a trigger hold, never stop it holding; `not` is meant
 * for gates on the case record (e.g. "not only illness, unless a medical action plan is agreed").
 */
export type Trigger =
  /** Attendance rate strictly below `rate`: year to date, or as it stood at a check point. */
  | { readonly kind: 'rateBelow'; readonly rate: number; readonly at?: CheckAt }
  /** Attendance over the last `weeks` school weeks strictly below `rate`. */
  | { readonly kind: 'rateBelowOverLastWeeks'; readonly rate: number; readonly weeks: number }
  /** At least `sessions` unauthorised absence sessions in the last `weeks` school weeks. */
  | { readonly kind: 'unauthorisedSessionsInRollingWeeks'; readonly sessions: number; readonly weeks: number }
  /** At least `weeks` broken weeks (a week with any absence) this year. */
  | { readonly kind: 'brokenWeeksAtLeast'; readonly weeks: number }
  /** At least `days` consecutive school days absent, up to "as of". */
  | { readonly kind: 'consecutiveDaysAbsent'; readonly days: number }
  /**
   * No improvement at the latest review of the current stage: the rate recorded at that review
   * is no better than (≤) the rate at the review before it, or at stage entry for the first
   * review. Not the rate today: a present day after the review changes nothing.
   */
  | { readonly kind: 'noImprovementSinceReview' }
  /**
   * No improvement at the latest of the policy's review points: the rate then is no better than
   * at the previous review point, or than the September baseline (last year's rate) at the
   * first review point of the year. Only for a pupil already in the current stage before that
   * review point.
   */
  | { readonly kind: 'noImprovementAtReviewPoint' }
  /** At least `schoolWeeks` school weeks in the current stage. */
  | { readonly kind: 'timeInStageAtLeast'; readonly schoolWeeks: number }
  /** At least `span` (school days, school weeks or calendar months) since `from`; not met without it. */
  | { readonly kind: 'timeSince'; readonly from: Anchor; readonly span: Span }
  /** At least `meetings` meetings in the current stage not attended (`CaseFacts.meetingsNotAttendedInStage`). */
  | { readonly kind: 'meetingNotAttended'; readonly meetings: number }
  /** At least `targets` plan targets missed at review (`CaseFacts.planTargetsMissed`). */
  | { readonly kind: 'planTargetsMissed'; readonly targets: number }
  /** An engagement fact from the case record holds. */
  | { readonly kind: 'engagement'; readonly fact: EngagementFact }
  /** At least `share` (a fraction) of this year's absence sessions are illness or medical (I, M). */
  | { readonly kind: 'illnessShareAtLeast'; readonly share: number }
  /** Any unauthorised absence inside the current Notice to Improve's period (15 school days). */
  | { readonly kind: 'noticeBreached' }
  /** Last year's attendance below `rate` (0.9: persistently absent); checked only before the year's first check point. */
  | { readonly kind: 'lastYearRateBelow'; readonly rate: number }
  /** Every one of `all` holds (e.g. parents not engaging AND the unauthorised-absence threshold). */
  | { readonly kind: 'allOf'; readonly all: readonly Trigger[] }
  /** At least one of `any` holds. */
  | { readonly kind: 'anyOf'; readonly any: readonly Trigger[] }
  /** `condition` does not hold. */
  | { readonly kind: 'not'; readonly condition: Trigger };

/**
 * A condition for stepping down. Every kind looks at less absence as better (or at time only),
 * so more absence can never make a step down hold: the types forbid stepping down *because of*
 * more absence.
 */
export type StepDownCondition =
  /** Attendance rate at least `rate`: year to date, or as it stood at a check point. */
  | { readonly kind: 'rateAtLeast'; readonly rate: number; readonly at?: CheckAt }
  /** Attendance over the last `weeks` school weeks at least `rate`. */
  | { readonly kind: 'rateAtLeastOverLastWeeks'; readonly rate: number; readonly weeks: number }
  /** At most `sessions` unauthorised absence sessions in the last `weeks` school weeks. */
  | { readonly kind: 'unauthorisedSessionsInRollingWeeksAtMost'; readonly sessions: number; readonly weeks: number }
  /** Improvement at the latest review: its rate strictly better than at the review before (or stage entry). */
  | { readonly kind: 'improvedSinceReview' }
  /** Improvement at the latest review point: its rate strictly better than at the previous one (or the baseline). */
  | { readonly kind: 'improvedAtReviewPoint' }
  /** At least `schoolWeeks` school weeks in the current stage. */
  | { readonly kind: 'timeInStageAtLeast'; readonly schoolWeeks: number }
  /** At least `span` since `from`. */
  | { readonly kind: 'timeSince'; readonly from: Anchor; readonly span: Span };

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
  /**
   * The stage is entered only from the stage just below it (e.g. a Notice to Improve only after
   * Stage 2): a pupil lower down who meets its entry rule is proposed the stage below it first.
   */
  readonly requiresPrevious?: boolean;
  /**
   * A step down from a higher stage stops here even when the pupil could go lower (none of this
   * stage's triggers holding and its step-down conditions holding): one stage and one positive
   * letter at a time (All Saints' "Positive escalation of Stage 5-4-3-2-1").
   */
  readonly stopOnStepDown?: boolean;
  /**
   * When a pupil skips this stage (entering a higher one where they stand), its actions are
   * still to offer with the higher stage's, rather than skipped (support first).
   */
  readonly offerWhenSkipped?: boolean;
  /**
   * Actions proposed while in this stage when their condition holds, without changing the stage
   * (e.g. a penalty notice after unauthorised absence during a Notice to Improve).
   */
  readonly inStage?: readonly {
    readonly id: string;
    readonly when: Trigger;
    readonly actions: readonly string[];
  }[];
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
  /** The school year's review points (for conditions read `at: 'reviewPoint'`), in year order. */
  readonly reviewPoints?: readonly ReviewPoint[];
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

/** A measure as it stood on a check day. */
export interface CheckPointFact {
  readonly on: PlainDate;
  /** The attendance rate the policy reads, as it stood that day; null when no possible sessions. */
  readonly rate: number | null;
  /** A label for the words, e.g. 'Autumn 1' or 'October review point'. */
  readonly label: string;
}

/** Time since a start date, counted through the school's calendar. */
export interface AnchorFact {
  readonly on: PlainDate;
  readonly schoolDays: number;
  readonly schoolWeeks: number;
  readonly calendarMonths: number;
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
    /** The rate the policy reads as it stood the day the stage was entered (null: none). */
    readonly rateAtEntry?: number | null;
    readonly lastReview?: {
      readonly on: PlainDate;
      /** Attendance rate recorded at the review. */
      readonly rate: number;
      /** School weeks since the review (the next review is due from here). */
      readonly schoolWeeksSince: number;
      /**
       * What the review is compared with: the review before it in the stage, or the stage entry
       * (null rate: nothing to compare with).
       */
      readonly previous?: { readonly on: PlainDate; readonly rate: number | null; readonly what: string };
    };
  } | null;
  /** Stage ids the pupil has been in during the open case (for the support-first steps done). */
  readonly stagesBefore?: readonly string[];
  /** Meetings in the current stage the family did not attend (filled from the case record). */
  readonly meetingsNotAttendedInStage?: number;
  /** Plan targets missed at the plan's reviews in the current stage (filled from the case record). */
  readonly planTargetsMissed?: number;
  /** Engagement facts from the case record, those the policy reads. */
  readonly engagement?: Partial<Readonly<Record<EngagementFact, boolean>>>;
  /** Share of this year's absence sessions that are illness or medical (I, M); null: no absence. */
  readonly illnessShare?: number | null;
  /** The latest half-term check this year (null: none yet). */
  readonly halfTermCheck?: CheckPointFact | null;
  /** The latest review point this year and the one it is compared with (null: none yet). */
  readonly reviewPoint?: (CheckPointFact & { readonly previous: CheckPointFact | null }) | null;
  /** Last year's measures (null: no marks last year); `beforeFirstCheck`: the year's first check point has not come. */
  readonly lastYear?: { readonly attendanceRate: number | null; readonly beforeFirstCheck: boolean } | null;
  /** The current Notice to Improve (null: none in monitoring). */
  readonly noticeToImprove?: {
    readonly issuedOn: PlainDate;
    readonly periodEndsOn: PlainDate;
    /** Unauthorised sessions from the issue day to the end of the period (or "as of"). */
    readonly unauthorisedInPeriod: number;
    /** A penalty notice has been issued, or one proposed and decided, since the notice. */
    readonly penaltyDecided: boolean;
  } | null;
  /** Time since each start date the policy measures from (absent key: no such start). */
  readonly since?: Partial<Readonly<Record<Anchor, AnchorFact | null>>>;
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

export type SuggestionKind = 'enter' | 'review' | 'stepDown' | 'stay' | 'action';

/** A support-first step the policy expects before the proposed stage, and where it stands. */
export interface SupportStep {
  readonly stageId: string;
  readonly name: string;
  /** done: the pupil has been in the stage; skipped: not needed (reason); toOffer: its actions come with this proposal. */
  readonly status: 'done' | 'skipped' | 'toOffer';
  readonly reason: string;
  readonly actions: readonly string[];
}

/** A proposal for people to decide on, never an action taken. */
export interface Suggestion {
  readonly kind: SuggestionKind;
  readonly asOf: PlainDate;
  /** The stage the pupil is in now, or null. */
  readonly fromStageId: string | null;
  /** enter: the proposed stage; stepDown: the stage below (null = out of staged casework); review/stay/action: the current stage. */
  readonly toStageId: string | null;
  /** The proposed actions (the entered stage's actions, the step-down actions, or ['review']). */
  readonly actions: readonly string[];
  /** Where the policy is written. */
  readonly source: string;
  /** The proposal in words, with its numbers, dates and source. */
  readonly explanation: string;
  /** Every condition checked for this proposal. Never empty. */
  readonly because: readonly TriggerResult[];
  /** enter / stepDown past stages: the stages passed, each done, skipped (with why) or still to offer. */
  readonly steps?: readonly SupportStep[];
}
