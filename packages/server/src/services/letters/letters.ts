/**
 * Letters to parents: the school's template library (defaults from the policy, edited per school
 * with merge fields checked on save), composing a letter for a pupil from a template (merged with
 * the pupil's figures, editable before it goes), sending it by email through the outbox or
 * printing it, and the letter stored on the pupil's case with who, when and how. Letter PDFs are
 * rendered from the stored text with the stored time as their creation date, so the same letter
 * always gives the same PDF.
 */
import {
  checkLetterBody,
  dateInWords,
  LETTER_MERGE_FIELDS,
  mergeLetter,
  type LetterMergeField,
  type LetterMergeValues,
  type PlainDate,
} from '@rollcall/domain';
import { findPupil } from '../../db/repositories/pupils.js';
import { getSchool, type School } from '../../db/repositories/schools.js';
import { newId } from '../../platform/ids.js';
import { audit } from '../audit.js';
import { authorise, ROLE_LABELS, type Actor, type Resource } from '../authz.js';
import type { Deps } from '../deps.js';
import { AppError, type FieldError } from '../errors.js';
import { queueMessage } from '../messages.js';
import { policyLetters } from '../school-policy.js';
import { getPupilRecord } from '../pupils.js';
import { DEFAULT_LETTER_TEMPLATES, type LetterTemplate } from './defaults.js';
import { schoolDetailsOf, schoolPostalAddress } from '../school-details.js';
import { renderLetterPdf } from './letter-pdf.js';

export interface TemplateView extends LetterTemplate {
  /** True when the school has edited (or added) this template. */
  readonly edited: boolean;
  readonly updatedAt: string | null;
}

export const TEMPLATE_KEY = /^[a-z0-9][a-z0-9-]{0,59}$/;

function schoolResource(school: School): Resource {
  return { kind: 'school', schoolId: school.id, trustId: school.trustId, laCode: school.laCode };
}

/**
 * The school's templates by key: Rollcall's defaults, then the policy's (its preset's letters and the
 * document's own `letters`), then the school's edits.
 */
async function templatesOf(deps: Deps, school: School): Promise<TemplateView[]> {
  const byKey = new Map<string, TemplateView>();
  for (const t of [...DEFAULT_LETTER_TEMPLATES, ...policyLetters(school.policy)]) {
    byKey.set(t.key, { key: t.key, title: t.title, body: t.body, edited: false, updatedAt: null });
  }
  const rows = await deps.db
    .selectFrom('letter_templates')
    .select(['key', 'title', 'body', 'updated_at'])
    .where('school_id', '=', school.id)
    .execute();
  for (const r of rows)
    byKey.set(r.key, { key: r.key, title: r.title, body: r.body, edited: true, updatedAt: r.updated_at });
  return [...byKey.values()];
}

/** The school's letter templates (for those who may see or send letters). */
export async function listTemplates(deps: Deps, actor: Actor, schoolId: string): Promise<TemplateView[]> {
  const school = await getSchool(deps.db, schoolId);
  authorise(actor, 'letter.view', schoolResource(school));
  return templatesOf(deps, school);
}

export interface SaveTemplateInput {
  readonly key: string;
  readonly title: string;
  readonly body: string;
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
  if (!TEMPLATE_KEY.test(key))
    fields.push({ field: 'key', message: 'The key must be lower-case letters, digits and hyphens, like stage-1a.' });
  if (!title) fields.push({ field: 'title', message: 'Enter a title.' });
  else if (title.length > 200) fields.push({ field: 'title', message: 'The title can be at most 200 characters.' });
  if (body.length > 20_000) fields.push({ field: 'body', message: 'The letter can be at most 20,000 characters.' });
  for (const issue of checkLetterBody(body)) fields.push({ field: 'body', message: issue.message });
  if (fields.length > 0) throw new AppError('VALIDATION', 'The template cannot be saved as it is.', { fields });
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    const existing = await trx
      .selectFrom('letter_templates')
      .select('id')
      .where('school_id', '=', school.id)
      .where('key', '=', key)
      .executeTakeFirst();
    if (existing) {
      await trx
        .updateTable('letter_templates')
        .set({ title, body, updated_by: actor.userId, updated_at: now })
        .where('id', '=', existing.id)
        .execute();
    } else {
      await trx
        .insertInto('letter_templates')
        .values({
          id: newId(),
          school_id: school.id,
          key,
          title,
          body,
          updated_by: actor.userId,
          updated_at: now,
          created_at: now,
        })
        .execute();
    }
    await audit(trx, actor, now, {
      action: 'letterTemplate.save',
      entityType: 'letter_template',
      entityId: key,
      schoolId: school.id,
      details: { key, created: !existing },
    });
  });
}

/** Goes back to the default (policy) wording: removes the school's edit. Audited. */
export async function resetTemplate(deps: Deps, actor: Actor, schoolId: string, key: string): Promise<void> {
  const school = await getSchool(deps.db, schoolId);
  authorise(actor, 'letter.editTemplates', schoolResource(school));
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('letter_templates').where('school_id', '=', school.id).where('key', '=', key).execute();
    await audit(trx, actor, now, {
      action: 'letterTemplate.reset',
      entityType: 'letter_template',
      entityId: key,
      schoolId: school.id,
    });
  });
}

export interface Recipient {
  readonly contactId: string;
  readonly name: string;
  readonly relationship: string;
  readonly address: string | null;
  readonly email: string | null;
}

/** One line per part, postcode last; null when there is no address. */
export function postalAddress(address: string | null, postcode: string | null): string | null {
  const lines = [...(address ?? '').split(/\n|,/), postcode ?? ''].map((l) => l.trim()).filter((l) => l !== '');
  return lines.length > 0 ? lines.join('\n') : null;
}

async function recipientsOf(deps: Deps, pupilId: string): Promise<Recipient[]> {
  const rows = await deps.db
    .selectFrom('contacts')
    .select(['id', 'name', 'relationship', 'address', 'postcode', 'email', 'parental_responsibility', 'priority'])
    .where('pupil_id', '=', pupilId)
    .where('parental_responsibility', '=', 1)
    .orderBy('priority')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    contactId: r.id,
    name: r.name,
    relationship: r.relationship,
    address: postalAddress(r.address, r.postcode),
    email: r.email,
  }));
}

export const formatRate = (rate: number | null): string =>
  rate === null ? 'not yet measured' : `${(rate * 100).toFixed(1)}%`;

/** The merge values for a pupil (everything but the recipient and the meeting). */
export async function pupilMergeValues(
  deps: Deps,
  actor: Actor,
  pupilId: string,
): Promise<{ values: LetterMergeValues; school: School; resource: Resource; pupilName: string }> {
  const record = await getPupilRecord(deps, actor, pupilId);
  const { pupil, school, measures: m } = record;
  const details = await schoolDetailsOf(deps.db, school.id);
  const regGroup = pupil.regGroupId
    ? await deps.db.selectFrom('groups').select('name').where('id', '=', pupil.regGroupId).executeTakeFirst()
    : undefined;
  const stage = await deps.db
    .selectFrom('case_stages')
    .select('stage_name')
    .where('pupil_id', '=', pupilId)
    .where('left_on', 'is', null)
    .orderBy('entered_on', 'desc')
    .executeTakeFirst();
  const plan = await deps.db
    .selectFrom('case_plans')
    .select(['targets', 'review_dates'])
    .where('pupil_id', '=', pupilId)
    .where('status', '=', 'active')
    .orderBy('starts_on', 'desc')
    .executeTakeFirst();
  const meeting = await deps.db
    .selectFrom('case_meetings')
    .select(['scheduled_for', 'time', 'place'])
    .where('pupil_id', '=', pupilId)
    .orderBy('scheduled_for', 'desc')
    .executeTakeFirst();
  const today = deps.clock.today(school.timeZone);
  const name = `${pupil.forename} ${pupil.surname}`;
  const values: LetterMergeValues = {
    'pupil.name': name,
    'pupil.forename': pupil.forename,
    'pupil.yearGroup': pupil.yearGroup ? `Year ${pupil.yearGroup}` : '',
    'pupil.regGroup': regGroup?.name ?? '',
    'school.name': school.name,
    'school.address': schoolPostalAddress(details) ?? '',
    'sender.name': actor.name,
    'sender.role': ROLE_LABELS[actor.role],
    today: dateInWords(today),
    'attendance.rate': formatRate(m.attendanceRate),
    'attendance.sessionsMissed': String(m.authorisedAbsenceSessions + m.unauthorisedAbsenceSessions),
    'attendance.unauthorisedSessions': String(m.unauthorisedAbsenceSessions),
    'attendance.unauthorisedLast10Weeks': String(m.penaltyNotice.currentWindowSessions),
    'attendance.brokenWeeks': String(m.brokenWeeks),
    'attendance.period': `${dateInWords(record.periodStart)} to ${dateInWords(record.asOf)}`,
    'stage.name': stage?.stage_name ?? '',
    explanation:
      `Since ${dateInWords(record.periodStart)}, ${pupil.forename} has missed ${m.authorisedAbsenceSessions + m.unauthorisedAbsenceSessions} of ${m.possibleSessions} possible sessions` +
      ` (${m.unauthorisedAbsenceSessions} unauthorised), with absence in ${m.brokenWeeks} of ${m.schoolWeeksOnRoll} school weeks.`,
    ...(meeting
      ? {
          'meeting.date': dateInWords(meeting.scheduled_for as PlainDate, { weekday: true }),
          'meeting.time': meeting.time ?? '',
          'meeting.place': meeting.place ?? '',
        }
      : {}),
    ...(plan ? planValues(plan.targets, plan.review_dates) : {}),
  };
  const resource: Resource = {
    kind: 'pupil',
    pupilId,
    groupIds: [],
    schoolId: school.id,
    trustId: school.trustId,
    laCode: school.laCode,
  };
  return { values, school, resource, pupilName: name };
}

function planValues(targetsJson: string, reviewDatesJson: string): LetterMergeValues {
  const out: Partial<Record<LetterMergeField, string>> = {};
  try {
    const targets = JSON.parse(targetsJson) as { text?: unknown }[];
    const texts = targets.map((t) => (typeof t.text === 'string' ? t.text : '')).filter((t) => t !== '');
    if (texts.length > 0) out['plan.target'] = texts.join('; ');
    const reviews = (JSON.parse(reviewDatesJson) as unknown[]).filter((d): d is string => typeof d === 'string').sort();
    if (reviews[0]) out['plan.reviewDate'] = dateInWords(reviews[0] as PlainDate);
  } catch {
    // a malformed plan leaves the fields as gaps to fill in
  }
  return out;
}

export interface ComposedLetter {
  readonly pupilId: string;
  readonly pupilName: string;
  readonly template: TemplateView;
  readonly recipients: readonly Recipient[];
  /** Merged text per recipient (parent name and address differ). */
  readonly texts: Readonly<Record<string, string>>;
  /** Merged for the first recipient (or none). */
  readonly text: string;
  readonly missing: readonly LetterMergeField[];
}

/** A letter from a template, merged for a pupil and each parent with parental responsibility. */
export async function composeLetter(
  deps: Deps,
  actor: Actor,
  pupilId: string,
  templateKey: string,
  extra: { explanation?: string } = {},
): Promise<ComposedLetter> {
  const { values, school, resource, pupilName } = await pupilMergeValues(deps, actor, pupilId);
  authorise(actor, 'letter.send', resource);
  const template = (await templatesOf(deps, school)).find((t) => t.key === templateKey);
  if (!template) throw new AppError('NOT_FOUND', `There is no letter template "${templateKey}".`);
  const recipients = await recipientsOf(deps, pupilId);
  const base: LetterMergeValues = { ...values, ...(extra.explanation ? { explanation: extra.explanation } : {}) };
  const texts: Record<string, string> = {};
  let first: ReturnType<typeof mergeLetter> | null = null;
  for (const r of recipients) {
    const merged = mergeLetter(template.body, { ...base, 'parent.name': r.name, 'parent.address': r.address ?? '' });
    texts[r.contactId] = merged.text;
    first ??= merged;
  }
  first ??= mergeLetter(template.body, base);
  return { pupilId, pupilName, template, recipients, texts, text: first.text, missing: first.missing };
}

export type SendMethod = 'email' | 'print';

export interface SendLetterInput {
  readonly pupilId: string;
  readonly templateKey: string;
  readonly title: string;
  readonly body: string;
  readonly contactId: string;
  readonly method: SendMethod;
}

/**
 * Stores the letter on the pupil's case and, for email, queues it in the outbox (the letter as
 * the email's text; the PDF is at /letters/:id.pdf for the file). One transaction; audited.
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
  const fields: FieldError[] = [];
  const title = input.title.trim();
  const body = input.body.replace(/\r\n?/g, '\n').trim();
  if (!title) fields.push({ field: 'title', message: 'Enter a title.' });
  if (!body) fields.push({ field: 'body', message: 'The letter is empty.' });
  if (body.length > 20_000) fields.push({ field: 'body', message: 'The letter can be at most 20,000 characters.' });
  const gaps = [...body.matchAll(/\[([a-zA-Z.]+)\]/g)].map((m) => m[1]!).filter((f) => f in LETTER_MERGE_FIELDS);
  if (gaps.length > 0) {
    fields.push({
      field: 'body',
      message: `Fill in ${[...new Set(gaps)].map((g) => `[${g}]`).join(', ')} before sending.`,
    });
  }
  if (input.method !== 'email' && input.method !== 'print')
    fields.push({ field: 'method', message: 'Choose email or print.' });
  const contact = await deps.db
    .selectFrom('contacts')
    .select(['id', 'name', 'address', 'postcode', 'email'])
    .where('id', '=', input.contactId)
    .where('pupil_id', '=', pupil.id)
    .executeTakeFirst();
  if (!contact) fields.push({ field: 'contactId', message: 'Choose who the letter is to.' });
  else if (input.method === 'email' && !contact.email) {
    fields.push({ field: 'contactId', message: `${contact.name} has no email address: print the letter instead.` });
  }
  if (fields.length > 0 || !contact)
    throw new AppError('VALIDATION', 'The letter cannot be sent as it is.', { fields });
  const schoolAddress = schoolPostalAddress(await schoolDetailsOf(deps.db, school.id));
  const now = deps.clock.now();
  const id = newId();
  return deps.db.transaction().execute(async (trx) => {
    let messageId: string | null = null;
    if (input.method === 'email') {
      messageId = await queueMessage(trx, {
        schoolId: school.id,
        pupilId: pupil.id,
        channel: 'email',
        to: contact.email!,
        subject: `${title}: ${pupil.forename} ${pupil.surname}`,
        body: `${body}\n\n--\n${school.name}`,
        kind: `letter:${input.templateKey}`,
        createdBy: actor.userId,
        now,
      });
    }
    await trx
      .insertInto('letters')
      .values({
        id,
        school_id: school.id,
        pupil_id: pupil.id,
        template_key: input.templateKey,
        title,
        body,
        contact_id: contact.id,
        recipient_name: contact.name,
        recipient_address: postalAddress(contact.address, contact.postcode),
        method: input.method,
        email_to: input.method === 'email' ? contact.email : null,
        message_id: messageId,
        created_by: actor.userId,
        created_by_name: actor.name,
        created_at: now,
        school_address: schoolAddress,
      })
      .execute();
    // The letter a casework suggestion proposed (`letter:<key>`) is done.
    const completed = await trx
      .updateTable('case_actions')
      .set({
        status: 'done',
        outcome: `${title} ${input.method === 'email' ? 'emailed' : 'printed'} for ${contact.name}`,
        completed_on: deps.clock.today(school.timeZone),
        updated_at: now,
      })
      .where('pupil_id', '=', pupil.id)
      .where('status', '=', 'open')
      .where('policy_action', '=', `letter:${input.templateKey}`)
      .executeTakeFirst();
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
        caseActionsDone: Number(completed.numUpdatedRows),
      },
    });
    return { id, messageId };
  });
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
  readonly createdByName: string;
  readonly createdAt: string;
  /** The school's postal address when the letter was sent (printed in its PDF's header). */
  readonly schoolAddress: string | null;
}

const LETTER_COLUMNS = [
  'letters.id',
  'letters.pupil_id',
  'letters.template_key',
  'letters.title',
  'letters.body',
  'letters.recipient_name',
  'letters.recipient_address',
  'letters.method',
  'letters.email_to',
  'letters.message_id',
  'letters.created_by_name',
  'letters.created_at',
  'letters.school_address',
  'messages.status as message_status',
] as const;

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
  message_status: string | null;
};

function toView(r: LetterRow): LetterView {
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
    createdByName: r.created_by_name,
    createdAt: r.created_at,
    schoolAddress: r.school_address,
  };
}

/** A pupil's letters, newest first. Not authorised here: callers check `letter.view`. */
export async function lettersOf(deps: Pick<Deps, 'db'>, pupilId: string): Promise<LetterView[]> {
  const rows = await deps.db
    .selectFrom('letters')
    .leftJoin('messages', 'messages.id', 'letters.message_id')
    .select(LETTER_COLUMNS)
    .where('letters.pupil_id', '=', pupilId)
    .orderBy('letters.created_at', 'desc')
    .orderBy('letters.id', 'desc')
    .execute();
  return rows.map(toView);
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

/** A letter as a PDF (see letter-pdf.ts). */
export function letterPdf(
  school: School,
  letter: Pick<LetterView, 'title' | 'body' | 'createdAt'> & { readonly schoolAddress?: string | null },
  opts: { compress?: boolean } = {},
): Promise<Buffer> {
  return renderLetterPdf({ name: school.name, address: letter.schoolAddress ?? null }, letter, opts);
}

/** A stored letter as a PDF; audited as a read. */
export async function getLetterPdf(
  deps: Deps,
  actor: Actor,
  letterId: string,
  opts: { compress?: boolean } = {},
): Promise<{ pdf: Buffer; filename: string }> {
  const row = await deps.db
    .selectFrom('letters')
    .leftJoin('messages', 'messages.id', 'letters.message_id')
    .select([...LETTER_COLUMNS, 'letters.school_id'])
    .where('letters.id', '=', letterId)
    .executeTakeFirst();
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
    pdf: await letterPdf(school, letter, opts),
    filename: `letter-${letter.templateKey}-${letter.createdAt.slice(0, 10)}.pdf`,
  };
}
