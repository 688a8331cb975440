/**
 * What the admission register holds for each pupil on roll, and which of it is missing: the
 * items of regulation 8 of The School Attendance (Pupil Registration) (England) Regulations 2024
 * as Rollcall reads them (docs/admission-register.md, "The register of record").
 *
 * Where each item lives: names, sex, date of birth, address and starting day on the pupil; the
 * parents (name, address, telephone, whether the pupil normally lives with them) in the
 * contacts; the school last attended and boarding in `pupil_admission_details`.
 *
 * Readings: a parent is a contact with parental responsibility or a parent's relationship
 * (mother, father, parent, step-, foster or adoptive parent, carer, guardian); a contact at the
 * pupil's own address (same address and postcode) is one the pupil lives with, as is one marked
 * so; a parent's address is their own or, when none is recorded, taken to be the pupil's only
 * when they live with the pupil; the telephone number is asked of each parent the pupil lives
 * with; "last school, if any" is recorded either as a school (a name at least) or as none.
 */
import type {
  AdmissionDetailsRow,
  RegisterContactRow,
  RegisterPupilRow,
} from '../../../db/duties/admission-register.js';

/** The register's items, in the order the page shows them; the key names the item in messages. */
export const REGISTER_ITEMS = {
  names: 'legal surname and forename',
  sex: 'sex',
  dateOfBirth: 'date of birth',
  address: "pupil's address and postcode",
  parents: "parent's name",
  parentAddress: "parents' addresses",
  livesWith: 'which parent the pupil normally lives with',
  parentPhone: 'telephone number of each parent the pupil lives with',
  startingDay: 'starting day (day of admission)',
  lastSchool: 'school last attended (or none)',
} as const;
export type RegisterItem = keyof typeof REGISTER_ITEMS;

const PARENT_WORDS =
  /^(mother|father|parent|mum|dad|step-?(mother|father|parent)|foster (mother|father|carer|parent)|adoptive (mother|father|parent)|carer|guardian|legal guardian|pam|paf)$/i;

export function isParent(c: Pick<RegisterContactRow, 'relationship' | 'parental_responsibility'>): boolean {
  return c.parental_responsibility === 1 || PARENT_WORDS.test(c.relationship.trim());
}

function livesWith(pupil: RegisterPupilRow, c: RegisterContactRow): boolean {
  if (c.lives_with_pupil === 1) return true;
  return c.address !== null && c.address === pupil.address && (c.postcode ?? '') === (pupil.postcode ?? '');
}

export interface RegisterParent {
  readonly name: string;
  readonly relationship: string;
  readonly address: string | null;
  readonly postcode: string | null;
  readonly phones: readonly string[];
  readonly livesWithPupil: boolean;
}

export interface RegisterPupil {
  readonly id: string;
  readonly upn: string;
  readonly surname: string;
  readonly forename: string;
  /** Any other name the pupil is known by (preferred names that differ from the legal ones). */
  readonly otherNames: string | null;
  readonly sex: string | null;
  readonly dateOfBirth: string | null;
  readonly address: string | null;
  readonly postcode: string | null;
  readonly startingDay: string;
  readonly yearGroup: string | null;
  readonly parents: readonly RegisterParent[];
  /** 'none' (first school), the school's name (and address), or null (not recorded). */
  readonly lastSchool: { readonly name: string; readonly address: string | null } | 'none' | null;
  readonly boarder: boolean | null;
  readonly missing: readonly RegisterItem[];
}

/** One pupil's register entry: what is held and what is missing. */
export function registerPupil(
  p: RegisterPupilRow,
  contacts: readonly RegisterContactRow[],
  details: AdmissionDetailsRow | undefined,
): RegisterPupil {
  const parents: RegisterParent[] = contacts.filter(isParent).map((c) => {
    const lives = livesWith(p, c);
    const ownAddress = c.address !== null && c.address.trim() !== '';
    return {
      name: c.name,
      relationship: c.relationship,
      address: ownAddress ? c.address : lives ? p.address : null,
      postcode: ownAddress ? c.postcode : lives ? p.postcode : null,
      phones: [c.mobile_phone, c.home_phone, c.work_phone].filter((x): x is string => x !== null && x.trim() !== ''),
      livesWithPupil: lives,
    };
  });
  const missing: RegisterItem[] = [];
  if (p.legal_surname.trim() === '' || p.legal_forename.trim() === '') missing.push('names');
  if (p.gender === null || p.gender === '') missing.push('sex');
  if (p.date_of_birth === null || p.date_of_birth === '') missing.push('dateOfBirth');
  if (!p.address || !p.postcode) missing.push('address');
  if (parents.length === 0) missing.push('parents');
  else {
    if (parents.some((x) => !x.address)) missing.push('parentAddress');
    const living = parents.filter((x) => x.livesWithPupil);
    if (living.length === 0) missing.push('livesWith');
    else if (living.some((x) => x.phones.length === 0)) missing.push('parentPhone');
  }
  if (!p.admission_date) missing.push('startingDay');
  const has = details?.has_last_school ?? null;
  const lastSchool =
    has === 0
      ? ('none' as const)
      : has === 1 && details?.last_school_name
        ? { name: details.last_school_name, address: details.last_school_address }
        : null;
  if (lastSchool === null) missing.push('lastSchool');
  const other = [p.preferred_forename ?? p.legal_forename, p.preferred_surname ?? p.legal_surname].join(' ');
  return {
    id: p.id,
    upn: p.upn,
    surname: p.legal_surname,
    forename: p.legal_forename,
    otherNames: other !== `${p.legal_forename} ${p.legal_surname}` ? other : null,
    sex: p.gender,
    dateOfBirth: p.date_of_birth,
    address: p.address,
    postcode: p.postcode,
    startingDay: p.admission_date,
    yearGroup: p.year_group,
    parents,
    lastSchool,
    boarder: details?.boarder === null || details?.boarder === undefined ? null : details.boarder === 1,
    missing,
  };
}
