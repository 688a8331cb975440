/**
 * Queries of the Common Transfer File (issue 15): pupils' attendance and school history from
 * imported CTFs, what an export needs (pupils, contacts, marks), and the record of CTFs written.
 */
import type { Selectable } from 'kysely';
import type { DbOrTrx } from '../connect.js';
import type { PupilAttendanceHistoryTable, PupilSchoolHistoryTable } from '../schema.js';

/** A row of an imported CTF's attendance history: the schema's own type (db/schema.ts). */
export type AttendanceHistoryRow = Selectable<PupilAttendanceHistoryTable>;

/** A row of an imported CTF's school history: the schema's own type (db/schema.ts). */
export type SchoolHistoryRow = Selectable<PupilSchoolHistoryTable>;

const HISTORY_COLUMNS = [
  'id',
  'pupil_id',
  'academic_year',
  'la_code',
  'estab',
  'urn',
  'school_name',
  'sessions_possible',
  'sessions_attended',
  'sessions_authorised',
  'sessions_unauthorised',
  'marks_start',
  'marks',
  'imported_from',
  'imported_at',
] as const;

const SCHOOL_HISTORY_COLUMNS = [
  'id',
  'pupil_id',
  'position',
  'la_code',
  'estab',
  'urn',
  'school_name',
  'entry_date',
  'leaving_date',
  'leaving_reason',
] as const;

/** The attendance history of a school's pupils (all of them), by pupil id. */
export async function loadAttendanceHistory(
  db: DbOrTrx,
  schoolId: string,
): Promise<Map<string, AttendanceHistoryRow[]>> {
  const rows = await db
    .selectFrom('pupil_attendance_history as h')
    .innerJoin('pupils as p', 'p.id', 'h.pupil_id')
    .where('p.school_id', '=', schoolId)
    .select(HISTORY_COLUMNS.map((c) => `h.${c}` as const))
    .orderBy('h.pupil_id')
    .orderBy('h.academic_year')
    .orderBy('h.la_code')
    .orderBy('h.estab')
    .execute();
  const out = new Map<string, AttendanceHistoryRow[]>();
  for (const r of rows) {
    const list = out.get(r.pupil_id) ?? [];
    list.push(r);
    out.set(r.pupil_id, list);
  }
  return out;
}

/** One pupil's attendance history at other schools, earliest year first. */
export async function attendanceHistoryOfPupil(db: DbOrTrx, pupilId: string): Promise<AttendanceHistoryRow[]> {
  return db
    .selectFrom('pupil_attendance_history')
    .select(HISTORY_COLUMNS)
    .where('pupil_id', '=', pupilId)
    .orderBy('academic_year')
    .orderBy('la_code')
    .orderBy('estab')
    .execute();
}

/** The school history of a school's pupils, by pupil id, in the file's order. */
export async function loadSchoolHistory(db: DbOrTrx, schoolId: string): Promise<Map<string, SchoolHistoryRow[]>> {
  const rows = await db
    .selectFrom('pupil_school_history as h')
    .innerJoin('pupils as p', 'p.id', 'h.pupil_id')
    .where('p.school_id', '=', schoolId)
    .select(SCHOOL_HISTORY_COLUMNS.map((c) => `h.${c}` as const))
    .orderBy('h.pupil_id')
    .orderBy('h.position')
    .execute();
  const out = new Map<string, SchoolHistoryRow[]>();
  for (const r of rows) {
    const list = out.get(r.pupil_id) ?? [];
    list.push(r);
    out.set(r.pupil_id, list);
  }
  return out;
}

/** Replaces the attendance history of these pupils with the rows given. */
export async function replaceAttendanceHistory(
  db: DbOrTrx,
  pupilIds: readonly string[],
  rows: readonly AttendanceHistoryRow[],
): Promise<void> {
  for (let i = 0; i < pupilIds.length; i += 500) {
    await db
      .deleteFrom('pupil_attendance_history')
      .where('pupil_id', 'in', pupilIds.slice(i, i + 500))
      .execute();
  }
  for (let i = 0; i < rows.length; i += 50)
    await db
      .insertInto('pupil_attendance_history')
      .values(rows.slice(i, i + 50))
      .execute();
}

/** Replaces the school history of these pupils with the rows given. */
export async function replaceSchoolHistory(
  db: DbOrTrx,
  pupilIds: readonly string[],
  rows: readonly SchoolHistoryRow[],
): Promise<void> {
  for (let i = 0; i < pupilIds.length; i += 500) {
    await db
      .deleteFrom('pupil_school_history')
      .where('pupil_id', 'in', pupilIds.slice(i, i + 500))
      .execute();
  }
  for (let i = 0; i < rows.length; i += 80)
    await db
      .insertInto('pupil_school_history')
      .values(rows.slice(i, i + 80))
      .execute();
}

/** A school's DfE establishment number and LA code. */
export async function schoolDfeNumber(
  db: DbOrTrx,
  schoolId: string,
): Promise<{ la_code: string; estab: string | null; name: string; urn: string } | undefined> {
  return db
    .selectFrom('schools')
    .select(['la_code', 'estab', 'name', 'urn'])
    .where('id', '=', schoolId)
    .executeTakeFirst();
}

/** Sets a school's establishment number. */
export async function setSchoolEstab(db: DbOrTrx, schoolId: string, estab: string | null): Promise<void> {
  await db.updateTable('schools').set({ estab }).where('id', '=', schoolId).execute();
}

// ---------------------------------------------------------------------------------------------
// Export
// ---------------------------------------------------------------------------------------------

export interface ExportPupilRow {
  id: string;
  upn: string;
  legal_surname: string;
  legal_forename: string;
  preferred_surname: string | null;
  preferred_forename: string | null;
  date_of_birth: string | null;
  gender: string | null;
  year_group: string | null;
  ethnicity: string | null;
  admission_date: string;
  leaving_date: string | null;
  address: string | null;
  postcode: string | null;
  sen_status: string;
  fsm: number;
  lac: number;
}

const PUPIL_EXPORT_COLUMNS = [
  'id',
  'upn',
  'legal_surname',
  'legal_forename',
  'preferred_surname',
  'preferred_forename',
  'date_of_birth',
  'gender',
  'year_group',
  'ethnicity',
  'admission_date',
  'leaving_date',
  'address',
  'postcode',
  'sen_status',
  'fsm',
  'lac',
] as const;

/** A school's pupils (all, on roll or left), by UPN order. */
export async function pupilsForCtf(db: DbOrTrx, schoolId: string): Promise<ExportPupilRow[]> {
  return db
    .selectFrom('pupils')
    .select(PUPIL_EXPORT_COLUMNS)
    .where('school_id', '=', schoolId)
    .orderBy('upn')
    .execute();
}

export interface ExportContactRow {
  pupil_id: string;
  name: string;
  relationship: string;
  parental_responsibility: number;
  priority: number;
  mobile_phone: string | null;
  home_phone: string | null;
  work_phone: string | null;
  email: string | null;
  address: string | null;
  postcode: string | null;
}

export async function contactsForCtf(db: DbOrTrx, pupilIds: readonly string[]): Promise<ExportContactRow[]> {
  const out: ExportContactRow[] = [];
  for (let i = 0; i < pupilIds.length; i += 500) {
    out.push(
      ...(await db
        .selectFrom('contacts')
        .select([
          'pupil_id',
          'name',
          'relationship',
          'parental_responsibility',
          'priority',
          'mobile_phone',
          'home_phone',
          'work_phone',
          'email',
          'address',
          'postcode',
        ])
        .where('pupil_id', 'in', pupilIds.slice(i, i + 500))
        .orderBy('pupil_id')
        .orderBy('priority')
        .execute()),
    );
  }
  return out;
}

/** Session marks of these pupils within [from, to], by pupil id → 'date session' → code. */
export async function marksForCtf(
  db: DbOrTrx,
  pupilIds: readonly string[],
  from: string,
  to: string,
): Promise<Map<string, Map<string, string>>> {
  const out = new Map<string, Map<string, string>>();
  for (let i = 0; i < pupilIds.length; i += 500) {
    const rows = await db
      .selectFrom('session_marks')
      .select(['pupil_id', 'date', 'session', 'code'])
      .where('pupil_id', 'in', pupilIds.slice(i, i + 500))
      .where('date', '>=', from)
      .where('date', '<=', to)
      .execute();
    for (const r of rows) {
      let m = out.get(r.pupil_id);
      if (!m) out.set(r.pupil_id, (m = new Map<string, string>()));
      m.set(`${r.date} ${r.session}`, r.code);
    }
  }
  return out;
}

/** Attendance and school history of these pupils. */
export async function historiesForCtf(
  db: DbOrTrx,
  pupilIds: readonly string[],
): Promise<{ attendance: AttendanceHistoryRow[]; schools: SchoolHistoryRow[] }> {
  const attendance: AttendanceHistoryRow[] = [];
  const schools: SchoolHistoryRow[] = [];
  for (let i = 0; i < pupilIds.length; i += 500) {
    const ids = pupilIds.slice(i, i + 500);
    attendance.push(
      ...(await db
        .selectFrom('pupil_attendance_history')
        .select(HISTORY_COLUMNS)
        .where('pupil_id', 'in', ids)
        .orderBy('academic_year')
        .execute()),
    );
    schools.push(
      ...(await db
        .selectFrom('pupil_school_history')
        .select(SCHOOL_HISTORY_COLUMNS)
        .where('pupil_id', 'in', ids)
        .orderBy('position')
        .execute()),
    );
  }
  return { attendance, schools };
}

export interface CtfExportRecord {
  id: string;
  school_id: string;
  kind: string;
  destination: string;
  sequence: number;
  file_name: string;
  pupil_count: number;
  created_at: string;
  created_by: string | null;
  created_by_name: string;
}

/** The next sequence number for a school's files to a destination (001, 002, …). */
export async function nextCtfSequence(db: DbOrTrx, schoolId: string, destination: string): Promise<number> {
  const row = await db
    .selectFrom('ctf_exports')
    .select((eb) => eb.fn.max('sequence').as('n'))
    .where('school_id', '=', schoolId)
    .where('destination', '=', destination)
    .executeTakeFirst();
  return Number(row?.n ?? 0) + 1;
}

export async function recordCtfExport(db: DbOrTrx, row: CtfExportRecord, pupilIds: readonly string[]): Promise<void> {
  await db.insertInto('ctf_exports').values(row).execute();
  for (let i = 0; i < pupilIds.length; i += 400) {
    await db
      .insertInto('ctf_export_pupils')
      .values(pupilIds.slice(i, i + 400).map((pupil_id) => ({ export_id: row.id, pupil_id })))
      .execute();
  }
}

/** Pupils of a school who have left (leaving date in [from, to]) and are in no transfer CTF yet. */
export async function leaversWithoutCtf(
  db: DbOrTrx,
  schoolId: string,
  from: string,
  to: string,
): Promise<{ id: string; upn: string; legal_forename: string; legal_surname: string; leaving_date: string }[]> {
  const rows = await db
    .selectFrom('pupils as p')
    .select(['p.id', 'p.upn', 'p.legal_forename', 'p.legal_surname', 'p.leaving_date'])
    .where('p.school_id', '=', schoolId)
    .where('p.leaving_date', '>=', from)
    .where('p.leaving_date', '<=', to)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('ctf_export_pupils as ep')
            .innerJoin('ctf_exports as e', 'e.id', 'ep.export_id')
            .select('ep.pupil_id')
            .whereRef('ep.pupil_id', '=', 'p.id')
            .where('e.kind', '=', 'transfer')
            .where('e.sent_at', 'is not', null),
        ),
      ),
    )
    .orderBy('p.leaving_date')
    .orderBy('p.upn')
    .execute();
  return rows.map((r) => ({ ...r, leaving_date: r.leaving_date ?? '' }));
}

/** Each pupil's latest transfer CTF written and not yet marked sent (for the returns page). */
export async function unsentTransferCtfs(
  db: DbOrTrx,
  schoolId: string,
  pupilIds: readonly string[],
): Promise<Map<string, { id: string; file_name: string; created_at: string }>> {
  const out = new Map<string, { id: string; file_name: string; created_at: string }>();
  if (pupilIds.length === 0) return out;
  const rows = await db
    .selectFrom('ctf_export_pupils as ep')
    .innerJoin('ctf_exports as e', 'e.id', 'ep.export_id')
    .select(['ep.pupil_id', 'e.id', 'e.file_name', 'e.created_at'])
    .where('e.school_id', '=', schoolId)
    .where('e.kind', '=', 'transfer')
    .where('e.sent_at', 'is', null)
    .where('ep.pupil_id', 'in', pupilIds)
    .orderBy('e.created_at')
    .execute();
  for (const r of rows) out.set(r.pupil_id, { id: r.id, file_name: r.file_name, created_at: r.created_at });
  return out;
}

/** Marks one of the school's CTFs sent; false when it has no such CTF (or it was already sent). */
export async function markCtfExportSent(
  db: DbOrTrx,
  schoolId: string,
  exportId: string,
  at: string,
  byName: string,
): Promise<{ file_name: string } | undefined> {
  const row = await db
    .selectFrom('ctf_exports')
    .select(['file_name', 'sent_at'])
    .where('id', '=', exportId)
    .where('school_id', '=', schoolId)
    .executeTakeFirst();
  if (!row || row.sent_at !== null) return undefined;
  await db
    .updateTable('ctf_exports')
    .set({ sent_at: at, sent_by_name: byName })
    .where('id', '=', exportId)
    .where('school_id', '=', schoolId)
    .execute();
  return { file_name: row.file_name };
}

/** The CTFs a school has written, newest first. */
export async function ctfExportsOf(db: DbOrTrx, schoolId: string, limit = 50): Promise<CtfExportRecord[]> {
  return db
    .selectFrom('ctf_exports')
    .selectAll()
    .where('school_id', '=', schoolId)
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
}

/** A pupil's UPN, when the pupil belongs to the school. */
export async function pupilUpn(db: DbOrTrx, schoolId: string, pupilId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('pupils')
    .select('upn')
    .where('id', '=', pupilId)
    .where('school_id', '=', schoolId)
    .executeTakeFirst();
  return row?.upn;
}
