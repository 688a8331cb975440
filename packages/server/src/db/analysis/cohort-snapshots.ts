/**
 * The analysis snapshots' rows (`cohort_snapshots`): one per school and school year, the period's
 * marks packed by services/analysis/snapshots.ts with the watermarks they were read up to.
 */
import type { PlainDate } from '@rollcall/domain';
import type { Db } from '../connect.js';

export interface SnapshotRow {
  readonly markWatermark: string;
  readonly auditWatermark: string;
  readonly calendarFingerprint: string;
  readonly payload: Uint8Array;
}

export async function readSnapshot(db: Db, schoolId: string, yearStart: PlainDate): Promise<SnapshotRow | null> {
  const r = await db
    .selectFrom('cohort_snapshots')
    .select(['mark_watermark', 'audit_watermark', 'calendar_fingerprint', 'payload'])
    .where('school_id', '=', schoolId)
    .where('year_start', '=', yearStart)
    .executeTakeFirst();
  if (!r) return null;
  return {
    markWatermark: r.mark_watermark,
    auditWatermark: r.audit_watermark,
    calendarFingerprint: r.calendar_fingerprint,
    payload: r.payload,
  };
}

export interface SnapshotWrite {
  readonly schoolId: string;
  readonly yearStart: PlainDate;
  readonly markWatermark: string;
  readonly auditWatermark: string;
  readonly calendarFingerprint: string;
  readonly pupilCount: number;
  readonly payload: Uint8Array;
  readonly createdAt: string;
}

/** Replaces the school's snapshot for the year (one statement: its own implicit transaction). */
export async function writeSnapshot(db: Db, w: SnapshotWrite): Promise<void> {
  const values = {
    mark_watermark: w.markWatermark,
    audit_watermark: w.auditWatermark,
    calendar_fingerprint: w.calendarFingerprint,
    pupil_count: w.pupilCount,
    payload: w.payload,
    created_at: w.createdAt,
  };
  await db
    .insertInto('cohort_snapshots')
    .values({ school_id: w.schoolId, year_start: w.yearStart, ...values })
    .onConflict((oc) => oc.columns(['school_id', 'year_start']).doUpdateSet(values))
    .execute();
}
