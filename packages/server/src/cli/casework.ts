/** `rollcall casework evaluate`: the daily casework evaluation for one school or every school. */
import type { PlainDate } from '@rollcall/domain';
import { findSchoolByUrn, listSchools } from '../db/repositories/schools.js';
import { evaluateSchool } from '../services/casework/evaluation.js';
import type { Deps } from '../services/deps.js';
import { AppError, EXIT_CODE } from '../services/errors.js';
import type { CliIO } from './io.js';

export async function runCaseworkEvaluate(
  deps: Deps,
  io: Pick<CliIO, 'stdout' | 'stderr'>,
  opts: { schoolUrn?: string | undefined; asOf: PlainDate },
): Promise<number> {
  try {
    let schools;
    if (opts.schoolUrn !== undefined) {
      const school = await findSchoolByUrn(deps.db, opts.schoolUrn.trim());
      if (!school) throw new AppError('NOT_FOUND', `No school with URN ${opts.schoolUrn}.`);
      schools = [school];
    } else {
      schools = await listSchools(deps.db);
    }
    for (const school of schools) {
      const r = await evaluateSchool(deps, school.id, opts.asOf);
      io.stdout(
        `${school.name} (${school.urn}), ${opts.asOf}: ${r.pupilsEvaluated} pupil(s) evaluated, ` +
          `${r.created} new suggestion(s), ${r.alreadyOpen} already open, ${r.superseded} no longer holding\n`,
      );
    }
    return 0;
  } catch (e) {
    if (e instanceof AppError) {
      io.stderr(`rollcall casework evaluate: ${e.message}\n`);
      return EXIT_CODE[e.code];
    }
    throw e;
  }
}
