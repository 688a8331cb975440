/**
 * `rollcall analyse`: an attendance officer points it at a calendar and marks exported from any
 * MIS and gets every measure and statutory finding per pupil. See docs/cli/analyse.md.
 */
import {
  analysisContext,
  buildRoll,
  buildRollFromCsv,
  compileCalendar,
  createScratch,
  findingsFor,
  isPlainDate,
  measurePupil,
  parseCalendarInput,
  summarise,
  type AnalysisContext,
  type Finding,
  type MarkRow,
  type PupilInfo,
  type PupilRow,
  type SchoolCalendar,
} from '@rollcall/domain';
import { parseCsv, type CsvTable } from '../imports/csv.js';
import { parseJsonWithLines } from '../imports/json-lines.js';
import { decodeText } from '../imports/decode.js';
import { readInputBytes, readInputFile } from '../imports/read-file.js';
import type { CliIO } from './io.js';
import type { AnalyseReport, PupilReport } from './analyse-report.js';
import { formatCsv, formatTable } from './format.js';

export type { AnalyseReport, PupilReport } from './analyse-report.js';

export type OutputFormat = 'json' | 'table' | 'csv';

export interface AnalyseArgs {
  calendar: string;
  marks: string;
  pupils?: string | undefined;
  asOf?: string | undefined;
  from?: string | undefined;
  format?: string | undefined;
  minPossibleSessions?: string | undefined;
  explain?: boolean | undefined;
}

/** A problem in an input file, reported as `file:line: message`. */
interface Problem {
  file: string;
  line: number;
  message: string;
}

const MARK_COLUMNS = ['upn', 'date', 'session', 'code'] as const;

function loadCalendar(path: string, text: string, problems: Problem[]): SchoolCalendar | undefined {
  const parsed = parseJsonWithLines(text);
  if (!parsed.ok) {
    problems.push({ file: path, line: parsed.line, message: `malformed calendar JSON: ${parsed.message}` });
    return undefined;
  }
  const input = parseCalendarInput(parsed.value);
  // Report every problem at once: the well-formed terms are still checked against each other,
  // and closures against the terms when all the terms could be read.
  const compiled = compileCalendar(
    input.ok ? input.value : { terms: input.partial.terms, closures: input.termsOk ? input.partial.closures : [] },
  );
  const issues = [...(input.ok ? [] : input.issues), ...(compiled.ok ? [] : compiled.issues)];
  issues.sort((a, b) => parsed.lineOf(a.path) - parsed.lineOf(b.path));
  for (const issue of issues)
    problems.push({ file: path, line: parsed.lineOf(issue.path), message: `malformed calendar: ${issue.message}` });
  if (issues.length > 0 || !compiled.ok) return undefined;
  return compiled.value;
}

function checkTable(path: string, table: CsvTable, required: readonly string[], problems: Problem[]): boolean {
  for (const p of table.problems) problems.push({ file: path, line: p.line, message: p.message });
  if (table.header.length === 0) {
    problems.push({
      file: path,
      line: 1,
      message: `the file is empty: it needs a header row with ${required.join(',')}`,
    });
    return false;
  }
  const missing = required.filter((c) => !table.header.includes(c));
  if (missing.length > 0) {
    problems.push({
      file: path,
      line: 1,
      message: `the header is missing ${missing.map((c) => `"${c}"`).join(', ')} (found: ${table.header.join(',')}); it needs ${required.join(',')}`,
    });
    return false;
  }
  return true;
}

function markRows(table: CsvTable): MarkRow[] {
  const [u, d, s, c] = MARK_COLUMNS.map((name) => table.header.indexOf(name)) as [number, number, number, number];
  const m = table.header.indexOf('minutes_late');
  return table.records.map((r) => ({
    line: r.line,
    upn: r.fields[u] ?? '',
    date: r.fields[d] ?? '',
    session: r.fields[s] ?? '',
    code: r.fields[c] ?? '',
    minutesLate: m >= 0 ? r.fields[m] : undefined,
  }));
}

function pupilRows(table: CsvTable): PupilRow[] {
  return table.records.map((r) => {
    const values: Record<string, string> = {};
    table.header.forEach((h, i) => {
      values[h] = r.fields[i] ?? '';
    });
    return { line: r.line, values };
  });
}

function usage(io: CliIO, message: string): number {
  io.stderr(`rollcall analyse: ${message}\n`);
  return 2;
}

/** Runs the analysis; returns the exit code (0 success, 2 bad input). */
export async function runAnalyse(args: AnalyseArgs, io: CliIO): Promise<number> {
  const format = (args.format ?? 'json').toLowerCase();
  if (format !== 'json' && format !== 'table' && format !== 'csv') {
    return usage(io, `--format must be json, table or csv, got "${args.format}"`);
  }
  const asOf = args.asOf ?? io.today();
  if (!isPlainDate(asOf)) return usage(io, `--as-of "${asOf}" is not a date: write it as YYYY-MM-DD`);
  if (args.from !== undefined && !isPlainDate(args.from)) {
    return usage(io, `--from "${args.from}" is not a date: write it as YYYY-MM-DD`);
  }
  if (args.from !== undefined && args.from > asOf) {
    return usage(io, `--from ${args.from} is after --as-of ${asOf}: the statistics period would be empty`);
  }
  let minPossible = 0;
  if (args.minPossibleSessions !== undefined) {
    if (!/^\d+$/.test(args.minPossibleSessions)) {
      return usage(io, `--min-possible-sessions must be a whole number (0 or more), got "${args.minPossibleSessions}"`);
    }
    minPossible = Number(args.minPossibleSessions);
  }

  const problems: Problem[] = [];
  const [calText, marksBytes, pupilsText] = await Promise.all([
    readInputFile(args.calendar, problems),
    readInputBytes(args.marks, problems),
    args.pupils === undefined ? Promise.resolve(undefined) : readInputFile(args.pupils, problems),
  ]);
  const cal = calText === undefined ? undefined : loadCalendar(args.calendar, calText, problems);

  let pupilsOk = true;
  let pupilsTable: CsvTable | undefined;
  if (args.pupils !== undefined && pupilsText !== undefined) {
    pupilsTable = parseCsv(pupilsText);
    pupilsOk = checkTable(args.pupils, pupilsTable, ['upn'], problems);
  }
  const pupils = pupilsTable ? pupilRows(pupilsTable) : undefined;

  // A clean marks file is read byte by byte straight into the compact arrays; anything else (an
  // error, a quoted field…) goes through the CSV reader and buildRoll, which name every problem.
  let roll =
    cal && marksBytes && pupilsOk && problems.length === 0 && (args.pupils === undefined || pupilsTable)
      ? buildRollFromCsv(cal, marksBytes, pupils)
      : undefined;
  if (!roll) {
    let marksTable: CsvTable | undefined;
    if (marksBytes !== undefined) {
      marksTable = parseCsv(decodeText(marksBytes));
      if (!checkTable(args.marks, marksTable, MARK_COLUMNS, problems)) marksTable = undefined;
    }
    if (!cal || !marksTable || !pupilsOk || (args.pupils !== undefined && !pupilsTable)) {
      return report(io, problems);
    }
    const built = buildRoll(cal, markRows(marksTable), pupils);
    for (const issue of built.issues) {
      problems.push({
        file: issue.file === 'marks' ? args.marks : (args.pupils ?? 'pupils'),
        line: issue.line,
        message: issue.message,
      });
    }
    if (problems.length > 0) return report(io, problems);
    roll = built.pupils;
  }
  if (!cal) return report(io, problems); // not reached: both ways above need the calendar

  const ctx = analysisContext(cal, { asOf, from: args.from, minPossibleSessions: minPossible });
  const result = analyse(cal, ctx, roll, args.explain === true);
  switch (format) {
    case 'json':
      io.stdout(`${JSON.stringify(result.report, null, 2)}\n`);
      break;
    case 'table':
      io.stdout(formatTable(result.report, result.infos));
      break;
    case 'csv':
      io.stdout(formatCsv(result.report, result.infos));
      break;
  }
  return 0;
}

function report(io: CliIO, problems: Problem[]): number {
  const lines = problems.map((p) => `${p.file}:${p.line}: ${p.message}`);
  io.stderr(`${lines.join('\n')}\n`);
  return 2;
}

/**
 * Measures every pupil on roll at some point in the statistics period (their on-roll dates meet
 * the period from its first school session to "as of"): a pupil who left before it is left out.
 */
export function analyse(
  cal: SchoolCalendar,
  ctx: AnalysisContext,
  roll: ReturnType<typeof buildRoll>['pupils'],
  explain = false,
): { report: AnalyseReport; infos: PupilInfo[] } {
  const scratch = createScratch(cal);
  const pupils: AnalyseReport['pupils'] = [];
  const infos: PupilInfo[] = [];
  for (const entry of roll) {
    if (entry.onRollFrom > ctx.asOf || (entry.onRollTo !== null && entry.onRollTo < ctx.periodStart)) continue;
    const m = measurePupil(cal, ctx, entry.marks, scratch);
    const row: PupilReport & { findings?: Finding[] } = { upn: entry.info.upn, ...m };
    if (explain) row.findings = findingsFor(cal, ctx, entry.marks, m);
    pupils.push(row);
    infos.push(entry.info);
  }
  return {
    report: {
      asOf: ctx.asOf,
      periodStart: ctx.periodStart,
      schoolSessions: ctx.schoolSessions,
      schoolWeeks: ctx.schoolWeeks,
      pupils,
      summary: summarise(pupils),
    },
    infos,
  };
}
