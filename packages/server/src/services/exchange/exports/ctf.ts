/**
 * Writing a Common Transfer File (docs/ctf.md): `rollcall export ctf` and the CTF links on the
 * admission register, the pupil page and the returns page.
 *
 * - **transfer** (a full CTF): the pupils chosen (by default those who left in the last 15 school
 *   days), with their details, address, contacts, school history and, for every academic year
 *   on roll here, the attendance counts and the session marks; other schools' attendance
 *   history as it was imported.
 * - **attendance** (a partial CTF, to load marks back into an MIS): every pupil on roll in a
 *   date range, identity and attendance only; the destination is the school itself.
 *
 * The header names the source (this school's LA and establishment number, URN and name) and the
 * destination; the version is {@link CTF_VERSION}; the file is named by the DfE convention
 * `<LA><Estab>_CTF_<dest LA><dest Estab>_<nnn>.XML`, the sequence counting up per destination.
 * Every file written is recorded (ctf_exports) and audited.
 */
import {
  academicYearOf,
  addDays,
  lookupCode,
  sessionIndex,
  validateUpn,
  type PlainDate,
  type SchoolCalendar,
  type Session,
} from '@rollcall/domain';
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import {
  contactsForCtf,
  historiesForCtf,
  leaversWithoutCtf,
  markCtfExportSent,
  unsentTransferCtfs,
  marksForCtf,
  nextCtfSequence,
  pupilsForCtf,
  pupilUpn,
  recordCtfExport,
  schoolDfeNumber,
  type ExportPupilRow,
} from '../../../db/exchange/ctf.js';
import { getSchool } from '../../school/schools.js';
import { localDateTime } from '../../../platform/clock.js';
import { newId } from '../../../platform/ids.js';
import { audit } from '../../audit.js';
import { authorise, SYSTEM_ACTOR, type Actor } from '../../authz.js';
import type { Deps } from '../../deps.js';
import { AppError } from '../../errors.js';
import { CTF_VERSION, relationshipCode } from '../import/ctf.js';
import { schoolCalendar } from '../../registers/registers.js';

/** How many school days after leaving a CTF is due by. */
export const CTF_DUE_SCHOOL_DAYS = 15;

/** The destination placeholder when the next school is not known (docs/ctf.md: inferred). */
export const UNKNOWN_DESTINATION = { la: 'MMM', estab: 'MMMM' } as const;

export interface CtfExportInput {
  readonly schoolId: string;
  /** transfer (default): a full CTF for leavers; attendance: a partial CTF of marks for the MIS. */
  readonly kind?: 'transfer' | 'attendance' | undefined;
  /** Pupils by UPN; default: leavers of the last 15 school days (transfer), everyone on roll (attendance). */
  readonly upns?: readonly string[] | undefined;
  /** `LLL/EEEE` (or `LLLEEEE`): the destination school. */
  readonly destination?: string | undefined;
  /** The date range of the marks (attendance; a transfer takes every year on roll). */
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  /** Today, in the school's time zone. */
  readonly today: PlainDate;
}

export interface CtfExport {
  readonly xml: string;
  /** The DfE convention's file name. */
  readonly fileName: string;
  readonly pupils: number;
  /** Things left out, e.g. a year whose marks hold a two-character code. */
  readonly warnings: readonly string[];
}

function parseDestination(text: string | undefined): { la: string; estab: string } | undefined {
  if (text === undefined) return undefined;
  const m = /^(\d{3})\/?(\d{4})$/.exec(text.trim());
  if (!m) {
    throw new AppError(
      'VALIDATION',
      `--destination "${text}" must be the destination school's LA and establishment numbers, like 330/2001`,
    );
  }
  return { la: m[1]!, estab: m[2]! };
}

/** The date `n` school days back from `today` (today counting as the first when a school day). */
export function schoolDaysBack(cal: SchoolCalendar, today: PlainDate, n: number): PlainDate {
  let day = -1;
  for (let d = 0; d < cal.dayCount; d++) if (cal.dayDate[d]! <= today) day = d;
  if (day < 0) return addDays(today, -Math.ceil((n * 7) / 5));
  const first = Math.max(0, day - n + 1);
  return cal.dayDate[first]!;
}

interface YearSpan {
  readonly year: number;
  readonly from: PlainDate;
  readonly to: PlainDate;
}

/** The academic years between two dates, each clipped to them. */
function yearSpans(from: PlainDate, to: PlainDate): YearSpan[] {
  const out: YearSpan[] = [];
  let d = from;
  while (d <= to) {
    const y = academicYearOf(d);
    const end = y.end < to ? y.end : to;
    out.push({ year: Number(y.start.slice(0, 4)), from: d, to: end });
    d = addDays(y.end, 1);
  }
  return out;
}

interface YearOut {
  readonly year: number;
  readonly possible: number;
  readonly attended: number;
  readonly authorised: number;
  readonly unauthorised: number;
  readonly start: PlainDate | null;
  readonly marks: string | null;
}

/**
 * One year's counts and marks string: two characters per calendar day from the first school day
 * of the span to the last, `/` `\` and the codes as recorded, `-` for a school session without a
 * mark, `#` for every session that is not a school session (weekends, holidays, closures).
 * Returns null when the span holds no school session. `marks` is null when a mark has a
 * two-character code, which one character per session cannot hold.
 */
export function encodeYear(
  cal: SchoolCalendar,
  span: YearSpan,
  marks: ReadonlyMap<string, string> | undefined,
): YearOut | null {
  let first: PlainDate | undefined;
  let last: PlainDate | undefined;
  for (let d = span.from; d <= span.to; d = addDays(d, 1)) {
    if (cal.dayByDate.has(d)) {
      first ??= d;
      last = d;
    }
  }
  if (first === undefined || last === undefined) return null;
  const counts = { possible: 0, attended: 0, authorised: 0, unauthorised: 0 };
  let chars = '';
  let encodable = true;
  for (let d = first; d <= last; d = addDays(d, 1)) {
    for (const s of ['AM', 'PM'] as const satisfies readonly Session[]) {
      if (sessionIndex(cal, d, s) < 0) {
        chars += '#';
        continue;
      }
      const code = marks?.get(`${d} ${s}`);
      if (code === undefined) {
        chars += '-';
        continue;
      }
      if (code.length !== 1) encodable = false;
      chars += code.length === 1 ? code : '?';
      const found = lookupCode(code, d);
      if (!found.ok || !found.definition.possible) continue;
      counts.possible++;
      const cat = found.definition.category;
      if (cat === 'present' || cat === 'approvedActivity') counts.attended++;
      else if (cat === 'authorised') counts.authorised++;
      else if (cat === 'unauthorised') counts.unauthorised++;
    }
  }
  return { year: span.year, ...counts, start: encodable ? first : null, marks: encodable ? chars : null };
}

function addressLines(el: XMLBuilder, address: string | null, postcode: string | null): void {
  const lines = (address ?? '').split('\n').filter((l) => l.trim() !== '');
  const a = el.ele('Address');
  const al = a.ele('AddressLines');
  lines.slice(0, 5).forEach((l, i) => al.ele(`AddressLine${i + 1}`).txt(l));
  if (postcode) a.ele('PostCode').txt(postcode);
}

/**
 * Writes a CTF. Throws AppError VALIDATION (bad destination, unknown UPN, no establishment
 * number), FORBIDDEN, NOT_FOUND.
 */
export async function exportCtf(deps: Deps, actor: Actor, input: CtfExportInput): Promise<CtfExport> {
  const school = await getSchool(deps.db, input.schoolId);
  authorise(actor, 'school.export', { kind: 'school', ...school });
  const kind = input.kind ?? 'transfer';
  const dfe = await schoolDfeNumber(deps.db, school.id);
  if (!dfe?.estab) {
    throw new AppError(
      'VALIDATION',
      `${school.name} has no DfE establishment number: add it on the school details page (or import with --estab) before writing a CTF.`,
    );
  }
  const own = { la: dfe.la_code, estab: dfe.estab };
  const dest = parseDestination(input.destination) ?? (kind === 'attendance' ? own : UNKNOWN_DESTINATION);
  const cal = await schoolCalendar(deps, school.id);
  const today = input.today;
  for (const [name, v] of [
    ['--from', input.from],
    ['--to', input.to],
  ] as const) {
    if (v !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(v)) {
      throw new AppError('VALIDATION', `${name} "${v}" is not a date: write it as YYYY-MM-DD`);
    }
  }

  // The pupils ------------------------------------------------------------------------------
  const all = await pupilsForCtf(deps.db, school.id);
  let chosen: ExportPupilRow[];
  if (input.upns && input.upns.length > 0) {
    const byUpn = new Map(all.map((p) => [p.upn, p]));
    const missing: string[] = [];
    chosen = [];
    for (const raw of input.upns) {
      const upn = validateUpn(raw).upn;
      const p = byUpn.get(upn);
      if (p) chosen.push(p);
      else missing.push(raw);
    }
    if (missing.length > 0) {
      throw new AppError('VALIDATION', `No pupil of ${school.name} has UPN ${missing.join(', ')}.`);
    }
  } else if (kind === 'attendance') {
    const from = input.from ?? academicYearOf(today).start;
    const to = input.to ?? today;
    chosen = all.filter((p) => p.admission_date <= to && (p.leaving_date === null || p.leaving_date >= from));
  } else {
    const since = schoolDaysBack(cal, today, CTF_DUE_SCHOOL_DAYS);
    chosen = all.filter((p) => p.leaving_date !== null && p.leaving_date >= since && p.leaving_date <= today);
    // An empty file would still take the next number in the DfE's sequence and be recorded as written.
    if (chosen.length === 0) {
      throw new AppError(
        'VALIDATION',
        `No pupil of ${school.name} left in the last ${CTF_DUE_SCHOOL_DAYS} school days (since ${since}), so there is no CTF to write: name the pupils with --upn.`,
      );
    }
  }
  if (chosen.length === 0) {
    throw new AppError(
      'VALIDATION',
      `No pupil of ${school.name} was on roll from ${input.from ?? academicYearOf(today).start} to ${input.to ?? today}, so there is no CTF to write.`,
    );
  }

  // What each pupil's file holds ------------------------------------------------------------
  const ids = chosen.map((p) => p.id);
  const spanOf = (p: ExportPupilRow): { from: PlainDate; to: PlainDate } => {
    let from = p.admission_date as PlainDate;
    let to = (p.leaving_date ?? today) as PlainDate;
    if (to > today) to = today;
    if (kind === 'attendance') {
      const f = (input.from ?? academicYearOf(today).start) as PlainDate;
      const t = (input.to ?? today) as PlainDate;
      if (f > from) from = f;
      if (t < to) to = t;
    }
    return { from, to };
  };
  let minFrom = today;
  let maxTo = '0000-01-01' as PlainDate;
  for (const p of chosen) {
    const s = spanOf(p);
    if (s.from < minFrom) minFrom = s.from;
    if (s.to > maxTo) maxTo = s.to;
  }
  const marks =
    chosen.length > 0 ? await marksForCtf(deps.db, ids, minFrom, maxTo) : new Map<string, Map<string, string>>();
  const contacts = kind === 'transfer' && chosen.length > 0 ? await contactsForCtf(deps.db, ids) : [];
  const histories =
    kind === 'transfer' && chosen.length > 0 ? await historiesForCtf(deps.db, ids) : { attendance: [], schools: [] };

  // The document ----------------------------------------------------------------------------
  const warnings: string[] = [];
  const now = deps.clock.now();
  const doc = create({ version: '1.0', encoding: 'UTF-8' }).ele('CTfile');
  const h = doc.ele('Header');
  h.ele('DocumentName').txt('Common Transfer File');
  h.ele('CTFversion').txt(CTF_VERSION);
  // When the file was made, on the school's clock (the header has no zone): in summer, an hour
  // ahead of the UTC instant.
  const made = localDateTime(now, school.timeZone);
  h.ele('DateTime').txt(`${made.date}T${made.time}:${now.slice(17, 19)}`);
  h.ele('DocumentQualifier').txt(kind === 'transfer' ? 'full' : 'partial');
  if (kind === 'attendance') h.ele('DataDescriptor').txt('Attendance');
  h.ele('SupplierID').txt('Rollcall');
  const src = h.ele('SourceSchool');
  src.ele('LEA').txt(own.la);
  src.ele('Estab').txt(own.estab);
  src.ele('URN').txt(school.urn);
  src.ele('SchoolName').txt(school.name);
  src.ele('AcademicYear').txt(academicYearOf(today).start.slice(0, 4));
  const dst = h.ele('DestSchool');
  dst.ele('LEA').txt(dest.la);
  dst.ele('Estab').txt(dest.estab);
  const data = doc.ele('CTFpupilData');

  const contactsOf = new Map<string, typeof contacts>();
  for (const c of contacts) contactsOf.set(c.pupil_id, [...(contactsOf.get(c.pupil_id) ?? []), c]);
  const historyOf = new Map<string, typeof histories.attendance>();
  for (const r of histories.attendance) historyOf.set(r.pupil_id, [...(historyOf.get(r.pupil_id) ?? []), r]);
  const schoolsOf = new Map<string, typeof histories.schools>();
  for (const r of histories.schools) schoolsOf.set(r.pupil_id, [...(schoolsOf.get(r.pupil_id) ?? []), r]);

  for (const p of chosen) {
    const el = data.ele('Pupil');
    el.ele('UPN').txt(p.upn);
    el.ele('Surname').txt(p.legal_surname);
    el.ele('Forename').txt(p.legal_forename);
    if (p.date_of_birth) el.ele('DOB').txt(p.date_of_birth);
    if (p.gender === 'M' || p.gender === 'F') el.ele('Sex').txt(p.gender);
    if (kind === 'transfer') {
      const b = el.ele('BasicDetails');
      if (p.preferred_surname) b.ele('PreferredSurname').txt(p.preferred_surname);
      if (p.preferred_forename) b.ele('PreferredForename').txt(p.preferred_forename);
      if (p.year_group) b.ele('NCyearActual').txt(p.year_group);
      if (p.ethnicity) b.ele('Ethnicity').txt(p.ethnicity);
      el.ele('LookedAfter')
        .ele('InCare')
        .txt(p.lac === 1 ? 'true' : 'false');
      if (p.sen_status === 'K' || p.sen_status === 'E') {
        el.ele('SENhistory').ele('SEN').ele('SENprovision').txt(p.sen_status);
      }
      if (p.address || p.postcode) addressLines(el, p.address, p.postcode);
      const cs = contactsOf.get(p.id) ?? [];
      if (cs.length > 0) {
        const list = el.ele('Contacts');
        for (const c of cs) {
          const ce = list.ele('Contact');
          ce.ele('Order').txt(String(c.priority));
          const parts = c.name.trim().split(/\s+/);
          const surname = parts.length > 1 ? parts[parts.length - 1]! : c.name.trim();
          const forename = parts.length > 1 ? parts.slice(0, -1).join(' ') : '';
          if (forename) ce.ele('Forename').txt(forename);
          ce.ele('Surname').txt(surname);
          ce.ele('Relationship').txt(relationshipCode(c.relationship));
          ce.ele('Responsibility').txt(c.parental_responsibility === 1 ? 'true' : 'false');
          if (c.address !== null && c.address === p.address && c.postcode === p.postcode) {
            ce.ele('Address').ele('AddressAsPupil').txt('true');
          } else if (c.address || c.postcode) addressLines(ce, c.address, c.postcode);
          const phones: [string, string | null][] = [
            ['H', c.home_phone],
            ['M', c.mobile_phone],
            ['W', c.work_phone],
          ];
          if (phones.some(([, n]) => n)) {
            const ph = ce.ele('Phones');
            for (const [type, no] of phones) {
              if (!no) continue;
              const one = ph.ele('Phone');
              one.ele('TelephoneType').txt(type);
              one.ele('PhoneNo').txt(no);
            }
          }
          if (c.email) ce.ele('Email').txt(c.email);
        }
      }
    }
    // Attendance: this school's years from the register, then other schools' as imported.
    const span = spanOf(p);
    const years: { school: { la: string; estab: string; urn: string | null; name: string | null }; y: YearOut }[] = [];
    for (const ys of span.from <= span.to ? yearSpans(span.from, span.to) : []) {
      const y = encodeYear(cal, ys, marks.get(p.id));
      if (!y) continue;
      if (y.marks === null)
        warnings.push(
          `${p.upn} ${ys.year}/${String((ys.year + 1) % 100).padStart(2, '0')}: the session marks hold a two-character code (C1, C2, J1 or Y1–Y7), which the one-character marks string cannot carry; the counts are written, the session marks are not`,
        );
      years.push({ school: { la: own.la, estab: own.estab, urn: school.urn, name: school.name }, y });
    }
    const ownYears = new Set(years.map((x) => x.y.year));
    for (const r of kind === 'transfer' ? (historyOf.get(p.id) ?? []) : []) {
      if (r.la_code === own.la && r.estab === own.estab && ownYears.has(r.academic_year)) continue;
      years.push({
        school: { la: r.la_code, estab: r.estab, urn: r.urn, name: r.school_name },
        y: {
          year: r.academic_year,
          possible: r.sessions_possible,
          attended: r.sessions_attended,
          authorised: r.sessions_authorised,
          unauthorised: r.sessions_unauthorised,
          start: r.marks_start as PlainDate | null,
          marks: r.marks,
        },
      });
    }
    if (years.length > 0) {
      const att = el.ele('Attendance');
      for (const { school: s, y } of years) {
        const yd = att.ele('YearData');
        yd.ele('Year').txt(String(y.year));
        yd.ele('LEA').txt(s.la);
        yd.ele('Estab').txt(s.estab);
        if (s.urn) yd.ele('URN').txt(s.urn);
        if (s.name) yd.ele('SchoolName').txt(s.name);
        yd.ele('SessionsPossible').txt(String(y.possible));
        yd.ele('SessionsAuthorised').txt(String(y.authorised));
        yd.ele('SessionsAttended').txt(String(y.attended));
        yd.ele('SessionsUnauthorised').txt(String(y.unauthorised));
        if (y.start !== null && y.marks !== null) {
          const as = yd.ele('AttendSessions');
          as.ele('AttendanceStartDate').txt(y.start);
          as.ele('AttendanceMarks').txt(y.marks);
        }
      }
    }
    if (kind === 'transfer') {
      const sh = el.ele('SchoolHistory');
      for (const r of schoolsOf.get(p.id) ?? []) {
        if (r.la_code === own.la && r.estab === own.estab) continue;
        const se = sh.ele('School');
        se.ele('LEA').txt(r.la_code);
        se.ele('Estab').txt(r.estab);
        if (r.urn) se.ele('URN').txt(r.urn);
        if (r.school_name) se.ele('SchoolName').txt(r.school_name);
        if (r.entry_date) se.ele('EntryDate').txt(r.entry_date);
        if (r.leaving_date) se.ele('LeavingDate').txt(r.leaving_date);
        if (r.leaving_reason) se.ele('LeavingReason').txt(r.leaving_reason);
      }
      const me = sh.ele('School');
      me.ele('LEA').txt(own.la);
      me.ele('Estab').txt(own.estab);
      me.ele('URN').txt(school.urn);
      me.ele('SchoolName').txt(school.name);
      me.ele('EntryDate').txt(p.admission_date);
      if (p.leaving_date) me.ele('LeavingDate').txt(p.leaving_date);
    }
  }
  const xml = doc.end({ prettyPrint: true, indent: '  ' }) + '\n';

  // Record and audit ------------------------------------------------------------------------
  const destination = `${dest.la}${dest.estab}`;
  const fileName = await deps.db.transaction().execute(async (trx) => {
    const sequence = await nextCtfSequence(trx, school.id, destination);
    const name = `${own.la}${own.estab}_CTF_${destination}_${String(sequence).padStart(3, '0')}.XML`;
    const system = actor === SYSTEM_ACTOR;
    await recordCtfExport(
      trx,
      {
        id: newId(),
        school_id: school.id,
        kind,
        destination,
        sequence,
        file_name: name,
        pupil_count: chosen.length,
        created_at: now,
        created_by: system ? null : actor.userId,
        created_by_name: actor.name,
      },
      ids,
    );
    await audit(trx, actor, now, {
      action: 'export.ctf',
      entityType: 'school',
      entityId: school.id,
      schoolId: school.id,
      details: { kind, fileName: name, destination, pupils: chosen.length },
    });
    return name;
  });
  return { xml, fileName, pupils: chosen.length, warnings };
}

/** A leaver whose transfer CTF has not been written yet. */
export interface CtfDue {
  readonly pupilId: string;
  readonly upn: string;
  readonly name: string;
  readonly leavingDate: string;
  /** The 15th school day after leaving: the CTF is due by then. */
  readonly dueBy: string;
  readonly overdue: boolean;
  /** The CTF written for the pupil and not yet marked sent, if any. */
  readonly written: { readonly exportId: string; readonly fileName: string; readonly at: string } | null;
}

/** The date of the `n`th school day after `date` (or `n` weeks' worth of days when the calendar ends). */
export function schoolDaysAfter(cal: SchoolCalendar, date: PlainDate, n: number): PlainDate {
  let seen = 0;
  for (let d = 0; d < cal.dayCount; d++) {
    if (cal.dayDate[d]! <= date) continue;
    seen++;
    if (seen === n) return cal.dayDate[d]!;
  }
  return addDays(date, Math.ceil((n * 7) / 5));
}

/**
 * Leavers of the last 12 months whose transfer CTF has not been sent (not written, or written and
 * not yet marked sent), with the date it is due by (15 school days after leaving) and whether
 * that has passed. For the returns page.
 */
export async function ctfsDue(deps: Deps, actor: Actor, schoolId: string, today: PlainDate): Promise<CtfDue[]> {
  const school = await getSchool(deps.db, schoolId);
  authorise(actor, 'duties.view', { kind: 'school', ...school });
  const cal = await schoolCalendar(deps, school.id);
  const rows = await leaversWithoutCtf(deps.db, school.id, addDays(today, -365), today);
  const written = await unsentTransferCtfs(
    deps.db,
    school.id,
    rows.map((r) => r.id),
  );
  return rows.map((r) => {
    const w = written.get(r.id);
    const dueBy = schoolDaysAfter(cal, r.leaving_date as PlainDate, CTF_DUE_SCHOOL_DAYS);
    return {
      pupilId: r.id,
      upn: r.upn,
      name: `${r.legal_forename} ${r.legal_surname}`,
      leavingDate: r.leaving_date,
      dueBy,
      overdue: dueBy < today,
      written: w ? { exportId: w.id, fileName: w.file_name, at: w.created_at } : null,
    };
  });
}

/**
 * Marks a CTF the school wrote as sent (uploaded to the DfE's School to School site): the pupil
 * leaves the list of CTFs due. Those who may export; audited.
 */
export async function markCtfSent(
  deps: Deps,
  actor: Actor,
  input: { readonly schoolId: string; readonly exportId: string },
): Promise<void> {
  const school = await getSchool(deps.db, input.schoolId);
  authorise(actor, 'school.export', { kind: 'school', ...school });
  const at = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    const done = await markCtfExportSent(trx, school.id, input.exportId, at, actor.name);
    if (!done) throw new AppError('NOT_FOUND', 'The school has no such Common Transfer File waiting to be sent.');
    await audit(trx, actor, at, {
      action: 'ctf.sent',
      entityType: 'ctf_export',
      entityId: input.exportId,
      schoolId: school.id,
      details: { fileName: done.file_name },
    });
  });
}

/** The pupil id's UPN, for writing one pupil's CTF from a page. */
export async function upnOfPupil(deps: Deps, schoolId: string, pupilId: string): Promise<string> {
  const p = await pupilUpn(deps.db, schoolId, pupilId);
  if (!p) throw new AppError('PUPIL_NOT_FOUND', 'No such pupil.');
  return p;
}
