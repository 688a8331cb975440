/** `rollcall users create`: an account made by the system (the first administrator, trust and LA accounts). */
import { findSchoolByUrn } from '../db/repositories/schools.js';
import { createUserAccount } from '../services/auth.js';
import { ROLES, SYSTEM_ACTOR } from '../services/authz.js';
import type { Deps } from '../services/deps.js';
import { AppError, EXIT_CODE } from '../services/errors.js';
import type { CliIO } from './io.js';

export interface UsersCreateOptions {
  readonly email: string;
  readonly name: string;
  readonly role: string;
  /** The school's URN, for school roles (and optionally an administrator). */
  readonly schoolUrn?: string | undefined;
  readonly trustId?: string | undefined;
  readonly laCode?: string | undefined;
  /** Read by the caller from `--password-stdin` or a prompt; never from an argument. */
  readonly password: string;
}

/** Creates the account; prints what was created (never the password) and resolves to the exit code. */
export async function usersCreateCommand(
  deps: Deps,
  opts: UsersCreateOptions,
  io: Pick<CliIO, 'stdout' | 'stderr'>,
): Promise<number> {
  try {
    let schoolId: string | undefined;
    if (opts.schoolUrn !== undefined && opts.schoolUrn !== '') {
      const school = await findSchoolByUrn(deps.db, opts.schoolUrn.trim());
      if (!school) throw new AppError('NOT_FOUND', `No school with URN ${opts.schoolUrn}.`);
      schoolId = school.id;
    }
    const user = await createUserAccount(deps, SYSTEM_ACTOR, {
      email: opts.email,
      name: opts.name,
      role: opts.role,
      schoolId,
      trustId: opts.trustId,
      laCode: opts.laCode,
      password: opts.password,
    });
    io.stdout(`Created ${user.role} account ${user.email} (id ${user.id})\n`);
    return 0;
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    io.stderr(`rollcall users create: ${e.message}\n`);
    for (const f of e.details.fields ?? []) io.stderr(`  ${f.field}: ${f.message}\n`);
    if (e.details.fields?.some((f) => f.field === 'role')) io.stderr(`  roles: ${ROLES.join(', ')}\n`);
    return EXIT_CODE[e.code];
  }
}
