/**
 * `rollcall export daily --school URN --date D` and `rollcall export census --school URN
 * (--term NAME | --from D --to D)`: the DfE attendance files as CSV on standard output or in a
 * file (docs/exports.md).
 */
import { writeFile } from 'node:fs/promises';
import { findSchoolByUrn } from '../db/repositories/schools.js';
import { SYSTEM_ACTOR } from '../services/authz.js';
import type { Deps } from '../services/deps.js';
import { AppError, EXIT_CODE } from '../services/errors.js';
import { censusCountsExport, dailyAttendanceExport, type CsvExport } from '../services/exports/attendance-exports.js';
import type { CliIO } from './io.js';

export interface ExportArgs {
  school: string;
  date?: string | undefined;
  term?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  /** A file to write; standard output without it. */
  out?: string | undefined;
}

export async function runExport(kind: 'daily' | 'census', args: ExportArgs, io: CliIO, deps: Deps): Promise<number> {
  const command = `rollcall export ${kind}`;
  try {
    const school = await findSchoolByUrn(deps.db, args.school);
    if (!school) throw new AppError('NOT_FOUND', `No school has URN ${args.school}.`);
    let out: CsvExport;
    if (kind === 'daily') {
      out = await dailyAttendanceExport(deps, SYSTEM_ACTOR, { schoolId: school.id, date: args.date ?? io.today() });
    } else {
      out = await censusCountsExport(deps, SYSTEM_ACTOR, {
        schoolId: school.id,
        term: args.term,
        from: args.from,
        to: args.to,
      });
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
