/** Queries of retention (services/duties/retention.ts authorises and audits each run). */
import type { Insertable } from 'kysely';
import type { DbOrTrx } from '../connect.js';
import type { RetentionRunsTable } from '../schema.js';

/** The tables holding a pupil's day-by-day record, removed together (children before parents). */
const PUPIL_TABLES = ['mark_history', 'lesson_marks', 'session_marks', 'late_arrivals', 'early_leavers'] as const;
type PupilTable = (typeof PUPIL_TABLES)[number];

/** What a retention run removes (or, in a dry run, would remove). */
export interface RemovableCounts {
  readonly marksRemoved: number;
  readonly lessonMarksRemoved: number;
  readonly historyRemoved: number;
  readonly lateArrivalsRemoved: number;
  readonly earlyLeaversRemoved: number;
  readonly registersRemoved: number;
}

const count = (r: { n: number | string | bigint } | undefined): number => Number(r?.n ?? 0);

function pupilsOf(db: DbOrTrx, schoolId: string) {
  return db.selectFrom('pupils').select('id').where('school_id', '=', schoolId);
}

/** How many rows of a school's day-by-day record are dated before a date. */
export async function countRecordsBefore(db: DbOrTrx, schoolId: string, before: string): Promise<RemovableCounts> {
  const pupils = pupilsOf(db, schoolId);
  const counted = async (table: PupilTable) =>
    count(
      await db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('pupil_id', 'in', pupils)
        .where('date', '<', before)
        .executeTakeFirst(),
    );
  const marksRemoved = await counted('session_marks');
  const lessonMarksRemoved = await counted('lesson_marks');
  const historyRemoved = await counted('mark_history');
  const lateArrivalsRemoved = await counted('late_arrivals');
  const earlyLeaversRemoved = await counted('early_leavers');
  const registersRemoved = count(
    await db
      .selectFrom('registers')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('school_id', '=', schoolId)
      .where('date', '<', before)
      .executeTakeFirst(),
  );
  return {
    marksRemoved,
    lessonMarksRemoved,
    historyRemoved,
    lateArrivalsRemoved,
    earlyLeaversRemoved,
    registersRemoved,
  };
}

/** Deletes every row of a school's day-by-day record dated before a date (marks, history, registers). */
export async function deleteRecordsBefore(db: DbOrTrx, schoolId: string, before: string): Promise<void> {
  const pupils = pupilsOf(db, schoolId);
  for (const table of PUPIL_TABLES)
    await db.deleteFrom(table).where('pupil_id', 'in', pupils).where('date', '<', before).execute();
  await db.deleteFrom('registers').where('school_id', '=', schoolId).where('date', '<', before).execute();
}

export async function insertRetentionRun(db: DbOrTrx, row: Insertable<RetentionRunsTable>): Promise<void> {
  await db.insertInto('retention_runs').values(row).execute();
}
