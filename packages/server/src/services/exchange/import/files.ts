/**
 * Long on purpose: every reader of the import's files (calendar, tables, pupils' extra columns,
 * contacts, groups) shares the row and problem helpers (UPN, address, postcode, flags); the
 * contacts and groups readers (from `contactRestriction` down) are the seam to split along once the
 * import work under way has landed.
 *
 * Reading the files of `rollcall import` into checked rows, before the database is consulted.
 *
 * The calendar, pupils and marks formats are exactly those of `rollcall analyse`: the same
 * readers (parseCsv, parseJsonWithLines) and the same domain checks (parseCalendarInput,
 * compileCalendar, and later buildRoll). What the register needs on top (legal names, contacts,
 * groups) is checked here, row by row, every problem with its line. See docs/cli/import.md.
 */
import { normaliseLanguage } from '../../casework/letters/languages.js';
import {
  compileCalendar,
  parseCalendarInput,
  parseFlag,
  validateUpn,
  type CalendarInput,
  type MarkRow,
  type PupilRow,
  type SchoolCalendar,
} from '@rollcall/domain';
import { parseCsv, type CsvTable } from '../../../imports/csv.js';
import { parseJsonWithLines } from '../../../imports/json-lines.js';
import { gridToLong } from './grid.js';
import { mappingFor, ownDateValue, type CsvKind, type MisChoice, type MisName } from './mis.js';

/** One input file: the name used in messages (the path as given) and its text. */
export interface ImportFile {
  readonly name: string;
  readonly text: string;
  /** A spreadsheet's sheet name (a weekly marks grid may be named by its week). */
  readonly sheetName?: string | undefined;
  /** Marks: the Monday (YYYY-MM-DD) of a weekly grid that names weekdays, not dates (`--week-commencing`). */
  readonly weekCommencing?: string | undefined;
}

/**
 * A problem with the input, reported as `file:line: message` (line 0: the file as a whole).
 * `file` is null for problems with the options rather than a file (e.g. an unknown school).
 */
export interface ImportProblem {
  readonly file: string | null;
  readonly line: number;
  readonly message: string;
}

export type Problems = ImportProblem[];

/** A CSV record as column name → text, with its line. */
export interface Row {
  readonly line: number;
  readonly values: Readonly<Record<string, string>>;
}

export interface Table {
  readonly header: readonly string[];
  /** The MIS preset the header was read with, or null for our own column names. */
  readonly mis: MisName | null;
  readonly rows: readonly Row[];
  has(column: string): boolean;
  /** Rows read from a CTF: a column a row leaves out keeps the pupil's stored value. */
  readonly sparse?: boolean;
  /** `grid`: a marks file with one column per session, read as the long layout (grid.ts). */
  readonly layout?: 'grid';
}

// ---------------------------------------------------------------------------------------------
// Calendar
// ---------------------------------------------------------------------------------------------

export interface CalendarFile {
  readonly input: CalendarInput;
  readonly calendar: SchoolCalendar;
  /** The line of the file's top-level value, for problems with the calendar as a whole. */
  readonly line: number;
}

/** Reads calendar.json as `rollcall analyse` does; problems carry the line of the offending field. */
export function readCalendarFile(file: ImportFile, problems: Problems): CalendarFile | undefined {
  const parsed = parseJsonWithLines(file.text);
  if (!parsed.ok) {
    problems.push({ file: file.name, line: parsed.line, message: `malformed calendar JSON: ${parsed.message}` });
    return undefined;
  }
  const input = parseCalendarInput(parsed.value);
  if (!input.ok) {
    for (const issue of input.issues) {
      problems.push({
        file: file.name,
        line: parsed.lineOf(issue.path),
        message: `malformed calendar: ${issue.message}`,
      });
    }
    return undefined;
  }
  const compiled = compileCalendar(input.value);
  if (!compiled.ok) {
    for (const issue of compiled.issues) {
      problems.push({
        file: file.name,
        line: parsed.lineOf(issue.path),
        message: `malformed calendar: ${issue.message}`,
      });
    }
    return undefined;
  }
  return { input: input.value, calendar: compiled.value, line: parsed.lineOf([]) };
}

// ---------------------------------------------------------------------------------------------
// CSV tables
// ---------------------------------------------------------------------------------------------

/**
 * Parses a CSV file and checks its header has the required columns (messages as `rollcall
 * analyse` words them). Returns undefined when the rows cannot be read.
 */
export function readTable(
  file: ImportFile,
  required: readonly string[],
  problems: Problems,
  why = '',
  mis?: { readonly kind: CsvKind; readonly choice: MisChoice },
): Table | undefined {
  let table: CsvTable = parseCsv(file.text);
  let mapping = mis && table.header.length > 0 ? mappingFor(mis.kind, table.header, mis.choice) : undefined;
  let layout: 'grid' | undefined;
  if (mis?.kind === 'marks') {
    // One column per session (a grid): read as the long layout, each mark on its row's line.
    const grid = gridToLong(table, (mapping ? mapping.columns : table.header).includes('date'), {
      weekCommencing: file.weekCommencing,
      sheetName: file.sheetName,
    });
    if (grid) {
      table = grid.table;
      mapping = undefined;
      layout = 'grid';
    }
    if (file.weekCommencing !== undefined && grid?.week === undefined && table.problems.length === 0) {
      problems.push({
        file: file.name,
        line: 0,
        message:
          '--week-commencing is for a weekly grid whose columns name weekdays (like "Mon AM"); this file names its dates: leave the option out',
      });
    }
  }
  for (const p of table.problems) problems.push({ file: file.name, line: p.line, message: p.message });
  if (table.header.length === 0) {
    if (table.problems.length > 0) return undefined;
    problems.push({
      file: file.name,
      line: 1,
      message: `the file is empty: it needs a header row with ${required.join(',')}`,
    });
    return undefined;
  }
  const header = mapping ? mapping.columns : table.header;
  const missing = required.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    const as = mapping ? ` read as a ${mapping.mis.toUpperCase()} export` : '';
    problems.push({
      file: file.name,
      line: 1,
      message: `the header${as} is missing ${missing.map((c) => `"${c}"`).join(', ')} (found: ${table.header.join(',')}); it needs ${required.join(',')}${why}`,
    });
    return undefined;
  }
  // Our own column names: dates still as a spreadsheet may have saved them (`--mis none`: as written).
  const convert = mapping
    ? (h: string, v: string) => mapping.convert(h, v)
    : mis && mis.choice !== 'none' && layout === undefined
      ? ownDateValue
      : undefined;
  const rows = table.records.map((r): Row => {
    const values: Record<string, string> = {};
    header.forEach((h, i) => {
      const v = r.fields[i] ?? '';
      values[h] = convert ? convert(h, v) : v;
    });
    return { line: r.line, values };
  });
  const columns = new Set(header);
  return { header, mis: mapping?.mis ?? null, rows, has: (c) => columns.has(c), ...(layout ? { layout } : {}) };
}

export const MARK_COLUMNS = ['upn', 'date', 'session', 'code'] as const;

/** The marks file's rows for buildRoll, exactly as `rollcall analyse` passes them. */
export function markRowsOf(table: Table): MarkRow[] {
  const hasMinutes = table.has('minutes_late');
  return table.rows.map((r) => ({
    line: r.line,
    upn: r.values['upn'] ?? '',
    date: r.values['date'] ?? '',
    session: r.values['session'] ?? '',
    code: r.values['code'] ?? '',
    minutesLate: hasMinutes ? r.values['minutes_late'] : undefined,
  }));
}

export function pupilRowsOf(table: Table): PupilRow[] {
  return table.rows.map((r) => ({ line: r.line, values: r.values }));
}

const text = (row: Row, column: string): string => (row.values[column] ?? '').trim();

/** Blank → null; otherwise the trimmed text with runs of spaces collapsed. */
function optionalText(row: Row, column: string): string | null {
  const v = text(row, column).replace(/\s+/g, ' ');
  return v === '' ? null : v;
}

/** A flag column: Y/N, yes/no, true/false, 1/0 (any case); blank is N. */
function flag(row: Row, column: string, file: string, problems: Problems): boolean {
  const f = parseFlag(text(row, column));
  if (f === 'invalid') {
    problems.push({
      file,
      line: row.line,
      message: `${column} "${text(row, column)}" must be Y or N (or true/false, 1/0)`,
    });
    return false;
  }
  return f ?? false;
}

/** A UPN cell: valid and (when `known` says so) a pupil of the school. Returns the UPN in capitals. */
function upnCell(row: Row, file: string, problems: Problems, known: (upn: string) => boolean): string | undefined {
  const raw = text(row, 'upn');
  const check = validateUpn(raw);
  if (!check.valid) {
    problems.push({ file, line: row.line, message: `invalid UPN "${raw}": ${check.reason}` });
    return undefined;
  }
  if (!known(check.upn)) {
    problems.push({
      file,
      line: row.line,
      message: `UPN ${check.upn} is not in the pupils file and not a pupil of the school`,
    });
    return undefined;
  }
  return check.upn;
}

/** An address cell: lines (newline-separated in the cell) trimmed, blank lines dropped; blank → null. */
function addressCell(row: Row): string | null {
  const lines = (row.values['address'] ?? '')
    .split(/\r?\n/)
    .map((l) => l.trim().replace(/\s+/g, ' '))
    .filter((l) => l !== '');
  return lines.length === 0 ? null : lines.join('\n');
}

/** A loose UK postcode check (outward code, space optional, inward code), e.g. SW1A 1AA. */
const POSTCODE = /^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$/;

/** A postcode cell in capitals with one space before the inward code; blank → null. */
function postcodeCell(row: Row, file: string, problems: Problems): string | null {
  const raw = text(row, 'postcode').toUpperCase().replace(/\s+/g, ' ');
  if (raw === '') return null;
  if (!POSTCODE.test(raw)) {
    problems.push({
      file,
      line: row.line,
      message: `postcode "${text(row, 'postcode')}" is not a UK postcode (like SW1A 1AA)`,
    });
    return null;
  }
  const compact = raw.replace(' ', '');
  return `${compact.slice(0, -3)} ${compact.slice(-3)}`;
}

// ---------------------------------------------------------------------------------------------
// Pupils: the register's columns on top of analyse's
// ---------------------------------------------------------------------------------------------

/** Columns the register needs besides `upn`: legal names. */
export const PUPIL_NAME_COLUMNS = ['surname', 'forename'] as const;

/** What pupils.csv adds for the register, beyond what buildRoll reads. */
export interface PupilExtras {
  readonly line: number;
  readonly preferredSurname: string | null;
  readonly preferredForename: string | null;
  readonly ehcp: boolean;
  readonly previouslyLac: boolean;
  readonly socialWorker: string | null;
  readonly address: string | null;
  readonly postcode: string | null;
  /**
   * The school last attended (`last_school`, `last_school_address`): a name, `none` when the
   * cell says there was none (`None`, `N/A`), null when blank (what is stored is kept).
   */
  readonly lastSchool: { readonly name: string; readonly address: string | null } | 'none' | null;
  /** `boarder`: Y/N, null when blank or absent. */
  readonly boarder: boolean | null;
}

function lastSchoolCell(row: Row): PupilExtras['lastSchool'] {
  const name = optionalText(row, 'last_school');
  if (name === null) return null;
  if (/^(none|n\/a|no previous school)$/i.test(name)) return 'none';
  const address = (row.values['last_school_address'] ?? '').trim();
  return { name, address: address === '' ? null : address.replace(/\r\n/g, '\n') };
}

/**
 * Checks the register's own pupil columns: legal names present, `ehcp` and `previously_lac`
 * flags, `ehcp` agreeing with `sen` (an EHC plan is sen E). Keyed by UPN (rows whose UPN is
 * invalid are checked too, but buildRoll reports the UPN itself).
 */
export function readPupilExtras(file: string, table: Table, problems: Problems): Map<string, PupilExtras> {
  const out = new Map<string, PupilExtras>();
  for (const row of table.rows) {
    for (const column of PUPIL_NAME_COLUMNS) {
      if (text(row, column) === '') {
        problems.push({
          file,
          line: row.line,
          message: `${column} is empty: the register needs the pupil's legal ${column}`,
        });
      }
    }
    const ehcp = flag(row, 'ehcp', file, problems);
    const sen = text(row, 'sen').toUpperCase();
    if (
      text(row, 'ehcp') !== '' &&
      parseFlag(text(row, 'ehcp')) !== 'invalid' &&
      (sen === 'N' || sen === 'K' || sen === 'E')
    ) {
      if (ehcp !== (sen === 'E')) {
        problems.push({
          file,
          line: row.line,
          message: `ehcp "${text(row, 'ehcp')}" disagrees with sen "${text(row, 'sen')}": a pupil with an EHC plan has sen E`,
        });
      }
    }
    const extras: PupilExtras = {
      line: row.line,
      preferredSurname: optionalText(row, 'preferred_surname'),
      preferredForename: optionalText(row, 'preferred_forename'),
      ehcp,
      previouslyLac: flag(row, 'previously_lac', file, problems),
      socialWorker: optionalText(row, 'social_worker'),
      address: addressCell(row),
      postcode: postcodeCell(row, file, problems),
      lastSchool: lastSchoolCell(row),
      boarder: text(row, 'boarder') === '' ? null : flag(row, 'boarder', file, problems),
    };
    const check = validateUpn(text(row, 'upn'));
    if (check.valid && !out.has(check.upn)) out.set(check.upn, extras);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Contacts
// ---------------------------------------------------------------------------------------------

export const CONTACT_REQUIRED = ['upn', 'name', 'relationship', 'priority'] as const;
export const CONTACT_PHONES = ['mobile_phone', 'home_phone', 'work_phone'] as const;

export interface ContactRow {
  readonly line: number;
  readonly upn: string;
  readonly name: string;
  readonly relationship: string;
  readonly priority: number;
  readonly parentalResponsibility: boolean;
  /** undefined when the file has no such column: what is stored is kept. */
  readonly livesWithPupil: boolean | undefined;
  readonly mobilePhone: string | null;
  readonly homePhone: string | null;
  readonly workPhone: string | null;
  readonly email: string | null;
  /** undefined when the file has no such column: what is stored is kept. */
  readonly address: string | null | undefined;
  readonly postcode: string | null | undefined;
  /** A language code (`pl`), null for English; undefined when the file has no such column. */
  readonly preferredLanguage: string | null | undefined;
  /**
   * The contact must have no contact with the child (`no_contact`) or a court order says so
   * (`court_order`); null for none; undefined when the file has no such column (what is stored is
   * kept). See docs/security.md.
   */
  readonly restriction: 'no_contact' | 'court_order' | null | undefined;
}

/**
 * A contact restriction as written in a file: empty or `none` for none, `no contact` or `court
 * order` in any case, with a space, hyphen or underscore. Undefined when it is none of these.
 *
 * @example contactRestriction('No contact') // 'no_contact'
 * @example contactRestriction('COURT-ORDER') // 'court_order'
 */
export function contactRestriction(value: string | null): 'no_contact' | 'court_order' | null | undefined {
  const v = (value ?? '')
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, ' ');
  if (v === '' || v === 'none' || v === 'no') return null;
  if (v === 'no contact') return 'no_contact';
  if (v === 'court order') return 'court_order';
  return undefined;
}

/**
 * Checks a phone number loosely as a UK number: digits and spaces, an optional leading +, and
 * 10 to 13 digits in all. Returns the problem, or null when it is acceptable.
 *
 * @example phoneProblem('07700 900123') // null
 * @example phoneProblem('+44 7700 900123') // null
 */
export function phoneProblem(value: string): string | null {
  if (!/^\+?[0-9 ]+$/.test(value)) return 'may contain only digits, spaces and a leading +';
  const digits = value.replace(/[^0-9]/g, '').length;
  if (digits < 10 || digits > 13) return `has ${digits} digits; a phone number has 10 to 13`;
  return null;
}

/** A loose email check: one @, no spaces, a dot in the domain, at most 254 characters. */
export function isEmail(value: string): boolean {
  return value.length <= 254 && /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/.test(value);
}

/** The key a contact is matched by within a pupil: the name, case and spacing ignored. */
export function contactKey(name: string): string {
  return name.trim().replace(/\s+/g, ' ').toLowerCase();
}

export function readContacts(
  file: string,
  table: Table,
  known: (upn: string) => boolean,
  problems: Problems,
): ContactRow[] {
  const out: ContactRow[] = [];
  const byName = new Map<string, number>();
  const byPriority = new Map<string, number>();
  for (const row of table.rows) {
    const before = problems.length;
    const upn = upnCell(row, file, problems, known);
    const name = optionalText(row, 'name');
    if (name === null) problems.push({ file, line: row.line, message: "name is empty: give the contact's name" });
    const relationship = optionalText(row, 'relationship');
    if (relationship === null) {
      problems.push({
        file,
        line: row.line,
        message: 'relationship is empty: say who the contact is (e.g. Mother, Father, Carer, Grandparent)',
      });
    }
    const priorityText = text(row, 'priority');
    let priority = 0;
    if (/^\d{1,2}$/.test(priorityText) && Number(priorityText) >= 1) priority = Number(priorityText);
    else
      problems.push({
        file,
        line: row.line,
        message: `priority "${priorityText}" must be a whole number from 1 (first to call) to 99`,
      });
    const parentalResponsibility = flag(row, 'parental_responsibility', file, problems);
    const livesWithPupil = table.has('lives_with_pupil') ? flag(row, 'lives_with_pupil', file, problems) : undefined;
    const phones: Record<(typeof CONTACT_PHONES)[number], string | null> = {
      mobile_phone: null,
      home_phone: null,
      work_phone: null,
    };
    for (const column of CONTACT_PHONES) {
      const v = optionalText(row, column);
      if (v === null) continue;
      const why = phoneProblem(v);
      if (why) problems.push({ file, line: row.line, message: `${column} "${v}" ${why}` });
      else phones[column] = v;
    }
    const email = optionalText(row, 'email');
    if (email !== null && !isEmail(email)) {
      problems.push({
        file,
        line: row.line,
        message: `email "${email}" is not an email address (like name@example.org)`,
      });
    }
    const postcode = postcodeCell(row, file, problems);
    const languageText = optionalText(row, 'preferred_language');
    const preferredLanguage = normaliseLanguage(languageText);
    if (preferredLanguage === undefined)
      problems.push({
        file,
        line: row.line,
        message: `preferred_language "${languageText ?? ''}" is not a language Rollcall knows: give a code such as pl or ro, or a name such as Polish`,
      });
    const restrictionText = table.has('restriction') ? optionalText(row, 'restriction') : null;
    const restriction = contactRestriction(restrictionText);
    if (restriction === undefined)
      problems.push({
        file,
        line: row.line,
        message: `restriction "${restrictionText ?? ''}" must be "no contact", "court order" or empty (none)`,
      });
    if (upn !== undefined && name !== null) {
      const key = `${upn} ${contactKey(name)}`;
      const first = byName.get(key);
      if (first !== undefined) {
        problems.push({
          file,
          line: row.line,
          message: `duplicate contact "${name}" for ${upn} (already on line ${first})`,
        });
      } else byName.set(key, row.line);
    }
    if (upn !== undefined && priority > 0) {
      const key = `${upn} ${priority}`;
      const first = byPriority.get(key);
      if (first !== undefined) {
        problems.push({
          file,
          line: row.line,
          message: `priority ${priority} is used twice for ${upn} (already on line ${first}): give each contact its own order`,
        });
      } else byPriority.set(key, row.line);
    }
    if (problems.length > before || upn === undefined || name === null || relationship === null) continue;
    out.push({
      line: row.line,
      upn,
      name,
      relationship,
      priority,
      parentalResponsibility,
      livesWithPupil,
      mobilePhone: phones.mobile_phone,
      homePhone: phones.home_phone,
      workPhone: phones.work_phone,
      email,
      address: table.has('address') ? addressCell(row) : undefined,
      postcode: table.has('postcode') ? postcode : undefined,
      preferredLanguage: table.has('preferred_language') ? (preferredLanguage ?? null) : undefined,
      restriction: table.has('restriction') ? (restriction ?? null) : undefined,
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Groups
// ---------------------------------------------------------------------------------------------

export const GROUP_REQUIRED = ['group', 'kind', 'upn'] as const;
export type GroupKind = 'registration' | 'teaching';

/** One group named in groups.csv, with its members and (when the columns are there) its details. */
export interface GroupSpec {
  readonly kind: GroupKind;
  readonly name: string;
  /** The line the group first appears on. */
  readonly line: number;
  /** Members by UPN → the line listing them. */
  readonly members: Map<string, number>;
  /** undefined: the column is absent (leave as is); null: blank on every row (clear it). */
  yearGroup: string | null | undefined;
  subject: string | null | undefined;
  /** Staff emails → line; undefined when the column is absent. */
  readonly staff: Map<string, number> | undefined;
}

export function groupKey(kind: GroupKind, name: string): string {
  return `${kind}\u0000${name}`;
}

/** Group names: trimmed, runs of spaces collapsed; otherwise matched exactly (case counts). */
export function groupName(value: string): string {
  return value.trim().replace(/\s+/g, ' ');
}

export function readGroups(
  file: string,
  table: Table,
  known: (upn: string) => boolean,
  problems: Problems,
): Map<string, GroupSpec> {
  const groups = new Map<string, GroupSpec>();
  /** UPN → the registration group and line that lists them. */
  const registration = new Map<string, { name: string; line: number }>();
  for (const row of table.rows) {
    const name = groupName(row.values['group'] ?? '');
    if (name === '')
      problems.push({ file, line: row.line, message: "group is empty: give the group's name (e.g. 7A or 9X/Ma1)" });
    const kindText = text(row, 'kind').toLowerCase();
    const kind: GroupKind | undefined = kindText === 'registration' || kindText === 'teaching' ? kindText : undefined;
    if (kind === undefined) {
      problems.push({ file, line: row.line, message: `kind "${text(row, 'kind')}" must be registration or teaching` });
    }
    // A blank UPN declares the group without a member (e.g. a new class not yet filled).
    const upn = text(row, 'upn') === '' ? null : upnCell(row, file, problems, known);
    const staffEmail = table.has('staff_email') ? optionalText(row, 'staff_email') : null;
    if (staffEmail !== null && !isEmail(staffEmail)) {
      problems.push({
        file,
        line: row.line,
        message: `staff_email "${staffEmail}" is not an email address (like name@example.org)`,
      });
    }
    if (name === '' || kind === undefined) continue;
    const key = groupKey(kind, name);
    let spec = groups.get(key);
    if (!spec) {
      spec = {
        kind,
        name,
        line: row.line,
        members: new Map(),
        yearGroup: table.has('year_group') ? null : undefined,
        subject: table.has('subject') ? null : undefined,
        staff: table.has('staff_email') ? new Map() : undefined,
      };
      groups.set(key, spec);
    }
    for (const [column, field] of [
      ['year_group', 'yearGroup'],
      ['subject', 'subject'],
    ] as const) {
      const v = table.has(column) ? optionalText(row, column) : null;
      if (v === null) continue;
      const current = spec[field];
      if (current !== null && current !== undefined && current !== v) {
        problems.push({
          file,
          line: row.line,
          message: `${column} "${v}" for ${kind} group "${name}" disagrees with "${current}" given earlier`,
        });
      } else spec[field] = v;
    }
    if (staffEmail !== null && isEmail(staffEmail) && spec.staff && !spec.staff.has(staffEmail.toLowerCase())) {
      spec.staff.set(staffEmail.toLowerCase(), row.line);
    }
    if (upn === null || upn === undefined) continue;
    const first = spec.members.get(upn);
    if (first !== undefined) {
      problems.push({
        file,
        line: row.line,
        message: `duplicate: ${upn} is already in ${kind} group "${name}" on line ${first}`,
      });
      continue;
    }
    if (kind === 'registration') {
      const other = registration.get(upn);
      if (other) {
        problems.push({
          file,
          line: row.line,
          message: `${upn} is already in registration group "${other.name}" (line ${other.line}): a pupil has one registration group`,
        });
        continue;
      }
      registration.set(upn, { name, line: row.line });
    }
    spec.members.set(upn, row.line);
  }
  return groups;
}
