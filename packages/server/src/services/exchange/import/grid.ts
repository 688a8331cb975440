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

export interface GridRead {
  /** The long table: header `upn,date,session,code`, one record per mark with its row's line. */
  readonly table: CsvTable;
  /** How many session columns the grid has. */
  readonly sessions: number;
}

/**
 * Reads a marks table laid out as a grid into the long layout; undefined when the table is not
 * a grid (it has a `date` column, or no column names a session). A grid without a UPN column is
 * returned with that problem on line 1.
 */
export function gridToLong(table: CsvTable, hasDateColumn: boolean): GridRead | undefined {
  if (hasDateColumn || table.header.length === 0) return undefined;
  let columns = oneRowColumns(table.header);
  let records = table.records;
  if (columns.length === 0) {
    columns = twoRowColumns(table.header, table.records[0]?.fields);
    if (columns.length === 0) return undefined;
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
