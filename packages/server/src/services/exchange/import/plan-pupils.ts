/**
 * The import's pupils file: each pupil as it will be stored, what changed, and marks a new
 * leaving or admission date would put off the roll.
 */
import type { PupilInfo } from '@rollcall/domain';
import type { DbOrTrx } from '../../../db/connect.js';
import { newId } from '../../../platform/ids.js';
import type { ImportProblem, PupilExtras, Table } from './files.js';
import { markSpans, type PupilRecord } from '../../../db/exchange/import-store.js';

/** pupils.csv column → pupils table column, for comparing and reporting what changed. */
export const PUPIL_FIELDS = [
  ['surname', 'legal_surname'],
  ['forename', 'legal_forename'],
  ['preferred_surname', 'preferred_surname'],
  ['preferred_forename', 'preferred_forename'],
  ['date_of_birth', 'date_of_birth'],
  ['gender', 'gender'],
  ['year_group', 'year_group'],
  ['reg_group', 'reg_group_id'],
  ['admission_date', 'admission_date'],
  ['leaving_date', 'leaving_date'],
  ['sen', 'sen_status'],
  ['ehcp', 'ehcp'],
  ['fsm', 'fsm'],
  ['pupil_premium', 'pupil_premium'],
  ['eal', 'eal'],
  ['cin', 'cin'],
  ['cp', 'cp'],
  ['lac', 'lac'],
  ['previously_lac', 'previously_lac'],
  ['young_carer', 'young_carer'],
  ['social_worker', 'social_worker'],
  ['ethnicity', 'ethnicity'],
  ['address', 'address'],
  ['postcode', 'postcode'],
] as const satisfies readonly (readonly [string, keyof PupilRecord])[];

export const PUPIL_FLAGS = [
  ['fsm', 'fsm'],
  ['pupil_premium', 'pupilPremium'],
  ['eal', 'eal'],
  ['cin', 'cin'],
  ['cp', 'cp'],
  ['lac', 'lac'],
  ['young_carer', 'youngCarer'],
] as const satisfies readonly (readonly [keyof PupilRecord, keyof PupilInfo])[];

/** The pupil as the file says, over what is stored: columns absent from the file keep their value. */
export function desiredPupil(
  stored: PupilRecord | undefined,
  schoolId: string,
  upn: string,
  info: PupilInfo,
  extra: PupilExtras,
  table: Table,
  regGroupId: string | null | undefined,
  firstDay: string | undefined,
): PupilRecord {
  const p: PupilRecord = stored
    ? { ...stored }
    : {
        id: newId(),
        school_id: schoolId,
        upn,
        legal_surname: '',
        legal_forename: '',
        preferred_surname: null,
        preferred_forename: null,
        date_of_birth: null,
        gender: null,
        year_group: null,
        reg_group_id: null,
        admission_date: info.admissionDate ?? firstDay ?? '',
        leaving_date: null,
        sen_status: 'N',
        ehcp: 0,
        fsm: 0,
        pupil_premium: 0,
        eal: 0,
        cin: 0,
        cp: 0,
        lac: 0,
        previously_lac: 0,
        young_carer: 0,
        social_worker: null,
        ethnicity: null,
        address: null,
        postcode: null,
      };
  const has = (c: string) => table.has(c);
  p.legal_surname = info.surname ?? p.legal_surname;
  p.legal_forename = info.forename ?? p.legal_forename;
  if (has('preferred_surname')) p.preferred_surname = extra.preferredSurname;
  if (has('preferred_forename')) p.preferred_forename = extra.preferredForename;
  if (has('date_of_birth')) p.date_of_birth = info.dateOfBirth ?? null;
  if (has('gender')) p.gender = info.gender ?? null;
  if (has('year_group')) p.year_group = info.yearGroup ?? null;
  if (regGroupId !== undefined) p.reg_group_id = regGroupId;
  if (has('admission_date') && info.admissionDate !== undefined) p.admission_date = info.admissionDate;
  if (has('leaving_date')) p.leaving_date = info.leavingDate ?? null;
  if (has('sen')) p.sen_status = info.sen ?? 'N';
  if (has('ehcp')) p.ehcp = extra.ehcp ? 1 : 0;
  for (const [column, key] of PUPIL_FLAGS) if (has(column)) p[column] = info[key] === true ? 1 : 0;
  if (has('previously_lac')) p.previously_lac = extra.previouslyLac ? 1 : 0;
  if (has('social_worker')) p.social_worker = extra.socialWorker;
  if (has('ethnicity')) p.ethnicity = info.ethnicity ?? null;
  if (has('address')) p.address = extra.address;
  if (has('postcode')) p.postcode = extra.postcode;
  return p;
}

export function changedFields(before: PupilRecord, after: PupilRecord): string[] {
  return PUPIL_FIELDS.filter(([, column]) => before[column] !== after[column]).map(([name]) => name);
}

/** Refuses admission and leaving dates that would leave a pupil's stored marks outside their time on roll. */
export async function checkStoredMarksOnRoll(
  db: DbOrTrx,
  schoolId: string,
  updated: readonly PupilRecord[],
  extras: ReadonlyMap<string, PupilExtras>,
  file: string,
  problems: ImportProblem[],
): Promise<void> {
  if (updated.length === 0) return;
  const spans = await markSpans(db, schoolId);
  for (const p of updated) {
    const span = spans.get(p.id);
    const line = extras.get(p.upn)?.line;
    if (!span || line === undefined) continue;
    if (p.admission_date > span.first) {
      problems.push({
        file,
        line,
        message: `admission_date ${p.admission_date} is after ${p.upn}'s first stored mark (${span.first}): an import never deletes marks, so correct the date`,
      });
    }
    if (p.leaving_date !== null && p.leaving_date < span.last) {
      problems.push({
        file,
        line,
        message: `leaving_date ${p.leaving_date} is before ${p.upn}'s last stored mark (${span.last}): an import never deletes marks, so correct the date`,
      });
    }
  }
}
