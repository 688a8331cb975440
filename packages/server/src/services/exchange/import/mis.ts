/**
 * Column-name presets for the CSV exports of the three MIS most schools in England use (SIMS,
 * Arbor, Bromcom), mapped onto `rollcall import`'s own columns. A preset is chosen with
 * `--mis sims|arbor|bromcom`, or detected from a file's header (see docs/mis-import.md).
 *
 * The mapping renames columns and normalises the values MIS exports write differently:
 * dates as DD/MM/YYYY, sessions as Morning/Afternoon, gender as Male/Female, flags as Yes/No
 * (those are already accepted). Everything else is then checked exactly as for our own files.
 */

import { localDateTime } from '../../../platform/clock.js';

export const MIS_NAMES = ['sims', 'arbor', 'bromcom'] as const;
export type MisName = (typeof MIS_NAMES)[number];
/** What `--mis` accepts: a preset, `auto` (detect from the header, the default) or `none`. */
export type MisChoice = MisName | 'auto' | 'none';

export function isMisChoice(value: string): value is MisChoice {
  return value === 'auto' || value === 'none' || (MIS_NAMES as readonly string[]).includes(value);
}

export type CsvKind = 'pupils' | 'marks' | 'contacts' | 'groups';

/** Our column → the header names a preset knows it by (compared case- and spacing-blind). */
type Preset = Readonly<Record<CsvKind, Readonly<Record<string, readonly string[]>>>>;

const PRESETS: Readonly<Record<MisName, Preset>> = {
  sims: {
    pupils: {
      upn: ['UPN'],
      surname: ['Legal Surname'],
      forename: ['Legal Forename'],
      preferred_surname: ['Preferred Surname'],
      preferred_forename: ['Preferred Forename'],
      date_of_birth: ['DOB', 'Date of Birth'],
      gender: ['Gender'],
      year_group: ['Year', 'Year Group'],
      reg_group: ['Reg', 'Reg Group'],
      admission_date: ['Adm Date', 'Admission Date'],
      leaving_date: ['Leaving Date'],
      sen: ['SEN Status'],
      ehcp: ['EHC Plan'],
      fsm: ['FSM Eligible'],
      pupil_premium: ['Pupil Premium Indicator'],
      eal: ['EAL'],
      cin: ['Child in Need'],
      cp: ['Child Protection'],
      lac: ['In Care'],
      previously_lac: ['Previously Looked After'],
      social_worker: ['Social Worker'],
      young_carer: ['Young Carer'],
      ethnicity: ['Ethnicity Code'],
      address: ['Address'],
      postcode: ['Post Code', 'Postcode'],
      last_school: ['Previous School', 'Last School'],
      last_school_address: ['Previous School Address', 'Last School Address'],
      boarder: ['Boarder', 'Boarder Status'],
    },
    marks: {
      upn: ['UPN'],
      date: ['Date'],
      session: ['Session'],
      code: ['Mark'],
      minutes_late: ['Mins Late', 'Minutes Late'],
    },
    contacts: {
      upn: ['UPN'],
      name: ['Contact Name'],
      relationship: ['Relationship'],
      priority: ['Priority'],
      parental_responsibility: ['Parental Responsibility'],
      lives_with_pupil: ['Lives With Pupil'],
      mobile_phone: ['Mobile'],
      home_phone: ['Home Telephone', 'Telephone'],
      work_phone: ['Work Telephone'],
      email: ['Email Address', 'Email'],
      address: ['Address'],
      postcode: ['Post Code', 'Postcode'],
      preferred_language: ['Preferred Language', 'Home Language', 'First Language', 'Language'],
    },
    groups: {
      group: ['Group Name'],
      kind: ['Group Type'],
      upn: ['UPN'],
      year_group: ['Year'],
      subject: ['Subject'],
      staff_email: ['Teacher Email'],
    },
  },
  arbor: {
    pupils: {
      upn: ['UPN'],
      surname: ['Legal last name'],
      forename: ['Legal first name'],
      preferred_surname: ['Preferred last name'],
      preferred_forename: ['Preferred first name'],
      date_of_birth: ['Date of birth'],
      gender: ['Gender'],
      year_group: ['Year group'],
      reg_group: ['Registration form'],
      admission_date: ['Start date'],
      leaving_date: ['End date'],
      sen: ['SEN status'],
      ehcp: ['Has EHCP'],
      fsm: ['FSM'],
      pupil_premium: ['Pupil premium'],
      eal: ['EAL'],
      cin: ['Child in need'],
      cp: ['Child protection plan'],
      lac: ['Looked after'],
      previously_lac: ['Previously looked after'],
      social_worker: ['Social worker'],
      young_carer: ['Young carer'],
      ethnicity: ['Ethnicity code'],
      address: ['Address'],
      postcode: ['Postcode'],
      last_school: ['Previous school', 'Last school'],
      last_school_address: ['Previous school address'],
      boarder: ['Boarder'],
    },
    marks: {
      upn: ['UPN'],
      date: ['Date'],
      session: ['Session'],
      code: ['Attendance mark'],
      minutes_late: ['Minutes late'],
    },
    contacts: {
      upn: ['Student UPN'],
      name: ['Guardian name'],
      relationship: ['Relationship'],
      priority: ['Priority'],
      parental_responsibility: ['Has parental responsibility'],
      lives_with_pupil: ['Lives with student'],
      mobile_phone: ['Mobile number'],
      home_phone: ['Home number'],
      work_phone: ['Work number'],
      email: ['Email address'],
      address: ['Address'],
      postcode: ['Postcode'],
      preferred_language: ['Preferred Language', 'Home Language', 'First Language', 'Language'],
    },
    groups: {
      group: ['Group'],
      kind: ['Group type'],
      upn: ['Student UPN'],
      year_group: ['Year group'],
      subject: ['Subject'],
      staff_email: ['Staff email'],
    },
  },
  bromcom: {
    pupils: {
      upn: ['Student UPN'],
      surname: ['Surname'],
      forename: ['Forename'],
      preferred_surname: ['Preferred Surname'],
      preferred_forename: ['Preferred Forename'],
      date_of_birth: ['Date Of Birth'],
      gender: ['Gender'],
      year_group: ['Year Group'],
      reg_group: ['Tutor Group'],
      admission_date: ['Admission Date'],
      leaving_date: ['Leaving Date'],
      sen: ['SEN Need'],
      ehcp: ['EHCP'],
      fsm: ['FSM'],
      pupil_premium: ['PP'],
      eal: ['EAL'],
      cin: ['CIN'],
      cp: ['CP'],
      lac: ['LAC'],
      previously_lac: ['Previously LAC'],
      social_worker: ['Allocated Social Worker'],
      young_carer: ['Young Carer'],
      ethnicity: ['Ethnicity'],
      address: ['Home Address'],
      postcode: ['Postcode'],
      last_school: ['Previous School', 'Last School'],
      last_school_address: ['Previous School Address'],
      boarder: ['Boarder'],
    },
    marks: {
      upn: ['Student UPN'],
      date: ['Date'],
      session: ['AM/PM'],
      code: ['Code'],
      minutes_late: ['Late Minutes'],
    },
    contacts: {
      upn: ['Student UPN'],
      name: ['Contact Name'],
      relationship: ['Relation'],
      priority: ['Contact Priority'],
      parental_responsibility: ['Parental Responsibility'],
      lives_with_pupil: ['Lives With Student'],
      mobile_phone: ['Mobile Phone'],
      home_phone: ['Home Phone'],
      work_phone: ['Work Phone'],
      email: ['Email'],
      address: ['Home Address'],
      postcode: ['Postcode'],
      preferred_language: ['Preferred Language', 'Home Language', 'First Language', 'Language'],
    },
    groups: {
      group: ['Class'],
      kind: ['Class Type'],
      upn: ['Student UPN'],
      year_group: ['Year Group'],
      subject: ['Subject'],
      staff_email: ['Teacher Email'],
    },
  },
};

/** Columns holding dates, in any file. */
const DATE_COLUMNS = new Set(['date', 'date_of_birth', 'admission_date', 'leaving_date']);

const norm = (h: string): string => h.trim().replace(/\s+/g, ' ').toLowerCase();

/** How a file's header is read: the new column names (same order) and a value normaliser. */
export interface HeaderMapping {
  readonly mis: MisName;
  readonly columns: readonly string[];
  convert(column: string, value: string): string;
}

function lookup(preset: Preset, kind: CsvKind): Map<string, string> {
  const out = new Map<string, string>();
  for (const [ours, names] of Object.entries(preset[kind])) for (const n of names) out.set(norm(n), ours);
  return out;
}

/** Rollcall's own column names for a kind of file (every preset maps onto them). */
function ownColumns(kind: CsvKind): Set<string> {
  return new Set(MIS_NAMES.flatMap((mis) => Object.keys(PRESETS[mis][kind])));
}

/** How many of a header's names the preset knows for this kind of file. */
function score(mis: MisName, kind: CsvKind, header: readonly string[]): number {
  const known = lookup(PRESETS[mis], kind);
  return header.filter((h) => known.has(norm(h))).length;
}

/**
 * The preset that fits a header best: null when the header already uses our own column names
 * (or nothing fits better than them).
 *
 * @example detectMis('marks', ['Student UPN', 'Date', 'AM/PM', 'Code']) // 'bromcom'
 */
export function detectMis(kind: CsvKind, header: readonly string[]): MisName | null {
  // Our own names are counted as such only when they are one of this file's columns: a SIMS
  // marks export's `UPN,Date,Session,Mark` (lower-cased by the CSV reader) names three of ours,
  // but its `Mark` is SIMS's, so SIMS knows more of it and wins.
  const own = ownColumns(kind);
  const ours = header.filter((h) => own.has(norm(h))).length;
  let best: MisName | null = null;
  let bestScore = ours;
  for (const mis of MIS_NAMES) {
    const s = score(mis, kind, header);
    if (s > bestScore) {
      best = mis;
      bestScore = s;
    }
  }
  return best;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH_WORDS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

/**
 * A date as MIS exports and spreadsheets write it → YYYY-MM-DD; anything else as it is (and then
 * reported as not a date). Day first, as in England: `04/12/2026`, `4.12.2026`, `04-12-2026`,
 * with or without a time (`04/12/2026 00:00:00`, `04/12/2026 09:00`); `04-Dec-2026`,
 * `4 December 2026`; ISO dates and date-times (`2026-12-04T00:00:00Z`, `2026-12-04 00:00`); a
 * date-time with Z or an offset is an instant, read as its date in England.
 *
 * @example isoDate('04/12/2026 00:00:00') // '2026-12-04'
 * @example isoDate('04-Dec-2026') // '2026-12-04'
 */
export function isoDate(value: string): string {
  const v = value.trim();
  const pad = (n: string) => n.padStart(2, '0');
  const time = String.raw`(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?`;
  const dayFirst = new RegExp(String.raw`^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})${time}$`).exec(v);
  if (dayFirst) return `${dayFirst[3]}-${pad(dayFirst[2]!)}-${pad(dayFirst[1]!)}`;
  const named = /^(\d{1,2})[ -]([A-Za-z]{3,9})[ -](\d{4})$/.exec(v);
  if (named) {
    const month = MONTHS.indexOf(named[2]!.slice(0, 3).toLowerCase());
    const full = named[2]!.toLowerCase();
    const ok = month >= 0 && (full.length === 3 || full === 'sept' || full === MONTH_WORDS[month]);
    if (ok) return `${named[3]}-${pad(String(month + 1))}-${pad(named[1]!)}`;
  }
  const iso = new RegExp(String.raw`^(\d{4}-\d{2}-\d{2})${time}$`).exec(v);
  if (iso) {
    // An instant (a time with Z or an offset) is on the date it was in England: a British Summer
    // Time midnight written in UTC (`2026-06-01T23:00:00Z`) is 2 June, not 1 June.
    const instant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(v);
    if (instant && !Number.isNaN(Date.parse(v))) return localDateTime(v, 'Europe/London').date;
    return iso[1]!;
  }
  return value;
}

/**
 * A date column of a file in Rollcall's own column names, as Excel saves it again (day first, or
 * with a time): the same reading as an MIS export's. Other columns as they are.
 */
export function ownDateValue(column: string, value: string): string {
  return DATE_COLUMNS.has(column) ? isoDate(value) : value;
}

function convertValue(column: string, value: string): string {
  if (DATE_COLUMNS.has(column)) return isoDate(value);
  const v = value.trim().toLowerCase();
  if (column === 'session') {
    if (v === 'morning' || v === 'a.m.' || v === 'am') return 'AM';
    if (v === 'afternoon' || v === 'p.m.' || v === 'pm') return 'PM';
  }
  if (column === 'gender') {
    if (v === 'male') return 'M';
    if (v === 'female') return 'F';
  }
  if (column === 'kind') {
    if (v === 'registration group' || v === 'reg group' || v === 'tutor group' || v === 'form') return 'registration';
    if (v === 'teaching group' || v === 'class' || v === 'set') return 'teaching';
  }
  return value;
}

/**
 * The mapping for a file's header under `choice`: undefined when the file is read as it is.
 * Headers the preset does not know are kept (and ignored later, as unknown columns always are).
 */
export function mappingFor(kind: CsvKind, header: readonly string[], choice: MisChoice): HeaderMapping | undefined {
  const mis = choice === 'none' ? null : choice === 'auto' ? detectMis(kind, header) : choice;
  if (mis === null) return undefined;
  const known = lookup(PRESETS[mis], kind);
  return {
    mis,
    columns: header.map((h) => known.get(norm(h)) ?? h),
    convert: convertValue,
  };
}

/** The header names a preset expects for one of our columns (for docs and messages). */
export function presetColumns(mis: MisName, kind: CsvKind): Readonly<Record<string, readonly string[]>> {
  return PRESETS[mis][kind];
}
