/** The arguments of `rollcall policy set` that need no database: exactly one source. */
import type { CliIO } from './io.js';

/** Whether exactly one of --preset and --file is given; says so on standard error when not. */
export function oneSource(
  opts: { readonly preset?: string | undefined; readonly file?: string | undefined },
  io: Pick<CliIO, 'stderr'>,
): boolean {
  if ((opts.preset === undefined) !== (opts.file === undefined)) return true;
  io.stderr('rollcall policy set: give exactly one of --preset <id> or --file <policy.yaml|json>\n');
  return false;
}
