/**
 * The grid layout of a marks export (issue 15, item 4): one row per pupil, one column per
 * session, as MIS attendance grids and weekly register sheets are saved to CSV or XLSX. The grid
 * becomes the long marks table (`upn,date,session,code`), every mark keeping its row's line, so
 * it is checked exactly as a marks file is. See docs/mis-import.md, "The grid layout".
 *
 * A session column is named by its date and session, in one header cell
 * (`Mon 01/09/2025 AM`, `2025-09-01 PM`, `01-Sep-2025 Morning`) or in two header rows: the date
 * over the session's columns (a merged cell saves as the date then a blank) and `AM`/`PM` under
 * them. The pupil is found by a `UPN` column; other columns (names, form) are ignored. A blank
 * cell or `-` is no mark.
 *
 * A weekly sheet may name only the weekday (`Mon AM`, `Monday PM`, or `Mon` over `AM`/`PM`) and
 * give the week elsewhere: a cell above the grid (`Week commencing 07/12/2026`, `W/C 07-Dec-2026`,
 * the date in the next cell), the XLSX sheet's name (`WC 07.12.2026`), or `--week-commencing`.
 * The week starts on a Monday; without it the grid is refused with how to give it.
 */
import { isPlainDate } from '@rollcall/domain';
import type { CsvTable } from '../../../imports/csv.js';
import { isoDate } from './mis.js';

const WEEKDAY = String.raw`(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+`;
const DATE = String.raw`\d{1,2}[/.-]\d{1,2}[/.-]\d{4}|\d{4}-\d{2}-\d{2}|\d{1,2}[ -][a-z]{3,9}[ -]\d{4}`;
const SESSION = String.raw`am|pm|a\.m\.|p\.m\.|morning|afternoon`;
const ONE_CELL = new RegExp(String.raw`^(?:${WEEKDAY})?(${DATE})(?:\s*[-_ ]\s*|\s*)\(?(${SESSION})\)?$`, 'i');
const DATE_CELL = new RegExp(String.raw`^(?:${WEEKDAY})?(${DATE})(?:\s+00:00(?::00)?)?$`, 'i');
const SESSION_CELL = new RegExp(String.raw`^(${SESSION})$`, 'i');

const DAY_WORD = String.raw`(mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|sday|rsday|urday)?\.?`;
const WEEKDAY_ONE_CELL = new RegExp(String.raw`^${DAY_WORD}\s*[-_ ]?\s*\(?(${SESSION})\)?$`, 'i');
const WEEKDAY_CELL = new RegExp(String.raw`^${DAY_WORD}$`, 'i');
const WEEK_WORDS = /\b(?:week\s+(?:commencing|beginning|starting|of)|w\s*\/\s*c|w\.c\.|wc|w\/b|week)\b\s*:?\s*/i;
const DAY_OFFSET: Record<string, number> = { mon: 0, tue: 1, wed: 2, thu: 3, fri: 4, sat: 5, sun: 6 };

/** Where a weekly grid's week came from, for messages. */
export interface WeekSources {
  /** `--week-commencing` (YYYY-MM-DD), if given. */
  readonly weekCommencing?: string | undefined;
  /** The XLSX sheet's name, if the file was a spreadsheet. */
  readonly sheetName?: string | undefined;
}

const UPN_NAMES = new Set(['upn', 'student upn', 'pupil upn', 'upn number']);

function sessionOf(word: string): 'AM' | 'PM' {
  return /^(am|a\.m\.|morning)$/i.test(word) ? 'AM' : 'PM';
}

function dateOf(text: string): string | undefined {
  const d = isoDate(text.trim());
  return isPlainDate(d) ? d : undefined;
}

interface SessionColumn {
  readonly index: number;
  readonly date: string;
  readonly session: 'AM' | 'PM';
}

/** The session columns of a one-row grid header; empty when the header is not a grid. */
function oneRowColumns(header: readonly string[]): SessionColumn[] {
  const out: SessionColumn[] = [];
  header.forEach((h, index) => {
    const m = ONE_CELL.exec(h.trim().replace(/\s+/g, ' '));
    const date = m ? dateOf(m[1]!) : undefined;
    if (m && date) out.push({ index, date, session: sessionOf(m[2]!) });
  });
  return out;
}

/** The session columns of a two-row header (dates over AM/PM); empty when it is not one. */
function twoRowColumns(header: readonly string[], second: readonly string[] | undefined): SessionColumn[] {
  if (!second) return [];
  const out: SessionColumn[] = [];
  let date: string | undefined;
  header.forEach((h, index) => {
    const cell = h.trim().replace(/\s+/g, ' ');
    const m = DATE_CELL.exec(cell);
    if (m) date = dateOf(m[1]!);
    else if (cell !== '') date = undefined;
    const s = SESSION_CELL.exec((second[index] ?? '').trim());
    if (date && s) out.push({ index, date, session: sessionOf(s[1]!) });
  });
  return out;
}

interface WeekdayColumn {
  readonly index: number;
  readonly offset: number;
  readonly session: 'AM' | 'PM';
}

function offsetOf(day: string): number {
  return DAY_OFFSET[day.toLowerCase().slice(0, 3)]!;
}

/** The weekday session columns of a row (`Mon AM`…), or of two rows (`Mon` over `AM`/`PM`). */
function weekdayColumns(
  row: readonly string[],
  next: readonly string[] | undefined,
): { columns: WeekdayColumn[]; rows: 1 | 2 } {
  const one: WeekdayColumn[] = [];
  row.forEach((h, index) => {
    const m = WEEKDAY_ONE_CELL.exec(h.trim().replace(/\s+/g, ' '));
    if (m) one.push({ index, offset: offsetOf(m[1]!), session: sessionOf(m[2]!) });
  });
  if (one.length > 0) return { columns: one, rows: 1 };
  const two: WeekdayColumn[] = [];
  if (!next) return { columns: two, rows: 2 };
  let day: number | undefined;
  row.forEach((h, index) => {
    const cell = h.trim();
    const m = WEEKDAY_CELL.exec(cell);
    if (m) day = offsetOf(m[1]!);
    else if (cell !== '') day = undefined;
    const s = SESSION_CELL.exec((next[index] ?? '').trim());
    if (day !== undefined && s) two.push({ index, offset: day, session: sessionOf(s[1]!) });
  });
  return { columns: two, rows: 2 };
}

/** A week-commencing date in a cell (`Week commencing 07/12/2026`) or the cell after the words. */
function weekInRow(fields: readonly string[]): string | undefined {
  for (let i = 0; i < fields.length; i++) {
    const cell = fields[i]!.trim();
    const m = WEEK_WORDS.exec(cell);
    if (!m) continue;
    const rest = cell.slice(m.index + m[0].length).trim();
    const here = rest === '' ? undefined : dateOf(rest.replace(/^(?:mon|monday)\.?,?\s+/i, ''));
    if (here) return here;
    if (rest === '') {
      const next = fields.slice(i + 1).find((f) => f.trim() !== '');
      const d = next === undefined ? undefined : dateOf(next.trim().replace(/^(?:mon|monday)\.?,?\s+/i, ''));
      if (d) return d;
    }
  }
  return undefined;
}

/** A date in a sheet's name: `WC 07.12.2026`, `Week 2026-12-07`, `07-Dec-2026`. */
function weekInSheetName(name: string): string | undefined {
  const m = new RegExp(String.raw`(${DATE})`, 'i').exec(name.replace(/_/g, ' '));
  return m ? dateOf(m[1]!) : undefined;
}

const WEEKDAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
function weekdayOf(date: string): number {
  return (new Date(`${date}T12:00:00Z`).getUTCDay() + 6) % 7;
}
function plusDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T12:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * A weekly grid whose columns name weekdays, not dates, read with its week; undefined when the
 * table is not one. Every problem names its line.
 */
function weekdayGrid(table: CsvTable, weeks: WeekSources): GridRead | undefined {
  const rows: { line: number; fields: readonly string[] }[] = [{ line: 1, fields: table.header }, ...table.records];
  let at = -1;
  let found: { columns: WeekdayColumn[]; rows: 1 | 2 } | undefined;
  for (let i = 0; i < rows.length && i < 50; i++) {
    const w = weekdayColumns(rows[i]!.fields, rows[i + 1]?.fields);
    if (w.columns.length > 0) {
      at = i;
      found = w;
      break;
    }
  }
  if (!found) return undefined;
  const headerRow = rows[at]!;
  const header = ['upn', 'date', 'session', 'code'];
  const refuse = (line: number, message: string): GridRead => ({
    sessions: found.columns.length,
    table: { header, records: [], problems: [...table.problems, { line, message }] },
  });
  // The week: the option, else a cell above the grid, else the sheet's name.
  let week: string | undefined;
  let from = '';
  let line = headerRow.line;
  for (let i = 0; i < at; i++) {
    const d = weekInRow(rows[i]!.fields);
    if (d) {
      week = d;
      from = 'the sheet';
      line = rows[i]!.line;
    }
  }
  const named = weeks.sheetName === undefined ? undefined : weekInSheetName(weeks.sheetName);
  if (week === undefined && named) {
    week = named;
    from = `the sheet's name "${weeks.sheetName}"`;
  }
  if (weeks.weekCommencing !== undefined) {
    if (!isPlainDate(weeks.weekCommencing))
      return refuse(0, `--week-commencing must be a date written YYYY-MM-DD, got "${weeks.weekCommencing}"`);
    if (week !== undefined && week !== weeks.weekCommencing)
      return refuse(
        line,
        `${from} gives the week commencing ${week} but --week-commencing gives ${weeks.weekCommencing}: give one week`,
      );
    week = weeks.weekCommencing;
    from = '--week-commencing';
  }
  if (week === undefined) {
    return refuse(
      headerRow.line,
      'the marks grid names weekdays (like "Mon AM") but not the week: write "Week commencing DD/MM/YYYY" in a cell above the grid, name the spreadsheet\'s sheet by the date (like "WC 07.12.2026"), or give --week-commencing YYYY-MM-DD',
    );
  }
  if (weekdayOf(week) !== 0) {
    return refuse(
      weeks.weekCommencing !== undefined ? 0 : line,
      `the week commencing ${week} (from ${from}) is a ${WEEKDAY_NAMES[weekdayOf(week)]}: a week commences on a Monday`,
    );
  }
  const columns = found.columns.map((c) => ({ index: c.index, date: plusDays(week, c.offset), session: c.session }));
  const upnAt = headerRow.fields.findIndex((h) => UPN_NAMES.has(h.trim().replace(/\s+/g, ' ').toLowerCase()));
  if (upnAt < 0) {
    return refuse(
      headerRow.line,
      `the marks grid (one column per session, ${columns.length} found) has no UPN column: add a column headed UPN`,
    );
  }
  const out: CsvTable['records'] = [];
  for (const r of rows.slice(at + found.rows)) {
    const upn = (r.fields[upnAt] ?? '').trim();
    if (upn === '' && r.fields.every((f) => f.trim() === '')) continue;
    for (const c of columns) {
      const code = (r.fields[c.index] ?? '').trim();
      if (code === '' || code === '-') continue;
      out.push({ line: r.line, fields: [upn, c.date, c.session, code] });
    }
  }
  return { sessions: columns.length, week, table: { header, records: out, problems: table.problems } };
}

export interface GridRead {
  /** The long table: header `upn,date,session,code`, one record per mark with its row's line. */
  readonly table: CsvTable;
  /** How many session columns the grid has. */
  readonly sessions: number;
  /** A weekly grid of weekdays: the Monday its week commences. */
  readonly week?: string;
}

/**
 * Reads a marks table laid out as a grid into the long layout; undefined when the table is not
 * a grid (it has a `date` column, or no column names a session). A grid without a UPN column is
 * returned with that problem on line 1.
 */
export function gridToLong(table: CsvTable, hasDateColumn: boolean, weeks: WeekSources = {}): GridRead | undefined {
  if (hasDateColumn || table.header.length === 0) return undefined;
  let columns = oneRowColumns(table.header);
  let records = table.records;
  if (columns.length === 0) {
    columns = twoRowColumns(table.header, table.records[0]?.fields);
    if (columns.length === 0) return weekdayGrid(table, weeks);
    records = table.records.slice(1);
  }
  const header = ['upn', 'date', 'session', 'code'];
  const upnAt = table.header.findIndex((h) => UPN_NAMES.has(h.trim().replace(/\s+/g, ' ').toLowerCase()));
  if (upnAt < 0) {
    return {
      sessions: columns.length,
      table: {
        header,
        records: [],
        problems: [
          ...table.problems,
          {
            line: 1,
            message: `the marks grid (one column per session, ${columns.length} found) has no UPN column: add a column headed UPN`,
          },
        ],
      },
    };
  }
  const out: CsvTable['records'] = [];
  for (const r of records) {
    const upn = r.fields[upnAt] ?? '';
    for (const c of columns) {
      const code = (r.fields[c.index] ?? '').trim();
      if (code === '' || code === '-') continue;
      out.push({ line: r.line, fields: [upn, c.date, c.session, code] });
    }
  }
  return { sessions: columns.length, table: { header, records: out, problems: table.problems } };
}
