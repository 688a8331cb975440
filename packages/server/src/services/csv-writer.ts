/**
 * The one CSV writer of every export: the DfE daily and census files (API and CLI), returns to
 * the local authority, the analysis tables and `rollcall analyse --format csv`.
 *
 * RFC 4180: fields quoted when they hold a comma, a quote, a line break or surrounding spaces;
 * CRLF line ends unless asked otherwise. Every text field is cleaned (`cleanText`: no NUL,
 * control characters or bidi overrides reach a spreadsheet) and defused: text that a
 * spreadsheet would run as a formula (starting `=`, `+`, `-`, `@`, a tab or a carriage return,
 * the OWASP list for CSV injection) is prefixed with `'`. Numbers are written as numbers and
 * never prefixed, so negative figures stay numeric.
 */
import { cleanText } from './text-safety.js';

export type CsvValue = string | number | boolean | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV field.
 *
 * @example csvField('=HYPERLINK("x")') // `"'=HYPERLINK(""x"")"`
 */
export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const clean = cleanText(value);
  const text = FORMULA_START.test(clean) ? `'${clean}` : clean;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One line of fields (without its line end). */
export function csvLine(values: readonly CsvValue[]): string {
  return values.map(csvField).join(',');
}

export interface CsvOptions {
  /** A UTF-8 byte order mark first (so Excel reads accents); default none. */
  readonly bom?: boolean;
  /** Default CRLF (RFC 4180). */
  readonly lineEnd?: '\r\n' | '\n';
}

/** A header row and data rows as CSV text, every line ended. */
export function writeCsv(
  header: readonly CsvValue[],
  rows: readonly (readonly CsvValue[])[],
  options: CsvOptions = {},
): string {
  const end = options.lineEnd ?? '\r\n';
  const lines = [csvLine(header), ...rows.map(csvLine)];
  return `${options.bom ? '\uFEFF' : ''}${lines.join(end)}${end}`;
}
