/**
 * Editing an existing pupil's entry in the admission register (issue 15, item 5: the register of
 * record): every item regulation 8 of the 2024 regulations asks it to hold (register-items.ts),
 * read into one form and saved together. Each field is checked on its own and every problem
 * names its field; nothing is saved while any is wrong; every change is audited with what it was
 * and what it became; the register's "missing" flags follow from the stored items.
 *
 * Readings (docs/admission-register.md, "Editing a pupil's items"):
 * - An item the register holds cannot be emptied (the register of record does not lose what it
 *   holds); an item it lacks may stay blank and stays flagged as missing.
 * - The parents are the pupil's contacts that count as parents (register-items.ts); one more
 *   parent may be added from the form; a parent is not removed here (that is the contacts' own
 *   business in the MIS import or the pupil's record).
 * - A change of the starting day moves the pupil's `admission` entry with it; it may not fall
 *   after the pupil's leaving date.
 */
import { isPlainDate, type PlainDate } from '@rollcall/domain';
import { upsertAdmissionDetails } from '../../../db/duties/admission-register.js';
import {
  admissionDetailsOfPupil,
  insertContacts,
  registerContactsOfPupil,
  registerItemsOfPupil,
  setAdmissionEntryDate,
  updateContactItems,
  updatePupilItems,
} from '../../../db/duties/admissions.js';
import { pupilGroupIds } from '../../../db/pupils/pupils.js';
import { newId } from '../../../platform/ids.js';
import { audit } from '../../audit.js';
import { authorise, type Actor } from '../../authz.js';
import type { Deps } from '../../deps.js';
import { AppError, type FieldError } from '../../errors.js';
import { phoneProblem } from '../../exchange/import/files.js';
import { pupilResource } from '../../pupils/pupils.js';
import { getSchool, type School } from '../../school/schools.js';
import { isParent, registerPupil, type RegisterPupil } from './register-items.js';

/** One parent as the form holds them; `contactId` null is a parent added from the form. */
export interface ItemsParent {
  readonly contactId: string | null;
  readonly name: string;
  readonly relationship: string;
  readonly parentalResponsibility: boolean;
  readonly livesWithPupil: boolean;
  /** The parent lives at the pupil's address: their address follows the pupil's. */
  readonly sameAddress: boolean;
  readonly address: string;
  readonly postcode: string;
  readonly mobilePhone: string;
  readonly homePhone: string;
  readonly workPhone: string;
}

/** Every register item of one pupil, as typed (strings; blank is ''). */
export interface RegisterItemsInput {
  readonly surname: string;
  readonly forename: string;
  readonly otherForename: string;
  readonly otherSurname: string;
  /** `M`, `F` or ''. */
  readonly sex: string;
  readonly dateOfBirth: string;
  readonly address: string;
  readonly postcode: string;
  readonly startingDay: string;
  readonly parents: readonly ItemsParent[];
  /** `school`, `none` or '' (not recorded). */
  readonly lastSchool: string;
  readonly lastSchoolName: string;
  readonly lastSchoolAddress: string;
  /** `yes`, `no` or '' (the school has no boarders). */
  readonly boarder: string;
}

export interface RegisterItemsForm {
  readonly school: School;
  readonly pupil: RegisterPupil;
  readonly leavingDate: string | null;
  /** What is stored, in the form's shape (the form's starting values). */
  readonly values: RegisterItemsInput;
}

/** One changed item: the form field, what it was and what it is now. */
export interface ItemChange {
  readonly field: string;
  readonly before: string;
  readonly after: string;
}

const POSTCODE = /^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$/;

/** A postcode in capitals with one space; '' when blank; null when it is not a postcode. */
function tidyPostcode(raw: string): string | null {
  const v = raw.toUpperCase().replace(/\s+/g, ' ').trim();
  if (v === '') return '';
  const m = POSTCODE.exec(v);
  return m ? `${m[1]} ${m[2]}` : null;
}

const tidy = (v: string): string => v.replace(/\r\n?/g, '\n').trim();

async function loadAll(deps: Deps, actor: Actor, pupilId: string) {
  const row = await registerItemsOfPupil(deps.db, pupilId);
  if (!row) throw new AppError('PUPIL_NOT_FOUND', 'No such pupil.');
  const school = await getSchool(deps.db, row.school_id);
  authorise(actor, 'admissionRegister.edit', pupilResource(school, row.id, await pupilGroupIds(deps.db, row.id)));
  const contacts = await registerContactsOfPupil(deps.db, pupilId);
  const details = await admissionDetailsOfPupil(deps.db, pupilId);
  return { row, school, contacts, details };
}

type Loaded = Awaited<ReturnType<typeof loadAll>>;

function storedValues({ row, contacts, details }: Loaded): RegisterItemsInput {
  const parents = contacts.filter(isParent).map((c) => {
    const same = c.address === row.address && (c.postcode ?? '') === (row.postcode ?? '') && (row.address ?? '') !== '';
    return {
      contactId: c.id,
      name: c.name,
      relationship: c.relationship,
      parentalResponsibility: c.parental_responsibility === 1,
      livesWithPupil: c.lives_with_pupil === 1,
      sameAddress: same,
      address: c.address ?? '',
      postcode: c.postcode ?? '',
      mobilePhone: c.mobile_phone ?? '',
      homePhone: c.home_phone ?? '',
      workPhone: c.work_phone ?? '',
    };
  });
  const has = details?.has_last_school ?? null;
  return {
    surname: row.legal_surname,
    forename: row.legal_forename,
    otherForename: row.preferred_forename ?? '',
    otherSurname: row.preferred_surname ?? '',
    sex: row.gender ?? '',
    dateOfBirth: row.date_of_birth ?? '',
    address: row.address ?? '',
    postcode: row.postcode ?? '',
    startingDay: row.admission_date,
    parents,
    lastSchool: has === 0 ? 'none' : has === 1 ? 'school' : '',
    lastSchoolName: details?.last_school_name ?? '',
    lastSchoolAddress: details?.last_school_address ?? '',
    boarder: details?.boarder === 1 ? 'yes' : details?.boarder === 0 ? 'no' : '',
  };
}

/** The form to edit a pupil's register items, filled with what is stored. Authorised and audited (a read of contacts). */
export async function registerItemsForm(deps: Deps, actor: Actor, pupilId: string): Promise<RegisterItemsForm> {
  const loaded = await loadAll(deps, actor, pupilId);
  const { row, school, contacts, details } = loaded;
  await audit(deps.db, actor, deps.clock.now(), {
    action: 'admissionRegister.viewItems',
    entityType: 'pupil',
    entityId: row.id,
    pupilId: row.id,
    schoolId: school.id,
  });
  return {
    school,
    leavingDate: row.leaving_date,
    pupil: registerPupil(
      { ...row, year_group: null },
      contacts.map((c) => ({ ...c, pupil_id: row.id })),
      details,
    ),
    values: storedValues(loaded),
  };
}

/** Checks every field; each problem names its form field (`parent2Phone`…). */
function checkItems(
  input: RegisterItemsInput,
  stored: RegisterItemsInput,
  today: PlainDate,
  leavingDate: string | null,
) {
  const fields: FieldError[] = [];
  const err = (field: string, message: string) => fields.push({ field, message });
  /** A held item emptied. */
  const emptied = (now: string, before: string) => tidy(now) === '' && tidy(before) !== '';

  if (tidy(input.surname) === '') err('surname', 'Enter the pupil’s legal surname');
  if (tidy(input.forename) === '') err('forename', 'Enter the pupil’s legal forename');
  if (input.sex !== '' && input.sex !== 'M' && input.sex !== 'F') err('sex', 'Choose the pupil’s sex');
  else if (emptied(input.sex, stored.sex))
    err('sex', 'The register holds the pupil’s sex: choose it, it cannot be removed');
  const dob = tidy(input.dateOfBirth);
  if (dob !== '' && (!isPlainDate(dob) || dob >= today))
    err('dateOfBirth', 'Enter the pupil’s date of birth as a real date in the past');
  else if (emptied(dob, stored.dateOfBirth))
    err('dateOfBirth', 'The register holds the pupil’s date of birth: it cannot be removed');
  if (emptied(input.address, stored.address))
    err('address', 'The register holds the address where the pupil normally lives: it cannot be removed');
  const pc = tidyPostcode(input.postcode);
  if (pc === null) err('postcode', 'Enter a real postcode, like ZX1 2AB');
  else if (emptied(pc, stored.postcode))
    err('postcode', 'The register holds the pupil’s postcode: it cannot be removed');
  const start = tidy(input.startingDay);
  if (!isPlainDate(start))
    err('startingDay', 'Enter the starting day (the first day the pupil attended, or was to attend) as a date');
  else if (leavingDate !== null && start > leavingDate)
    err('startingDay', `The starting day cannot be after the pupil’s leaving date (${leavingDate})`);

  const byId = new Map(stored.parents.map((p) => [p.contactId, p]));
  input.parents.forEach((p, i) => {
    const n = i + 1;
    const before = p.contactId === null ? undefined : byId.get(p.contactId);
    const blank =
      p.contactId === null &&
      [p.name, p.relationship, p.address, p.postcode, p.mobilePhone, p.homePhone, p.workPhone].every(
        (v) => tidy(v) === '',
      );
    if (blank) return;
    if (p.contactId !== null && !before) {
      err(`parent${n}Name`, `Parent ${n} is not one of this pupil’s parents: reload the page and try again`);
      return;
    }
    if (tidy(p.name) === '') err(`parent${n}Name`, `Enter parent ${n}’s full name`);
    if (tidy(p.relationship) === '') err(`parent${n}Relationship`, `Enter parent ${n}’s relationship to the pupil`);
    if (!p.sameAddress) {
      if (tidy(p.address) === '' && (before === undefined || emptied(p.address, before.address)))
        err(`parent${n}Address`, `Enter parent ${n}’s address, or tick that it is the pupil’s`);
      const ppc = tidyPostcode(p.postcode);
      if (ppc === null) err(`parent${n}Postcode`, `Enter a real postcode for parent ${n}, like ZX1 2AB`);
      else if (ppc === '' && tidy(p.address) !== '' && (before === undefined || emptied(p.postcode, before.postcode)))
        err(`parent${n}Postcode`, `Enter the postcode of parent ${n}’s address`);
    }
    const phones = [
      ['Phone', 'mobile', p.mobilePhone, before?.mobilePhone ?? ''],
      ['HomePhone', 'home', p.homePhone, before?.homePhone ?? ''],
      ['WorkPhone', 'work', p.workPhone, before?.workPhone ?? ''],
    ] as const;
    for (const [suffix, kind, value, was] of phones) {
      const v = tidy(value);
      if (v !== '') {
        const why = phoneProblem(v);
        if (why) err(`parent${n}${suffix}`, `Parent ${n}’s ${kind} number ${why}`);
      }
      void was;
    }
    const anyPhone = phones.some(([, , v]) => tidy(v) !== '');
    const hadPhone = phones.some(([, , , was]) => tidy(was) !== '');
    if (p.livesWithPupil && !anyPhone && (before === undefined || hadPhone))
      err(`parent${n}Phone`, `Enter a telephone number to reach parent ${n} in an emergency`);
  });

  if (input.lastSchool === 'school') {
    if (tidy(input.lastSchoolName) === '')
      err('lastSchoolName', 'Enter the name of the school the pupil last attended');
    if (emptied(input.lastSchoolAddress, stored.lastSchool === 'school' ? stored.lastSchoolAddress : ''))
      err('lastSchoolAddress', 'The register holds the address of the school last attended: it cannot be removed');
  } else if (input.lastSchool === '' && stored.lastSchool !== '')
    err('lastSchoolName', 'Say which school the pupil last attended, or that there was none');
  else if (input.lastSchool !== 'none' && input.lastSchool !== '')
    err('lastSchoolName', 'Say which school the pupil last attended, or that there was none');
  if (input.boarder !== 'yes' && input.boarder !== 'no' && input.boarder !== '')
    err('boarder', 'Choose boarder or day pupil');
  else if (emptied(input.boarder, stored.boarder))
    err('boarder', 'The register holds whether the pupil boards: choose boarder or day pupil');
  return fields;
}

/** Lists what changed, field by field, in the form's names. */
function changesOf(before: RegisterItemsInput, after: RegisterItemsInput): ItemChange[] {
  const out: ItemChange[] = [];
  const scalar = [
    'surname',
    'forename',
    'otherForename',
    'otherSurname',
    'sex',
    'dateOfBirth',
    'address',
    'postcode',
    'startingDay',
    'lastSchool',
    'lastSchoolName',
    'lastSchoolAddress',
    'boarder',
  ] as const;
  for (const k of scalar) if (before[k] !== after[k]) out.push({ field: k, before: before[k], after: after[k] });
  const byId = new Map(before.parents.map((p) => [p.contactId, p]));
  after.parents.forEach((p, i) => {
    const was = p.contactId === null ? undefined : byId.get(p.contactId);
    const keys = [
      ['Name', 'name'],
      ['Relationship', 'relationship'],
      ['Responsibility', 'parentalResponsibility'],
      ['LivesWith', 'livesWithPupil'],
      ['Address', 'address'],
      ['Postcode', 'postcode'],
      ['Phone', 'mobilePhone'],
      ['HomePhone', 'homePhone'],
      ['WorkPhone', 'workPhone'],
    ] as const;
    for (const [suffix, key] of keys) {
      const a = String(was?.[key] ?? '');
      const b = String(p[key]);
      if (a !== b && !(was === undefined && (b === '' || b === 'false')))
        out.push({ field: `parent${i + 1}${suffix}`, before: a, after: b });
    }
  });
  return out;
}

/**
 * Saves a pupil's register items. Refused with every problem by field, nothing saved; otherwise
 * the changed items are written in one transaction and audited (`admissionRegister.edit`, each
 * change with before and after). Returns the changes (none: nothing written).
 */
export async function editRegisterItems(
  deps: Deps,
  actor: Actor,
  pupilId: string,
  input: RegisterItemsInput,
): Promise<{ changes: ItemChange[]; pupil: RegisterPupil }> {
  const loaded = await loadAll(deps, actor, pupilId);
  const { row, school } = loaded;
  const stored = storedValues(loaded);
  const fields = checkItems(input, stored, deps.clock.today(school.timeZone), row.leaving_date);
  if (fields.length) throw new AppError('VALIDATION', 'The admission register could not be updated.', { fields });

  const address = tidy(input.address);
  const postcode = tidyPostcode(input.postcode) ?? '';
  const after: RegisterItemsInput = {
    surname: tidy(input.surname),
    forename: tidy(input.forename),
    otherForename: tidy(input.otherForename),
    otherSurname: tidy(input.otherSurname),
    sex: input.sex,
    dateOfBirth: tidy(input.dateOfBirth),
    address,
    postcode,
    startingDay: tidy(input.startingDay),
    parents: input.parents
      .filter(
        (p) =>
          p.contactId !== null ||
          [p.name, p.relationship, p.address, p.postcode, p.mobilePhone, p.homePhone, p.workPhone].some(
            (v) => tidy(v) !== '',
          ),
      )
      .map((p) => ({
        ...p,
        name: tidy(p.name),
        relationship: tidy(p.relationship),
        address: p.sameAddress ? address : tidy(p.address),
        postcode: p.sameAddress ? postcode : (tidyPostcode(p.postcode) ?? ''),
        mobilePhone: tidy(p.mobilePhone),
        homePhone: tidy(p.homePhone),
        workPhone: tidy(p.workPhone),
        sameAddress: false,
      })),
    lastSchool: input.lastSchool,
    lastSchoolName: input.lastSchool === 'school' ? tidy(input.lastSchoolName) : '',
    lastSchoolAddress: input.lastSchool === 'school' ? tidy(input.lastSchoolAddress) : '',
    boarder: input.boarder,
  };
  const comparable = { ...stored, parents: stored.parents.map((p) => ({ ...p, sameAddress: false })) };
  const changes = changesOf(comparable, after);
  const now = deps.clock.now();
  if (changes.length > 0) {
    const nul = (v: string): string | null => (v === '' ? null : v);
    await deps.db.transaction().execute(async (trx) => {
      await updatePupilItems(trx, row.id, {
        legal_surname: after.surname,
        legal_forename: after.forename,
        preferred_forename: nul(after.otherForename),
        preferred_surname: nul(after.otherSurname),
        gender: nul(after.sex),
        date_of_birth: nul(after.dateOfBirth),
        address: nul(after.address),
        postcode: nul(after.postcode),
        admission_date: after.startingDay,
      });
      if (after.startingDay !== stored.startingDay) await setAdmissionEntryDate(trx, row.id, after.startingDay);
      const nextPriority = Math.max(0, ...loaded.contacts.map((c) => c.priority)) + 1;
      const added = after.parents.filter((p) => p.contactId === null);
      for (const p of after.parents) {
        if (p.contactId === null) continue;
        await updateContactItems(trx, row.id, p.contactId, {
          name: p.name,
          relationship: p.relationship,
          parental_responsibility: p.parentalResponsibility ? 1 : 0,
          lives_with_pupil: p.livesWithPupil ? 1 : 0,
          address: nul(p.address),
          postcode: nul(p.postcode),
          mobile_phone: nul(p.mobilePhone),
          home_phone: nul(p.homePhone),
          work_phone: nul(p.workPhone),
        });
      }
      await insertContacts(
        trx,
        added.map((p, i) => ({
          id: newId(),
          pupil_id: row.id,
          name: p.name,
          relationship: p.relationship,
          parental_responsibility: p.parentalResponsibility ? 1 : 0,
          lives_with_pupil: p.livesWithPupil ? 1 : 0,
          priority: nextPriority + i,
          mobile_phone: nul(p.mobilePhone),
          home_phone: nul(p.homePhone),
          work_phone: nul(p.workPhone),
          email: null,
          address: nul(p.address),
          postcode: nul(p.postcode),
          preferred_language: null,
          restriction: null,
        })),
      );
      const detailsChanged = changes.some((c) => c.field.startsWith('lastSchool') || c.field === 'boarder');
      if (detailsChanged) {
        await upsertAdmissionDetails(trx, [
          {
            pupil_id: row.id,
            has_last_school: after.lastSchool === 'none' ? 0 : after.lastSchool === 'school' ? 1 : null,
            last_school_name: nul(after.lastSchoolName),
            last_school_address: nul(after.lastSchoolAddress),
            boarder: after.boarder === 'yes' ? 1 : after.boarder === 'no' ? 0 : null,
            updated_at: now,
          },
        ]);
      }
      await audit(trx, actor, now, {
        action: 'admissionRegister.edit',
        entityType: 'pupil',
        entityId: row.id,
        pupilId: row.id,
        schoolId: school.id,
        details: { changes },
      });
    });
  }
  const fresh = await loadAll(deps, actor, pupilId);
  return {
    changes,
    pupil: registerPupil(
      { ...fresh.row, year_group: null },
      fresh.contacts.map((c) => ({ ...c, pupil_id: row.id })),
      fresh.details,
    ),
  };
}
