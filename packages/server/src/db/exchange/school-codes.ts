/**
 * A school's own attendance codes and the national code each stands for (issue 15, item 4;
 * docs/mis-import.md, "A school's own codes"). Called by services/exchange/import/school-codes.ts.
 */
import type { DbOrTrx } from '../connect.js';

export interface SchoolCodeRow {
  readonly schoolCode: string;
  readonly code: string;
  readonly meaning: string | null;
  readonly updatedAt: string;
  readonly updatedByName: string;
}

/** The school's codes, in code order. */
export async function listSchoolCodes(db: DbOrTrx, schoolId: string): Promise<SchoolCodeRow[]> {
  const rows = await db
    .selectFrom('school_codes')
    .select(['school_code', 'code', 'meaning', 'updated_at', 'updated_by_name'])
    .where('school_id', '=', schoolId)
    .orderBy('school_code')
    .execute();
  return rows.map((r) => ({
    schoolCode: r.school_code,
    code: r.code,
    meaning: r.meaning,
    updatedAt: r.updated_at,
    updatedByName: r.updated_by_name,
  }));
}

/** Adds the school's code, or changes what it stands for. */
export async function upsertSchoolCode(
  db: DbOrTrx,
  schoolId: string,
  row: { schoolCode: string; code: string; meaning: string | null; at: string; byName: string },
): Promise<void> {
  await db
    .insertInto('school_codes')
    .values({
      school_id: schoolId,
      school_code: row.schoolCode,
      code: row.code,
      meaning: row.meaning,
      updated_at: row.at,
      updated_by_name: row.byName,
    })
    .onConflict((oc) =>
      oc.columns(['school_id', 'school_code']).doUpdateSet({
        code: row.code,
        meaning: row.meaning,
        updated_at: row.at,
        updated_by_name: row.byName,
      }),
    )
    .execute();
}

/** Removes the school's code; true when there was one. */
export async function deleteSchoolCode(db: DbOrTrx, schoolId: string, schoolCode: string): Promise<boolean> {
  const r = await db
    .deleteFrom('school_codes')
    .where('school_id', '=', schoolId)
    .where('school_code', '=', schoolCode)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}
