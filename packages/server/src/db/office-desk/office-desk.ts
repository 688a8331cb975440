/** The office desk's reads and writes: pupils on roll today, late arrivals and early leavers. */
import type { PlainDate } from '@rollcall/domain';
import type { DbOrTrx } from '../connect.js';

/** A pupil on roll on a date, with the names the desk shows and their registration group. */
export interface DeskPupilRow {
  readonly id: string;
  readonly upn: string;
  readonly legal_forename: string;
  readonly legal_surname: string;
  readonly preferred_forename: string | null;
  readonly preferred_surname: string | null;
  readonly reg_group_id: string | null;
}

interface PupilNames {
  readonly legal_forename: string;
  readonly legal_surname: string;
  readonly preferred_forename: string | null;
  readonly preferred_surname: string | null;
  readonly reg_group_id: string | null;
}

export interface LateArrivalRow extends PupilNames {
  readonly id: string;
  readonly pupil_id: string;
  readonly session: string;
  readonly arrived_at: string;
  readonly minutes_late: number;
  readonly code: string;
  readonly reason: string | null;
  readonly recorded_by: string;
  readonly recorded_at: string;
}

export interface EarlyLeaverRow extends PupilNames {
  readonly id: string;
  readonly pupil_id: string;
  readonly left_at: string;
  readonly collected_by: string | null;
  readonly reason: string;
  readonly recorded_by: string;
  readonly recorded_at: string;
}

/** The school's pupils on roll on `date` (admitted by then, not yet left). */
export async function pupilsOnRoll(db: DbOrTrx, schoolId: string, date: PlainDate): Promise<DeskPupilRow[]> {
  return db
    .selectFrom('pupils')
    .select(['id', 'upn', 'legal_forename', 'legal_surname', 'preferred_forename', 'preferred_surname', 'reg_group_id'])
    .where('school_id', '=', schoolId)
    .where('admission_date', '<=', date)
    .where((eb) => eb.or([eb('leaving_date', 'is', null), eb('leaving_date', '>=', date)]))
    .execute();
}

/** The school's late arrivals on `date`, newest first. */
export async function lateArrivalsOn(db: DbOrTrx, schoolId: string, date: PlainDate): Promise<LateArrivalRow[]> {
  return db
    .selectFrom('late_arrivals')
    .innerJoin('pupils', 'pupils.id', 'late_arrivals.pupil_id')
    .select([
      'late_arrivals.id',
      'late_arrivals.pupil_id',
      'late_arrivals.session',
      'late_arrivals.arrived_at',
      'late_arrivals.minutes_late',
      'late_arrivals.code',
      'late_arrivals.reason',
      'late_arrivals.recorded_by',
      'late_arrivals.recorded_at',
      'pupils.legal_forename',
      'pupils.legal_surname',
      'pupils.preferred_forename',
      'pupils.preferred_surname',
      'pupils.reg_group_id',
    ])
    .where('pupils.school_id', '=', schoolId)
    .where('late_arrivals.date', '=', date)
    .orderBy('late_arrivals.recorded_at', 'desc')
    .orderBy('late_arrivals.id', 'desc')
    .execute();
}

/** The school's early leavers on `date`, newest first. */
export async function earlyLeaversOn(db: DbOrTrx, schoolId: string, date: PlainDate): Promise<EarlyLeaverRow[]> {
  return db
    .selectFrom('early_leavers')
    .innerJoin('pupils', 'pupils.id', 'early_leavers.pupil_id')
    .select([
      'early_leavers.id',
      'early_leavers.pupil_id',
      'early_leavers.left_at',
      'early_leavers.collected_by',
      'early_leavers.reason',
      'early_leavers.recorded_by',
      'early_leavers.recorded_at',
      'pupils.legal_forename',
      'pupils.legal_surname',
      'pupils.preferred_forename',
      'pupils.preferred_surname',
      'pupils.reg_group_id',
    ])
    .where('pupils.school_id', '=', schoolId)
    .where('early_leavers.date', '=', date)
    .orderBy('early_leavers.recorded_at', 'desc')
    .orderBy('early_leavers.id', 'desc')
    .execute();
}

/** A late arrival signed in at the office (its mark and history are written by `setSessionMark`). */
export async function insertLateArrival(
  db: DbOrTrx,
  row: {
    id: string;
    pupilId: string;
    date: PlainDate;
    session: string;
    arrivedAt: string;
    minutesLate: number;
    code: string;
    reason: string | null;
    recordedBy: string;
    recordedAt: string;
  },
): Promise<void> {
  await db
    .insertInto('late_arrivals')
    .values({
      id: row.id,
      pupil_id: row.pupilId,
      date: row.date,
      session: row.session,
      arrived_at: row.arrivedAt,
      minutes_late: row.minutesLate,
      code: row.code,
      reason: row.reason,
      recorded_by: row.recordedBy,
      recorded_at: row.recordedAt,
    })
    .execute();
}

/** A pupil signed out early at the office. */
export async function insertEarlyLeaver(
  db: DbOrTrx,
  row: {
    id: string;
    pupilId: string;
    date: PlainDate;
    leftAt: string;
    collectedBy: string | null;
    reason: string;
    recordedBy: string;
    recordedAt: string;
  },
): Promise<void> {
  await db
    .insertInto('early_leavers')
    .values({
      id: row.id,
      pupil_id: row.pupilId,
      date: row.date,
      left_at: row.leftAt,
      collected_by: row.collectedBy,
      reason: row.reason,
      returned_at: null,
      recorded_by: row.recordedBy,
      recorded_at: row.recordedAt,
    })
    .execute();
}
