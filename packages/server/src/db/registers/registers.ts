/** Groups, registers (taken or not, with a version for optimistic concurrency), and mark writes with history. */
import type { PlainDate, Session } from '@rollcall/domain';
import { newId } from '../../platform/ids.js';
import type { DbOrTrx } from '../connect.js';

export interface Group {
  readonly id: string;
  readonly schoolId: string;
  readonly kind: 'registration' | 'teaching';
  readonly name: string;
  readonly yearGroup: string | null;
  readonly subject: string | null;
}

export interface RegisterRow {
  readonly id: string;
  readonly groupId: string;
  readonly date: PlainDate;
  readonly session: string;
  readonly lessonId: string | null;
  readonly version: number;
  readonly takenAt: string | null;
  readonly takenBy: string | null;
  readonly updatedAt: string;
  readonly updatedBy: string | null;
}

export interface Lesson {
  readonly id: string;
  readonly groupId: string;
  readonly weekday: number;
  readonly period: string;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly session: Session;
}

/** One mark to write, with what it was before (for the history). */
export interface MarkWrite {
  readonly pupilId: string;
  readonly date: PlainDate;
  readonly session: Session;
  readonly code: string;
  readonly minutesLate: number | null;
  readonly previousCode: string | null;
  readonly previousMinutesLate: number | null;
  readonly reason: string | null;
}

export interface Author {
  readonly userId: string | null;
  readonly userName: string;
  readonly userRole: string;
  readonly at: string;
  readonly source: 'register' | 'office' | 'parent' | 'import' | 'system';
}

const GROUP_COLUMNS = ['id', 'school_id', 'kind', 'name', 'year_group', 'subject'] as const;

export function toGroup(r: {
  id: string;
  school_id: string;
  kind: string;
  name: string;
  year_group: string | null;
  subject: string | null;
}): Group {
  return {
    id: r.id,
    schoolId: r.school_id,
    kind: r.kind === 'teaching' ? 'teaching' : 'registration',
    name: r.name,
    yearGroup: r.year_group,
    subject: r.subject,
  };
}

export async function findGroup(db: DbOrTrx, id: string): Promise<Group | undefined> {
  const r = await db.selectFrom('groups').select(GROUP_COLUMNS).where('id', '=', id).executeTakeFirst();
  return r ? toGroup(r) : undefined;
}

export async function listGroups(db: DbOrTrx, schoolId: string, kind?: 'registration' | 'teaching'): Promise<Group[]> {
  let q = db.selectFrom('groups').select(GROUP_COLUMNS).where('school_id', '=', schoolId);
  if (kind) q = q.where('kind', '=', kind);
  const rows = await q.orderBy('name').execute();
  return rows.map(toGroup);
}

/** Groups a member of staff is linked to. */
export async function groupsOfStaff(db: DbOrTrx, userId: string): Promise<Group[]> {
  const rows = await db
    .selectFrom('group_staff')
    .innerJoin('groups', 'groups.id', 'group_staff.group_id')
    .select(GROUP_COLUMNS.map((c) => `groups.${c}` as const))
    .where('group_staff.user_id', '=', userId)
    .orderBy('groups.name')
    .execute();
  return rows.map(toGroup);
}

function toRegister(r: {
  id: string;
  group_id: string;
  date: string;
  session: string;
  lesson_id: string | null;
  version: number;
  taken_at: string | null;
  taken_by: string | null;
  updated_at: string;
  updated_by: string | null;
}): RegisterRow {
  return {
    id: r.id,
    groupId: r.group_id,
    date: r.date as PlainDate,
    session: r.session,
    lessonId: r.lesson_id,
    version: Number(r.version),
    takenAt: r.taken_at,
    takenBy: r.taken_by,
    updatedAt: r.updated_at,
    updatedBy: r.updated_by,
  };
}

const REGISTER_COLUMNS = [
  'id',
  'group_id',
  'date',
  'session',
  'lesson_id',
  'version',
  'taken_at',
  'taken_by',
  'updated_at',
  'updated_by',
] as const;

/** The register of a group for a date and a session key (`AM`, `PM`, or `lesson:<id>`). */
export async function findRegister(
  db: DbOrTrx,
  groupId: string,
  date: PlainDate,
  sessionKey: string,
): Promise<RegisterRow | undefined> {
  const r = await db
    .selectFrom('registers')
    .select(REGISTER_COLUMNS)
    .where('group_id', '=', groupId)
    .where('date', '=', date)
    .where('session', '=', sessionKey)
    .executeTakeFirst();
  return r ? toRegister(r) : undefined;
}

export async function registersOn(db: DbOrTrx, schoolId: string, date: PlainDate): Promise<RegisterRow[]> {
  const rows = await db
    .selectFrom('registers')
    .select(REGISTER_COLUMNS)
    .where('school_id', '=', schoolId)
    .where('date', '=', date)
    .execute();
  return rows.map(toRegister);
}

const CHUNK = 400;

/** True when a write would change the stored code or minutes late (unchanged marks write no history). */
function changesSomething(m: MarkWrite): boolean {
  return m.code !== m.previousCode || (m.minutesLate ?? null) !== (m.previousMinutesLate ?? null);
}

/** Appends one history row per mark written (lesson marks carry their lesson). */
async function insertHistory(
  db: DbOrTrx,
  marks: readonly (MarkWrite & { lessonId?: string })[],
  author: Author,
): Promise<void> {
  await db
    .insertInto('mark_history')
    .values(
      marks.map((m) => ({
        id: newId(),
        pupil_id: m.pupilId,
        date: m.date,
        session: m.session,
        lesson_id: m.lessonId ?? null,
        previous_code: m.previousCode,
        new_code: m.code,
        previous_minutes_late: m.previousMinutesLate,
        new_minutes_late: m.minutesLate,
        reason: m.reason,
        user_id: author.userId,
        user_name: author.userName,
        user_role: author.userRole,
        at: author.at,
        source: author.source,
      })),
    )
    .execute();
}

/** Writes session marks and appends one history row for each mark that changed. */
export async function writeSessionMarks(db: DbOrTrx, marks: readonly MarkWrite[], author: Author): Promise<number> {
  const changed = marks.filter(changesSomething);
  for (let i = 0; i < changed.length; i += CHUNK) {
    const chunk = changed.slice(i, i + CHUNK);
    await db
      .insertInto('session_marks')
      .values(
        chunk.map((m) => ({
          pupil_id: m.pupilId,
          date: m.date,
          session: m.session,
          code: m.code,
          minutes_late: m.minutesLate,
          updated_at: author.at,
          updated_by: author.userId,
        })),
      )
      .onConflict((oc) =>
        oc.columns(['pupil_id', 'date', 'session']).doUpdateSet((eb) => ({
          code: eb.ref('excluded.code'),
          minutes_late: eb.ref('excluded.minutes_late'),
          updated_at: eb.ref('excluded.updated_at'),
          updated_by: eb.ref('excluded.updated_by'),
        })),
      )
      .execute();
    await insertHistory(db, chunk, author);
  }
  return changed.length;
}

/**
 * Sets one pupil's session mark, reading what was there so the history records it; returns the
 * previous code (null when there was none).
 */
export async function setSessionMark(
  db: DbOrTrx,
  m: {
    pupilId: string;
    date: PlainDate;
    session: Session;
    code: string;
    minutesLate: number | null;
    reason: string | null;
  },
  author: Author,
): Promise<string | null> {
  const before = await db
    .selectFrom('session_marks')
    .select(['code', 'minutes_late'])
    .where('pupil_id', '=', m.pupilId)
    .where('date', '=', m.date)
    .where('session', '=', m.session)
    .executeTakeFirst();
  await writeSessionMarks(
    db,
    [{ ...m, previousCode: before?.code ?? null, previousMinutesLate: before?.minutes_late ?? null }],
    author,
  );
  return before?.code ?? null;
}

export async function lessonsOf(db: DbOrTrx, groupId: string): Promise<Lesson[]> {
  const rows = await db
    .selectFrom('lessons')
    .select(['id', 'group_id', 'weekday', 'period', 'starts_at', 'ends_at', 'session'])
    .where('group_id', '=', groupId)
    .orderBy('weekday')
    .orderBy('starts_at')
    .execute();
  return rows.map(toLesson);
}

export async function findLesson(db: DbOrTrx, id: string): Promise<Lesson | undefined> {
  const r = await db
    .selectFrom('lessons')
    .select(['id', 'group_id', 'weekday', 'period', 'starts_at', 'ends_at', 'session'])
    .where('id', '=', id)
    .executeTakeFirst();
  return r ? toLesson(r) : undefined;
}

function toLesson(r: {
  id: string;
  group_id: string;
  weekday: number;
  period: string;
  starts_at: string;
  ends_at: string;
  session: string;
}): Lesson {
  return {
    id: r.id,
    groupId: r.group_id,
    weekday: Number(r.weekday),
    period: r.period,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    session: r.session === 'PM' ? 'PM' : 'AM',
  };
}

export async function lessonMarksFor(
  db: DbOrTrx,
  lessonId: string,
  date: PlainDate,
): Promise<Map<string, { code: string; minutesLate: number | null; updatedBy: string | null; updatedAt: string }>> {
  const rows = await db
    .selectFrom('lesson_marks')
    .select(['pupil_id', 'code', 'minutes_late', 'updated_by', 'updated_at'])
    .where('lesson_id', '=', lessonId)
    .where('date', '=', date)
    .execute();
  return new Map(
    rows.map((r) => [
      r.pupil_id,
      { code: r.code, minutesLate: r.minutes_late, updatedBy: r.updated_by, updatedAt: r.updated_at },
    ]),
  );
}

/** Display names of users by id (for "changed by"). */
export async function userNames(db: DbOrTrx, ids: readonly string[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids)].filter((x) => x !== '');
  if (unique.length === 0) return new Map();
  const rows = await db.selectFrom('users').select(['id', 'display_name']).where('id', 'in', unique).execute();
  return new Map(rows.map((r) => [r.id, r.display_name]));
}

/** A lesson mark of absence under a present session mark the same half-day (see `lessonGaps`). */
export interface LessonGapRow {
  readonly pupilId: string;
  readonly legal_forename: string;
  readonly legal_surname: string;
  readonly preferred_forename: string | null;
  readonly preferred_surname: string | null;
  readonly session: string;
  readonly sessionCode: string;
  readonly lessonId: string;
  readonly period: string;
  readonly starts_at: string;
  readonly groupName: string;
  readonly lessonCode: string;
}

/**
 * The school's lesson marks on `date` not in `presentCodes` whose pupil's session mark that
 * half-day is, by lesson start and surname.
 */
export async function lessonGapRows(
  db: DbOrTrx,
  schoolId: string,
  date: PlainDate,
  presentCodes: readonly string[],
): Promise<LessonGapRow[]> {
  return db
    .selectFrom('lesson_marks')
    .innerJoin('lessons', 'lessons.id', 'lesson_marks.lesson_id')
    .innerJoin('groups', 'groups.id', 'lessons.group_id')
    .innerJoin('pupils', 'pupils.id', 'lesson_marks.pupil_id')
    .innerJoin('session_marks', (j) =>
      j
        .onRef('session_marks.pupil_id', '=', 'lesson_marks.pupil_id')
        .onRef('session_marks.date', '=', 'lesson_marks.date')
        .onRef('session_marks.session', '=', 'lessons.session'),
    )
    .select([
      'pupils.id as pupilId',
      'pupils.legal_forename',
      'pupils.legal_surname',
      'pupils.preferred_forename',
      'pupils.preferred_surname',
      'lessons.session',
      'session_marks.code as sessionCode',
      'lessons.id as lessonId',
      'lessons.period',
      'lessons.starts_at',
      'groups.name as groupName',
      'lesson_marks.code as lessonCode',
    ])
    .where('lessons.school_id', '=', schoolId)
    .where('lesson_marks.date', '=', date)
    .where('session_marks.code', 'in', [...presentCodes])
    .where('lesson_marks.code', 'not in', [...presentCodes])
    .orderBy('lessons.starts_at')
    .orderBy('pupils.legal_surname')
    .execute();
}

/** For the register board: pupils on roll on `date` per group (group id → count). */
export async function onRollCountsByGroup(
  db: DbOrTrx,
  schoolId: string,
  date: PlainDate,
): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('group_members')
    .innerJoin('pupils', 'pupils.id', 'group_members.pupil_id')
    .select(['group_members.group_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('pupils.school_id', '=', schoolId)
    .where('pupils.admission_date', '<=', date)
    .where((eb) => eb.or([eb('pupils.leaving_date', 'is', null), eb('pupils.leaving_date', '>=', date)]))
    .groupBy('group_members.group_id')
    .execute();
  return new Map(rows.map((r) => [r.group_id, Number(r.n)]));
}

/** For the register board: session marks on `date` per group and session (`<group id>/<session>` → count). */
export async function markedCountsByGroup(
  db: DbOrTrx,
  schoolId: string,
  date: PlainDate,
): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('group_members')
    .innerJoin('session_marks', 'session_marks.pupil_id', 'group_members.pupil_id')
    .innerJoin('groups', 'groups.id', 'group_members.group_id')
    .select(['group_members.group_id', 'session_marks.session', (eb) => eb.fn.countAll<number>().as('n')])
    .where('groups.school_id', '=', schoolId)
    .where('session_marks.date', '=', date)
    .groupBy(['group_members.group_id', 'session_marks.session'])
    .execute();
  return new Map(rows.map((r) => [`${r.group_id}/${r.session}`, Number(r.n)]));
}
