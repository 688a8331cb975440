/**
 * Long on purpose: session and lesson registers, office changes, amendments and the
 * board share the register load, the mark checks and the save path (decision 0003: a register saves
 * together); splitting them would put the save rules in several places.
 *
 * Taking registers: session registers (AM/PM, the statutory ones) and lesson registers, late
 * arrivals and early leavers at the office, amendments with reasons, and the register board.
 */
import {
  arrivalMark,
  CURRENT_CODES,
  isTimeOfDay,
  lookupCode,
  registerState,
  sessionIndex,
  type PlainDate,
  type RegisterState,
  type SchoolCalendar,
  type Session,
} from '@rollcall/domain';
import type { DbOrTrx } from '../../db/connect.js';
import {
  findPupil,
  groupMembersOnRoll,
  groupWithMemberIdsOnRoll,
  groupWithMembersOnRoll,
  pupilGroupIds,
  sessionMarksFor,
  type PupilSummary,
} from '../../db/pupils/pupils.js';
import type { SchoolRow } from '../../db/school/schools.js';
import {
  findLesson,
  findRegister,
  lessonGapRows,
  lessonMarksFor,
  listGroups,
  markedCountsByGroup,
  onRollCountsByGroup,
  registersOn,
  setSessionMark,
  userNames,
  type Author,
  type Group,
  type Lesson,
  type MarkWrite,
} from '../../db/registers/registers.js';
import { saveRegisterInBatch } from '../../db/registers/register-batch.js';
import { insertEarlyLeaver, insertLateArrival } from '../../db/office-desk/office-desk.js';
import { getSchool, loadCalendar, type School, toSchool } from '../school/schools.js';
import { localDateTime } from '../../platform/clock.js';
import { newId } from '../../platform/ids.js';
import { audit, auditRow } from '../audit.js';
import { authorise, can, type Actor, type Resource } from '../authz.js';
import type { Deps } from '../deps.js';
import { AppError, type FieldError } from '../errors.js';
import { emitWebhookEvents, markChanged } from '../exchange/webhooks.js';

/** Codes a register offers, in register order (the 2024 set). */
export const REGISTER_CODES = CURRENT_CODES.map((c) => ({ code: c.code, meaning: c.meaning, category: c.category }));

const PRESENT_CODES = new Set(['/', '\\', 'L']);

export interface RegisterPupil {
  readonly pupil: PupilSummary;
  readonly code: string | null;
  readonly minutesLate: number | null;
  readonly updatedAt: string | null;
  readonly updatedBy: string | null;
  /** Lesson registers: the pupil's session mark this half-day (to flag "present at registration, missing here"). */
  readonly sessionCode?: string | null;
  /** Lesson registers: present at registration but absent from this lesson. */
  readonly missingFromLesson?: boolean;
}

export interface RegisterView {
  readonly school: School;
  readonly group: Group;
  readonly date: PlainDate;
  readonly session: Session;
  readonly lesson: Lesson | null;
  readonly window: { opens: string; closes: string };
  /** Whether the register is open now (for today's registers), or closed (past days). */
  readonly state: RegisterState;
  readonly version: number;
  readonly takenAt: string | null;
  readonly takenBy: string | null;
  readonly pupils: readonly RegisterPupil[];
  /** May the actor change marks after the close (with a reason)? */
  readonly canAmend: boolean;
}

export interface MarkInput {
  readonly pupilId: string;
  readonly code: string;
  readonly minutesLate?: number | null | undefined;
  readonly reason?: string | null | undefined;
  /**
   * The code the user saw when they loaded the register (null: no mark). A pupil whose mark
   * someone else changed since is kept as it now is when the user left it as seen, and a
   * conflict when the user changed it too; lets a conflict name exactly what changed meanwhile.
   */
  readonly seen?: string | null | undefined;
  /** The minutes late the user saw (null: none), checked the same way as `seen` when given. */
  readonly seenMinutes?: number | null | undefined;
}

export interface SaveRegisterInput {
  readonly groupId: string;
  readonly date: PlainDate;
  readonly session: Session;
  /** Lesson registers only. */
  readonly lessonId?: string | null | undefined;
  /** The version the user loaded (0 when the register had never been saved). */
  readonly version: number;
  readonly marks: readonly MarkInput[];
}

export interface SaveRegisterResult {
  readonly version: number;
  readonly changed: number;
}

/** What another person changed, for the conflict message. */
export interface ConflictChange {
  readonly pupilId: string;
  readonly name: string;
  readonly code: string | null;
  /** Minutes late of the mark now (late codes), null otherwise. */
  readonly minutesLate: number | null;
  readonly changedBy: string;
  readonly changedAt: string | null;
}

export async function schoolScope(db: DbOrTrx, schoolId: string): Promise<School> {
  return getSchool(db, schoolId);
}

function groupResource(school: School, group: Group): Resource {
  return { kind: 'group', groupId: group.id, schoolId: school.id, trustId: school.trustId, laCode: school.laCode };
}

function schoolResource(school: School): Resource {
  return { kind: 'school', schoolId: school.id, trustId: school.trustId, laCode: school.laCode };
}

/** A small cache of compiled calendars, invalidated by callers that change terms (imports). */
const calendarCache = new Map<string, { at: number; cal: SchoolCalendar }>();
const CALENDAR_TTL_MS = 60_000;

export async function schoolCalendar(deps: Pick<Deps, 'db'>, schoolId: string): Promise<SchoolCalendar> {
  const hit = calendarCache.get(schoolId);
  // performance.now is monotonic and not the wall clock; it only ages the cache.
  const t = performance.now();
  if (hit && t - hit.at < CALENDAR_TTL_MS) return hit.cal;
  const cal = await loadCalendar(deps.db, schoolId);
  calendarCache.set(schoolId, { at: t, cal });
  return cal;
}

export function forgetCalendar(schoolId?: string): void {
  if (schoolId) calendarCache.delete(schoolId);
  else calendarCache.clear();
}

function stateFor(
  deps: Deps,
  school: School,
  date: PlainDate,
  session: Session,
  window: { opens: string; closes: string },
): RegisterState {
  const today = deps.clock.today(school.timeZone);
  if (date < today) return 'closed';
  if (date > today) return 'notYetOpen';
  void session;
  return registerState(window, deps.clock.timeOfDay(school.timeZone));
}

function sessionKey(session: Session, lessonId: string | null | undefined): string {
  return lessonId ? `lesson:${lessonId}` : session;
}

/** A register's group, school, session and window: everything but its pupils and marks. */
interface RegisterFrame {
  readonly school: School;
  readonly group: Group;
  readonly date: PlainDate;
  readonly session: Session;
  readonly lesson: Lesson | null;
  readonly window: { opens: string; closes: string };
  readonly state: RegisterState;
  readonly canAmend: boolean;
}

/** A register to show: its frame and the pupils on roll (names and all), ordered by name. */
interface RegisterContext extends RegisterFrame {
  readonly pupils: readonly PupilSummary[];
}

/** A register to save: its frame and only the ids of the pupils on roll (a conflict reads their names). */
interface SaveContext extends RegisterFrame {
  readonly pupilIds: readonly string[];
}

type RegisterQuery = { groupId: string; date: PlainDate; session: Session; lessonId?: string | null | undefined };

async function registerContext(deps: Deps, actor: Actor, q: RegisterQuery): Promise<RegisterContext> {
  const found = await groupWithMembersOnRoll(deps.db, q.groupId, q.date);
  if (!found) throw new AppError('GROUP_NOT_FOUND', 'No such group.');
  return { ...(await registerFrame(deps, actor, q, found)), pupils: found.members };
}

async function saveContext(deps: Deps, actor: Actor, q: RegisterQuery): Promise<SaveContext> {
  const found = await groupWithMemberIdsOnRoll(deps.db, q.groupId, q.date);
  if (!found) throw new AppError('GROUP_NOT_FOUND', 'No such group.');
  return { ...(await registerFrame(deps, actor, q, found)), pupilIds: found.memberIds };
}

/** Authorises taking the register and checks it is one (a school session, a lesson of the group). */
async function registerFrame(
  deps: Deps,
  actor: Actor,
  q: RegisterQuery,
  found: { group: Group; schoolRow: SchoolRow },
): Promise<RegisterFrame> {
  const { group } = found;
  const school = toSchool(found.schoolRow);
  authorise(actor, 'register.take', groupResource(school, group));
  const cal = await schoolCalendar(deps, school.id);
  if (sessionIndex(cal, q.date, q.session) < 0) {
    throw new AppError('NOT_A_SCHOOL_SESSION', `${q.date} ${q.session} is not a school session.`);
  }
  const lesson = q.lessonId ? ((await findLesson(deps.db, q.lessonId)) ?? null) : null;
  if (q.lessonId && (!lesson || lesson.groupId !== group.id))
    throw new AppError('NOT_FOUND', 'No such lesson for this group.');
  if (!lesson && group.kind !== 'registration') {
    throw new AppError(
      'VALIDATION',
      'Session registers are taken for registration groups; choose a lesson for a teaching group.',
    );
  }
  const session = lesson ? lesson.session : q.session;
  const window = lesson ? { opens: lesson.startsAt, closes: lesson.endsAt } : school.policy.registerTimes[session];
  return {
    school,
    group,
    date: q.date,
    session,
    lesson,
    window,
    state: stateFor(deps, school, q.date, session, window),
    canAmend: can(actor, 'mark.amend', groupResource(school, group)),
  };
}

/** Loads a register for display: the group's pupils on roll that day with their marks. */
export async function getRegister(
  deps: Deps,
  actor: Actor,
  q: { groupId: string; date: PlainDate; session: Session; lessonId?: string | null | undefined },
): Promise<RegisterView> {
  const { school, group, session, lesson, window, state, canAmend, pupils } = await registerContext(deps, actor, q);
  const ids = pupils.map((p) => p.id);
  const sessionMarks = await sessionMarksFor(deps.db, ids, q.date, session);
  const lessonMarks = lesson ? await lessonMarksFor(deps.db, lesson.id, q.date) : undefined;
  const register = await findRegister(deps.db, group.id, q.date, sessionKey(session, lesson?.id));
  const names = await userNames(deps.db, [
    ...[...(lessonMarks?.values() ?? sessionMarks.values())].map((m) => m.updatedBy ?? ''),
    register?.takenBy ?? '',
  ]);
  return {
    school,
    group,
    date: q.date,
    session,
    lesson,
    window,
    state,
    version: register?.version ?? 0,
    takenAt: register?.takenAt ?? null,
    takenBy: register?.takenBy ? (names.get(register.takenBy) ?? null) : null,
    canAmend,
    pupils: pupils.map((p) => {
      const sm = sessionMarks.get(p.id);
      if (lessonMarks) {
        const lm = lessonMarks.get(p.id);
        const sessionCode = sm?.code ?? null;
        const missing =
          sessionCode !== null && PRESENT_CODES.has(sessionCode) && lm !== undefined && !PRESENT_CODES.has(lm.code);
        return {
          pupil: p,
          code: lm?.code ?? null,
          minutesLate: lm?.minutesLate ?? null,
          updatedAt: lm?.updatedAt ?? null,
          updatedBy: lm?.updatedBy ? (names.get(lm.updatedBy) ?? null) : null,
          sessionCode,
          missingFromLesson: missing,
        };
      }
      return {
        pupil: p,
        code: sm?.code ?? null,
        minutesLate: sm?.minutesLate ?? null,
        updatedAt: sm?.updatedAt ?? null,
        updatedBy: sm?.updatedBy ? (names.get(sm.updatedBy) ?? null) : null,
      };
    }),
  };
}

function validateMarks(view: SaveContext, marks: readonly MarkInput[]): FieldError[] {
  const errors: FieldError[] = [];
  const onRoll = new Set(view.pupilIds);
  const seen = new Set<string>();
  marks.forEach((m, i) => {
    if (!onRoll.has(m.pupilId)) {
      errors.push({ field: `marks.${i}.pupilId`, message: 'This pupil is not in the group on this date.' });
      return;
    }
    if (seen.has(m.pupilId))
      errors.push({ field: `marks.${i}.pupilId`, message: 'This pupil appears twice in the register.' });
    seen.add(m.pupilId);
    const found = lookupCode(m.code, view.date);
    if (!found.ok) errors.push({ field: `marks.${i}.code`, message: found.message });
    if (m.minutesLate !== undefined && m.minutesLate !== null) {
      if (!Number.isInteger(m.minutesLate) || m.minutesLate < 0 || m.minutesLate > 600) {
        errors.push({ field: `marks.${i}.minutesLate`, message: 'Minutes late must be a whole number from 0 to 600.' });
      } else if (m.code !== 'L' && m.code !== 'U') {
        errors.push({ field: `marks.${i}.minutesLate`, message: 'Minutes late go with L or U only.' });
      }
    }
  });
  return errors;
}

/**
 * Saves a register atomically. After the close, changing an existing mark needs a reason and
 * the right to amend. If someone else saved the register since the user loaded it, nothing is
 * saved and the CONFLICT error lists what they changed and who they were.
 */
export async function saveRegister(deps: Deps, actor: Actor, input: SaveRegisterInput): Promise<SaveRegisterResult> {
  const view = await saveContext(deps, actor, input);
  const fieldErrors = validateMarks(view, input.marks);
  if (fieldErrors.length > 0)
    throw new AppError('VALIDATION', 'Some marks could not be saved.', { fields: fieldErrors });
  const now = deps.clock.now();
  const timeNow = deps.clock.timeOfDay(view.school.timeZone);
  const today = deps.clock.today(view.school.timeZone);
  const author: Author = {
    userId: actor.userId === 'system' ? null : actor.userId,
    userName: actor.name,
    userRole: actor.role,
    at: now,
    source: 'register',
  };
  const key = sessionKey(view.session, view.lesson?.id);
  const lessonId = view.lesson?.id ?? null;
  // Saved together with whatever other saves are waiting (db/registers/register-batch.ts);
  // `decide` runs inside the transaction on the marks stored at that moment.
  // The writes of the decision that was kept (for the webhook events after the save).
  let written: readonly MarkWrite[] = [];
  const outcome = await saveRegisterInBatch<FieldError[]>(deps.db, deps.dialect, {
    schoolId: view.school.id,
    groupId: view.group.id,
    date: view.date,
    session: view.session,
    sessionKey: key,
    lessonId,
    expectedVersion: input.version,
    pupilIds: input.marks.map((m) => m.pupilId),
    author,
    decide: (current) => {
      const errors: FieldError[] = [];
      const writes: MarkWrite[] = [];
      let overtaken = false;
      input.marks.forEach((m, i) => {
        const before = current.get(m.pupilId);
        // Someone else wrote this pupil's mark since the user loaded the register (the office
        // signing in a late arrival, a parent's report accepted, an amendment): those writes do
        // not move the register's version. A mark the user left as they saw it stays as it now
        // is; one they changed conflicts, and nothing of theirs is saved.
        if (m.seen !== undefined && movedSince(m, before ?? null)) {
          if (touchedByUser(m)) overtaken = true;
          return;
        }
        let minutes = m.minutesLate ?? null;
        if ((m.code === 'L' || m.code === 'U') && minutes === null) {
          // Marked late now: count the minutes from the register opening.
          minutes = view.date === today && isTimeOfDay(timeNow) ? arrivalMark(view.window, timeNow).minutesLate : null;
        }
        // Unchanged marks are not written and leave no history.
        if ((before?.code ?? null) === m.code && (before?.minutesLate ?? null) === minutes) return;
        const reason = m.reason?.trim() || null;
        if (view.state === 'closed' && before !== undefined) {
          if (!view.canAmend) {
            errors.push({
              field: `marks.${i}.code`,
              message: 'The register has closed: ask the office to amend this mark.',
            });
          } else if (!reason) {
            errors.push({
              field: `marks.${i}.reason`,
              message: 'Give a reason for changing a mark after the register closed.',
            });
          }
        }
        writes.push({
          pupilId: m.pupilId,
          date: view.date,
          session: view.session,
          code: m.code,
          minutesLate: minutes,
          previousCode: before?.code ?? null,
          previousMinutesLate: before?.minutesLate ?? null,
          reason,
        });
      });
      if (overtaken) return { ok: 'conflict' };
      if (errors.length > 0) return { ok: false, refusal: errors };
      written = writes;
      return {
        ok: true,
        writes,
        audit: auditRow(actor, now, {
          action: 'register.save',
          entityType: 'register',
          entityId: `${view.group.id}/${view.date}/${key}`,
          schoolId: view.school.id,
          details: {
            group: view.group.name,
            date: view.date,
            session: view.session,
            lesson: view.lesson?.period ?? null,
            changed: writes.length,
          },
        }),
      };
    },
  });
  if (outcome.kind === 'conflict') throw await conflictError(deps.db, view, input);
  if (outcome.kind === 'refused')
    throw new AppError('VALIDATION', 'Some marks could not be saved.', { fields: outcome.refusal });
  // (PostgreSQL told the save whether the school has any subscription on, in the write's own
  // statement: a school with none reads nothing more.)
  if (outcome.webhooks !== false)
    await emitWebhookEvents(
      deps.db,
      now,
      view.school.id,
      'mark.changed',
      written.map((w) => markChanged(w, lessonId, actor.name, 'register')),
    );
  return { version: outcome.version, changed: outcome.changed };
}

/** Whether the stored mark differs from what the user saw (the code, and the minutes if sent). */
function movedSince(m: MarkInput, stored: { code: string; minutesLate: number | null } | null): boolean {
  if ((stored?.code ?? null) !== m.seen) return true;
  return m.seenMinutes !== undefined && (stored?.minutesLate ?? null) !== m.seenMinutes;
}

/** Whether the user changed this pupil from what they saw (the code, or the minutes if sent). */
function touchedByUser(m: MarkInput): boolean {
  if (m.seen === undefined) return true;
  if (m.code !== m.seen) return true;
  return m.seenMinutes !== undefined && (m.minutesLate ?? null) !== m.seenMinutes;
}

/** "A", "A and B", "A, B and C". */
function listInWords(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? 'another user';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

async function conflictError(db: DbOrTrx, view: SaveContext, input: SaveRegisterInput): Promise<AppError> {
  const latest = await findRegister(db, view.group.id, view.date, sessionKey(view.session, view.lesson?.id));
  const marks = view.lesson
    ? await lessonMarksFor(db, view.lesson.id, view.date)
    : await sessionMarksFor(db, view.pupilIds, view.date, view.session);
  const names = await userNames(db, [...[...marks.values()].map((m) => m.updatedBy ?? ''), latest?.updatedBy ?? '']);
  // The pupils' names, read only now: a save reads their ids alone.
  const onRoll = new Set(view.pupilIds);
  const pupils = new Map(
    (await groupMembersOnRoll(db, view.group.id, view.date)).filter((p) => onRoll.has(p.id)).map((p) => [p.id, p]),
  );
  const changes: ConflictChange[] = [];
  for (const m of input.marks) {
    const now = marks.get(m.pupilId);
    const pupil = pupils.get(m.pupilId);
    if (!pupil) continue;
    const currentCode = now?.code ?? null;
    // With what the user saw, a change is any difference from it; without, any mark someone else
    // last wrote that differs from what this user is saving.
    const changedByOther =
      m.seen !== undefined ? movedSince(m, now ?? null) : currentCode !== m.code && now?.updatedBy !== undefined;
    if (!changedByOther) continue;
    changes.push({
      pupilId: m.pupilId,
      name: `${pupil.forename} ${pupil.surname}`,
      code: currentCode,
      minutesLate: now?.minutesLate ?? null,
      changedBy: now?.updatedBy ? (names.get(now.updatedBy) ?? 'another user') : 'another user',
      changedAt: now?.updatedAt ?? null,
    });
  }
  const version = latest?.version ?? 0;
  // Marks this user changed that someone else wrote since the user loaded the register.
  const yours = new Set(input.marks.filter((m) => m.seen !== undefined && touchedByUser(m)).map((m) => m.pupilId));
  const clashes = changes.filter((c) => yours.has(c.pupilId));
  if (version === input.version && clashes.length > 0) {
    // The register was not saved again: single marks were written by others (the office, a
    // parent's report, an amendment) under pupils this user changed.
    const who = [...new Set(clashes.map((c) => c.changedBy))];
    const latestChange = clashes.map((c) => c.changedAt ?? '').reduce((a, b) => (b > a ? b : a), '');
    return new AppError(
      'CONFLICT',
      `${listInWords(who)} changed ${clashes.length === 1 ? 'a mark' : `${clashes.length} marks`} you also changed ` +
        'while you were taking this register. Nothing of yours was saved: check their changes and save again.',
      { version, savedBy: listInWords(who), savedAt: latestChange || null, changes },
    );
  }
  const by = latest?.updatedBy ? (names.get(latest.updatedBy) ?? 'another user') : 'another user';
  return new AppError(
    'CONFLICT',
    `${by} saved this register while you were taking it. Nothing of yours was saved: check their changes and save again.`,
    {
      version: latest?.version ?? input.version,
      savedBy: by,
      savedAt: latest?.updatedAt ?? null,
      changes,
    },
  );
}

export interface LateArrivalInput {
  readonly pupilId: string;
  readonly date: PlainDate;
  readonly session: Session;
  /** `HH:MM` the pupil signed in. */
  readonly arrivedAt: string;
  readonly reason?: string | null | undefined;
  /** Record `L` although the register has closed (permitted staff, with a reason). */
  readonly keepAsLate?: boolean | undefined;
}

async function pupilResource(
  db: DbOrTrx,
  pupilId: string,
): Promise<{ resource: Resource; school: School; pupil: NonNullable<Awaited<ReturnType<typeof findPupil>>> }> {
  const pupil = await findPupil(db, pupilId);
  if (!pupil) throw new AppError('PUPIL_NOT_FOUND', 'No such pupil.');
  const school = await getSchool(db, pupil.schoolId);
  const groupIds = await pupilGroupIds(db, pupilId);
  return {
    pupil,
    school,
    resource: { kind: 'pupil', pupilId, groupIds, schoolId: school.id, trustId: school.trustId, laCode: school.laCode },
  };
}

/** The office signs in a late arrival: `L` before the close, `U` after (or `L` with a reason, by permitted staff). */
export async function recordLateArrival(
  deps: Deps,
  actor: Actor,
  input: LateArrivalInput,
): Promise<{ code: 'L' | 'U'; minutesLate: number }> {
  const { pupil, school, resource } = await pupilResource(deps.db, input.pupilId);
  authorise(actor, 'office.signInOut', resource);
  const errors: FieldError[] = [];
  if (!isTimeOfDay(input.arrivedAt))
    errors.push({ field: 'arrivedAt', message: 'Enter the time of arrival as HH:MM, for example 09:12.' });
  const cal = await schoolCalendar(deps, school.id);
  if (sessionIndex(cal, input.date, input.session) < 0)
    errors.push({ field: 'date', message: `${input.date} ${input.session} is not a school session.` });
  if (input.date < pupil.admissionDate || (pupil.leavingDate !== null && input.date > pupil.leavingDate)) {
    errors.push({ field: 'pupilId', message: 'The pupil is not on roll on that date.' });
  }
  if (errors.length > 0)
    throw new AppError('VALIDATION', 'The late arrival could not be recorded.', { fields: errors });
  const window = school.policy.registerTimes[input.session];
  const mark = arrivalMark(window, input.arrivedAt);
  if (mark.code === null) {
    throw new AppError('VALIDATION', 'That time is before the register opened: the pupil is not late.', {
      fields: [{ field: 'arrivedAt', message: `The register opens at ${window.opens}.` }],
    });
  }
  const reason = input.reason?.trim() || null;
  let code: 'L' | 'U' = mark.code;
  if (mark.code === 'U' && input.keepAsLate) {
    authorise(actor, 'mark.lateAfterCloseAsL', resource);
    if (!reason) {
      throw new AppError('REASON_REQUIRED', 'Give the reason for recording L after the register closed.', {
        fields: [{ field: 'reason', message: 'Say why, for example "school bus broke down".' }],
      });
    }
    code = 'L';
  }
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    const previousCode = await setSessionMark(
      trx,
      {
        pupilId: pupil.id,
        date: input.date,
        session: input.session,
        code,
        minutesLate: mark.minutesLate,
        reason: reason ?? `Signed in late at ${input.arrivedAt}`,
      },
      { userId: actor.userId, userName: actor.name, userRole: actor.role, at: now, source: 'office' },
    );
    await insertLateArrival(trx, {
      id: newId(),
      pupilId: pupil.id,
      date: input.date,
      session: input.session,
      arrivedAt: input.arrivedAt,
      minutesLate: mark.minutesLate,
      code,
      reason,
      recordedBy: actor.userId,
      recordedAt: now,
    });
    await audit(trx, actor, now, {
      action: 'office.lateArrival',
      entityType: 'pupil',
      entityId: pupil.id,
      pupilId: pupil.id,
      schoolId: school.id,
      details: {
        date: input.date,
        session: input.session,
        arrivedAt: input.arrivedAt,
        code,
        minutesLate: mark.minutesLate,
      },
    });
    await emitWebhookEvents(trx, now, school.id, 'mark.changed', [
      markChanged(
        {
          pupilId: pupil.id,
          date: input.date,
          session: input.session,
          code,
          minutesLate: mark.minutesLate,
          previousCode,
        },
        null,
        actor.name,
        'office',
      ),
    ]);
  });
  return { code, minutesLate: mark.minutesLate };
}

export interface EarlyLeaverInput {
  readonly pupilId: string;
  readonly date: PlainDate;
  readonly leftAt: string;
  readonly reason: string;
  readonly collectedBy?: string | null | undefined;
}

/** The office signs out a pupil leaving early: who collected them, when and why. */
export async function recordEarlyLeaver(deps: Deps, actor: Actor, input: EarlyLeaverInput): Promise<void> {
  const { pupil, school, resource } = await pupilResource(deps.db, input.pupilId);
  authorise(actor, 'office.signInOut', resource);
  const errors: FieldError[] = [];
  if (!isTimeOfDay(input.leftAt))
    errors.push({ field: 'leftAt', message: 'Enter the time the pupil left as HH:MM, for example 11:30.' });
  if (!input.reason.trim())
    errors.push({ field: 'reason', message: 'Enter why the pupil left, for example "dental appointment".' });
  const cal = await schoolCalendar(deps, school.id);
  const today = deps.clock.today(school.timeZone);
  if (input.date > today)
    errors.push({ field: 'date', message: `${input.date} is in the future: record an early leaver on the day.` });
  else if (!cal.dayByDate.has(input.date))
    errors.push({ field: 'date', message: `${input.date} is not a school day.` });
  if (input.date < pupil.admissionDate || (pupil.leavingDate !== null && input.date > pupil.leavingDate))
    errors.push({ field: 'pupilId', message: 'The pupil is not on roll on that date.' });
  if (errors.length > 0)
    throw new AppError('VALIDATION', 'The early leaver could not be recorded.', { fields: errors });
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    await insertEarlyLeaver(trx, {
      id: newId(),
      pupilId: pupil.id,
      date: input.date,
      leftAt: input.leftAt,
      collectedBy: input.collectedBy?.trim() || null,
      reason: input.reason.trim(),
      recordedBy: actor.userId,
      recordedAt: now,
    });
    await audit(trx, actor, now, {
      action: 'office.earlyLeaver',
      entityType: 'pupil',
      entityId: pupil.id,
      pupilId: pupil.id,
      schoolId: school.id,
      details: { date: input.date, leftAt: input.leftAt },
    });
  });
}

export interface AmendInput {
  readonly pupilId: string;
  readonly date: PlainDate;
  readonly session: Session;
  readonly code: string;
  readonly minutesLate?: number | null | undefined;
  readonly reason: string;
}

/** An amendment by the office or attendance officer: always with a reason, kept in the history. */
export async function amendMark(deps: Deps, actor: Actor, input: AmendInput): Promise<void> {
  const { pupil, school, resource } = await pupilResource(deps.db, input.pupilId);
  authorise(actor, 'mark.amend', resource);
  const errors: FieldError[] = [];
  const found = lookupCode(input.code, input.date);
  if (!found.ok) errors.push({ field: 'code', message: found.message });
  if (!input.reason.trim()) errors.push({ field: 'reason', message: 'Give the reason for the amendment.' });
  const cal = await schoolCalendar(deps, school.id);
  if (sessionIndex(cal, input.date, input.session) < 0)
    errors.push({ field: 'date', message: `${input.date} ${input.session} is not a school session.` });
  if (input.date < pupil.admissionDate || (pupil.leavingDate !== null && input.date > pupil.leavingDate)) {
    errors.push({ field: 'date', message: 'The pupil is not on roll on that date.' });
  }
  if (input.date > deps.clock.today(school.timeZone) && found.ok && found.definition.category !== 'authorised') {
    errors.push({
      field: 'date',
      message: 'Only authorised absence (for example agreed leave) may be recorded ahead of the day.',
    });
  }
  const minutes = input.code === 'L' || input.code === 'U' ? (input.minutesLate ?? null) : null;
  if (errors.length > 0) throw new AppError('VALIDATION', 'The mark could not be amended.', { fields: errors });
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    const before = await setSessionMark(
      trx,
      {
        pupilId: pupil.id,
        date: input.date,
        session: input.session,
        code: input.code,
        minutesLate: minutes,
        reason: input.reason.trim(),
      },
      { userId: actor.userId, userName: actor.name, userRole: actor.role, at: now, source: 'office' },
    );
    await audit(trx, actor, now, {
      action: 'mark.amend',
      entityType: 'pupil',
      entityId: pupil.id,
      pupilId: pupil.id,
      schoolId: school.id,
      details: { date: input.date, session: input.session, from: before, to: input.code },
    });
    await emitWebhookEvents(trx, now, school.id, 'mark.changed', [
      markChanged(
        {
          pupilId: pupil.id,
          date: input.date,
          session: input.session,
          code: input.code,
          minutesLate: minutes,
          previousCode: before,
        },
        null,
        actor.name,
        'amendment',
      ),
    ]);
  });
}

/** A pupil present at registration but marked absent in a later lesson that day (a safeguarding signal). */
export interface LessonGap {
  readonly pupilId: string;
  readonly name: string;
  readonly session: Session;
  readonly sessionCode: string;
  readonly lessonId: string;
  readonly period: string;
  readonly startsAt: string;
  readonly groupName: string;
  readonly lessonCode: string;
}

/**
 * Pupils marked present (/, \, L) at registration who are absent from a later lesson that day.
 * Lesson registers are the school's own tool; this disagreement is what they are for.
 *
 * @see ../../../../shared/reference/attendance-rules.md §1 (lesson registers)
 */
export async function lessonGaps(
  deps: Deps,
  actor: Actor,
  q: { schoolId: string; date: PlainDate },
): Promise<LessonGap[]> {
  const school = await getSchool(deps.db, q.schoolId);
  authorise(actor, 'register.viewBoard', schoolResource(school));
  const rows = await lessonGapRows(deps.db, school.id, q.date, [...PRESENT_CODES]);
  return rows.map((r) => ({
    pupilId: r.pupilId,
    name: `${r.preferred_forename ?? r.legal_forename} ${r.preferred_surname ?? r.legal_surname}`,
    session: r.session === 'PM' ? 'PM' : 'AM',
    sessionCode: r.sessionCode,
    lessonId: r.lessonId,
    period: r.period,
    startsAt: r.starts_at,
    groupName: r.groupName,
    lessonCode: r.lessonCode,
  }));
}

export interface BoardRow {
  readonly group: Group;
  readonly sessions: Record<
    Session,
    {
      status: 'taken' | 'takenLate' | 'open' | 'notTaken' | 'notYetOpen';
      takenAt: string | null;
      pupils: number;
      marked: number;
    }
  >;
}

export interface Board {
  readonly school: School;
  readonly date: PlainDate;
  readonly isSchoolDay: boolean;
  readonly rows: readonly BoardRow[];
  /** Registers not taken by the close (the office chases these). */
  readonly notTaken: number;
}

/** The register board: for each registration group and session, taken, taken late, open or not taken. */
export async function registerBoard(
  deps: Deps,
  actor: Actor,
  q: { schoolId: string; date: PlainDate },
): Promise<Board> {
  const school = await getSchool(deps.db, q.schoolId);
  authorise(actor, 'register.viewBoard', schoolResource(school));
  const cal = await schoolCalendar(deps, school.id);
  const groups = await listGroups(deps.db, school.id, 'registration');
  const registers = await registersOn(deps.db, school.id, q.date);
  const byKey = new Map(registers.map((r) => [`${r.groupId}/${r.session}`, r]));
  const onRoll = await onRollCountsByGroup(deps.db, school.id, q.date);
  const marked = await markedCountsByGroup(deps.db, school.id, q.date);
  const rows: BoardRow[] = [];
  let notTaken = 0;
  for (const group of groups) {
    const sessions = {} as BoardRow['sessions'];
    for (const session of ['AM', 'PM'] as const) {
      const window = school.policy.registerTimes[session];
      const state =
        sessionIndex(cal, q.date, session) < 0 ? 'notYetOpen' : stateFor(deps, school, q.date, session, window);
      const reg = byKey.get(`${group.id}/${session}`);
      let status: BoardRow['sessions'][Session]['status'];
      if (reg?.takenAt) {
        const local = localDateTime(reg.takenAt, school.timeZone);
        status = local.date > q.date || (local.date === q.date && local.time > window.closes) ? 'takenLate' : 'taken';
      } else if (state === 'closed') {
        status = 'notTaken';
        notTaken++;
      } else status = state === 'open' ? 'open' : 'notYetOpen';
      sessions[session] = {
        status,
        takenAt: reg?.takenAt ?? null,
        pupils: onRoll.get(group.id) ?? 0,
        marked: marked.get(`${group.id}/${session}`) ?? 0,
      };
    }
    rows.push({ group, sessions });
  }
  return { school, date: q.date, isSchoolDay: cal.dayByDate.has(q.date), rows, notTaken };
}
