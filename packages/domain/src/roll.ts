/**
 * Turning rows of pupils and marks (from any MIS export) into checked pupils with compact mark
 * arrays over the calendar. Every problem is reported with its line; nothing is dropped silently.
 */
import {
  isClosedSession,
  lastSessionOnOrBefore,
  firstSessionOnOrAfter,
  sessionIndex,
  type SchoolCalendar,
} from './calendar.js';
import { isKnownCode, lookupCode, unknownCodeMessage } from './codes.js';
import { isPlainDate, type PlainDate, type Session } from './dates.js';
import type { PupilMarks } from './measures.js';
import { validateUpn } from './upn.js';

/** A row of a marks file, as text, with its line number in the file. */
export interface MarkRow {
  readonly line: number;
  readonly upn: string;
  readonly date: string;
  readonly session: string;
  readonly code: string;
  readonly minutesLate?: string | undefined;
}

/** A row of a pupils file, as text (column name → value), with its line number. */
export interface PupilRow {
  readonly line: number;
  readonly values: Readonly<Record<string, string | undefined>>;
}

export type SenStatus = 'N' | 'K' | 'E';

/** What Rollcall knows about a pupil from a pupils file. */
export interface PupilInfo {
  upn: string;
  surname?: string;
  forename?: string;
  dateOfBirth?: PlainDate;
  yearGroup?: string;
  regGroup?: string;
  admissionDate?: PlainDate;
  leavingDate?: PlainDate;
  sen?: SenStatus;
  fsm?: boolean;
  pupilPremium?: boolean;
  eal?: boolean;
  cin?: boolean;
  cp?: boolean;
  lac?: boolean;
  youngCarer?: boolean;
  gender?: string;
  ethnicity?: string;
}

export interface RollEntry {
  readonly info: PupilInfo;
  /** First and last day on roll (inclusive); `to` null when open-ended. */
  readonly onRollFrom: PlainDate;
  readonly onRollTo: PlainDate | null;
  readonly marks: PupilMarks;
}

export interface RollIssue {
  readonly file: 'marks' | 'pupils';
  readonly line: number;
  readonly message: string;
}

const FLAG_COLUMNS = [
  ['fsm', 'fsm'],
  ['pupil_premium', 'pupilPremium'],
  ['eal', 'eal'],
  ['cin', 'cin'],
  ['cp', 'cp'],
  ['lac', 'lac'],
  ['young_carer', 'youngCarer'],
] as const;

const TEXT_COLUMNS = [
  ['surname', 'surname'],
  ['forename', 'forename'],
  ['year_group', 'yearGroup'],
  ['reg_group', 'regGroup'],
  ['gender', 'gender'],
  ['ethnicity', 'ethnicity'],
] as const;

/** Reads a yes/no flag written as Y/N, true/false or 1/0 (any case); blank is unknown. */
export function parseFlag(value: string): boolean | undefined | 'invalid' {
  const v = value.trim().toLowerCase();
  if (v === '') return undefined;
  if (v === 'y' || v === 'yes' || v === 'true' || v === '1') return true;
  if (v === 'n' || v === 'no' || v === 'false' || v === '0') return false;
  return 'invalid';
}

/**
 * Checks the rows of a pupils file (UPN, dates, flags, duplicates), adding an issue per problem;
 * returns the pupils that could be read, by UPN.
 */
export function parsePupils(
  rows: readonly PupilRow[],
  issues: RollIssue[],
): Map<string, { info: PupilInfo; line: number }> {
  const out = new Map<string, { info: PupilInfo; line: number }>();
  for (const row of rows) {
    const problem = (message: string): void => {
      issues.push({ file: 'pupils', line: row.line, message });
    };
    const get = (col: string): string => (row.values[col] ?? '').trim();
    const upnCheck = validateUpn(get('upn'));
    if (!upnCheck.valid) {
      problem(`invalid UPN "${get('upn')}": ${upnCheck.reason}`);
      continue;
    }
    const info: PupilInfo = { upn: upnCheck.upn };
    for (const [col, key] of TEXT_COLUMNS) {
      const v = get(col);
      if (v !== '') info[key] = v;
    }
    for (const [col, key] of [
      ['date_of_birth', 'dateOfBirth'],
      ['admission_date', 'admissionDate'],
      ['leaving_date', 'leavingDate'],
    ] as const) {
      const v = get(col);
      if (v === '') continue;
      if (isPlainDate(v)) info[key] = v;
      else problem(`${col} "${v}" is not a date: write it as YYYY-MM-DD`);
    }
    if (info.admissionDate && info.leavingDate && info.leavingDate < info.admissionDate) {
      problem(`leaving_date ${info.leavingDate} is before admission_date ${info.admissionDate}`);
    }
    const sen = get('sen').toUpperCase();
    if (sen === 'N' || sen === 'K' || sen === 'E') info.sen = sen;
    else if (sen !== '') problem(`sen "${get('sen')}" must be N (none), K (SEN support) or E (EHC plan)`);
    for (const [col, key] of FLAG_COLUMNS) {
      const f = parseFlag(get(col));
      if (f === 'invalid') problem(`${col} "${get(col)}" must be Y or N (or true/false, 1/0)`);
      else if (f !== undefined) info[key] = f;
    }
    const previous = out.get(info.upn);
    if (previous) {
      problem(`duplicate UPN ${info.upn} (already on line ${previous.line})`);
      continue;
    }
    out.set(info.upn, { info, line: row.line });
  }
  return out;
}

/**
 * Checks pupils and marks against the calendar and the code table, and lays each pupil's marks
 * over the calendar's school sessions. Without pupil rows, each UPN in the marks is on roll from
 * its first to its last mark.
 *
 * Errors (all of them, each with its line): unknown code; code not valid on its date; malformed
 * date or minutes; session not AM/PM; a mark on a date or session that is not a school session
 * (except `#` on a closure session); duplicate pupil and session; invalid UPN; a UPN missing from
 * the pupils; a mark outside the pupil's on-roll dates.
 */
export function buildRoll(
  cal: SchoolCalendar,
  markRows: readonly MarkRow[],
  pupilRows?: readonly PupilRow[],
): { pupils: RollEntry[]; issues: RollIssue[] } {
  const issues: RollIssue[] = [];
  const known = pupilRows ? parsePupils(pupilRows, issues) : undefined;
  const n = cal.sessionCount;

  interface Acc {
    codes: Uint8Array;
    minutes: Uint16Array | undefined;
    lines: Map<string, number>;
    first: PlainDate | undefined;
    last: PlainDate | undefined;
  }
  const acc = new Map<string, Acc>();
  const accFor = (upn: string): Acc => {
    let a = acc.get(upn);
    if (!a) {
      a = { codes: new Uint8Array(n), minutes: undefined, lines: new Map(), first: undefined, last: undefined };
      acc.set(upn, a);
    }
    return a;
  };

  // A school's file repeats each UPN hundreds of times and each date once per pupil: check each
  // distinct text once.
  const upnChecks = new Map<string, ReturnType<typeof validateUpn>>();
  const dateChecks = new Map<string, boolean>();
  for (const row of markRows) {
    const problem = (message: string): void => {
      issues.push({ file: 'marks', line: row.line, message });
    };
    const rawUpn = row.upn.trim();
    let upnCheck = upnChecks.get(rawUpn);
    if (upnCheck === undefined) {
      upnCheck = validateUpn(rawUpn);
      upnChecks.set(rawUpn, upnCheck);
    }
    let upn: string | undefined;
    if (!upnCheck.valid) {
      problem(`invalid UPN "${rawUpn}": ${upnCheck.reason}`);
    } else if (known && !known.has(upnCheck.upn)) {
      problem(`UPN ${upnCheck.upn} is not in the pupils file`);
    } else {
      upn = upnCheck.upn;
    }

    const dateText = row.date.trim();
    let dateOk = dateChecks.get(dateText);
    if (dateOk === undefined) {
      dateOk = isPlainDate(dateText);
      dateChecks.set(dateText, dateOk);
    }
    // Used as a date only where dateOk holds.
    const date = dateText as PlainDate;
    if (!dateOk) problem(`date "${date}" is not a date: write it as YYYY-MM-DD`);
    const sessionText = row.session.trim().toUpperCase();
    const sessionOk = sessionText === 'AM' || sessionText === 'PM';
    if (!sessionOk) problem(`session "${row.session.trim()}" must be AM or PM`);
    const code = row.code.trim().toUpperCase();
    let codeId = 0;
    if (code === '') {
      problem('code is empty: give the attendance code for the session');
    } else if (dateOk) {
      const found = lookupCode(code, date);
      if (found.ok) codeId = found.definition.id;
      else problem(found.message);
    } else if (!isKnownCode(code)) {
      problem(unknownCodeMessage(code));
    }
    let minutes = 0;
    const minutesText = (row.minutesLate ?? '').trim();
    if (minutesText !== '') {
      if (/^\d{1,4}$/.test(minutesText) && Number(minutesText) <= 600) minutes = Number(minutesText);
      else problem(`minutes_late "${minutesText}" must be a whole number of minutes from 0 to 600`);
    }
    if (!dateOk || !sessionOk) continue;
    const session: Session = sessionText;
    const s = sessionIndex(cal, date, session);
    let closedHash = false;
    if (s < 0) {
      if (code === '#' && isClosedSession(cal, date, session)) closedHash = true;
      else {
        problem(
          isClosedSession(cal, date, session)
            ? `${date} ${session} is a planned closure in the calendar; only # may be recorded on it`
            : `${date} ${session} is not a school session in the calendar (weekend, holiday or outside the terms)`,
        );
      }
    }
    if (upn === undefined) continue;
    const a = accFor(upn);
    const key = `${date} ${session}`;
    const firstLine = a.lines.get(key);
    if (firstLine !== undefined) {
      problem(`duplicate mark for ${upn} on ${date} ${session} (already on line ${firstLine})`);
      continue;
    }
    a.lines.set(key, row.line);
    if (known) {
      const info = known.get(upn)!.info;
      if (info.admissionDate && date < info.admissionDate) {
        problem(`mark on ${date} is before ${upn}'s admission date ${info.admissionDate}`);
        continue;
      }
      if (info.leavingDate && date > info.leavingDate) {
        problem(`mark on ${date} is after ${upn}'s leaving date ${info.leavingDate}`);
        continue;
      }
    }
    if (a.first === undefined || date < a.first) a.first = date;
    if (a.last === undefined || date > a.last) a.last = date;
    if (s < 0 || closedHash || codeId === 0) continue;
    a.codes[s] = codeId;
    if (minutes > 0) {
      a.minutes ??= new Uint16Array(n);
      a.minutes[s] = minutes;
    }
  }

  const pupils = assembleRoll(cal, known, acc);
  return { pupils, issues };
}

/**
 * The roll in UPN order: each pupil's compact arrays with the sessions they were on roll (from the
 * pupils file's dates, or without one from their first to their last mark).
 */
export function assembleRoll(
  cal: SchoolCalendar,
  known: ReadonlyMap<string, { info: PupilInfo }> | undefined,
  acc: ReadonlyMap<
    string,
    {
      readonly codes: Uint8Array;
      readonly minutes: Uint16Array | undefined;
      readonly first: PlainDate | undefined;
      readonly last: PlainDate | undefined;
    }
  >,
): RollEntry[] {
  const n = cal.sessionCount;
  const pupils: RollEntry[] = [];
  const upns = known ? [...known.keys()] : [...acc.keys()];
  upns.sort();
  for (const upn of upns) {
    const a = acc.get(upn);
    const info = known?.get(upn)?.info ?? { upn };
    let from: PlainDate | undefined;
    let to: PlainDate | null;
    if (known) {
      from = info.admissionDate ?? cal.sessionDate[0];
      to = info.leavingDate ?? null;
    } else {
      from = a?.first;
      to = a?.last ?? null;
    }
    if (from === undefined) from = '0001-01-01' as PlainDate;
    pupils.push({
      info,
      onRollFrom: from,
      onRollTo: to,
      marks: {
        codes: a?.codes ?? new Uint8Array(n),
        minutesLate: a?.minutes,
        rollFrom: firstSessionOnOrAfter(cal, from),
        rollTo: to === null ? n - 1 : lastSessionOnOrBefore(cal, to),
      },
    });
  }
  return pupils;
}
