/**
 * A school's own details: postal address and postcode, office telephone and email, the
 * headteacher's name and the attendance lead's name. Letters merge `{{school.address}}` from
 * them, PDFs print the address under the school's name, and the attendance certificate and
 * evidence packs name the headteacher on the sign-off line. Seen and edited by senior leaders
 * and administrators (`school.editDetails`) on `/school/details`; every change audited.
 */
import { getSchool } from './schools.js';
import type { DbOrTrx } from '../../db/connect.js';
import { schoolDetailsRow, schoolLogoRow, setSchoolLogo, updateSchoolDetails } from '../../db/school/school-details.js';
import { checkImage, IMAGE_MAX_BYTES, type ImageType } from '../../platform/images.js';
import { audit } from '../audit.js';
import { authorise, type Actor } from '../authz.js';
import type { Deps } from '../deps.js';
import { AppError, type FieldError } from '../errors.js';

export interface SchoolDetails {
  readonly schoolId: string;
  readonly name: string;
  /** The local authority's 3-digit number (not edited here). */
  readonly laCode: string;
  /** Address lines separated by newlines, without the postcode. */
  readonly address: string | null;
  readonly postcode: string | null;
  readonly phone: string | null;
  readonly email: string | null;
  readonly headteacherName: string | null;
  readonly attendanceLeadName: string | null;
  /** The 4-digit DfE establishment number: with the LA code, the school's DfE number (a CTF names schools by it). */
  readonly estab: string | null;
}

/** What the details form sends: every field as typed (empty means "not given"). */
export interface SchoolDetailsInput {
  readonly address?: string | undefined;
  readonly postcode?: string | undefined;
  readonly phone?: string | undefined;
  readonly email?: string | undefined;
  readonly headteacherName?: string | undefined;
  readonly attendanceLeadName?: string | undefined;
  readonly estab?: string | undefined;
}

export const SCHOOL_DETAIL_FIELDS = [
  'address',
  'postcode',
  'phone',
  'email',
  'headteacherName',
  'attendanceLeadName',
  'estab',
] as const;
export type SchoolDetailField = (typeof SCHOOL_DETAIL_FIELDS)[number];

const COLUMN: Record<
  SchoolDetailField,
  'address' | 'postcode' | 'phone' | 'email' | 'headteacher_name' | 'attendance_lead_name' | 'estab'
> = {
  address: 'address',
  postcode: 'postcode',
  phone: 'phone',
  email: 'email',
  headteacherName: 'headteacher_name',
  attendanceLeadName: 'attendance_lead_name',
  estab: 'estab',
};

/** The details of a school, without a permission check (for letters, certificates and packs). */
export async function schoolDetailsOf(db: DbOrTrx, schoolId: string): Promise<SchoolDetails> {
  const row = await schoolDetailsRow(db, schoolId);
  if (!row) throw new AppError('NOT_FOUND', `No school with id ${schoolId}.`);
  return {
    schoolId: row.id,
    name: row.name,
    laCode: row.la_code,
    address: row.address,
    postcode: row.postcode,
    phone: row.phone,
    email: row.email,
    headteacherName: row.headteacher_name,
    attendanceLeadName: row.attendance_lead_name,
    estab: row.estab,
  };
}

/** The postal address: one line per part, postcode last; null when nothing is stored. */
export function schoolPostalAddress(d: Pick<SchoolDetails, 'address' | 'postcode'>): string | null {
  const lines = [...(d.address ?? '').split('\n'), d.postcode ?? ''].map((l) => l.trim()).filter((l) => l !== '');
  return lines.length > 0 ? lines.join('\n') : null;
}

const POSTCODE = /^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Checks and tidies what was typed. Every problem names its field. An empty field is stored as
 * "not given" (null). The address needs a postcode and the postcode an address.
 */
export function checkSchoolDetails(input: SchoolDetailsInput): {
  values: Record<SchoolDetailField, string | null>;
  errors: FieldError[];
} {
  const errors: FieldError[] = [];
  const oneLine = (field: SchoolDetailField, label: string, max: number): string | null => {
    const v = (input[field] ?? '').trim().replace(/\s+/g, ' ');
    if (v === '') return null;
    if (v.length > max) errors.push({ field, message: `${label} must be ${max} characters or fewer.` });
    return v;
  };
  const lines = (input.address ?? '')
    .split(/\r?\n/)
    .map((l) => l.trim().replace(/\s+/g, ' '))
    .filter((l) => l !== '');
  const address = lines.length > 0 ? lines.join('\n') : null;
  if (lines.length > 6) errors.push({ field: 'address', message: 'Enter the address in 6 lines or fewer.' });
  if (lines.some((l) => l.length > 100))
    errors.push({ field: 'address', message: 'Each line of the address must be 100 characters or fewer.' });
  const rawPostcode = (input.postcode ?? '').trim().toUpperCase().replace(/\s+/g, ' ');
  let postcode: string | null = null;
  if (rawPostcode !== '') {
    const m = POSTCODE.exec(rawPostcode);
    if (!m) errors.push({ field: 'postcode', message: 'Enter a real postcode, like ZX1 2AB.' });
    else postcode = `${m[1]} ${m[2]}`;
  }
  if (address !== null && rawPostcode === '')
    errors.push({ field: 'postcode', message: 'Enter the postcode of the address.' });
  if (address === null && rawPostcode !== '')
    errors.push({ field: 'address', message: 'Enter the address the postcode belongs to.' });
  const phone = oneLine('phone', 'The telephone number', 30);
  if (phone !== null) {
    const digits = phone.replace(/\D/g, '');
    if (!/^\+?[0-9 ()-]+$/.test(phone) || digits.length < 10 || digits.length > 15)
      errors.push({ field: 'phone', message: 'Enter a telephone number, like 01234 567890.' });
  }
  const email = oneLine('email', 'The email address', 200);
  if (email !== null && !EMAIL.test(email))
    errors.push({ field: 'email', message: 'Enter an email address in the correct format, like office@example.org.' });
  const headteacherName = oneLine('headteacherName', "The headteacher's name", 100);
  const attendanceLeadName = oneLine('attendanceLeadName', "The attendance lead's name", 100);
  const estab = oneLine('estab', 'The DfE establishment number', 4);
  if (estab !== null && !/^\d{4}$/.test(estab))
    errors.push({ field: 'estab', message: 'Enter the 4-digit DfE establishment number, like 2001.' });
  return {
    values: {
      address,
      postcode,
      phone,
      email: email === null ? null : email,
      headteacherName,
      attendanceLeadName,
      estab,
    },
    errors,
  };
}

/** The school's details for its details page. */
export async function viewSchoolDetails(deps: Deps, actor: Actor, schoolId: string): Promise<SchoolDetails> {
  const school = await getSchool(deps.db, schoolId);
  authorise(actor, 'school.editDetails', { kind: 'school', ...school });
  return schoolDetailsOf(deps.db, school.id);
}

/**
 * Saves the school's details after checking them (VALIDATION with every problem by field).
 * Audited `school.details` with the fields that changed (names of fields, not their values).
 */
export async function saveSchoolDetails(
  deps: Deps,
  actor: Actor,
  schoolId: string,
  input: SchoolDetailsInput,
): Promise<{ details: SchoolDetails; changed: SchoolDetailField[] }> {
  const school = await getSchool(deps.db, schoolId);
  authorise(actor, 'school.editDetails', { kind: 'school', ...school });
  const { values, errors } = checkSchoolDetails(input);
  if (errors.length > 0)
    throw new AppError('VALIDATION', 'The school details have problems: see each field.', { fields: errors });
  return deps.db.transaction().execute(async (trx) => {
    const before = await schoolDetailsOf(trx, school.id);
    const changed = SCHOOL_DETAIL_FIELDS.filter((f) => before[f] !== values[f]);
    if (changed.length > 0) {
      await updateSchoolDetails(trx, school.id, {
        address: values.address,
        postcode: values.postcode,
        phone: values.phone,
        email: values.email,
        headteacher_name: values.headteacherName,
        attendance_lead_name: values.attendanceLeadName,
        estab: values.estab,
      });
      await audit(trx, actor, deps.clock.now(), {
        action: 'school.details',
        entityType: 'school',
        entityId: school.id,
        schoolId: school.id,
        details: { changed },
      });
    }
    return { details: await schoolDetailsOf(trx, school.id), changed };
  });
}

/** The school's logo as stored, for its details page (`school.editDetails`), or null. */
export async function viewSchoolLogo(
  deps: Deps,
  actor: Actor,
  schoolId: string,
): Promise<{ bytes: Buffer; type: ImageType } | null> {
  const school = await getSchool(deps.db, schoolId);
  authorise(actor, 'school.editDetails', { kind: 'school', ...school });
  const row = await schoolLogoRow(deps.db, school.id);
  if (!row.logo_base64) return null;
  return {
    bytes: Buffer.from(row.logo_base64, 'base64'),
    type: row.logo_type === 'image/jpeg' ? 'image/jpeg' : 'image/png',
  };
}

/** A file as uploaded: its bytes and whether the upload was cut off at the size limit. */
export interface LogoUpload {
  readonly bytes: Buffer;
  /** True when the file was larger than the limit (only the first part was read). */
  readonly truncated: boolean;
}

/**
 * Stores the school's logo, printed at the top right of every letter's letterhead. PNG or JPEG
 * only, recognised by its bytes, at most 512 KB and 16 to 2,000 pixels each way, and whole (see
 * platform/images.ts); otherwise VALIDATION naming the field `logo`, and nothing changes.
 * Audited `school.logo` with the type, size and dimensions.
 */
export async function saveSchoolLogo(
  deps: Deps,
  actor: Actor,
  schoolId: string,
  upload: LogoUpload | null,
): Promise<{ type: ImageType; width: number; height: number }> {
  const school = await getSchool(deps.db, schoolId);
  authorise(actor, 'school.editDetails', { kind: 'school', ...school });
  const refuse = (message: string) =>
    new AppError('VALIDATION', `The logo cannot be used: ${message}`, { fields: [{ field: 'logo', message }] });
  if (upload === null || upload.bytes.length === 0) throw refuse('Choose a PNG or JPEG file of the logo.');
  if (upload.truncated) throw refuse(`The image must be ${IMAGE_MAX_BYTES / 1024} KB or smaller; this file is larger.`);
  const checked = checkImage(upload.bytes);
  if (!checked.ok) throw refuse(checked.message);
  const { type, width, height } = checked;
  await deps.db.transaction().execute(async (trx) => {
    await setSchoolLogo(trx, school.id, { base64: upload.bytes.toString('base64'), type });
    await audit(trx, actor, deps.clock.now(), {
      action: 'school.logo',
      entityType: 'school',
      entityId: school.id,
      schoolId: school.id,
      details: { type, width, height, bytes: upload.bytes.length },
    });
  });
  return { type, width, height };
}

/** Removes the school's logo (letters print without one from then on). Audited `school.logoRemove`. */
export async function removeSchoolLogo(deps: Deps, actor: Actor, schoolId: string): Promise<{ removed: boolean }> {
  const school = await getSchool(deps.db, schoolId);
  authorise(actor, 'school.editDetails', { kind: 'school', ...school });
  return deps.db.transaction().execute(async (trx) => {
    const row = await schoolLogoRow(trx, school.id);
    if (!row.logo_base64) return { removed: false };
    await setSchoolLogo(trx, school.id, null);
    await audit(trx, actor, deps.clock.now(), {
      action: 'school.logoRemove',
      entityType: 'school',
      entityId: school.id,
      schoolId: school.id,
    });
    return { removed: true };
  });
}

/** Sets a school's details without a permission check or audit (the demo loader, imports). */
export async function setSchoolDetails(db: DbOrTrx, schoolId: string, input: SchoolDetailsInput): Promise<void> {
  const { values, errors } = checkSchoolDetails(input);
  if (errors.length > 0)
    throw new AppError('VALIDATION', 'The school details have problems: see each field.', { fields: errors });
  const set: Partial<Record<(typeof COLUMN)[SchoolDetailField], string | null>> = {};
  for (const f of SCHOOL_DETAIL_FIELDS) set[COLUMN[f]] = values[f];
  await updateSchoolDetails(db, schoolId, set);
}
