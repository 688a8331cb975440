/**
 * Long on purpose: the template library, composing, sending and storing a letter share
 * one merge context and the letter row's lifecycle; split it along library / compose / send once
 * the letters work under way has landed.
 *
 * Letters to parents: the school's template library (defaults from the policy, edited per school
 * with merge fields checked on save), composing a letter for a pupil from a template (merged with
 * the pupil's figures, editable before it goes), sending it by email through the outbox or
 * printing it, and the letter stored on the pupil's case with who, when and how. Letter PDFs are
 * rendered from the stored text with the stored time as their creation date, so the same letter
 * always gives the same PDF.
 */
import {
  checkLetterBody,
  isLetterPurpose,
  LETTER_MERGE_FIELDS,
  letterPurposeOf,
  mergeLetter,
  type LetterMergeField,
  type LetterMergeValues,
  type LetterPurpose,
  type PlainDate,
  type PupilMeasures,
} from '@rollcall/domain';
import {
  caseworkRows,
  completeOpenActions,
  deleteTemplate,
  groupNameOf,
  insertLetter,
  insertTemplate,
  letterRowById,
  letterRowsOfPupil,
  recipientRows,
  setPreferredLanguage,
  templateIdOf,
  templateRows,
  updateTemplate,
} from '../../../db/casework/letters.js';
import { letterheadRow } from '../../../db/school/school-details.js';
import { hasRightToLeft, unprintableCharacters } from '../../../platform/pdf.js';
import type { DbOrTrx } from '../../../db/connect.js';
import { findPupil } from '../../../db/pupils/pupils.js';
import { getSchool, type School } from '../../school/schools.js';
import { newId } from '../../../platform/ids.js';
import { audit } from '../../audit.js';
import { authorise, can, ROLE_LABELS, type Actor, type Resource } from '../../authz.js';
import type { Deps } from '../../deps.js';
import { AppError, type FieldError } from '../../errors.js';
import { queueMessage, statusInWords } from '../../messages.js';
import { caseworkPolicyOf, policyLetters } from '../../policy/school-policy.js';
import { loadPupilScope } from '../../pupil-scope.js';
import { getPupilRecord } from '../../pupils/pupils.js';
import { ATTENDANCE_SUMMARY_KEY, DEFAULT_LETTER_TEMPLATES, FIRST_DAY_TEXT, type LetterTemplate } from './defaults.js';
import { languageName, normaliseLanguage, refuseRightToLeft, unsupportedLanguage } from './languages.js';
import { schoolDetailsOf, schoolPostalAddress } from '../../school/school-details.js';
import { renderLetterPdf, type LetterContent } from './letter-pdf.js';
import {
  dateIn,
  ENGLISH_FRAME,
  fillFrame,
  frameFor,
  frameJson,
  frameNote,
  MERGED_ROLE_WORDS,
  parseFrame,
  rateIn,
  checkFrame,
  FRAME_FIELDS,
  FRAME_FIELD_INFO,
  type FrameInput,
  salutationFor,
  wordIn,
  type LetterFrame,
} from './frame.js';
import type { PdfSchool } from '../../../platform/pdf.js';

export interface TemplateView extends LetterTemplate {
  /** True when the school has edited (or added) this template. */
  readonly edited: boolean;
  readonly updatedAt: string | null;
  /** What the letter is for (declared, or read from the key and title). */
  readonly purpose: LetterPurpose;
  /** The title with its merge fields said in words ("the pupil’s attendance"), for lists. */
  readonly titleInWords: string;
  /** The language of this version (`en` unless a school's own translation). */
  readonly language: string;
  /** Every language the school has this letter in, English first. */
  readonly languages: readonly string[];
  /** The words printed around the letter, as this version gives them (null: none of its own). */
  readonly frame: LetterFrame | null;
}

export const TEMPLATE_KEY = /^[a-z0-9][a-z0-9-]{0,59}$/;

function schoolResource(school: School): Resource {
  return { kind: 'school', schoolId: school.id, trustId: school.trustId, laCode: school.laCode };
}

/** Words for merge fields in a title shown in a list (the pupil is not known there). */
const TITLE_WORDS: Partial<Record<string, string>> = {
  'pupil.name': 'the pupil',
  'pupil.forename': 'the pupil',
  'parent.name': 'the parent',
  'school.name': 'the school',
  'stage.name': 'the stage',
  'meeting.date': 'the meeting date',
};

/** A title with its merge fields said in words: `{{pupil.forename}}’s attendance` → `The pupil’s attendance`. */
export function titleInWords(title: string): string {
  const out = title.replace(/\{\{\s*([^{}]*?)\s*\}\}/g, (_w, name: string) => {
    const words = TITLE_WORDS[name];
    if (words) return words;
    const meaning = (LETTER_MERGE_FIELDS as Record<string, string>)[name];
    return meaning ? meaning.replace(/^The /, 'the ') : 'the pupil';
  });
  return out.charAt(0).toUpperCase() + out.slice(1);
}

export interface TemplateLibrary {
  /** Every template by key, English versions. */
  readonly english: Map<string, TemplateView>;
  /** Translations: key → language → view. */
  readonly translations: Map<string, Map<string, TemplateView>>;
  /** The keys the school's policy uses or defines, and the school's own: what the school offers. */
  readonly offered: Set<string>;
}

/**
 * The school's templates by key: Rollcall's defaults, then the policy's (its preset's letters and the
 * document's own `letters`), then the school's edits (English) and translations.
 */
export async function libraryOf(deps: Deps, school: School): Promise<TemplateLibrary> {
  const english = new Map<string, TemplateView>();
  const view = (
    t: LetterTemplate,
    edited: boolean,
    updatedAt: string | null,
    language: string,
    frame: LetterFrame | null = null,
  ): TemplateView => ({
    key: t.key,
    title: t.title,
    body: t.body,
    edited,
    updatedAt,
    purpose: letterPurposeOf(t),
    titleInWords: titleInWords(t.title),
    language,
    languages: [],
    frame,
  });
  const fromPolicy = policyLetters(school.policy);
  for (const t of [...DEFAULT_LETTER_TEMPLATES, FIRST_DAY_TEXT, ...fromPolicy])
    english.set(t.key, view(t, false, null, 'en'));
  const offered = new Set<string>([ATTENDANCE_SUMMARY_KEY, FIRST_DAY_TEXT.key, ...fromPolicy.map((t) => t.key)]);
  const policyJson = JSON.stringify(caseworkPolicyOf(school.policy));
  for (const key of policyJson.match(/"letter:[a-z0-9-]+"/g) ?? []) offered.add(key.slice('"letter:'.length, -1));
  // Rollcall's letters for steps the policy takes without naming a letter: a meeting needs an
  // invitation (and a letter when it is missed); formal steps need a warning; every school
  // follows up unexplained absence.
  offered.add('urgent-follow-up');
  if (policyJson.includes('"meeting:')) {
    offered.add('meeting-invitation');
    offered.add('meeting-missed');
  }
  if (/"(notice-to-improve|contract|referral:local-authority|meeting:legal-planning)"/.test(policyJson))
    offered.add('formal-warning');
  const translations = new Map<string, Map<string, TemplateView>>();
  for (const r of await templateRows(deps.db, school.id)) {
    offered.add(r.key);
    const base = english.get(r.key);
    const t: LetterTemplate = {
      key: r.key,
      title: r.title,
      body: r.body,
      ...(r.purpose && isLetterPurpose(r.purpose) ? { purpose: r.purpose } : base ? { purpose: base.purpose } : {}),
    };
    if (r.language === 'en') english.set(r.key, view(t, true, r.updated_at, 'en'));
    else {
      const m = translations.get(r.key) ?? new Map<string, TemplateView>();
      m.set(r.language, view(t, true, r.updated_at, r.language, parseFrame(r.frame_json)));
      translations.set(r.key, m);
    }
  }
  const withLanguages = (t: TemplateView): TemplateView => ({
    ...t,
    languages: ['en', ...[...(translations.get(t.key)?.keys() ?? [])].sort()],
  });
  for (const [k, t] of english) english.set(k, withLanguages(t));
  for (const m of translations.values()) for (const [l, t] of m) m.set(l, withLanguages(t));
  return { english, translations, offered };
}

/** A key of a text message's wording (`text-first-day`): edited like a letter, never sent as one. */
export function isTextWordingKey(key: string): boolean {
  return key.startsWith('text-');
}

/**
 * The school's letter for a key (its English version): one the school offers (its policy's, its
 * own, Rollcall's for the steps it takes) and not a text message's wording; else null. Composing,
 * sending and printing in bulk take only these, as the pages list only these.
 */
export function schoolLetter(lib: TemplateLibrary, key: string): TemplateView | null {
  if (isTextWordingKey(key) || !lib.offered.has(key)) return null;
  return lib.english.get(key) ?? null;
}

/** The keys of the school's letters, sorted (for messages naming them). */
export function schoolLetterKeys(lib: TemplateLibrary): string[] {
  return [...lib.offered].filter((k) => schoolLetter(lib, k) !== null).sort();
}

/** Why a key is not one of the school's letters, in words. */
export function notALetter(lib: TemplateLibrary, key: string, schoolName: string): string {
  if (isTextWordingKey(key) && lib.english.has(key))
    return `"${key}" is the wording of a text message, not a letter; its letters are ${schoolLetterKeys(lib).join(', ')}.`;
  return `There is no letter template "${key}" at ${schoolName}; its letters are ${schoolLetterKeys(lib).join(', ')}.`;
}

/** The template for a key in a language: that version when the school has it, else English. */
export async function templateFor(
  deps: Deps,
  school: School,
  key: string,
  language: string,
): Promise<TemplateView | null> {
  const lib = await libraryOf(deps, school);
  return pickVersion(lib, key, language);
}

export function pickVersion(lib: TemplateLibrary, key: string, language: string): TemplateView | null {
  if (language !== 'en') {
    const t = lib.translations.get(key)?.get(language);
    if (t) return t;
  }
  return lib.english.get(key) ?? null;
}

/** The school's letter templates (for those who may see or send letters). */
export async function listTemplates(deps: Deps, actor: Actor, schoolId: string): Promise<TemplateView[]> {
  const school = await getSchool(deps.db, schoolId);
  authorise(actor, 'letter.view', schoolResource(school));
  const lib = await libraryOf(deps, school);
  return [...lib.english.values()].filter((t) => lib.offered.has(t.key));
}

/** One template in one language (the edit page); null when the school has no such version. */
export async function getTemplate(
  deps: Deps,
  actor: Actor,
  schoolId: string,
  key: string,
  language = 'en',
): Promise<TemplateView | null> {
  const school = await getSchool(deps.db, schoolId);
  authorise(actor, 'letter.view', schoolResource(school));
  const lib = await libraryOf(deps, school);
  return language === 'en' ? (lib.english.get(key) ?? null) : (lib.translations.get(key)?.get(language) ?? null);
}

export interface SaveTemplateInput {
  readonly key: string;
  readonly title: string;
  readonly body: string;
  /** `en` (default) or the language of a translation. */
  readonly language?: string;
  /** What the letter is for; empty keeps the default's (or reads it from the key and title). */
  readonly purpose?: string;
  /** For a version in another language: the words printed around it (all empty: none of its own). */
  readonly frame?: FrameInput;
}

/** The English words a letter's frame may translate: the policy's band names and the senders' roles. */
export function frameWordsOf(school: School): string[] {
  const bands = caseworkPolicyOf(school.policy).bands.map((b) => b.name);
  return [...new Set([...bands, ...MERGED_ROLE_WORDS])];
}

/** Saves a school's version of a template (new key or edit), checking its merge fields. Audited. */
export async function saveTemplate(
  deps: Deps,
  actor: Actor,
  schoolId: string,
  input: SaveTemplateInput,
): Promise<void> {
  const school = await getSchool(deps.db, schoolId);
  authorise(actor, 'letter.editTemplates', schoolResource(school));
  const key = input.key.trim();
  const title = input.title.trim();
  const body = input.body.replace(/\r\n?/g, '\n');
  const fields: FieldError[] = [];
  const language = normaliseLanguage(input.language) ?? 'en';
  if (normaliseLanguage(input.language) === undefined)
    fields.push({
      field: 'language',
      message: `"${input.language ?? ''}" is not a language Rollcall knows; use a code such as pl or ro.`,
    });
  else if (language !== 'en') refuseRightToLeft(language, 'language');
  const purpose = (input.purpose ?? '').trim();
  if (purpose !== '' && !isLetterPurpose(purpose))
    fields.push({ field: 'purpose', message: `"${purpose}" is not a letter purpose.` });
  for (const text of [title, body]) {
    const missing = unprintableCharacters(text);
    if (hasRightToLeft(text))
      fields.push({
        field: text === title ? 'title' : 'body',
        message: 'Right-to-left text (Arabic, Urdu, Hebrew script) cannot be printed in letters yet.',
      });
    else if (missing.length > 0)
      fields.push({
        field: text === title ? 'title' : 'body',
        message: `The letter font cannot print ${missing.slice(0, 5).join(' ')}; take them out.`,
      });
  }
  for (const issue of checkLetterBody(title))
    if (/not a merge field|closed/.test(issue.message)) fields.push({ field: 'title', message: issue.message });
  if (!TEMPLATE_KEY.test(key))
    fields.push({ field: 'key', message: 'The key must be lower-case letters, digits and hyphens, like stage-1a.' });
  if (!title) fields.push({ field: 'title', message: 'Enter a title.' });
  else if (title.length > 200) fields.push({ field: 'title', message: 'The title can be at most 200 characters.' });
  if (body.length > 20_000) fields.push({ field: 'body', message: 'The letter can be at most 20,000 characters.' });
  for (const issue of checkLetterBody(body)) fields.push({ field: 'body', message: issue.message });
  let frame: LetterFrame | null = null;
  if (language !== 'en' && input.frame) {
    const checked = checkFrame(input.frame, frameWordsOf(school));
    fields.push(...checked.errors);
    frame = checked.frame;
    if (frame)
      for (const f of FRAME_FIELDS) fields.push(...printProblems(`frame.${f}`, FRAME_FIELD_INFO[f].label, frame[f]));
  }
  if (fields.length > 0) throw new AppError('VALIDATION', 'The template cannot be saved as it is.', { fields });
  const frameText = frame ? frameJson(frame) : null;
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    const existing = await templateIdOf(trx, school.id, key, language);
    if (existing) {
      await updateTemplate(trx, existing, {
        title,
        body,
        purpose: purpose || null,
        frame_json: frameText,
        updated_by: actor.userId,
        updated_at: now,
      });
    } else {
      await insertTemplate(trx, {
        id: newId(),
        school_id: school.id,
        key,
        title,
        body,
        language,
        purpose: purpose || null,
        frame_json: frameText,
        updated_by: actor.userId,
        updated_at: now,
        created_at: now,
      });
    }
    await audit(trx, actor, now, {
      action: 'letterTemplate.save',
      entityType: 'letter_template',
      entityId: key,
      schoolId: school.id,
      details: { key, language, created: !existing, ...(language === 'en' ? {} : { frame: frame !== null }) },
    });
  });
}

/** Goes back to the default (policy) wording: removes the school's edit. Audited. */
export async function resetTemplate(
  deps: Deps,
  actor: Actor,
  schoolId: string,
  key: string,
  language = 'en',
): Promise<void> {
  const school = await getSchool(deps.db, schoolId);
  authorise(actor, 'letter.editTemplates', schoolResource(school));
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    await deleteTemplate(trx, school.id, key, language);
    await audit(trx, actor, now, {
      action: 'letterTemplate.reset',
      entityType: 'letter_template',
      entityId: key,
      schoolId: school.id,
      details: { key, language },
    });
  });
}

export interface Recipient {
  readonly contactId: string;
  readonly name: string;
  readonly relationship: string;
  readonly address: string | null;
  readonly email: string | null;
  /** The contact's preferred language (`en` when none is recorded). */
  readonly language: string;
}

/** One line per part, postcode last; null when there is no address. */
export function postalAddress(address: string | null, postcode: string | null): string | null {
  const lines = [...(address ?? '').split(/\n|,/), postcode ?? ''].map((l) => l.trim()).filter((l) => l !== '');
  return lines.length > 0 ? lines.join('\n') : null;
}

async function recipientsOf(deps: Deps, pupilId: string): Promise<Recipient[]> {
  return (await recipientRows(deps.db, [pupilId])).map(toRecipient);
}

export function toRecipient(r: Awaited<ReturnType<typeof recipientRows>>[number]): Recipient {
  return {
    contactId: r.id,
    name: r.name,
    relationship: r.relationship,
    address: postalAddress(r.address, r.postcode),
    email: r.email,
    language: r.preferred_language ?? 'en',
  };
}

export const formatRate = (rate: number | null): string =>
  rate === null ? 'not yet measured' : `${(rate * 100).toFixed(1)}%`;

/** The merge values for a pupil (everything but the recipient and the meeting). */
export async function pupilMergeValues(
  deps: Deps,
  actor: Actor,
  pupilId: string,
  opts: { date?: PlainDate } = {},
): Promise<{
  values: LetterMergeValues;
  /** The same values in another language, with the words for it. */
  valuesIn: (language: string, frame: LetterFrame) => LetterMergeValues;
  school: School;
  resource: Resource;
  pupilName: string;
}> {
  const record = await getPupilRecord(deps, actor, pupilId);
  const { pupil, school, measures } = record;
  const details = await schoolDetailsOf(deps.db, school.id);
  const regGroup = pupil.regGroupId ? await groupNameOf(deps.db, pupil.regGroupId) : undefined;
  const casework = (await caseworkFor(deps.db, [pupilId])).get(pupilId);
  const args: Parameters<typeof mergeValuesFor>[0] = {
    pupil: { forename: pupil.forename, surname: pupil.surname, yearGroup: pupil.yearGroup, regGroup },
    school,
    schoolAddress: schoolPostalAddress(details),
    sender: { name: actor.name, role: ROLE_LABELS[actor.role] },
    date: opts.date ?? deps.clock.today(school.timeZone),
    measures,
    periodStart: record.periodStart,
    asOf: record.asOf,
    casework,
  };
  const values = mergeValuesFor(args);
  const valuesIn = (language: string, frame: LetterFrame) => mergeValuesFor({ ...args, language, frame });
  const resource: Resource = {
    kind: 'pupil',
    pupilId,
    groupIds: [],
    schoolId: school.id,
    trustId: school.trustId,
    laCode: school.laCode,
  };
  return { values, valuesIn, school, resource, pupilName: `${pupil.forename} ${pupil.surname}` };
}

/** A pupil's current stage, active plan and latest meeting, for the merge. */
export interface CaseworkForLetters {
  readonly stage?: string;
  readonly plan?: { targets: string; review_dates: string };
  readonly meeting?: { scheduled_for: string; time: string | null; place: string | null };
}

/** The current stage, active plan and latest meeting of each pupil (three queries for all). */
export async function caseworkFor(db: DbOrTrx, pupilIds: readonly string[]): Promise<Map<string, CaseworkForLetters>> {
  const out = new Map<
    string,
    { stage?: string; plan?: CaseworkForLetters['plan']; meeting?: CaseworkForLetters['meeting'] }
  >();
  const get = (id: string) => {
    let v = out.get(id);
    if (!v) out.set(id, (v = {}));
    return v;
  };
  for (let i = 0; i < pupilIds.length; i += 500) {
    const ids = pupilIds.slice(i, i + 500);
    const { stages, plans, meetings } = await caseworkRows(db, ids);
    for (const r of stages) get(r.pupil_id).stage ??= r.stage_name;
    for (const r of plans) get(r.pupil_id).plan ??= { targets: r.targets, review_dates: r.review_dates };
    for (const r of meetings)
      get(r.pupil_id).meeting ??= { scheduled_for: r.scheduled_for, time: r.time, place: r.place };
  }
  return out;
}

/** The merge values from a pupil's measures and case record (no recipient). */
export function mergeValuesFor(a: {
  pupil: { forename: string; surname: string; yearGroup: string | null; regGroup?: string | null | undefined };
  school: School;
  schoolAddress: string | null;
  sender: { name: string; role: string };
  date: PlainDate;
  measures: PupilMeasures;
  periodStart: PlainDate;
  asOf: PlainDate;
  casework?: CaseworkForLetters | undefined;
  /** The letter's language (default English) and the words for it (default English's). */
  language?: string;
  frame?: LetterFrame;
}): LetterMergeValues {
  const m = a.measures;
  const lang = a.language ?? 'en';
  const frame = a.frame ?? ENGLISH_FRAME;
  const day = (d: PlainDate, opts: { weekday?: boolean } = {}) => dateIn(lang, d, opts);
  const percent = (r: number) =>
    lang === 'en'
      ? `${Math.round(r * 1000) / 10}%`
      : `${new Intl.NumberFormat(lang, { maximumFractionDigits: 1 }).format(Math.round(r * 1000) / 10)}%`;
  const { pupil, school } = a;
  const policy = caseworkPolicyOf(school.policy);
  const band =
    m.attendanceRate === null
      ? undefined
      : [...policy.bands].sort((x, y) => y.minRate - x.minRate).find((b) => m.attendanceRate! >= b.minRate);
  const target =
    policy.target ?? (policy.bands.length > 0 ? Math.max(...policy.bands.map((b) => b.minRate)) : undefined);
  const stage = a.casework?.stage;
  const plan = a.casework?.plan;
  const meeting = a.casework?.meeting;
  return {
    'pupil.name': `${pupil.forename} ${pupil.surname}`,
    'pupil.forename': pupil.forename,
    'pupil.yearGroup': pupil.yearGroup ? fillFrame(frame.year, { n: pupil.yearGroup }) : '',
    'pupil.regGroup': pupil.regGroup ?? '',
    'school.name': school.name,
    'school.address': a.schoolAddress ?? '',
    'sender.name': a.sender.name,
    'sender.role': wordIn(frame, a.sender.role),
    today: day(a.date),
    'attendance.rate': m.attendanceRate === null ? frame.notYetMeasured : rateIn(lang, m.attendanceRate),
    'attendance.sessionsMissed': String(m.authorisedAbsenceSessions + m.unauthorisedAbsenceSessions),
    'attendance.unauthorisedSessions': String(m.unauthorisedAbsenceSessions),
    'attendance.unauthorisedLast10Weeks': String(m.penaltyNotice.currentWindowSessions),
    'attendance.brokenWeeks': String(m.brokenWeeks),
    'attendance.period': fillFrame(frame.period, { from: day(a.periodStart), to: day(a.asOf) }),
    'stage.name': stage ?? '',
    // The policy's target, else the rate of its top band (every policy names its bands).
    ...(target !== undefined ? { 'school.target': percent(target) } : {}),
    'attendance.band': band ? wordIn(frame, band.name) : frame.notYetMeasured,
    explanation: fillFrame(frame.explanation, {
      from: day(a.periodStart),
      pupil: pupil.forename,
      missed: m.authorisedAbsenceSessions + m.unauthorisedAbsenceSessions,
      possible: m.possibleSessions,
      unauthorised: m.unauthorisedAbsenceSessions,
      weeks: m.brokenWeeks,
      schoolWeeks: m.schoolWeeksOnRoll,
    }),
    ...(meeting
      ? {
          'meeting.date': day(meeting.scheduled_for as PlainDate, { weekday: true }),
          'meeting.time': meeting.time ?? '',
          'meeting.place': meeting.place ?? '',
        }
      : {}),
    ...(plan ? planValues(plan.targets, plan.review_dates, lang) : {}),
  };
}

function planValues(targetsJson: string, reviewDatesJson: string, lang: string): LetterMergeValues {
  const out: Partial<Record<LetterMergeField, string>> = {};
  try {
    const targets = JSON.parse(targetsJson) as { text?: unknown }[];
    const texts = targets.map((t) => (typeof t.text === 'string' ? t.text : '')).filter((t) => t !== '');
    if (texts.length > 0) out['plan.target'] = texts.join('; ');
    const reviews = (JSON.parse(reviewDatesJson) as unknown[]).filter((d): d is string => typeof d === 'string').sort();
    if (reviews[0]) out['plan.reviewDate'] = dateIn(lang, reviews[0] as PlainDate);
  } catch {
    // a malformed plan leaves the fields as gaps to fill in
  }
  return out;
}

export interface ComposedLetter {
  readonly pupilId: string;
  readonly pupilName: string;
  /** The template used (in the language chosen for the recipient). */
  readonly template: TemplateView;
  readonly recipients: readonly Recipient[];
  /** The recipient the letter is composed for (the first, unless one was chosen). */
  readonly contactId: string | null;
  /** The title merged for the pupil. */
  readonly title: string;
  /**
   * The body merged for the pupil, without salutation or sign-off (the PDF prints them). Any
   * `{{parent.name}}` or `{{parent.address}}` stays as written and is filled in for the recipient
   * when the letter is sent, so whichever recipient is chosen is the one in every part.
   */
  readonly text: string;
  /** Per recipient, the same text (kept for callers that compose for several). */
  readonly texts: Readonly<Record<string, string>>;
  readonly missing: readonly LetterMergeField[];
  /** The language of the letter and, in words, why ("in Polish, Anna's language" or "in English: …"). */
  readonly language: string;
  readonly languageNote: string;
  /** Whether the words around the letter (greeting, date, sign-off, page numbers) are in its language; empty for English. */
  readonly frameNote: string;
  /** True when the letter is in another language but those words stay English. */
  readonly frameInEnglish: boolean;
  /** The greeting the letter will print for the chosen recipient ("Dear Mrs Kowalska"). */
  readonly salutation: string | null;
  /**
   * Per recipient, what choosing them on this page gives: the greeting their letter prints, or,
   * when their letter goes in another language than this one, that language (it is refused
   * from this page: their letter is composed in it from their own link).
   */
  readonly recipientNotes: Readonly<Record<string, { greeting: string } | { otherLanguage: string }>>;
}

/**
 * The language a recipient's letter goes in: theirs when the school has the template in it (and
 * it can be printed), else English.
 */
export function letterLanguageFor(lib: TemplateLibrary, key: string, recipient: Recipient | null): string {
  const wanted = recipient?.language ?? 'en';
  const printable = wanted === 'en' || unsupportedLanguage(wanted) === null;
  return pickVersion(lib, key, printable ? wanted : 'en')?.language ?? 'en';
}

const RECIPIENT_FIELDS: LetterMergeValues = {
  'parent.name': '{{parent.name}}',
  'parent.address': '{{parent.address}}',
};

/**
 * A template's body without what the letter layout prints itself: address lines and a date before
 * a "Dear …" line, the "Dear …" line, and the sign-off ("Yours sincerely" and what follows).
 */
export function letterBodyOnly(body: string): string {
  const paras = body.replace(/\r\n?/g, '\n').split(/\n\s*\n/);
  const dear = paras.slice(0, 5).findIndex((p) => /^\s*Dear\b/i.test(p.trim().split('\n').pop() ?? ''));
  let rest = dear >= 0 ? paras.slice(dear + 1) : paras;
  const close = rest.findIndex((p) =>
    /^\s*(Yours (sincerely|faithfully)|Kind regards|With (kind|best) regards|Best wishes|With best wishes|Regards)\b/i.test(
      p,
    ),
  );
  if (close >= 0) rest = rest.slice(0, close);
  return rest
    .map((p) => p.replace(/^\n+|\s+$/g, ''))
    .filter((p) => p.trim() !== '')
    .join('\n\n');
}

/** A title with its fields filled in (no gaps shown: a missing value leaves the words of the field). */
export function mergeTitle(title: string, values: LetterMergeValues): string {
  return title.replace(/\{\{\s*([^{}]*?)\s*\}\}/g, (_w, name: string) => {
    const v = (values as Record<string, string | undefined>)[name];
    return v && v.trim() !== '' ? v : (TITLE_WORDS[name] ?? 'the pupil');
  });
}

/** A letter from a template, merged for a pupil, for one of the parents with parental responsibility. */
export async function composeLetter(
  deps: Deps,
  actor: Actor,
  pupilId: string,
  templateKey: string,
  extra: { explanation?: string; contactId?: string; date?: PlainDate } = {},
): Promise<ComposedLetter> {
  const {
    values: englishValues,
    valuesIn,
    school,
    resource,
    pupilName,
  } = await pupilMergeValues(deps, actor, pupilId, {
    ...(extra.date ? { date: extra.date } : {}),
  });
  authorise(actor, 'letter.send', resource);
  const lib = await libraryOf(deps, school);
  if (!schoolLetter(lib, templateKey)) throw new AppError('NOT_FOUND', notALetter(lib, templateKey, school.name));
  const recipients = await recipientsOf(deps, pupilId);
  const chosen = recipients.find((r) => r.contactId === extra.contactId) ?? recipients[0] ?? null;
  const wanted = chosen?.language ?? 'en';
  const printable = wanted === 'en' || unsupportedLanguage(wanted) === null;
  const template = pickVersion(lib, templateKey, printable ? wanted : 'en')!;
  const languageNote = languageNoteFor(chosen, template.language, printable);
  const { frame, source } = frameFor(template.language, template.frame);
  const values = template.language === 'en' ? englishValues : valuesIn(template.language, frame);
  const base: LetterMergeValues = {
    ...values,
    ...(extra.explanation ? { explanation: extra.explanation } : {}),
    ...RECIPIENT_FIELDS,
  };
  const merged = mergeLetter(letterBodyOnly(template.body), base);
  const texts: Record<string, string> = {};
  for (const r of recipients) texts[r.contactId] = merged.text;
  const recipientNotes: Record<string, { greeting: string } | { otherLanguage: string }> = {};
  for (const r of recipients) {
    const theirs = letterLanguageFor(lib, templateKey, r);
    recipientNotes[r.contactId] =
      theirs === template.language ? { greeting: salutationFor(frame, r.name) } : { otherLanguage: theirs };
  }
  return {
    pupilId,
    pupilName,
    template,
    recipients,
    contactId: chosen?.contactId ?? null,
    title: mergeTitle(template.title, values),
    text: merged.text,
    texts,
    missing: merged.missing,
    language: template.language,
    languageNote,
    frameNote: frameNote(template.language, source),
    frameInEnglish: source === 'missing',
    salutation: chosen ? salutationFor(frame, chosen.name) : null,
    recipientNotes,
  };
}

function languageNoteFor(r: Recipient | null, used: string, printable: boolean): string {
  if (!r || r.language === 'en') return 'In English.';
  const theirs = languageName(r.language);
  if (used === r.language) return `In ${theirs}, ${r.name}'s preferred language.`;
  if (!printable) return `In English: ${unsupportedLanguage(r.language)!}`;
  return `In English: ${r.name}'s preferred language is ${theirs}, and the school has no ${theirs} version of this letter.`;
}

export type SendMethod = 'email' | 'print';

export interface SendLetterInput {
  readonly pupilId: string;
  readonly templateKey: string;
  readonly title: string;
  readonly body: string;
  readonly contactId: string;
  readonly method: SendMethod;
  /** The language of the text (`en` unless composed from a translation). */
  readonly language?: string;
}

/** "Yours sincerely" after "Dear <name>" (British usage), and the reference printed on the letter. */
export function letterReference(pupil: { forename: string; surname: string }, templateKey: string, id: string): string {
  return `${pupil.forename} ${pupil.surname} / ${templateKey.toUpperCase()}-${id.slice(-6).toUpperCase()}`;
}

/** Problems with text that the PDF could not print: right-to-left script, or characters the font lacks. */
export function printProblems(field: string, label: string, text: string): FieldError[] {
  if (hasRightToLeft(text))
    return [
      {
        field,
        message: `${label} has right-to-left text (Arabic, Urdu or Hebrew script), which letters cannot print yet; write it in English, or arrange a translation.`,
      },
    ];
  const missing = unprintableCharacters(text);
  return missing.length > 0
    ? [{ field, message: `${label} has characters the letter font cannot print: ${missing.slice(0, 5).join(' ')}.` }]
    : [];
}

/**
 * Stores the letter on the pupil's case and, for email, queues it in the outbox (the letter as
 * the email's text, the PDF attached when it goes). The recipient chosen is the one in the
 * window, the salutation, the merged text and the stored record. One transaction; audited.
 */
export async function sendLetter(
  deps: Deps,
  actor: Actor,
  input: SendLetterInput,
): Promise<{ id: string; messageId: string | null }> {
  const pupil = await findPupil(deps.db, input.pupilId);
  if (!pupil) throw new AppError('PUPIL_NOT_FOUND', 'No such pupil.');
  const school = await getSchool(deps.db, pupil.schoolId);
  authorise(actor, 'letter.send', {
    kind: 'pupil',
    pupilId: pupil.id,
    groupIds: [],
    schoolId: school.id,
    trustId: school.trustId,
    laCode: school.laCode,
  });
  const lib = await libraryOf(deps, school);
  const template = schoolLetter(lib, input.templateKey);
  if (!template) throw new AppError('NOT_FOUND', notALetter(lib, input.templateKey, school.name));
  const fields: FieldError[] = [];
  const title = input.title.trim();
  const written = letterBodyOnly(input.body.replace(/\r\n?/g, '\n').trim());
  if (!title) fields.push({ field: 'title', message: 'Enter a title.' });
  if (!written) fields.push({ field: 'body', message: 'The letter is empty.' });
  if (written.length > 20_000) fields.push({ field: 'body', message: 'The letter can be at most 20,000 characters.' });
  const gaps = [...written.matchAll(/\[([a-zA-Z.]+)\]/g)].map((m) => m[1]!).filter((f) => f in LETTER_MERGE_FIELDS);
  if (gaps.length > 0) {
    fields.push({
      field: 'body',
      message: `Fill in ${[...new Set(gaps)].map((g) => `[${g}]`).join(', ')} before sending.`,
    });
  }
  if (input.method !== 'email' && input.method !== 'print')
    fields.push({ field: 'method', message: 'Choose email or print.' });
  const language = normaliseLanguage(input.language) ?? 'en';
  if (language !== 'en' && unsupportedLanguage(language))
    fields.push({ field: 'body', message: unsupportedLanguage(language)! });
  const contact = (await recipientsOf(deps, pupil.id)).find((r) => r.contactId === input.contactId);
  if (!contact)
    fields.push({ field: 'contactId', message: 'Choose who the letter is to (someone with parental responsibility).' });
  else {
    if (input.method === 'email' && !contact.email)
      fields.push({ field: 'contactId', message: `${contact.name} has no email address: print the letter instead.` });
    // The text was composed for one recipient's language; another whose letter goes in another
    // language (the radio changed on the compose page) would get it in the wrong one.
    const theirs = letterLanguageFor(lib, input.templateKey, contact);
    if (theirs !== language)
      fields.push({
        field: 'language',
        message: `${contact.name}'s letter goes in ${languageName(theirs)}${theirs === contact.language && theirs !== 'en' ? `, ${contact.name}'s preferred language` : ''}, and this one is written in ${languageName(language)}: write ${contact.name}'s letter in ${languageName(theirs)}.`,
      });
    fields.push(
      ...printProblems('contactId', `${contact.name}'s name or address`, `${contact.name}\n${contact.address ?? ''}`),
    );
  }
  fields.push(...printProblems('title', 'The title', title), ...printProblems('body', 'The letter', written));
  if (fields.length > 0 || !contact)
    throw new AppError('VALIDATION', 'The letter cannot be sent as it is.', { fields });
  const body = mergeLetter(written, { 'parent.name': contact.name, 'parent.address': contact.address ?? '' }).text;
  const details = await schoolDetailsOf(deps.db, school.id);
  const version = language === 'en' ? null : (lib.translations.get(input.templateKey)?.get(language) ?? null);
  const { frame } = frameFor(language, version?.frame ?? null);
  const now = deps.clock.now();
  const id = newId();
  const letter: StoredLetterFields = {
    date: deps.clock.today(school.timeZone),
    salutation: salutationFor(frame, contact.name),
    senderName: actor.name,
    senderRole: wordIn(frame, ROLE_LABELS[actor.role]),
    reference: letterReference(pupil, input.templateKey, id),
    language,
    purpose: template.purpose,
    frameJson: language === 'en' ? null : frameJson(frame),
  };
  return deps.db.transaction().execute(async (trx) => {
    const messageId = await storeLetter(trx, deps, actor, {
      id,
      school,
      schoolAddress: schoolPostalAddress(details),
      schoolPhone: details.phone,
      schoolEmail: details.email,
      pupil,
      templateKey: input.templateKey,
      title,
      body,
      contact,
      method: input.method,
      fields: letter,
      now,
    });
    // The letter a casework suggestion proposed (`letter:<key>`) is done.
    const completed = await completeOpenActions(trx, pupil.id, `letter:${input.templateKey}`, {
      outcome: `${title} ${input.method === 'email' ? 'emailed' : 'printed'} for ${contact.name}`,
      completed_on: deps.clock.today(school.timeZone),
      updated_at: now,
    });
    await audit(trx, actor, now, {
      action: 'letter.send',
      entityType: 'letter',
      entityId: id,
      pupilId: pupil.id,
      schoolId: school.id,
      details: {
        templateKey: input.templateKey,
        method: input.method,
        messageId,
        language,
        caseActionsDone: completed,
      },
    });
    return { id, messageId };
  });
}

export interface StoredLetterFields {
  readonly date: PlainDate;
  readonly salutation: string;
  readonly senderName: string;
  readonly senderRole: string;
  readonly reference: string;
  readonly language: string;
  readonly purpose: LetterPurpose;
  /** The words printed around the letter in its language (null: English). */
  readonly frameJson: string | null;
}

/** Inserts one letter (and its outbox email, for `email`); returns the message id. Not audited here. */
export async function storeLetter(
  trx: DbOrTrx,
  deps: Pick<Deps, 'clock'>,
  actor: Actor,
  l: {
    id: string;
    school: School;
    schoolAddress: string | null;
    schoolPhone: string | null;
    schoolEmail: string | null;
    pupil: { id: string; forename: string; surname: string };
    templateKey: string;
    title: string;
    body: string;
    contact: Recipient;
    method: SendMethod;
    fields: StoredLetterFields;
    now: string;
  },
): Promise<string | null> {
  void deps;
  let messageId: string | null = null;
  if (l.method === 'email') {
    messageId = await queueMessage(trx, {
      schoolId: l.school.id,
      pupilId: l.pupil.id,
      channel: 'email',
      to: l.contact.email!,
      subject: `${l.title}: ${l.pupil.forename} ${l.pupil.surname}`,
      body: `${l.fields.salutation},\n\n${l.body}\n\n${(parseFrame(l.fields.frameJson) ?? ENGLISH_FRAME).signOff}\n\n${l.fields.senderName}\n${l.fields.senderRole}\n${l.school.name}`,
      kind: `letter:${l.templateKey}`,
      createdBy: actor.userId,
      now: l.now,
    });
  }
  await insertLetter(trx, {
    id: l.id,
    school_id: l.school.id,
    pupil_id: l.pupil.id,
    template_key: l.templateKey,
    title: l.title,
    body: l.body,
    contact_id: l.contact.contactId,
    recipient_name: l.contact.name,
    recipient_address: l.contact.address,
    method: l.method,
    email_to: l.method === 'email' ? l.contact.email : null,
    message_id: messageId,
    created_by: actor.userId,
    created_by_name: l.fields.senderName,
    created_at: l.now,
    school_address: l.schoolAddress,
    school_phone: l.schoolPhone,
    school_email: l.schoolEmail,
    letter_date: l.fields.date,
    salutation: l.fields.salutation,
    sender_name: l.fields.senderName,
    sender_role: l.fields.senderRole,
    reference: l.fields.reference,
    language: l.fields.language,
    purpose: l.fields.purpose,
    frame_json: l.fields.frameJson,
  });
  return messageId;
}

export interface LetterView {
  readonly id: string;
  readonly pupilId: string;
  readonly templateKey: string;
  readonly title: string;
  readonly body: string;
  readonly recipientName: string;
  readonly recipientAddress: string | null;
  readonly method: SendMethod;
  readonly emailTo: string | null;
  readonly messageId: string | null;
  readonly messageStatus: string | null;
  /** What became of the email, in the outbox page's words ("Queued: no email server is configured"); null for a printed letter. */
  readonly messageStatusInWords: string | null;
  readonly createdByName: string;
  readonly createdAt: string;
  /** The school's postal address when the letter was sent (printed in its PDF's header). */
  readonly schoolAddress: string | null;
  readonly schoolPhone: string | null;
  readonly schoolEmail: string | null;
  /** The letter's date; null on letters stored before letters were laid out for posting. */
  readonly letterDate: string | null;
  readonly salutation: string | null;
  readonly senderName: string | null;
  readonly senderRole: string | null;
  readonly reference: string | null;
  readonly language: string;
  /** What the letter is for (stored, or read from the key and title for older letters). */
  readonly purpose: LetterPurpose;
  /** The words printed around it in its language (null: English). */
  readonly frame: LetterFrame | null;
}

type LetterRow = {
  id: string;
  pupil_id: string;
  template_key: string;
  title: string;
  body: string;
  recipient_name: string;
  recipient_address: string | null;
  method: string;
  email_to: string | null;
  message_id: string | null;
  created_by_name: string;
  created_at: string;
  school_address: string | null;
  school_phone: string | null;
  school_email: string | null;
  letter_date: string | null;
  salutation: string | null;
  sender_name: string | null;
  sender_role: string | null;
  reference: string | null;
  language: string | null;
  purpose: string | null;
  frame_json: string | null;
  message_status: string | null;
  message_channel: string | null;
  message_attempts: number | null;
  message_last_error: string | null;
  message_provider_status: string | null;
  message_provider_id: string | null;
};

function toView(r: LetterRow, emailConfigured = true): LetterView {
  return {
    id: r.id,
    pupilId: r.pupil_id,
    templateKey: r.template_key,
    title: r.title,
    body: r.body,
    recipientName: r.recipient_name,
    recipientAddress: r.recipient_address,
    method: r.method === 'email' ? 'email' : 'print',
    emailTo: r.email_to,
    messageId: r.message_id,
    messageStatus: r.message_status,
    messageStatusInWords:
      r.message_status === null
        ? null
        : statusInWords(
            {
              status: r.message_status,
              channel: r.message_channel ?? 'email',
              attempts: r.message_attempts ?? 0,
              last_error: r.message_last_error,
              provider_status: r.message_provider_status,
              provider_id: r.message_provider_id,
            },
            emailConfigured,
          ),
    createdByName: r.created_by_name,
    createdAt: r.created_at,
    schoolAddress: r.school_address,
    schoolPhone: r.school_phone,
    schoolEmail: r.school_email,
    letterDate: r.letter_date,
    salutation: r.salutation,
    senderName: r.sender_name,
    senderRole: r.sender_role,
    reference: r.reference,
    language: r.language ?? 'en',
    purpose: letterPurposeOf({ key: r.template_key, title: r.title, purpose: r.purpose }),
    frame: parseFrame(r.frame_json),
  };
}

/** A pupil's letters, newest first. Not authorised here: callers check `letter.view`. */
export async function lettersOf(
  deps: Pick<Deps, 'db'> & Partial<Pick<Deps, 'config'>>,
  pupilId: string,
): Promise<LetterView[]> {
  const rows = await letterRowsOfPupil(deps.db, pupilId);
  const emailConfigured = deps.config ? deps.config.mail.smtpUrl !== null : true;
  return rows.map((r) => toView(r, emailConfigured));
}

/** A pupil's letters for those who may see them. */
export async function lettersForPupil(deps: Deps, actor: Actor, pupilId: string): Promise<LetterView[]> {
  const pupil = await findPupil(deps.db, pupilId);
  if (!pupil) throw new AppError('PUPIL_NOT_FOUND', 'No such pupil.');
  const school = await getSchool(deps.db, pupil.schoolId);
  authorise(actor, 'letter.view', {
    kind: 'pupil',
    pupilId,
    groupIds: [],
    schoolId: school.id,
    trustId: school.trustId,
    laCode: school.laCode,
  });
  return lettersOf(deps, pupilId);
}

/** A pupil's letters page: the letters, the school's templates to write from, and what the person may do. */
export async function pupilLettersPage(
  deps: Deps,
  actor: Actor,
  pupilId: string,
): Promise<{
  readonly pupil: { readonly id: string; readonly name: string };
  readonly letters: LetterView[];
  readonly templates: TemplateView[];
  readonly canSend: boolean;
  readonly canProduce: boolean;
}> {
  const { pupil, school, resource } = await loadPupilScope(deps.db, pupilId);
  authorise(actor, 'letter.view', resource);
  const [letters, templates] = await Promise.all([lettersOf(deps, pupilId), listTemplates(deps, actor, school.id)]);
  return {
    pupil: { id: pupilId, name: `${pupil.forename} ${pupil.surname}` },
    letters,
    // Texts (`text-…`) are edited with the templates but are not letters to write.
    templates: templates.filter((t) => !t.key.startsWith('text-')),
    canSend: can(actor, 'letter.send', resource),
    canProduce: can(actor, 'evidencePack.produce', resource),
  };
}

/** What a stored letter's PDF prints (see letter-pdf.ts). */
export function letterContent(
  letter: Pick<LetterView, 'title' | 'body' | 'createdAt'> & Partial<LetterView>,
): LetterContent {
  return {
    title: letter.title,
    body: letter.body,
    createdAt: letter.createdAt,
    date: letter.letterDate ?? null,
    recipientName: letter.recipientName ?? null,
    recipientAddress: letter.recipientAddress ?? null,
    salutation: letter.salutation ?? null,
    senderName: letter.senderName ?? null,
    senderRole: letter.senderRole ?? null,
    reference: letter.reference ?? null,
    language: letter.language ?? 'en',
    frame: letter.frame ?? null,
  };
}

/** The letterhead of a stored letter: the school's name and logo, its address and numbers as they were. */
export function letterSchool(
  school: Pick<School, 'name'> & { logo?: Buffer | null },
  letter: Partial<Pick<LetterView, 'schoolAddress' | 'schoolPhone' | 'schoolEmail'>>,
): PdfSchool {
  return {
    name: school.name,
    address: letter.schoolAddress ?? null,
    phone: letter.schoolPhone ?? null,
    email: letter.schoolEmail ?? null,
    logo: school.logo ?? null,
  };
}

/** A letter as a PDF (see letter-pdf.ts). */
export function letterPdf(
  school: Pick<School, 'name'> & { logo?: Buffer | null },
  letter: Pick<LetterView, 'title' | 'body' | 'createdAt'> & Partial<LetterView>,
  opts: { compress?: boolean } = {},
): Promise<Buffer> {
  return renderLetterPdf(letterSchool(school, letter), letterContent(letter), opts);
}

/** The school's logo as bytes, or null. */
export async function schoolLogo(deps: Pick<Deps, 'db'>, schoolId: string): Promise<Buffer | null> {
  const row = await letterheadRow(deps.db, schoolId);
  return row.logo_base64 ? Buffer.from(row.logo_base64, 'base64') : null;
}

/** A stored letter as a PDF; audited as a read. */
export async function getLetterPdf(
  deps: Deps,
  actor: Actor,
  letterId: string,
  opts: { compress?: boolean } = {},
): Promise<{ pdf: Buffer; filename: string }> {
  const row = await letterRowById(deps.db, letterId);
  if (!row) throw new AppError('NOT_FOUND', 'No such letter.');
  const school = await getSchool(deps.db, row.school_id);
  authorise(actor, 'letter.view', {
    kind: 'pupil',
    pupilId: row.pupil_id,
    groupIds: [],
    schoolId: school.id,
    trustId: school.trustId,
    laCode: school.laCode,
  });
  const letter = toView(row);
  await audit(deps.db, actor, deps.clock.now(), {
    action: 'letter.view',
    entityType: 'letter',
    entityId: letter.id,
    pupilId: letter.pupilId,
    schoolId: school.id,
  });
  return {
    pdf: await letterPdf({ name: school.name, logo: await schoolLogo(deps, school.id) }, letter, opts),
    filename: `letter-${letter.templateKey}-${letter.createdAt.slice(0, 10)}.pdf`,
  };
}

/**
 * Sets a contact's preferred language (a code such as `pl`, or a name such as Polish; empty or
 * English clears it). Right-to-left languages are recorded too: letters to them then go in
 * English, and the compose page says why. Audited.
 */
export async function setContactLanguage(
  deps: Deps,
  actor: Actor,
  pupilId: string,
  contactId: string,
  input: string,
): Promise<void> {
  const pupil = await findPupil(deps.db, pupilId);
  if (!pupil) throw new AppError('PUPIL_NOT_FOUND', 'No such pupil.');
  const school = await getSchool(deps.db, pupil.schoolId);
  authorise(actor, 'letter.send', {
    kind: 'pupil',
    pupilId: pupil.id,
    groupIds: [],
    schoolId: school.id,
    trustId: school.trustId,
    laCode: school.laCode,
  });
  const contact = (await recipientsOf(deps, pupil.id)).find((r) => r.contactId === contactId);
  if (!contact) throw new AppError('NOT_FOUND', 'No such contact with parental responsibility.');
  const language = normaliseLanguage(input);
  if (language === undefined) {
    const message = `"${input}" is not a language Rollcall knows: choose one from the list.`;
    throw new AppError('VALIDATION', message, { fields: [{ field: 'language', message }] });
  }
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    await setPreferredLanguage(trx, contactId, language);
    await audit(trx, actor, now, {
      action: 'contact.language',
      entityType: 'contact',
      entityId: contactId,
      pupilId: pupil.id,
      schoolId: school.id,
      details: { language: language ?? 'en' },
    });
  });
}
