/**
 * Attendance figures: the school dashboard (`/analysis`, whole school or filtered to a year
 * group, a class or a group, with the group gap table, band counts and the national figures for
 * the school's phase), a trust's and a local authority's schools side by side (`/trust`, `/la`,
 * each school linking to its dashboard), and the LA's targeting-support-meeting list
 * (`/la/tsm`). The services check every permission (services/analysis/dashboard.ts).
 */
import { isPlainDate, type CohortSummary, type PlainDate } from '@rollcall/domain';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireActor } from '../../http/auth-routes.js';
import { can, type Actor } from '../../services/authz.js';
import { schoolDashboard, sideBySide, tsmList } from '../../services/analysis/dashboard.js';
import { AppError } from '../../services/errors.js';
import {
  auditTsmExport,
  schoolResourceOf,
  sideBySideTable,
  tsmTable,
} from '../../services/analysis/analysis-reports.js';
import { exportTable, type ExportTable } from '../../services/analysis/exports.js';
import { analysisLinks } from './analysis-more-routes.js';

const opt = z.string().max(200).optional();
const DASHBOARD_QUERY = z.object({ school: opt, asOf: opt, from: opt, yearGroup: opt, regGroup: opt, group: opt });
const SCOPE_QUERY = z.object({ asOf: opt, trust: opt, la: opt, format: z.enum(['csv', 'xlsx']).optional() });

/** A fraction as a percentage with one decimal place ('–' when there is none). */
export function pct(v: number | null | undefined): string {
  return v === null || v === undefined ? '–' : `${(v * 100).toFixed(1)}%`;
}

/** A gap in percentage points, signed ('+2.1 pts'). */
export function pts(v: number | null | undefined): string {
  if (v === null || v === undefined) return '–';
  const r = Math.round(v * 1000) / 10;
  return `${r > 0 ? '+' : r < 0 ? '−' : ''}${Math.abs(r).toFixed(1)} pts`;
}

function dateParam(name: string, v: string | undefined): PlainDate | undefined {
  if (v === undefined || v.trim() === '') return undefined;
  if (!isPlainDate(v.trim())) throw new AppError('VALIDATION', `"${name}" must be a date written YYYY-MM-DD.`);
  return v.trim() as PlainDate;
}

function blank(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

/** The measures of a summary as table cells. */
export function cells(s: CohortSummary): Record<string, string> {
  return {
    pupils: String(s.pupils),
    attendance: pct(s.attendanceRate),
    absence: pct(s.absenceRate),
    authorised: pct(s.authorisedAbsenceRate),
    unauthorised: pct(s.unauthorisedAbsenceRate),
    pa: `${s.persistentAbsentees} (${pct(s.persistentAbsenceRate)})`,
    sa: `${s.severeAbsentees} (${pct(s.severeAbsenceRate)})`,
  };
}

/** The same page's table as a file: `?format=csv|xlsx` on the page's own address. */
function sendTable(reply: FastifyReply, table: ExportTable, format: 'csv' | 'xlsx'): FastifyReply {
  const file = exportTable(table, format);
  return reply
    .header('content-type', file.contentType)
    .header('content-disposition', `attachment; filename="${file.fileName}"`)
    .header('cache-control', 'no-store')
    .send(file.body);
}

/** Links to the page's own table as CSV and as XLSX (the page's query with `format`). */
function downloadLinks(path: string, query: Record<string, string | undefined>, name: string, title: string) {
  const href = (format: string): string => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v) p.set(k, v);
    p.set('format', format);
    return `${path}?${p.toString()}`;
  };
  return { name, title, csvHref: href('csv'), xlsxHref: href('xlsx') };
}

function ownScopeLinks(actor: Actor): { trust: boolean; la: boolean } {
  return { trust: actor.role === 'trust_lead', la: actor.role === 'la_officer' };
}

export const analysisRoutes: FastifyPluginAsync = (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { deps } = app;

  app.get('/analysis', { schema: { querystring: DASHBOARD_QUERY } }, async (request, reply) => {
    const actor = requireActor(request);
    const q = request.query;
    const schoolId = blank(q.school) ?? actor.schoolId;
    // Trust and LA roles start from their schools side by side.
    if (!schoolId && actor.role === 'trust_lead') return reply.redirect('/trust', 303);
    if (!schoolId && actor.role === 'la_officer') return reply.redirect('/la', 303);
    if (!schoolId) throw new AppError('FORBIDDEN', 'Choose a school from your list of schools.');
    const filter = { yearGroup: blank(q.yearGroup), regGroupId: blank(q.regGroup), group: blank(q.group) };
    const dash = await schoolDashboard(deps, actor, {
      schoolId,
      asOf: dateParam('as of', q.asOf),
      from: dateParam('from', q.from),
      filter,
    });
    return reply.view('analysis.njk', {
      dash,
      summary: cells(dash.summary),
      groups: dash.groups.map((g) => ({
        ...g,
        cells: cells(g.summary),
        restCells: cells(g.rest),
        restPa: pct(g.rest.persistentAbsenceRate),
        absenceGap: pts(g.absenceGap),
        paGap: pts(g.persistentAbsenceGap),
      })),
      national: dash.national,
      pct,
      // Each table's own files (/analysis/export, with the dashboard's query).
      downloads: Object.fromEntries(
        (['summary', 'bands', 'groups'] as const).map((table) => {
          const p = new URLSearchParams();
          for (const [k, v] of Object.entries({
            school: blank(q.school),
            asOf: blank(q.asOf),
            from: blank(q.from),
            yearGroup: filter.yearGroup,
            regGroup: filter.regGroupId,
            group: filter.group,
            table,
          }))
            if (v) p.set(k, v);
          const title = { summary: 'the measures', bands: 'the bands', groups: 'the groups compared with the rest' }[
            table
          ];
          return [
            table,
            {
              name: table,
              title,
              csvHref: `/analysis/export?${p.toString()}&format=csv`,
              xlsxHref: `/analysis/export?${p.toString()}&format=xlsx`,
            },
          ];
        }),
      ),
      query: { school: blank(q.school) ?? '', asOf: blank(q.asOf) ?? '', from: blank(q.from) ?? '', ...filter },
      scopes: ownScopeLinks(actor),
      // The sub-navigation to trends, patterns, pupil lists and the governors' report (else unreachable).
      links: analysisLinks(
        {
          school: blank(q.school),
          asOf: blank(q.asOf),
          yearGroup: filter.yearGroup,
          regGroup: filter.regGroupId,
          group: filter.group,
        },
        can(actor, 'school.viewPupilLists', schoolResourceOf(dash.school)),
        dash.summary.pupils,
      ),
    });
  });

  for (const scope of ['trust', 'la'] as const) {
    app.get(`/${scope}`, { schema: { querystring: SCOPE_QUERY } }, async (request, reply) => {
      const actor = requireActor(request);
      const q = request.query;
      const view = await sideBySide(deps, actor, {
        scope,
        id: blank(scope === 'trust' ? q.trust : q.la),
        asOf: dateParam('as of', q.asOf),
      });
      if (q.format) return sendTable(reply, sideBySideTable(view), q.format);
      return reply.view('analysis-schools.njk', {
        view,
        title: scope === 'trust' ? 'Trust schools' : 'Local authority schools',
        rows: view.schools.map((r) => ({
          school: r.school,
          cells: cells(r.summary),
          national: r.national,
          href: `/analysis?school=${encodeURIComponent(r.school.id)}&asOf=${view.asOf}`,
        })),
        total: cells(view.total),
        pct,
        asOf: view.asOf,
        tsmHref: scope === 'la' ? `/la/tsm?asOf=${view.asOf}${q.la ? `&la=${encodeURIComponent(q.la)}` : ''}` : null,
        downloads: downloadLinks(
          `/${scope}`,
          { asOf: view.asOf, trust: blank(q.trust), la: blank(q.la) },
          'schools',
          'the schools side by side',
        ),
      });
    });
  }

  app.get('/la/tsm', { schema: { querystring: SCOPE_QUERY } }, async (request, reply) => {
    const actor = requireActor(request);
    const q = request.query;
    const list = await tsmList(deps, actor, { id: blank(q.la), asOf: dateParam('as of', q.asOf) });
    if (q.format) {
      // Named pupils leave Rollcall: audited.
      const table = tsmTable(list);
      await auditTsmExport(deps, actor, table, q.format, blank(q.la) ?? actor.laCode ?? list.name);
      return sendTable(reply, table, q.format);
    }
    return reply.view('analysis-tsm.njk', {
      list,
      pct,
      downloads: downloadLinks(
        '/la/tsm',
        { asOf: list.asOf, la: blank(q.la) },
        'tsm',
        'the targeting support meeting list',
      ),
    });
  });

  return Promise.resolve();
};
