/**
 * Letter templates as data. A body is plain text: paragraphs separated by blank lines, with
 * merge fields written `{{pupil.forename}}` from the fixed list `MERGE_FIELDS`. An unknown field
 * is an error naming it. Policies refer to templates by key from actions `letter:<key>`.
 * The fields and the merge itself are the letter merge's (`letters/merge.ts`): one engine.
 */
import {
  hasUnclosedMergeField,
  isLetterMergeField,
  LETTER_MERGE_FIELDS,
  mergeFieldsUsed,
  replaceMergeFields,
  type LetterMergeField,
  type LetterMergeValues,
} from '../letters/merge.js';

export interface LetterTemplate {
  /** Stable key, e.g. 'stage-1a'; the policy's action is `letter:<key>`. */
  readonly key: string;
  readonly title: string;
  /** Plain text; paragraphs separated by blank lines; merge fields `{{name}}`. */
  readonly body: string;
  /**
   * What the letter is for (see {@link LETTER_PURPOSES}); when absent it is read from the key and
   * title ({@link letterPurposeOf}).
   */
  readonly purpose?: LetterPurpose;
}

/** What a letter is for, in words: the evidence pack finds letters by purpose, not by key. */
export const LETTER_PURPOSES = {
  'meeting-invitation': 'An invitation to a meeting',
  'meeting-missed': 'After a missed meeting',
  concern: 'Attendance is a concern',
  'urgent-follow-up': 'Urgent follow-up of unexplained absence',
  plan: 'Confirms a support plan',
  warning: 'A formal warning',
  notice: 'A notice (Notice to Improve, contract, legal notice)',
  referral: 'Referral to the local authority or another agency',
  praise: 'Praise for good or improved attendance',
  summary: "A summary of the pupil's attendance",
  other: 'Something else',
} as const;

export type LetterPurpose = keyof typeof LETTER_PURPOSES;

export function isLetterPurpose(s: string): s is LetterPurpose {
  return Object.prototype.hasOwnProperty.call(LETTER_PURPOSES, s);
}

/** A template's purpose: the one it declares, else read from its key and title. */
export function letterPurposeOf(t: { key: string; title: string; purpose?: string | null | undefined }): LetterPurpose {
  if (t.purpose && isLetterPurpose(t.purpose)) return t.purpose;
  const words = `${t.key} ${t.title}`.toLowerCase();
  if (/missed|did not attend|sorry not to see/.test(words)) return 'meeting-missed';
  if (/meet|invitation/.test(words)) return 'meeting-invitation';
  if (/warning/.test(words)) return 'warning';
  if (/notice|contract|legal/.test(words)) return 'notice';
  if (/referral|local authority/.test(words)) return 'referral';
  if (/urgent|unexplained/.test(words)) return 'urgent-follow-up';
  if (/plan/.test(words)) return 'plan';
  if (/well done|improv|congratulat|positive|praise/.test(words)) return 'praise';
  if (/summary|report/.test(words)) return 'summary';
  if (/concern|stage|tier|track/.test(words)) return 'concern';
  return 'other';
}

/**
 * Every merge field a letter may use: the keys of {@link LETTER_MERGE_FIELDS}, the one list
 * (`letters/merge.ts`), in its order.
 */
export const MERGE_FIELDS: readonly LetterMergeField[] = Object.keys(LETTER_MERGE_FIELDS) as LetterMergeField[];

export type MergeField = LetterMergeField;

/** Whether a name is a merge field (the same test as the merge: {@link isLetterMergeField}). */
export const isMergeField: (name: string) => name is MergeField = isLetterMergeField;

/** The merge fields a body uses, in order of first use ({@link mergeFieldsUsed}). */
export const mergeFieldsIn: (body: string) => string[] = mergeFieldsUsed;

/** Problems with a template, each naming the field (`key`, `title`, `body`) and the merge field. */
export function checkLetterTemplate(t: LetterTemplate): string[] {
  const problems: string[] = [];
  if (!/^[a-z0-9][a-z0-9-]*$/.test(t.key)) problems.push(`key: "${t.key}" must be lower-case letters, digits and -`);
  if (t.title.trim() === '') problems.push('title: must not be empty');
  if (t.body.trim() === '') problems.push('body: must not be empty');
  for (const name of mergeFieldsIn(t.body)) {
    if (!isMergeField(name)) problems.push(`body: unknown merge field {{${name}}}`);
  }
  if (hasUnclosedMergeField(t.body))
    problems.push('body: a merge field is not closed ({{ without }} or the other way)');
  return problems;
}

/** The paragraphs of a body (split on blank lines, trimmed, empty ones dropped). */
export function paragraphs(body: string): string[] {
  return body
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

export type MergeValues = LetterMergeValues;

/**
 * Fills a template's merge fields. Unknown fields, or known fields without a value, are errors
 * naming the field; nothing is guessed.
 */
export function renderLetter(
  t: LetterTemplate,
  values: MergeValues,
): { ok: true; title: string; paragraphs: string[] } | { ok: false; errors: string[] } {
  const errors: string[] = [];
  for (const name of mergeFieldsIn(t.body)) {
    if (!isMergeField(name)) errors.push(`unknown merge field {{${name}}}`);
    else if (values[name] === undefined) errors.push(`no value for the merge field {{${name}}}`);
  }
  if (errors.length > 0) return { ok: false, errors };
  const filled = replaceMergeFields(t.body, (name) => values[name as MergeField]!);
  return { ok: true, title: t.title, paragraphs: paragraphs(filled) };
}

/** The letter keys a policy's actions name (`letter:<key>`), in order, without repeats. */
export function letterKeysOf(actions: readonly string[]): string[] {
  const keys: string[] = [];
  for (const a of actions) {
    if (a.startsWith('letter:')) {
      const k = a.slice('letter:'.length);
      if (!keys.includes(k)) keys.push(k);
    }
  }
  return keys;
}
