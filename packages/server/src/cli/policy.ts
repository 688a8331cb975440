/**
 * `rollcall policy show --school <URN>`: prints the school's policy document (YAML).
 * `rollcall policy set --school <URN> (--preset <id> | --file <policy.yaml|json>)`: checks and
 * stores one, as the system (audited), printing what changed. Every problem names its field; any
 * problem (an unknown URN or preset id too) exits 2 with the message on standard error, and
 * nothing is stored.
 */
import { readFile } from 'node:fs/promises';
import { SYSTEM_ACTOR } from '../services/authz.js';
import type { Deps } from '../services/deps.js';
import { AppError, EXIT_CODE } from '../services/errors.js';
import { policyDocumentByUrn, setPolicyByUrn, type PolicySource } from '../services/policy/school-policy-admin.js';
import type { CliIO } from './io.js';
import { oneSource } from './policy-args.js';

/** Exit status for bad input: a wrong option, an unknown school or preset, a document with problems. */
export const EXIT_BAD_INPUT = 2;

function report(command: string, e: unknown, io: Pick<CliIO, 'stderr'>, file?: string): number {
  if (!(e instanceof AppError)) throw e;
  io.stderr(`rollcall policy ${command}: ${e.message}\n`);
  for (const f of e.details.fields ?? []) io.stderr(`  ${file ? `${file}: ` : ''}${f.field}: ${f.message}\n`);
  if (command === 'set' && e.code === 'VALIDATION') io.stderr('Nothing was stored.\n');
  // An unknown school is bad input here, like every other problem with the command line.
  return e.code === 'NOT_FOUND' ? EXIT_BAD_INPUT : EXIT_CODE[e.code];
}

/** Prints the stored document of the school with this URN. */
export async function runPolicyShow(
  deps: Deps,
  io: Pick<CliIO, 'stdout' | 'stderr'>,
  opts: { readonly schoolUrn: string },
): Promise<number> {
  try {
    const { yaml, storedIsValid, school } = await policyDocumentByUrn(deps, SYSTEM_ACTOR, opts.schoolUrn);
    io.stdout(yaml.endsWith('\n') ? yaml : `${yaml}\n`);
    if (!storedIsValid)
      io.stderr(
        `rollcall policy show: the stored policy of ${school.name} (${school.urn}) no longer passes its checks, so Rollcall uses the defaults; store a corrected one with rollcall policy set.\n`,
      );
    return 0;
  } catch (e) {
    return report('show', e, io);
  }
}

export interface PolicySetOptions {
  readonly schoolUrn: string;
  readonly preset?: string | undefined;
  readonly file?: string | undefined;
}

/** Stores a preset's whole policy or a document from a file; prints what changed. */
export async function runPolicySet(
  deps: Deps,
  io: Pick<CliIO, 'stdout' | 'stderr'>,
  opts: PolicySetOptions,
): Promise<number> {
  const hasPreset = opts.preset !== undefined;
  const hasFile = opts.file !== undefined;
  if (!oneSource(opts, io)) return EXIT_BAD_INPUT;
  let source: PolicySource;
  if (hasFile) {
    let text: string;
    try {
      text = await readFile(opts.file, 'utf8');
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'it cannot be read';
      io.stderr(`rollcall policy set: ${opts.file}: ${why}. Nothing was stored.\n`);
      return EXIT_BAD_INPUT;
    }
    source = { text };
  } else {
    source = { preset: opts.preset!.trim() };
  }
  try {
    const { school, policy, changes } = await setPolicyByUrn(deps, SYSTEM_ACTOR, opts.schoolUrn, source);
    const from = hasPreset ? `the preset ${opts.preset.trim()}` : opts.file!;
    io.stdout(
      `Stored the attendance policy of ${school.name} (${school.urn}) from ${from}` +
        `${policy.preset ? ` (preset ${policy.preset})` : ''}.\n`,
    );
    if (changes.length === 0) io.stdout('Nothing the school runs on changed.\n');
    else {
      io.stdout('What changed:\n');
      for (const c of changes) io.stdout(`  ${c}\n`);
    }
    return 0;
  } catch (e) {
    return report('set', e, io, hasFile ? opts.file : undefined);
  }
}
