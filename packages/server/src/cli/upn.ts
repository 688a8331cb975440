/** `rollcall upn <UPN>...`: checks Unique Pupil Numbers. */
import { validateUpn } from '@rollcall/domain';
import type { CliIO } from './io.js';

/** Prints `<UPN> valid` or `<UPN> invalid: <reason>` per argument; exit 1 if any is invalid. */
export function runUpn(upns: readonly string[], io: CliIO): number {
  let invalid = 0;
  const out: string[] = [];
  for (const arg of upns) {
    const check = validateUpn(arg);
    if (check.valid) out.push(`${arg} valid`);
    else {
      invalid++;
      out.push(`${arg} invalid: ${check.reason}`);
    }
  }
  io.stdout(`${out.join('\n')}\n`);
  return invalid > 0 ? 1 : 0;
}
