/**
 * The analysis UI beyond the dashboard: `/analysis/trends` (week by week and half-term by
 * half-term against last year), `/analysis/patterns` (day and session, code use, punctuality,
 * broken weeks), `/analysis/lists/:kind` (named pupils with checkboxes to open cases or write
 * letters) and `/analysis/governors` (the printable anonymised report). Every table downloads
 * with `?format=csv|xlsx&table=<name>`; every page takes the dashboard's filters
 * (`yearGroup`, `regGroup`, `group`) and `asOf`.
 */
import { isPlainDate, type PlainDate } from '@rollcall/domain';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { holdUntilReauthenticated, requireActor } from '../../http/auth-routes.js';
import { schoolDashboard } from '../../services/analysis/dashboard.js';
import {
  auditListExport,
  dashboardTables,
  GOVERNORS_MIN_GROUP,
  governorsReport,
  isListKind,
  LIST_KINDS,
  LIST_TITLES,
  listPage,
  namesPupils,
  patterns,
  pupilList,
  trends,
  type AnalysisQuery,
  type ListPage,
  type PageBase,
} from '../../services/analysis/analysis-reports.js';
import type { Actor } from '../../services/authz.js';
import type { Deps } from '../../services/deps.js';
import { AppError } from '../../services/errors.js';
import { exportTable, pickTable, type ExportCell, type ExportTable } from '../../services/analysis/exports.js';
import { barChart, lineChart } from './charts.js';

/** Rows of each table on the patterns page before "Show all". */
export const PATTERN_ROWS = 30;

/** A table's first {@link PATTERN_ROWS} rows (all of them when asked), with the link to the rest. */
export function capRows<T extends { readonly rows: readonly unknown[] }>(
  table: T,
  all: boolean,
  allHref: string,
): T & { total: number; allHref: string | null } {
  const more = !all && table.rows.length > PATTERN_ROWS;
  return {
    ...table,
    total: table.rows.length,
    rows: more ? table.rows.slice(0, PATTERN_ROWS) : table.rows,
    allHref: more ? allHref : null,
  };
}

const QUERY = z.object({
  school: z.string().max(200).optional(),
  asOf: z.string().max(20).optional(),
  yearGroup: z.string().max(40).optional(),
  regGroup: z.string().max(200).optional(),
  group: z.string().max(200).optional(),
  from: z.string().max(20).optional(),
  format: z.enum(['csv', 'xlsx']).optional(),
  table: z.string().max(80).optional(),
  /** Patterns: the one table shown with every row (the others show their first rows). */
  all: z.string().max(80).optional(),
  /** Lists: the page shown (from 1); checked by the service, so a bad one gets its own message. */
  page: z.string().max(20).optional(),
});
type Query = z.infer<typeof QUERY>;
const KIND_PARAMS = z.object({ kind: z.string().max(40) });
const CHOSEN_BODY = z.object({
  _csrf: z.string().optional(),
  pupilIds: z.union([z.string().max(200), z.array(z.string().max(200)).max(2000)]).optional(),
});

function analysisQuery(actor: Actor, q: Query): AnalysisQuery {
  const schoolId = actor.schoolId ?? q.school;
  if (!schoolId) throw new AppError('VALIDATION', 'Choose a school to analyse.');
  let asOf: PlainDate | undefined;
  if (q.asOf !== undefined && q.asOf !== '') {
    if (!isPlainDate(q.asOf))
      throw new AppError('VALIDATION', `"As of" must be a date like 2025-11-28 (it was "${q.asOf}").`);
    asOf = q.asOf;
  }
  const blank = (v: string | undefined): string | undefined => (v === undefined || v === '' ? undefined : v);
  return {
    schoolId,
    asOf,
    filter: { yearGroup: blank(q.yearGroup), regGroupId: blank(q.regGroup), group: blank(q.group) },
  };
}

/** The query string of the page (filters, as-of, school) without the export fields. */
function pageQuery(q: AnalysisPageQuery): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of ['school', 'asOf', 'yearGroup', 'regGroup', 'group'] as const) {
    const v = q[key];
    if (v !== undefined && v !== '') params.set(key, v);
  }
  return params;
}

function withParams(path: string, params: URLSearchParams, extra: Record<string, string> = {}): string {
  const p = new URLSearchParams(params);
  for (const [k, v] of Object.entries(extra)) p.set(k, v);
  const s = p.toString();
  return s ? `${path}?${s}` : path;
}

export function percent(v: number | null): string {
  return v === null ? '–' : `${(v * 100).toFixed(1)}%`;
}

/** A change in rate points, signed: "+1.2 pts", "−0.4 pts". */
export function points(v: number | null): string {
  if (v === null) return '–';
  const p = Math.round(v * 1000) / 10;
  if (p === 0) return '0.0 pts';
  return `${p > 0 ? '+' : '−'}${Math.abs(p).toFixed(1)} pts`;
}

interface HtmlCell {
  readonly text: string;
  readonly numeric: boolean;
  readonly href?: string | undefined;
}

interface HtmlTable {
  readonly name: string;
  /** Rows are pupils: shown with checkboxes and the next steps. */
  readonly namesPupils: boolean;
  readonly title: string;
  readonly head: readonly { text: string; numeric: boolean }[];
  readonly rows: readonly { pupilId: string | null; cells: readonly HtmlCell[] }[];
  readonly csvHref: string;
  readonly xlsxHref: string;
}

function cellText(v: ExportCell, kind: string | undefined): string {
  if (v === null) return '–';
  if (typeof v === 'string') return v;
  switch (kind) {
    case 'rate':
      return percent(v);
    case 'change':
      return points(v);
    default:
      return v.toLocaleString('en-GB');
  }
}

function htmlTable(t: ExportTable, path: string, params: URLSearchParams): HtmlTable {
  const numeric = (kind: string | undefined): boolean => kind !== undefined && kind !== 'text';
  return {
    name: t.name,
    namesPupils: namesPupils(t),
    title: t.title,
    head: t.columns.map((c) => ({ text: c.label, numeric: numeric(c.kind) })),
    rows: t.rows.map((row) => {
      const pupilId = typeof row.pupilId === 'string' ? row.pupilId : null;
      return {
        pupilId,
        cells: t.columns.map((c) => ({
          text: cellText(row[c.key] ?? null, c.kind),
          numeric: numeric(c.kind),
          href: c.key === 'pupil' && pupilId ? `/pupils/${encodeURIComponent(pupilId)}` : undefined,
        })),
      };
    }),
    csvHref: withParams(path, params, { format: 'csv', table: t.name }),
    xlsxHref: withParams(path, params, { format: 'xlsx', table: t.name }),
  };
}

/**
 * The GOV.UK pagination component's fields for a list's pages: previous and next, the first and
 * last page, and two either side of the current one (gaps shown as ellipses); null for one page.
 */
export function pagination(
  shown: Pick<ListPage, 'page' | 'pages'>,
  href: (page: number) => string,
): {
  previous?: { href: string };
  next?: { href: string };
  items: ({ number: number; href: string; current: boolean } | { ellipsis: true })[];
} | null {
  if (shown.pages <= 1) return null;
  const items: ({ number: number; href: string; current: boolean } | { ellipsis: true })[] = [];
  for (let n = 1; n <= shown.pages; n++) {
    if (n === 1 || n === shown.pages || Math.abs(n - shown.page) <= 2)
      items.push({ number: n, href: href(n), current: n === shown.page });
    else if (items.at(-1) && !('ellipsis' in items.at(-1)!)) items.push({ ellipsis: true });
  }
  return {
    ...(shown.page > 1 ? { previous: { href: href(shown.page - 1) } } : {}),
    ...(shown.page < shown.pages ? { next: { href: href(shown.page + 1) } } : {}),
    items,
  };
}

async function sendExport(
  deps: Deps,
  actor: Actor,
  reply: FastifyReply,
  view: PageBase,
  tables: readonly ExportTable[],
  q: Query,
): Promise<FastifyReply> {
  const table = pickTable(tables, q.table);
  if (namesPupils(table)) {
    // A list that names pupils is personal data in bulk: the person proves it is them first.
    const held = holdUntilReauthenticated(reply.request, reply, deps.clock.now());
    if (held) return held;
  }
  const file = exportTable(table, q.format!);
  if (namesPupils(table)) await auditListExport(deps, actor, view, table, q.format!);
  return reply
    .header('content-type', file.contentType)
    .header('content-disposition', `attachment; filename="${file.fileName}"`)
    .header('cache-control', 'no-store')
    .send(file.body);
}

/** The page fields the analysis pages carry from one to the next. */
export type AnalysisPageQuery = Partial<Record<'school' | 'asOf' | 'yearGroup' | 'regGroup' | 'group', string>>;

/**
 * The links of the analysis sub-navigation, keeping the page's filters. The dashboard can show the
 * same sub-navigation: pass `links: analysisLinks(request.query)` and in its view
 * `{% import "analysis-parts.njk" as parts %}{{ parts.subnav(links, "/analysis") }}`.
 */
export function analysisLinks(
  query: AnalysisPageQuery,
  /** Whether the user may see named pupils (governors may not): without it, no pupil lists. */
  canSeeNames = true,
  /** Pupils the filters select, when known: the governors' report refuses fewer than 5. */
  pupilCount?: number,
): {
  dashboard: string;
  trends: string;
  patterns: string;
  /** Null when the selection is too small for the anonymised report (`governorsNote` says why). */
  governors: string | null;
  governorsNote: string | null;
  lists: { kind: string; title: string; href: string }[];
} {
  const params = pageQuery(query);
  const tooSmall = pupilCount !== undefined && pupilCount < GOVERNORS_MIN_GROUP;
  return {
    dashboard: withParams('/analysis', params),
    trends: withParams('/analysis/trends', params),
    patterns: withParams('/analysis/patterns', params),
    governors: tooSmall ? null : withParams('/analysis/governors', params),
    governorsNote: tooSmall ? `needs ${GOVERNORS_MIN_GROUP} or more pupils` : null,
    lists: (canSeeNames ? LIST_KINDS : []).map((k) => ({
      kind: k,
      title: LIST_TITLES[k],
      href: withParams(`/analysis/lists/${k}`, params),
    })),
  };
}

function common(view: PageBase, request: FastifyRequest, q: Query, path: string): Record<string, unknown> {
  return {
    view,
    path,
    query: Object.fromEntries(pageQuery(q)),
    links: analysisLinks(q, view.canSeeNames, view.pupilCount),
    currentPath: request.url.split('?')[0],
  };
}

export const analysisMoreRoutes: FastifyPluginAsync = (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { deps } = app;

  // Trust and LA roles have no school of their own: a page opened without `?school=` starts them
  // from their schools side by side, as `/analysis` does, instead of an error.
  app.addHook('preHandler', async (request, reply) => {
    if (request.method !== 'GET' || !request.url.startsWith('/analysis/')) return;
    const actor = request.actor;
    if (!actor || actor.schoolId) return;
    const school = (request.query as { school?: unknown } | undefined)?.school;
    if (typeof school === 'string' && school !== '') return;
    if (actor.role === 'trust_lead') return reply.redirect('/trust', 303);
    if (actor.role === 'la_officer') return reply.redirect('/la', 303);
  });

  // The dashboard's tables (`/analysis`) as files: `?table=summary|bands|groups&format=csv|xlsx`
  // with the dashboard's own query fields.
  app.get('/analysis/export', { schema: { querystring: QUERY } }, async (request, reply) => {
    const actor = requireActor(request);
    const q = request.query;
    const aq = analysisQuery(actor, q);
    let from: PlainDate | undefined;
    if (q.from !== undefined && q.from !== '') {
      if (!isPlainDate(q.from))
        throw new AppError('VALIDATION', `"From" must be a date like 2025-09-01 (it was "${q.from}").`);
      from = q.from;
    }
    const dash = await schoolDashboard(deps, actor, { ...aq, from });
    const table = pickTable(dashboardTables(dash), q.table);
    const file = exportTable(table, q.format ?? 'csv');
    return reply
      .header('content-type', file.contentType)
      .header('content-disposition', `attachment; filename="${file.fileName}"`)
      .header('cache-control', 'no-store')
      .send(file.body);
  });

  app.get('/analysis/trends', { schema: { querystring: QUERY } }, async (request, reply) => {
    const actor = requireActor(request);
    const q = request.query;
    const view = await trends(deps, actor, analysisQuery(actor, q));
    if (q.format) return sendExport(deps, actor, reply, view, view.tables, q);
    const params = pageQuery(q);
    const labels = view.weeks.map((w) => w.start);
    return reply.view('analysis-trends.njk', {
      ...common(view, request, q, '/analysis/trends'),
      tables: view.tables.map((t) => htmlTable(t, '/analysis/trends', params)),
      thisWeek: view.thisWeek
        ? {
            label: view.thisWeek.label,
            rate: percent(view.thisWeek.rate),
            change: points(view.thisWeek.change),
            yearToDate: percent(view.thisWeek.yearToDateRate),
            yearToDateChange: points(view.thisWeek.yearToDateChange),
          }
        : null,
      weeklyChart: lineChart(
        {
          id: 'weekly-trend-chart',
          title: `Attendance by school week, ${view.yearLabel} against ${view.lastYearLabel}`,
          description: `Weekly attendance rate for ${view.filterLabel}; the same figures are in the table "Attendance by school week".`,
          labels,
        },
        [
          { name: view.yearLabel, values: view.weeks.map((w) => w.rate) },
          { name: view.lastYearLabel, values: view.weeks.map((w) => w.lastYearRate), dashed: true },
        ],
      ),
      ytdChart: lineChart(
        {
          id: 'ytd-trend-chart',
          title: `Attendance year to date, ${view.yearLabel} against ${view.lastYearLabel}`,
          description: 'Year-to-date attendance rate at the end of each school week; the figures are in the table.',
          labels,
        },
        [
          { name: view.yearLabel, values: view.weeks.map((w) => w.yearToDateRate) },
          { name: view.lastYearLabel, values: view.weeks.map((w) => w.lastYearToDateRate), dashed: true },
        ],
      ),
    });
  });

  app.get('/analysis/patterns', { schema: { querystring: QUERY } }, async (request, reply) => {
    const actor = requireActor(request);
    const q = request.query;
    const view = await patterns(deps, actor, analysisQuery(actor, q));
    if (q.format) return sendExport(deps, actor, reply, view, view.tables, q);
    const params = pageQuery(q);
    const shares = (code: string): (number | null)[] =>
      view.codeUse.weeks.map((w) => (w.possible > 0 ? (w.counts[code] ?? 0) / w.possible : null));
    return reply.view('analysis-patterns.njk', {
      ...common(view, request, q, '/analysis/patterns'),
      // Each table shows its first rows; all of them by link, or in the CSV and XLSX files. The
      // whole page for a secondary was 2.5 MB (issue 17): the summaries above say the rest.
      tables: view.tables.map((t) =>
        capRows(
          htmlTable(t, '/analysis/patterns', params),
          q.all === t.name,
          withParams('/analysis/patterns', params, { all: t.name }),
        ),
      ),
      sessions: view.sessions.map((s) => ({ session: s.session, rate: percent(s.absenceRate) })),
      directions: view.directions.map((d) => ({
        ...d,
        recentText: percent(d.recent),
        beforeText: percent(d.before),
        verdict: d.rising === null ? 'Not enough weeks yet' : d.rising ? 'Rising' : 'Not rising',
      })),
      unresolvedN: view.codeUse.unresolvedN,
      totals: view.punctualityTotals,
      broken: { ...view.broken, shareText: percent(view.broken.share) },
      dayChart: barChart(
        {
          id: 'day-session-chart',
          title: 'Absence by day of the week and session',
          description: `Share of possible sessions missed, Monday morning to Friday afternoon, for ${view.filterLabel}; the figures are in the table.`,
          labels: view.days.map((c) => `${c.weekday.slice(0, 3)} ${c.session}`),
        },
        view.days.map((c) => c.absenceRate),
      ),
      codeChart: lineChart(
        {
          id: 'code-use-chart',
          title: 'N, I and B as a share of possible sessions, by school week',
          description:
            'Weekly share of possible sessions marked N, I and B; the counts are in the table "Code use by school week".',
          labels: view.codeUse.weeks.map((w) => w.monday),
          min: 0,
        },
        [
          { name: 'N', values: shares('N') },
          { name: 'I', values: shares('I') },
          { name: 'B', values: shares('B') },
        ],
      ),
    });
  });

  app.get('/analysis/lists/:kind', { schema: { params: KIND_PARAMS, querystring: QUERY } }, async (request, reply) => {
    const actor = requireActor(request);
    const q = request.query;
    const kind = request.params.kind;
    if (!isListKind(kind)) throw new AppError('NOT_FOUND', `There is no list "${kind}".`);
    const view = await pupilList(deps, actor, { ...analysisQuery(actor, q), kind });
    if (q.format) return sendExport(deps, actor, reply, view, [view.table], q);
    const path = `/analysis/lists/${kind}`;
    const shown = listPage(view.table, q.page);
    return reply.view('analysis-list.njk', {
      ...common(view, request, q, path),
      list: view,
      shown,
      pagination: pagination(shown, (n) => withParams(path, pageQuery(q), n === 1 ? {} : { page: String(n) })),
      // The downloads beside the table still give every row (htmlTable's links carry no page).
      table: htmlTable({ ...view.table, rows: shown.rows }, path, pageQuery(q)),
    });
  });

  // The "Write letters" button of a list: a page with a letter link per chosen pupil.
  app.post('/analysis/lists/letters', { schema: { body: CHOSEN_BODY } }, async (request, reply) => {
    requireActor(request);
    const raw = request.body.pupilIds;
    const ids = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
    return reply.view('analysis-letters.njk', {
      pupils: ids.map((id) => ({ id, href: `/pupils/${encodeURIComponent(id)}/letters` })),
      back:
        request.headers.referer && request.headers.referer.includes('/analysis/lists/')
          ? request.headers.referer
          : '/analysis/lists/at-risk',
    });
  });

  app.get('/analysis/governors', { schema: { querystring: QUERY } }, async (request, reply) => {
    const actor = requireActor(request);
    const q = request.query;
    const view = await governorsReport(deps, actor, analysisQuery(actor, q));
    if (q.format) return sendExport(deps, actor, reply, view, view.tables, q);
    const h = view.headline;
    return reply.view('analysis-governors.njk', {
      ...common(view, request, q, '/analysis/governors'),
      report: view,
      headline: {
        yearToDate: percent(h.yearToDate),
        lastYearToDate: percent(h.lastYearToDate),
        change: points(h.change),
        persistentlyAbsent: h.persistentlyAbsent,
        atRisk: h.atRisk,
        fullAttendance: h.fullAttendance,
        unresolvedN: h.unresolvedN,
        brokenWeekShare: percent(h.brokenWeekShare),
      },
      tables: view.tables.map((t) => htmlTable(t, '/analysis/governors', pageQuery(q))),
      weeklyChart: lineChart(
        {
          id: 'governors-weekly-chart',
          title: `Attendance by school week, ${view.yearLabel} against ${view.lastYearLabel}`,
          description:
            'Weekly attendance rate for the whole school; the figures are in the table "Attendance by school week".',
          labels: view.weeks.map((w) => w.start),
        },
        [
          { name: view.yearLabel, values: view.weeks.map((w) => w.rate) },
          { name: view.lastYearLabel, values: view.weeks.map((w) => w.lastYearRate), dashed: true },
        ],
      ),
      dayChart: barChart(
        {
          id: 'governors-day-chart',
          title: 'Absence by day of the week and session',
          description:
            'Share of possible sessions missed, Monday morning to Friday afternoon; the figures are in the table.',
          labels: view.days.map((c) => `${c.weekday.slice(0, 3)} ${c.session}`),
        },
        view.days.map((c) => c.absenceRate),
      ),
    });
  });
  return Promise.resolve();
};
