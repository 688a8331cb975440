/**
 * The admission register as the register of record (issue 15, item 5): the items regulation 8 of
 * the 2024 regulations asks the register to hold that live outside the pupils and contacts
 * tables (`pupil_admission_details`), the `admission` entries of `register_entries`, and the
 * register read back for every pupil on roll. Called by services/duties/admissions/ and the import.
 */
import type { DbOrTrx } from '../connect.js';

/** Rows per statement, keeping the bound values under SQLite's limit of 32,766. */
function chunked<T>(rows: readonly T[], columns: number): T[][] {
  const size = Math.max(1, Math.floor(32_766 / columns));
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

export interface AdmissionDetailsRow {
  readonly pupil_id: string;
  readonly has_last_school: number | null;
  readonly last_school_name: string | null;
  readonly last_school_address: string | null;
  readonly boarder: number | null;
  readonly updated_at: string;
}

/** Writes each pupil's details (the whole row: what is given replaces what was stored). */
export async function upsertAdmissionDetails(db: DbOrTrx, rows: readonly AdmissionDetailsRow[]): Promise<void> {
  for (const chunk of chunked(rows, 6)) {
    await db
      .insertInto('pupil_admission_details')
      .values(chunk)
      .onConflict((oc) =>
        oc.column('pupil_id').doUpdateSet((eb) => ({
          has_last_school: eb.ref('excluded.has_last_school'),
          last_school_name: eb.ref('excluded.last_school_name'),
          last_school_address: eb.ref('excluded.last_school_address'),
          boarder: eb.ref('excluded.boarder'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute();
  }
}

/** The school's stored details, by pupil id. */
export async function loadAdmissionDetails(db: DbOrTrx, schoolId: string): Promise<Map<string, AdmissionDetailsRow>> {
  const rows = await db
    .selectFrom('pupil_admission_details as d')
    .innerJoin('pupils as p', 'p.id', 'd.pupil_id')
    .select([
      'd.pupil_id',
      'd.has_last_school',
      'd.last_school_name',
      'd.last_school_address',
      'd.boarder',
      'd.updated_at',
    ])
    .where('p.school_id', '=', schoolId)
    .execute();
  return new Map(
    rows.map((r) => [
      r.pupil_id,
      {
        ...r,
        has_last_school: r.has_last_school === null ? null : Number(r.has_last_school),
        boarder: r.boarder === null ? null : Number(r.boarder),
      },
    ]),
  );
}

/** The ids of the school's pupils that have an `admission` entry in the register. */
export async function pupilsWithAdmissionEntry(db: DbOrTrx, schoolId: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom('register_entries')
    .select('pupil_id')
    .where('school_id', '=', schoolId)
    .where('kind', '=', 'admission')
    .execute();
  return new Set(rows.map((r) => r.pupil_id));
}

export interface AdmissionEntryRow {
  readonly id: string;
  readonly school_id: string;
  readonly pupil_id: string;
  readonly date: string;
  readonly reason: string;
  readonly details: string | null;
  readonly recorded_by: string;
  readonly recorded_by_name: string;
  readonly recorded_at: string;
}

/** Enters pupils in the admission register (`admission` entries), in batches. */
export async function insertAdmissionEntries(db: DbOrTrx, rows: readonly AdmissionEntryRow[]): Promise<void> {
  const full = rows.map((r) => ({ ...r, kind: 'admission', ground: null, la_notified_at: null }));
  for (const chunk of chunked(full, 12)) await db.insertInto('register_entries').values(chunk).execute();
}

export interface RegisterPupilRow {
  readonly id: string;
  readonly upn: string;
  readonly legal_surname: string;
  readonly legal_forename: string;
  readonly preferred_surname: string | null;
  readonly preferred_forename: string | null;
  readonly gender: string | null;
  readonly date_of_birth: string | null;
  readonly address: string | null;
  readonly postcode: string | null;
  readonly admission_date: string;
  readonly leaving_date: string | null;
  readonly year_group: string | null;
}

export interface RegisterContactRow {
  readonly pupil_id: string;
  readonly name: string;
  readonly relationship: string;
  readonly parental_responsibility: number;
  readonly lives_with_pupil: number;
  readonly priority: number;
  readonly mobile_phone: string | null;
  readonly home_phone: string | null;
  readonly work_phone: string | null;
  readonly address: string | null;
  readonly postcode: string | null;
}

/**
 * Every pupil on roll on `today` (admitted by then, not left before it), in alphabetical order
 * of legal surname and forename, with their contacts and admission details: three queries.
 * `pupilIds` narrows it to those pupils.
 */
export async function registerOfRecord(
  db: DbOrTrx,
  schoolId: string,
  today: string,
  pupilIds?: ReadonlySet<string>,
): Promise<{
  pupils: RegisterPupilRow[];
  contacts: Map<string, RegisterContactRow[]>;
  details: Map<string, AdmissionDetailsRow>;
}> {
  const all = await db
    .selectFrom('pupils')
    .select([
      'id',
      'upn',
      'legal_surname',
      'legal_forename',
      'preferred_surname',
      'preferred_forename',
      'gender',
      'date_of_birth',
      'address',
      'postcode',
      'admission_date',
      'leaving_date',
      'year_group',
    ])
    .where('school_id', '=', schoolId)
    .where((eb) => eb.or([eb('leaving_date', 'is', null), eb('leaving_date', '>=', today)]))
    .orderBy('legal_surname')
    .orderBy('legal_forename')
    .orderBy('upn')
    .execute();
  const pupils = pupilIds ? all.filter((p) => pupilIds.has(p.id)) : all;
  const wanted = new Set(pupils.map((p) => p.id));
  const contactRows = await db
    .selectFrom('contacts as c')
    .innerJoin('pupils as p', 'p.id', 'c.pupil_id')
    .select([
      'c.pupil_id',
      'c.name',
      'c.relationship',
      'c.parental_responsibility',
      'c.lives_with_pupil',
      'c.priority',
      'c.mobile_phone',
      'c.home_phone',
      'c.work_phone',
      'c.address',
      'c.postcode',
    ])
    .where('p.school_id', '=', schoolId)
    .orderBy('c.priority')
    .execute();
  const contacts = new Map<string, RegisterContactRow[]>();
  for (const c of contactRows) {
    if (!wanted.has(c.pupil_id)) continue;
    const list = contacts.get(c.pupil_id) ?? [];
    list.push({
      ...c,
      parental_responsibility: Number(c.parental_responsibility),
      lives_with_pupil: Number(c.lives_with_pupil),
      priority: Number(c.priority),
    });
    contacts.set(c.pupil_id, list);
  }
  const details = await loadAdmissionDetails(db, schoolId);
  return { pupils, contacts, details };
}
