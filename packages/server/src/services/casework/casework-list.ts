/**
 * The officer's casework list: the open suggestions (filtered, counted, ordered and paged by
 * `queueOf`), what is overdue (stage reviews, actions, plan reviews and ends, contract reviews,
 * Notice to Improve outcomes, penalty payments), the pupils per stage, and what the latest
 * evaluation held back under the policy's cap. Read-only; the decisions taken from it are in
 * casework.ts. The queries are in db/casework/ (casework-list.ts, suggestions.ts, cases.ts,
 * case-record.ts).
 */
import {
  academicYearOf,
  addDays,
  analysisContext,
  measurePupil,
  orderedStages,
  type AttendancePolicy,
  type PlainDate,
} from '@rollcall/domain';
import {
  caseItemsInStatus,
  type DueColumn,
  type OverdueRow,
  type OverdueTable,
} from '../../db/casework/case-record.js';
import { caseListPupilsAt, latestEvaluationAuditDetails } from '../../db/casework/casework-list.js';
import { currentStageEntriesOf, openCasesAt, reviewDatesOf } from '../../db/casework/cases.js';
import { openSuggestionsAt } from '../../db/casework/suggestions.js';
import type { School } from '../school/schools.js';
import { loadCohort } from '../analysis/cohort.js';
import { can, type Actor } from '../authz.js';
import type { Deps } from '../deps.js';
import { schoolCalendar } from '../registers/registers.js';
import { actionDescription, actionHref, actionLabel, type LetterTitles } from './actions.js';
import { actorSchool, letterTitles, schoolResource } from './casework.js';
import { schoolWeeksAfter } from './facts.js';
import { caseworkPolicyOf, stageName, stageOf } from './policy.js';
import { PLAN_KIND_LABELS, toSuggestion, type PlanKind, type StoredSuggestion } from './record.js';

/** Part-time timetables are reviewed at least every 2 weeks (DfE guidance). */
export const PART_TIME_REVIEW_DAYS = 14;

function pupilName(p: {
  preferred_forename: string | null;
  legal_forename: string;
  preferred_surname: string | null;
  legal_surname: string;
}): string {
  return `${p.preferred_forename ?? p.legal_forename} ${p.preferred_surname ?? p.legal_surname}`;
}

export interface ListedSuggestion extends StoredSuggestion {
  readonly pupilName: string;
  readonly yearGroup: string | null;
  /** Child protection plan, child in need, looked after or a social worker (the worklist's reading). */
  readonly vulnerable: boolean;
  /** Year-to-date attendance rate on the day of the list; null with no possible sessions. */
  readonly rate: number | null;
  /** Year-to-date attendance at or below 50% (severe absence). */
  readonly severe: boolean;
  readonly fromStageName: string | null;
  readonly toStageName: string;
  readonly actionItems: readonly { label: string; href: string }[];
}

export type OverdueKind =
  'review' | 'action' | 'plan-review' | 'plan-end' | 'contract-review' | 'notice-outcome' | 'penalty-payment';

export interface OverdueItem {
  readonly kind: OverdueKind;
  readonly pupilId: string;
  readonly pupilName: string;
  readonly what: string;
  readonly dueOn: PlainDate;
  readonly owner: string | null;
  readonly href: string;
}

/** Suggestions per page on the officer's list. */
export const SUGGESTIONS_PER_PAGE = 25;

/** Filters, order and page of the officer's list of suggestions (all optional, from the query string). */
export interface SuggestionQuery {
  /** The stage proposed: a stage id, or 'none' for out of staged casework. */
  readonly stage?: string | undefined;
  readonly kind?: string | undefined;
  readonly year?: string | undefined;
  /** '1': vulnerable pupils only. */
  readonly vulnerable?: string | undefined;
  /** 'serious' (the default) or 'newest'. */
  readonly sort?: string | undefined;
  readonly page?: string | number | undefined;
}

export interface FilterOption {
  readonly value: string;
  readonly text: string;
  /** Suggestions matching this option and the other filters chosen. */
  readonly count: number;
  readonly selected: boolean;
}

export interface SuggestionQueue {
  /** Open suggestions at the school, before filters. */
  readonly total: number;
  /** Open suggestions matching the filters. */
  readonly matching: number;
  readonly page: number;
  readonly pages: number;
  readonly perPage: number;
  /** Most serious first, newest first, or by stage (the page shows a heading per stage with its count). */
  readonly sort: 'serious' | 'newest' | 'stage';
  readonly filters: {
    readonly stage: readonly FilterOption[];
    readonly kind: readonly FilterOption[];
    readonly year: readonly FilterOption[];
    readonly vulnerable: FilterOption;
  };
  /** The query string of the filters and order chosen (no page), for links and forms. */
  readonly query: string;
}

export interface CaseworkList {
  readonly school: { id: string; name: string };
  readonly today: PlainDate;
  readonly policy: AttendancePolicy;
  /** The page of open suggestions matching the filters, most serious (or newest) first. */
  readonly suggestions: readonly ListedSuggestion[];
  readonly queue: SuggestionQueue;
  readonly overdue: readonly OverdueItem[];
  readonly stages: readonly {
    id: string | null;
    name: string;
    pupils: { id: string; name: string; since: PlainDate }[];
  }[];
  readonly canManage: boolean;
  /** New entries the latest evaluation held back under the policy's cap (`maxNewEntriesPerRun`); null when none. */
  readonly heldBack: HeldBack | null;
}

export interface HeldBack {
  /** The day evaluated. */
  readonly asOf: PlainDate;
  /** Entries into staged casework proposed but not stored. */
  readonly count: number;
  /** The policy's cap. */
  readonly cap: number;
  /** The stage entered (the policy's first). */
  readonly stageName: string;
}

/** Evaluations older than this are not looked at for held-back entries (it bounds the audit read). */
const HELD_BACK_LOOKBACK_DAYS = 14;

/**
 * What the school's latest evaluation held back under the cap, from its audit entry (the
 * evaluation records `heldBack` and `maxNewEntriesPerRun` there); null when nothing was.
 */
async function latestHeldBack(deps: Deps, school: School, policy: AttendancePolicy, today: PlainDate) {
  const row = await latestEvaluationAuditDetails(deps.db, school.id, addDays(today, -HELD_BACK_LOOKBACK_DAYS));
  if (!row?.details) return null;
  let details: { asOf?: unknown; heldBack?: unknown; maxNewEntriesPerRun?: unknown };
  try {
    details = JSON.parse(row.details) as typeof details;
  } catch {
    return null;
  }
  const count = typeof details.heldBack === 'number' ? details.heldBack : 0;
  if (count <= 0 || typeof details.maxNewEntriesPerRun !== 'number' || typeof details.asOf !== 'string') return null;
  const first = orderedStages(policy)[0];
  return {
    asOf: details.asOf as PlainDate,
    count,
    cap: details.maxNewEntriesPerRun,
    stageName: first?.name ?? 'the first stage',
  } satisfies HeldBack;
}

/** The next date a plan is due for review: the first planned review date after the last review. */
export function planNextReview(plan: {
  kind: string;
  startsOn: PlainDate;
  reviewDates: readonly PlainDate[];
  reviews: readonly { on: PlainDate }[];
}): PlainDate | null {
  const last = plan.reviews.reduce<PlainDate | null>((m, r) => (m === null || r.on > m ? r.on : m), null);
  const after = last ?? plan.startsOn;
  if (plan.kind === 'part-time-timetable') return addDays(after, PART_TIME_REVIEW_DAYS);
  const next = [...plan.reviewDates].sort().find((d) => (last === null ? true : d > last));
  return next ?? null;
}

/** Vulnerable as the worklist reads it: a child protection plan, child in need, looked after, or a social worker. */
function isVulnerable(p: { cp: number; cin: number; lac: number; social_worker: string | null }): boolean {
  return Number(p.cp) === 1 || Number(p.cin) === 1 || Number(p.lac) === 1 || (p.social_worker ?? '') !== '';
}

/** Year-to-date rate and severe absence (the domain's measures) of some pupils, from one read of marks. */
async function yearToDateRates(
  deps: Deps,
  school: School,
  asOf: PlainDate,
  pupilIds: readonly string[],
): Promise<Map<string, { rate: number | null; severe: boolean }>> {
  const out = new Map<string, { rate: number | null; severe: boolean }>();
  if (pupilIds.length === 0) return out;
  // The analysis cohort of the year (cached per process and kept current as marks are written),
  // so the list does not read every listed pupil's marks on each page.
  const year = academicYearOf(asOf);
  const cohort = await loadCohort(deps, school.id, { from: year.start, to: year.end });
  const ctx = analysisContext(cohort.cal, { asOf, minPossibleSessions: school.policy.minPossibleSessions });
  const wanted = new Set(pupilIds);
  for (const p of cohort.pupils) {
    if (!wanted.has(p.id)) continue;
    const m = measurePupil(cohort.cal, ctx, p.marks);
    out.set(p.id, { rate: m.attendanceRate, severe: m.severeAbsence });
  }
  return out;
}

const KIND_OPTIONS = [
  { value: 'enter', text: 'Enter a stage' },
  { value: 'review', text: 'Review' },
  { value: 'stepDown', text: 'Step down' },
] as const;

/**
 * Filters, counts, orders and pages the open suggestions. Each option's count is of the
 * suggestions matching it and the other filters chosen. "Most serious" first: severe absence
 * and vulnerable pupils (both before either, either before neither), then the higher stage
 * proposed, the lower rate, the newer evaluation and the name; "newest": the newer evaluation,
 * then as most serious.
 */
export function queueOf(
  policy: AttendancePolicy,
  all: readonly ListedSuggestion[],
  query: SuggestionQuery,
): { page: ListedSuggestion[]; queue: SuggestionQueue } {
  const stageKey = (s: ListedSuggestion): string => s.toStageId ?? 'none';
  const stages = [...orderedStages(policy).map((s) => ({ value: s.id, text: s.name }))];
  stages.push({ value: 'none', text: 'No stage (out of staged casework)' });
  const pick = (v: string | undefined, allowed: readonly string[]): string | null =>
    v !== undefined && allowed.includes(v) ? v : null;
  const years = [...new Set(all.map((s) => s.yearGroup ?? ''))].sort((a, b) =>
    a.localeCompare(b, 'en', { numeric: true }),
  );
  const chosen = {
    stage: pick(
      query.stage,
      stages.map((s) => s.value),
    ),
    kind: pick(
      query.kind,
      KIND_OPTIONS.map((k) => k.value),
    ),
    year: pick(query.year, years),
    vulnerable: query.vulnerable === '1',
  };
  type Key = keyof typeof chosen;
  const matches = (s: ListedSuggestion, skip?: Key): boolean =>
    (skip === 'stage' || chosen.stage === null || stageKey(s) === chosen.stage) &&
    (skip === 'kind' || chosen.kind === null || s.kind === chosen.kind) &&
    (skip === 'year' || chosen.year === null || (s.yearGroup ?? '') === chosen.year) &&
    (skip === 'vulnerable' || !chosen.vulnerable || s.vulnerable);
  const countBy = (skip: Key, f: (s: ListedSuggestion) => boolean): number =>
    all.filter((s) => matches(s, skip) && f(s)).length;

  const order = new Map(orderedStages(policy).map((s, i) => [s.id, i]));
  const concern = (s: ListedSuggestion): number => (s.severe ? 0 : 1) + (s.vulnerable ? 0 : 1);
  const serious = (a: ListedSuggestion, b: ListedSuggestion): number =>
    concern(a) - concern(b) ||
    (order.get(b.toStageId ?? '') ?? -1) - (order.get(a.toStageId ?? '') ?? -1) ||
    (a.rate ?? 2) - (b.rate ?? 2) ||
    (a.asOf < b.asOf ? 1 : a.asOf > b.asOf ? -1 : 0) ||
    a.pupilName.localeCompare(b.pupilName);
  const sort = query.sort === 'newest' ? 'newest' : query.sort === 'stage' ? 'stage' : 'serious';
  // By stage: the highest stage first ('out of staged casework' last), the most serious first within.
  const stageRank = (s: ListedSuggestion): number => (s.toStageId === null ? -1 : (order.get(s.toStageId) ?? -1));
  const byStage = (a: ListedSuggestion, b: ListedSuggestion): number => stageRank(b) - stageRank(a) || serious(a, b);
  const matching = all.filter((s) => matches(s));
  matching.sort(
    sort === 'newest'
      ? (a, b) => (a.asOf < b.asOf ? 1 : a.asOf > b.asOf ? -1 : 0) || serious(a, b)
      : sort === 'stage'
        ? byStage
        : serious,
  );
  const pages = Math.max(1, Math.ceil(matching.length / SUGGESTIONS_PER_PAGE));
  const asked = Number.parseInt(String(query.page ?? '1'), 10);
  const page = Number.isFinite(asked) ? Math.min(Math.max(1, asked), pages) : 1;

  const params = new URLSearchParams();
  if (chosen.stage !== null) params.set('stage', chosen.stage);
  if (chosen.kind !== null) params.set('kind', chosen.kind);
  if (chosen.year !== null) params.set('year', chosen.year);
  if (chosen.vulnerable) params.set('vulnerable', '1');
  if (sort !== 'serious') params.set('sort', sort);

  return {
    page: matching.slice((page - 1) * SUGGESTIONS_PER_PAGE, page * SUGGESTIONS_PER_PAGE),
    queue: {
      total: all.length,
      matching: matching.length,
      page,
      pages,
      perPage: SUGGESTIONS_PER_PAGE,
      sort,
      filters: {
        stage: stages.map((o) => ({
          ...o,
          count: countBy('stage', (s) => stageKey(s) === o.value),
          selected: chosen.stage === o.value,
        })),
        kind: KIND_OPTIONS.map((o) => ({
          ...o,
          count: countBy('kind', (s) => s.kind === o.value),
          selected: chosen.kind === o.value,
        })),
        year: years.map((y) => ({
          value: y,
          text: y === '' ? 'No year group' : `Year ${y}`,
          count: countBy('year', (s) => (s.yearGroup ?? '') === y),
          selected: chosen.year === y,
        })),
        vulnerable: {
          value: '1',
          text: 'Vulnerable pupils only',
          count: countBy('vulnerable', (s) => s.vulnerable),
          selected: chosen.vulnerable,
        },
      },
      query: params.toString(),
    },
  };
}

type OverdueEntry = Omit<OverdueItem, 'pupilId' | 'pupilName'>;
type OverdueSource = (
  deps: Deps,
  pupilIds: readonly string[],
  today: PlainDate,
  ctx: { canSendLetters: boolean; letters: LetterTitles },
) => Promise<(OverdueEntry & { pupilId: string })[]>;

/**
 * Reads the rows of a case table in a status (and, with `due`, due before today) for some
 * pupils, and turns each into its overdue items.
 */
function overdueFrom<T extends OverdueTable>(
  table: T,
  status: string,
  due: DueColumn | null,
  items: (
    row: OverdueRow<T>,
    today: PlainDate,
    ctx: { canSendLetters: boolean; letters: LetterTitles },
  ) => OverdueEntry[],
): OverdueSource {
  return async (deps, pupilIds, today, ctx) => {
    const rows = await caseItemsInStatus(
      deps.db,
      table,
      pupilIds,
      status,
      due === null ? null : { column: due, today },
    );
    return rows.flatMap((row) => items(row, today, ctx).map((item) => ({ ...item, pupilId: row.pupil_id })));
  };
}

const caseHref = (pupilId: string, anchor: string): string => `/pupils/${encodeURIComponent(pupilId)}/case#${anchor}`;

/** One overdue item per row, due on its `due` date, owned by nobody, linking to a section of the case page. */
function dueItem<T extends OverdueTable>(
  table: T,
  status: string,
  due: DueColumn,
  kind: OverdueKind,
  anchor: string,
  what: (row: OverdueRow<T>) => string,
): OverdueSource {
  return overdueFrom(table, status, due, (row) => [
    {
      kind,
      what: what(row),
      dueOn: (row as unknown as Record<DueColumn, PlainDate>)[due],
      owner: null,
      href: caseHref(row.pupil_id, anchor),
    },
  ]);
}

/** What falls overdue on the officer's list besides stage reviews, table by table, in the list's order. */
const OVERDUE_SOURCES: readonly OverdueSource[] = [
  overdueFrom('case_actions', 'open', 'due_on', (a, _today, { canSendLetters, letters }) => [
    {
      kind: 'action',
      what: actionDescription(a.description, a.policy_action, letters),
      dueOn: a.due_on as PlainDate,
      owner: a.owner,
      // A letter action goes to the compose page only for those who may send letters (not a SENCO).
      href:
        a.policy_action && (!a.policy_action.startsWith('letter:') || canSendLetters)
          ? actionHref(a.pupil_id, a.policy_action)
          : caseHref(a.pupil_id, 'actions'),
    },
  ]),
  overdueFrom('case_plans', 'active', null, (p, today) => {
    const label = PLAN_KIND_LABELS[p.kind as PlanKind] ?? p.kind;
    const next = planNextReview({
      kind: p.kind,
      startsOn: p.starts_on as PlainDate,
      reviewDates: JSON.parse(p.review_dates) as PlainDate[],
      reviews: JSON.parse(p.reviews) as { on: PlainDate }[],
    });
    const href = caseHref(p.pupil_id, `plan-${p.id}`);
    const out: OverdueEntry[] = [];
    if (next && next < today)
      out.push({ kind: 'plan-review', what: `Review of the ${label.toLowerCase()}`, dueOn: next, owner: null, href });
    if (p.ends_on < today)
      out.push({
        kind: 'plan-end',
        what: `${label} past its agreed end date: end or extend it`,
        dueOn: p.ends_on as PlainDate,
        owner: null,
        href,
      });
    return out;
  }),
  dueItem(
    'case_contracts',
    'active',
    'review_on',
    'contract-review',
    'contracts',
    () => 'Review of the attendance contract',
  ),
  dueItem(
    'notices_to_improve',
    'monitoring',
    'monitoring_ends_on',
    'notice-outcome',
    'notices',
    () => 'Outcome of the Notice to Improve (monitoring period ended)',
  ),
  dueItem(
    'penalty_notices',
    'issued',
    'pay_by',
    'penalty-payment',
    'notices',
    (n) => `Penalty notice to ${n.parent_name}: payment deadline passed (record payment, or unpaid)`,
  ),
];

/** The officer's list for a school, its suggestions filtered, ordered and paged by `query`. */
export async function caseworkList(
  deps: Deps,
  actor: Actor,
  schoolId?: string,
  query: SuggestionQuery = {},
): Promise<CaseworkList> {
  const school = await actorSchool(deps, actor, schoolId);
  const policy = caseworkPolicyOf(school);
  const today = deps.clock.today(school.timeZone);
  const cal = await schoolCalendar(deps, school.id);
  const pupilRows = await caseListPupilsAt(deps.db, school.id);
  const pupilsById = new Map(pupilRows.map((p) => [p.id, p]));
  const names = new Map(pupilRows.map((p) => [p.id, pupilName(p)]));
  const nameOf = (id: string): string => names.get(id) ?? 'Unknown pupil';
  const inSchool = <T extends { pupil_id: string }>(rows: T[]): T[] => rows.filter((r) => names.has(r.pupil_id));
  const pupilIds = [...names.keys()];
  const byPupil = pupilIds.length === 0 ? ['-'] : pupilIds;

  const open = (await openSuggestionsAt(deps.db, school.id)).map(toSuggestion);
  const rates = await yearToDateRates(deps, school, today, [
    ...new Set(open.map((s) => s.pupilId).filter((id) => pupilsById.has(id))),
  ]);
  const canSendLetters = can(actor, 'letter.send', schoolResource(school));
  const letters = await letterTitles(deps, school);
  const all = open.map((s): ListedSuggestion => {
    const p = pupilsById.get(s.pupilId);
    const m = rates.get(s.pupilId);
    return {
      ...s,
      pupilName: nameOf(s.pupilId),
      yearGroup: p?.year_group ?? null,
      vulnerable: p ? isVulnerable(p) : false,
      rate: m?.rate ?? null,
      severe: m?.severe ?? false,
      fromStageName: s.fromStageId ? stageName(policy, s.fromStageId) : null,
      toStageName: stageName(policy, s.toStageId),
      actionItems: s.actions.map((a) => ({
        label: actionLabel(a, letters),
        href: actionHref(s.pupilId, a, { canSendLetters }),
      })),
    };
  });
  const { page: suggestions, queue } = queueOf(policy, all, query);

  const current = inSchool(await currentStageEntriesOf(deps.db, byPupil));
  const reviews = await reviewDatesOf(deps.db, byPupil);
  const lastReview = new Map<string, PlainDate>();
  for (const r of reviews) {
    const prev = lastReview.get(r.case_stage_id);
    if (!prev || r.reviewed_on > prev) lastReview.set(r.case_stage_id, r.reviewed_on as PlainDate);
  }
  const overdue: OverdueItem[] = [];
  for (const c of current) {
    const stage = stageOf(policy, c.stage_id);
    if (!stage || stage.reviewAfterSchoolWeeks <= 0) continue;
    const from = lastReview.get(c.id) ?? (c.entered_on as PlainDate);
    const due = schoolWeeksAfter(cal, from, stage.reviewAfterSchoolWeeks);
    if (due && due < today) {
      overdue.push({
        kind: 'review',
        pupilId: c.pupil_id,
        pupilName: nameOf(c.pupil_id),
        what: `Review of ${stage.name} (every ${stage.reviewAfterSchoolWeeks} school weeks)`,
        dueOn: due,
        owner: null,
        href: `/pupils/${encodeURIComponent(c.pupil_id)}/case#stage`,
      });
    }
  }
  for (const source of OVERDUE_SOURCES) {
    for (const { pupilId, ...item } of await source(deps, byPupil, today, { canSendLetters, letters })) {
      if (names.has(pupilId)) overdue.push({ ...item, pupilId, pupilName: nameOf(pupilId) });
    }
  }
  overdue.sort((a, b) => (a.dueOn < b.dueOn ? -1 : a.dueOn > b.dueOn ? 1 : a.pupilName.localeCompare(b.pupilName)));

  const openCaseRows = inSchool(await openCasesAt(deps.db, school.id));
  const inStage = new Set(current.filter((c) => c.stage_id !== null).map((c) => c.pupil_id));
  const stages: CaseworkList['stages'][number][] = orderedStages(policy).map((s) => ({
    id: s.id,
    name: s.name,
    pupils: current
      .filter((c) => c.stage_id === s.id)
      .map((c) => ({ id: c.pupil_id, name: nameOf(c.pupil_id), since: c.entered_on as PlainDate }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  }));
  stages.unshift({
    id: null,
    name: 'Open case, no stage',
    pupils: openCaseRows
      .filter((c) => !inStage.has(c.pupil_id))
      .map((c) => ({ id: c.pupil_id, name: nameOf(c.pupil_id), since: c.opened_on as PlainDate }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  });

  return {
    school: { id: school.id, name: school.name },
    today,
    policy,
    suggestions,
    queue,
    overdue,
    stages,
    canManage: can(actor, 'casework.manage', schoolResource(school)),
    heldBack: await latestHeldBack(deps, school, policy, today),
  };
}
