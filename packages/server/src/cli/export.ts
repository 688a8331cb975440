/**
 * `rollcall export daily --school URN [--date D]`: the DfE daily pupil-level file (every pupil item,
 * the day's codes and the last 7 days' changed codes; `dfe-daily` is the same command), and
 * `rollcall export census --school URN (--period P [--year Y] | --term NAME | --from D --to D)`:
 * with `--period`, the census attendance file for a DfE census period (`census-return` is the same);
 * with a term or dates, the termly counts per pupil. CSV on standard output or in a file
 * (docs/exports.md).
 */
import { constants } from 'node:fs';
import { access, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { findSchoolByUrn } from '../services/school/schools.js';
import { SYSTEM_ACTOR } from '../services/authz.js';
import type { Deps } from '../services/deps.js';
import { AppError, EXIT_CODE } from '../services/errors.js';
import { censusCountsExport } from '../services/exchange/exports/attendance-exports.js';
import { academicYearOf, CENSUS_PERIODS, type CensusPeriodName } from '@rollcall/domain';
import { exportCtf } from '../services/exchange/exports/ctf.js';
import { censusAttendanceReturn, dfeDailyFile } from '../services/exchange/exports/dfe-returns.js';
import type { CliIO } from './io.js';

export interface ExportArgs {
  school: string;
  date?: string | undefined;
  /** census: a DfE census period (autumn, spring, summer-1, summer-2), instead of --term or dates. */
  period?: string | undefined;
  /** census with --period: the academic year by the year it starts (2025 = 2025/26). */
  year?: string | undefined;
  term?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  /** A file to write; standard output without it. */
  out?: string | undefined;
}

/**
 * `export daily` writes the DfE daily file; `export census` the census attendance file with
 * `--period`, else the counts over a term or dates.
 */
export async function runExport(kind: 'daily' | 'census', args: ExportArgs, io: CliIO, deps: Deps): Promise<number> {
  if (kind === 'daily') return runExportDfe('dfe-daily', args, io, deps, 'rollcall export daily');
  if (args.period !== undefined) {
    if (args.term !== undefined || args.from !== undefined || args.to !== undefined) {
      io.stderr('rollcall export census: give --period (a DfE census period) or --term or --from/--to, not both\n');
      return EXIT_CODE.VALIDATION;
    }
    return runExportDfe('census-return', args, io, deps, 'rollcall export census');
  }
  const command = `rollcall export ${kind}`;
  try {
    const school = await findSchoolByUrn(deps.db, args.school);
    if (!school) throw new AppError('NOT_FOUND', `No school has URN ${args.school}.`);
    if (args.out !== undefined && (await outputPlace(args.out))) {
      throw new AppError('VALIDATION', `--out ${args.out} is a folder: give the CSV file's name`);
    }
    if (args.term === undefined && args.from === undefined && args.to === undefined) {
      throw new AppError(
        'VALIDATION',
        `give --period autumn|spring|summer-1|summer-2 (the DfE census periods) or --term NAME or --from YYYY-MM-DD --to YYYY-MM-DD`,
      );
    }
    const out = await censusCountsExport(deps, SYSTEM_ACTOR, {
      schoolId: school.id,
      term: args.term,
      from: args.from,
      to: args.to,
    });
    if (args.out) {
      await writeFile(args.out, out.csv);
      io.stderr(`${command}: ${out.rows.length} rows written to ${args.out}\n`);
    } else io.stdout(out.csv);
    return 0;
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    io.stderr(`${command}: ${e.message}\n`);
    return EXIT_CODE[e.code];
  }
}

export interface ExportCtfArgs {
  school: string;
  /** UPNs of the pupils (default: leavers of the last 15 school days, or everyone on roll with --attendance). */
  upn?: string[] | undefined;
  /** LA/ESTAB of the destination school. */
  destination?: string | undefined;
  /** A partial CTF of attendance only, for every pupil on roll in --from … --to (marks back to the MIS). */
  attendance?: boolean | undefined;
  from?: string | undefined;
  to?: string | undefined;
  out: string;
}

/**
 * `rollcall export ctf --school URN [--upn UPN ...] [--destination LA/ESTAB] --out FILE`: a
 * Common Transfer File (docs/ctf.md). `--out` names the file; when it is a folder the file is
 * written into it under the DfE's name for it.
 */
export async function runExportCtf(args: ExportCtfArgs, io: CliIO, deps: Deps): Promise<number> {
  const command = 'rollcall export ctf';
  try {
    const school = await findSchoolByUrn(deps.db, args.school);
    if (!school) throw new AppError('NOT_FOUND', `No school has URN ${args.school}.`);
    // Checked before writing: a CTF written is recorded (its number in the DfE sequence, the
    // returns page's list), so a file that then cannot be saved would be counted as written.
    const isFolder = await outputPlace(args.out);
    const out = await exportCtf(deps, SYSTEM_ACTOR, {
      schoolId: school.id,
      kind: args.attendance === true ? 'attendance' : 'transfer',
      upns: args.upn,
      destination: args.destination,
      from: args.from,
      to: args.to,
      today: io.today(),
    });
    const path = isFolder ? join(args.out, out.fileName) : args.out;
    await writeFile(path, out.xml);
    for (const w of out.warnings) io.stderr(`${command}: warning: ${w}\n`);
    io.stderr(
      `${command}: ${out.pupils} pupil${out.pupils === 1 ? '' : 's'} written to ${path} (the DfE's name for this file: ${out.fileName})\n`,
    );
    return 0;
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    io.stderr(`${command}: ${e.message}\n`);
    return EXIT_CODE[e.code];
  }
}

/**
 * Whether `--out` is a folder (true) or a file to write (false); refused plainly when it can be
 * neither: a file in a folder that does not exist or cannot be written to.
 */
export async function outputPlace(out: string): Promise<boolean> {
  const folder = await stat(out)
    .then((s) => s.isDirectory())
    .catch(() => false);
  const dir = folder ? out : dirname(out);
  try {
    await access(dir, constants.W_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new AppError(
      'VALIDATION',
      code === 'ENOENT'
        ? `--out ${out}: the folder ${dir} does not exist; nothing was written`
        : `--out ${out}: the folder ${dir} cannot be written to; nothing was written`,
    );
  }
  return folder;
}

export interface ExportDfeArgs {
  school: string;
  /** census-return: autumn, spring, summer-1 or summer-2. */
  period?: string | undefined;
  /** census-return: the academic year by the year it starts (2025 = 2025/26). */
  year?: string | undefined;
  /** dfe-daily: the school day. */
  date?: string | undefined;
  out?: string | undefined;
}

/**
 * `rollcall export census-return --school URN --period autumn|spring|summer-1|summer-2 --year YYYY`
 * and `rollcall export dfe-daily --school URN [--date D]` (docs/exports.md).
 */
export async function runExportDfe(
  kind: 'census-return' | 'dfe-daily',
  args: ExportDfeArgs,
  io: CliIO,
  deps: Deps,
  command = `rollcall export ${kind}`,
): Promise<number> {
  try {
    const school = await findSchoolByUrn(deps.db, args.school);
    if (!school) throw new AppError('NOT_FOUND', `No school has URN ${args.school}.`);
    if (args.out !== undefined && (await outputPlace(args.out))) {
      throw new AppError('VALIDATION', `--out ${args.out} is a folder: give the CSV file's name`);
    }
    let out: { csv: string; rows: readonly unknown[] };
    if (kind === 'census-return') {
      const period = args.period ?? '';
      if (!(CENSUS_PERIODS as readonly string[]).includes(period)) {
        throw new AppError('VALIDATION', `--period must be one of ${CENSUS_PERIODS.join(', ')}, got "${period}"`);
      }
      const year = Number(args.year ?? academicYearOf(io.today()).start.slice(0, 4));
      if (!Number.isInteger(year) || year < 2000 || year > 2100) {
        throw new AppError(
          'VALIDATION',
          `--year must be the year the academic year starts (like 2025), got "${args.year}"`,
        );
      }
      out = await censusAttendanceReturn(deps, SYSTEM_ACTOR, {
        schoolId: school.id,
        period: period as CensusPeriodName,
        academicYear: year,
      });
    } else {
      out = await dfeDailyFile(deps, SYSTEM_ACTOR, { schoolId: school.id, date: args.date ?? io.today() });
    }
    if (args.out) {
      await writeFile(args.out, out.csv);
      io.stderr(`${command}: ${out.rows.length} rows written to ${args.out}\n`);
    } else io.stdout(out.csv);
    return 0;
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    io.stderr(`${command}: ${e.message}\n`);
    return EXIT_CODE[e.code];
  }
}
