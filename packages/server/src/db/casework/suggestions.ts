/**
 * Queries of the casework suggestions (`case_suggestions`): what the daily evaluation proposes
 * (services/casework/evaluation.ts) and people decide on (services/casework/casework.ts). Writes
 * take the caller's transaction; the service owns it and the audit.
 */
import type { Insertable, Selectable } from 'kysely';
import type { DbOrTrx, Trx } from '../connect.js';
import type { CaseSuggestionsTable } from '../schema.js';

export type SuggestionRow = Selectable<CaseSuggestionsTable>;

export async function findSuggestionRow(db: DbOrTrx, suggestionId: string): Promise<SuggestionRow | undefined> {
  return db.selectFrom('case_suggestions').selectAll().where('id', '=', suggestionId).executeTakeFirst();
}

/** The open suggestions of a school, the newest evaluation first (then as stored). */
export async function openSuggestionsAt(db: DbOrTrx, schoolId: string): Promise<SuggestionRow[]> {
  return db
    .selectFrom('case_suggestions')
    .selectAll()
    .where('school_id', '=', schoolId)
    .where('status', '=', 'open')
    .orderBy('as_of', 'desc')
    .orderBy('created_at')
    .execute();
}

/** Every suggestion made for a pupil, the newest first. */
export async function suggestionRowsOf(db: DbOrTrx, pupilId: string): Promise<SuggestionRow[]> {
  return db
    .selectFrom('case_suggestions')
    .selectAll()
    .where('pupil_id', '=', pupilId)
    .orderBy('as_of', 'desc')
    .orderBy('created_at', 'desc')
    .execute();
}

/**
 * Records a person's decision on a suggestion if it is still open; false when it was decided
 * (or superseded) first.
 */
export async function recordDecision(
  trx: Trx,
  suggestionId: string,
  decided: {
    readonly status: string;
    readonly stageId: string | null;
    readonly reason: string | null;
    readonly by: string;
    readonly byName: string;
    readonly at: string;
  },
): Promise<boolean> {
  const updated = await trx
    .updateTable('case_suggestions')
    .set({
      status: decided.status,
      decided_stage_id: decided.stageId,
      decision_reason: decided.reason,
      decided_by: decided.by,
      decided_by_name: decided.byName,
      decided_at: decided.at,
    })
    .where('id', '=', suggestionId)
    .where('status', '=', 'open')
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1;
}

/** Marks every open suggestion of a pupil superseded, with why. */
export async function supersedeOpenSuggestionsOf(trx: Trx, pupilId: string, reason: string, at: string): Promise<void> {
  await trx
    .updateTable('case_suggestions')
    .set({ status: 'superseded', decision_reason: reason, decided_at: at })
    .where('pupil_id', '=', pupilId)
    .where('status', '=', 'open')
    .execute();
}

/** Marks one suggestion superseded if it is still open. */
export async function supersedeSuggestion(trx: Trx, suggestionId: string, reason: string, at: string): Promise<void> {
  await trx
    .updateTable('case_suggestions')
    .set({ status: 'superseded', decision_reason: reason, decided_at: at })
    .where('id', '=', suggestionId)
    .where('status', '=', 'open')
    .execute();
}

/** Suggestions per INSERT statement: 19 values a row, well inside SQLite's 32,766 bound values. */
const SUGGESTIONS_PER_STATEMENT = 500;

/**
 * Stores an evaluation's new suggestions, several hundred to a statement (one statement a
 * suggestion cost the demo's two evaluations at the academy about 0.15 s in building queries).
 */
export async function insertSuggestions(trx: Trx, rows: readonly Insertable<CaseSuggestionsTable>[]): Promise<void> {
  for (let i = 0; i < rows.length; i += SUGGESTIONS_PER_STATEMENT)
    await trx
      .insertInto('case_suggestions')
      .values(rows.slice(i, i + SUGGESTIONS_PER_STATEMENT))
      .execute();
}

/**
 * The suggestions of a school an evaluation of `asOf` must know about: every open one, every one
 * made for that day, and those dismissed since `dismissedSince`.
 */
export async function suggestionsBearingOn(
  trx: DbOrTrx,
  schoolId: string,
  asOf: string,
  dismissedSince: string,
): Promise<
  Pick<
    SuggestionRow,
    'id' | 'pupil_id' | 'as_of' | 'fingerprint' | 'status' | 'decided_at' | 'kind' | 'from_stage_id'
  >[]
> {
  return trx
    .selectFrom('case_suggestions')
    .select(['id', 'pupil_id', 'as_of', 'fingerprint', 'status', 'decided_at', 'kind', 'from_stage_id'])
    .where('school_id', '=', schoolId)
    .where((eb) =>
      eb.or([
        eb('status', '=', 'open'),
        eb('as_of', '=', asOf),
        eb.and([eb('status', '=', 'dismissed'), eb('as_of', '>=', dismissedSince)]),
      ]),
    )
    .execute();
}

/** The decided (accepted, adjusted or dismissed) action suggestions of a school: whose, when, which actions. */
export async function decidedActionSuggestionsAt(
  db: DbOrTrx,
  schoolId: string,
): Promise<Pick<SuggestionRow, 'pupil_id' | 'as_of' | 'actions'>[]> {
  return db
    .selectFrom('case_suggestions')
    .select(['pupil_id', 'as_of', 'actions'])
    .where('school_id', '=', schoolId)
    .where('kind', '=', 'action')
    .where('status', 'in', ['accepted', 'adjusted', 'dismissed'])
    .execute();
}
