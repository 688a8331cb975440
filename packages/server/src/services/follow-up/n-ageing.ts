/**
 * `N` never lingers: where the school's policy says so, an `N` still unresolved after a set number
 * of school days becomes `O` (unauthorised, other), always with a recorded reason, and the
 * parents with parental responsibility are told.
 *
 * @see ../../../../shared/reference/attendance-rules.md §1 (N within 5 school days)
 */
import { parentalContactChannels, unresolvedNMarks } from '../../db/follow-up/n-ageing.js';
import { lastDayOnOrBefore, type PlainDate, type Session } from '@rollcall/domain';
import { setSessionMark } from '../../db/registers/registers.js';
import { getSchool } from '../school/schools.js';
import { audit } from '../audit.js';
import { authorise, type Actor } from '../authz.js';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import { queueMessage } from '../messages.js';
import { schoolCalendar } from '../registers/registers.js';
import { emitBulkMarkChanges } from '../exchange/webhooks.js';

export interface ConvertedN {
  readonly pupilId: string;
  readonly date: PlainDate;
  readonly session: Session;
  readonly schoolDaysOld: number;
  /** Parents told (messages queued). */
  readonly told: number;
}

/**
 * Converts the school's `N` marks older than its policy allows into `O`. Does nothing when the
 * policy sets no limit. Idempotent: a converted mark is no longer `N`.
 */
export async function convertStaleN(
  deps: Deps,
  actor: Actor,
  q: { schoolId: string; asOf: PlainDate },
): Promise<ConvertedN[]> {
  const school = await getSchool(deps.db, q.schoolId);
  authorise(actor, 'mark.amend', {
    kind: 'school',
    schoolId: school.id,
    trustId: school.trustId,
    laCode: school.laCode,
  });
  const limit = school.policy.convertNToOAfterSchoolDays;
  if (limit === null) {
    throw new AppError(
      'VALIDATION',
      'The school’s policy does not convert N to O: resolve each N with the family instead.',
    );
  }
  const cal = await schoolCalendar(deps, school.id);
  const asOfDay = lastDayOnOrBefore(cal, q.asOf);
  const now = deps.clock.now();
  const candidates = await unresolvedNMarks(deps.db, school.id, q.asOf);
  const due = candidates.filter((r) => {
    const day = cal.dayByDate.get(r.date as PlainDate);
    return day !== undefined && asOfDay - day > limit;
  });
  return deps.db.transaction().execute(async (trx) => {
    const out: ConvertedN[] = [];
    const toldPupils = new Map<string, number>();
    for (const r of due) {
      const date = r.date as PlainDate;
      const session = r.session as Session;
      const schoolDaysOld = asOfDay - cal.dayByDate.get(date)!;
      await setSessionMark(
        trx,
        {
          pupilId: r.pupil_id,
          date,
          session,
          code: 'O',
          minutesLate: null,
          reason: `No reason established within ${limit} school days (school policy); parents told`,
        },
        {
          userId: actor.userId === 'system' ? null : actor.userId,
          userName: actor.name,
          userRole: actor.role,
          at: now,
          source: 'system',
        },
      );
      if (!toldPupils.has(r.pupil_id)) {
        const contacts = await parentalContactChannels(trx, r.pupil_id);
        let told = 0;
        const child = r.preferred_forename ?? r.legal_forename;
        for (const c of contacts) {
          const channel = c.email ? 'email' : c.mobile_phone ? 'sms' : null;
          if (!channel) continue;
          const queued = await queueMessage(trx, {
            schoolId: school.id,
            pupilId: r.pupil_id,
            channel,
            to: (channel === 'email' ? c.email : c.mobile_phone) ?? '',
            subject: `${child}'s absence has been recorded as unauthorised`,
            body:
              `${school.name}: we have not been given a reason for ${child}'s absence on ${date} (${session}) ` +
              `within ${limit} school days, so it is now recorded as unauthorised (code O). ` +
              `If there was a reason, please contact the school office.`,
            kind: 'n-converted',
            createdBy: actor.userId,
            now,
          }).catch((e: unknown) => {
            // An unusable address is skipped (the office sees who was told), not a reason to stop.
            if (e instanceof AppError && e.code === 'VALIDATION') return null;
            throw e;
          });
          if (queued !== null) told++;
        }
        toldPupils.set(r.pupil_id, told);
      }
      out.push({ pupilId: r.pupil_id, date, session, schoolDaysOld, told: toldPupils.get(r.pupil_id) ?? 0 });
    }
    await emitBulkMarkChanges(
      trx,
      now,
      school.id,
      'N ageing',
      actor.name,
      out.map((c) => ({
        pupilId: c.pupilId,
        date: c.date,
        session: c.session,
        code: 'O',
        minutesLate: null,
        previousCode: 'N',
      })),
    );
    await audit(trx, actor, now, {
      action: 'marks.convertStaleN',
      entityType: 'school',
      entityId: school.id,
      schoolId: school.id,
      details: { asOf: q.asOf, limit, converted: out.length },
    });
    return out;
  });
}
