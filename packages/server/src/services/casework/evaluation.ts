/**
 * Long on purpose: one daily run: facts, evaluation, the entry cap and storing
 * proposals share the run's state and its idempotency rules, which are easiest to check read
 * together.
 *
 * The daily casework evaluation: for each pupil on roll, the case facts from marks and the case
 * record, `evaluate` with the school's casework policy, and the proposals stored for people to
 * decide on. It never changes a stage, opens a case or takes an action by itself.
 *
 * - Idempotent: run twice on a day, it stores nothing twice (one suggestion per pupil, day and
 *   fingerprint; a unique index backs this up).
 * - An identical suggestion that is still open is not repeated; one dismissed in the last
 *   14 days is not repeated either (people decided; the facts must change first).
 * - Open suggestions that no longer hold (the evaluation no longer proposes them) are marked
 *   `superseded`, so the officer's list shows only what holds today.
 * - "stay" proposals are not stored: nothing to decide.
 * - With the policy's `maxNewEntriesPerRun`, at most that many new entries into staged casework
 *   are stored, the most serious (lowest rate) first; the rest are held back (counted, audited
 *   and shown on the list) and come again at the next evaluation while they hold.
 */
import {
  academicYearOf,
  CODES_2024_FROM,
  lookupCode,
  sessionIndex,
  addDays,
  adjustedAttendance,
  factsAskedFor,
  analysisContext,
  evaluate,
  firstSessionOnOrAfter,
  lastSessionOnOrBefore,
  measurePupil,
  type Anchor,
  type AnchorFact,
  type AttendancePolicy,
  type CaseFacts,
  type FactNeeds,
  type PlainDate,
  type SchoolCalendar,
  type Session,
  type Suggestion,
} from '@rollcall/domain';
import {
  activePlanTargetsAtSchool,
  contractsAgreedAtSchool,
  declinedReferralsAtSchool,
  meetingsNotAttendedAtSchool,
  noticesIssuedAtSchool,
  openStageEntriesAtSchool,
  penaltyNoticesAtSchool,
  plansStartedAtSchool,
  pupilsOnRollOn,
  reviewsAtSchool,
  sessionMarksByPupilAtSchool,
  stageHistoryAtSchool,
} from '../../db/casework/evaluation.js';
import {
  decidedActionSuggestionsAt,
  insertSuggestions,
  suggestionsBearingOn,
  supersedeSuggestion,
} from '../../db/casework/suggestions.js';
import type { DbOrTrx } from '../../db/connect.js';
import { getSchool } from '../school/schools.js';
import { newId } from '../../platform/ids.js';
import { audit } from '../audit.js';
import { SYSTEM_ACTOR, type Actor } from '../authz.js';
import type { Deps } from '../deps.js';
import {
  integrationPeriodFor,
  integrationSchoolWeeksOf,
  recordedIntegrationPeriods,
  type RecordedIntegrationPeriod,
} from '../pupils/integration-periods.js';
import { schoolCalendar } from '../registers/registers.js';
import {
  absenceCounts,
  anchorFact,
  halfTermCheckDays,
  rateOver,
  recentFigures,
  reviewPointDays,
  schoolWeeksBetween,
  type CheckDay,
} from './facts.js';
import { capNewEntries, isNewEntry, type Proposal } from './entry-cap.js';
import { nextPenaltyNotice } from './ledger.js';
import { caseworkPolicyOf, maxNewEntriesPerRun } from './policy.js';
import { nameAdjustedRate } from './wording.js';

/** A dismissed suggestion is not proposed again for this many days unless something differs. */
export const DISMISSAL_QUIET_DAYS = 14;

export interface EvaluationResult {
  readonly schoolId: string;
  readonly asOf: PlainDate;
  readonly pupilsEvaluated: number;
  /** New suggestions stored. */
  readonly created: number;
  /** Proposals not stored because an identical one is open (or was dismissed lately). */
  readonly alreadyOpen: number;
  /** Open suggestions that no longer hold. */
  readonly superseded: number;
  /** New entries into staged casework not stored because of the policy's cap (`maxNewEntriesPerRun`). */
  readonly heldBack: number;
}

/** What makes two suggestions "identical". */
export function fingerprint(s: Pick<Suggestion, 'kind' | 'fromStageId' | 'toStageId' | 'actions'>): string {
  return [s.kind, s.fromStageId ?? '-', s.toStageId ?? '-', s.actions.join(',')].join('|');
}

interface PupilCaseState {
  readonly stageRowId: string;
  readonly stageId: string;
  readonly enteredOn: PlainDate;
  /** Reviews of the current stage, oldest first. */
  readonly reviews: readonly { on: PlainDate; rate: number | null }[];
  readonly meetingsNotAttended: number;
  readonly planTargetsMissed: number;
}

/** What the case record says beyond the stage (engagement, plans, notices, contracts), per pupil. */
export interface PupilRecordFacts {
  /** Stage ids entered since the pupil last came into staged casework (the open case). */
  stagesBefore: string[];
  medicalActionPlanAgreed: boolean;
  contractBroken: boolean;
  parentRefusedSupport: boolean;
  /** The latest contract (not ended), the latest active plan, the latest notice (not withdrawn). */
  contractAgreedOn: PlainDate | null;
  planStartsOn: PlainDate | null;
  notice: { issuedOn: PlainDate; periodEndsOn: PlainDate; status: string } | null;
  /** Penalty notices issued (dates) and penalty-notice proposals decided (dates of the proposal). */
  penaltiesOn: PlainDate[];
  penaltyProposalsDecidedOn: PlainDate[];
}

const emptyRecord = (): PupilRecordFacts => ({
  stagesBefore: [],
  medicalActionPlanAgreed: false,
  contractBroken: false,
  parentRefusedSupport: false,
  contractAgreedOn: null,
  planStartsOn: null,
  notice: null,
  penaltiesOn: [],
  penaltyProposalsDecidedOn: [],
});

/** Current stage, its reviews, meetings not attended and plan targets missed, per pupil of a school. */
async function caseStates(db: DbOrTrx, schoolId: string): Promise<Map<string, PupilCaseState>> {
  const stages = await openStageEntriesAtSchool(db, schoolId);
  const reviews = await reviewsAtSchool(db, schoolId);
  const reviewsOf = new Map<string, { on: PlainDate; rate: number | null }[]>();
  for (const r of reviews) {
    const list = reviewsOf.get(r.case_stage_id) ?? [];
    list.push({ on: r.reviewed_on as PlainDate, rate: r.rate });
    reviewsOf.set(r.case_stage_id, list);
  }
  const meetings = await meetingsNotAttendedAtSchool(db, schoolId);
  const plans = await activePlanTargetsAtSchool(db, schoolId);
  const missed = new Map<string, number>();
  for (const p of plans) {
    let targets: { met?: boolean | null }[] = [];
    try {
      targets = JSON.parse(p.targets) as { met?: boolean | null }[];
    } catch {
      targets = [];
    }
    missed.set(p.pupil_id, (missed.get(p.pupil_id) ?? 0) + targets.filter((t) => t.met === false).length);
  }
  const out = new Map<string, PupilCaseState>();
  for (const s of stages) {
    if (s.stage_id === null) continue;
    const enteredOn = s.entered_on as PlainDate;
    out.set(s.pupil_id, {
      stageRowId: s.id,
      stageId: s.stage_id,
      enteredOn,
      reviews: reviewsOf.get(s.id) ?? [],
      meetingsNotAttended: meetings.filter((m) => m.pupil_id === s.pupil_id && m.scheduled_for >= enteredOn).length,
      planTargetsMissed: missed.get(s.pupil_id) ?? 0,
    });
  }
  return out;
}

/** The case record beyond the stage, per pupil of a school: only the parts the policy reads. */
async function recordFacts(
  db: DbOrTrx,
  schoolId: string,
  needs: FactNeeds,
  asOf: PlainDate,
): Promise<Map<string, PupilRecordFacts>> {
  const out = new Map<string, PupilRecordFacts>();
  const of = (id: string) => {
    let r = out.get(id);
    if (!r) out.set(id, (r = emptyRecord()));
    return r;
  };
  // Stages entered in the open case: every stage row since the pupil last left staged casework.
  const history = await stageHistoryAtSchool(db, schoolId, asOf);
  for (const h of history) {
    const r = of(h.pupil_id);
    if (h.stage_id === null) r.stagesBefore = [];
    else if (!r.stagesBefore.includes(h.stage_id)) r.stagesBefore.push(h.stage_id);
  }
  const wantsPlans = needs.engagement.includes('medicalActionPlanAgreed') || needs.since.includes('planStart');
  if (wantsPlans) {
    const plans = await plansStartedAtSchool(db, schoolId, asOf);
    for (const p of plans) {
      const r = of(p.pupil_id);
      if (p.kind === 'medical') r.medicalActionPlanAgreed = true;
      if (p.status === 'active') r.planStartsOn = p.starts_on as PlainDate;
    }
  }
  if (needs.engagement.includes('contractBroken') || needs.since.includes('contractAgreed')) {
    const contracts = await contractsAgreedAtSchool(db, schoolId, asOf);
    for (const c of contracts) {
      const r = of(c.pupil_id);
      if (c.status === 'broken') r.contractBroken = true;
      if (c.status !== 'ended') r.contractAgreedOn = c.agreed_on as PlainDate;
    }
  }
  if (needs.engagement.includes('parentRefusedSupport')) {
    const refused = await declinedReferralsAtSchool(db, schoolId);
    for (const x of refused) of(x.pupil_id).parentRefusedSupport = true;
  }
  if (needs.noticeToImprove || needs.since.includes('noticeIssued') || needs.since.includes('noticePeriodEnd')) {
    const notices = await noticesIssuedAtSchool(db, schoolId, asOf);
    for (const n of notices)
      of(n.pupil_id).notice = {
        issuedOn: n.issued_on as PlainDate,
        periodEndsOn: n.monitoring_ends_on as PlainDate,
        status: n.status,
      };
    const penalties = await penaltyNoticesAtSchool(db, schoolId);
    for (const x of penalties) of(x.pupil_id).penaltiesOn.push(x.issued_on as PlainDate);
    const decided = await decidedActionSuggestionsAt(db, schoolId);
    for (const x of decided)
      if (x.actions.includes('penalty-notice')) of(x.pupil_id).penaltyProposalsDecidedOn.push(x.as_of as PlainDate);
  }
  return out;
}

/** The school year's check days and the pupil-independent facts about them. */
export interface YearChecks {
  readonly yearStart: PlainDate;
  readonly yearStartSession: number;
  readonly halfTerm: CheckDay | null;
  readonly reviewPoint: CheckDay | null;
  readonly previousReviewPoint: CheckDay | null;
  readonly beforeFirstCheck: boolean;
  readonly lastYear: { from: number; to: number } | null;
}

export function yearChecks(cal: SchoolCalendar, policy: AttendancePolicy, asOf: PlainDate): YearChecks {
  const year = academicYearOf(asOf);
  const halfTerms = halfTermCheckDays(cal, year.start, year.end);
  const points = reviewPointDays(cal, policy.reviewPoints ?? [], year.start);
  const latest = <T extends CheckDay>(list: readonly T[]) => {
    let k = -1;
    list.forEach((c, i) => {
      if (c.on <= asOf) k = i;
    });
    return k;
  };
  const h = latest(halfTerms);
  const r = latest(points);
  const firsts = [halfTerms[0]?.on, points[0]?.on].filter((x): x is PlainDate => x !== undefined).sort();
  const last = academicYearOf(addDays(year.start, -1));
  const lyFrom = firstSessionOnOrAfter(cal, last.start);
  const lyTo = lastSessionOnOrBefore(cal, last.end);
  return {
    yearStart: year.start,
    yearStartSession: firstSessionOnOrAfter(cal, year.start),
    halfTerm: h >= 0 ? halfTerms[h]! : null,
    reviewPoint: r >= 0 ? points[r]! : null,
    previousReviewPoint: r > 0 ? points[r - 1]! : null,
    beforeFirstCheck: firsts.length === 0 || asOf < firsts[0]!,
    lastYear: lyTo >= lyFrom && lyFrom < cal.sessionCount ? { from: lyFrom, to: lyTo } : null,
  };
}

/** Builds one pupil's case facts: the figures every condition of the policy reads, nested ones included. */
export function buildCaseFacts(
  cal: SchoolCalendar,
  policy: AttendancePolicy,
  asOf: PlainDate,
  measures: { attendanceRate: number | null; unauthorisedAbsenceSessions: number; brokenWeeks: number },
  codes: Uint8Array,
  roll: { from: number; to: number },
  state: PupilCaseState | undefined,
  extra: {
    readonly needs?: FactNeeds;
    readonly record?: PupilRecordFacts | undefined;
    readonly checks?: YearChecks;
    /** Sessions left out of the rate the policy reads (an integration period), if any. */
    readonly skip?: { from: number; to: number } | null;
  } = {},
): CaseFacts {
  const needs = extra.needs ?? factsAskedFor(policy);
  const checks = extra.checks ?? yearChecks(cal, policy, asOf);
  const record = extra.record ?? emptyRecord();
  const skip = extra.skip ?? null;
  const recent = recentFigures(cal, asOf, codes, roll.from, roll.to, needs.weeks);
  const known = state && policy.stages.some((s) => s.id === state.stageId) ? state : undefined;
  const yearFrom = Math.max(roll.from, checks.yearStartSession);
  /** The rate the policy reads, as it stood at the end of `day`. */
  const rateOn = (day: PlainDate): number | null => {
    const to = Math.min(lastSessionOnOrBefore(cal, day), roll.to);
    if (to < yearFrom) return null;
    return rateOver(codes, yearFrom, to, skip).rate;
  };
  const lastYearRate =
    checks.lastYear && (needs.lastYear || needs.reviewPoint)
      ? rateOver(codes, Math.max(roll.from, checks.lastYear.from), Math.min(checks.lastYear.to, roll.to)).rate
      : null;
  const lastReview = known?.reviews.filter((r) => r.rate !== null).at(-1);
  const reviewsWithRate = known?.reviews.filter((r) => r.rate !== null) ?? [];
  const beforeReview = reviewsWithRate.length > 1 ? reviewsWithRate[reviewsWithRate.length - 2] : undefined;
  const asOfSession = lastSessionOnOrBefore(cal, asOf);

  const since: Partial<Record<Anchor, AnchorFact | null>> = {};
  for (const a of needs.since) {
    const on =
      a === 'stageEntry'
        ? (known?.enteredOn ?? null)
        : a === 'noticeIssued'
          ? (record.notice?.issuedOn ?? null)
          : a === 'noticePeriodEnd'
            ? (record.notice?.periodEndsOn ?? null)
            : a === 'contractAgreed'
              ? record.contractAgreedOn
              : record.planStartsOn;
    since[a] = on !== null && on <= asOf ? anchorFact(cal, on, asOf) : null;
  }

  let notice: CaseFacts['noticeToImprove'] = null;
  if (needs.noticeToImprove && record.notice && record.notice.status === 'monitoring') {
    const n = record.notice;
    const from = firstSessionOnOrAfter(cal, addDays(n.issuedOn, 1));
    const to = Math.min(lastSessionOnOrBefore(cal, n.periodEndsOn), asOfSession, roll.to);
    notice = {
      issuedOn: n.issuedOn,
      periodEndsOn: n.periodEndsOn,
      unauthorisedInPeriod: to >= from ? absenceCounts(codes, from, to).unauthorised : 0,
      penaltyDecided:
        record.penaltiesOn.some((d) => d >= n.issuedOn) ||
        record.penaltyProposalsDecidedOn.some((d) => d >= n.issuedOn),
    };
  }

  let illnessShare: number | null = null;
  if (needs.illnessShare) {
    const c = absenceCounts(codes, yearFrom, Math.min(asOfSession, roll.to));
    illnessShare = c.absent > 0 ? c.illness / c.absent : null;
  }

  const point = (c: CheckDay | null) => (c ? { on: c.on, rate: rateOn(c.on), label: c.label } : null);
  const firstDay =
    checks.yearStartSession < cal.sessionCount ? cal.sessionDate[checks.yearStartSession]! : checks.yearStart;
  return {
    asOf,
    measures: {
      attendanceRate: measures.attendanceRate,
      unauthorisedAbsenceSessions: measures.unauthorisedAbsenceSessions,
      brokenWeeks: measures.brokenWeeks,
    },
    recent,
    currentStage: known
      ? {
          id: known.stageId,
          enteredOn: known.enteredOn,
          schoolWeeksInStage: schoolWeeksBetween(cal, known.enteredOn, asOf),
          ...(lastReview && lastReview.rate !== null
            ? {
                lastReview: {
                  on: lastReview.on,
                  rate: lastReview.rate,
                  schoolWeeksSince: schoolWeeksBetween(cal, lastReview.on, asOf),
                  ...(needs.reviewComparison && {
                    previous:
                      beforeReview && beforeReview.rate !== null
                        ? { on: beforeReview.on, rate: beforeReview.rate, what: 'the review' }
                        : { on: known.enteredOn, rate: rateOn(known.enteredOn), what: 'stage entry' },
                  }),
                },
              }
            : {}),
        }
      : null,
    stagesBefore: record.stagesBefore,
    ...(needs.meetingsNotAttended && { meetingsNotAttendedInStage: known?.meetingsNotAttended ?? 0 }),
    ...(needs.planTargetsMissed && { planTargetsMissed: known?.planTargetsMissed ?? 0 }),
    ...(needs.engagement.length > 0 && {
      engagement: Object.fromEntries(needs.engagement.map((f) => [f, record[f]])),
    }),
    ...(needs.illnessShare && { illnessShare }),
    ...(needs.halfTermCheck && { halfTermCheck: point(checks.halfTerm) }),
    ...(needs.reviewPoint && {
      reviewPoint: checks.reviewPoint
        ? {
            ...point(checks.reviewPoint)!,
            previous: checks.previousReviewPoint
              ? point(checks.previousReviewPoint)
              : { on: firstDay, rate: lastYearRate, label: 'September baseline (last year’s attendance)' },
          }
        : null,
    }),
    ...(needs.lastYear && {
      lastYear: checks.lastYear ? { attendanceRate: lastYearRate, beforeFirstCheck: checks.beforeFirstCheck } : null,
    }),
    ...(needs.noticeToImprove && { noticeToImprove: notice }),
    ...(needs.since.length > 0 && { since }),
  };
}

/**
 * Evaluates every pupil on roll at a school on a day and stores new suggestions. Runs as the
 * system unless an actor is given (the CLI and the daily job run as the system). Audited once.
 */
export async function evaluateSchool(
  deps: Deps,
  schoolId: string,
  asOf: PlainDate,
  actor: Actor = SYSTEM_ACTOR,
): Promise<EvaluationResult> {
  const school = await getSchool(deps.db, schoolId);
  const policy = caseworkPolicyOf(school);
  const cal = await schoolCalendar(deps, school.id);
  const ctx = analysisContext(cal, { asOf, minPossibleSessions: school.policy.minPossibleSessions });
  const now = deps.clock.now();

  const pupils = await pupilsOnRollOn(deps.db, school.id, asOf);

  // Marks from the earlier of the year's start and the longest "last N weeks" window (and last
  // year's start when the policy reads last year's measures).
  const needs = factsAskedFor(policy);
  const checks = yearChecks(cal, policy, asOf);
  const longest = Math.max(0, ...needs.weeks);
  const windowStart = addDays(asOf, -7 * (longest + 1));
  let from = windowStart < ctx.periodFrom ? windowStart : ctx.periodFrom;
  if (needs.lastYear || needs.reviewPoint) {
    const lastYearStart = academicYearOf(addDays(checks.yearStart, -1)).start;
    if (lastYearStart < from) from = lastYearStart;
  }
  const markRows = await sessionMarksByPupilAtSchool(deps.db, school.id, from, asOf);
  // Laid straight into each pupil's compact codes (as layMarks does), without a row object per
  // mark: each `<date><AM|PM><code>` of the pupil's string read in place, the code of each (code,
  // code set) looked up once.
  const codesOf = new Map<string, Uint8Array>();
  const codeIds = new Map<string, number>();
  for (const r of markRows) {
    const codes = new Uint8Array(cal.sessionCount);
    codesOf.set(r.pupil_id, codes);
    const text = r.marks;
    for (let at = 0; at < text.length;) {
      let end = text.indexOf(',', at);
      if (end < 0) end = text.length;
      const date = text.slice(at, at + 10) as PlainDate;
      const session = text.slice(at + 10, at + 12) as Session;
      const code = text.slice(at + 12, end);
      at = end + 1;
      const s = sessionIndex(cal, date, session);
      if (s < 0) continue;
      const key = `${code}|${date >= CODES_2024_FROM ? 1 : 0}`;
      let id = codeIds.get(key);
      if (id === undefined) {
        const found = lookupCode(code, date);
        id = found.ok ? found.definition.id : 0;
        codeIds.set(key, id);
      }
      if (id !== 0) codes[s] = id;
    }
  }
  const states = await caseStates(deps.db, school.id);
  const records = await recordFacts(deps.db, school.id, needs, asOf);
  // A policy with adjusted attendance reads the adjusted rate: each pupil's integration period
  // (recorded, or the policy's default from admission) is left out (docs/policy.md).
  const integrationWeeks = integrationSchoolWeeksOf(school);
  const recordedPeriods =
    integrationWeeks === null
      ? new Map<string, RecordedIntegrationPeriod>()
      : await recordedIntegrationPeriods(
          deps.db,
          pupils.map((p) => p.id),
        );

  const proposals: Proposal[] = [];
  for (const p of pupils) {
    const laid = { codes: codesOf.get(p.id) ?? new Uint8Array(cal.sessionCount) };
    const roll = {
      from: firstSessionOnOrAfter(cal, p.admission_date as PlainDate),
      to: p.leaving_date ? lastSessionOnOrBefore(cal, p.leaving_date as PlainDate) : cal.sessionCount - 1,
    };
    const pupilMarks = { codes: laid.codes, rollFrom: roll.from, rollTo: roll.to };
    const actual = measurePupil(cal, ctx, pupilMarks);
    const period = integrationPeriodFor(
      cal,
      integrationWeeks,
      p.admission_date as PlainDate,
      recordedPeriods.get(p.id),
    );
    const adjusted = period ? adjustedAttendance(cal, ctx, pupilMarks, period) : null;
    const measures = adjusted ? { ...actual, attendanceRate: adjusted.adjusted.rate } : actual;
    const skip = period
      ? { from: firstSessionOnOrAfter(cal, period.from), to: lastSessionOnOrBefore(cal, period.to) }
      : null;
    const facts = buildCaseFacts(cal, policy, asOf, measures, laid.codes, roll, states.get(p.id), {
      needs,
      checks,
      record: records.get(p.id),
      skip: adjusted ? skip : null,
    });
    for (const s of evaluate(policy, facts)) {
      // The explanation names the rate the evaluator read: "adjusted attendance", with both rates.
      if (s.kind === 'stay') continue;
      if (s.kind === 'action' && s.actions.some((a) => a.startsWith('penalty-notice'))) {
        // Within the ledger's limits: no more than two notices in a rolling three years.
        const ledger = nextPenaltyNotice(
          (records.get(p.id)?.penaltiesOn ?? []).map((on) => ({ issuedOn: on, status: 'issued' })),
          asOf,
        );
        if (!ledger.ok) {
          proposals.push({
            pupilId: p.id,
            suggestion: {
              ...s,
              actions: ['review'],
              explanation: `${s.explanation} But no further penalty notice can be issued: ${ledger.reason}`,
            },
            rate: measures.attendanceRate,
          });
          continue;
        }
      }
      proposals.push({
        pupilId: p.id,
        suggestion: adjusted ? nameAdjustedRate(s, adjusted) : s,
        rate: measures.attendanceRate,
      });
    }
  }

  let created = 0;
  let alreadyOpen = 0;
  let superseded = 0;
  let heldBack = 0;
  const cap = maxNewEntriesPerRun(school);
  await deps.db.transaction().execute(async (trx) => {
    const existing = await suggestionsBearingOn(trx, school.id, asOf, addDays(asOf, -DISMISSAL_QUIET_DAYS));
    const blocking = new Set(
      existing
        .filter((e) => e.status === 'open' || e.as_of === asOf || e.status === 'dismissed')
        .map((e) => `${e.pupil_id}|${e.fingerprint}`),
    );
    const holding = new Set<string>();
    const fresh: (Proposal & { fp: string })[] = [];
    for (const proposal of proposals) {
      const fp = fingerprint(proposal.suggestion);
      const key = `${proposal.pupilId}|${fp}`;
      holding.add(key);
      if (blocking.has(key)) {
        alreadyOpen++;
        continue;
      }
      blocking.add(key);
      fresh.push({ ...proposal, fp });
    }
    // The policy's cap on new entries into staged casework, the most serious first. The cap is
    // per day of evaluation: entries stored by an earlier run for the same day count towards it.
    const storedToday = existing.filter(
      (e) => e.as_of === asOf && isNewEntry({ kind: e.kind as Suggestion['kind'], fromStageId: e.from_stage_id }),
    ).length;
    const capped = capNewEntries(fresh, cap === null ? null : Math.max(0, cap - storedToday));
    heldBack = capped.heldBack.length;
    await insertSuggestions(
      trx,
      capped.kept.map(({ pupilId, suggestion, fp }) => ({
        id: newId(),
        pupil_id: pupilId,
        school_id: school.id,
        as_of: asOf,
        kind: suggestion.kind,
        from_stage_id: suggestion.fromStageId,
        to_stage_id: suggestion.toStageId,
        actions: JSON.stringify(suggestion.actions),
        explanation: suggestion.explanation,
        because: JSON.stringify(suggestion.because),
        source: suggestion.source,
        fingerprint: fp,
        status: 'open',
        decided_stage_id: null,
        decision_reason: null,
        decided_by: null,
        decided_by_name: null,
        decided_at: null,
        created_at: now,
      })),
    );
    created = capped.kept.length;
    const stale = existing.filter((e) => e.status === 'open' && !holding.has(`${e.pupil_id}|${e.fingerprint}`));
    for (const e of stale) {
      await supersedeSuggestion(trx, e.id, `No longer proposed by the evaluation of ${asOf}`, now);
      superseded++;
    }
    await audit(trx, actor, now, {
      action: 'casework.evaluate',
      entityType: 'school',
      entityId: school.id,
      schoolId: school.id,
      details: {
        asOf,
        policy: policy.id,
        pupils: pupils.length,
        created,
        alreadyOpen,
        superseded,
        heldBack,
        maxNewEntriesPerRun: cap,
      },
    });
  });
  return { schoolId: school.id, asOf, pupilsEvaluated: pupils.length, created, alreadyOpen, superseded, heldBack };
}
