/**
 * Long on purpose: one Fastify plugin for the pupil pages (finding a pupil, the pupil page,
 * amending a mark); the handlers share the page's permission-dependent model and renderers, and the
 * finding-people work is changing it now.
 *
 * Pupil pages: finding a pupil (by name or UPN for staff who see pupil lists; a teacher sees
 * the pupils of their groups), and the pupil page: details by permission, the year's measures,
 * the statutory findings with their explanations, a calendar heat map of marks (with a table
 * for screen readers), code counts, the mark history as a timeline, and for permitted staff a
 * form to amend a mark. Parents see their own child's page without the staff-only parts.
 */
import {
  addDays,
  CODE_TABLE,
  dateInWords,
  isoWeekday,
  MONTH_NAMES,
  isPlainDate,
  lookupCode,
  sessionIndex,
  type Finding,
  type PlainDate,
  type SchoolCalendar,
  type Session,
} from '@rollcall/domain';
import { attendanceHistoryOf } from '../../services/pupils/attendance-history.js';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { PupilSummary } from '../../services/pupils/pupils.js';
import {
  ownGroupsWithPupils,
  registrationGroupNames,
  registrationGroupOf,
  type Group,
} from '../../services/registers/groups.js';
import { getSchool, listSchools, type School } from '../../services/school/schools.js';
import { requireActor } from '../../http/auth-routes.js';
import { localDateTime } from '../../platform/clock.js';
import { can, isRole, ROLE_LABELS, type Actor, type Resource } from '../../services/authz.js';
import type { Deps } from '../../services/deps.js';
import { AppError, HTTP_STATUS, type FieldError } from '../../services/errors.js';
import { chronology } from '../../services/pupils/chronology.js';
import { adjustedAttendanceSection } from './integration-routes.js';
import { findPeople, findPupilsByContact, type FoundPerson } from '../../services/pupils/find-people.js';
import { findPupils, getPupilRecord, pupilResource, type PupilRecord } from '../../services/pupils/pupils.js';
import { amendMark, REGISTER_CODES, schoolCalendar } from '../../services/registers/registers.js';

// ---------------------------------------------------------------------------------------------
// Dates in words
// ---------------------------------------------------------------------------------------------

/** '2025-09-08' → '8 September 2025'. */
export function dayMonthYear(date: PlainDate): string {
  return dateInWords(date);
}

/** '2025-09-08' → 'Mon 8 Sep' (with the year when asked). */
export function shortDate(date: PlainDate, withYear = false): string {
  return dateInWords(date, { weekday: true, short: true, year: withYear });
}

// ---------------------------------------------------------------------------------------------
// The calendar heat map
// ---------------------------------------------------------------------------------------------

/** What a half-day cell shows: a statistical category, or why there is no mark to count. */
export type CellKind =
  'present' | 'approvedActivity' | 'authorised' | 'unauthorised' | 'notPossible' | 'missing' | 'noSession';

export const CELL_KINDS: readonly { kind: CellKind; label: string; sample: string }[] = [
  { kind: 'present', label: 'Present (/, \\ or L)', sample: '/' },
  { kind: 'approvedActivity', label: 'Approved educational activity (for example V, K, P)', sample: 'V' },
  { kind: 'authorised', label: 'Authorised absence (for example I, M, C)', sample: 'I' },
  { kind: 'unauthorised', label: 'Unauthorised absence (G, N, O, U)', sample: 'U' },
  { kind: 'notPossible', label: 'Not a possible session (for example D, X, Y1 to Y7, #)', sample: 'X' },
  { kind: 'missing', label: 'No mark recorded', sample: '–' },
  { kind: 'noSession', label: 'No session (closure) or not on roll', sample: '–' },
];

export interface HalfCell {
  readonly session: Session;
  readonly kind: CellKind;
  /** What the cell says: the code, or a dash when there is none. */
  readonly text: string;
  /** The cell in words, for the table alternative. */
  readonly description: string;
}

export interface HeatDay {
  readonly date: PlainDate;
  readonly day: number;
  /** True for school days up to "as of" (the days with marks to show). */
  readonly schoolDay: boolean;
  /** Weekdays after "as of": not yet happened. */
  readonly future: boolean;
  readonly am: HalfCell | null;
  readonly pm: HalfCell | null;
}

export interface HeatMonth {
  readonly label: string;
  /** Monday-to-Friday weeks; null where the week runs into another month. */
  readonly weeks: readonly (readonly (HeatDay | null)[])[];
}

function meaningOf(code: string, date: PlainDate): string {
  const found = lookupCode(code, date);
  if (found.ok) return found.definition.meaning;
  return CODE_TABLE.find((c) => c.code === code)?.meaning ?? 'Unknown code';
}

function halfCell(
  record: PupilRecord,
  cal: SchoolCalendar,
  date: PlainDate,
  session: Session,
  mark: { code: string; category: CellKind } | null,
): HalfCell {
  const sessionName = session === 'AM' ? 'Morning' : 'Afternoon';
  if (mark)
    return {
      session,
      kind: mark.category,
      text: mark.code,
      description: `${sessionName}: ${mark.code}, ${meaningOf(mark.code, date)}`,
    };
  const { admissionDate, leavingDate } = record.pupil;
  if (date < admissionDate || (leavingDate !== null && date > leavingDate)) {
    return { session, kind: 'noSession', text: '–', description: `${sessionName}: not on roll` };
  }
  if (sessionIndex(cal, date, session) < 0)
    return { session, kind: 'noSession', text: '–', description: `${sessionName}: no session` };
  return { session, kind: 'missing', text: '–', description: `${sessionName}: no mark recorded` };
}

/** The school days of the record laid out month by month, Monday to Friday. */
export function heatMap(record: PupilRecord, cal: SchoolCalendar): HeatMonth[] {
  const byDate = new Map(record.days.map((d) => [d.date, d]));
  const first = record.days[0]?.date;
  const last = record.days[record.days.length - 1]?.date;
  if (!first || !last) return [];
  const months: HeatMonth[] = [];
  let monthStart = `${first.slice(0, 7)}-01` as PlainDate;
  while (monthStart <= last) {
    const month = monthStart.slice(0, 7);
    const weeks: (HeatDay | null)[][] = [];
    let week: (HeatDay | null)[] | null = null;
    for (let date = monthStart; date.slice(0, 7) === month; date = addDays(date, 1)) {
      const weekday = isoWeekday(date);
      if (weekday > 5) continue;
      if (week === null || weekday === 1) {
        week = [null, null, null, null, null];
        weeks.push(week);
      }
      const cell = byDate.get(date);
      const day = Number(date.slice(8, 10));
      week[weekday - 1] = cell
        ? {
            date,
            day,
            schoolDay: true,
            future: false,
            am: halfCell(record, cal, date, 'AM', cell.am),
            pm: halfCell(record, cal, date, 'PM', cell.pm),
          }
        : { date, day, schoolDay: false, future: date > record.asOf, am: null, pm: null };
    }
    months.push({ label: `${MONTH_NAMES[Number(month.slice(5, 7)) - 1]} ${month.slice(0, 4)}`, weeks });
    const [y, m] = [Number(month.slice(0, 4)), Number(month.slice(5, 7))];
    monthStart = (m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`) as PlainDate;
  }
  return months;
}

// ---------------------------------------------------------------------------------------------
// The pupil page
// ---------------------------------------------------------------------------------------------

function pct(n: number | null): string {
  return n === null ? 'Not applicable (no possible sessions)' : `${(n * 100).toFixed(1)}%`;
}

function sessions(n: number): string {
  return `${n} session${n === 1 ? '' : 's'}`;
}

const SEN_LABELS = {
  N: 'No special educational needs',
  K: 'SEN support (K)',
  E: 'Education, health and care plan (E)',
} as const;

export interface AmendForm {
  day: string;
  month: string;
  year: string;
  session: string;
  code: string;
  minutesLate: string;
  reason: string;
}

export interface HistoryItem {
  readonly title: string;
  readonly byline: string | null;
  readonly at: string | null;
  readonly atText: string | null;
  readonly reason: string | null;
  readonly source: string | null;
}

interface PageExtras {
  readonly form?: AmendForm;
  readonly errors?: { text: string; href: string }[];
  readonly fieldErrors?: Record<string, string>;
  readonly banner?: string | null;
}

function roleLabel(role: string): string {
  return isRole(role) ? ROLE_LABELS[role] : role;
}

function minutesText(minutes: number | null): string {
  return minutes ? ` (${minutes} minute${minutes === 1 ? '' : 's'} late)` : '';
}

/** The history as timeline items; a parent sees only the date, the code and the reason. */
export function historyItems(record: PupilRecord, staff: boolean): HistoryItem[] {
  const tz = record.school.timeZone;
  return record.history
    .filter((h) => h.lessonId === null)
    .map((h) => {
      const when = `${shortDate(h.date)} ${h.session}`;
      if (!staff) {
        return {
          title: `${when}: ${h.newCode}, ${meaningOf(h.newCode, h.date)}`,
          byline: null,
          at: null,
          atText: null,
          reason: h.reason,
          source: null,
        };
      }
      const local = localDateTime(h.at, tz);
      return {
        title: `${when}: ${h.previousCode ?? 'no mark'} → ${h.newCode}${minutesText(h.newMinutesLate)}`,
        byline: `${h.userName} (${roleLabel(h.userRole)})`,
        at: h.at,
        atText: `${local.time} ${shortDate(local.date, true)}`,
        reason: h.reason,
        source: h.source,
      };
    });
}

function defaultForm(asOf: PlainDate): AmendForm {
  return {
    day: String(Number(asOf.slice(8, 10))),
    month: String(Number(asOf.slice(5, 7))),
    year: asOf.slice(0, 4),
    session: '',
    code: '',
    minutesLate: '',
    reason: '',
  };
}

function amendedBanner(record: PupilRecord, amended: string | undefined): string | null {
  const m = /^(\d{4}-\d{2}-\d{2})\.(AM|PM)$/.exec(amended ?? '');
  if (!m || !record.permissions.amend) return null;
  const row = record.history.find((h) => h.date === m[1] && h.session === m[2] && h.lessonId === null);
  if (!row) return null;
  return `${dayMonthYear(row.date)} ${row.session} is now ${row.newCode}${row.previousCode ? ` (was ${row.previousCode})` : ''}.`;
}

/** Everything the pupil page shows, by what the actor may see. */
export function pupilPage(
  record: PupilRecord,
  cal: SchoolCalendar,
  group: Group | undefined,
  actor: Actor,
  extras: PageExtras = {},
): Record<string, unknown> {
  const p = record.pupil;
  const m = record.measures;
  const staff = actor.role !== 'parent';
  const flags = [
    p.fsm ? 'Free school meals' : null,
    p.pupilPremium ? 'Pupil premium' : null,
    p.eal ? 'English as an additional language' : null,
    p.youngCarer ? 'Young carer' : null,
  ].filter((x): x is string => x !== null);
  const preferred =
    p.forename !== p.legalForename || p.surname !== p.legalSurname ? `${p.forename} ${p.surname}` : null;
  const counts = Object.entries(m.codeCounts)
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([code, n]) => ({ code, meaning: meaningOf(code, record.asOf), count: n }));
  const findings: readonly Finding[] = staff ? record.findings : [];
  return {
    record,
    staff,
    name: `${p.forename} ${p.surname}`,
    groupName: group?.name ?? null,
    details: {
      legalName: `${p.legalForename} ${p.legalSurname}`,
      preferredName: preferred,
      dateOfBirth: p.dateOfBirth ? dayMonthYear(p.dateOfBirth) : null,
      admission: dayMonthYear(p.admissionDate),
      leaving: p.leavingDate ? dayMonthYear(p.leavingDate) : null,
      sen: SEN_LABELS[p.senStatus] + (p.ehcp && p.senStatus !== 'E' ? ' (EHC plan)' : ''),
      flags,
    },
    period: { from: dayMonthYear(record.periodStart), to: dayMonthYear(record.asOf) },
    measures: {
      attendance: pct(m.attendanceRate),
      absence: pct(m.absenceRate),
      authorised: `${sessions(m.authorisedAbsenceSessions)} (${pct(m.authorisedAbsenceRate)})`,
      unauthorised: `${sessions(m.unauthorisedAbsenceSessions)} (${pct(m.unauthorisedAbsenceRate)})`,
      present: sessions(m.presentSessions),
      approvedActivity: sessions(m.approvedActivitySessions),
      possible: sessions(m.possibleSessions),
      late: sessions(m.lateSessions),
      lateAfterClose: sessions(m.lateAfterCloseSessions),
      minutesLate: `${m.minutesLate} minute${m.minutesLate === 1 ? '' : 's'}`,
      brokenWeeks: `${m.brokenWeeks} of ${m.schoolWeeksOnRoll} school week${m.schoolWeeksOnRoll === 1 ? '' : 's'} on roll`,
      unresolvedN: m.unresolvedN.length,
      missingMarks: m.missingMarks,
      persistentAbsence: m.persistentAbsence,
      severeAbsence: m.severeAbsence,
    },
    findings,
    months: heatMap(record, cal),
    legend: CELL_KINDS,
    counts,
    history: historyItems(record, staff),
    codes: REGISTER_CODES,
    form: extras.form ?? defaultForm(record.asOf),
    errors: extras.errors ?? [],
    fieldErrors: extras.fieldErrors ?? {},
    banner: extras.banner ?? null,
  };
}

// ---------------------------------------------------------------------------------------------
// Amending a mark
// ---------------------------------------------------------------------------------------------

const AMEND_IDS: Readonly<Record<string, string>> = {
  date: 'amend-date-day',
  session: 'amend-session',
  code: 'amend-code',
  minutesLate: 'amend-minutes',
  reason: 'amend-reason',
};

export const AMEND_REASON_MAX = 500;

/** Reads the amendment form; field errors for what the form can check by itself. */
export function parseAmendForm(form: AmendForm): {
  value?: { date: PlainDate; session: Session; code: string; minutesLate: number | null; reason: string };
  errors: FieldError[];
} {
  const errors: FieldError[] = [];
  let date: PlainDate | undefined;
  if (!form.day && !form.month && !form.year) errors.push({ field: 'date', message: 'Enter the date of the mark.' });
  else if (!/^\d{1,2}$/.test(form.day) || !/^\d{1,2}$/.test(form.month) || !/^\d{4}$/.test(form.year)) {
    errors.push({ field: 'date', message: 'The date of the mark must be a real date, for example 8 9 2025.' });
  } else {
    const candidate = `${form.year}-${form.month.padStart(2, '0')}-${form.day.padStart(2, '0')}`;
    if (isPlainDate(candidate)) date = candidate;
    else errors.push({ field: 'date', message: 'The date of the mark must be a real date, for example 8 9 2025.' });
  }
  if (form.session !== 'AM' && form.session !== 'PM')
    errors.push({ field: 'session', message: 'Select the morning or the afternoon session.' });
  if (!form.code) errors.push({ field: 'code', message: 'Select the new code.' });
  let minutesLate: number | null = null;
  if (form.minutesLate !== '') {
    const n = /^\d{1,3}$/.test(form.minutesLate) ? Number(form.minutesLate) : NaN;
    if (!Number.isInteger(n) || n > 600)
      errors.push({ field: 'minutesLate', message: 'Minutes late must be a whole number from 0 to 600.' });
    else if (form.code !== 'L' && form.code !== 'U')
      errors.push({
        field: 'minutesLate',
        message: 'Minutes late go with L or U only: leave it empty for other codes.',
      });
    else minutesLate = n;
  }
  if (!form.reason) errors.push({ field: 'reason', message: 'Give the reason for the amendment.' });
  else if (form.reason.length > AMEND_REASON_MAX)
    errors.push({ field: 'reason', message: `The reason must be ${AMEND_REASON_MAX} characters or fewer.` });
  if (errors.length > 0 || !date) return { errors };
  return {
    value: { date, session: form.session as Session, code: form.code, minutesLate, reason: form.reason },
    errors,
  };
}

function summaryOf(
  fields: readonly FieldError[],
  fallback: string,
): { errors: { text: string; href: string }[]; fieldErrors: Record<string, string> } {
  const errors = fields.map((f) => ({ text: f.message, href: `#${AMEND_IDS[f.field] ?? 'amend-date-day'}` }));
  const fieldErrors: Record<string, string> = {};
  for (const f of fields) fieldErrors[f.field] ??= f.message;
  if (errors.length === 0) errors.push({ text: fallback, href: '#amend-date-day' });
  return { errors, fieldErrors };
}

// ---------------------------------------------------------------------------------------------
// Finding pupils
// ---------------------------------------------------------------------------------------------

export interface PupilRow {
  readonly id: string;
  readonly name: string;
  readonly upn: string;
  readonly yearGroup: string | null;
  readonly groupName: string | null;
}

function matches(p: PupilSummary, q: string): boolean {
  const needle = q.trim().toLowerCase();
  if (!needle) return true;
  return [p.forename, p.surname, p.upn].some((part) => part.toLowerCase().startsWith(needle));
}

function schoolResource(s: School): Resource {
  return { kind: 'school', schoolId: s.id, trustId: s.trustId, laCode: s.laCode };
}

type SearchView =
  | { mode: 'chooseSchool'; schools: School[] }
  | {
      mode: 'search';
      school: School;
      results: PupilRow[] | null;
      /** Pupils one of whose contacts has the name searched for. */
      byContact?: (PupilRow & { contact: string })[];
    }
  | { mode: 'groups'; groups: { group: Group; pupils: PupilRow[] }[] };

/** Staff with pupil lists search the school; a teacher sees the pupils of their own groups. */
async function pupilSearch(deps: Deps, actor: Actor, q: string, schoolParam: string | undefined): Promise<SearchView> {
  if (actor.role === 'teacher' && actor.schoolId) {
    const school = await getSchool(deps.db, actor.schoolId);
    const today = deps.clock.today(school.timeZone);
    const own = await ownGroupsWithPupils(deps, actor, school, today);
    const out: { group: Group; pupils: PupilRow[] }[] = [];
    for (const { group, pupils: members } of own.groups) {
      const pupils = members.filter((p) => matches(p, q)).map((p) => toRow(p, own.registrationGroupNames));
      if (pupils.length > 0 || !q.trim()) out.push({ group, pupils });
    }
    return { mode: 'groups', groups: out };
  }
  const schoolId = actor.schoolId ?? schoolParam;
  if (!schoolId) {
    const schools = (await listSchools(deps.db)).filter((s) => can(actor, 'school.viewPupilLists', schoolResource(s)));
    if (schools.length === 0) throw new AppError('FORBIDDEN', 'You do not have permission to do that.');
    return { mode: 'chooseSchool', schools };
  }
  const school = await getSchool(deps.db, schoolId);
  if (!can(actor, 'school.viewPupilLists', schoolResource(school)))
    throw new AppError('FORBIDDEN', 'You do not have permission to do that.');
  if (!q.trim()) return { mode: 'search', school, results: null };
  const [found, byContact, regNames] = await Promise.all([
    findPupils(deps, actor, school.id, q),
    findPupilsByContact(deps, actor, school.id, q),
    registrationGroupNames(deps, actor, school),
  ]);
  return {
    mode: 'search',
    school,
    results: found.map((p) => toRow(p, regNames)),
    byContact: byContact.map((c) => ({ ...toRow(c.pupil, regNames), contact: `${c.contactName}, ${c.relationship}` })),
  };
}

function toRow(p: PupilSummary, regNames: ReadonlyMap<string, string>): PupilRow {
  return {
    id: p.id,
    name: `${p.forename} ${p.surname}`,
    upn: p.upn,
    yearGroup: p.yearGroup,
    groupName: p.regGroupId ? (regNames.get(p.regGroupId) ?? null) : null,
  };
}

// ---------------------------------------------------------------------------------------------
// Routes
// ---------------------------------------------------------------------------------------------

const SEARCH_QUERY = z.object({ q: z.string().max(200).optional(), school: z.string().max(200).optional() });
const PUPIL_PARAMS = z.object({ id: z.string().min(1).max(200) });
const PUPIL_QUERY = z.object({ amended: z.string().max(20).optional() });
const text = z.string().max(10_000).default('');
const AMEND_BODY = z.object({
  _csrf: z.string().optional(),
  'date-day': text,
  'date-month': text,
  'date-year': text,
  session: text,
  code: text,
  minutesLate: text,
  reason: text,
});

async function renderPupil(
  deps: Deps,
  reply: FastifyReply,
  actor: Actor,
  pupilId: string,
  extras: (record: PupilRecord) => PageExtras,
): Promise<FastifyReply> {
  const record = await getPupilRecord(deps, actor, pupilId);
  const [cal, group, events] = await Promise.all([
    schoolCalendar(deps, record.school.id),
    registrationGroupOf(deps, record),
    chronology(deps, actor, pupilId),
  ]);
  // Marks have their own history below; the chronology shows everything else that happened.
  const contacts = events
    .filter((e) => e.kind !== 'mark')
    .map((e) => {
      const local = localDateTime(e.at, record.school.timeZone);
      return { ...e, date: local.date, time: local.time };
    });
  const adjusted = await adjustedAttendanceSection(deps, actor, record);
  const attendanceHistory = await attendanceHistoryOf(deps, record);
  // The case record link follows the casework permission (not safeguarding: LA officers see that but not casework).
  const caseRecordLink = can(actor, 'casework.view', pupilResource(record.school, record.pupil.id, []));
  return reply.view('pupil.njk', {
    ...pupilPage(record, cal, group, actor, extras(record)),
    contacts,
    adjusted,
    caseRecordLink,
    attendanceHistory,
  });
}

export const pupilRoutes: FastifyPluginAsync = (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { deps } = app;

  app.get('/pupils', { schema: { querystring: SEARCH_QUERY } }, async (request, reply) => {
    const actor = requireActor(request);
    const q = request.query.q?.trim() ?? '';
    const view = await pupilSearch(deps, actor, q, request.query.school);
    return reply.view('pupil-search.njk', {
      view,
      q,
      schoolParam: actor.schoolId ? null : (request.query.school ?? null),
    });
  });

  // The "Find a pupil" type-ahead: pupils by name or UPN, and by a contact's name (JSON).
  app.get('/pupils/suggest', { schema: { querystring: SEARCH_QUERY } }, async (request, reply) => {
    const actor = requireActor(request);
    const q = request.query.q?.trim() ?? '';
    let results: FoundPerson[];
    if (actor.role === 'teacher' && actor.schoolId) {
      // A teacher finds their own groups' pupils, as on the pupils page.
      const view = q.length < 2 ? null : await pupilSearch(deps, actor, q, undefined);
      const seen = new Set<string>();
      results = [];
      if (view?.mode === 'groups')
        for (const g of view.groups)
          for (const p of g.pupils)
            if (!seen.has(p.id) && seen.add(p.id))
              results.push({
                href: `/pupils/${encodeURIComponent(p.id)}`,
                label: `${p.name} (${p.groupName ?? g.group.name})`,
              });
    } else {
      const schoolId = actor.schoolId ?? request.query.school;
      if (!schoolId) throw new AppError('VALIDATION', 'Choose a school to search.');
      results = await findPeople(deps, actor, schoolId, q);
    }
    return reply.header('cache-control', 'no-store').send({ results: results.slice(0, 20) });
  });

  app.get('/pupils/:id', { schema: { params: PUPIL_PARAMS, querystring: PUPIL_QUERY } }, async (request, reply) => {
    const actor = requireActor(request);
    try {
      return await renderPupil(deps, reply, actor, request.params.id, (record) => ({
        banner: amendedBanner(record, request.query.amended),
      }));
    } catch (e) {
      // An LA officer without a reason to see this pupil is asked for one (issue 16).
      if (actor.role === 'la_officer' && e instanceof AppError && e.code === 'FORBIDDEN')
        return reply.redirect(`/pupils/${encodeURIComponent(request.params.id)}/access-reason`, 303);
      throw e;
    }
  });

  app.post('/pupils/:id/amend', { schema: { params: PUPIL_PARAMS, body: AMEND_BODY } }, async (request, reply) => {
    const actor = requireActor(request);
    const b = request.body;
    const form: AmendForm = {
      day: b['date-day'].trim(),
      month: b['date-month'].trim(),
      year: b['date-year'].trim(),
      session: b.session.trim(),
      code: b.code.trim(),
      minutesLate: b.minutesLate.trim(),
      reason: b.reason.trim(),
    };
    const parsed = parseAmendForm(form);
    try {
      if (!parsed.value) throw new AppError('VALIDATION', 'The mark could not be amended.', { fields: parsed.errors });
      await amendMark(deps, actor, { pupilId: request.params.id, ...parsed.value });
      return reply.redirect(
        `/pupils/${encodeURIComponent(request.params.id)}?amended=${parsed.value.date}.${parsed.value.session}`,
        303,
      );
    } catch (e) {
      if (!(e instanceof AppError) || e.code !== 'VALIDATION') throw e;
      const shown = summaryOf(e.details.fields ?? [], e.message);
      reply.code(HTTP_STATUS[e.code]);
      return renderPupil(deps, reply, actor, request.params.id, (record) => {
        // Someone who may not amend learns that, not what was wrong with the form.
        if (!record.permissions.amend) throw new AppError('FORBIDDEN', 'You do not have permission to do that.');
        return { form, ...shown };
      });
    }
  });
  return Promise.resolve();
};
