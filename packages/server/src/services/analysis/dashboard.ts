/**
 * School, year-group, class and group dashboards, trust and local-authority views side by side,
 * and the LA's targeting-support-meeting list: every figure is the domain's (`measurePupil`, the
 * cohort sums of `summarise`) over the cached cohort of `cohort.ts`, so they agree with
 * `rollcall analyse` on the same data. See docs/analysis.md.
 */
import {
  academicYearOf,
  addTotals,
  summariseCounts,
  summariseTotals,
  totalCounts,
  nationalFiguresFor,
  type CohortSummary,
  type NationalFigures,
  type PlainDate,
  type SummaryTotals,
} from '@rollcall/domain';
import { findTrustName } from '../../db/school/schools.js';
import { getSchool, listSchools, type School } from '../school/schools.js';
import { authorise, can, type Actor, type Resource } from '../authz.js';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import { DEFAULT_ATTENDANCE_BANDS } from '../follow-up/summaries.js';
import { loadCohort, schoolVersions, storedSchoolTotals, type Cohort, type CohortPupil } from './cohort.js';
import { measuredPupils, type Measured } from './measured.js';
import { tsmPupilsOf, type TsmPupil } from './tsm.js';

export { measuredPupils } from './measured.js';

/** The groups a dashboard can be filtered by and compares with the rest of the school. */
export const VULNERABLE_GROUPS = [
  { key: 'sen_support', label: 'SEN support', safeguarding: false, has: (p: CohortPupil) => p.senStatus === 'K' },
  { key: 'ehcp', label: 'EHC plan', safeguarding: false, has: (p: CohortPupil) => p.ehcp || p.senStatus === 'E' },
  { key: 'fsm', label: 'Free school meals', safeguarding: false, has: (p: CohortPupil) => p.fsm },
  { key: 'pupil_premium', label: 'Pupil premium', safeguarding: false, has: (p: CohortPupil) => p.pupilPremium },
  { key: 'eal', label: 'English as an additional language', safeguarding: false, has: (p: CohortPupil) => p.eal },
  { key: 'cin', label: 'Child in need', safeguarding: true, has: (p: CohortPupil) => p.cin },
  { key: 'cp', label: 'Child protection plan', safeguarding: true, has: (p: CohortPupil) => p.cp },
  { key: 'lac', label: 'Looked after', safeguarding: true, has: (p: CohortPupil) => p.lac },
  { key: 'young_carer', label: 'Young carer', safeguarding: false, has: (p: CohortPupil) => p.youngCarer },
] as const;

export interface Filter {
  readonly yearGroup?: string | undefined;
  readonly regGroupId?: string | undefined;
  /** A vulnerable group's key, `gender:<value>` or `ethnicity:<value>`. */
  readonly group?: string | undefined;
}

export interface Band {
  readonly name: string;
  /** Lowest attendance rate (fraction, inclusive) in the band. */
  readonly minRate: number;
  readonly pupils: number;
}

export interface GroupRow {
  readonly key: string;
  readonly label: string;
  readonly summary: CohortSummary;
  /** Pupils in the filtered population who are not in the group. */
  readonly rest: CohortSummary;
  /** Group minus rest, in fractions (null when either side has no possible sessions). */
  readonly absenceGap: number | null;
  readonly persistentAbsenceGap: number | null;
}

export interface SchoolDashboard {
  readonly school: School;
  readonly asOf: PlainDate;
  readonly periodStart: PlainDate;
  readonly schoolSessions: number;
  readonly filter: Filter;
  /** What the filter selects, in words ('Whole school', 'Year 9', 'Class 9A', 'Free school meals'…). */
  readonly filterLabel: string;
  readonly summary: CohortSummary;
  readonly bands: readonly Band[];
  /** Where the bands come from: 'policy' (the school's casework policy) or 'default'. */
  readonly bandsFrom: 'policy' | 'default';
  readonly groups: readonly GroupRow[];
  readonly national: (NationalFigures & { severeAbsenceFrom: string | null }) | null;
  readonly options: {
    readonly yearGroups: readonly string[];
    readonly regGroups: readonly { id: string; name: string }[];
    readonly groups: readonly { key: string; label: string }[];
  };
}

/** Per pupil, what the dashboards add up (a slim copy of `PupilMeasures`). */
export function schoolResource(school: School): Resource {
  return { kind: 'school', schoolId: school.id, trustId: school.trustId, laCode: school.laCode };
}

/**
 * The school's bands: its policy's (the casework policy's bands, or the document's top-level
 * `bands` laid over them: `school.policy.casework`), else the default bands of the parents'
 * summaries. Highest first.
 */
export function schoolBands(school: School): {
  from: 'policy' | 'default';
  bands: { name: string; minRate: number }[];
} {
  const own = school.policy.casework?.bands;
  if (own && own.length > 0)
    return {
      from: 'policy',
      bands: [...own].sort((a, b) => b.minRate - a.minRate).map((b) => ({ name: b.name, minRate: b.minRate })),
    };
  return {
    from: 'default',
    bands: DEFAULT_ATTENDANCE_BANDS.map((b) => ({
      name: `${b.label} (${b.from}%${b.from === 0 ? '' : ' and above'})`,
      minRate: b.from / 100,
    })),
  };
}

function countBands(pupils: readonly Measured[], bands: readonly { name: string; minRate: number }[]): Band[] {
  const counts = bands.map(() => 0);
  for (const p of pupils) {
    if (p.rate === null) continue;
    // Bands are sorted highest first: the first whose minimum the rate reaches.
    for (let i = 0; i < bands.length; i++) {
      if (p.rate >= bands[i]!.minRate - 1e-12) {
        counts[i]!++;
        break;
      }
    }
  }
  return bands.map((b, i) => ({ ...b, pupils: counts[i]! }));
}

function groupPredicate(key: string): ((p: CohortPupil) => boolean) | undefined {
  const v = VULNERABLE_GROUPS.find((g) => g.key === key);
  if (v) return v.has;
  if (key.startsWith('gender:')) return (p) => (p.gender ?? '') === key.slice(7);
  if (key.startsWith('ethnicity:')) return (p) => (p.ethnicity ?? '') === key.slice(10);
  return undefined;
}

function groupLabel(key: string): string {
  const v = VULNERABLE_GROUPS.find((g) => g.key === key);
  if (v) return v.label;
  if (key.startsWith('gender:')) return `Gender ${key.slice(7) || 'not recorded'}`;
  if (key.startsWith('ethnicity:')) return `Ethnicity ${key.slice(10) || 'not recorded'}`;
  return key;
}

function gap(a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : a - b;
}

/** May the actor see figures for safeguarding groups (CIN, CP, looked after) of this school? */
function seesSafeguarding(actor: Actor, school: School): boolean {
  return can(actor, 'pupil.viewSafeguarding', { ...schoolResource(school), kind: 'pupil', pupilId: '', groupIds: [] });
}

/**
 * A school's dashboard, for the whole school or filtered to a year group, a class and/or a group.
 * Needs `school.viewAggregates`; the safeguarding groups are shown only to those who may see
 * safeguarding details.
 */
export async function schoolDashboard(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Actor,
  q: { schoolId: string; asOf?: PlainDate | undefined; from?: PlainDate | undefined; filter?: Filter | undefined },
): Promise<SchoolDashboard> {
  const school = await getSchool(deps.db, q.schoolId);
  authorise(actor, 'school.viewAggregates', schoolResource(school));
  const asOf = q.asOf ?? deps.clock.today(school.timeZone);
  if (q.from !== undefined && q.from > asOf)
    throw new AppError('VALIDATION', `The period cannot start (${q.from}) after "as of" (${asOf}).`);
  const filter = q.filter ?? {};
  const safeguarding = seesSafeguarding(actor, school);
  const { cohort, ctx, pupils } = await measuredPupils(deps, school, asOf, q.from);
  const bands = schoolBands(school);
  // Figures are kept per measured cohort, filter, safeguarding view and bands (the school's page, warm).
  const figuresKey = JSON.stringify([filter.yearGroup, filter.regGroupId, filter.group, safeguarding, bands]);
  let figuresByKey = figuresCache.get(pupils);
  if (!figuresByKey) {
    figuresByKey = new Map();
    figuresCache.set(pupils, figuresByKey);
  }
  let figures = figuresByKey.get(figuresKey);
  if (!figures) {
    figures = dashboardFigures(cohort, pupils, filter, safeguarding, bands);
    figuresByKey.set(figuresKey, figures);
  }
  return {
    school,
    asOf,
    periodStart: ctx.periodStart,
    schoolSessions: ctx.schoolSessions,
    filter,
    national: nationalFiguresFor(school.phase, asOf),
    ...figures,
  };
}

type Figures = Omit<SchoolDashboard, 'school' | 'asOf' | 'periodStart' | 'schoolSessions' | 'filter' | 'national'>;

const figuresCache = new WeakMap<readonly Measured[], Map<string, Figures>>();

function dashboardFigures(
  cohort: Cohort,
  pupils: readonly Measured[],
  filter: Filter,
  safeguarding: boolean,
  bands: ReturnType<typeof schoolBands>,
): Figures {
  const groupKey = filter.group && filter.group !== '' ? filter.group : undefined;
  const pred = groupKey ? groupPredicate(groupKey) : undefined;
  if (groupKey && (!pred || (!safeguarding && VULNERABLE_GROUPS.some((g) => g.key === groupKey && g.safeguarding))))
    throw new AppError('VALIDATION', 'There is no such group to filter by.');
  const selected = pupils.filter(
    (m) =>
      (!filter.yearGroup || m.pupil.yearGroup === filter.yearGroup) &&
      (!filter.regGroupId || m.pupil.regGroupId === filter.regGroupId) &&
      (!pred || pred(m.pupil)),
  );

  // The gap table compares each group with the rest of the population the filter selects, less the group filter.
  const population = pred
    ? pupils.filter(
        (m) =>
          (!filter.yearGroup || m.pupil.yearGroup === filter.yearGroup) &&
          (!filter.regGroupId || m.pupil.regGroupId === filter.regGroupId),
      )
    : selected;
  const visibleGroups = VULNERABLE_GROUPS.filter((g) => safeguarding || !g.safeguarding);
  const groups: GroupRow[] = [];
  for (const g of visibleGroups) {
    const inGroup: Measured[] = [];
    const rest: Measured[] = [];
    for (const m of population) (g.has(m.pupil) ? inGroup : rest).push(m);
    if (inGroup.length === 0) continue;
    const a = summariseCounts(inGroup);
    const b = summariseCounts(rest);
    groups.push({
      key: g.key,
      label: g.label,
      summary: a,
      rest: b,
      absenceGap: gap(a.absenceRate, b.absenceRate),
      persistentAbsenceGap: gap(a.persistentAbsenceRate, b.persistentAbsenceRate),
    });
  }

  const yearGroups = [...new Set(cohort.pupils.map((p) => p.yearGroup).filter((y): y is string => y !== null))].sort(
    (a, b) => a.localeCompare(b, 'en', { numeric: true }),
  );
  const regGroups = new Map<string, string>();
  for (const p of cohort.pupils) if (p.regGroupId && p.regGroupName) regGroups.set(p.regGroupId, p.regGroupName);
  const genders = [...new Set(cohort.pupils.map((p) => p.gender ?? ''))].sort();
  const ethnicities = [...new Set(cohort.pupils.map((p) => p.ethnicity ?? ''))].sort();
  const labelParts: string[] = [];
  if (filter.yearGroup) labelParts.push(`Year ${filter.yearGroup}`);
  if (filter.regGroupId) labelParts.push(`Class ${regGroups.get(filter.regGroupId) ?? 'unknown'}`);
  if (groupKey) labelParts.push(groupLabel(groupKey));

  return {
    filterLabel: labelParts.length > 0 ? labelParts.join(', ') : 'Whole school',
    summary: summariseCounts(selected),
    bands: countBands(selected, bands.bands),
    bandsFrom: bands.from,
    groups,
    options: {
      yearGroups,
      regGroups: [...regGroups].map(([id, name]) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name)),
      groups: [
        ...visibleGroups.map((g) => ({ key: g.key, label: g.label })),
        ...genders.map((g) => ({ key: `gender:${g}`, label: groupLabel(`gender:${g}`) })),
        ...ethnicities.map((e) => ({ key: `ethnicity:${e}`, label: groupLabel(`ethnicity:${e}`) })),
      ],
    },
  };
}

export interface SchoolRow {
  readonly school: School;
  readonly summary: CohortSummary;
  readonly national: (NationalFigures & { severeAbsenceFrom: string | null }) | null;
}

export interface SideBySide {
  readonly scope: 'trust' | 'la';
  /** The trust's or LA's name. */
  readonly name: string;
  readonly asOf: PlainDate;
  readonly schools: readonly SchoolRow[];
  /** All the schools' pupils together. */
  readonly total: CohortSummary;
}

/** The schools a trust lead (own trust) or LA officer (own LA) may see; an administrator names the trust or LA. */
async function scopeSchools(
  deps: Pick<Deps, 'db'>,
  actor: Actor,
  scope: 'trust' | 'la',
  id: string | undefined,
): Promise<{ name: string; schools: School[] }> {
  const own = scope === 'trust' ? actor.trustId : actor.laCode;
  const key = actor.role === 'admin' && actor.schoolId === null ? (id ?? own) : own;
  if (!key)
    throw new AppError(
      'FORBIDDEN',
      `You do not have permission to see a ${scope === 'trust' ? 'trust' : 'local authority'}’s schools.`,
    );
  const all = await listSchools(deps.db);
  const schools = all.filter(
    (s) =>
      (scope === 'trust' ? s.trustId === key : s.laCode === key) &&
      can(actor, 'school.viewAggregates', schoolResource(s)),
  );
  if (
    schools.length === 0 &&
    (scope === 'trust' ? actor.role !== 'trust_lead' : actor.role !== 'la_officer') &&
    actor.role !== 'admin'
  )
    throw new AppError('FORBIDDEN', 'You do not have permission to see these schools.');
  let name = key;
  if (scope === 'trust') {
    name = (await findTrustName(deps.db, key)) ?? key;
  } else {
    name = schools[0]?.laName ?? key;
  }
  return { name, schools };
}

/** A trust's or an LA's schools side by side on the dashboard's measures, each with its phase's national figures. */
export async function sideBySide(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Actor,
  q: { scope: 'trust' | 'la'; id?: string | undefined; asOf?: PlainDate | undefined },
): Promise<SideBySide> {
  if (
    q.scope === 'trust' ? !['trust_lead', 'admin'].includes(actor.role) : !['la_officer', 'admin'].includes(actor.role)
  )
    throw new AppError('FORBIDDEN', 'You do not have permission to see these schools.');
  const { name, schools } = await scopeSchools(deps, actor, q.scope, q.id);
  const asOf = q.asOf ?? deps.clock.today('Europe/London');
  const rows: SchoolRow[] = [];
  const parts: SummaryTotals[] = [];
  // One look at what changed for all the schools.
  await schoolVersions(deps.db);
  // A school whose cohort is not in memory (after a restart) and whose snapshot's figures still
  // hold is shown from those figures, without reading its pupils' marks (cohort.ts).
  const stored = await storedSchoolTotals(
    deps,
    schools.map((s) => ({ id: s.id, minPossibleSessions: s.policy.minPossibleSessions })),
    asOf,
  );
  // The other cohorts not in memory are all asked for at once, so that on PostgreSQL one school's
  // snapshot and history queries overlap the measuring of the schools before it.
  const year = academicYearOf(asOf);
  for (const school of schools)
    if (!stored.has(school.id))
      loadCohort(deps, school.id, { from: year.start, to: year.end }, { checked: true }).catch(() => undefined);
  for (const school of schools) {
    const totals =
      stored.get(school.id) ??
      totalCounts((await measuredPupils(deps, school, asOf, undefined, { checked: true })).pupils);
    parts.push(totals);
    rows.push({ school, summary: summariseTotals(totals), national: nationalFiguresFor(school.phase, asOf) });
  }
  // The schools' totals add up to those of all their pupils together.
  return { scope: q.scope, name, asOf, schools: rows, total: summariseTotals(addTotals(parts)) };
}

export type { TsmPupil } from './tsm.js';

export interface TsmSchool {
  readonly school: School;
  readonly pupils: readonly TsmPupil[];
}

/**
 * The LA's targeting-support-meeting list, per school: every severely absent pupil, and every
 * persistently absent pupil whose barriers need more than the school: a live referral to another
 * agency, a social worker (child in need, child protection, looked after), or an EHC plan.
 * Named pupils: needs `school.viewPupilLists` for each school (an LA officer: `school.viewAggregates`,
 * the list being the LA's reason to see them).
 */
export async function tsmList(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Actor,
  q: { id?: string | undefined; asOf?: PlainDate | undefined },
): Promise<{ name: string; asOf: PlainDate; schools: TsmSchool[] }> {
  if (!['la_officer', 'admin'].includes(actor.role))
    throw new AppError('FORBIDDEN', 'You do not have permission to see the targeting support list.');
  const { name, schools } = await scopeSchools(deps, actor, 'la', q.id);
  const asOf = q.asOf ?? deps.clock.today('Europe/London');
  const out: TsmSchool[] = [];
  await schoolVersions(deps.db);
  for (const school of schools) {
    // The TSM list is the LA's own reason to see these pupils (issue 16), so aggregates suffice.
    if (
      !can(
        actor,
        actor.role === 'la_officer' ? 'school.viewAggregates' : 'school.viewPupilLists',
        schoolResource(school),
      )
    )
      continue;
    const list = await tsmPupilsOf(deps, school, asOf);
    out.push({ school, pupils: list });
  }
  return { name, asOf, schools: out };
}
