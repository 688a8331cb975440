/**
 * Integration periods and adjusted attendance. A school whose policy has `adjustedAttendance`
 * gives each new pupil an integration period (the policy's `integrationSchoolWeeks` from the day
 * they joined) in which they are not expected to attend full time; those sessions are left out
 * of the adjusted rate, while the actual rate (the statutory figure) is always shown beside it.
 *
 * A pupil may have one recorded period: the one agreed for them, usually an extension of the
 * default ("this can be extended if agreed that this is necessary and appropriate for a pupil").
 * Recording it again changes (extends) that one period; every change is audited with the period
 * before and after.
 *
 * Recording needs `integration.record` (attendance officer, SENCO, senior leader, administrator).
 *
 * @see ../../../../shared/seeds/004_4e3aa116c3efb606.txt "Introduction and Background"
 */
import {
  adjustedAttendance,
  analysisContext,
  defaultIntegrationPeriod,
  firstSessionOnOrAfter,
  formatRate,
  isPlainDate,
  lastSessionOnOrBefore,
  type AdjustedAttendance,
  type IntegrationPeriod,
  type PlainDate,
  type SchoolCalendar,
} from '@rollcall/domain';
import type { DbOrTrx } from '../../db/connect.js';
import {
  insertIntegrationPeriod,
  integrationPeriodOfPupil,
  integrationPeriodRows,
  updateIntegrationPeriod,
} from '../../db/pupils/integration-periods.js';
import { pupilMarks } from '../../db/pupils/pupils.js';
import type { School } from '../school/schools.js';
import { newId } from '../../platform/ids.js';
import { audit } from '../audit.js';
import { authorise, can, type Actor } from '../authz.js';
import { caseworkPolicyOf } from '../casework/policy.js';
import type { Deps } from '../deps.js';
import { AppError, type FieldError } from '../errors.js';
import { loadPupilScope } from '../pupil-scope.js';
import { layMarks } from './pupils.js';
import { schoolCalendar } from '../registers/registers.js';

/** The longest reason kept. */
const REASON_MAX = 2000;

export interface RecordedIntegrationPeriod extends IntegrationPeriod {
  readonly id: string;
  readonly reason: string;
  readonly recordedByName: string;
  readonly recordedAt: string;
}

/** The school weeks of integration the school's policy gives, or null when it has no adjusted attendance. */
export function integrationSchoolWeeksOf(school: Pick<School, 'policy'>): number | null {
  return caseworkPolicyOf(school).adjustedAttendance?.integrationSchoolWeeks ?? null;
}

/** The recorded periods of some pupils, by pupil id. */
export async function recordedIntegrationPeriods(
  db: DbOrTrx,
  pupilIds: readonly string[],
): Promise<Map<string, RecordedIntegrationPeriod>> {
  const out = new Map<string, RecordedIntegrationPeriod>();
  const rows = await integrationPeriodRows(db, pupilIds);
  for (const r of rows)
    out.set(r.pupil_id, {
      id: r.id,
      from: r.from_date as PlainDate,
      to: r.to_date as PlainDate,
      reason: r.reason,
      recordedByName: r.recorded_by_name,
      recordedAt: r.recorded_at,
    });
  return out;
}

/**
 * The period left out for a pupil: the recorded one if there is one, else the policy's default
 * from the admission date; null when the policy has no adjusted attendance.
 */
export function integrationPeriodFor(
  cal: SchoolCalendar,
  weeks: number | null,
  admissionDate: PlainDate,
  recorded: IntegrationPeriod | undefined,
): IntegrationPeriod | null {
  if (weeks === null) return null;
  if (recorded) return { from: recorded.from, to: recorded.to };
  return defaultIntegrationPeriod(cal, admissionDate, weeks);
}

export interface PupilAdjustedAttendance {
  /** The actual and adjusted rates, with the explanation in words. */
  readonly figures: AdjustedAttendance;
  readonly period: IntegrationPeriod | null;
  /** True when the period is the one recorded for the pupil (not the policy's default). */
  readonly recorded: boolean;
  readonly actualText: string;
  readonly adjustedText: string;
}

/**
 * A pupil's actual and adjusted attendance as of a day, when the school's policy uses adjusted
 * attendance (null otherwise). The caller has already checked the actor may see the pupil.
 */
export async function pupilAdjustedAttendance(
  deps: Pick<Deps, 'db'>,
  school: School,
  pupil: { id: string; admissionDate: PlainDate; leavingDate: PlainDate | null },
  asOf: PlainDate,
): Promise<PupilAdjustedAttendance | null> {
  const weeks = integrationSchoolWeeksOf(school);
  if (weeks === null) return null;
  const cal = await schoolCalendar(deps, school.id);
  const [marks, recorded] = await Promise.all([
    pupilMarks(deps.db, pupil.id),
    recordedIntegrationPeriods(deps.db, [pupil.id]),
  ]);
  const own = recorded.get(pupil.id);
  const period = integrationPeriodFor(cal, weeks, pupil.admissionDate, own);
  const ctx = analysisContext(cal, { asOf, minPossibleSessions: school.policy.minPossibleSessions });
  const laid = layMarks(cal, marks);
  const figures = adjustedAttendance(
    cal,
    ctx,
    {
      codes: laid.codes,
      minutesLate: laid.minutesLate,
      rollFrom: firstSessionOnOrAfter(cal, pupil.admissionDate),
      rollTo: pupil.leavingDate ? lastSessionOnOrBefore(cal, pupil.leavingDate) : cal.sessionCount - 1,
    },
    period,
  );
  return {
    figures,
    period,
    recorded: own !== undefined,
    actualText: formatRate(figures.actual.rate),
    adjustedText: formatRate(figures.adjusted.rate),
  };
}

export interface IntegrationView {
  readonly pupil: { id: string; name: string; admissionDate: PlainDate };
  readonly school: { id: string; name: string };
  /** The policy's school weeks of integration; null when the school does not use adjusted attendance. */
  readonly weeks: number | null;
  /** The policy's default period for this pupil (from the admission date). */
  readonly defaultPeriod: IntegrationPeriod | null;
  readonly recorded: RecordedIntegrationPeriod | null;
  readonly attendance: PupilAdjustedAttendance | null;
}

/** The integration page: the default and recorded periods and both rates. */
export async function integrationView(deps: Deps, actor: Actor, pupilId: string): Promise<IntegrationView> {
  const { pupil, school, resource } = await loadPupilScope(deps.db, pupilId);
  authorise(actor, 'integration.record', resource);
  const cal = await schoolCalendar(deps, school.id);
  const weeks = integrationSchoolWeeksOf(school);
  const recorded = (await recordedIntegrationPeriods(deps.db, [pupil.id])).get(pupil.id) ?? null;
  const today = deps.clock.today(school.timeZone);
  return {
    pupil: { id: pupil.id, name: `${pupil.forename} ${pupil.surname}`, admissionDate: pupil.admissionDate },
    school: { id: school.id, name: school.name },
    weeks,
    defaultPeriod: weeks === null ? null : defaultIntegrationPeriod(cal, pupil.admissionDate, weeks),
    recorded,
    attendance: await pupilAdjustedAttendance(deps, school, pupil, today),
  };
}

/** True when the actor may record this pupil's integration period (for links on other pages). */
export async function mayRecordIntegration(deps: Pick<Deps, 'db'>, actor: Actor, pupilId: string): Promise<boolean> {
  const { resource } = await loadPupilScope(deps.db, pupilId);
  return can(actor, 'integration.record', resource);
}

export interface RecordIntegrationInput {
  readonly pupilId: string;
  readonly from: string;
  readonly to: string;
  readonly reason: string;
}

/**
 * Records a pupil's integration period, or changes (extends) the one recorded. Validation names
 * each field: `from` and `to` are dates, `from` not before the pupil joined, `to` on or after
 * `from`; a reason is required (the decision is the senior leadership team's with the parents).
 * Audited `integration.record` (first time) or `integration.extend` with the period before.
 */
export async function recordIntegrationPeriod(
  deps: Deps,
  actor: Actor,
  input: RecordIntegrationInput,
): Promise<{ id: string; extended: boolean }> {
  const { pupil, school, resource } = await loadPupilScope(deps.db, input.pupilId);
  authorise(actor, 'integration.record', resource);
  const errors: FieldError[] = [];
  const from = input.from.trim();
  const to = input.to.trim();
  const reason = input.reason.trim();
  if (!isPlainDate(from))
    errors.push({ field: 'from', message: 'Enter the first day of the integration period as a real date.' });
  else if (from < pupil.admissionDate)
    errors.push({
      field: 'from',
      message: `The integration period cannot start before the pupil joined (${pupil.admissionDate}).`,
    });
  if (!isPlainDate(to))
    errors.push({ field: 'to', message: 'Enter the last day of the integration period as a real date.' });
  else if (isPlainDate(from) && to < from)
    errors.push({ field: 'to', message: 'The last day must be the same as or after the first day.' });
  if (!reason)
    errors.push({ field: 'reason', message: 'Say why (for example who agreed the extension with the parents).' });
  else if (reason.length > REASON_MAX)
    errors.push({
      field: 'reason',
      message: `The reason must be ${REASON_MAX.toLocaleString('en-GB')} characters or fewer.`,
    });
  if (errors.length > 0)
    throw new AppError('VALIDATION', 'The integration period could not be recorded.', { fields: errors });

  const now = deps.clock.now();
  return deps.db.transaction().execute(async (trx) => {
    const before = await integrationPeriodOfPupil(trx, pupil.id);
    const id = before?.id ?? newId();
    if (before) {
      await updateIntegrationPeriod(trx, before.id, {
        from_date: from,
        to_date: to,
        reason,
        recorded_by: actor.userId,
        recorded_by_name: actor.name,
        recorded_at: now,
      });
    } else {
      await insertIntegrationPeriod(trx, {
        id,
        pupil_id: pupil.id,
        school_id: school.id,
        from_date: from,
        to_date: to,
        reason,
        recorded_by: actor.userId,
        recorded_by_name: actor.name,
        recorded_at: now,
      });
    }
    await audit(trx, actor, now, {
      action: before ? 'integration.extend' : 'integration.record',
      entityType: 'integration_period',
      entityId: id,
      pupilId: pupil.id,
      schoolId: school.id,
      details: {
        from,
        to,
        reason,
        ...(before && { before: { from: before.from_date, to: before.to_date } }),
      },
    });
    return { id, extended: before !== undefined };
  });
}
