/**
 * Queries of the demo's live casework (services/demo/casework.ts): the school's attendance
 * officer, the open suggestions the demo officer decides on, the open actions it completes, and
 * the school rows it starts from. Everything it changes goes through the casework services.
 */
import type { DbOrTrx } from '../connect.js';

/** The id of the school's first attendance officer by email; throws when there is none. */
export async function firstAttendanceOfficerId(db: DbOrTrx, schoolId: string): Promise<string> {
  const row = await db
    .selectFrom('users')
    .select('id')
    .where('school_id', '=', schoolId)
    .where('role', '=', 'attendance_officer')
    .orderBy('email')
    .executeTakeFirstOrThrow();
  return row.id;
}

/**
 * The school's open "enter" suggestions of one day, in UPN order: of pupils not yet in a stage,
 * or (`escalations`) of pupils already in one.
 */
export async function openEntrySuggestions(
  db: DbOrTrx,
  schoolId: string,
  asOf: string,
  escalations: boolean,
): Promise<{ id: string; pupil_id: string }[]> {
  return db
    .selectFrom('case_suggestions')
    .innerJoin('pupils', 'pupils.id', 'case_suggestions.pupil_id')
    .select(['case_suggestions.id', 'case_suggestions.pupil_id'])
    .where('case_suggestions.school_id', '=', schoolId)
    .where('case_suggestions.status', '=', 'open')
    .where('case_suggestions.kind', '=', 'enter')
    .where('case_suggestions.from_stage_id', escalations ? 'is not' : 'is', null)
    .where('case_suggestions.as_of', '=', asOf)
    .orderBy('pupils.upn')
    .execute();
}

/** How many suggestions are open at the school. */
export async function countOpenSuggestions(db: DbOrTrx, schoolId: string): Promise<number> {
  const row = await db
    .selectFrom('case_suggestions')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('school_id', '=', schoolId)
    .where('status', '=', 'open')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The open actions of some pupils whose policy action starts with `prefix` (e.g. `letter:`). */
export async function openPolicyActionsOf(
  db: DbOrTrx,
  pupilIds: readonly string[],
  prefix: string,
): Promise<{ id: string; pupil_id: string }[]> {
  return db
    .selectFrom('case_actions')
    .select(['id', 'pupil_id'])
    .where('pupil_id', 'in', pupilIds.length > 0 ? pupilIds : [''])
    .where('status', '=', 'open')
    .where('policy_action', 'like', `${prefix}%`)
    .execute();
}

/** The school's phase and its policy document (JSON text). */
export async function schoolPhaseAndPolicy(
  db: DbOrTrx,
  schoolId: string,
): Promise<{ phase: string; policy_json: string }> {
  return db.selectFrom('schools').select(['phase', 'policy_json']).where('id', '=', schoolId).executeTakeFirstOrThrow();
}
