/**
 * The analysis snapshots' rows (`cohort_snapshots`): one per school and school year, the period's
 * marks packed by services/analysis/snapshots.ts with the watermarks they were read up to, and the
 * school's figures for one day computed from those same marks (JSON, or null), with each measured
 * pupil's counts behind them (packed, or null).
 */
import type { PlainDate } from '@rollcall/domain';
import type { Db } from '../connect.js';

export interface SnapshotRow {
  readonly markWatermark: string;
  readonly auditWatermark: string;
  readonly calendarFingerprint: string;
  readonly payload: Uint8Array;
  readonly figures: string | null;
}

export async function readSnapshot(db: Db, schoolId: string, yearStart: PlainDate): Promise<SnapshotRow | null> {
  const r = await db
    .selectFrom('cohort_snapshots')
    .select(['mark_watermark', 'audit_watermark', 'calendar_fingerprint', 'payload', 'figures'])
    .where('school_id', '=', schoolId)
    .where('year_start', '=', yearStart)
    .executeTakeFirst();
  if (!r) return null;
  return {
    markWatermark: r.mark_watermark,
    auditWatermark: r.audit_watermark,
    calendarFingerprint: r.calendar_fingerprint,
    payload: r.payload,
    figures: r.figures,
  };
}

/** A snapshot's watermarks and figures, without its payload. */
export interface SnapshotFiguresRow {
  readonly schoolId: string;
  readonly markWatermark: string;
  readonly auditWatermark: string;
  readonly calendarFingerprint: string;
  readonly figures: string;
}

/** The snapshots of these schools for the year that carry figures (not their marks). */
export async function readSnapshotFigures(
  db: Db,
  schoolIds: readonly string[],
  yearStart: PlainDate,
): Promise<SnapshotFiguresRow[]> {
  if (schoolIds.length === 0) return [];
  const rows = await db
    .selectFrom('cohort_snapshots')
    .select(['school_id', 'mark_watermark', 'audit_watermark', 'calendar_fingerprint', 'figures'])
    .where('school_id', 'in', [...schoolIds])
    .where('year_start', '=', yearStart)
    .where('figures', 'is not', null)
    .execute();
  return rows.map((r) => ({
    schoolId: r.school_id,
    markWatermark: r.mark_watermark,
    auditWatermark: r.audit_watermark,
    calendarFingerprint: r.calendar_fingerprint,
    figures: r.figures!,
  }));
}

/**
 * The pupils' counts of these schools' snapshots for the year (for laying marks over the figures),
 * with the watermarks of the snapshot they belong to: a snapshot may be written again between
 * reading its figures and its counts, and counts are laid only over the figures of the same one.
 */
export async function readSnapshotCounts(
  db: Db,
  schoolIds: readonly string[],
  yearStart: PlainDate,
): Promise<{ schoolId: string; markWatermark: string; auditWatermark: string; pupilCounts: Uint8Array }[]> {
  if (schoolIds.length === 0) return [];
  const rows = await db
    .selectFrom('cohort_snapshots')
    .select(['school_id', 'mark_watermark', 'audit_watermark', 'pupil_counts'])
    .where('school_id', 'in', [...schoolIds])
    .where('year_start', '=', yearStart)
    .where('pupil_counts', 'is not', null)
    .execute();
  return rows.map((r) => ({
    schoolId: r.school_id,
    markWatermark: r.mark_watermark,
    auditWatermark: r.audit_watermark,
    pupilCounts: r.pupil_counts!,
  }));
}

/** The packed marks of these schools' snapshots for the year, with the snapshots' watermarks. */
export function readSnapshotPayloads(
  db: Db,
  schoolIds: readonly string[],
  yearStart: PlainDate,
): Promise<{ schoolId: string; markWatermark: string; auditWatermark: string; payload: Uint8Array }[]> {
  if (schoolIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('cohort_snapshots')
    .select([
      'school_id as schoolId',
      'mark_watermark as markWatermark',
      'audit_watermark as auditWatermark',
      'payload',
    ])
    .where('school_id', 'in', [...schoolIds])
    .where('year_start', '=', yearStart)
    .execute();
}

export interface SnapshotWrite {
  readonly schoolId: string;
  readonly yearStart: PlainDate;
  readonly markWatermark: string;
  readonly auditWatermark: string;
  readonly calendarFingerprint: string;
  readonly pupilCount: number;
  readonly payload: Uint8Array;
  /** The school's figures computed from the same marks (JSON), or null. */
  readonly figures: string | null;
  /** Each measured pupil's counts behind the figures (packed), or null. */
  readonly pupilCounts: Uint8Array | null;
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
    figures: w.figures,
    pupil_counts: w.pupilCounts,
    created_at: w.createdAt,
  };
  await db
    .insertInto('cohort_snapshots')
    .values({ school_id: w.schoolId, year_start: w.yearStart, ...values })
    .onConflict((oc) => oc.columns(['school_id', 'year_start']).doUpdateSet(values))
    .execute();
}
