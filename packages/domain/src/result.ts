/** Expected outcomes are data: a result is either a value or the problems that stopped it. */

/** One problem with an input, with the path of the field it concerns. */
export interface ValidationIssue {
  /** Where the problem is, e.g. `['terms', 2, 'end']`; empty for the whole input. */
  readonly path: readonly (string | number)[];
  /** What is wrong and what would be right, in words for the person who made the input. */
  readonly message: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; issues: ValidationIssue[] };
