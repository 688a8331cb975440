/**
 * A school's own attendance codes (issue 15, item 4). MIS let schools define codes of their own
 * (SIMS "additional codes", Arbor and Bromcom custom marks), which a marks export then carries in
 * place of the national code. A school keeps here which national code each of its codes stands
 * for; `rollcall import --marks` reads every mark through this table, and a code that is neither
 * national nor listed is reported on its line. See docs/mis-import.md, "A school's own codes".
 *
 * Readings: a school code may not be a national code of either set (the national meaning always
 * wins); it stands for one national code of the 2024 set, checked against the mark's date like
 * any other code; codes are compared in capitals, with the spaces around them dropped.
 */
import { CODE_TABLE, CURRENT_CODES, isKnownCode } from '@rollcall/domain';
import { getSchool, type School } from '../../school/schools.js';
import {
  deleteSchoolCode as deleteRow,
  listSchoolCodes as listRows,
  upsertSchoolCode,
  type SchoolCodeRow,
} from '../../../db/exchange/school-codes.js';
import type { DbOrTrx } from '../../../db/connect.js';
import { audit } from '../../audit.js';
import { authorise, type Actor, type Resource } from '../../authz.js';
import type { Deps } from '../../deps.js';
import { AppError, type FieldError } from '../../errors.js';

export type { SchoolCodeRow } from '../../../db/exchange/school-codes.js';

/** The longest school code accepted (SIMS allows up to 4 characters; room to spare). */
export const SCHOOL_CODE_MAX = 10;

function resourceOf(school: School): Resource {
  return { kind: 'school', schoolId: school.id, trustId: school.trustId, laCode: school.laCode };
}

/** A school code as stored and compared: trimmed, in capitals. */
export function normaliseSchoolCode(raw: string): string {
  return raw.trim().toUpperCase();
}

/** The national codes a school code may stand for (the 2024 set). */
export const NATIONAL_TARGETS: readonly { code: string; meaning: string }[] = CURRENT_CODES.map((d) => ({
  code: d.code,
  meaning: d.meaning,
}));
const TARGETS = new Set(NATIONAL_TARGETS.map((t) => t.code));

/** The school's codes, as a map for the import (school code → national code). */
export async function schoolCodeMap(db: DbOrTrx, schoolId: string): Promise<Map<string, string>> {
  return new Map((await listRows(db, schoolId)).map((r) => [r.schoolCode, r.code]));
}

/** The school's codes. Administrators of the school. */
export async function listSchoolCodes(
  deps: Pick<Deps, 'db'>,
  actor: Actor,
  schoolId: string,
): Promise<{ school: School; codes: SchoolCodeRow[] }> {
  const school = await getSchool(deps.db, schoolId);
  authorise(actor, 'school.administer', resourceOf(school));
  return { school, codes: await listRows(deps.db, school.id) };
}

export interface SchoolCodeInput {
  readonly schoolId: string;
  /** The school's own code as its MIS writes it. */
  readonly schoolCode: string;
  /** The national code it stands for. */
  readonly code: string;
  readonly meaning?: string | null | undefined;
}

/** The problems with a school code, each naming its field (`schoolCode`, `code`, `meaning`). */
export function checkSchoolCode(input: Omit<SchoolCodeInput, 'schoolId'>): FieldError[] {
  const fields: FieldError[] = [];
  const own = normaliseSchoolCode(input.schoolCode);
  const target = input.code.trim().toUpperCase();
  if (own === '') fields.push({ field: 'schoolCode', message: 'Enter the school’s own code, as the MIS writes it' });
  else if (own.length > SCHOOL_CODE_MAX)
    fields.push({ field: 'schoolCode', message: `The school’s code is at most ${SCHOOL_CODE_MAX} characters` });
  else if (/[\s,;"]/.test(own))
    fields.push({ field: 'schoolCode', message: 'The school’s code cannot hold spaces, commas, semicolons or quotes' });
  else if (isKnownCode(own)) {
    const meaning = CODE_TABLE.find((d) => d.code === own)?.meaning ?? '';
    fields.push({
      field: 'schoolCode',
      message: `"${own}" is a national code (${meaning}): it always keeps its national meaning and cannot be redefined`,
    });
  }
  if (target === '') fields.push({ field: 'code', message: 'Choose the national code it stands for' });
  else if (!TARGETS.has(target)) {
    fields.push({
      field: 'code',
      message: `"${target}" is not a national code in force (one of ${NATIONAL_TARGETS.map((t) => t.code).join(' ')})`,
    });
  }
  if ((input.meaning ?? '').length > 200)
    fields.push({ field: 'meaning', message: 'The description is at most 200 characters' });
  return fields;
}

/** Adds or changes one of the school's codes. Administrators of the school; audited. */
export async function setSchoolCode(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Actor,
  input: SchoolCodeInput,
): Promise<void> {
  const school = await getSchool(deps.db, input.schoolId);
  authorise(actor, 'school.administer', resourceOf(school));
  const fields = checkSchoolCode(input);
  if (fields.length > 0) throw new AppError('VALIDATION', 'The school code was not saved.', { fields });
  const schoolCode = normaliseSchoolCode(input.schoolCode);
  const code = input.code.trim().toUpperCase();
  const meaning = input.meaning?.trim() || null;
  const at = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    const before = (await listRows(trx, school.id)).find((r) => r.schoolCode === schoolCode);
    await upsertSchoolCode(trx, school.id, { schoolCode, code, meaning, at, byName: actor.name });
    await audit(trx, actor, at, {
      action: before ? 'schoolCodes.change' : 'schoolCodes.add',
      entityType: 'school',
      entityId: school.id,
      schoolId: school.id,
      details: { schoolCode, code, meaning, ...(before ? { was: before.code } : {}) },
    });
  });
}

/** Removes one of the school's codes (marks already imported keep their national code). Audited. */
export async function removeSchoolCode(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Actor,
  input: { schoolId: string; schoolCode: string },
): Promise<void> {
  const school = await getSchool(deps.db, input.schoolId);
  authorise(actor, 'school.administer', resourceOf(school));
  const schoolCode = normaliseSchoolCode(input.schoolCode);
  const at = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    const removed = await deleteRow(trx, school.id, schoolCode);
    if (!removed) {
      throw new AppError('NOT_FOUND', `The school has no code "${schoolCode}".`, {
        fields: [{ field: 'schoolCode', message: `The school has no code "${schoolCode}"` }],
      });
    }
    await audit(trx, actor, at, {
      action: 'schoolCodes.remove',
      entityType: 'school',
      entityId: school.id,
      schoolId: school.id,
      details: { schoolCode },
    });
  });
}
