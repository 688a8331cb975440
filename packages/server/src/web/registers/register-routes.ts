/**
 * Register pages: the list of today's registers, and taking one. Works without JavaScript
 * ("Mark all unmarked present" re-renders the form with the blanks filled, then the teacher
 * changes the exceptions and saves); `assets/register.ts` adds one-key marking.
 */
import { isoWeekday, isPlainDate, minutesOfDay, type PlainDate, type Session } from '@rollcall/domain';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { registersToTake } from '../../services/registers/groups.js';
import { getSchool } from '../../services/school/schools.js';
import { requireActor } from '../../http/auth-routes.js';
import { localDateTime } from '../../platform/clock.js';
import type { Deps } from '../../services/deps.js';
import { AppError, type FieldError } from '../../services/errors.js';
import { schoolDay } from '../../services/today.js';
import {
  getRegister,
  REGISTER_CODES,
  saveRegister,
  type ConflictChange,
  type MarkInput,
  type RegisterView,
} from '../../services/registers/registers.js';

type Form = Record<string, string | undefined>;

interface RowState {
  code: string | null;
  minutesLate: number | string | null;
  reason: string;
  seen: string;
  /** The minutes late the page showed; undefined when the form did not say (a page from before). */
  seenMinutes: string | undefined;
  error?: string;
}

const QUICK = (session: Session) => [
  { code: session === 'AM' ? '/' : '\\', label: 'Present' },
  { code: 'L', label: 'Late' },
  { code: 'N', label: 'Absent' },
];

function parseParams(params: { date: string; session: string }): { date: PlainDate; session: Session } {
  if (!isPlainDate(params.date)) throw new AppError('NOT_FOUND', 'No register for that date.');
  if (params.session !== 'AM' && params.session !== 'PM')
    throw new AppError('NOT_FOUND', 'No register for that session.');
  return { date: params.date, session: params.session };
}

function registerUrl(groupId: string, date: string, session: string, lessonId: string | null | undefined): string {
  return `/registers/${encodeURIComponent(groupId)}/${date}/${session}${lessonId ? `?lesson=${encodeURIComponent(lessonId)}` : ''}`;
}

function formValue(form: Form, key: string): string {
  const v = form[key];
  return typeof v === 'string' ? v.trim() : '';
}

/** What the form says for each pupil (an empty code leaves the pupil unmarked). */
function readForm(view: RegisterView, form: Form): Map<string, RowState> {
  const out = new Map<string, RowState>();
  for (const p of view.pupils) {
    const id = p.pupil.id;
    const code = formValue(form, `other_${id}`) || formValue(form, `code_${id}`) || null;
    out.set(id, {
      code,
      minutesLate: formValue(form, `minutes_${id}`) || null,
      reason: formValue(form, `reason_${id}`),
      seen: formValue(form, `seen_${id}`),
      seenMinutes: form[`seenMinutes_${id}`] === undefined ? undefined : formValue(form, `seenMinutes_${id}`),
    });
  }
  return out;
}

async function render(
  reply: FastifyReply,
  request: FastifyRequest,
  view: RegisterView,
  state: Map<string, RowState> | undefined,
  extra: { errors?: { text: string; href: string }[]; conflict?: unknown; saved?: string } = {},
): Promise<FastifyReply> {
  // What the page says happened, for assets/offline.ts (a save sent from the device): saved, a
  // conflict, or marks to correct; nothing on a plain visit.
  const outcome = extra.conflict ? 'conflict' : extra.errors?.length ? 'invalid' : extra.saved ? 'saved' : '';
  const day = await schoolDay(request.server.deps, view.school.id, view.date);
  const quick = QUICK(view.session);
  const quickCodes = new Set(quick.map((q) => q.code));
  const rows = view.pupils.map((p) => {
    const s = state?.get(p.pupil.id);
    const code = s ? s.code : p.code;
    return {
      pupil: p.pupil,
      code,
      quick: code !== null && quickCodes.has(code),
      minutesLate: s ? s.minutesLate : p.minutesLate,
      reason: s?.reason ?? '',
      seen: p.code ?? '',
      seenMinutes: p.minutesLate ?? '',
      error: s?.error,
      sessionCode: p.sessionCode ?? null,
      missingFromLesson: p.missingFromLesson ?? false,
    };
  });
  return reply.view('register.njk', {
    view,
    rows,
    quickCodes: quick,
    otherCodes: REGISTER_CODES.filter((c) => !quickCodes.has(c.code)),
    presentCode: quick[0]!.code,
    action: registerUrl(view.group.id, view.date, view.session, view.lesson?.id),
    dateLabel: view.date,
    takenAtLocal: view.takenAt ? localDateTime(view.takenAt, view.school.timeZone).time : null,
    csrfToken: request.csrfToken,
    errors: extra.errors ?? [],
    conflict: extra.conflict,
    saved: extra.saved,
    outcome,
    // A lesson's neighbours are other lessons: its day's list instead.
    previousHref: day.previous && !view.lesson ? registerUrl(view.group.id, day.previous, view.session, null) : null,
    nextHref: day.next && !view.lesson ? registerUrl(view.group.id, day.next, view.session, null) : null,
    previous: day.previous,
    next: day.next,
  });
}

function toMarks(view: RegisterView, state: Map<string, RowState>): { marks: MarkInput[]; errors: FieldError[] } {
  const marks: MarkInput[] = [];
  const errors: FieldError[] = [];
  for (const p of view.pupils) {
    const s = state.get(p.pupil.id);
    if (!s?.code) continue;
    let minutes: number | null = null;
    if (s.minutesLate !== null && s.minutesLate !== '') {
      const n = Number(s.minutesLate);
      if (!Number.isInteger(n) || n < 0 || n > 600) {
        errors.push({
          field: `marks.${marks.length}.minutesLate`,
          message: 'Minutes late must be a whole number from 0 to 600.',
        });
      } else minutes = s.code === 'L' || s.code === 'U' ? n : null;
    }
    marks.push({
      pupilId: p.pupil.id,
      code: s.code,
      minutesLate: minutes,
      reason: s.reason || null,
      seen: s.seen === '' ? null : s.seen,
      seenMinutes: seenMinutesOf(s.seenMinutes),
    });
  }
  return { marks, errors };
}

/** The minutes the page showed: null for none, undefined when unknown (not sent, or not a number). */
function seenMinutesOf(value: string | undefined): number | null | undefined {
  if (value === undefined) return undefined;
  if (value === '') return null;
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

/**
 * Lets the service worker keep this page on the device (assets/sw.ts): only today's registers
 * and today's list, never another page (pupil pages, safeguarding) and never another day.
 */
function keepOffline(reply: FastifyReply, today: string): void {
  reply.header('x-rollcall-offline', 'keep').header('x-rollcall-offline-day', today);
}

/** The session whose register a teacher most likely wants now: PM once the PM register opens. */
function currentSession(deps: Deps, timeZone: string, pmOpens: string): Session {
  return minutesOfDay(deps.clock.timeOfDay(timeZone)) >= minutesOfDay(pmOpens) ? 'PM' : 'AM';
}

export const registerRoutes: FastifyPluginAsync = (app) => {
  app.get<{ Querystring: { date?: string; kind?: string; q?: string } }>('/registers', async (request, reply) => {
    const actor = requireActor(request);
    const school = actor.schoolId ? await getSchool(app.deps.db, actor.schoolId) : null;
    if (!school) throw new AppError('FORBIDDEN', 'Registers are taken in a school.');
    const today = app.deps.clock.today(school.timeZone);
    const asked = typeof request.query.date === 'string' ? request.query.date.trim() : '';
    const badDate = asked !== '' && !isPlainDate(asked);
    const date = asked && isPlainDate(asked) ? asked : today;
    const day = await schoolDay(app.deps, school.id, date);
    // A teacher sees the groups they teach; everyone else every group, filtered by kind and name.
    const own = actor.role === 'teacher';
    const kind = request.query.kind === 'registration' || request.query.kind === 'teaching' ? request.query.kind : '';
    const q = typeof request.query.q === 'string' ? request.query.q.trim().slice(0, 100) : '';
    const items = day.isSchoolDay
      ? await registersToTake(app.deps, actor, school, { kind, name: q, weekday: isoWeekday(date) })
      : [];
    // Today's list is kept on the device for working offline (docs/offline.md); a teacher's
    // page also asks the device to keep the registers it links to.
    if (date === today && !badDate) keepOffline(reply, today);
    return reply.view('registers.njk', {
      school,
      date,
      today,
      day,
      items,
      own,
      keepRegisters: own && date === today && day.isSchoolDay,
      filters: { kind, q },
      badDate: badDate ? asked : null,
      errors: badDate ? [{ text: 'Enter a real date, for example 2026-11-27', href: '#date' }] : [],
    });
  });

  app.get<{ Params: { groupId: string }; Querystring: { date?: string } }>(
    '/registers/:groupId',
    async (request, reply) => {
      const actor = requireActor(request);
      const school = actor.schoolId ? await getSchool(app.deps.db, actor.schoolId) : null;
      const tz = school?.timeZone ?? app.deps.config.timeZone;
      const date =
        request.query.date && isPlainDate(request.query.date) ? request.query.date : app.deps.clock.today(tz);
      const session = currentSession(app.deps, tz, school?.policy.registerTimes.PM.opens ?? '13:00');
      return reply.redirect(registerUrl(request.params.groupId, date, session, null), 303);
    },
  );

  app.get<{
    Params: { groupId: string; date: string; session: string };
    Querystring: { lesson?: string; saved?: string };
  }>('/registers/:groupId/:date/:session', async (request, reply) => {
    const actor = requireActor(request);
    const { date, session } = parseParams(request.params);
    let view: RegisterView;
    try {
      view = await getRegister(app.deps, actor, {
        groupId: request.params.groupId,
        date,
        session,
        lessonId: request.query.lesson ?? null,
      });
    } catch (e) {
      // A day (or half day) without school: a friendly page with the school days either side.
      if (!(e instanceof AppError) || e.code !== 'NOT_A_SCHOOL_SESSION' || !actor.schoolId) throw e;
      const day = await schoolDay(app.deps, actor.schoolId, date);
      return reply.code(404).view('no-school.njk', {
        date,
        session,
        day,
        groupId: request.params.groupId,
        today: app.deps.clock.today((await getSchool(app.deps.db, actor.schoolId)).timeZone),
      });
    }
    const saved =
      request.query.saved !== undefined
        ? `Register saved${Number(request.query.saved) > 0 ? `: ${request.query.saved} mark${request.query.saved === '1' ? '' : 's'} changed` : ''}.`
        : undefined;
    const today = app.deps.clock.today(view.school.timeZone);
    if (view.date === today) keepOffline(reply, today);
    return render(reply, request, view, undefined, { saved });
  });

  app.post<{
    Params: { groupId: string; date: string; session: string };
    Querystring: { lesson?: string };
    Body: Form;
  }>('/registers/:groupId/:date/:session', async (request, reply) => {
    const actor = requireActor(request);
    const { date, session } = parseParams(request.params);
    const lessonId = request.query.lesson ?? null;
    const form = request.body;
    const view = await getRegister(app.deps, actor, { groupId: request.params.groupId, date, session, lessonId });
    const state = readForm(view, form);
    if (formValue(form, 'action') === 'allPresent') {
      const present = QUICK(view.session)[0]!.code;
      for (const s of state.values()) if (!s.code) s.code = present;
      return render(reply, request, view, state);
    }
    const version = Number(formValue(form, 'version'));
    const { marks, errors } = toMarks(view, state);
    try {
      if (errors.length > 0) throw new AppError('VALIDATION', 'Some marks could not be saved.', { fields: errors });
      const result = await saveRegister(app.deps, actor, {
        groupId: view.group.id,
        date,
        session,
        lessonId,
        version: Number.isInteger(version) ? version : 0,
        marks,
      });
      return reply.redirect(
        `${registerUrl(view.group.id, date, session, lessonId)}${lessonId ? '&' : '?'}saved=${result.changed}`,
        303,
      );
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      if (e.code === 'VALIDATION') {
        const summary: { text: string; href: string }[] = [];
        for (const f of e.details.fields ?? []) {
          const m = /^marks\.(\d+)\./.exec(f.field);
          const pupilId = m ? marks[Number(m[1])]?.pupilId : undefined;
          const pupil = view.pupils.find((p) => p.pupil.id === pupilId)?.pupil;
          const row = pupilId ? state.get(pupilId) : undefined;
          if (row) row.error = f.message;
          summary.push({
            text: pupil ? `${pupil.forename} ${pupil.surname}: ${f.message}` : f.message,
            href: pupilId ? `#error-${pupilId}` : '#',
          });
        }
        return render(reply.code(400), request, view, state, { errors: summary });
      }
      if (e.code === 'CONFLICT') {
        // Show the register as it is now, with this user's choices kept wherever nobody else changed that pupil.
        const fresh = await getRegister(app.deps, actor, { groupId: view.group.id, date, session, lessonId });
        const changes = (e.details['changes'] as ConflictChange[] | undefined) ?? [];
        const changedIds = new Set(changes.map((c) => c.pupilId));
        for (const p of fresh.pupils) {
          const s = state.get(p.pupil.id);
          if (s && changedIds.has(p.pupil.id)) {
            s.code = p.code;
            s.minutesLate = p.minutesLate;
          }
        }
        const conflict = {
          // The register saved again by someone else, or single marks written under this user's
          // changes (the office, a parent's report) while the register kept its version.
          title:
            e.details['version'] === version
              ? 'Someone else changed a mark you changed'
              : 'Someone else saved this register',
          message: e.message,
          changes: changes.map((c) => ({
            ...c,
            changedAtLocal: c.changedAt ? localDateTime(c.changedAt, view.school.timeZone).time : null,
          })),
        };
        return render(reply.code(409), request, fresh, state, { conflict });
      }
      throw e;
    }
  });
  return Promise.resolve();
};
