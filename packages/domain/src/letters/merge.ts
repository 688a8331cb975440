/**
 * Letter merge: a template body is plain text with `{{field}}` placeholders from one fixed list
 * ({@link LETTER_MERGE_FIELDS}). Merging is pure: the caller gathers the values (pupil, parent,
 * school, rates, meeting...) and this fills them in. Unknown fields are errors naming the field,
 * found when a template is saved, so a letter never goes out with `{{pupil.nmae}}` in it.
 *
 * This is the one merge engine: the policy's letter templates (`policy/letters.ts`) check and
 * render their bodies with these functions and this field list.
 */
import type { ValidationIssue } from '../result.js';

/** Every merge field a letter may use, with what it holds (shown beside the template editor). */
export const LETTER_MERGE_FIELDS = {
  'pupil.name': "The pupil's full name",
  'pupil.forename': "The pupil's first name",
  'pupil.yearGroup': 'Year group, e.g. Year 4',
  'pupil.regGroup': 'Registration group',
  'parent.name': 'The name of the parent or carer the letter is addressed to',
  'parent.address': "The parent's postal address",
  'school.name': "The school's name",
  'school.address': "The school's address",
  'sender.name': 'The name of the person sending the letter',
  'sender.role': "The sender's role",
  today: "Today's date in words",
  'attendance.rate': 'Attendance this year, e.g. 88.4%',
  'attendance.sessionsMissed': 'Sessions missed this year',
  'attendance.unauthorisedSessions': 'Unauthorised absence sessions this year',
  'attendance.unauthorisedLast10Weeks': 'Unauthorised absence sessions in the last 10 school weeks',
  'attendance.brokenWeeks': 'School weeks with any absence this year',
  'attendance.period': 'The period the figures cover',
  'attendance.band': "The attendance band the pupil's rate is in (from the school's policy)",
  'school.target': "The school's attendance target, e.g. 96%",
  'stage.name': 'The casework stage the pupil is at',
  'meeting.date': 'The meeting date in words',
  'meeting.time': 'The meeting time',
  'meeting.place': 'Where the meeting is',
  'plan.target': "The plan's attendance target",
  'plan.reviewDate': "The plan's review date",
  explanation: 'Why the school is writing: the numbers and the rule behind them',
} as const;

export type LetterMergeField = keyof typeof LETTER_MERGE_FIELDS;
export type LetterMergeValues = Partial<Record<LetterMergeField, string>>;

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

export function isLetterMergeField(name: string): name is LetterMergeField {
  return Object.prototype.hasOwnProperty.call(LETTER_MERGE_FIELDS, name);
}

/** The fields a body uses, in order of first use (known and unknown alike). */
export function mergeFieldsUsed(body: string): string[] {
  const seen: string[] = [];
  for (const m of body.matchAll(PLACEHOLDER)) {
    const name = m[1]!;
    if (!seen.includes(name)) seen.push(name);
  }
  return seen;
}

/** True when a `{{` or `}}` is left over once every `{{field}}` is taken out. */
export function hasUnclosedMergeField(body: string): boolean {
  const stripped = body.replace(PLACEHOLDER, '');
  return stripped.includes('{{') || stripped.includes('}}');
}

/**
 * Replaces every `{{field}}` (spaces inside the braces allowed) with what `fill` returns for its
 * name; `whole` is the placeholder as written.
 *
 * @example replaceMergeFields('Hi {{ a }}', (n) => n.toUpperCase()) // 'Hi A'
 */
export function replaceMergeFields(body: string, fill: (name: string, whole: string) => string): string {
  return body.replace(PLACEHOLDER, (whole, name: string) => fill(name, whole));
}

/**
 * Problems with a template body: unknown fields (each named), unclosed braces, an empty body.
 * `path` is `['body']` for every issue.
 */
export function checkLetterBody(body: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (body.trim() === '') issues.push({ path: ['body'], message: 'The letter is empty.' });
  for (const name of mergeFieldsUsed(body)) {
    if (!isLetterMergeField(name)) {
      issues.push({
        path: ['body'],
        message:
          name === ''
            ? 'There is an empty merge field {{}}.'
            : `{{${name}}} is not a merge field. The fields are: ${Object.keys(LETTER_MERGE_FIELDS).join(', ')}.`,
      });
    }
  }
  if (hasUnclosedMergeField(body)) {
    issues.push({ path: ['body'], message: 'A merge field is not closed: write fields as {{pupil.name}}.' });
  }
  return issues;
}

export interface MergedLetter {
  readonly text: string;
  /** Known fields used but with no value (left as a visible gap `[meeting.date]` to fill in). */
  readonly missing: LetterMergeField[];
  /** Unknown fields (left as written). */
  readonly unknown: string[];
}

/**
 * Fills the placeholders. A known field without a value becomes `[field]` so the person
 * composing sees the gap; an unknown field is left as written and reported.
 */
export function mergeLetter(body: string, values: LetterMergeValues): MergedLetter {
  const missing: LetterMergeField[] = [];
  const unknown: string[] = [];
  const text = replaceMergeFields(body, (name, whole) => {
    if (!isLetterMergeField(name)) {
      if (!unknown.includes(name)) unknown.push(name);
      return whole;
    }
    const v = values[name];
    if (v === undefined || v.trim() === '') {
      if (!missing.includes(name)) missing.push(name);
      return `[${name}]`;
    }
    return v;
  });
  return { text, missing, unknown };
}
