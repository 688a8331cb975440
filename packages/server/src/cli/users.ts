/**
 * `rollcall users create`: an account made by the system (the first administrator, trust and LA
 * accounts). `rollcall users reset-password` and `users disable|enable`: what an operator does
 * when nobody can sign in as an administrator (the only administrator forgot their password or
 * left), the same rules as the accounts pages (services/accounts/accounts.ts), acting as the system.
 */
import { findSchoolByUrn } from '../services/school/schools.js';
import { findAccountByEmail, resetAccountPassword, setAccountDisabled } from '../services/accounts/accounts.js';
import { createUserAccount } from '../services/accounts/auth.js';
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
    return report('create', e, io);
  }
}

function report(command: string, e: unknown, io: Pick<CliIO, 'stderr'>): number {
  if (!(e instanceof AppError)) throw e;
  io.stderr(`rollcall users ${command}: ${e.message}\n`);
  for (const f of e.details.fields ?? []) io.stderr(`  ${f.field}: ${f.message}\n`);
  if (e.details.fields?.some((f) => f.field === 'role')) io.stderr(`  roles: ${ROLES.join(', ')}\n`);
  return EXIT_CODE[e.code];
}

/**
 * Sets a temporary password (read from standard input by the caller): every session of the
 * account ends, any sign-in lock is lifted, and the person must choose their own password at
 * their next sign-in. Prints what was done, never the password.
 */
export async function usersResetPasswordCommand(
  deps: Deps,
  opts: { readonly email: string; readonly password: string },
  io: Pick<CliIO, 'stdout' | 'stderr'>,
): Promise<number> {
  try {
    const user = await findAccountByEmail(deps, SYSTEM_ACTOR, opts.email);
    const { sessionsEnded } = await resetAccountPassword(deps, SYSTEM_ACTOR, user.id, {
      password: opts.password,
      confirmPassword: opts.password,
    });
    io.stdout(
      `Set a temporary password for ${user.email} (${user.role}); ${sessionsEnded} session(s) ended. ` +
        'They must choose their own at their next sign-in.\n',
    );
    return 0;
  } catch (e) {
    return report('reset-password', e, io);
  }
}

/** Disables an account (it cannot sign in; every session ends at once) or enables it again. */
export async function usersSetDisabledCommand(
  deps: Deps,
  opts: { readonly email: string; readonly disabled: boolean },
  io: Pick<CliIO, 'stdout' | 'stderr'>,
): Promise<number> {
  const command = opts.disabled ? 'disable' : 'enable';
  try {
    const user = await findAccountByEmail(deps, SYSTEM_ACTOR, opts.email);
    const { sessionsEnded } = await setAccountDisabled(deps, SYSTEM_ACTOR, user.id, opts.disabled);
    io.stdout(
      opts.disabled
        ? `Disabled ${user.email} (${user.role}); ${sessionsEnded} session(s) ended.\n`
        : `Enabled ${user.email} (${user.role}): they can sign in again with their password.\n`,
    );
    return 0;
  } catch (e) {
    return report(command, e, io);
  }
}
