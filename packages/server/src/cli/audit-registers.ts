/**
 * `rollcall audit-registers --school URN --from YYYY-MM-DD --to YYYY-MM-DD [--format table|json]`:
 * the register audit (docs/register-audit.md) on the command line. Exit status 0 with no findings,
 * 1 with findings (so a scheduled run can alert), 2 for bad options, 4 for an unknown school.
 */
import { findSchoolByUrn } from '../services/school/schools.js';
import { SYSTEM_ACTOR } from '../services/authz.js';
import type { Deps } from '../services/deps.js';
import { AppError, EXIT_CODE } from '../services/errors.js';
import { FINDING_KINDS, FINDING_TITLES, runRegisterAudit } from '../services/duties/register-audit/register-audit.js';
import type { CliIO } from './io.js';

export interface AuditRegistersArgs {
  school: string;
  from: string;
  to: string;
  format?: string | undefined;
}

export async function runAuditRegisters(args: AuditRegistersArgs, io: CliIO, deps: Deps): Promise<number> {
  const command = 'rollcall audit-registers';
  try {
    const school = await findSchoolByUrn(deps.db, args.school);
    if (!school) throw new AppError('NOT_FOUND', `No school has URN ${args.school}.`);
    const result = await runRegisterAudit(deps, SYSTEM_ACTOR, { schoolId: school.id, from: args.from, to: args.to });
    if ((args.format ?? 'table') === 'json') io.stdout(`${JSON.stringify(result, null, 2)}\n`);
    else {
      const out = [`Register audit: ${result.school.urn} ${result.school.name}, ${result.from} to ${result.asOf}`];
      for (const kind of FINDING_KINDS) out.push(`  ${FINDING_TITLES[kind]}: ${result.counts[kind]}`);
      for (const kind of FINDING_KINDS) {
        const found = result.findings.filter((f) => f.kind === kind);
        if (found.length === 0) continue;
        out.push('', `${FINDING_TITLES[kind]}:`);
        for (const f of found) {
          const when = f.date ? `${f.date}${f.session ? ` ${f.session}` : ''}: ` : '';
          out.push(`  ${when}${f.detail}  ${f.links[0]?.href ?? ''}`.trimEnd());
        }
      }
      io.stdout(`${out.join('\n')}\n`);
    }
    return result.findings.length === 0 ? 0 : 1;
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    io.stderr(`${command}: ${e.message}\n`);
    return EXIT_CODE[e.code];
  }
}
