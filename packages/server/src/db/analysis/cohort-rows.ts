/**
 * The rows the analysis cache (services/analysis/cohort.ts) builds a school's cohort from: its
 * pupils on roll in a period, their session marks in it, and, when a snapshot is laid over, the
 * history written since and whether the roll itself changed (an import, the demo, retention).
 */
import type { PlainDate } from '@rollcall/domain';
import type { Db } from '../connect.js';

type Period = { readonly from: PlainDate; readonly to: PlainDate };

/** Whether an audit row of one of `actions` for the school has an id above `watermark`. */
export async function rollChangedSince(
  db: Db,
  schoolId: string,
  actions: readonly string[],
  watermark: string,
): Promise<boolean> {
  const r = await db
    .selectFrom('audit_log')
    .select('id')
    .where('school_id', '=', schoolId)
    .where('action', 'in', [...actions])
    .where('id', '>', watermark)
    .limit(1)
    .executeTakeFirst();
  return r !== undefined;
}

/**
 * Of these schools, those with a roll-changing audit row (one of `actions`) with an id above
 * `above`, each with the newest such id.
 */
export async function rollChangesOfSchools(
  db: Db,
  schoolIds: readonly string[],
  actions: readonly string[],
  above: string,
): Promise<{ school_id: string; id: string }[]> {
  if (schoolIds.length === 0) return [];
  const rows = await db
    .selectFrom('audit_log')
    .select((eb) => ['school_id', eb.fn.max('id').as('id')])
    .where('school_id', 'in', [...schoolIds])
    .where('action', 'in', [...actions])
    .where('id', '>', above)
    .groupBy('school_id')
    .execute();
  return rows.map((r) => ({ school_id: r.school_id!, id: r.id }));
}

/** One history row of `historyOfSchoolsAbove`: its school and the mark it wrote. */
export interface SchoolHistoryRow {
  readonly school_id: string;
  readonly id: string;
  readonly pupil_id: string;
  readonly date: string;
  readonly session: string;
  readonly new_code: string;
  readonly lesson_id: string | null;
}

/**
 * The history rows (session or lesson marks) of these schools with an id above `above`: ids,
 * schools and the marks written (not the minutes late), in id order, at most `limit`. One range
 * scan of the history's primary key, driven from the history as `historyRowsFrom` is.
 */
export function historyOfSchoolsAbove(
  db: Db,
  schoolIds: readonly string[],
  above: string,
  limit: number,
): Promise<SchoolHistoryRow[]> {
  if (schoolIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('mark_history')
    .crossJoin('pupils')
    .whereRef('pupils.id', '=', 'mark_history.pupil_id')
    .select([
      'pupils.school_id',
      'mark_history.id',
      'mark_history.pupil_id',
      'mark_history.date',
      'mark_history.session',
      'mark_history.new_code',
      'mark_history.lesson_id',
    ])
    .where('mark_history.id', '>', above)
    .where('pupils.school_id', 'in', [...schoolIds])
    .orderBy('mark_history.id')
    .limit(limit)
    .execute();
}

/** How many of the school's history rows have an id in (`above`, `upTo`]. */
export async function countSchoolHistoryBetween(
  db: Db,
  schoolId: string,
  above: string,
  upTo: string,
): Promise<number> {
  const r = await db
    .selectFrom('mark_history')
    .crossJoin('pupils')
    .whereRef('pupils.id', '=', 'mark_history.pupil_id')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('pupils.school_id', '=', schoolId)
    .where('mark_history.id', '>', above)
    .where('mark_history.id', '<=', upTo)
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}

/**
 * The school's history rows with an id above `floor`, in id order, at most `limit`: a range of
 * the history's primary key, newest rows only. A cross join keeps SQLite from driving the join
 * from the school's pupils (which would visit all their history).
 */
export function historyRowsFrom(db: Db, schoolId: string, floor: string, limit: number) {
  return db
    .selectFrom('mark_history')
    .crossJoin('pupils')
    .whereRef('pupils.id', '=', 'mark_history.pupil_id')
    .select([
      'mark_history.id',
      'mark_history.pupil_id',
      'mark_history.date',
      'mark_history.session',
      'mark_history.new_code',
      'mark_history.new_minutes_late',
      'mark_history.lesson_id',
    ])
    .where('pupils.school_id', '=', schoolId)
    .where('mark_history.id', '>', floor)
    .orderBy('mark_history.id')
    .limit(limit)
    .execute();
}

/** The school's pupils on roll at some point of the period, with what analysis groups by. */
export function cohortPupilRows(db: Db, schoolId: string, period: Period) {
  return db
    .selectFrom('pupils')
    .leftJoin('groups', 'groups.id', 'pupils.reg_group_id')
    .select([
      'pupils.id',
      'pupils.upn',
      'pupils.legal_forename',
      'pupils.legal_surname',
      'pupils.preferred_forename',
      'pupils.preferred_surname',
      'pupils.gender',
      'pupils.ethnicity',
      'pupils.year_group',
      'pupils.reg_group_id',
      'groups.name as reg_group_name',
      'pupils.admission_date',
      'pupils.leaving_date',
      'pupils.sen_status',
      'pupils.ehcp',
      'pupils.fsm',
      'pupils.pupil_premium',
      'pupils.eal',
      'pupils.cin',
      'pupils.cp',
      'pupils.lac',
      'pupils.previously_lac',
      'pupils.young_carer',
      'pupils.social_worker',
    ])
    .where('pupils.school_id', '=', schoolId)
    .where('pupils.admission_date', '<=', period.to)
    .where((eb) => eb.or([eb('pupils.leaving_date', 'is', null), eb('pupils.leaving_date', '>=', period.from)]))
    .orderBy('pupils.legal_surname')
    .orderBy('pupils.legal_forename')
    .orderBy('pupils.id')
    .execute();
}

export type CohortPupilRow = Awaited<ReturnType<typeof cohortPupilRows>>[number];

/** The school's session marks (not lesson marks) dated within the period. */
export function periodMarkRows(db: Db, schoolId: string, period: Period) {
  return db
    .selectFrom('session_marks')
    .innerJoin('pupils', 'pupils.id', 'session_marks.pupil_id')
    .select([
      'session_marks.pupil_id',
      'session_marks.date',
      'session_marks.session',
      'session_marks.code',
      'session_marks.minutes_late',
    ])
    .where('pupils.school_id', '=', schoolId)
    .where('session_marks.date', '>=', period.from)
    .where('session_marks.date', '<=', period.to)
    .execute();
}
