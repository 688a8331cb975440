/**
 * Long on purpose: four use cases over the same cached cohort (trends, patterns, pupil
 * lists, the governors' report), each a few functions sharing the table builders and the permission
 * checks; split by use case when one of them grows.
 *
 * The analysis UI's use cases (issue 6 items 2, 3, 4, 6): trends against last year, patterns,
 * pupil lists that lead to action, and the governors' anonymised report. Every figure comes from
 * the domain's pure analysis functions over the cached cohort of `analysis/cohort.ts`; every
 * table is an `ExportTable`, so the page, the CSV and the XLSX show the same numbers.
 *
 * Permissions: aggregated figures need `school.viewAggregates`; tables that name pupils need
 * `school.viewPupilLists` (governors see only the anonymised report). Exports of named lists are
 * audited. See docs/analysis-patterns.md.
 */
import {
  academicYearOf,
  addDays,
  attendanceChanges,
  brokenWeeks,
  codeDirection,
  codeUseOverTime,
  compareWithLastYear,
  dayOfWeekPattern,
  fallingFastest,
  fullAttendance,
  halfTermTrend,
  improvers,
  projectPersistentAbsence,
  punctuality,
  sessionPattern,
  weeklyTrend,
  WATCHED_CODES,
  type PlainDate,
  type TrendPoint,
} from '@rollcall/domain';
import { getSchool, type School } from '../school/schools.js';
import { loadCohort, type Cohort, type CohortPupil } from './cohort.js';
import type { SchoolDashboard, SideBySide, TsmSchool } from './dashboard.js';
import { audit } from '../audit.js';
import { authorise, can, type Actor, type Resource } from '../authz.js';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import type { ExportTable } from './exports.js';

/** Filter of the analysis pages: the same query fields as the dashboard (`/analysis`). */
export interface AnalysisFilter {
  readonly yearGroup?: string | undefined;
  readonly regGroupId?: string | undefined;
  /** A group's key (`fsm`, `sen_support`…), `gender:<value>` or `ethnicity:<value>`. */
  readonly group?: string | undefined;
}

export interface AnalysisQuery {
  readonly schoolId: string;
  readonly asOf?: PlainDate | undefined;
  readonly filter?: AnalysisFilter | undefined;
}

/** The groups pages can filter by (the dashboard's list). */
const GROUPS: readonly { key: string; label: string; safeguarding: boolean; has: (p: CohortPupil) => boolean }[] = [
  { key: 'sen_support', label: 'SEN support', safeguarding: false, has: (p) => p.senStatus === 'K' },
  { key: 'ehcp', label: 'EHC plan', safeguarding: false, has: (p) => p.ehcp || p.senStatus === 'E' },
  { key: 'fsm', label: 'Free school meals', safeguarding: false, has: (p) => p.fsm },
  { key: 'pupil_premium', label: 'Pupil premium', safeguarding: false, has: (p) => p.pupilPremium },
  { key: 'eal', label: 'English as an additional language', safeguarding: false, has: (p) => p.eal },
  { key: 'cin', label: 'Child in need', safeguarding: true, has: (p) => p.cin },
  { key: 'cp', label: 'Child protection plan', safeguarding: true, has: (p) => p.cp },
  { key: 'lac', label: 'Looked after', safeguarding: true, has: (p) => p.lac },
  { key: 'young_carer', label: 'Young carer', safeguarding: false, has: (p) => p.youngCarer },
];

/**
 * Groups with fewer pupils than this are not shown in the governors' report (a small group's
 * figures could identify a child).
 */
export const GOVERNORS_MIN_GROUP = 5;

export function schoolResourceOf(school: School): Resource {
  return { kind: 'school', schoolId: school.id, trustId: school.trustId, laCode: school.laCode };
}

interface Selection {
  readonly school: School;
  /** The cached cohort the pupils come from: a new object whenever the school's data changes. */
  readonly cohort: Cohort;
  readonly asOf: PlainDate;
  readonly yearStart: PlainDate;
  readonly yearEnd: PlainDate;
  readonly cal: Awaited<ReturnType<typeof loadCohort>>['cal'];
  readonly pupils: readonly CohortPupil[];
  readonly filter: AnalysisFilter;
  readonly filterLabel: string;
  readonly options: FilterOptions;
  readonly canSeeNames: boolean;
  readonly safeguarding: boolean;
}

export interface FilterOptions {
  readonly yearGroups: readonly string[];
  readonly regGroups: readonly { id: string; name: string }[];
  readonly groups: readonly { key: string; label: string }[];
}

function predicate(key: string, safeguarding: boolean): ((p: CohortPupil) => boolean) | undefined {
  const g = GROUPS.find((x) => x.key === key);
  if (g) return g.safeguarding && !safeguarding ? undefined : g.has;
  if (key.startsWith('gender:')) return (p) => (p.gender ?? '') === key.slice(7);
  if (key.startsWith('ethnicity:')) return (p) => (p.ethnicity ?? '') === key.slice(10);
  return undefined;
}

function groupLabel(key: string): string {
  const g = GROUPS.find((x) => x.key === key);
  if (g) return g.label;
  if (key.startsWith('gender:')) return `Gender ${key.slice(7) || 'not recorded'}`;
  if (key.startsWith('ethnicity:')) return `Ethnicity ${key.slice(10) || 'not recorded'}`;
  return key;
}

function applyFilter(
  pupils: readonly CohortPupil[],
  filter: AnalysisFilter,
  safeguarding: boolean,
): readonly CohortPupil[] {
  const key = filter.group && filter.group !== '' ? filter.group : undefined;
  const pred = key ? predicate(key, safeguarding) : undefined;
  if (key && !pred) throw new AppError('VALIDATION', 'There is no such group to filter by.');
  return pupils.filter(
    (p) =>
      (!filter.yearGroup || p.yearGroup === filter.yearGroup) &&
      (!filter.regGroupId || p.regGroupId === filter.regGroupId) &&
      (!pred || pred(p)),
  );
}

/**
 * The figures a page computes from the marks, kept per cohort and selection (decision 0004): the
 * cohort is a new object whenever the school's marks, pupils or calendar change, so a kept figure
 * is never stale, and a head opening the same page again (or another user the same view) gets it
 * without a pass over every pupil's marks. At most {@link MEMO_ENTRIES} selections per cohort.
 */
const memoByCohort = new WeakMap<Cohort, Map<string, unknown>>();
const MEMO_ENTRIES = 64;

function memo<T>(s: Selection, page: string, extra: readonly unknown[], compute: () => T): T {
  let byKey = memoByCohort.get(s.cohort);
  if (!byKey) {
    byKey = new Map();
    memoByCohort.set(s.cohort, byKey);
  }
  const key = JSON.stringify([
    page,
    s.asOf,
    s.filter.yearGroup ?? null,
    s.filter.regGroupId ?? null,
    s.filter.group ?? null,
    s.safeguarding,
    ...extra,
  ]);
  if (byKey.has(key)) return byKey.get(key) as T;
  const value = compute();
  if (byKey.size >= MEMO_ENTRIES) byKey.clear();
  byKey.set(key, value);
  return value;
}

async function select(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Actor,
  q: AnalysisQuery,
  action: 'school.viewAggregates' | 'school.viewPupilLists',
): Promise<Selection> {
  const school = await getSchool(deps.db, q.schoolId);
  authorise(actor, action, schoolResourceOf(school));
  const asOf = q.asOf ?? deps.clock.today(school.timeZone);
  const year = academicYearOf(asOf);
  // The dashboard's period, so both share the cached cohort.
  const cohort = await loadCohort(deps, school.id, { from: year.start, to: year.end });
  const safeguarding = can(actor, 'pupil.viewSafeguarding', {
    ...schoolResourceOf(school),
    kind: 'pupil',
    pupilId: '',
    groupIds: [],
  });
  const filter = q.filter ?? {};
  const onRoll = cohort.pupils.filter((p) => p.admissionDate <= asOf);
  const pupils = applyFilter(onRoll, filter, safeguarding);
  const regGroups = new Map<string, string>();
  for (const p of cohort.pupils) if (p.regGroupId && p.regGroupName) regGroups.set(p.regGroupId, p.regGroupName);
  const labelParts: string[] = [];
  if (filter.yearGroup) labelParts.push(`Year ${filter.yearGroup}`);
  if (filter.regGroupId) labelParts.push(`Class ${regGroups.get(filter.regGroupId) ?? 'unknown'}`);
  if (filter.group) labelParts.push(groupLabel(filter.group));
  const genders = [...new Set(cohort.pupils.map((p) => p.gender ?? ''))].sort();
  const ethnicities = [...new Set(cohort.pupils.map((p) => p.ethnicity ?? ''))].sort();
  return {
    school,
    cohort,
    asOf,
    yearStart: year.start,
    yearEnd: year.end,
    cal: cohort.cal,
    pupils,
    filter,
    filterLabel: labelParts.length > 0 ? labelParts.join(', ') : 'Whole school',
    canSeeNames: can(actor, 'school.viewPupilLists', schoolResourceOf(school)),
    safeguarding,
    options: {
      yearGroups: [...new Set(cohort.pupils.map((p) => p.yearGroup).filter((y): y is string => y !== null))].sort(
        (a, b) => a.localeCompare(b, 'en', { numeric: true }),
      ),
      regGroups: [...regGroups].map(([id, name]) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name)),
      groups: [
        ...GROUPS.filter((g) => safeguarding || !g.safeguarding).map((g) => ({ key: g.key, label: g.label })),
        ...genders.map((g) => ({ key: `gender:${g}`, label: groupLabel(`gender:${g}`) })),
        ...ethnicities.map((e) => ({ key: `ethnicity:${e}`, label: groupLabel(`ethnicity:${e}`) })),
      ],
    },
  };
}

/** What every analysis page shows above its tables. */
export interface PageBase {
  readonly school: School;
  readonly asOf: PlainDate;
  readonly yearStart: PlainDate;
  readonly filter: AnalysisFilter;
  readonly filterLabel: string;
  readonly pupilCount: number;
  readonly options: FilterOptions;
  readonly canSeeNames: boolean;
}

function base(s: Selection): PageBase {
  return {
    school: s.school,
    asOf: s.asOf,
    yearStart: s.yearStart,
    filter: s.filter,
    filterLabel: s.filterLabel,
    pupilCount: s.pupils.length,
    options: s.options,
    canSeeNames: s.canSeeNames,
  };
}

// ---------------------------------------------------------------- trends

export interface TrendsView extends PageBase {
  readonly lastYearLabel: string;
  readonly yearLabel: string;
  readonly weeks: ReturnType<typeof compareWithLastYear>;
  readonly halfTerms: ReturnType<typeof compareWithLastYear>;
  readonly thisWeek: ReturnType<typeof compareWithLastYear>[number] | null;
  readonly tables: readonly ExportTable[];
}

const TREND_COLUMNS = [
  { key: 'period', label: 'Period' },
  { key: 'start', label: 'From' },
  { key: 'possible', label: 'Possible sessions', kind: 'number' },
  { key: 'rate', label: 'Attendance', kind: 'rate' },
  { key: 'lastYearRate', label: 'Last year', kind: 'rate' },
  { key: 'change', label: 'Change', kind: 'change' },
  { key: 'yearToDate', label: 'Year to date', kind: 'rate' },
  { key: 'lastYearToDate', label: 'Last year to date', kind: 'rate' },
  { key: 'yearToDateChange', label: 'Change (year to date)', kind: 'change' },
] as const;

function trendTable(
  name: string,
  title: string,
  points: readonly TrendPoint[],
  rows: ReturnType<typeof compareWithLastYear>,
): ExportTable {
  return {
    name,
    title,
    columns: TREND_COLUMNS,
    rows: rows.map((r, i) => ({
      period: r.label,
      start: r.start,
      possible: points[i]?.counts.possible ?? null,
      rate: r.rate,
      lastYearRate: r.lastYearRate,
      change: r.change,
      yearToDate: r.yearToDateRate,
      lastYearToDate: r.lastYearToDateRate,
      yearToDateChange: r.yearToDateChange,
    })),
  };
}

/** Week by week and half-term by half-term for the year, against last year. */
export async function trends(deps: Pick<Deps, 'db' | 'clock'>, actor: Actor, q: AnalysisQuery): Promise<TrendsView> {
  const s = await select(deps, actor, q, 'school.viewAggregates');
  const lastYear = academicYearOf(addDays(s.yearStart, -1));
  const previous = await loadCohort(deps, s.school.id, { from: lastYear.start, to: lastYear.end });
  // Last year: the pupils then on roll who match the filter as their records stand today.
  const lastPupils = applyFilter(previous.pupils, s.filter, s.safeguarding);
  const period = { from: s.yearStart, to: s.asOf };
  const lastPeriod = { from: lastYear.start, to: lastYear.end };
  // Last year's cohort is part of the key: its version moves with any change to the school.
  const { weekPoints, termPoints, weeks, halfTerms } = memo(s, 'trends', [previous.version, previous.from], () => {
    const weekPoints = weeklyTrend(s.cal, s.pupils, period);
    const termPoints = halfTermTrend(s.cal, s.pupils, period);
    return {
      weekPoints,
      termPoints,
      weeks: compareWithLastYear(weekPoints, weeklyTrend(previous.cal, lastPupils, lastPeriod)),
      halfTerms: compareWithLastYear(termPoints, halfTermTrend(previous.cal, lastPupils, lastPeriod)),
    };
  });
  return {
    ...base(s),
    yearLabel: academicYearOf(s.asOf).label,
    lastYearLabel: lastYear.label,
    weeks,
    halfTerms,
    thisWeek: weeks[weeks.length - 1] ?? null,
    tables: [
      trendTable('weekly-trend', 'Attendance by school week', weekPoints, weeks),
      trendTable('half-term-trend', 'Attendance by half-term', termPoints, halfTerms),
    ],
  };
}

// ---------------------------------------------------------------- patterns

export interface PatternsView extends PageBase {
  readonly days: ReturnType<typeof dayOfWeekPattern>;
  readonly sessions: ReturnType<typeof sessionPattern>;
  readonly codeUse: ReturnType<typeof codeUseOverTime>;
  readonly directions: {
    code: string;
    question: string;
    recent: number | null;
    before: number | null;
    rising: boolean | null;
  }[];
  readonly punctualityTotals: { late: number; lateAfterClose: number; minutes: number };
  readonly broken: { pupilWeeks: number; brokenPupilWeeks: number; share: number | null };
  readonly tables: readonly ExportTable[];
}

function pupilCells(p: CohortPupil): Record<string, string | null> {
  return { pupil: `${p.forename} ${p.surname}`, pupilId: p.id, yearGroup: p.yearGroup, regGroup: p.regGroupName };
}

const PUPIL_COLUMNS = [
  { key: 'pupil', label: 'Pupil' },
  { key: 'yearGroup', label: 'Year' },
  { key: 'regGroup', label: 'Class' },
] as const;

/** Day-of-week and AM/PM absence, code use over time, punctuality and broken weeks. */
export async function patterns(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Actor,
  q: AnalysisQuery,
): Promise<PatternsView> {
  const s = await select(deps, actor, q, 'school.viewAggregates');
  const period = { from: s.yearStart, to: s.asOf };
  const { days, use, late, broken } = memo(s, 'patterns', [], () => ({
    days: dayOfWeekPattern(s.cal, s.pupils, period),
    use: codeUseOverTime(s.cal, s.pupils, period),
    late: punctuality(s.cal, s.pupils, period),
    broken: brokenWeeks(s.cal, s.pupils, period),
  }));
  const byId = new Map(s.pupils.map((p) => [p.id, p]));
  const tables: ExportTable[] = [
    {
      name: 'day-and-session',
      title: 'Absence by day and session',
      columns: [
        { key: 'day', label: 'Day' },
        { key: 'session', label: 'Session' },
        { key: 'possible', label: 'Possible sessions', kind: 'number' },
        { key: 'absence', label: 'Absence sessions', kind: 'number' },
        { key: 'absenceRate', label: 'Absence', kind: 'rate' },
        { key: 'unauthorisedRate', label: 'Unauthorised absence', kind: 'rate' },
      ],
      rows: days.map((c) => ({
        day: c.weekday,
        session: c.session,
        possible: c.counts.possible,
        absence: c.counts.authorised + c.counts.unauthorised,
        absenceRate: c.absenceRate,
        unauthorisedRate: c.unauthorisedRate,
      })),
    },
    {
      name: 'code-use',
      title: 'Code use by school week',
      columns: [
        { key: 'week', label: 'Week beginning' },
        { key: 'possible', label: 'Possible sessions', kind: 'number' },
        ...use.codes.map((c) => ({ key: `code_${c}`, label: c, kind: 'number' as const })),
      ],
      rows: use.weeks.map((w) => {
        const row: Record<string, string | number> = { week: w.monday, possible: w.possible };
        for (const c of use.codes) row[`code_${c}`] = w.counts[c] ?? 0;
        return row;
      }),
    },
    {
      name: 'punctuality-by-day',
      title: 'Late arrivals by day',
      columns: [
        { key: 'date', label: 'Date' },
        { key: 'late', label: 'L (before close)', kind: 'number' },
        { key: 'lateAfterClose', label: 'U (after close)', kind: 'number' },
        { key: 'minutes', label: 'Minutes late', kind: 'number' },
      ],
      rows: late.byDay.map((r) => ({
        date: r.key,
        late: r.late,
        lateAfterClose: r.lateAfterClose,
        minutes: r.minutes,
      })),
    },
  ];
  if (s.canSeeNames) {
    tables.push(
      {
        name: 'punctuality-by-pupil',
        title: 'Late arrivals by pupil',
        columns: [
          ...PUPIL_COLUMNS,
          { key: 'late', label: 'L (before close)', kind: 'number' },
          { key: 'lateAfterClose', label: 'U (after close)', kind: 'number' },
          { key: 'minutes', label: 'Minutes late', kind: 'number' },
        ],
        rows: late.byPupil.map((r) => ({
          ...pupilCells(byId.get(r.key)!),
          late: r.late,
          lateAfterClose: r.lateAfterClose,
          minutes: r.minutes,
        })),
      },
      {
        name: 'broken-weeks-by-pupil',
        title: 'Broken weeks by pupil',
        columns: [
          ...PUPIL_COLUMNS,
          { key: 'brokenWeeks', label: 'Broken weeks', kind: 'number' },
          { key: 'schoolWeeks', label: 'School weeks on roll', kind: 'number' },
        ],
        rows: broken.byPupil
          .filter((r) => r.brokenWeeks > 0)
          .map((r) => ({ ...pupilCells(byId.get(r.key)!), brokenWeeks: r.brokenWeeks, schoolWeeks: r.schoolWeeks })),
      },
    );
  }
  return {
    ...base(s),
    days,
    sessions: sessionPattern(days),
    codeUse: use,
    directions: WATCHED_CODES.map((w) => ({ ...w, ...codeDirection(use, w.code) })),
    punctualityTotals: late.totals,
    broken: { pupilWeeks: broken.pupilWeeks, brokenPupilWeeks: broken.brokenPupilWeeks, share: broken.share },
    tables,
  };
}

// ---------------------------------------------------------------- pupil lists

export const LIST_KINDS = ['at-risk', 'persistent', 'falling', 'improvers', 'full-attendance'] as const;
export type ListKind = (typeof LIST_KINDS)[number];

export const LIST_TITLES: Record<ListKind, string> = {
  'at-risk': 'At risk of persistent absence by the end of the year',
  persistent: 'Persistently absent now',
  falling: 'Attendance falling fastest',
  improvers: 'Improvers',
  'full-attendance': '100% attendance',
};

export function isListKind(value: string): value is ListKind {
  return (LIST_KINDS as readonly string[]).includes(value);
}

export interface ListView extends PageBase {
  readonly kind: ListKind;
  readonly title: string;
  /** The assumption or rule the list is built on, in words. */
  readonly explanation: string;
  readonly table: ExportTable;
}

/** A list of named pupils, leading to action (needs `school.viewPupilLists`). */
export async function pupilList(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Actor,
  q: AnalysisQuery & { kind: ListKind },
): Promise<ListView> {
  const all = await select(deps, actor, q, 'school.viewPupilLists');
  // Lists lead to action, so they name only pupils still on roll at "as of" (leavers count in
  // the figures, not in the lists).
  const s = { ...all, pupils: all.pupils.filter((p) => p.leavingDate === null || p.leavingDate >= all.asOf) };
  const byId = new Map(s.pupils.map((p) => [p.id, p]));
  const named = (id: string): Record<string, string | null> => pupilCells(byId.get(id)!);
  let explanation: string;
  let columns: ExportTable['columns'];
  let rows: ExportTable['rows'];
  switch (q.kind) {
    case 'at-risk':
    case 'persistent': {
      const p = memo(s, 'projection', [], () =>
        projectPersistentAbsence(s.cal, s.pupils, { from: s.yearStart, asOf: s.asOf, yearEnd: s.yearEnd }),
      );
      explanation =
        q.kind === 'at-risk'
          ? `Pupils below 10% absence now who reach 10% or more by ${p.yearEnd} at their current rate. Assumption: ${p.assumption}`
          : `Pupils with 10% or more of their possible sessions missed so far this year, with where their current rate takes them. ${p.assumption}`;
      columns = [
        ...PUPIL_COLUMNS,
        { key: 'possible', label: 'Possible sessions', kind: 'number' },
        { key: 'absence', label: 'Absence sessions', kind: 'number' },
        { key: 'absenceRate', label: 'Absence so far', kind: 'rate' },
        { key: 'recentAbsenceRate', label: `Absence, last ${p.recentWeeks} weeks`, kind: 'rate' },
        { key: 'projectedAbsenceRate', label: 'Projected by year end', kind: 'rate' },
        { key: 'sessionsToSpare', label: 'Sessions to spare before 10%', kind: 'number' },
      ];
      const status = q.kind === 'at-risk' ? 'atRisk' : 'persistentNow';
      rows = p.rows
        .filter((r) => r.status === status)
        .map((r) => ({
          ...named(r.pupilId),
          possible: r.possible,
          absence: r.absence,
          absenceRate: r.absenceRate,
          recentAbsenceRate: r.recentAbsenceRate,
          projectedAbsenceRate: r.projectedAbsenceRate,
          sessionsToSpare: r.sessionsToSpare,
        }));
      break;
    }
    case 'falling':
    case 'improvers': {
      const changes = memo(s, 'changes', [], () =>
        attendanceChanges(s.cal, s.pupils, { from: s.yearStart, asOf: s.asOf }),
      );
      const chosen = q.kind === 'falling' ? fallingFastest(changes, 100) : improvers(changes, 100);
      explanation =
        q.kind === 'falling'
          ? 'Attendance over the last 6 school weeks against the rest of the year before them, largest fall first (pupils with at least 10 possible sessions in each; at most 100).'
          : 'Attendance over the last 6 school weeks against the rest of the year before them, largest rise first (pupils with at least 10 possible sessions in each; at most 100).';
      columns = [
        ...PUPIL_COLUMNS,
        { key: 'earlierRate', label: 'Attendance before', kind: 'rate' },
        { key: 'recentRate', label: 'Attendance, last 6 weeks', kind: 'rate' },
        { key: 'change', label: 'Change', kind: 'change' },
      ];
      rows = chosen.map((c) => ({
        ...named(c.pupilId),
        earlierRate: c.earlierRate,
        recentRate: c.recentRate,
        change: c.change,
      }));
      break;
    }
    case 'full-attendance': {
      const full = memo(s, 'full', [], () => fullAttendance(s.cal, s.pupils, { from: s.yearStart, to: s.asOf }));
      explanation =
        'Pupils present (or at an approved educational activity) at every possible session this year so far. Lates before the register closed (L) count as present; the number is shown so the school can decide.';
      columns = [
        ...PUPIL_COLUMNS,
        { key: 'possible', label: 'Possible sessions', kind: 'number' },
        { key: 'lateSessions', label: 'Lates (L)', kind: 'number' },
      ];
      rows = full.map((r) => ({ ...named(r.pupilId), possible: r.possible, lateSessions: r.lateSessions }));
      break;
    }
  }
  return {
    ...base(s),
    kind: q.kind,
    title: LIST_TITLES[q.kind],
    explanation,
    table: { name: q.kind, title: LIST_TITLES[q.kind], columns, rows },
  };
}

/** Pupils shown on one page of a list (its CSV and XLSX downloads have every row). */
export const LIST_PAGE_SIZE = 50;

/** One page of a list's rows, in the list's own order. */
export interface ListPage {
  readonly page: number;
  readonly pages: number;
  readonly perPage: number;
  /** Rows in the whole list. */
  readonly total: number;
  /** Positions (from 1) of the first and last row shown; both 0 when the list is empty. */
  readonly first: number;
  readonly last: number;
  readonly rows: ExportTable['rows'];
}

/**
 * The rows of page `requested` (from 1; none given is the first). A page that is not a whole
 * number from 1 is refused naming the field; a page past the last says how many there are.
 */
export function listPage(table: ExportTable, requested: string | undefined): ListPage {
  const text = (requested ?? '').trim();
  if (text !== '' && !/^[1-9]\d{0,5}$/.test(text))
    throw new AppError('VALIDATION', `"page" must be a whole number from 1 (it was "${text.slice(0, 20)}").`, {
      fields: [{ field: 'page', message: 'Enter a page number from 1' }],
    });
  const page = text === '' ? 1 : Number(text);
  const total = table.rows.length;
  const pages = Math.max(1, Math.ceil(total / LIST_PAGE_SIZE));
  if (page > pages)
    throw new AppError(
      'NOT_FOUND',
      total === 0
        ? `There is no page ${page} of this list: it is empty.`
        : `There is no page ${page} of this list: it has ${pages} page${pages === 1 ? '' : 's'} (${total} pupil${total === 1 ? '' : 's'}, ${LIST_PAGE_SIZE} a page).`,
      { fields: [{ field: 'page', message: `Choose a page from 1 to ${pages}` }] },
    );
  const start = (page - 1) * LIST_PAGE_SIZE;
  const rows = table.rows.slice(start, start + LIST_PAGE_SIZE);
  return {
    page,
    pages,
    perPage: LIST_PAGE_SIZE,
    total,
    first: rows.length === 0 ? 0 : start + 1,
    last: start + rows.length,
    rows,
  };
}

/** Records that a named list left Rollcall as a file. */
export async function auditListExport(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Actor,
  view: PageBase,
  table: ExportTable,
  format: string,
): Promise<void> {
  await audit(deps.db, actor, deps.clock.now(), {
    action: 'analysis.exportList',
    entityType: 'school',
    entityId: view.school.id,
    schoolId: view.school.id,
    details: { table: table.name, format, rows: table.rows.length, filter: view.filterLabel, asOf: view.asOf },
  });
}

/** True when a table names pupils (its export is audited). */
export function namesPupils(table: ExportTable): boolean {
  return table.columns.some((c) => c.key === 'pupil');
}

// ---------------------------------------------------------------- governors

export interface GovernorsView extends PageBase {
  readonly yearLabel: string;
  readonly lastYearLabel: string;
  readonly headline: {
    readonly yearToDate: number | null;
    readonly lastYearToDate: number | null;
    readonly change: number | null;
    readonly possible: number;
    readonly persistentlyAbsent: number;
    readonly atRisk: number;
    readonly fullAttendance: number;
    readonly unresolvedN: number;
    readonly brokenWeekShare: number | null;
  };
  readonly assumption: string;
  readonly weeks: ReturnType<typeof compareWithLastYear>;
  readonly days: ReturnType<typeof dayOfWeekPattern>;
  readonly tables: readonly ExportTable[];
}

/**
 * The governors' report: aggregated and anonymised (no names, no UPNs, no per-pupil rows; year
 * groups with fewer than 5 pupils are not shown, and a filter that leaves fewer than 5 pupils is
 * refused). Needs `school.viewAggregates`.
 */
export async function governorsReport(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Actor,
  q: AnalysisQuery,
): Promise<GovernorsView> {
  const s = await select(deps, actor, q, 'school.viewAggregates');
  if (s.pupils.length < GOVERNORS_MIN_GROUP) {
    throw new AppError(
      'VALIDATION',
      `The governors' report is anonymised, so it needs at least ${GOVERNORS_MIN_GROUP} pupils; ${s.filterLabel} has ${s.pupils.length}. Choose a larger group.`,
    );
  }
  const t = await trends(deps, actor, q);
  const p = await patterns(deps, actor, q);
  const proj = projectPersistentAbsence(s.cal, s.pupils, { from: s.yearStart, asOf: s.asOf, yearEnd: s.yearEnd });
  const full = fullAttendance(s.cal, s.pupils, { from: s.yearStart, to: s.asOf });
  const last = t.weeks[t.weeks.length - 1];
  const byYear = new Map<string, CohortPupil[]>();
  for (const pupil of s.pupils) {
    const key = pupil.yearGroup ?? 'Not recorded';
    byYear.set(key, [...(byYear.get(key) ?? []), pupil]);
  }
  const yearRows = [...byYear]
    .sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))
    .map(([year, pupils]) => {
      const ids = new Set(pupils.map((x) => x.id));
      const rows = proj.rows.filter((r) => ids.has(r.pupilId));
      const possible = rows.reduce((n, r) => n + r.possible, 0);
      const absence = rows.reduce((n, r) => n + r.absence, 0);
      const small = pupils.length < GOVERNORS_MIN_GROUP;
      return {
        yearGroup: year,
        pupils: small ? null : pupils.length,
        attendance: small || possible === 0 ? null : 1 - absence / possible,
        persistentlyAbsent: small ? null : rows.filter((r) => r.status === 'persistentNow').length,
        atRisk: small ? null : rows.filter((r) => r.status === 'atRisk').length,
        note: small ? `Fewer than ${GOVERNORS_MIN_GROUP} pupils: not shown` : null,
      };
    });
  const trendTable = t.tables.find((x) => x.name === 'weekly-trend')!;
  const termTable = t.tables.find((x) => x.name === 'half-term-trend')!;
  const aggregateTables = p.tables.filter((x) => !namesPupils(x));
  return {
    ...base(s),
    canSeeNames: false,
    yearLabel: t.yearLabel,
    lastYearLabel: t.lastYearLabel,
    headline: {
      yearToDate: last?.yearToDateRate ?? null,
      lastYearToDate: last?.lastYearToDateRate ?? null,
      change: last?.yearToDateChange ?? null,
      possible: proj.rows.reduce((n, r) => n + r.possible, 0),
      persistentlyAbsent: proj.rows.filter((r) => r.status === 'persistentNow').length,
      atRisk: proj.rows.filter((r) => r.status === 'atRisk').length,
      fullAttendance: full.length,
      unresolvedN: p.codeUse.unresolvedN,
      brokenWeekShare: p.broken.share,
    },
    assumption: proj.assumption,
    weeks: t.weeks,
    days: p.days,
    tables: [
      termTable,
      trendTable,
      {
        name: 'year-groups',
        title: 'Year groups',
        columns: [
          { key: 'yearGroup', label: 'Year group' },
          { key: 'pupils', label: 'Pupils', kind: 'number' },
          { key: 'attendance', label: 'Attendance', kind: 'rate' },
          { key: 'persistentlyAbsent', label: 'Persistently absent', kind: 'number' },
          { key: 'atRisk', label: 'At risk by year end', kind: 'number' },
          { key: 'note', label: 'Note' },
        ],
        rows: yearRows,
      },
      ...aggregateTables,
    ],
  };
}

// ---------------------------------------------------------------- the dashboard's tables

/**
 * The dashboard's tables (`/analysis`) as export tables, so that they download as CSV and XLSX
 * like every other: the summary beside the national figures, the bands and the group gaps.
 */
export function dashboardTables(dash: SchoolDashboard): ExportTable[] {
  const n = dash.national;
  const s = dash.summary;
  const attendanceNational = n && n.overallAbsence !== null ? 1 - n.overallAbsence : null;
  return [
    {
      name: 'summary',
      title: `Attendance: ${dash.filterLabel}`,
      columns: [
        { key: 'measure', label: 'Measure' },
        { key: 'value', label: dash.filterLabel, kind: 'rate' },
        { key: 'pupils', label: 'Pupils', kind: 'number' },
        { key: 'national', label: n ? `National (${n.phase}, ${n.academicYear})` : 'National', kind: 'rate' },
      ],
      rows: [
        { measure: 'Attendance', value: s.attendanceRate, pupils: null, national: attendanceNational },
        { measure: 'Overall absence', value: s.absenceRate, pupils: null, national: n?.overallAbsence ?? null },
        {
          measure: 'Authorised absence',
          value: s.authorisedAbsenceRate,
          pupils: null,
          national: n?.authorisedAbsence ?? null,
        },
        {
          measure: 'Unauthorised absence',
          value: s.unauthorisedAbsenceRate,
          pupils: null,
          national: n?.unauthorisedAbsence ?? null,
        },
        {
          measure: 'Persistent absence',
          value: s.persistentAbsenceRate,
          pupils: s.persistentAbsentees,
          national: n?.persistentAbsence ?? null,
        },
        {
          measure: 'Severe absence',
          value: s.severeAbsenceRate,
          pupils: s.severeAbsentees,
          national: n?.severeAbsence ?? null,
        },
      ],
    },
    {
      name: 'bands',
      title: 'Pupils by attendance band',
      columns: [
        { key: 'band', label: 'Band' },
        { key: 'from', label: 'From (attendance)', kind: 'rate' },
        { key: 'pupils', label: 'Pupils', kind: 'number' },
      ],
      rows: dash.bands.map((b) => ({ band: b.name, from: b.minRate, pupils: b.pupils })),
    },
    {
      name: 'groups',
      title: 'Groups against the rest',
      columns: [
        { key: 'group', label: 'Group' },
        { key: 'pupils', label: 'Pupils', kind: 'number' },
        { key: 'absence', label: 'Absence', kind: 'rate' },
        { key: 'restAbsence', label: 'Absence, rest', kind: 'rate' },
        { key: 'absenceGap', label: 'Absence gap', kind: 'change' },
        { key: 'persistent', label: 'Persistent absence', kind: 'rate' },
        { key: 'restPersistent', label: 'Persistent absence, rest', kind: 'rate' },
        { key: 'persistentGap', label: 'Persistent absence gap', kind: 'change' },
      ],
      rows: dash.groups.map((g) => ({
        group: g.label,
        pupils: g.summary.pupils,
        absence: g.summary.absenceRate,
        restAbsence: g.rest.absenceRate,
        absenceGap: g.absenceGap,
        persistent: g.summary.persistentAbsenceRate,
        restPersistent: g.rest.persistentAbsenceRate,
        persistentGap: g.persistentAbsenceGap,
      })),
    },
  ];
}

/** A trust's or an LA's schools side by side (`/trust`, `/la`) as one table, the total last. */
export function sideBySideTable(view: SideBySide): ExportTable {
  const row = (
    name: string,
    urn: string,
    phase: string,
    s: SideBySide['total'],
    national: SideBySide['schools'][number]['national'],
  ) => ({
    school: name,
    urn,
    phase,
    pupils: s.pupils,
    attendance: s.attendanceRate,
    absence: s.absenceRate,
    nationalAbsence: national?.overallAbsence ?? null,
    authorised: s.authorisedAbsenceRate,
    unauthorised: s.unauthorisedAbsenceRate,
    persistentAbsentees: s.persistentAbsentees,
    persistentAbsence: s.persistentAbsenceRate,
    nationalPersistentAbsence: national?.persistentAbsence ?? null,
    severeAbsentees: s.severeAbsentees,
    severeAbsence: s.severeAbsenceRate,
  });
  return {
    name: `${view.scope === 'trust' ? 'trust' : 'la'}-schools-${view.asOf}`,
    title: `${view.name}: schools side by side, this academic year to ${view.asOf}`,
    columns: [
      { key: 'school', label: 'School' },
      { key: 'urn', label: 'URN' },
      { key: 'phase', label: 'Phase' },
      { key: 'pupils', label: 'Pupils', kind: 'number' },
      { key: 'attendance', label: 'Attendance', kind: 'rate' },
      { key: 'absence', label: 'Absence', kind: 'rate' },
      { key: 'nationalAbsence', label: 'National absence', kind: 'rate' },
      { key: 'authorised', label: 'Authorised absence', kind: 'rate' },
      { key: 'unauthorised', label: 'Unauthorised absence', kind: 'rate' },
      { key: 'persistentAbsentees', label: 'Persistent absentees', kind: 'number' },
      { key: 'persistentAbsence', label: 'Persistent absence rate', kind: 'rate' },
      { key: 'nationalPersistentAbsence', label: 'National persistent absence', kind: 'rate' },
      { key: 'severeAbsentees', label: 'Severe absentees', kind: 'number' },
      { key: 'severeAbsence', label: 'Severe absence rate', kind: 'rate' },
    ],
    rows: [
      ...view.schools.map((r) => row(r.school.name, r.school.urn, r.school.phase, r.summary, r.national)),
      row(`All ${view.schools.length} schools`, '', '', view.total, null),
    ],
  };
}

/** The LA's targeting-support-meeting list (`/la/tsm`) as one table, school by school. */
export function tsmTable(list: { name: string; asOf: PlainDate; schools: readonly TsmSchool[] }): ExportTable {
  return {
    name: `targeting-support-${list.asOf}`,
    title: `${list.name}: targeting support meeting list, this academic year to ${list.asOf}`,
    columns: [
      { key: 'school', label: 'School' },
      { key: 'pupil', label: 'Pupil' },
      { key: 'upn', label: 'UPN' },
      { key: 'yearGroup', label: 'Year' },
      { key: 'attendance', label: 'Attendance', kind: 'rate' },
      { key: 'severe', label: 'Severe absence' },
      { key: 'why', label: 'Why' },
    ],
    rows: list.schools.flatMap((s) =>
      s.pupils.map((p) => ({
        school: s.school.name,
        pupil: p.name,
        upn: p.upn,
        yearGroup: p.yearGroup,
        attendance: p.attendanceRate,
        severe: p.severe ? 'Yes' : 'No',
        why: p.reasons.join('; '),
      })),
    ),
  };
}

/** Records that the targeting-support-meeting list (named pupils of several schools) left Rollcall as a file. */
export async function auditTsmExport(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Actor,
  table: ExportTable,
  format: string,
  la: string,
): Promise<void> {
  await audit(deps.db, actor, deps.clock.now(), {
    action: 'analysis.exportList',
    entityType: 'local_authority',
    entityId: la,
    details: { table: table.name, format, rows: table.rows.length },
  });
}
