/**
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
  addDays,
  adjustedAttendance,
  analysisContext,
  evaluate,
  firstSessionOnOrAfter,
  lastSessionOnOrBefore,
  measurePupil,
  type AttendancePolicy,
  type CaseFacts,
  type PlainDate,
  type SchoolCalendar,
  type Session,
  type Suggestion,
} from '@rollcall/domain';
import type { DbOrTrx } from '../../db/connect.js';
import type { MarkRow } from '../../db/repositories/pupils.js';
import { getSchool } from '../../db/repositories/schools.js';
import { newId } from '../../platform/ids.js';
import { audit } from '../audit.js';
import { SYSTEM_ACTOR, type Actor } from '../authz.js';
import type { Deps } from '../deps.js';
import { layMarks } from '../pupils.js';
import {
  integrationPeriodFor,
  integrationSchoolWeeksOf,
  recordedIntegrationPeriods,
  type RecordedIntegrationPeriod,
} from '../integration-periods.js';
import { schoolCalendar } from '../registers.js';
import { recentFigures, schoolWeeksBetween, weeksAskedFor } from './facts.js';
import { capNewEntries, isNewEntry, type Proposal } from './entry-cap.js';
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
  readonly lastReview: { on: PlainDate; rate: number | null } | null;
  readonly meetingsNotAttended: number;
  readonly planTargetsMissed: number;
}

/** Current stage, last review, meetings not attended and plan targets missed, per pupil of a school. */
async function caseStates(db: DbOrTrx, schoolId: string): Promise<Map<string, PupilCaseState>> {
  const stages = await db
    .selectFrom('case_stages')
    .innerJoin('pupils', 'pupils.id', 'case_stages.pupil_id')
    .select([
      'case_stages.id',
      'case_stages.pupil_id',
      'case_stages.stage_id',
      'case_stages.entered_on',
      'case_stages.decided_at',
    ])
    .where('pupils.school_id', '=', schoolId)
    .where('case_stages.left_on', 'is', null)
    .orderBy('case_stages.entered_on')
    .orderBy('case_stages.decided_at')
    .execute();
  const reviews = await db
    .selectFrom('case_reviews')
    .innerJoin('pupils', 'pupils.id', 'case_reviews.pupil_id')
    .select(['case_reviews.case_stage_id', 'case_reviews.reviewed_on', 'case_reviews.rate', 'case_reviews.created_at'])
    .where('pupils.school_id', '=', schoolId)
    .orderBy('case_reviews.reviewed_on')
    .orderBy('case_reviews.created_at')
    .execute();
  const lastReview = new Map<string, { on: PlainDate; rate: number | null }>();
  for (const r of reviews) lastReview.set(r.case_stage_id, { on: r.reviewed_on as PlainDate, rate: r.rate });
  const meetings = await db
    .selectFrom('case_meetings')
    .innerJoin('pupils', 'pupils.id', 'case_meetings.pupil_id')
    .select(['case_meetings.pupil_id', 'case_meetings.scheduled_for'])
    .where('pupils.school_id', '=', schoolId)
    .where('case_meetings.status', '=', 'not_attended')
    .execute();
  const plans = await db
    .selectFrom('case_plans')
    .innerJoin('pupils', 'pupils.id', 'case_plans.pupil_id')
    .select(['case_plans.pupil_id', 'case_plans.targets'])
    .where('pupils.school_id', '=', schoolId)
    .where('case_plans.status', '=', 'active')
    .execute();
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
      lastReview: lastReview.get(s.id) ?? null,
      meetingsNotAttended: meetings.filter((m) => m.pupil_id === s.pupil_id && m.scheduled_for >= enteredOn).length,
      planTargetsMissed: missed.get(s.pupil_id) ?? 0,
    });
  }
  // Pupils not in a stage may still have plans with missed targets.
  return out;
}

/** Builds one pupil's case facts. */
export function buildCaseFacts(
  cal: SchoolCalendar,
  policy: AttendancePolicy,
  asOf: PlainDate,
  measures: { attendanceRate: number | null; unauthorisedAbsenceSessions: number; brokenWeeks: number },
  codes: Uint8Array,
  roll: { from: number; to: number },
  state: PupilCaseState | undefined,
): CaseFacts {
  const recent = recentFigures(cal, asOf, codes, roll.from, roll.to, weeksAskedFor(policy));
  const known = state && policy.stages.some((s) => s.id === state.stageId) ? state : undefined;
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
          ...(known.lastReview && known.lastReview.rate !== null
            ? {
                lastReview: {
                  on: known.lastReview.on,
                  rate: known.lastReview.rate,
                  schoolWeeksSince: schoolWeeksBetween(cal, known.lastReview.on, asOf),
                },
              }
            : {}),
        }
      : null,
    meetingsNotAttendedInStage: known?.meetingsNotAttended ?? 0,
    planTargetsMissed: known?.planTargetsMissed ?? 0,
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

  const pupils = await deps.db
    .selectFrom('pupils')
    .select(['id', 'admission_date', 'leaving_date'])
    .where('school_id', '=', school.id)
    .where('admission_date', '<=', asOf)
    .where((eb) => eb.or([eb('leaving_date', 'is', null), eb('leaving_date', '>=', asOf)]))
    .orderBy('id')
    .execute();

  // Marks from the earlier of the year's start and the longest "last N weeks" window.
  const longest = Math.max(0, ...weeksAskedFor(policy));
  const windowStart = addDays(asOf, -7 * (longest + 1));
  const from = windowStart < ctx.periodFrom ? windowStart : ctx.periodFrom;
  const markRows = await deps.db
    .selectFrom('session_marks')
    .innerJoin('pupils', 'pupils.id', 'session_marks.pupil_id')
    .select(['session_marks.pupil_id', 'session_marks.date', 'session_marks.session', 'session_marks.code'])
    .where('pupils.school_id', '=', school.id)
    .where('session_marks.date', '>=', from)
    .where('session_marks.date', '<=', asOf)
    .execute();
  const marks = new Map<string, MarkRow[]>();
  for (const r of markRows) {
    const list = marks.get(r.pupil_id) ?? [];
    list.push({
      pupilId: r.pupil_id,
      date: r.date as PlainDate,
      session: r.session as Session,
      code: r.code,
      minutesLate: null,
      updatedAt: '',
      updatedBy: null,
    });
    marks.set(r.pupil_id, list);
  }
  const states = await caseStates(deps.db, school.id);
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
    const laid = layMarks(cal, marks.get(p.id) ?? []);
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
    const facts = buildCaseFacts(cal, policy, asOf, measures, laid.codes, roll, states.get(p.id));
    for (const s of evaluate(policy, facts)) {
      // The explanation names the rate the evaluator read: "adjusted attendance", with both rates.
      if (s.kind !== 'stay')
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
    const existing = await trx
      .selectFrom('case_suggestions')
      .select(['id', 'pupil_id', 'as_of', 'fingerprint', 'status', 'decided_at', 'kind', 'from_stage_id'])
      .where('school_id', '=', school.id)
      .where((eb) =>
        eb.or([
          eb('status', '=', 'open'),
          eb('as_of', '=', asOf),
          eb.and([eb('status', '=', 'dismissed'), eb('as_of', '>=', addDays(asOf, -DISMISSAL_QUIET_DAYS))]),
        ]),
      )
      .execute();
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
    for (const { pupilId, suggestion, fp } of capped.kept) {
      await trx
        .insertInto('case_suggestions')
        .values({
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
        })
        .execute();
      created++;
    }
    const stale = existing.filter((e) => e.status === 'open' && !holding.has(`${e.pupil_id}|${e.fingerprint}`));
    for (const e of stale) {
      await trx
        .updateTable('case_suggestions')
        .set({
          status: 'superseded',
          decision_reason: `No longer proposed by the evaluation of ${asOf}`,
          decided_at: now,
        })
        .where('id', '=', e.id)
        .where('status', '=', 'open')
        .execute();
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
