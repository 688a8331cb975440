/**
 * The schools table, and each school's terms and closures. The rows as stored: the services turn
 * them into a `School` with its policy parsed and a compiled calendar (services/school/schools.ts).
 */
import type { DbOrTrx } from '../connect.js';

/** A school's row (the columns the services read). */
export interface SchoolRow {
  readonly id: string;
  readonly urn: string;
  readonly name: string;
  readonly phase: string;
  readonly la_code: string;
  readonly la_name: string;
  readonly estab?: string | null;
  readonly trust_id: string | null;
  readonly time_zone: string;
  readonly policy_json: string;
}

const COLUMNS = [
  'id',
  'urn',
  'name',
  'phase',
  'la_code',
  'la_name',
  'estab',
  'trust_id',
  'time_zone',
  'policy_json',
] as const;

export async function findSchoolRow(db: DbOrTrx, id: string): Promise<SchoolRow | undefined> {
  return db.selectFrom('schools').select(COLUMNS).where('id', '=', id).executeTakeFirst();
}

export async function findSchoolRowByUrn(db: DbOrTrx, urn: string): Promise<SchoolRow | undefined> {
  return db.selectFrom('schools').select(COLUMNS).where('urn', '=', urn).executeTakeFirst();
}

export async function listSchoolRows(db: DbOrTrx): Promise<SchoolRow[]> {
  return db.selectFrom('schools').select(COLUMNS).orderBy('name').execute();
}

/** The school's policy document as stored (JSON text). */
export async function readPolicyJson(db: DbOrTrx, schoolId: string): Promise<string> {
  const row = await db.selectFrom('schools').select('policy_json').where('id', '=', schoolId).executeTakeFirstOrThrow();
  return row.policy_json;
}

/** Stores the school's policy document (JSON text, checked by the caller). */
export async function writePolicyJson(db: DbOrTrx, schoolId: string, json: string): Promise<void> {
  await db.updateTable('schools').set({ policy_json: json }).where('id', '=', schoolId).execute();
}

/** The school's terms and closures as stored, in date order. */
export async function calendarRows(db: DbOrTrx, schoolId: string) {
  const [terms, closures] = await Promise.all([
    db
      .selectFrom('terms')
      .select(['name', 'start_date', 'end_date'])
      .where('school_id', '=', schoolId)
      .orderBy('start_date')
      .execute(),
    db
      .selectFrom('closures')
      .select(['date', 'session', 'reason'])
      .where('school_id', '=', schoolId)
      .orderBy('date')
      .execute(),
  ]);
  return { terms, closures };
}

/** The terms and closures of several schools (`calendarRows` for each, in two queries). */
export async function calendarRowsOfSchools(db: DbOrTrx, schoolIds: readonly string[]) {
  if (schoolIds.length === 0) return { terms: [], closures: [] };
  const [terms, closures] = await Promise.all([
    db
      .selectFrom('terms')
      .select(['school_id', 'name', 'start_date', 'end_date'])
      .where('school_id', 'in', [...schoolIds])
      .orderBy('school_id')
      .orderBy('start_date')
      .execute(),
    db
      .selectFrom('closures')
      .select(['school_id', 'date', 'session', 'reason'])
      .where('school_id', 'in', [...schoolIds])
      .orderBy('school_id')
      .orderBy('date')
      .execute(),
  ]);
  return { terms, closures };
}

/** The ids of every school, in id order. */
export async function listSchoolIds(db: DbOrTrx): Promise<string[]> {
  return (await db.selectFrom('schools').select('id').orderBy('id').execute()).map((r) => r.id);
}

/** A trust's name; undefined when there is no such trust. */
export async function findTrustName(db: DbOrTrx, trustId: string): Promise<string | undefined> {
  return (await db.selectFrom('trusts').select('name').where('id', '=', trustId).executeTakeFirst())?.name;
}
