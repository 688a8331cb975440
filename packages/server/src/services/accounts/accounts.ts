/**
 * Accounts managed in the browser by a school's administrators (and an installation
 * administrator, one without a school, for every school and for trust and local authority
 * accounts): the list with filters, creating an account with a temporary password, editing the
 * name, role, a teacher's groups and a parent's children, disabling and enabling, and resetting a
 * password. Every read and change is audited; a password never is, nor logged.
 *
 * A temporary password (a new account's, or one reset by an administrator) must be replaced by
 * the person at their next sign-in: until then every page redirects to the password page.
 * Disabling an account or resetting its password ends all its sessions at once.
 */
import type { PupilSummary } from '../../db/pupils/pupils.js';
import { findPupil, searchPupils } from '../../db/pupils/pupils.js';
import { listGroups, type Group } from '../../db/registers/registers.js';
import { findSchool, type School } from '../school/schools.js';
import {
  addParentLink,
  changeStaffGroups,
  childNamesOfUsers,
  childrenOfParent,
  contactWithEmail,
  deleteSessionsOfUser,
  findUser,
  findUserByEmail,
  groupNamesOfUsers,
  listTrusts,
  removeAllLinks,
  removeParentLink,
  searchAccounts,
  setPassword,
  setUserDisabled,
  staffGroupIds,
  updateUserDetails,
  type Child,
  type User,
} from '../../db/accounts/users.js';
import { clearThrottleKeys, forgetDevicesOfUser } from '../../db/accounts/sign-in-throttle.js';
import { hashPassword } from '../../platform/passwords.js';
import { audit } from '../audit.js';
import { createUserAccount, emailKey, newPasswordProblems, normaliseEmail } from './auth.js';
import { can, isRole, ROLE_LABELS, type Actor, type Role } from '../authz.js';
import type { Deps } from '../deps.js';
import { AppError, type FieldError } from '../errors.js';

/** Roles of accounts that belong to one school, in the order they are offered. */
export const SCHOOL_ACCOUNT_ROLES = [
  'teacher',
  'office',
  'attendance_officer',
  'senco',
  'senior_leader',
  'dsl',
  'deputy_dsl',
  'admin',
  'governor',
  'parent',
] as const satisfies readonly Role[];

/** Roles of accounts without a school (only an installation administrator manages them). */
export const WIDE_ACCOUNT_ROLES = ['trust_lead', 'la_officer', 'admin'] as const satisfies readonly Role[];

/** Accounts shown per page of the list. */
export const ACCOUNTS_PAGE_SIZE = 50;

export const CANNOT_DEMOTE_SELF = 'You cannot remove your own administrator role. Ask another administrator to do it.';
export const CANNOT_DISABLE_SELF = 'You cannot disable your own account. Ask another administrator to do it.';
export const CANNOT_RESET_OWN = 'To change your own password, use Change password.';

/** What the accounts pages are about: one school's accounts, or those without a school. */
export type AccountScope = { readonly kind: 'school'; readonly school: School } | { readonly kind: 'wide' };

const FORBIDDEN_MESSAGE = 'You do not have permission to manage these accounts.';

function forbidden(): AppError {
  return new AppError('FORBIDDEN', FORBIDDEN_MESSAGE, { action: 'school.administer' });
}

/** An administrator without a school: every school's accounts, and trust and LA accounts. */
export function isInstallationAdmin(actor: Actor): boolean {
  return actor.role === 'admin' && actor.schoolId === null;
}

function administers(actor: Actor, school: School): boolean {
  return can(actor, 'school.administer', {
    kind: 'school',
    schoolId: school.id,
    trustId: school.trustId,
    laCode: school.laCode,
  });
}

/**
 * The scope the actor asks for: a school they administer (`schoolId`), or (null) the accounts
 * without a school, which only an installation administrator manages.
 */
export async function accountScope(
  deps: Pick<Deps, 'db'>,
  actor: Actor,
  schoolId: string | null,
): Promise<AccountScope> {
  if (schoolId === null) {
    if (!isInstallationAdmin(actor)) throw forbidden();
    return { kind: 'wide' };
  }
  const school = await findSchool(deps.db, schoolId);
  if (!school) throw new AppError('NOT_FOUND', 'No such school.');
  if (!administers(actor, school)) throw forbidden();
  return { kind: 'school', school };
}

/** The account and its school, if the actor may manage it. */
async function managed(
  deps: Pick<Deps, 'db'>,
  actor: Actor,
  userId: string,
): Promise<{ user: User; scope: AccountScope }> {
  if (actor.role !== 'admin') throw forbidden();
  const user = await findUser(deps.db, userId);
  if (!user) throw new AppError('NOT_FOUND', 'No such account.');
  return { user, scope: await accountScope(deps, actor, user.schoolId) };
}

function schoolIdOf(scope: AccountScope): string | null {
  return scope.kind === 'school' ? scope.school.id : null;
}

/** The roles an account in this scope may have. */
export function rolesFor(scope: AccountScope): readonly Role[] {
  return scope.kind === 'school' ? SCHOOL_ACCOUNT_ROLES : WIDE_ACCOUNT_ROLES;
}

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

export interface AccountRow extends User {
  readonly roleLabel: string;
  /** Teachers: the names of their groups. */
  readonly groups: readonly string[];
  /** Parents: their children's names. */
  readonly children: readonly string[];
}

export interface AccountList {
  readonly scope: AccountScope;
  readonly rows: readonly AccountRow[];
  readonly total: number;
  readonly page: number;
  readonly pages: number;
}

export interface AccountListQuery {
  readonly schoolId: string | null;
  readonly role?: string | undefined;
  readonly query?: string | undefined;
  readonly page?: number | undefined;
}

/** A page of the accounts of a school (or without a school), filtered by role and name or email. Audited. */
export async function listAccounts(deps: Deps, actor: Actor, q: AccountListQuery): Promise<AccountList> {
  const scope = await accountScope(deps, actor, q.schoolId);
  const role = q.role && isRole(q.role) ? q.role : undefined;
  const query = (q.query ?? '').trim().slice(0, 200);
  const page = Math.max(1, Math.floor(q.page ?? 1));
  const { users, total } = await searchAccounts(deps.db, {
    schoolId: schoolIdOf(scope),
    role,
    query,
    limit: ACCOUNTS_PAGE_SIZE,
    offset: (page - 1) * ACCOUNTS_PAGE_SIZE,
  });
  const ids = users.map((u) => u.id);
  const [groups, children] = await Promise.all([
    groupNamesOfUsers(
      deps.db,
      users.filter((u) => u.role === 'teacher').map((u) => u.id),
    ),
    childNamesOfUsers(
      deps.db,
      users.filter((u) => u.role === 'parent').map((u) => u.id),
    ),
  ]);
  await audit(deps.db, actor, deps.clock.now(), {
    action: 'user.list',
    entityType: 'user',
    schoolId: schoolIdOf(scope),
    details: { role: role ?? null, query: query || null, page, shown: ids.length },
  });
  return {
    scope,
    rows: users.map((u) => ({
      ...u,
      roleLabel: ROLE_LABELS[u.role],
      groups: groups.get(u.id) ?? [],
      children: children.get(u.id) ?? [],
    })),
    total,
    page,
    pages: Math.max(1, Math.ceil(total / ACCOUNTS_PAGE_SIZE)),
  };
}

export interface AccountDetail {
  readonly user: User;
  readonly roleLabel: string;
  readonly scope: AccountScope;
  /** The school's registration and teaching groups (empty without a school). */
  readonly schoolGroups: readonly Group[];
  /** The groups the account is linked to. */
  readonly groupIds: readonly string[];
  /** A parent's children. */
  readonly children: readonly Child[];
  /** The actor looking is this account. */
  readonly self: boolean;
}

/** One account with its groups and children, for the account's page. Audited. */
export async function getAccount(deps: Deps, actor: Actor, userId: string): Promise<AccountDetail> {
  const { user, scope } = await managed(deps, actor, userId);
  const [schoolGroups, groupIds, children] = await Promise.all([
    scope.kind === 'school' ? listGroups(deps.db, scope.school.id) : Promise.resolve([]),
    staffGroupIds(deps.db, user.id),
    childrenOfParent(deps.db, user.id),
  ]);
  await audit(deps.db, actor, deps.clock.now(), {
    action: 'user.view',
    entityType: 'user',
    entityId: user.id,
    schoolId: user.schoolId,
  });
  return {
    user,
    roleLabel: ROLE_LABELS[user.role],
    scope,
    schoolGroups,
    groupIds,
    children,
    self: user.id === actor.userId,
  };
}

/** The school's groups, for the new-account form (teachers' groups). */
export async function groupsForNewAccount(deps: Pick<Deps, 'db'>, actor: Actor, scope: AccountScope): Promise<Group[]> {
  if (actor.role !== 'admin') throw forbidden();
  return scope.kind === 'school' ? listGroups(deps.db, scope.school.id) : [];
}

/** Every trust, for a new trust lead's account (installation administrators only). */
export async function trustsForNewAccount(
  deps: Pick<Deps, 'db'>,
  actor: Actor,
): Promise<{ id: string; name: string }[]> {
  if (!isInstallationAdmin(actor)) throw forbidden();
  return listTrusts(deps.db);
}

// ---------------------------------------------------------------------------------------------
// Changing
// ---------------------------------------------------------------------------------------------

/** The group ids chosen, each a group of the school; a field error names any that is not. */
function checkGroups(chosen: readonly string[], schoolGroups: readonly Group[], fields: FieldError[]): string[] {
  const known = new Set(schoolGroups.map((g) => g.id));
  const ids = [...new Set(chosen.filter((g) => g !== ''))];
  if (ids.some((g) => !known.has(g))) fields.push({ field: 'groups', message: 'Choose groups of this school' });
  return ids.filter((g) => known.has(g));
}

export interface NewAccountForm {
  /** The school the account belongs to, or null for a trust, LA or installation administrator's account. */
  readonly schoolId: string | null;
  readonly email: string;
  readonly name: string;
  readonly role: string;
  readonly password: string;
  readonly confirmPassword: string;
  /** Teachers: the groups they register or teach. */
  readonly groupIds?: readonly string[];
  readonly trustId?: string | undefined;
  readonly laCode?: string | undefined;
}

/**
 * Creates an account with a temporary password the administrator typed; the person must choose
 * their own at first sign-in. The rules of {@link createUserAccount} apply (email, name, length
 * of the password, who may create which role); a teacher's groups are written with the account.
 */
export async function createAccount(deps: Deps, actor: Actor, input: NewAccountForm): Promise<User> {
  const scope = await accountScope(deps, actor, input.schoolId);
  const schoolGroups = scope.kind === 'school' ? await listGroups(deps.db, scope.school.id) : [];
  let groupIds: string[] = [];
  return createUserAccount(
    deps,
    actor,
    {
      email: input.email,
      name: input.name,
      role: input.role,
      schoolId: schoolIdOf(scope),
      trustId: input.trustId ?? null,
      laCode: input.laCode ?? null,
      password: input.password,
    },
    {
      mustChangePassword: true,
      check: (fields) => {
        if (isRole(input.role) && !rolesFor(scope).includes(input.role))
          fields.push({
            field: 'role',
            message:
              scope.kind === 'school'
                ? 'Choose a role for an account of this school'
                : 'Choose a trust, local authority or administrator role',
          });
        if (input.password !== '' && input.confirmPassword !== input.password)
          fields.push({ field: 'confirmPassword', message: 'The passwords do not match' });
        if (input.role === 'teacher') groupIds = checkGroups(input.groupIds ?? [], schoolGroups, fields);
      },
      andThen: async (trx, user) => {
        if (user.role !== 'teacher' || groupIds.length === 0) return;
        await changeStaffGroups(trx, user.id, groupIds, []);
        await audit(trx, actor, deps.clock.now(), {
          action: 'user.groupsChange',
          entityType: 'user',
          entityId: user.id,
          schoolId: user.schoolId,
          details: { added: groupIds, removed: [] },
        });
      },
    },
  );
}

export interface AccountChanges {
  readonly name: string;
  /** School accounts only; accounts without a school keep their role. */
  readonly role?: string | undefined;
  /** Teachers: the groups they should be linked to (all of them). */
  readonly groupIds?: readonly string[] | undefined;
}

/**
 * Changes an account's name, role (school accounts, to another school role) and a teacher's
 * groups. A teacher who becomes something else loses their groups; a parent, their children.
 * An administrator cannot remove their own administrator role.
 */
export async function updateAccount(deps: Deps, actor: Actor, userId: string, input: AccountChanges): Promise<User> {
  const { user, scope } = await managed(deps, actor, userId);
  const fields: FieldError[] = [];
  const name = input.name.trim();
  if (name === '') fields.push({ field: 'name', message: 'Enter the person’s name' });
  else if (name.length > 200) fields.push({ field: 'name', message: 'Name must be 200 characters or fewer' });
  let role: Role = user.role;
  if (scope.kind === 'school' && input.role !== undefined && input.role !== user.role) {
    if (!isRole(input.role) || !rolesFor(scope).includes(input.role))
      fields.push({ field: 'role', message: 'Choose a role for an account of this school' });
    else role = input.role;
  }
  if (user.id === actor.userId && user.role === 'admin' && role !== 'admin')
    fields.push({ field: 'role', message: CANNOT_DEMOTE_SELF });
  const schoolGroups = scope.kind === 'school' ? await listGroups(deps.db, scope.school.id) : [];
  const wanted = role === 'teacher' ? checkGroups(input.groupIds ?? [], schoolGroups, fields) : [];
  if (fields.length > 0) throw new AppError('VALIDATION', 'The account details are not valid.', { fields });

  const at = deps.clock.now();
  return deps.db.transaction().execute(async (trx) => {
    const had = await staffGroupIds(trx, user.id);
    const changes: Record<string, unknown> = {};
    if (name !== user.name) changes['name'] = { from: user.name, to: name };
    if (role !== user.role) changes['role'] = { from: user.role, to: role };
    if (Object.keys(changes).length > 0) await updateUserDetails(trx, user.id, { name, role });
    if (role !== user.role && (user.role === 'teacher' || user.role === 'parent')) {
      // A role without groups or children: the old links would only mislead.
      await removeAllLinks(trx, user.id);
      if (user.role === 'teacher' && had.length > 0) changes['groupsRemoved'] = had;
      if (user.role === 'parent') changes['childrenRemoved'] = true;
    }
    if (role === 'teacher') {
      const current = role === user.role ? had : [];
      const added = wanted.filter((g) => !current.includes(g));
      const removed = current.filter((g) => !wanted.includes(g));
      if (added.length > 0 || removed.length > 0) {
        await changeStaffGroups(trx, user.id, added, removed);
        changes['groups'] = { added, removed };
      }
    }
    if (Object.keys(changes).length > 0)
      await audit(trx, actor, at, {
        action: 'user.update',
        entityType: 'user',
        entityId: user.id,
        schoolId: user.schoolId,
        details: changes,
      });
    return { ...user, name, role };
  });
}

/**
 * Disables an account (it cannot sign in, and every session of it ends at once) or enables it
 * again. API keys are separate and unaffected. An administrator cannot disable themselves.
 */
export async function setAccountDisabled(
  deps: Deps,
  actor: Actor,
  userId: string,
  disabled: boolean,
): Promise<{ sessionsEnded: number }> {
  const { user } = await managed(deps, actor, userId);
  if (disabled && user.id === actor.userId)
    throw new AppError('VALIDATION', CANNOT_DISABLE_SELF, {
      fields: [{ field: 'disable', message: CANNOT_DISABLE_SELF }],
    });
  const at = deps.clock.now();
  return deps.db.transaction().execute(async (trx) => {
    await setUserDisabled(trx, user.id, disabled);
    const sessionsEnded = disabled ? await deleteSessionsOfUser(trx, user.id) : 0;
    await audit(trx, actor, at, {
      action: disabled ? 'user.disable' : 'user.enable',
      entityType: 'user',
      entityId: user.id,
      schoolId: user.schoolId,
      details: disabled ? { sessionsEnded } : {},
    });
    return { sessionsEnded };
  });
}

/**
 * Sets a temporary password the administrator typed: every session of the account ends, and the
 * person must choose their own at next sign-in. A sign-in lock on the account is lifted.
 * Administrators change their own password on the password page instead.
 */
export async function resetAccountPassword(
  deps: Deps,
  actor: Actor,
  userId: string,
  input: { password: string; confirmPassword: string },
): Promise<{ sessionsEnded: number }> {
  const { user } = await managed(deps, actor, userId);
  if (user.id === actor.userId)
    throw new AppError('VALIDATION', CANNOT_RESET_OWN, { fields: [{ field: 'password', message: CANNOT_RESET_OWN }] });
  const fields = newPasswordProblems(input.password, input.confirmPassword, {
    password: 'password',
    confirm: 'confirmPassword',
  });
  if (fields.length > 0) throw new AppError('VALIDATION', 'The password is not valid.', { fields });
  const passwordHash = await hashPassword(input.password);
  const at = deps.clock.now();
  return deps.db.transaction().execute(async (trx) => {
    await setPassword(trx, user.id, { passwordHash, mustChange: true, at });
    const sessionsEnded = await deleteSessionsOfUser(trx, user.id);
    await clearThrottleKeys(trx, [emailKey(user.email)]);
    // A device that signed in with the old password is no longer trusted to skip the delays.
    await forgetDevicesOfUser(trx, user.id);
    await audit(trx, actor, at, {
      action: 'user.passwordReset',
      entityType: 'user',
      entityId: user.id,
      schoolId: user.schoolId,
      details: { sessionsEnded },
    });
    return { sessionsEnded };
  });
}

async function managedParent(deps: Deps, actor: Actor, userId: string): Promise<{ user: User; school: School }> {
  const { user, scope } = await managed(deps, actor, userId);
  if (user.role !== 'parent' || scope.kind !== 'school')
    throw new AppError('VALIDATION', 'Only a parent’s account has children.');
  return { user, school: scope.school };
}

/** Pupils of the parent's school matching a name or UPN, to link as children. Audited. */
export async function findChildrenToLink(
  deps: Deps,
  actor: Actor,
  userId: string,
  query: string,
): Promise<PupilSummary[]> {
  const { user, school } = await managedParent(deps, actor, userId);
  const q = query.trim().slice(0, 100);
  if (q === '') return [];
  const found = await searchPupils(deps.db, school.id, q, 30);
  await audit(deps.db, actor, deps.clock.now(), {
    action: 'user.childSearch',
    entityType: 'user',
    entityId: user.id,
    schoolId: school.id,
    details: { query: q, found: found.length },
  });
  return found;
}

/**
 * Links a parent's account to a child of the school, through the child's contact with the
 * parent's email address when there is one (as the contacts import keeps it).
 */
export async function linkChild(deps: Deps, actor: Actor, userId: string, pupilId: string): Promise<void> {
  const { user, school } = await managedParent(deps, actor, userId);
  const pupil = await findPupil(deps.db, pupilId);
  if (!pupil || pupil.schoolId !== school.id) throw new AppError('PUPIL_NOT_FOUND', 'No such pupil at this school.');
  const at = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    const contactId = await contactWithEmail(trx, pupil.id, user.email);
    await addParentLink(trx, { userId: user.id, pupilId: pupil.id, contactId });
    await audit(trx, actor, at, {
      action: 'user.linkChild',
      entityType: 'user',
      entityId: user.id,
      pupilId: pupil.id,
      schoolId: school.id,
      details: { throughContact: contactId !== null },
    });
  });
}

export async function unlinkChild(deps: Deps, actor: Actor, userId: string, pupilId: string): Promise<void> {
  const { user, school } = await managedParent(deps, actor, userId);
  const at = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    const removed = await removeParentLink(trx, user.id, pupilId);
    if (removed === 0) throw new AppError('NOT_FOUND', 'This child is not linked to the account.');
    await audit(trx, actor, at, {
      action: 'user.unlinkChild',
      entityType: 'user',
      entityId: user.id,
      pupilId,
      schoolId: school.id,
    });
  });
}

/**
 * The account with this email, for an administrator who may manage it (`rollcall users
 * reset-password|disable|enable` find the account this way, acting as the system). A NOT_FOUND
 * names the (normalised) email.
 */
export async function findAccountByEmail(deps: Pick<Deps, 'db'>, actor: Actor, email: string): Promise<User> {
  if (actor.role !== 'admin') throw forbidden();
  const normalised = normaliseEmail(email);
  const user = await findUserByEmail(deps.db, normalised);
  if (!user) throw new AppError('NOT_FOUND', `No account with the email address ${normalised}.`);
  await accountScope(deps, actor, user.schoolId);
  return user;
}
