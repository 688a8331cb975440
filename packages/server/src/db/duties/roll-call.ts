/** Queries of the emergency roll call (services/duties/roll-call.ts). */
import type { PlainDate } from '@rollcall/domain';
import type { DbOrTrx } from '../connect.js';

export interface PupilOnRoll {
  readonly id: string;
  readonly forename: string;
  readonly surname: string;
  /** The registration group (class or form), or null when the pupil has none. */
  readonly groupName: string | null;
  readonly yearGroup: string | null;
}

/** The school's pupils on roll on a date, with their registration group. */
export async function pupilsOnRollWithClass(db: DbOrTrx, schoolId: string, date: PlainDate): Promise<PupilOnRoll[]> {
  const rows = await db
    .selectFrom('pupils')
    .leftJoin(
      (eb) =>
        eb
          .selectFrom('group_members')
          .innerJoin('groups', 'groups.id', 'group_members.group_id')
          .select(['group_members.pupil_id', 'groups.name'])
          .where('groups.kind', '=', 'registration')
          .where('groups.school_id', '=', schoolId)
          .as('reg'),
      (join) => join.onRef('reg.pupil_id', '=', 'pupils.id'),
    )
    .select([
      'pupils.id',
      'pupils.legal_forename',
      'pupils.legal_surname',
      'pupils.preferred_forename',
      'pupils.preferred_surname',
      'pupils.year_group',
      'reg.name as group_name',
    ])
    .where('pupils.school_id', '=', schoolId)
    .where('pupils.admission_date', '<=', date)
    .where((eb) => eb.or([eb('pupils.leaving_date', 'is', null), eb('pupils.leaving_date', '>=', date)]))
    .execute();
  const seen = new Set<string>();
  const out: PupilOnRoll[] = [];
  for (const r of rows) {
    if (seen.has(r.id)) continue; // a pupil in two registration groups is listed once
    seen.add(r.id);
    out.push({
      id: r.id,
      forename: r.preferred_forename ?? r.legal_forename,
      surname: r.preferred_surname ?? r.legal_surname,
      groupName: r.group_name ?? null,
      yearGroup: r.year_group ?? null,
    });
  }
  return out;
}

/** The session marks of the school's pupils on a date. */
export async function sessionMarksOn(
  db: DbOrTrx,
  schoolId: string,
  date: PlainDate,
): Promise<{ pupilId: string; session: string; code: string }[]> {
  const rows = await db
    .selectFrom('session_marks')
    .innerJoin('pupils', 'pupils.id', 'session_marks.pupil_id')
    .select(['session_marks.pupil_id', 'session_marks.session', 'session_marks.code'])
    .where('pupils.school_id', '=', schoolId)
    .where('session_marks.date', '=', date)
    .execute();
  return rows.map((r) => ({ pupilId: r.pupil_id, session: r.session, code: r.code }));
}

/** Late arrivals signed in at the office on a date. */
export async function lateArrivalsOn(
  db: DbOrTrx,
  schoolId: string,
  date: PlainDate,
): Promise<{ pupilId: string; session: string; arrivedAt: string }[]> {
  const rows = await db
    .selectFrom('late_arrivals')
    .innerJoin('pupils', 'pupils.id', 'late_arrivals.pupil_id')
    .select(['late_arrivals.pupil_id', 'late_arrivals.session', 'late_arrivals.arrived_at'])
    .where('pupils.school_id', '=', schoolId)
    .where('late_arrivals.date', '=', date)
    .execute();
  return rows.map((r) => ({ pupilId: r.pupil_id, session: r.session, arrivedAt: r.arrived_at }));
}

/** Early leavers signed out at the office on a date (returned_at set when they came back). */
export async function earlyLeaversOn(
  db: DbOrTrx,
  schoolId: string,
  date: PlainDate,
): Promise<{ pupilId: string; leftAt: string; returnedAt: string | null }[]> {
  const rows = await db
    .selectFrom('early_leavers')
    .innerJoin('pupils', 'pupils.id', 'early_leavers.pupil_id')
    .select(['early_leavers.pupil_id', 'early_leavers.left_at', 'early_leavers.returned_at'])
    .where('pupils.school_id', '=', schoolId)
    .where('early_leavers.date', '=', date)
    .orderBy('early_leavers.left_at')
    .execute();
  return rows.map((r) => ({ pupilId: r.pupil_id, leftAt: r.left_at, returnedAt: r.returned_at }));
}

export interface RollCallRow {
  readonly id: string;
  readonly schoolId: string;
  readonly date: PlainDate;
  readonly basis: string;
  readonly startedAt: string;
  readonly startedBy: string;
  readonly startedByName: string;
  readonly closedAt: string | null;
  readonly closedByName: string | null;
}

export async function insertRollCall(
  db: DbOrTrx,
  r: {
    id: string;
    schoolId: string;
    date: PlainDate;
    basis: string;
    startedAt: string;
    startedBy: string;
    pupils: readonly { pupilId: string; groupName: string; why: string }[];
  },
): Promise<void> {
  await db
    .insertInto('roll_calls')
    .values({
      id: r.id,
      school_id: r.schoolId,
      date: r.date,
      basis: r.basis,
      started_at: r.startedAt,
      started_by: r.startedBy,
      closed_at: null,
      closed_by: null,
    })
    .execute();
  for (let i = 0; i < r.pupils.length; i += 500) {
    const batch = r.pupils.slice(i, i + 500);
    await db
      .insertInto('roll_call_pupils')
      .values(
        batch.map((p) => ({
          roll_call_id: r.id,
          pupil_id: p.pupilId,
          group_name: p.groupName,
          why: p.why,
          accounted_at: null,
          accounted_by: null,
        })),
      )
      .execute();
  }
}

function rollCallQuery(db: DbOrTrx) {
  return db
    .selectFrom('roll_calls')
    .innerJoin('users as starter', 'starter.id', 'roll_calls.started_by')
    .leftJoin('users as closer', 'closer.id', 'roll_calls.closed_by')
    .select([
      'roll_calls.id',
      'roll_calls.school_id',
      'roll_calls.date',
      'roll_calls.basis',
      'roll_calls.started_at',
      'roll_calls.started_by',
      'starter.display_name as started_by_name',
      'roll_calls.closed_at',
      'closer.display_name as closed_by_name',
    ]);
}

function toRollCall(r: {
  id: string;
  school_id: string;
  date: string;
  basis: string;
  started_at: string;
  started_by: string;
  started_by_name: string;
  closed_at: string | null;
  closed_by_name: string | null;
}): RollCallRow {
  return {
    id: r.id,
    schoolId: r.school_id,
    date: r.date as PlainDate,
    basis: r.basis,
    startedAt: r.started_at,
    startedBy: r.started_by,
    startedByName: r.started_by_name,
    closedAt: r.closed_at,
    closedByName: r.closed_by_name ?? null,
  };
}

export async function findRollCall(db: DbOrTrx, id: string): Promise<RollCallRow | undefined> {
  const r = await rollCallQuery(db).where('roll_calls.id', '=', id).executeTakeFirst();
  return r ? toRollCall(r) : undefined;
}

/** The school's roll calls, newest first. */
export async function listRollCalls(db: DbOrTrx, schoolId: string, limit = 20): Promise<RollCallRow[]> {
  const rows = await rollCallQuery(db)
    .where('roll_calls.school_id', '=', schoolId)
    .orderBy('roll_calls.started_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map(toRollCall);
}

export interface RollCallPupilRow {
  readonly pupilId: string;
  readonly forename: string;
  readonly surname: string;
  readonly groupName: string;
  readonly why: string;
  readonly accountedAt: string | null;
  readonly accountedByName: string | null;
}

export async function rollCallPupils(db: DbOrTrx, rollCallId: string): Promise<RollCallPupilRow[]> {
  const rows = await db
    .selectFrom('roll_call_pupils')
    .innerJoin('pupils', 'pupils.id', 'roll_call_pupils.pupil_id')
    .leftJoin('users', 'users.id', 'roll_call_pupils.accounted_by')
    .select([
      'roll_call_pupils.pupil_id',
      'pupils.legal_forename',
      'pupils.legal_surname',
      'pupils.preferred_forename',
      'pupils.preferred_surname',
      'roll_call_pupils.group_name',
      'roll_call_pupils.why',
      'roll_call_pupils.accounted_at',
      'users.display_name',
    ])
    .where('roll_call_pupils.roll_call_id', '=', rollCallId)
    .execute();
  return rows.map((r) => ({
    pupilId: r.pupil_id,
    forename: r.preferred_forename ?? r.legal_forename,
    surname: r.preferred_surname ?? r.legal_surname,
    groupName: r.group_name,
    why: r.why,
    accountedAt: r.accounted_at,
    accountedByName: r.display_name ?? null,
  }));
}

/** Sets (or clears, with `at` null) a pupil's "accounted for"; returns false when the pupil is not on this roll call. */
export async function setAccounted(
  db: DbOrTrx,
  rollCallId: string,
  pupilId: string,
  at: string | null,
  by: string | null,
): Promise<boolean> {
  const r = await db
    .updateTable('roll_call_pupils')
    .set({ accounted_at: at, accounted_by: by })
    .where('roll_call_id', '=', rollCallId)
    .where('pupil_id', '=', pupilId)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function closeRollCallRow(db: DbOrTrx, id: string, at: string, by: string): Promise<void> {
  await db.updateTable('roll_calls').set({ closed_at: at, closed_by: by }).where('id', '=', id).execute();
}
