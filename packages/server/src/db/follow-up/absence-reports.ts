/** Queries of parents' absence reports (services/follow-up/absence-reports.ts authorises, checks and audits). */
import type { Insertable } from 'kysely';
import type { DbOrTrx } from '../connect.js';
import type { AbsenceReportsTable } from '../schema.js';

function reportQuery(db: DbOrTrx) {
  return db
    .selectFrom('absence_reports')
    .innerJoin('pupils', 'pupils.id', 'absence_reports.pupil_id')
    .leftJoin('users', 'users.id', 'absence_reports.reported_by')
    .select([
      'absence_reports.id',
      'absence_reports.pupil_id',
      'absence_reports.reported_by',
      'absence_reports.from_date',
      'absence_reports.to_date',
      'absence_reports.sessions',
      'absence_reports.reason',
      'absence_reports.details',
      'absence_reports.expected_return',
      'absence_reports.evidence',
      'absence_reports.proposed_code',
      'absence_reports.status',
      'absence_reports.decided_at',
      'absence_reports.decision_note',
      'absence_reports.created_at',
      'pupils.legal_forename',
      'pupils.legal_surname',
      'pupils.preferred_forename',
      'pupils.preferred_surname',
      'users.display_name as reporter_name',
    ]);
}

/** A report with the pupil's names and the reporter's display name. */
export type AbsenceReportRow = Awaited<ReturnType<ReturnType<typeof reportQuery>['execute']>>[number];

/** A pupil's reports, newest first. */
export async function absenceReportsOfPupil(db: DbOrTrx, pupilId: string): Promise<AbsenceReportRow[]> {
  return reportQuery(db)
    .where('absence_reports.pupil_id', '=', pupilId)
    .orderBy('absence_reports.created_at', 'desc')
    .orderBy('absence_reports.id')
    .execute();
}

/** A school's reports still pending, oldest first. */
export async function pendingAbsenceReports(db: DbOrTrx, schoolId: string): Promise<AbsenceReportRow[]> {
  return reportQuery(db)
    .where('pupils.school_id', '=', schoolId)
    .where('absence_reports.status', '=', 'pending')
    .orderBy('absence_reports.created_at')
    .orderBy('absence_reports.id')
    .execute();
}

/** Whose a report is (to authorise before reading it whole). */
export async function absenceReportOwner(
  db: DbOrTrx,
  reportId: string,
): Promise<{ id: string; pupil_id: string; status: string } | undefined> {
  return db
    .selectFrom('absence_reports')
    .select(['id', 'pupil_id', 'status'])
    .where('id', '=', reportId)
    .executeTakeFirst();
}

export async function insertAbsenceReport(db: DbOrTrx, row: Insertable<AbsenceReportsTable>): Promise<void> {
  await db.insertInto('absence_reports').values(row).execute();
}

/** Records the office's decision on a report. */
export async function recordAbsenceReportDecision(
  db: DbOrTrx,
  reportId: string,
  decision: { status: 'confirmed' | 'rejected'; by: string; at: string; note: string | null },
): Promise<void> {
  await db
    .updateTable('absence_reports')
    .set({ status: decision.status, decided_by: decision.by, decided_at: decision.at, decision_note: decision.note })
    .where('id', '=', reportId)
    .execute();
}
