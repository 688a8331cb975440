/**
 * `rollcall casework evaluate`: the daily casework evaluation for one school or every school,
 * a line each with its counts, including the new entries held back by the policy's cap
 * (`maxNewEntriesPerRun`; they come again at the next evaluation while they still hold).
 */
import { dateInWords, lastDayOnOrBefore, type PlainDate, type SchoolCalendar } from '@rollcall/domain';
import { findSchoolByUrn, listSchools, loadCalendar } from '../services/school/schools.js';
import { evaluateSchool } from '../services/casework/evaluation.js';
import { maxNewEntriesPerRun } from '../services/casework/policy.js';
import type { Deps } from '../services/deps.js';
import { AppError, EXIT_CODE } from '../services/errors.js';
import type { CliIO } from './io.js';

/** The policy's cap on new entries into staged casework, as on the policy page. */
export function capInWords(cap: number | null): string {
  return cap === null
    ? 'no cap on new entries'
    : `at most ${cap} new ${cap === 1 ? 'entry' : 'entries'} per evaluation`;
}

/**
 * When the evaluation's date is not one of the school's school days (a weekend, a holiday, a
 * closure), a line saying so and which day the marks are counted to; `null` on a school day.
 */
export function notSchoolDayNote(cal: SchoolCalendar, schoolName: string, asOf: PlainDate): string | null {
  if (cal.dayByDate.has(asOf)) return null;
  const day = lastDayOnOrBefore(cal, asOf);
  const countedTo =
    day < 0
      ? 'no school day comes before it this year, so no marks are counted'
      : `marks are counted to the last school day before it, ${dateInWords(cal.dayDate[day]!, { weekday: true })}`;
  return `  Note: ${dateInWords(asOf, { weekday: true })} is not a school day at ${schoolName}; ${countedTo}.\n`;
}

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
          `${r.created} new suggestion(s), ${r.alreadyOpen} already open, ${r.superseded} no longer holding, ` +
          `${r.heldBack} held back (${capInWords(maxNewEntriesPerRun(school))})\n`,
      );
      const note = notSchoolDayNote(await loadCalendar(deps.db, school.id), school.name, opts.asOf);
      if (note !== null) io.stdout(note);
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
