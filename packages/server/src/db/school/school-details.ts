/**
 * Queries for a school's own details (services/school/school-details.ts): its postal address,
 * telephone, email, headteacher and attendance lead, and its logo. The letterhead of a letter
 * reads the same row (services/casework/letters).
 */
import type { DbOrTrx } from '../connect.js';

/** The columns of a school's details, as stored. */
export interface SchoolDetailsColumns {
  readonly address: string | null;
  readonly postcode: string | null;
  readonly phone: string | null;
  readonly email: string | null;
  readonly headteacher_name: string | null;
  readonly attendance_lead_name: string | null;
  readonly estab: string | null;
}

/** A school's details row, or undefined when there is no such school. */
export function schoolDetailsRow(db: DbOrTrx, schoolId: string) {
  return db
    .selectFrom('schools')
    .select([
      'id',
      'name',
      'address',
      'postcode',
      'phone',
      'email',
      'headteacher_name',
      'attendance_lead_name',
      'estab',
      'la_code',
    ])
    .where('id', '=', schoolId)
    .executeTakeFirst();
}

/** Writes the given detail columns of a school (those absent are left as they are). */
export async function updateSchoolDetails(
  db: DbOrTrx,
  schoolId: string,
  set: Partial<SchoolDetailsColumns>,
): Promise<void> {
  await db.updateTable('schools').set(set).where('id', '=', schoolId).execute();
}

/** The school's letterhead: name, address, telephone, email and logo. */
export function letterheadRow(db: DbOrTrx, schoolId: string) {
  return db
    .selectFrom('schools')
    .select(['name', 'address', 'postcode', 'phone', 'email', 'logo_base64', 'logo_type'])
    .where('id', '=', schoolId)
    .executeTakeFirstOrThrow();
}

/** The school's stored logo (base64) and its type, or nulls. */
export function schoolLogoRow(db: DbOrTrx, schoolId: string) {
  return db
    .selectFrom('schools')
    .select(['logo_base64', 'logo_type'])
    .where('id', '=', schoolId)
    .executeTakeFirstOrThrow();
}

/** Sets or clears the school's logo. */
export async function setSchoolLogo(
  db: DbOrTrx,
  schoolId: string,
  logo: { base64: string; type: string } | null,
): Promise<void> {
  await db
    .updateTable('schools')
    .set({ logo_base64: logo?.base64 ?? null, logo_type: logo?.type ?? null })
    .where('id', '=', schoolId)
    .execute();
}
