/**
 * Long on purpose: the admission register's entries, deletions on legal grounds, LA
 * enquiries and notifications share the register row and its audit; the grounds themselves are
 * already in grounds.ts.
 *
 * The admission register: admitting pupils, deleting them only on a legal ground the data
 * support (never retrospectively, the local authority told no later than the deletion), joint
 * enquiries with the LA, children-missing-education referrals, elective home education
 * notifications, and the "pupil moving from school" form.
 *
 * @see ./grounds.ts for each ground and its checks
 * @see ../../../../../docs/admission-register.md
 */
import {
  academicYearOf,
  addDays,
  countSchoolDays,
  isPlainDate,
  lookupCode,
  validateUpn,
  type PlainDate,
  type SchoolCalendar,
} from '@rollcall/domain';
import { raiseDslAlert } from '../../safeguarding/safeguarding.js';
import { registerOfRecord, upsertAdmissionDetails } from '../../../db/duties/admission-register.js';
import {
  admissionPupil,
  deletionEntryOf,
  insertContacts,
  insertGroupMember,
  insertLaContact,
  insertPupil,
  insertRegisterEntry,
  laContactsOfKind,
  laContactsOfSchool,
  latestGrantedLeaveEndedBefore,
  pupilIdByUpn,
  pupilMarksAfter,
  pupilsOfSchoolByName,
  registerEntriesOfSchool,
  setLeavingDate,
} from '../../../db/duties/admissions.js';
import { phoneProblem } from '../../exchange/import/files.js';
import { registerPupil, REGISTER_ITEMS, type RegisterItem, type RegisterPupil } from './register-items.js';
import { getSchool, type School } from '../../school/schools.js';
import { newId } from '../../../platform/ids.js';
import { buildPdf } from '../../../platform/pdf.js';
import { audit } from '../../audit.js';
import { authorise, type Actor, type Resource } from '../../authz.js';
import type { Deps } from '../../deps.js';
import { AppError, type FieldError } from '../../errors.js';
import { schoolCalendar } from '../../registers/registers.js';
import { gatherFacts, isPossible, pupilDetails, type PupilFacts, type ReturnPupil } from '../returns/gather.js';
import { prepareReturns } from '../returns/returns.js';
import { GROUNDS, LEAVE_NOT_RETURNED_SCHOOL_DAYS, type DeletionGround } from './grounds.js';

function schoolResource(school: School): Resource {
  return { kind: 'school', schoolId: school.id, trustId: school.trustId, laCode: school.laCode };
}

export const LA_CONTACT_KINDS = ['joint_enquiry', 'cme_referral', 'ehe_notification', 'moving_form'] as const;
export type LaContactKind = (typeof LA_CONTACT_KINDS)[number] | 'la_told_of_deletion';

export const LA_CONTACT_LABELS: Record<LaContactKind, string> = {
  joint_enquiry: 'Joint enquiry with the local authority',
  cme_referral: 'Children missing education referral',
  ehe_notification: 'Elective home education: parent’s written notification and referral to the LA',
  moving_form: 'Pupil moving from school form sent',
  la_told_of_deletion: 'Local authority told of the deletion',
};

export function isLaContactKind(value: string): value is (typeof LA_CONTACT_KINDS)[number] {
  return (LA_CONTACT_KINDS as readonly string[]).includes(value);
}

// ---------------------------------------------------------------------------------------------
// Admission
// ---------------------------------------------------------------------------------------------

/** A parent, as the admission form asks for them. */
export interface AdmitParent {
  readonly name: string;
  readonly relationship: string;
  /** True: the parent lives at the pupil's address (address and postcode below are ignored). */
  readonly sameAddress: boolean;
  readonly address: string | null;
  readonly postcode: string | null;
  readonly phone: string;
  readonly livesWithPupil: boolean;
  readonly parentalResponsibility: boolean;
}

export interface AdmitInput {
  readonly schoolId: string;
  readonly upn: string;
  readonly surname: string;
  readonly forename: string;
  /** Any other names the pupil is known by (stored as the preferred names). */
  readonly otherForename?: string | null;
  readonly otherSurname?: string | null;
  /** M or F. */
  readonly sex: string | null;
  readonly dateOfBirth: string | null;
  readonly yearGroup: string | null;
  /** The starting day: the first day the pupil attends, or is to attend (the day of admission). */
  readonly admissionDate: PlainDate;
  readonly address: string | null;
  readonly postcode: string | null;
  /** The parents: at least one; fields of a parent left wholly blank are ignored. */
  readonly parents: readonly AdmitParent[];
  /** The school last attended, or `none` for a pupil with no previous school. */
  readonly lastSchool: { readonly name: string; readonly address: string | null } | 'none' | null;
  /** In a school with boarders: whether the pupil boards (null: the school has none). */
  readonly boarder?: boolean | null;
  readonly regGroupId?: string | null;
  readonly reason: string;
}

const POSTCODE = /^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$/;

/** A postcode in capitals with one space (`ZX1 2AB`); null when blank; undefined when not a postcode. */
function tidyPostcode(raw: string | null): string | null | undefined {
  const v = (raw ?? '').toUpperCase().replace(/\s+/g, ' ').trim();
  if (v === '') return null;
  const m = POSTCODE.exec(v);
  return m ? `${m[1]} ${m[2]}` : undefined;
}

/** Every item the register needs, checked: each problem names its form field. */
function checkAdmission(input: AdmitInput, today: PlainDate): FieldError[] {
  const fields: FieldError[] = [];
  const need = (ok: boolean, field: string, message: string) => {
    if (!ok) fields.push({ field, message });
  };
  const upn = validateUpn(input.upn);
  need(upn.valid, 'upn', `The UPN is not valid: ${upn.valid ? '' : upn.reason}`);
  need(input.surname.trim() !== '', 'surname', 'Enter the pupil’s legal surname');
  need(input.forename.trim() !== '', 'forename', 'Enter the pupil’s legal forename');
  need(input.sex === 'M' || input.sex === 'F', 'sex', 'Choose the pupil’s sex');
  if (!input.dateOfBirth) fields.push({ field: 'dateOfBirth', message: 'Enter the pupil’s date of birth' });
  else if (!isPlainDate(input.dateOfBirth) || input.dateOfBirth >= today)
    fields.push({ field: 'dateOfBirth', message: 'Enter the pupil’s date of birth as a real date in the past' });
  need(
    isPlainDate(input.admissionDate),
    'admissionDate',
    'Enter the starting day (the first day the pupil attends, or is to attend) as a date',
  );
  need((input.address ?? '').trim() !== '', 'address', 'Enter the address where the pupil normally lives');
  const pc = tidyPostcode(input.postcode);
  if (pc === null) fields.push({ field: 'postcode', message: 'Enter the postcode of the pupil’s address' });
  else if (pc === undefined) fields.push({ field: 'postcode', message: 'Enter a real postcode, like ZX1 2AB' });
  const given = input.parents.filter(
    (p) => p.name.trim() !== '' || p.phone.trim() !== '' || (p.address ?? '').trim() !== '',
  );
  if (given.length === 0) {
    fields.push({ field: 'parent1Name', message: 'Enter the name of at least one parent' });
  }
  input.parents.forEach((p, i) => {
    if (!given.includes(p)) return;
    const n = i + 1;
    need(p.name.trim() !== '', `parent${n}Name`, `Enter parent ${n}’s full name`);
    need(p.relationship.trim() !== '', `parent${n}Relationship`, `Enter parent ${n}’s relationship to the pupil`);
    if (!p.sameAddress) {
      need(
        (p.address ?? '').trim() !== '',
        `parent${n}Address`,
        `Enter parent ${n}’s address, or tick that it is the pupil’s`,
      );
      const ppc = tidyPostcode(p.postcode);
      if (ppc === null)
        fields.push({ field: `parent${n}Postcode`, message: `Enter the postcode of parent ${n}’s address` });
      else if (ppc === undefined)
        fields.push({ field: `parent${n}Postcode`, message: `Enter a real postcode for parent ${n}, like ZX1 2AB` });
    }
    const phone = p.phone.trim();
    if (phone === '') {
      if (p.livesWithPupil)
        fields.push({
          field: `parent${n}Phone`,
          message: `Enter a telephone number to reach parent ${n} in an emergency`,
        });
    } else {
      const why = phoneProblem(phone);
      if (why) fields.push({ field: `parent${n}Phone`, message: `Parent ${n}’s telephone number ${why}` });
    }
  });
  if (given.length > 0 && !given.some((p) => p.livesWithPupil)) {
    fields.push({
      field: 'parent1LivesWith',
      message: 'Say which parent the pupil normally lives with',
    });
  }
  if (input.lastSchool === null) {
    fields.push({
      field: 'lastSchoolName',
      message: 'Enter the name and address of the school the pupil last attended, or say there was none',
    });
  } else if (input.lastSchool !== 'none') {
    need(input.lastSchool.name.trim() !== '', 'lastSchoolName', 'Enter the name of the school the pupil last attended');
    need(
      (input.lastSchool.address ?? '').trim() !== '',
      'lastSchoolAddress',
      'Enter the address of the school the pupil last attended',
    );
  }
  if (!input.reason.trim()) fields.push({ field: 'reason', message: 'Enter how the pupil came to the school' });
  return fields;
}

/**
 * Enters a pupil in the admission register with every item regulation 8 of the 2024 regulations
 * asks for (register-items.ts): names, sex, date of birth, address, the parents (names,
 * addresses, telephone numbers, whom the pupil lives with), the starting day and the school last
 * attended. Each missing or wrong item is refused by its field. The new-admissions return picks
 * the pupil up. Audited.
 */
export async function admitPupil(deps: Deps, actor: Actor, input: AdmitInput): Promise<string> {
  const school = await getSchool(deps.db, input.schoolId);
  authorise(actor, 'duties.manage', schoolResource(school));
  const fields = checkAdmission(input, deps.clock.today(school.timeZone));
  const upn = validateUpn(input.upn);
  if (upn.valid) {
    const clash = await pupilIdByUpn(deps.db, school.id, upn.upn);
    if (clash) fields.push({ field: 'upn', message: 'A pupil with this UPN is already on the school’s register' });
  }
  if (fields.length) throw new AppError('VALIDATION', 'The admission could not be recorded.', { fields });
  const id = newId();
  const now = deps.clock.now();
  const postcode = tidyPostcode(input.postcode) as string;
  const address = (input.address ?? '').trim().replace(/\r\n/g, '\n');
  const parents = input.parents.filter((p) => p.name.trim() !== '');
  await deps.db.transaction().execute(async (trx) => {
    await insertPupil(trx, {
      id,
      school_id: school.id,
      upn: upn.upn,
      legal_surname: input.surname.trim(),
      legal_forename: input.forename.trim(),
      preferred_surname: input.otherSurname?.trim() || null,
      preferred_forename: input.otherForename?.trim() || null,
      gender: input.sex,
      date_of_birth: input.dateOfBirth,
      year_group: input.yearGroup || null,
      reg_group_id: input.regGroupId || null,
      admission_date: input.admissionDate,
      leaving_date: null,
      address,
      postcode,
    });
    if (input.regGroupId) await insertGroupMember(trx, input.regGroupId, id);
    await insertContacts(
      trx,
      parents.map((p, i) => ({
        id: newId(),
        pupil_id: id,
        name: p.name.trim(),
        relationship: p.relationship.trim(),
        parental_responsibility: p.parentalResponsibility ? 1 : 0,
        lives_with_pupil: p.livesWithPupil ? 1 : 0,
        priority: i + 1,
        mobile_phone: p.phone.trim() || null,
        home_phone: null,
        work_phone: null,
        email: null,
        address: p.sameAddress ? address : (p.address ?? '').trim(),
        postcode: p.sameAddress ? postcode : (tidyPostcode(p.postcode) as string),
        preferred_language: null,
        restriction: null,
      })),
    );
    await upsertAdmissionDetails(trx, [
      {
        pupil_id: id,
        has_last_school: input.lastSchool === 'none' ? 0 : 1,
        last_school_name:
          input.lastSchool === 'none' || input.lastSchool === null ? null : input.lastSchool.name.trim(),
        last_school_address:
          input.lastSchool === 'none' || input.lastSchool === null ? null : (input.lastSchool.address ?? '').trim(),
        boarder: input.boarder === undefined || input.boarder === null ? null : input.boarder ? 1 : 0,
        updated_at: now,
      },
    ]);
    await insertRegisterEntry(trx, {
      id: newId(),
      school_id: school.id,
      pupil_id: id,
      kind: 'admission',
      date: input.admissionDate,
      ground: null,
      reason: input.reason.trim(),
      details: null,
      la_notified_at: null,
      recorded_by: actor.userId,
      recorded_by_name: actor.name,
      recorded_at: now,
    });
    await audit(trx, actor, now, {
      action: 'admission.admit',
      entityType: 'pupil',
      entityId: id,
      pupilId: id,
      schoolId: school.id,
      details: { admissionDate: input.admissionDate, parents: parents.length },
    });
  });
  return id;
}

// ---------------------------------------------------------------------------------------------
// Deletion checks
// ---------------------------------------------------------------------------------------------

export interface DeletionInput {
  readonly pupilId: string;
  readonly ground: DeletionGround;
  readonly date: PlainDate;
  readonly reason: string;
  /** The destination school, new address or area, when the ground needs one. */
  readonly destination?: string | null;
}

export interface DeletionCheck {
  /** True when the data support the ground and nothing else stops the deletion. */
  readonly allowed: boolean;
  /** Why not, in words (each a whole sentence). */
  readonly refusals: readonly string[];
  /** What was checked and found, in words. */
  readonly evidence: readonly string[];
}

async function loadPupil(deps: Deps, pupilId: string) {
  const row = await admissionPupil(deps.db, pupilId);
  if (!row) throw new AppError('PUPIL_NOT_FOUND', 'No such pupil.');
  return row;
}

async function laContactsOf(deps: Deps, pupilId: string, kind: LaContactKind) {
  return laContactsOfKind(deps.db, pupilId, kind);
}

function lastSchoolDayBefore(cal: SchoolCalendar, date: PlainDate): PlainDate | null {
  let found: PlainDate | null = null;
  for (let d = 0; d < cal.dayCount && cal.dayDate[d]! < date; d++) found = cal.dayDate[d]!;
  return found;
}

/** Checks a proposed deletion against the data; see grounds.ts. Reads only. */
export async function checkDeletion(deps: Deps, actor: Actor, input: DeletionInput): Promise<DeletionCheck> {
  const pupil = await loadPupil(deps, input.pupilId);
  const school = await getSchool(deps.db, pupil.school_id);
  authorise(actor, 'duties.manage', schoolResource(school));
  const today = deps.clock.today(school.timeZone);
  const refusals: string[] = [];
  const evidence: string[] = [];
  const ground = GROUNDS[input.ground];
  if (input.date < today) {
    refusals.push(
      `No retrospective deletion: ${input.date} is before today (${today}). Delete from today or a later date.`,
    );
  }
  if (input.date < pupil.admission_date) {
    refusals.push(`The pupil was admitted on ${pupil.admission_date}, after ${input.date}.`);
  }
  const deleted = await deletionEntryOf(deps.db, pupil.id);
  if (deleted) refusals.push(`The pupil was already deleted from the register on ${deleted.date}.`);
  if (!input.reason.trim()) refusals.push('Record the reason and what was done (a note for the register).');
  const cal = await schoolCalendar(deps, school.id);

  switch (input.ground) {
    case 'registered_elsewhere':
    case 'moved_away':
      if (!input.destination?.trim()) {
        refusals.push(
          input.ground === 'registered_elsewhere'
            ? 'Name the school the pupil is now registered at.'
            : 'Record the new address or area the pupil has moved to.',
        );
      } else evidence.push(`Destination: ${input.destination.trim()}.`);
      break;
    case 'home_education': {
      const notices = await laContactsOf(deps, pupil.id, 'ehe_notification');
      const last = notices.at(-1);
      if (!last) {
        refusals.push(
          'Record the parent’s written notification of elective home education and the referral to the local authority first.',
        );
      } else {
        evidence.push(`Elective home education notified on ${last.date}: ${last.notes}`);
        const details = last.details ? (JSON.parse(last.details) as { laAgreed?: boolean }) : {};
        if (pupil.cp === 1 && !details.laAgreed) {
          refusals.push(
            'The pupil is on a child protection plan: the parent has no automatic right to home educate. Delete on this ground only once the local authority has agreed (recorded with the notification).',
          );
        }
      }
      break;
    }
    case 'absent_20_days': {
      const asOf = input.date;
      const { facts } = await gatherFacts(deps.db, cal, school.id, asOf, school.policy.minPossibleSessions);
      const f = facts.find((x) => x.pupil.pupilId === pupil.id);
      const periods = f?.measures.deletionGround20Days.periods ?? [];
      const yesterday = lastSchoolDayBefore(cal, asOf);
      const onOrBefore = cal.dayByDate.has(asOf) ? asOf : yesterday;
      // The run must reach the latest school day (today's registers may not be taken yet).
      const current = periods.find((p) => p.end === onOrBefore || (yesterday !== null && p.end === yesterday));
      if (!current) {
        refusals.push(
          'The data do not support this ground: there is no continuous run of 20 or more school days up to the deletion with every possible session coded G, N or O (a U, a present mark or an authorised absence breaks the run).',
        );
      } else {
        evidence.push(
          `${current.schoolDays} continuous school days from ${current.start} to ${current.end} with every possible session coded G, N or O.`,
        );
        const enquiries = (await laContactsOf(deps, pupil.id, 'joint_enquiry')).filter((e) => e.date >= current.start);
        if (enquiries.length === 0) {
          refusals.push(
            `Record the joint enquiries with the local authority (since ${current.start}) before deleting on this ground.`,
          );
        } else
          evidence.push(
            `Joint enquiries with the local authority recorded on ${enquiries.map((e) => e.date).join(', ')}.`,
          );
      }
      break;
    }
    case 'leave_not_returned': {
      const leave = await latestGrantedLeaveEndedBefore(deps.db, pupil.id, input.date);
      if (!leave) {
        refusals.push(
          'The data do not support this ground: there is no granted leave of absence that ended before the deletion.',
        );
        break;
      }
      const ended = leave.to_date as PlainDate;
      const since = countSchoolDays(cal, addDays(ended, 1), addDays(input.date, -1));
      evidence.push(
        `Leave of absence granted ${leave.from_date} to ${ended}; ${since} school days since, before the deletion.`,
      );
      if (since < LEAVE_NOT_RETURNED_SCHOOL_DAYS) {
        refusals.push(
          `Only ${since} school days have passed since the leave ended on ${ended}: the ground needs ${LEAVE_NOT_RETURNED_SCHOOL_DAYS}.`,
        );
      }
      const attended = await pupilMarksAfter(deps.db, pupil.id, ended, input.date);
      const present = attended.filter((m) => {
        const found = lookupCode(m.code, m.date as PlainDate);
        return (
          found.ok && (found.definition.category === 'present' || found.definition.category === 'approvedActivity')
        );
      });
      if (present.length > 0) {
        refusals.push(
          `The pupil has attended since the leave ended (${present[0]!.date} ${present[0]!.session}, ${present[0]!.code}).`,
        );
      }
      const enquiries = (await laContactsOf(deps, pupil.id, 'joint_enquiry')).filter((e) => e.date > ended);
      if (enquiries.length === 0) {
        refusals.push(
          `Record the joint enquiries with the local authority (since ${ended}) before deleting on this ground.`,
        );
      } else
        evidence.push(
          `Joint enquiries with the local authority recorded on ${enquiries.map((e) => e.date).join(', ')}.`,
        );
      break;
    }
    case 'compulsory_school_age_ended': {
      if (!pupil.date_of_birth) {
        refusals.push('Record the pupil’s date of birth first.');
        break;
      }
      const year = academicYearOf(input.date);
      const sixteenth = `${Number(pupil.date_of_birth.slice(0, 4)) + 16}${pupil.date_of_birth.slice(4)}`;
      // Compulsory school age ends on the last Friday in June of the school year in which a child turns 16.
      const endYear = year.end.slice(0, 4);
      let lastFriday = `${endYear}-06-30` as PlainDate;
      while (new Date(`${lastFriday}T12:00:00Z`).getUTCDay() !== 5) lastFriday = addDays(lastFriday, -1);
      if (sixteenth > `${endYear}-08-31` || input.date < lastFriday) {
        refusals.push(
          `The pupil (born ${pupil.date_of_birth}) is still of compulsory school age on ${input.date}: it ends on ${lastFriday} for those who turn 16 by ${endYear}-08-31.`,
        );
      } else evidence.push(`Born ${pupil.date_of_birth}: compulsory school age ended on ${lastFriday}.`);
      break;
    }
    case 'permanently_excluded':
    case 'died':
      break;
  }
  evidence.unshift(`Ground: ${ground.title} (${ground.source}). Checked: ${ground.checks}`);
  return { allowed: refusals.length === 0, refusals, evidence };
}

/**
 * Deletes a pupil from the admission register when the check allows it, recording the LA as told
 * at the deletion and preparing the deletions return for a person to send. Refused with every
 * reason otherwise. Audited.
 */
export async function deletePupil(
  deps: Deps,
  actor: Actor,
  input: DeletionInput,
): Promise<{ entryId: string; check: DeletionCheck }> {
  const check = await checkDeletion(deps, actor, input);
  const pupil = await loadPupil(deps, input.pupilId);
  if (!check.allowed) {
    throw new AppError('VALIDATION', `The deletion is refused: ${check.refusals.join(' ')}`, {
      fields: check.refusals.map((message) => ({ field: 'ground', message })),
      refusals: check.refusals,
    });
  }
  const school = await getSchool(deps.db, pupil.school_id);
  const now = deps.clock.now();
  const entryId = newId();
  const today = deps.clock.today(school.timeZone);
  await deps.db.transaction().execute(async (trx) => {
    await setLeavingDate(trx, pupil.id, input.date);
    await insertRegisterEntry(trx, {
      id: entryId,
      school_id: school.id,
      pupil_id: pupil.id,
      kind: 'deletion',
      date: input.date,
      ground: input.ground,
      reason: input.reason.trim(),
      details: JSON.stringify({
        groundTitle: GROUNDS[input.ground].title,
        destination: input.destination?.trim() || null,
        evidence: check.evidence,
      }),
      la_notified_at: now,
      recorded_by: actor.userId,
      recorded_by_name: actor.name,
      recorded_at: now,
    });
    await insertLaContact(trx, {
      id: newId(),
      school_id: school.id,
      pupil_id: pupil.id,
      kind: 'la_told_of_deletion',
      date: today,
      notes: `Deletion on ${input.date}: ${GROUNDS[input.ground].title}. In the deletions return prepared today.`,
      details: JSON.stringify({ entryId }),
      recorded_by: actor.userId,
      recorded_by_name: actor.name,
      recorded_at: now,
    });
    await audit(trx, actor, now, {
      action: 'admission.delete',
      entityType: 'pupil',
      entityId: pupil.id,
      pupilId: pupil.id,
      schoolId: school.id,
      details: { ground: input.ground, date: input.date },
    });
  });
  await prepareReturns(deps, actor, { schoolId: school.id, asOf: today, kinds: ['deletions'] });
  return { entryId, check };
}

// ---------------------------------------------------------------------------------------------
// Enquiries, referrals and notifications with the local authority
// ---------------------------------------------------------------------------------------------

/**
 * The run of school days up to `date` on which every possible session is G, N or O (as for the
 * 20-day ground), counted back from `date`; a day with no marks yet on `date` itself is skipped,
 * a day with no possible session neither extends nor breaks it. Null when there is no such run.
 */
export function currentAbsenceRun(
  cal: SchoolCalendar,
  f: PupilFacts,
  date: PlainDate,
): { start: PlainDate; schoolDays: number } | null {
  let start: PlainDate | null = null;
  let days = 0;
  for (let d = cal.dayCount - 1; d >= 0; d--) {
    const day = cal.dayDate[d]!;
    if (day > date) continue;
    const marks = [...(f.byDate.get(day)?.values() ?? [])].filter((c) => isPossible(c, day));
    if (marks.length === 0) {
      if (day === date || (f.byDate.get(day)?.size ?? 0) > 0) continue;
      break;
    }
    if (!marks.every((c) => c === 'G' || c === 'N' || c === 'O')) break;
    start = day;
    days++;
  }
  return start ? { start, schoolDays: days } : null;
}

export interface LaContactInput {
  readonly pupilId: string;
  readonly kind: (typeof LA_CONTACT_KINDS)[number];
  readonly date: PlainDate;
  readonly notes: string;
  /** Elective home education of a pupil on a child protection plan: the LA agreed. */
  readonly laAgreed?: boolean;
}

export async function recordLaContact(deps: Deps, actor: Actor, input: LaContactInput): Promise<string> {
  const pupil = await loadPupil(deps, input.pupilId);
  const school = await getSchool(deps.db, pupil.school_id);
  authorise(actor, 'duties.manage', schoolResource(school));
  if (!input.notes.trim()) {
    throw new AppError('VALIDATION', 'Record what was done.', {
      fields: [{ field: 'notes', message: 'Record what was done' }],
    });
  }
  const today = deps.clock.today(school.timeZone);
  if (input.date > today) {
    throw new AppError('VALIDATION', 'The date cannot be in the future.', {
      fields: [{ field: 'date', message: 'The date cannot be in the future' }],
    });
  }
  let details: string | null = null;
  let notes = input.notes.trim();
  if (input.kind === 'ehe_notification') details = JSON.stringify({ laAgreed: input.laAgreed === true });
  if (input.kind === 'cme_referral') {
    // The evidence the referral rests on: the pupil's current run of absence with every session G, N or O.
    const cal = await schoolCalendar(deps, school.id);
    const { facts } = await gatherFacts(deps.db, cal, school.id, input.date, school.policy.minPossibleSessions);
    const f = facts.find((x) => x.pupil.pupilId === pupil.id);
    const run = f ? currentAbsenceRun(cal, f, input.date) : null;
    details = JSON.stringify({ absenceRun: run });
    if (run)
      notes += ` (At referral: ${run.schoolDays} continuous school days of absence coded G, N or O since ${run.start}.)`;
  }
  const id = newId();
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    await insertLaContact(trx, {
      id,
      school_id: school.id,
      pupil_id: pupil.id,
      kind: input.kind,
      date: input.date,
      notes,
      details,
      recorded_by: actor.userId,
      recorded_by_name: actor.name,
      recorded_at: now,
    });
    await audit(trx, actor, now, {
      action: `la.${input.kind}`,
      entityType: 'pupil',
      entityId: pupil.id,
      pupilId: pupil.id,
      schoolId: school.id,
      details: { date: input.date },
    });
    // A child missing education: the designated safeguarding lead is told at once.
    if (input.kind === 'cme_referral' || input.kind === 'joint_enquiry') {
      await raiseDslAlert(trx, {
        schoolId: school.id,
        schoolName: school.name,
        pupilId: pupil.id,
        kind: 'cme_enquiry',
        sourceId: id,
        summary: `${LA_CONTACT_LABELS[input.kind]} on ${input.date}: ${notes}`,
        raisedBy: actor,
        now,
      });
    }
  });
  return id;
}

// ---------------------------------------------------------------------------------------------
// Reading the register
// ---------------------------------------------------------------------------------------------

export interface RegisterEntry {
  readonly id: string;
  readonly pupilId: string;
  readonly pupilName: string;
  readonly upn: string;
  readonly kind: 'admission' | 'deletion';
  readonly date: PlainDate;
  readonly ground: DeletionGround | null;
  readonly groundTitle: string | null;
  readonly reason: string;
  readonly destination: string | null;
  readonly laNotifiedAt: string | null;
  readonly recordedByName: string;
  readonly recordedAt: string;
}

export interface LaContactView {
  readonly id: string;
  readonly pupilId: string;
  readonly pupilName: string;
  readonly kind: LaContactKind;
  readonly label: string;
  readonly date: PlainDate;
  readonly notes: string;
  readonly recordedByName: string;
}

export interface AdmissionRegister {
  readonly school: School;
  readonly entries: readonly RegisterEntry[];
  readonly laContacts: readonly LaContactView[];
  readonly pupils: readonly { id: string; name: string; upn: string; onRoll: boolean }[];
  /** The register of record: every pupil on roll today, with every item and what is missing. */
  readonly roll: readonly RegisterPupil[];
  /** How many pupils on roll lack an item, by item. */
  readonly missingCounts: readonly { readonly item: RegisterItem; readonly label: string; readonly pupils: number }[];
  readonly today: PlainDate;
}

export async function admissionRegister(deps: Deps, actor: Actor, schoolId: string): Promise<AdmissionRegister> {
  const school = await getSchool(deps.db, schoolId);
  authorise(actor, 'duties.view', schoolResource(school));
  const today = deps.clock.today(school.timeZone);
  const entries = await registerEntriesOfSchool(deps.db, school.id);
  const contacts = await laContactsOfSchool(deps.db, school.id);
  const pupils = await pupilsOfSchoolByName(deps.db, school.id);
  const record = await registerOfRecord(deps.db, school.id, today);
  const roll = record.pupils.map((p) => registerPupil(p, record.contacts.get(p.id) ?? [], record.details.get(p.id)));
  const missingCounts = (Object.keys(REGISTER_ITEMS) as RegisterItem[])
    .map((item) => ({ item, label: REGISTER_ITEMS[item], pupils: roll.filter((r) => r.missing.includes(item)).length }))
    .filter((c) => c.pupils > 0);
  await audit(deps.db, actor, deps.clock.now(), {
    action: 'admissionRegister.view',
    entityType: 'school',
    entityId: school.id,
    schoolId: school.id,
  });
  return {
    school,
    today,
    roll,
    missingCounts,
    entries: entries.map((e) => {
      const details = e.details ? (JSON.parse(e.details) as { groundTitle?: string; destination?: string | null }) : {};
      return {
        id: e.id,
        pupilId: e.pupil_id,
        pupilName: `${e.legal_surname}, ${e.legal_forename}`,
        upn: e.upn,
        kind: e.kind as 'admission' | 'deletion',
        date: e.date as PlainDate,
        ground: e.ground as DeletionGround | null,
        groundTitle: details.groundTitle ?? null,
        reason: e.reason,
        destination: details.destination ?? null,
        laNotifiedAt: e.la_notified_at,
        recordedByName: e.recorded_by_name,
        recordedAt: e.recorded_at,
      };
    }),
    laContacts: contacts.map((c) => ({
      id: c.id,
      pupilId: c.pupil_id,
      pupilName: `${c.legal_surname}, ${c.legal_forename}`,
      kind: c.kind as LaContactKind,
      label: LA_CONTACT_LABELS[c.kind as LaContactKind] ?? c.kind,
      date: c.date as PlainDate,
      notes: c.notes,
      recordedByName: c.recorded_by_name,
    })),
    pupils: pupils.map((p) => ({
      id: p.id,
      name: `${p.legal_surname}, ${p.legal_forename}`,
      upn: p.upn,
      onRoll: p.leaving_date === null || p.leaving_date >= today,
    })),
  };
}

/**
 * The "pupil moving from school" form: who the pupil is, where they live, who to contact, where
 * they are going, why, and their attendance this year. Audited.
 */
export async function movingFromSchoolForm(
  deps: Deps,
  actor: Actor,
  pupilId: string,
): Promise<{ fileName: string; pdf: Buffer }> {
  const row = await loadPupil(deps, pupilId);
  const school = await getSchool(deps.db, row.school_id);
  authorise(actor, 'duties.view', schoolResource(school));
  const pupil: ReturnPupil = (await pupilDetails(deps.db, school.id, [pupilId]))[0]!;
  const deletion = await deletionEntryOf(deps.db, pupilId);
  const details = deletion?.details
    ? (JSON.parse(deletion.details) as { groundTitle?: string; destination?: string | null; evidence?: string[] })
    : {};
  const cal = await schoolCalendar(deps, school.id);
  const asOf =
    deletion && deletion.date < deps.clock.today(school.timeZone)
      ? (deletion.date as PlainDate)
      : deps.clock.today(school.timeZone);
  const { facts } = await gatherFacts(deps.db, cal, school.id, asOf, school.policy.minPossibleSessions);
  const m = facts.find((f) => f.pupil.pupilId === pupilId)?.measures;
  const now = deps.clock.now();
  const pdf = await buildPdf(
    { title: 'Pupil moving from school', school: { name: school.name }, createdAt: now },
    (doc) => {
      doc.heading('Pupil moving from school', 1);
      doc.keyValues([
        ['Pupil', `${pupil.surname}, ${pupil.forename}`],
        ['UPN', pupil.upn],
        ['Date of birth', pupil.dateOfBirth ?? ''],
        ['Year group', pupil.yearGroup ?? ''],
        ['Address', [pupil.address, pupil.postcode].filter(Boolean).join('\n') || 'Not recorded'],
        ['Admitted', pupil.admissionDate],
        ['Leaving date', deletion?.date ?? 'Not yet deleted from the register'],
        ['Ground', details.groundTitle ?? ''],
        ['Destination', details.destination ?? 'Not known'],
        ['Reason and notes', deletion?.reason ?? ''],
        ['Local authority told', deletion?.la_notified_at ?? 'Not yet'],
        [
          'Attendance this year',
          m && m.possibleSessions > 0
            ? `${((1 - (m.authorisedAbsenceSessions + m.unauthorisedAbsenceSessions) / m.possibleSessions) * 100).toFixed(1)}% of ${m.possibleSessions} possible sessions (to ${asOf})`
            : 'No possible sessions',
        ],
      ]);
      doc.heading('Contacts', 2);
      doc.table(
        [{ header: 'Name' }, { header: 'Relationship' }, { header: 'Phone' }, { header: 'Email', width: 1.5 }],
        pupil.contacts.map((c) => [c.name, c.relationship, c.phone ?? '', c.email ?? '']),
      );
      if (details.evidence?.length) {
        doc.heading('Checks made', 2);
        for (const e of details.evidence) doc.paragraph(e);
      }
      doc.signature(['Completed by', 'Date']);
    },
  );
  await audit(deps.db, actor, now, {
    action: 'admission.movingForm',
    entityType: 'pupil',
    entityId: pupilId,
    pupilId,
    schoolId: school.id,
  });
  return { fileName: `${school.urn}-moving-from-school-${pupil.upn}.pdf`, pdf };
}
