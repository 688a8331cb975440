/**
 * Retention: a pupil's marks and their history, with the late arrivals, early leavers and
 * registers of the same days, are kept for at least 6 years after the end of the academic year
 * they belong to (the Information and Records Management Society's schedule for attendance
 * registers: "date of register + 6 years"; we count from the end of the academic year so a
 * whole year goes at once), then removed by this job in one transaction, with a record of what
 * was removed (`retention_runs` and the audit entry count every table). Never fewer than 6
 * years. See docs/privacy.md.
 */
import type { PlainDate } from '@rollcall/domain';
import { countRecordsBefore, deleteRecordsBefore, insertRetentionRun } from '../../db/duties/retention.js';
import { getSchool, listSchools } from '../school/schools.js';
import { newId } from '../../platform/ids.js';
import { audit } from '../audit.js';
import { authorise, type Actor } from '../authz.js';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';

/** The least, and default, number of whole academic years marks are kept after their own. */
export const MIN_KEEP_YEARS = 6;

/**
 * Marks dated before this day may be removed on `today`: the start of the academic year
 * (1 September) `keepYears` years before the current one.
 *
 * @example removableBefore('2032-10-01', 6) // '2026-09-01': 2025/26 ended 31 August 2026, kept to 31 August 2032
 * @example removableBefore('2032-08-31', 6) // '2025-09-01'
 */
export function removableBefore(today: PlainDate | string, keepYears = MIN_KEEP_YEARS): string {
  const year = Number(today.slice(0, 4));
  const month = Number(today.slice(5, 7));
  const currentStart = month >= 9 ? year : year - 1;
  return `${String(currentStart - keepYears).padStart(4, '0')}-09-01`;
}

export interface RetentionInput {
  readonly schoolId: string;
  readonly today: PlainDate | string;
  readonly keepYears?: number | undefined;
  /** Count what would be removed, and record the run as a dry run, but remove nothing. */
  readonly dryRun?: boolean | undefined;
}

export interface RetentionResult {
  readonly runId: string;
  readonly schoolId: string;
  readonly beforeDate: string;
  readonly keepYears: number;
  readonly marksRemoved: number;
  readonly lessonMarksRemoved: number;
  readonly historyRemoved: number;
  /** Late arrivals (time in, reason) of the removed days. */
  readonly lateArrivalsRemoved: number;
  /** Early leavers (time out, who collected, reason) of the removed days. */
  readonly earlyLeaversRemoved: number;
  /** Registers' own rows (which group, when taken and by whom) of the removed days. */
  readonly registersRemoved: number;
  readonly dryRun: boolean;
}

export async function runRetention(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Actor,
  input: RetentionInput,
): Promise<RetentionResult> {
  const keepYears = input.keepYears ?? MIN_KEEP_YEARS;
  if (!Number.isInteger(keepYears) || keepYears < MIN_KEEP_YEARS) {
    throw new AppError(
      'VALIDATION',
      `Marks are kept for at least ${MIN_KEEP_YEARS} years after their academic year; ${keepYears} is too few.`,
      { fields: [{ field: 'keepYears', message: `Keep marks for ${MIN_KEEP_YEARS} years or more` }] },
    );
  }
  const school = await getSchool(deps.db, input.schoolId);
  authorise(actor, 'retention.run', { kind: 'school', ...school });
  const before = removableBefore(input.today, keepYears);
  const dryRun = input.dryRun === true;
  const at = deps.clock.now();
  return deps.db.transaction().execute(async (trx) => {
    const {
      marksRemoved,
      lessonMarksRemoved,
      historyRemoved,
      lateArrivalsRemoved,
      earlyLeaversRemoved,
      registersRemoved,
    } = await countRecordsBefore(trx, school.id, before);
    if (!dryRun) await deleteRecordsBefore(trx, school.id, before);
    const runId = newId();
    await insertRetentionRun(trx, {
      id: runId,
      school_id: school.id,
      run_at: at,
      run_by: actor.userId,
      keep_years: keepYears,
      before_date: before,
      marks_removed: marksRemoved,
      history_removed: historyRemoved,
      lesson_marks_removed: lessonMarksRemoved,
      late_arrivals_removed: lateArrivalsRemoved,
      early_leavers_removed: earlyLeaversRemoved,
      registers_removed: registersRemoved,
      dry_run: dryRun ? 1 : 0,
    });
    await audit(trx, actor, at, {
      action: dryRun ? 'retention.dryRun' : 'retention.run',
      entityType: 'retention_run',
      entityId: runId,
      schoolId: school.id,
      details: {
        beforeDate: before,
        keepYears,
        marksRemoved,
        lessonMarksRemoved,
        historyRemoved,
        lateArrivalsRemoved,
        earlyLeaversRemoved,
        registersRemoved,
      },
    });
    return {
      runId,
      schoolId: school.id,
      beforeDate: before,
      keepYears,
      marksRemoved,
      lessonMarksRemoved,
      historyRemoved,
      lateArrivalsRemoved,
      earlyLeaversRemoved,
      registersRemoved,
      dryRun,
    };
  });
}

/** Runs retention for every school (the scheduled job). */
export async function runRetentionEverywhere(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Actor,
  today: PlainDate | string,
  onlySchoolId: string | null = null,
): Promise<RetentionResult[]> {
  const out: RetentionResult[] = [];
  for (const school of await listSchools(deps.db))
    if (onlySchoolId === null || school.id === onlySchoolId)
      out.push(await runRetention(deps, actor, { schoolId: school.id, today }));
  return out;
}
