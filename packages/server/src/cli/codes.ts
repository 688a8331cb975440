/**
 * `rollcall codes list|set|remove --school <URN>`: the school's own attendance codes and the
 * national code each stands for, applied by `rollcall import --marks` (docs/mis-import.md, "A
 * school's own codes"). Changes are made as the system and audited. Every problem names its
 * field on standard error with exit status 2, and nothing is stored.
 */
import { SYSTEM_ACTOR } from '../services/authz.js';
import type { Deps } from '../services/deps.js';
import { AppError, EXIT_CODE } from '../services/errors.js';
import { listSchoolCodes, removeSchoolCode, setSchoolCode } from '../services/exchange/import/school-codes.js';
import { schoolByUrn } from '../services/policy/school-policy-admin.js';
import type { CliIO } from './io.js';

const OPTION_OF: Record<string, string> = { schoolCode: '--code', code: '--as', meaning: '--meaning' };

function report(command: string, e: unknown, io: Pick<CliIO, 'stderr'>): number {
  if (!(e instanceof AppError)) throw e;
  io.stderr(`rollcall codes ${command}: ${e.message}\n`);
  for (const f of e.details.fields ?? []) io.stderr(`  ${OPTION_OF[f.field] ?? f.field}: ${f.message}\n`);
  if (command !== 'list') io.stderr('Nothing was stored.\n');
  // An unknown school or code is bad input here, like every other problem with the command line.
  return e.code === 'NOT_FOUND' ? 2 : EXIT_CODE[e.code];
}

/** Prints the school's codes: `code<TAB>national code<TAB>meaning`, one a line. */
export async function runCodesList(
  deps: Deps,
  io: Pick<CliIO, 'stdout' | 'stderr'>,
  opts: { readonly school: string; readonly format?: string | undefined },
): Promise<number> {
  try {
    const school = await schoolByUrn(deps, opts.school);
    const { codes } = await listSchoolCodes(deps, SYSTEM_ACTOR, school.id);
    if (opts.format === 'json') {
      io.stdout(
        `${JSON.stringify(
          codes.map((c) => ({ code: c.schoolCode, as: c.code, meaning: c.meaning })),
          null,
          2,
        )}\n`,
      );
      return 0;
    }
    if (codes.length === 0) {
      io.stdout(`${school.name} (${school.urn}) has no codes of its own: every mark must be a national code.\n`);
      return 0;
    }
    io.stdout(`The own codes of ${school.name} (${school.urn}), and the national code each is imported as:\n`);
    for (const c of codes) io.stdout(`${c.schoolCode}\t${c.code}\t${c.meaning ?? ''}\n`);
    return 0;
  } catch (e) {
    return report('list', e, io);
  }
}

/** Adds one of the school's codes or changes what it stands for. */
export async function runCodesSet(
  deps: Deps,
  io: Pick<CliIO, 'stdout' | 'stderr'>,
  opts: { readonly school: string; readonly code: string; readonly as: string; readonly meaning?: string | undefined },
): Promise<number> {
  try {
    const school = await schoolByUrn(deps, opts.school);
    await setSchoolCode(deps, SYSTEM_ACTOR, {
      schoolId: school.id,
      schoolCode: opts.code,
      code: opts.as,
      meaning: opts.meaning ?? null,
    });
    io.stdout(`${opts.code.trim().toUpperCase()} is imported as ${opts.as.trim().toUpperCase()} at ${school.name}.\n`);
    return 0;
  } catch (e) {
    return report('set', e, io);
  }
}

/** Removes one of the school's codes (marks already imported keep their national code). */
export async function runCodesRemove(
  deps: Deps,
  io: Pick<CliIO, 'stdout' | 'stderr'>,
  opts: { readonly school: string; readonly code: string },
): Promise<number> {
  try {
    const school = await schoolByUrn(deps, opts.school);
    await removeSchoolCode(deps, SYSTEM_ACTOR, { schoolId: school.id, schoolCode: opts.code });
    io.stdout(`${opts.code.trim().toUpperCase()} removed from ${school.name}'s own codes.\n`);
    return 0;
  } catch (e) {
    return report('remove', e, io);
  }
}
