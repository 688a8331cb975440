/**
 * The policy's cap on new first-stage suggestions (`maxNewEntriesPerRun`, docs/policy.md): at
 * the start of a year, or when a school first uses Rollcall, the evaluation may find hundreds of
 * pupils below the first stage's threshold at once. With a cap, one evaluation proposes at most
 * that many new entries into staged casework, the most serious first (the lowest rate the
 * policy reads); the rest are held back and come again at the next evaluation while they hold.
 * Pure.
 */
import type { Suggestion } from '@rollcall/domain';

/** A proposal the evaluation would store, with the year-to-date rate the policy read. */
export interface Proposal {
  readonly pupilId: string;
  readonly suggestion: Suggestion;
  /** The rate the evaluator read (adjusted where the policy says so); null with no possible sessions. */
  readonly rate: number | null;
}

/** A new entry into staged casework: a pupil in no stage proposed the first stage. */
export function isNewEntry(s: Pick<Suggestion, 'kind' | 'fromStageId'>): boolean {
  return s.kind === 'enter' && s.fromStageId === null;
}

/**
 * Splits new proposals into those to store and those held back by the cap: every proposal that
 * is not an entry into staged casework is kept; of the entries, the `max` most serious (the
 * lowest rate first; no rate last; then by pupil id, so the same facts give the same split).
 * `max` null: no cap. The kept proposals stay in their given order.
 *
 * @example
 * capNewEntries(proposals, 25) // { kept: [...all but the entries beyond the 25 lowest rates], heldBack: [...] }
 */
export function capNewEntries<P extends Proposal>(
  proposals: readonly P[],
  max: number | null,
): { kept: P[]; heldBack: P[] } {
  const entries = proposals.filter((p) => isNewEntry(p.suggestion));
  if (max === null || entries.length <= max) return { kept: [...proposals], heldBack: [] };
  const serious = [...entries].sort(
    (a, b) =>
      (a.rate ?? Number.POSITIVE_INFINITY) - (b.rate ?? Number.POSITIVE_INFINITY) ||
      (a.pupilId < b.pupilId ? -1 : a.pupilId > b.pupilId ? 1 : 0),
  );
  const held = new Set(serious.slice(max));
  return { kept: proposals.filter((p) => !held.has(p)), heldBack: serious.slice(max) };
}
