/**
 * The daily casework evaluation's reads of a whole school (services/casework/evaluation.ts): the
 * pupils on roll, their marks over the window the policy reads, and the case record the policy's
 * facts are built from (open stages, reviews, meetings not attended, plan targets, contracts,
 * referrals declined, notices and penalty notices). Each read is one query for the school, joined
 * on `pupils.school_id`, so a run costs the same whatever the number of pupils with a case. The
 * suggestions it stores and supersedes are in suggestions.ts.
 */
import { sql } from 'kysely';
import type { DbOrTrx } from '../connect.js';

/** Pupils on roll at a school on a day (admitted by then, not left before), in id order. */
export async function pupilsOnRollOn(
  db: DbOrTrx,
  schoolId: string,
  on: string,
): Promise<{ id: string; admission_date: string; leaving_date: string | null }[]> {
  return db
    .selectFrom('pupils')
    .select(['id', 'admission_date', 'leaving_date'])
    .where('school_id', '=', schoolId)
    .where('admission_date', '<=', on)
    .where((eb) => eb.or([eb('leaving_date', 'is', null), eb('leaving_date', '>=', on)]))
    .orderBy('id')
    .execute();
}

/**
 * Every session mark of the school's pupils from `from` to `to` (inclusive), one row per pupil
 * with marks: `marks` holds them as `<date><AM|PM><code>` (`2026-09-03PM/`), joined by commas, in
 * no particular order. One string a pupil rather than an object a mark: at 1,000 pupils and
 * 125,000 marks this read took about 0.2 s as rows and 0.045 s so (issue 18; SQLite).
 */
export async function sessionMarksByPupilAtSchool(
  db: DbOrTrx,
  schoolId: string,
  from: string,
  to: string,
): Promise<{ pupil_id: string; marks: string }[]> {
  return (
    db
      .selectFrom('session_marks')
      .select([
        'session_marks.pupil_id',
        sql<string>`string_agg(${sql.ref('session_marks.date')} || ${sql.ref('session_marks.session')} || ${sql.ref('session_marks.code')}, ',')`.as(
          'marks',
        ),
      ])
      // `in`, not a join: SQLite then reads the marks in the order of their key, pupil by pupil,
      // and groups them without sorting.
      .where('session_marks.pupil_id', 'in', (eb) =>
        eb.selectFrom('pupils').select('pupils.id').where('pupils.school_id', '=', schoolId),
      )
      .where('session_marks.date', '>=', from)
      .where('session_marks.date', '<=', to)
      .groupBy('session_marks.pupil_id')
      .execute()
  );
}

/** The open stage entries of the school's pupils, the earliest entered first. */
export async function openStageEntriesAtSchool(
  db: DbOrTrx,
  schoolId: string,
): Promise<{ id: string; pupil_id: string; stage_id: string | null; entered_on: string; decided_at: string }[]> {
  return db
    .selectFrom('case_stages')
    .innerJoin('pupils', 'pupils.id', 'case_stages.pupil_id')
    .select([
      'case_stages.id',
      'case_stages.pupil_id',
      'case_stages.stage_id',
      'case_stages.entered_on',
      'case_stages.decided_at',
    ])
    .where('pupils.school_id', '=', schoolId)
    .where('case_stages.left_on', 'is', null)
    .orderBy('case_stages.entered_on')
    .orderBy('case_stages.decided_at')
    .execute();
}

/** Every stage review of the school's pupils, oldest first. */
export async function reviewsAtSchool(
  db: DbOrTrx,
  schoolId: string,
): Promise<{ case_stage_id: string; reviewed_on: string; rate: number | null; created_at: string }[]> {
  return db
    .selectFrom('case_reviews')
    .innerJoin('pupils', 'pupils.id', 'case_reviews.pupil_id')
    .select(['case_reviews.case_stage_id', 'case_reviews.reviewed_on', 'case_reviews.rate', 'case_reviews.created_at'])
    .where('pupils.school_id', '=', schoolId)
    .orderBy('case_reviews.reviewed_on')
    .orderBy('case_reviews.created_at')
    .execute();
}

/** The meetings the school's pupils' families did not attend: whose, and when. */
export async function meetingsNotAttendedAtSchool(
  db: DbOrTrx,
  schoolId: string,
): Promise<{ pupil_id: string; scheduled_for: string }[]> {
  return db
    .selectFrom('case_meetings')
    .innerJoin('pupils', 'pupils.id', 'case_meetings.pupil_id')
    .select(['case_meetings.pupil_id', 'case_meetings.scheduled_for'])
    .where('pupils.school_id', '=', schoolId)
    .where('case_meetings.status', '=', 'not_attended')
    .execute();
}

/** The targets (JSON text) of the school's active plans, per pupil. */
export async function activePlanTargetsAtSchool(
  db: DbOrTrx,
  schoolId: string,
): Promise<{ pupil_id: string; targets: string }[]> {
  return db
    .selectFrom('case_plans')
    .innerJoin('pupils', 'pupils.id', 'case_plans.pupil_id')
    .select(['case_plans.pupil_id', 'case_plans.targets'])
    .where('pupils.school_id', '=', schoolId)
    .where('case_plans.status', '=', 'active')
    .execute();
}

/** Every stage-history entry of the school's pupils entered by `asOf`, in the order entered. */
export async function stageHistoryAtSchool(
  db: DbOrTrx,
  schoolId: string,
  asOf: string,
): Promise<{ pupil_id: string; stage_id: string | null }[]> {
  return db
    .selectFrom('case_stages')
    .innerJoin('pupils', 'pupils.id', 'case_stages.pupil_id')
    .select(['case_stages.pupil_id', 'case_stages.stage_id'])
    .where('pupils.school_id', '=', schoolId)
    .where('case_stages.entered_on', '<=', asOf)
    .orderBy('case_stages.entered_on')
    .orderBy('case_stages.decided_at')
    .execute();
}

/** The school's plans started by `asOf`, the earliest first. */
export async function plansStartedAtSchool(
  db: DbOrTrx,
  schoolId: string,
  asOf: string,
): Promise<{ pupil_id: string; kind: string; status: string; starts_on: string }[]> {
  return db
    .selectFrom('case_plans')
    .innerJoin('pupils', 'pupils.id', 'case_plans.pupil_id')
    .select(['case_plans.pupil_id', 'case_plans.kind', 'case_plans.status', 'case_plans.starts_on'])
    .where('pupils.school_id', '=', schoolId)
    .where('case_plans.starts_on', '<=', asOf)
    .orderBy('case_plans.starts_on')
    .execute();
}

/** The school's attendance contracts agreed by `asOf`, the earliest first. */
export async function contractsAgreedAtSchool(
  db: DbOrTrx,
  schoolId: string,
  asOf: string,
): Promise<{ pupil_id: string; status: string; agreed_on: string }[]> {
  return db
    .selectFrom('case_contracts')
    .innerJoin('pupils', 'pupils.id', 'case_contracts.pupil_id')
    .select(['case_contracts.pupil_id', 'case_contracts.status', 'case_contracts.agreed_on'])
    .where('pupils.school_id', '=', schoolId)
    .where('case_contracts.agreed_on', '<=', asOf)
    .orderBy('case_contracts.agreed_on')
    .execute();
}

/** The pupils of the school with a referral the family declined. */
export async function declinedReferralsAtSchool(db: DbOrTrx, schoolId: string): Promise<{ pupil_id: string }[]> {
  return db
    .selectFrom('case_referrals')
    .innerJoin('pupils', 'pupils.id', 'case_referrals.pupil_id')
    .select(['case_referrals.pupil_id'])
    .where('pupils.school_id', '=', schoolId)
    .where('case_referrals.status', '=', 'declined')
    .execute();
}

/** The school's Notices to Improve issued by `asOf` and not withdrawn, the earliest first. */
export async function noticesIssuedAtSchool(
  db: DbOrTrx,
  schoolId: string,
  asOf: string,
): Promise<{ pupil_id: string; issued_on: string; monitoring_ends_on: string; status: string }[]> {
  return db
    .selectFrom('notices_to_improve')
    .innerJoin('pupils', 'pupils.id', 'notices_to_improve.pupil_id')
    .select([
      'notices_to_improve.pupil_id',
      'notices_to_improve.issued_on',
      'notices_to_improve.monitoring_ends_on',
      'notices_to_improve.status',
    ])
    .where('pupils.school_id', '=', schoolId)
    .where('notices_to_improve.issued_on', '<=', asOf)
    .where('notices_to_improve.status', '!=', 'withdrawn')
    .orderBy('notices_to_improve.issued_on')
    .execute();
}

/** When each of the school's penalty notices was issued, per pupil. */
export async function penaltyNoticesAtSchool(
  db: DbOrTrx,
  schoolId: string,
): Promise<{ pupil_id: string; issued_on: string }[]> {
  return db
    .selectFrom('penalty_notices')
    .innerJoin('pupils', 'pupils.id', 'penalty_notices.pupil_id')
    .select(['penalty_notices.pupil_id', 'penalty_notices.issued_on'])
    .where('pupils.school_id', '=', schoolId)
    .execute();
}
