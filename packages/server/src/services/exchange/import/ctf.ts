/**
 * Reading a Common Transfer File (CTF) for `rollcall import --ctf` (docs/ctf.md).
 *
 * The XML is parsed with the line of every element, and every value is checked where it stands:
 * a bad date of birth is reported on the line of its `<DOB>`, a bad phone number on its
 * `<PhoneNo>`, a mark that is not a school session on its `<AttendanceMarks>`. The pupils,
 * contacts and the session marks of this school's own `YearData` then become the same checked
 * rows a CSV import makes (so they go through the same checks, buildRoll included); the
 * attendance `YearData` of other schools and the school history are kept as the pupil's history.
 */
import { fromDayNumber, isPlainDate, toDayNumber, validateUpn, type PlainDate } from '@rollcall/domain';
import { child, childText, children, parseXmlWithLines, type XmlElement } from '../../../imports/xml.js';
import { isEmail, phoneProblem, type ImportFile, type Problems, type Row, type Table } from './files.js';

/** The CTF versions Rollcall writes and reads as current. Earlier ones are read too (with `Gender`). */
export const CTF_VERSION = '25.0';

/**
 * CBDS contact relationship codes and the words Rollcall stores. PAM, PAF and OTH are seen in
 * MIS-produced files; the rest follow the CBDS list as Rollcall reads it (unverified: see
 * docs/ctf.md). A code not listed is stored as written and written back as it is.
 */
export const RELATIONSHIP_CODES: readonly (readonly [code: string, word: string])[] = [
  ['PAM', 'Mother'],
  ['PAF', 'Father'],
  ['CAR', 'Carer'],
  ['FOM', 'Foster mother'],
  ['FOF', 'Foster father'],
  ['STM', 'Step-mother'],
  ['STF', 'Step-father'],
  ['REL', 'Relative'],
  ['SWR', 'Social worker'],
  ['CHM', 'Childminder'],
  ['DOC', 'Doctor'],
  ['HTE', 'Head teacher'],
  ['AGN', 'Agency'],
  ['OTH', 'Other'],
];
const WORD_OF = new Map(RELATIONSHIP_CODES.map(([c, w]) => [c, w]));
const CODE_OF = new Map(RELATIONSHIP_CODES.map(([c, w]) => [w.toLowerCase(), c]));

/** The CTF relationship code for a stored relationship (Mother → PAM; an unknown word → OTH). */
export function relationshipCode(stored: string): string {
  const t = stored.trim();
  if (WORD_OF.has(t.toUpperCase())) return t.toUpperCase();
  const byWord = CODE_OF.get(t.toLowerCase());
  if (byWord) return byWord;
  if (/^(parent|mum)$/i.test(t)) return t.toLowerCase() === 'mum' ? 'PAM' : 'OTH';
  if (/^dad$/i.test(t)) return 'PAF';
  if (/^[A-Z]{3}$/.test(t)) return t;
  return 'OTH';
}

export interface CtfSchoolRef {
  readonly la: string;
  readonly estab: string;
  readonly urn: string | null;
  readonly name: string | null;
}

export interface CtfHeader {
  readonly line: number;
  readonly version: string;
  /** The line of `<CTFversion>` (the header's when it has none). */
  readonly versionLine: number;
  readonly qualifier: string;
  readonly source: CtfSchoolRef & { readonly academicYear: string };
  readonly dest: CtfSchoolRef;
}

export interface CtfYearData {
  readonly line: number;
  readonly year: number;
  readonly school: CtfSchoolRef;
  readonly possible: number;
  readonly attended: number;
  readonly authorised: number;
  readonly unauthorised: number;
  readonly marksStart: PlainDate | null;
  readonly marks: string | null;
  readonly marksLine: number;
}

export interface CtfSchoolHistory extends CtfSchoolRef {
  readonly entryDate: string | null;
  readonly leavingDate: string | null;
  readonly leavingReason: string | null;
}

export interface CtfPupil {
  readonly line: number;
  readonly upn: string;
  /** The pupil row, as pupils.csv would give it; a column absent keeps what is stored. */
  readonly values: Record<string, string>;
  readonly contacts: Row[];
  readonly yearData: CtfYearData[];
  readonly schoolHistory: CtfSchoolHistory[];
  /** Whether the pupil's element has a SchoolHistory (absent: the stored history is kept). */
  readonly hasSchoolHistory: boolean;
}

export interface CtfDocument {
  readonly file: string;
  readonly header: CtfHeader;
  readonly pupils: CtfPupil[];
}

const PUPIL_COLUMNS = [
  'upn',
  'surname',
  'forename',
  'preferred_surname',
  'preferred_forename',
  'date_of_birth',
  'gender',
  'ethnicity',
  'year_group',
  'address',
  'postcode',
  'admission_date',
  'sen',
  'ehcp',
  'fsm',
  'lac',
] as const;

const CONTACT_COLUMNS = [
  'upn',
  'name',
  'relationship',
  'priority',
  'parental_responsibility',
  'mobile_phone',
  'home_phone',
  'work_phone',
  'email',
  'address',
  'postcode',
] as const;

/** A loose UK postcode check, as for CSV imports. */
const POSTCODE = /^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$/;

function tidyPostcode(raw: string): string | null {
  const v = raw.toUpperCase().replace(/\s+/g, ' ').trim();
  if (!POSTCODE.test(v)) return null;
  const compact = v.replace(' ', '');
  return `${compact.slice(0, -3)} ${compact.slice(-3)}`;
}

function table(header: readonly string[], rows: readonly Row[], sparse: boolean): Table {
  const columns = new Set(header);
  return { header, mis: null, rows, has: (c) => columns.has(c), sparse };
}

/**
 * Reads and checks a CTF. Returns undefined (with the problem) when the XML cannot be read or is
 * not a CTF; otherwise the document, with every problem of its values added to `problems`.
 */
export function readCtf(file: ImportFile, problems: Problems): CtfDocument | undefined {
  const parsed = parseXmlWithLines(file.text);
  const name = file.name;
  const add = (line: number, message: string): void => {
    problems.push({ file: name, line, message });
  };
  if (!parsed.ok) {
    add(parsed.line, `malformed XML: ${parsed.message}`);
    return undefined;
  }
  const root = parsed.root;
  if (root.name !== 'CTfile') {
    add(root.line, `this is not a Common Transfer File: the root element is <${root.name}>, not <CTfile>`);
    return undefined;
  }
  const headerEl = child(root, 'Header');
  if (!headerEl) {
    add(root.line, 'the CTF has no <Header>');
    return undefined;
  }
  const version = childText(headerEl, 'CTFversion');
  if (!/^\d{1,2}(\.\d+)?$/.test(version)) {
    add(
      child(headerEl, 'CTFversion')?.line ?? headerEl.line,
      `CTFversion "${version}" is not a CTF version (like 25.0)`,
    );
  }
  const schoolRef = (el: XmlElement | undefined): CtfSchoolRef => ({
    la: childText(el, 'LEA'),
    estab: childText(el, 'Estab'),
    urn: childText(el, 'URN') || null,
    name: childText(el, 'SchoolName') || null,
  });
  const sourceEl = child(headerEl, 'SourceSchool');
  const header: CtfHeader = {
    line: headerEl.line,
    version,
    versionLine: child(headerEl, 'CTFversion')?.line ?? headerEl.line,
    qualifier: childText(headerEl, 'DocumentQualifier'),
    source: { ...schoolRef(sourceEl), academicYear: childText(sourceEl, 'AcademicYear') },
    dest: schoolRef(child(headerEl, 'DestSchool')),
  };
  const pupilData = child(root, 'CTFpupilData');
  const pupils: CtfPupil[] = [];
  for (const p of children(pupilData, 'Pupil')) {
    const pupil = readPupil(p, add);
    if (pupil) pupils.push(pupil);
  }
  return { file: name, header, pupils };
}

type Add = (line: number, message: string) => void;

/** An address block: lines (BS7666 or AddressLines) and the postcode; null when absent. */
function readAddress(el: XmlElement | undefined, add: Add): { lines: string | null; postcode: string | null } {
  if (!el) return { lines: null, postcode: null };
  const parts: string[] = [];
  const bs = child(el, 'BS7666Address');
  if (bs) {
    const t = (n: string) => childText(bs, n).replace(/\s+/g, ' ');
    parts.push(t('SAON'), [t('PAON'), t('Street')].filter((x) => x !== '').join(' '), t('Locality'), t('Town'));
    parts.push(t('PostTown') || t('AdministrativeArea'));
  }
  const lines = child(el, 'AddressLines');
  if (lines) for (let i = 1; i <= 5; i++) parts.push(childText(lines, `AddressLine${i}`).replace(/\s+/g, ' '));
  parts.push(childText(el, 'County').replace(/\s+/g, ' '));
  const kept = parts.filter((x) => x !== '');
  const pcEl = child(el, 'PostCode');
  const raw = pcEl?.text.trim() ?? '';
  let postcode: string | null = null;
  if (raw !== '') {
    postcode = tidyPostcode(raw);
    if (postcode === null) add(pcEl!.line, `PostCode "${raw}" is not a UK postcode (like SW1A 1AA)`);
  }
  return { lines: kept.length > 0 ? kept.join('\n') : null, postcode };
}

function count(el: XmlElement, name: string, add: Add): number {
  const c = child(el, name);
  const v = c?.text.trim() ?? '';
  if (v === '') return 0;
  if (!/^\d{1,5}$/.test(v)) {
    add(c!.line, `${name} "${v}" must be a whole number of sessions`);
    return 0;
  }
  return Number(v);
}

function readPupil(p: XmlElement, add: Add): CtfPupil | undefined {
  const upnEl = child(p, 'UPN');
  const rawUpn = upnEl?.text.trim() ?? '';
  const check = validateUpn(rawUpn);
  if (!upnEl) {
    add(p.line, 'the pupil has no <UPN>');
    return undefined;
  }
  if (!check.valid) {
    add(upnEl.line, `invalid UPN "${rawUpn}": ${check.reason}`);
    return undefined;
  }
  const upn = check.upn;
  const values: Record<string, string> = { upn };
  // Names exactly as written (only the spaces around them are dropped).
  for (const [el, column] of [
    ['Surname', 'surname'],
    ['Forename', 'forename'],
  ] as const) {
    const c = child(p, el);
    const v = c?.text.trim() ?? '';
    if (v === '') add(c?.line ?? p.line, `${el} is empty: the register needs the pupil's legal ${column}`);
    else values[column] = v;
  }
  const dobEl = child(p, 'DOB');
  const dob = dobEl?.text.trim() ?? '';
  if (dob !== '' && !isPlainDate(dob)) add(dobEl!.line, `DOB "${dob}" is not a date: CTF dates are YYYY-MM-DD`);
  else if (dobEl) values['date_of_birth'] = dob;
  const sexEl = child(p, 'Sex') ?? child(p, 'Gender');
  const sex = sexEl?.text.trim().toUpperCase() ?? '';
  if (sexEl && sex !== 'M' && sex !== 'F') add(sexEl.line, `${sexEl.name} "${sexEl.text.trim()}" must be M or F`);
  else if (sexEl) values['gender'] = sex;
  // A block the file leaves out (a partial CTF) leaves what is stored as it is.
  const basic = child(p, 'BasicDetails');
  if (basic) {
    values['preferred_surname'] = childText(basic, 'PreferredSurname');
    values['preferred_forename'] = childText(basic, 'PreferredForename');
    values['ethnicity'] = childText(basic, 'Ethnicity');
    values['year_group'] = childText(basic, 'NCyearActual');
  }
  const lookedAfter = child(p, 'LookedAfter');
  if (lookedAfter) values['lac'] = /^(true|1)$/i.test(childText(lookedAfter, 'InCare')) ? 'Y' : 'N';
  const fsm = child(p, 'FSMhistory');
  if (fsm) {
    const open = children(fsm, 'FSMinstance').some((i) => childText(i, 'FSMendDate') === '');
    values['fsm'] = open ? 'Y' : 'N';
  }
  const senHistory = child(p, 'SENhistory');
  if (senHistory) {
    let provision = 'N';
    for (const s of children(senHistory, 'SEN')) {
      if (childText(s, 'EndDate') !== '') continue;
      const v = childText(s, 'SENprovision').toUpperCase();
      if (v === 'E' || v === 'K') provision = v;
      else if (v !== '' && v !== 'N') add(child(s, 'SENprovision')!.line, `SENprovision "${v}" must be N, K or E`);
    }
    values['sen'] = provision;
    values['ehcp'] = provision === 'E' ? 'Y' : 'N';
  }
  const address = readAddress(child(p, 'Address'), add);
  if (child(p, 'Address')) {
    values['address'] = address.lines ?? '';
    values['postcode'] = address.postcode ?? '';
  }

  // School history ----------------------------------------------------------------------------
  const schoolHistory: CtfSchoolHistory[] = [];
  for (const s of children(child(p, 'SchoolHistory'), 'School')) {
    const date = (n: string): string | null => {
      const c = child(s, n);
      const v = c?.text.trim() ?? '';
      if (v === '') return null;
      if (!isPlainDate(v)) {
        add(c!.line, `${n} "${v}" is not a date: CTF dates are YYYY-MM-DD`);
        return null;
      }
      return v;
    };
    schoolHistory.push({
      la: childText(s, 'LEA'),
      estab: childText(s, 'Estab'),
      urn: childText(s, 'URN') || null,
      name: childText(s, 'SchoolName') || null,
      entryDate: date('EntryDate'),
      leavingDate: date('LeavingDate'),
      leavingReason: childText(s, 'LeavingReason') || null,
    });
  }

  // Attendance --------------------------------------------------------------------------------
  const yearData: CtfYearData[] = [];
  for (const y of children(child(p, 'Attendance'), 'YearData')) {
    const yearEl = child(y, 'Year');
    const yearText = yearEl?.text.trim() ?? '';
    if (!/^\d{4}$/.test(yearText)) {
      add(yearEl?.line ?? y.line, `Year "${yearText}" must be the year the academic year starts (like 2025)`);
      continue;
    }
    const sessions = child(y, 'AttendSessions');
    const startEl = child(sessions, 'AttendanceStartDate');
    const marksEl = child(sessions, 'AttendanceMarks');
    let marksStart: PlainDate | null = null;
    if (sessions) {
      const v = startEl?.text.trim() ?? '';
      if (!isPlainDate(v)) {
        add(startEl?.line ?? sessions.line, `AttendanceStartDate "${v}" is not a date: CTF dates are YYYY-MM-DD`);
      } else marksStart = v;
    }
    const school = { la: childText(y, 'LEA'), estab: childText(y, 'Estab') };
    if (!/^\d{3}$/.test(school.la) || !/^\d{4}$/.test(school.estab)) {
      add(
        y.line,
        `YearData ${yearText} needs the school's LEA (3 digits) and Estab (4 digits), got "${school.la}" and "${school.estab}"`,
      );
      continue;
    }
    const counts = {
      possible: count(y, 'SessionsPossible', add),
      attended: count(y, 'SessionsAttended', add),
      authorised: count(y, 'SessionsAuthorised', add),
      unauthorised: count(y, 'SessionsUnauthorised', add),
    };
    yearData.push({
      line: y.line,
      year: Number(yearText),
      school: { ...school, urn: childText(y, 'URN') || null, name: childText(y, 'SchoolName') || null },
      ...counts,
      marksStart,
      // The marks string as written: only the white space around it is dropped.
      marks: marksEl ? marksEl.text.trim() : null,
      marksLine: marksEl?.line ?? sessions?.line ?? y.line,
    });
  }

  // Contacts ----------------------------------------------------------------------------------
  const contacts: Row[] = [];
  const used = new Set<number>();
  const contactEls = children(child(p, 'Contacts'), 'Contact');
  for (const c of contactEls) {
    const order = Number(childText(c, 'Order'));
    if (Number.isInteger(order) && order >= 1) used.add(order);
  }
  let next = 1;
  for (const c of contactEls) {
    const v: Record<string, string> = { upn };
    const forename = childText(c, 'Forename');
    const surname = childText(c, 'Surname');
    v['name'] = [forename, surname].filter((x) => x !== '').join(' ');
    if (v['name'] === '') add(c.line, "the contact has no Forename or Surname: give the contact's name");
    const rel = childText(c, 'Relationship');
    v['relationship'] = WORD_OF.get(rel.toUpperCase()) ?? rel;
    const orderEl = child(c, 'Order');
    const orderText = orderEl?.text.trim() ?? '';
    if (orderText === '') {
      while (used.has(next)) next++;
      used.add(next);
      v['priority'] = String(next);
    } else if (!/^\d{1,2}$/.test(orderText) || Number(orderText) < 1) {
      add(orderEl!.line, `Order "${orderText}" must be a whole number from 1 (first to call) to 99`);
      v['priority'] = '1';
    } else v['priority'] = String(Number(orderText));
    const resp = childText(c, 'Responsibility');
    v['parental_responsibility'] = /^(true|1)$/i.test(resp) ? 'Y' : 'N';
    for (const phone of children(child(c, 'Phones'), 'Phone')) {
      const type = childText(phone, 'TelephoneType').toUpperCase();
      const noEl = child(phone, 'PhoneNo');
      const no = noEl?.text.trim().replace(/\s+/g, ' ') ?? '';
      const column = type === 'M' ? 'mobile_phone' : type === 'H' ? 'home_phone' : type === 'W' ? 'work_phone' : null;
      if (column === null || no === '' || (v[column] ?? '') !== '') continue;
      const why = phoneProblem(no);
      if (why) add(noEl!.line, `PhoneNo "${no}" ${why}`);
      else v[column] = no;
    }
    const emailEl = child(c, 'Email');
    const email = emailEl?.text.trim() ?? '';
    if (email !== '' && !isEmail(email))
      add(emailEl!.line, `Email "${email}" is not an email address (like name@example.org)`);
    else v['email'] = email;
    const addrEl = child(c, 'Address');
    if (addrEl && /^(true|1)$/i.test(childText(addrEl, 'AddressAsPupil'))) {
      v['address'] = values['address'] ?? '';
      v['postcode'] = values['postcode'] ?? '';
    } else if (addrEl) {
      const a = readAddress(addrEl, add);
      v['address'] = a.lines ?? '';
      v['postcode'] = a.postcode ?? '';
    }
    contacts.push({ line: c.line, values: v });
  }
  return {
    line: p.line,
    upn,
    values,
    contacts,
    yearData,
    schoolHistory,
    hasSchoolHistory: child(p, 'SchoolHistory') !== undefined,
  };
}

/** The school a CTF figure belongs to is this school when its LA and establishment number match. */
export function isOwnSchool(ref: { la: string; estab: string }, own: { la: string; estab: string | null }): boolean {
  return own.estab !== null && ref.la === own.la && ref.estab === own.estab;
}

/** What the import makes of a CTF once it knows which school it is importing into. */
export interface CtfTables {
  readonly pupils: Table;
  readonly contacts: Table;
  readonly marks: Table;
  /** Attendance YearData of other schools (and this school's without session marks), by UPN. */
  readonly history: Map<string, CtfYearData[]>;
  readonly schoolHistory: Map<string, CtfSchoolHistory[]>;
  /** This school's YearData with session marks, by UPN: their counts are checked against the marks. */
  readonly own: Map<string, CtfYearData[]>;
  /** The school imported into (its LA and establishment number). */
  readonly ownSchool: { readonly la: string; readonly estab: string | null };
}

/**
 * Splits a checked CTF into the rows the import checks and writes. The session marks of this
 * school's own YearData become mark rows, one per character that is a mark (`#` and `-` are no
 * session or no mark), on the line of the `AttendanceMarks` element. The pupil's admission date is
 * the entry date of this school in the school history, when there is one.
 */
export function ctfTables(doc: CtfDocument, own: { la: string; estab: string | null }): CtfTables {
  const pupils: Row[] = [];
  const contacts: Row[] = [];
  const marks: Row[] = [];
  const history = new Map<string, CtfYearData[]>();
  const schoolHistory = new Map<string, CtfSchoolHistory[]>();
  const ownYears = new Map<string, CtfYearData[]>();
  // Every pupil's string covers the same days: each date is worked out once.
  const dates = new Map<number, string>();
  const dateOf = (day: number): string => {
    let d = dates.get(day);
    if (d === undefined) dates.set(day, (d = fromDayNumber(day)));
    return d;
  };
  for (const p of doc.pupils) {
    const values = { ...p.values };
    const entry = p.schoolHistory.find((s) => isOwnSchool(s, own));
    if (entry?.entryDate) values['admission_date'] = entry.entryDate;
    pupils.push({ line: p.line, values });
    contacts.push(...p.contacts);
    schoolHistory.set(p.upn, p.schoolHistory);
    const kept: CtfYearData[] = [];
    const mine: CtfYearData[] = [];
    for (const y of p.yearData) {
      if (!isOwnSchool(y.school, own) || y.marks === null || y.marksStart === null) {
        kept.push(y);
        continue;
      }
      mine.push(y);
      const s = y.marks;
      const first = toDayNumber(y.marksStart);
      for (let i = 0; i < s.length; i++) {
        const c = s[i]!;
        if (c === '#' || c === '-') continue;
        marks.push({
          line: y.marksLine,
          values: { upn: p.upn, date: dateOf(first + (i >> 1)), session: (i & 1) === 0 ? 'AM' : 'PM', code: c },
        });
      }
    }
    history.set(p.upn, kept);
    ownYears.set(p.upn, mine);
  }
  return {
    pupils: table(PUPIL_COLUMNS, pupils, true),
    contacts: table(CONTACT_COLUMNS, contacts, false),
    marks: table(['upn', 'date', 'session', 'code'], marks, false),
    history,
    schoolHistory,
    own: ownYears,
    ownSchool: own,
  };
}
