/**
 * A Common Transfer File in the import: its attendance and school history, and the pupil columns
 * a CTF leaves out, filled from what is stored.
 */
import { basename } from 'node:path';
import { addDays, lookupCode, validateUpn, type PlainDate } from '@rollcall/domain';
import type { DbOrTrx } from '../../../db/connect.js';
import { newId } from '../../../platform/ids.js';
import type { ImportProblem, Table } from './files.js';
import { CTF_VERSION, isOwnSchool, type CtfDocument, type CtfTables, type CtfYearData } from './ctf.js';
import {
  loadAttendanceHistory,
  loadSchoolHistory,
  type AttendanceHistoryRow,
  type SchoolHistoryRow,
} from '../../../db/exchange/ctf.js';
import type { CtfReport, EntityCounts } from './report.js';
import type { PupilRecord } from '../../../db/exchange/import-store.js';
import { PUPIL_FIELDS } from './plan-pupils.js';

export interface CtfPlan {
  /** Pupils whose attendance history is replaced, and the rows they get (imported_at set on writing). */
  attendancePupils: string[];
  attendance: AttendanceHistoryRow[];
  schoolPupils: string[];
  schools: SchoolHistoryRow[];
  report: CtfReport;
}

/** pupils.csv column → how the stored pupil writes it, for the columns a CTF may leave out. */
export function storedValue(p: PupilRecord, column: string): string | undefined {
  const field = PUPIL_FIELDS.find(([name]) => name === column);
  if (!field) return undefined;
  const v = p[field[1]];
  if (column === 'reg_group') return undefined;
  if (typeof v === 'number') return v === 1 ? 'Y' : 'N';
  return v ?? '';
}

/** A CTF's pupil rows with every column a row leaves out filled from the stored pupil. */
export function fillFromStored(table: Table, stored: ReadonlyMap<string, PupilRecord>): Table {
  const rows = table.rows.map((r) => {
    const p = stored.get(validateUpn(r.values['upn'] ?? '').upn);
    if (!p) return r;
    const values: Record<string, string> = { ...r.values };
    for (const column of table.header) {
      if (values[column] !== undefined) continue;
      const v = storedValue(p, column);
      if (v !== undefined) values[column] = v;
    }
    return { line: r.line, values };
  });
  return { ...table, rows };
}

/**
 * New pupils whose CTF gives no entry date at this school (no SchoolHistory entry of its own LA
 * and establishment number) but a leaving date at another: admitted on the first school day after
 * the latest such leaving date, with a warning, instead of from the calendar's first school day
 * (which would put them on this school's roll while they were at the other). Stored pupils, and
 * rows that have an admission date, are left as they are.
 */
export function admitArrivals(
  table: Table,
  doc: CtfDocument,
  own: { la: string; estab: string | null },
  cal: { readonly dayCount: number; readonly dayDate: readonly string[] },
  stored: ReadonlyMap<string, unknown>,
  file: string,
  warnings: ImportProblem[],
): Table {
  const byUpn = new Map(doc.pupils.map((p) => [p.upn, p]));
  const rows = table.rows.map((r) => {
    const upn = validateUpn(r.values['upn'] ?? '').upn;
    const pupil = byUpn.get(upn);
    if (!pupil || stored.has(upn) || (r.values['admission_date'] ?? '') !== '') return r;
    let left: { date: string; name: string } | undefined;
    for (const s of pupil.schoolHistory) {
      if (isOwnSchool(s, own) || s.leavingDate === null) continue;
      if (!left || s.leavingDate > left.date) left = { date: s.leavingDate, name: s.name ?? `${s.la}${s.estab}` };
    }
    if (!left) return r;
    const after = addDays(left.date as PlainDate, 1);
    let admitted: string = after;
    for (let d = 0; d < cal.dayCount; d++) {
      if (cal.dayDate[d]! >= after) {
        admitted = cal.dayDate[d]!;
        break;
      }
    }
    warnings.push({
      file,
      line: pupil.line,
      message: `${upn} is new to the school and the file gives no entry date here: admitted on ${admitted}, the first school day after leaving ${left.name} on ${left.date}; if the pupil started later, correct the admission date (admission register, or a pupils file)`,
    });
    return { line: r.line, values: { ...r.values, admission_date: admitted } };
  });
  return { ...table, rows };
}

/** The counts a marks string gives (possible, attended = present + approved activity, …). */
export function countsOfMarks(
  start: PlainDate,
  marks: string,
): {
  possible: number;
  attended: number;
  authorised: number;
  unauthorised: number;
} {
  const out = { possible: 0, attended: 0, authorised: 0, unauthorised: 0 };
  for (let i = 0; i < marks.length; i++) {
    const c = marks[i]!;
    if (c === '#' || c === '-') continue;
    const found = lookupCode(c, addDays(start, Math.floor(i / 2)));
    if (!found.ok || !found.definition.possible) continue;
    out.possible++;
    const cat = found.definition.category;
    if (cat === 'present' || cat === 'approvedActivity') out.attended++;
    else if (cat === 'authorised') out.authorised++;
    else if (cat === 'unauthorised') out.unauthorised++;
  }
  return out;
}

export function sameHistory(a: AttendanceHistoryRow, b: AttendanceHistoryRow): boolean {
  return (
    a.urn === b.urn &&
    a.school_name === b.school_name &&
    a.sessions_possible === b.sessions_possible &&
    a.sessions_attended === b.sessions_attended &&
    a.sessions_authorised === b.sessions_authorised &&
    a.sessions_unauthorised === b.sessions_unauthorised &&
    a.marks_start === b.marks_start &&
    a.marks === b.marks
  );
}

export function sameSchool(a: SchoolHistoryRow, b: SchoolHistoryRow): boolean {
  return (
    a.position === b.position &&
    a.la_code === b.la_code &&
    a.estab === b.estab &&
    a.urn === b.urn &&
    a.school_name === b.school_name &&
    a.entry_date === b.entry_date &&
    a.leaving_date === b.leaving_date &&
    a.leaving_reason === b.leaving_reason
  );
}

export async function planCtfHistory(
  db: DbOrTrx,
  schoolId: string,
  exists: boolean,
  doc: CtfDocument,
  parts: CtfTables,
  idByUpn: ReadonlyMap<string, string>,
  file: string,
  warnings: ImportProblem[],
): Promise<CtfPlan> {
  const storedAttendance = exists
    ? await loadAttendanceHistory(db, schoolId)
    : new Map<string, AttendanceHistoryRow[]>();
  const storedSchools = exists ? await loadSchoolHistory(db, schoolId) : new Map<string, SchoolHistoryRow[]>();
  const attendanceCounts: EntityCounts = { created: 0, updated: 0, unchanged: 0, removed: 0 };
  const schoolCounts: EntityCounts = { created: 0, updated: 0, unchanged: 0, removed: 0 };
  const plan: CtfPlan = {
    attendancePupils: [],
    attendance: [],
    schoolPupils: [],
    schools: [],
    report: {
      version: doc.header.version,
      source: `${doc.header.source.la}${doc.header.source.estab}`,
      sourceName: doc.header.source.name,
      attendanceHistory: attendanceCounts,
      schoolHistory: schoolCounts,
    },
  };
  const name = basename(file);
  const partial = doc.header.qualifier.toLowerCase() === 'partial';
  const own = parts.ownSchool;
  // MIS read the current CTF version and the one before, and warn on others (docs/ctf.md).
  const major = Math.floor(Number(doc.header.version));
  const current = Math.floor(Number(CTF_VERSION));
  if (Number.isFinite(major) && (major < current - 1 || major > current)) {
    warnings.push({
      file,
      line: doc.header.versionLine,
      message: `CTF version ${doc.header.version} is ${major < current ? 'older than' : 'newer than'} the versions Rollcall reads as current (${current - 1} and ${current}): it was read as far as it goes, so check what was imported`,
    });
  }
  // Without its establishment number the school cannot tell its own YearData from other schools':
  // every year is kept as history, which is right for a pupil arriving from elsewhere but not
  // for a school loading its own marks. Said once, so the data manager can give --estab.
  if (own.estab === null) {
    const withMarks = doc.pupils.flatMap((p) => p.yearData).filter((y) => y.marks !== null && y.school.la === own.la);
    if (withMarks.length > 0) {
      warnings.push({
        file,
        line: doc.header.line,
        message: `the school has no DfE establishment number, so none of the file's attendance could be taken as its own: ${withMarks.length} year${withMarks.length === 1 ? '' : 's'} of session marks from LA ${own.la} (establishment ${[...new Set(withMarks.map((y) => y.school.estab))].join(', ')}) kept as attendance history, not as register marks. If they are this school's, import again with --estab <its 4-digit number>`,
      });
    }
  }
  for (const p of doc.pupils) {
    const pupilId = idByUpn.get(p.upn);
    if (pupilId === undefined) continue;
    // Every year's counts: attended (present and approved educational activity), authorised and
    // unauthorised add up to possible in MIS-made files; a file that counts approved activity
    // nowhere (as one MIS's exporter does) would show too low an attendance on the pupil page.
    const ownWithMarks = new Set(parts.own.get(p.upn) ?? []);
    for (const y of p.yearData) {
      const sum = y.attended + y.authorised + y.unauthorised;
      // This school's years with marks are checked against the marks below, more exactly.
      if (sum === y.possible || ownWithMarks.has(y)) continue;
      warnings.push({
        file,
        line: y.line,
        message: `${p.upn} ${y.year} at ${y.school.la}${y.school.estab}: SessionsAttended ${y.attended} + SessionsAuthorised ${y.authorised} + SessionsUnauthorised ${y.unauthorised} = ${sum}, not SessionsPossible ${y.possible} (attended should count present and approved educational activity): the counts are kept as written`,
      });
    }
    // This school's own years: the counts should be what the marks give.
    for (const y of parts.own.get(p.upn) ?? []) {
      if (y.marks === null || y.marksStart === null) continue;
      const got = countsOfMarks(y.marksStart, y.marks);
      if (
        got.possible !== y.possible ||
        got.attended !== y.attended ||
        got.authorised !== y.authorised ||
        got.unauthorised !== y.unauthorised
      ) {
        warnings.push({
          file,
          line: y.line,
          message: `${p.upn} ${y.year}: the counts (possible ${y.possible}, attended ${y.attended}, authorised ${y.authorised}, unauthorised ${y.unauthorised}) differ from the session marks (${got.possible}, ${got.attended}, ${got.authorised}, ${got.unauthorised}): the marks are imported`,
        });
      }
    }
    // Attendance history: matched by year, LA and establishment.
    const want = (parts.history.get(p.upn) ?? []).map((y: CtfYearData): AttendanceHistoryRow => ({
      id: newId(),
      pupil_id: pupilId,
      academic_year: y.year,
      la_code: y.school.la,
      estab: y.school.estab,
      urn: y.school.urn,
      school_name: y.school.name,
      sessions_possible: y.possible,
      sessions_attended: y.attended,
      sessions_authorised: y.authorised,
      sessions_unauthorised: y.unauthorised,
      marks_start: y.marksStart,
      marks: y.marks,
      imported_from: name,
      imported_at: '',
    }));
    const seen = new Set<string>();
    const deduped = want.filter((r) => {
      const k = `${r.academic_year} ${r.la_code} ${r.estab}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
    const stored = storedAttendance.get(pupilId) ?? [];
    const storedByKey = new Map(stored.map((r) => [`${r.academic_year} ${r.la_code} ${r.estab}`, r]));
    // A partial CTF (e.g. attendance for an MIS) adds and updates years but removes none.
    if (partial) {
      for (const r of stored) if (!seen.has(`${r.academic_year} ${r.la_code} ${r.estab}`)) deduped.push(r);
    }
    let changed = deduped.length !== stored.length;
    for (const r of deduped) {
      const s = storedByKey.get(`${r.academic_year} ${r.la_code} ${r.estab}`);
      if (!s) {
        attendanceCounts.created++;
        changed = true;
      } else if (!sameHistory(s, r)) {
        attendanceCounts.updated++;
        changed = true;
      } else attendanceCounts.unchanged++;
    }
    const wanted = new Set(deduped.map((r) => `${r.academic_year} ${r.la_code} ${r.estab}`));
    attendanceCounts.removed += stored.filter((r) => !wanted.has(`${r.academic_year} ${r.la_code} ${r.estab}`)).length;
    if (changed) {
      plan.attendancePupils.push(pupilId);
      plan.attendance.push(...deduped);
    }
    // School history: as the file lists it (a pupil without one keeps what is stored).
    if (!p.hasSchoolHistory) continue;
    // This school's own entry is the pupil's admission (and leaving) here: not stored twice.
    const schools = p.schoolHistory
      .filter((s) => !isOwnSchool(s, own))
      .map((s, position): SchoolHistoryRow => ({
        id: newId(),
        pupil_id: pupilId,
        position,
        la_code: s.la,
        estab: s.estab,
        urn: s.urn,
        school_name: s.name,
        entry_date: s.entryDate,
        leaving_date: s.leavingDate,
        leaving_reason: s.leavingReason,
      }));
    const storedS = storedSchools.get(pupilId) ?? [];
    let schoolsChanged = schools.length !== storedS.length;
    schools.forEach((s, i) => {
      const t = storedS[i];
      if (!t) {
        schoolCounts.created++;
        schoolsChanged = true;
      } else if (!sameSchool(s, t)) {
        schoolCounts.updated++;
        schoolsChanged = true;
      } else schoolCounts.unchanged++;
    });
    if (storedS.length > schools.length) schoolCounts.removed += storedS.length - schools.length;
    if (schoolsChanged) {
      plan.schoolPupils.push(pupilId);
      plan.schools.push(...schools);
    }
  }
  return plan;
}
