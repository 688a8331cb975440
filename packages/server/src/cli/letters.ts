/**
 * `rollcall letters print --school <URN> --template <key> [--upn <UPN> ...] [--date YYYY-MM-DD] --out <file.pdf>`:
 * one template's letter to every family (all pupils on roll, or those named), one letter per
 * contact with parental responsibility and a postal address, in pupil order, as one PDF. Each
 * letter is stored on its pupil's case (as sent by the system, signed by the school's attendance
 * lead or headteacher). A bad URN, template key, UPN or date exits 2 naming it, and nothing is
 * written.
 */
import { writeFileSync } from 'node:fs';
import { isPlainDate } from '@rollcall/domain';
import { pupilsNamedByUpn } from '../services/pupils/pupils.js';
import { findSchoolByUrn } from '../services/school/schools.js';
import { SYSTEM_ACTOR } from '../services/authz.js';
import type { Deps } from '../services/deps.js';
import { AppError, EXIT_CODE } from '../services/errors.js';
import { bulkLetters } from '../services/casework/letters/bulk.js';
import { schoolDetailsOf } from '../services/school/school-details.js';
import type { CliIO } from './io.js';

export interface LettersPrintOptions {
  readonly school: string;
  readonly template: string;
  readonly upn?: readonly string[] | undefined;
  readonly date?: string | undefined;
  readonly out: string;
}

const NAME = 'rollcall letters print';

export async function runLettersPrint(
  deps: Deps,
  io: Pick<CliIO, 'stdout' | 'stderr'>,
  opts: LettersPrintOptions,
): Promise<number> {
  const fail = (message: string): number => {
    io.stderr(`${NAME}: ${message}\n`);
    return 2;
  };
  if (opts.date !== undefined && !isPlainDate(opts.date))
    return fail(`--date "${opts.date}" is not a date: write it as YYYY-MM-DD.`);
  if (!/\.pdf$/i.test(opts.out)) return fail(`--out "${opts.out}" must be a .pdf file.`);
  const school = await findSchoolByUrn(deps.db, opts.school.trim());
  if (!school) return fail(`there is no school with URN ${opts.school}.`);
  let pupilIds: string[] | null = null;
  if (opts.upn && opts.upn.length > 0) {
    const { ids, missing } = await pupilsNamedByUpn(deps, SYSTEM_ACTOR, school.id, opts.upn);
    if (missing.length > 0)
      return fail(`no pupil at ${school.name} (URN ${school.urn}) has the UPN ${missing.join(', ')}.`);
    pupilIds = [...new Set(ids.values())];
  }
  const details = await schoolDetailsOf(deps.db, school.id);
  const sender = details.attendanceLeadName
    ? { name: details.attendanceLeadName, role: 'Attendance lead' }
    : details.headteacherName
      ? { name: details.headteacherName, role: 'Headteacher' }
      : { name: 'The attendance team', role: school.name };
  try {
    const started = performance.now();
    const r = await bulkLetters(deps, SYSTEM_ACTOR, {
      schoolId: school.id,
      templateKey: opts.template.trim(),
      pupilIds,
      ...(opts.date ? { date: opts.date } : {}),
      method: 'print',
      sender,
    });
    if (!r.pdf) {
      // Nothing printable is a failure the caller must see, not a success without a file.
      for (const s of r.skipped) io.stderr(`  left out: ${s.pupilName}: ${s.reason}\n`);
      return fail(
        `no letter to print: ${r.skipped.length === 0 ? 'no pupil chosen' : `every pupil chosen (${r.skipped.length}) was left out, as listed`}; ${opts.out} not written.`,
      );
    }
    writeFileSync(opts.out, r.pdf);
    io.stdout(
      `${school.name} (${school.urn}): ${r.templateTitle}: ${r.letters} letter(s) to the families of ${r.pupils} pupil(s)` +
        ` in ${opts.out}, ${Math.round(performance.now() - started)} ms\n`,
    );
    for (const s of r.skipped) io.stdout(`  left out: ${s.pupilName}: ${s.reason}\n`);
    return 0;
  } catch (e) {
    if (e instanceof AppError) {
      const detail = e.details.fields?.[0]?.message ?? e.message;
      io.stderr(`${NAME}: ${detail}\n`);
      return EXIT_CODE[e.code];
    }
    throw e;
  }
}
