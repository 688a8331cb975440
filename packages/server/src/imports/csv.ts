/**
 * A small, fast CSV reader (RFC 4180: quoted fields, doubled quotes, CRLF, a leading BOM) that
 * keeps the line number each record starts on, so every error can name its line.
 */
import { cleanText } from '../services/text-safety.js';

export interface CsvRecord {
  /** 1-based line number of the record's first character (the header is line 1). */
  readonly line: number;
  readonly fields: string[];
}

export interface CsvProblem {
  readonly line: number;
  readonly message: string;
}

export interface CsvTable {
  /** Header names, trimmed and lower-cased. */
  readonly header: string[];
  readonly records: CsvRecord[];
  readonly problems: CsvProblem[];
}

/** Parses CSV text. Blank lines are skipped. */
export function parseCsv(text: string): CsvTable {
  // NUL, control characters (but tab and line breaks) and bidi overrides never enter a name.
  const src = cleanText(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  const records: CsvRecord[] = [];
  const problems: CsvProblem[] = [];
  // Lines ended by a carriage return alone (old Mac files) would read as one long line.
  const loneCr = /\r(?!\n)/.exec(src);
  if (loneCr) {
    const line = src.slice(0, loneCr.index).split('\n').length;
    problems.push({
      line,
      message:
        'the lines end with a carriage return alone (an old Mac format): save the file with Windows (CRLF) or Unix (LF) line endings',
    });
    return { header: [], records, problems };
  }
  const len = src.length;
  let pos = 0;
  let line = 1;
  // Position of the next double quote at or after `pos` (-1: none left). Searched again only once
  // passed, so reading stays linear in the size of the file.
  let quote = src.indexOf('"');
  while (pos < len) {
    let nl = src.indexOf('\n', pos);
    if (nl < 0) nl = len;
    const lineEnd = nl > pos && src.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
    if (quote >= 0 && quote < pos) quote = src.indexOf('"', pos);
    if (quote < 0 || quote >= lineEnd) {
      // Fast path: no quotes on this line.
      if (lineEnd > pos) {
        const raw = src.slice(pos, lineEnd);
        if (raw.trim() !== '') records.push({ line, fields: raw.split(',') });
      }
      pos = nl + 1;
      line++;
      continue;
    }
    // Slow path: a record with quoted fields, which may span lines.
    const startLine = line;
    const fields: string[] = [];
    let field = '';
    let i = pos;
    let inQuotes = false;
    let done = false;
    while (!done) {
      if (i >= len) {
        if (inQuotes) problems.push({ line: startLine, message: 'a quoted field is not closed (missing ")' });
        fields.push(field);
        done = true;
        break;
      }
      const ch = src[i]!;
      if (inQuotes) {
        if (ch === '"') {
          if (src[i + 1] === '"') {
            field += '"';
            i += 2;
          } else {
            inQuotes = false;
            i++;
          }
        } else {
          if (ch === '\n') line++;
          field += ch;
          i++;
        }
      } else if (ch === '"') {
        inQuotes = true;
        i++;
      } else if (ch === ',') {
        fields.push(field);
        field = '';
        i++;
      } else if (ch === '\n' || (ch === '\r' && src[i + 1] === '\n')) {
        fields.push(field);
        i += ch === '\r' ? 2 : 1;
        done = true;
      } else {
        field += ch;
        i++;
      }
    }
    records.push({ line: startLine, fields });
    pos = i;
    line++;
  }
  const headerRecord = records.shift();
  const header = headerRecord ? headerRecord.fields.map((h) => h.trim().toLowerCase()) : [];
  return { header, records, problems };
}

/** Column positions by name; -1 when absent. */
export function columnIndex(header: readonly string[], name: string): number {
  return header.indexOf(name);
}
