/**
 * `rollcall import`: loads a school's calendar, pupils, marks, contacts and groups from files
 * into the database (see docs/cli/import.md). Every problem in every file is reported as
 * `file:line: message` and then nothing is written (exit status 2).
 */
import type { Clock } from '../platform/clock.js';
import { SYSTEM_ACTOR, type Actor } from '../services/authz.js';
import { AppError, EXIT_CODE } from '../services/errors.js';
import type { Deps } from '../services/deps.js';
import {
  formatReportTable,
  importSchoolData,
  problemLine,
  type ImportFile,
  type ImportProblem,
} from '../services/exchange/import/index.js';
import { isMisChoice } from '../services/exchange/import/mis.js';
import { readInputBytes, readInputFile } from '../imports/read-file.js';
import { isXlsxName, xlsxToCsv } from '../imports/xlsx.js';
import type { CliIO } from './io.js';

/** The options as commander gives them (camelCase of the long option names). */
export interface ImportArgs {
  /** --school <URN> */
  school: string;
  calendar?: string | undefined;
  pupils?: string | undefined;
  marks?: string | undefined;
  contacts?: string | undefined;
  groups?: string | undefined;
  /** A Common Transfer File (XML) instead of --pupils, --marks and --contacts. */
  ctf?: string | undefined;
  schoolName?: string | undefined;
  phase?: string | undefined;
  laCode?: string | undefined;
  laName?: string | undefined;
  /** The school's 4-digit DfE establishment number. */
  estab?: string | undefined;
  dryRun?: boolean | undefined;
  /** The Monday (YYYY-MM-DD) of a weekly marks grid that names weekdays, not dates. */
  weekCommencing?: string | undefined;
  /** auto (default), sims, arbor, bromcom or none */
  mis?: string | undefined;
  /** table (default) or json */
  format?: string | undefined;
}

/** What the command works with besides its output: the open database and the clock. */
export interface ImportEnv {
  readonly db: Deps['db'];
  /** The open database's dialect (OpenDatabase.dialect): lets marks be written in bulk. */
  readonly dialect?: Deps['dialect'] | undefined;
  readonly clock: Clock;
  /** Who is importing; the CLI imports as the system. */
  readonly actor?: Actor | undefined;
}

const COMMAND = 'rollcall import';

async function readInput(path: string | undefined, problems: ImportProblem[]): Promise<ImportFile | undefined> {
  if (path === undefined) return undefined;
  if (isXlsxName(path)) {
    // A spreadsheet: its first sheet, read as the CSV it would be saved as (line = row).
    const bytes = await readInputBytes(path, problems);
    if (bytes === undefined) return undefined;
    const sheet = await xlsxToCsv(bytes);
    if (!sheet.ok) {
      problems.push({ file: path, line: 0, message: `cannot read the spreadsheet: ${sheet.message}` });
      return undefined;
    }
    return { name: path, text: sheet.text, sheetName: sheet.sheetName };
  }
  const text = await readInputFile(path, problems);
  return text === undefined ? undefined : { name: path, text };
}

function fail(io: CliIO, problems: readonly ImportProblem[]): number {
  io.stderr(`${problems.map((p) => problemLine(p, COMMAND)).join('\n')}\n`);
  return 2;
}

/** Runs the import; returns the exit code (0 done, 2 refused input, 3 forbidden, 4 not found, 5 conflict). */
export async function runImport(args: ImportArgs, io: CliIO, env: ImportEnv): Promise<number> {
  const format = (args.format ?? 'table').toLowerCase();
  if (format !== 'table' && format !== 'json') {
    return fail(io, [{ file: null, line: 0, message: `--format must be table or json, got "${args.format}"` }]);
  }
  const mis = (args.mis ?? 'auto').toLowerCase();
  if (!isMisChoice(mis)) {
    return fail(io, [
      { file: null, line: 0, message: `--mis must be auto, sims, arbor, bromcom or none, got "${args.mis}"` },
    ]);
  }
  const problems: ImportProblem[] = [];
  const [calendar, pupils, marks, contacts, groups, ctf] = await Promise.all(
    [args.calendar, args.pupils, args.marks, args.contacts, args.groups, args.ctf].map((p) => readInput(p, problems)),
  );
  if (args.weekCommencing !== undefined && args.marks === undefined) {
    problems.push({ file: null, line: 0, message: '--week-commencing is for a weekly grid given with --marks' });
  }
  if (problems.length > 0) return fail(io, problems);
  const school: { name?: string; phase?: string; laCode?: string; laName?: string; estab?: string } = {};
  if (args.schoolName !== undefined) school.name = args.schoolName;
  if (args.phase !== undefined) school.phase = args.phase;
  if (args.laCode !== undefined) school.laCode = args.laCode;
  if (args.laName !== undefined) school.laName = args.laName;
  if (args.estab !== undefined) school.estab = args.estab;
  try {
    const report = await importSchoolData(env, env.actor ?? SYSTEM_ACTOR, {
      urn: args.school,
      school,
      calendar,
      pupils,
      marks: marks && args.weekCommencing !== undefined ? { ...marks, weekCommencing: args.weekCommencing } : marks,
      contacts,
      groups,
      ctf,
      dryRun: args.dryRun === true,
      mis,
    });
    io.stdout(format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : formatReportTable(report));
    return 0;
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    const listed = e.details['problems'];
    if (Array.isArray(listed) && listed.length > 0) return fail(io, listed as ImportProblem[]);
    io.stderr(`${COMMAND}: ${e.message}\n`);
    return EXIT_CODE[e.code];
  }
}
