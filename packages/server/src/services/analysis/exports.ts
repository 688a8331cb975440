/**
 * Any table as CSV or XLSX. Every analysis table is built once as an `ExportTable` and shown as
 * HTML, or downloaded with `?format=csv|xlsx`.
 *
 * CSV is RFC 4180 (CRLF, fields quoted when they hold a comma, quote or line break) with a UTF-8
 * byte order mark so Excel reads names with accents. Text that a spreadsheet would run as a
 * formula (starting `=`, `+`, `-`, `@`, tab or carriage return) is prefixed with `'` — the
 * OWASP advice against CSV injection; numbers are written as numbers and never prefixed.
 */
import { writeXlsx } from '../../platform/xlsx.js';
import { writeCsv } from '../csv-writer.js';
import { AppError } from '../errors.js';

export type ExportCell = string | number | null;

export interface ExportColumn {
  readonly key: string;
  readonly label: string;
  /** How the HTML table shows a number: a rate as a percentage, or as it is. */
  readonly kind?: 'text' | 'number' | 'rate' | 'change' | undefined;
}

export interface ExportTable {
  /** File name stem and sheet name, e.g. `weekly-trend`. */
  readonly name: string;
  readonly title: string;
  readonly columns: readonly ExportColumn[];
  readonly rows: readonly Readonly<Record<string, ExportCell>>[];
}

export const EXPORT_FORMATS = ['csv', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export function isExportFormat(value: unknown): value is ExportFormat {
  return value === 'csv' || value === 'xlsx';
}

/** One CSV field (the one CSV writer: services/csv-writer.ts). */
export { csvField } from '../csv-writer.js';

/** The table as CSV text (with a byte order mark). */
export function toCsv(table: ExportTable): string {
  return writeCsv(
    table.columns.map((c) => c.label),
    table.rows.map((row) => table.columns.map((c) => row[c.key] ?? null)),
    { bom: true },
  );
}

/** The table as an .xlsx workbook (numbers as numbers). */
export function toXlsx(table: ExportTable): Uint8Array {
  return writeXlsx({
    name: table.title,
    header: table.columns.map((c) => c.label),
    rows: table.rows.map((row) => table.columns.map((c) => row[c.key] ?? null)),
    // Rates and changes are fractions: shown as percentages, kept as numbers to sum and chart.
    percentColumns: table.columns.flatMap((c, i) => (c.kind === 'rate' || c.kind === 'change' ? [i] : [])),
  });
}

export interface ExportFile {
  readonly fileName: string;
  readonly contentType: string;
  readonly body: string | Buffer;
}

function safeName(name: string): string {
  return (
    name
      .replace(/[^a-z0-9-]+/gi, '-')
      .replace(/^-+|-+$/g, '')
      .toLowerCase() || 'table'
  );
}

/**
 * A table as a download.
 *
 * @example exportTable(table, 'csv') // { fileName: 'weekly-trend.csv', contentType: 'text/csv; charset=utf-8', body }
 */
export function exportTable(table: ExportTable, format: ExportFormat): ExportFile {
  const stem = safeName(table.name);
  switch (format) {
    case 'csv':
      return { fileName: `${stem}.csv`, contentType: 'text/csv; charset=utf-8', body: toCsv(table) };
    case 'xlsx':
      return {
        fileName: `${stem}.xlsx`,
        contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        body: Buffer.from(toXlsx(table)),
      };
  }
}

/** Finds the named table among a page's tables, or NOT_FOUND naming the ones there are. */
export function pickTable(tables: readonly ExportTable[], name: string | undefined): ExportTable {
  const found = name === undefined ? tables[0] : tables.find((t) => t.name === name);
  if (!found) {
    throw new AppError(
      'NOT_FOUND',
      `There is no table "${name ?? ''}" here (tables: ${tables.map((t) => t.name).join(', ')}).`,
    );
  }
  return found;
}
