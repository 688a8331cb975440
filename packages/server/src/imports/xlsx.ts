/**
 * Reading a spreadsheet (XLSX) as the CSV text the importers read, with the maintained
 * read-excel-file: the first sheet, one line per row in order (so a problem's line is the
 * spreadsheet's row number), dates as YYYY-MM-DD, numbers and text as the cells hold them.
 */
import readXlsxFile from 'read-excel-file/node';

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return '';
    // read-excel-file gives a spreadsheet date as midnight UTC: the date is its UTC date.
    return value.toISOString().slice(0, 10);
  }
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'Y' : 'N';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * The first sheet of an XLSX file as CSV text with the sheet's name (a weekly grid may be named
 * by its week), or the reason it cannot be read. Line breaks
 * inside a cell become spaces (except none are expected in the files Rollcall reads), so each
 * row stays one line and line numbers are row numbers.
 */
export async function xlsxToCsv(
  bytes: Uint8Array,
): Promise<{ ok: true; text: string; sheetName: string } | { ok: false; message: string }> {
  try {
    const sheets = await readXlsxFile(Buffer.from(bytes));
    const first = sheets[0];
    if (!first) return { ok: false, message: 'the spreadsheet has no sheet' };
    const rows = first.data;
    const text = rows
      .map((row) => row.map((cell) => csvCell(cellText(cell).replace(/\r?\n/g, ' '))).join(','))
      .join('\n');
    return { ok: true, text: `${text}\n`, sheetName: first.sheet };
  } catch (e) {
    return { ok: false, message: e instanceof Error ? e.message : String(e) };
  }
}

/** True when the file name says it is a spreadsheet. */
export function isXlsxName(path: string): boolean {
  return /\.xlsx$/i.test(path);
}
