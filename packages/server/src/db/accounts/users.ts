/**
 * Long on purpose: every query about accounts and sessions; the only reads of password
 * hashes stay in one module that can be reviewed whole.
 *
 * Accounts and what goes with signing in: users, the actor a user acts as, stored sessions and
 * failed sign-in attempts. `findUserForSignIn` and `findPasswordHash` are the only functions
 * that read a password hash. Sign-in throttling and known devices are in db/accounts/sign-in-throttle.ts.
 */
import { sql } from 'kysely';
import { containsPattern, lowerLike } from '../like.js';
import { isRole, ROLES, type Actor, type Role } from './roles.js';
import type { DbOrTrx } from '../connect.js';
import { gathered, prepared } from '../prepared.js';

export interface User {
  readonly id: string;
  /** Lower-case. */
  readonly email: string;
  readonly name: string;
  readonly role: Role;
  readonly schoolId: string | null;
  readonly trustId: string | null;
  readonly laCode: string | null;
  readonly disabled: boolean;
  readonly createdAt: string;
  /** The password was set by an administrator: the person must choose their own before anything else. */
  readonly mustChangePassword: boolean;
}

export interface NewUser {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly passwordHash: string;
  readonly role: Role;
  readonly schoolId: string | null;
  readonly trustId: string | null;
  readonly laCode: string | null;
  readonly createdAt: string;
  /** Set by an administrator in the browser: the person must choose their own password first. */
  readonly mustChangePassword?: boolean;
}

/** Every column but the password hash. */
const USER_COLUMNS = [
  'id',
  'email',
  'display_name',
  'role',
  'school_id',
  'trust_id',
  'la_code',
  'disabled',
  'created_at',
  'must_change_password',
] as const;

interface UserRow {
  id: string;
  email: string;
  display_name: string;
  role: string;
  school_id: string | null;
  trust_id: string | null;
  la_code: string | null;
  disabled: number;
  created_at: string;
  must_change_password: number;
}

/** A row whose role is not one we know maps to undefined: such an account cannot act. */
function toUser(r: UserRow): User | undefined {
  if (!isRole(r.role)) return undefined;
  return {
    id: r.id,
    email: r.email,
    name: r.display_name,
    role: r.role,
    schoolId: r.school_id,
    trustId: r.trust_id,
    laCode: r.la_code,
    disabled: Number(r.disabled) === 1,
    createdAt: r.created_at,
    mustChangePassword: Number(r.must_change_password) === 1,
  };
}

export async function createUser(db: DbOrTrx, u: NewUser): Promise<User> {
  await db
    .insertInto('users')
    .values({
      id: u.id,
      email: u.email,
      display_name: u.name,
      password_hash: u.passwordHash,
      role: u.role,
      school_id: u.schoolId,
      trust_id: u.trustId,
      la_code: u.laCode,
      disabled: 0,
      created_at: u.createdAt,
      must_change_password: u.mustChangePassword ? 1 : 0,
      password_changed_at: u.createdAt,
    })
    .execute();
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    schoolId: u.schoolId,
    trustId: u.trustId,
    laCode: u.laCode,
    disabled: false,
    createdAt: u.createdAt,
    mustChangePassword: u.mustChangePassword ?? false,
  };
}

export async function findUser(db: DbOrTrx, id: string): Promise<User | undefined> {
  const r = await db.selectFrom('users').select(USER_COLUMNS).where('id', '=', id).executeTakeFirst();
  return r ? toUser(r) : undefined;
}

/** The account with this (already normalised) email, whatever its state; never its password hash. */
export async function findUserByEmail(db: DbOrTrx, email: string): Promise<User | undefined> {
  const r = await db.selectFrom('users').select(USER_COLUMNS).where('email', '=', email).executeTakeFirst();
  return r ? toUser(r) : undefined;
}

/** Whether an account with this (already normalised) email exists, whatever its state. */
export async function emailTaken(db: DbOrTrx, email: string): Promise<boolean> {
  const r = await db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
  return r !== undefined;
}

/**
 * The account and its password hash, for checking a password. The email must already be
 * normalised (trimmed, lower-case). The only reader of `password_hash`.
 */
export async function findUserForSignIn(
  db: DbOrTrx,
  email: string,
): Promise<{ user: User; passwordHash: string } | undefined> {
  const r = await db
    .selectFrom('users')
    .select([...USER_COLUMNS, 'password_hash'])
    .where('email', '=', email)
    .executeTakeFirst();
  if (!r) return undefined;
  const user = toUser(r);
  return user ? { user, passwordHash: r.password_hash } : undefined;
}

/**
 * The actor a user acts as: teachers with the groups they are linked to, parents with their
 * children. Undefined for a missing or disabled account, or one with an unknown role.
 */
export async function getActor(db: DbOrTrx, userId: string): Promise<Actor | undefined> {
  const user = await findUser(db, userId);
  if (!user || user.disabled) return undefined;
  const groupIds =
    user.role === 'teacher'
      ? (await db.selectFrom('group_staff').select('group_id').where('user_id', '=', userId).execute()).map(
          (r) => r.group_id,
        )
      : [];
  // A link through a contact marked "no contact" or with a court order gives no access to the child.
  const pupilIds =
    user.role === 'parent'
      ? (
          await db
            .selectFrom('parent_links')
            .leftJoin('contacts', 'contacts.id', 'parent_links.contact_id')
            .select('parent_links.pupil_id')
            .where('parent_links.user_id', '=', userId)
            .where('contacts.restriction', 'is', null)
            .execute()
        ).map((r) => r.pupil_id)
      : [];
  return actorOf(user, new Set(groupIds), new Set(pupilIds));
}

function actorOf(user: User, groupIds: Set<string>, pupilIds: Set<string>): Actor {
  return {
    userId: user.id,
    name: user.name,
    role: user.role,
    schoolId: user.schoolId,
    trustId: user.trustId,
    laCode: user.laCode,
    groupIds,
    pupilIds,
  };
}

/** The accounts of a school, by name. */
export async function listUsers(db: DbOrTrx, schoolId: string): Promise<User[]> {
  const rows = await db
    .selectFrom('users')
    .select(USER_COLUMNS)
    .where('school_id', '=', schoolId)
    .orderBy('display_name')
    .orderBy('email')
    .execute();
  return rows.map(toUser).filter((u): u is User => u !== undefined);
}

export async function trustExists(db: DbOrTrx, trustId: string): Promise<boolean> {
  const r = await db.selectFrom('trusts').select('id').where('id', '=', trustId).executeTakeFirst();
  return r !== undefined;
}

/** Every trust, by name (for choosing a trust lead's trust). */
export async function listTrusts(db: DbOrTrx): Promise<{ id: string; name: string }[]> {
  return db.selectFrom('trusts').select(['id', 'name']).orderBy('name').execute();
}

export interface Child {
  readonly pupilId: string;
  readonly forename: string;
  readonly surname: string;
  readonly yearGroup: string | null;
}

/** A parent's children (preferred names when given), by surname then forename. */
export async function childrenOfParent(db: DbOrTrx, userId: string): Promise<Child[]> {
  const rows = await db
    .selectFrom('parent_links')
    .innerJoin('pupils', 'pupils.id', 'parent_links.pupil_id')
    .select([
      'pupils.id',
      'pupils.legal_forename',
      'pupils.legal_surname',
      'pupils.preferred_forename',
      'pupils.preferred_surname',
      'pupils.year_group',
    ])
    .where('parent_links.user_id', '=', userId)
    .execute();
  return rows
    .map((r) => ({
      pupilId: r.id,
      forename: r.preferred_forename ?? r.legal_forename,
      surname: r.preferred_surname ?? r.legal_surname,
      yearGroup: r.year_group,
    }))
    .sort((a, b) => a.surname.localeCompare(b.surname) || a.forename.localeCompare(b.forename));
}

// ---------------------------------------------------------------------------------------------
// Sessions: stored by the SHA-256 of the cookie token, never the token itself.
// ---------------------------------------------------------------------------------------------

export interface StoredSession {
  /** SHA-256 of the cookie token. */
  readonly id: string;
  readonly userId: string;
  readonly csrfToken: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  /** What the session still owes: a second factor ('verify') or setting one up ('enrol'); null when nothing. */
  readonly mfaPending?: 'verify' | 'enrol' | null;
  /** When the person last proved who they are in this session. */
  readonly authenticatedAt?: string | null;
}

function mfaPendingOf(v: string | null | undefined): 'verify' | 'enrol' | null {
  return v === 'verify' || v === 'enrol' ? v : null;
}

export async function insertSession(db: DbOrTrx, s: StoredSession): Promise<void> {
  await db
    .insertInto('auth_sessions')
    .values({
      id: s.id,
      user_id: s.userId,
      csrf_token: s.csrfToken,
      created_at: s.createdAt,
      expires_at: s.expiresAt,
      mfa_pending: s.mfaPending ?? null,
      authenticated_at: s.authenticatedAt ?? s.createdAt,
    })
    .execute();
}

/** Records what a session still owes (null: nothing) and, when given, that the person proved who they are now. */
export async function updateSessionAuth(
  db: DbOrTrx,
  id: string,
  p: { mfaPending: 'verify' | 'enrol' | null; authenticatedAt?: string },
): Promise<void> {
  await db
    .updateTable('auth_sessions')
    .set({
      mfa_pending: p.mfaPending,
      ...(p.authenticatedAt ? { authenticated_at: p.authenticatedAt } : {}),
    })
    .where('id', '=', id)
    .execute();
}

/** Records when the person last proved who they are in this session (re-authentication). */
export async function touchSessionAuthenticated(db: DbOrTrx, id: string, at: string): Promise<void> {
  await db.updateTable('auth_sessions').set({ authenticated_at: at }).where('id', '=', id).execute();
}

/** A WebAuthn challenge issued to a session (null clears it), and reading it back. */
export async function setSessionChallenge(db: DbOrTrx, id: string, challenge: string | null): Promise<void> {
  await db.updateTable('auth_sessions').set({ challenge }).where('id', '=', id).execute();
}
export async function sessionChallenge(db: DbOrTrx, id: string): Promise<string | null> {
  const r = await db.selectFrom('auth_sessions').select('challenge').where('id', '=', id).executeTakeFirst();
  return r?.challenge ?? null;
}

export async function findSession(db: DbOrTrx, id: string): Promise<StoredSession | undefined> {
  const r = await db
    .selectFrom('auth_sessions')
    .select(['id', 'user_id', 'csrf_token', 'created_at', 'expires_at', 'mfa_pending', 'authenticated_at'])
    .where('id', '=', id)
    .executeTakeFirst();
  return r
    ? {
        id: r.id,
        userId: r.user_id,
        csrfToken: r.csrf_token,
        createdAt: r.created_at,
        expiresAt: r.expires_at,
        mfaPending: mfaPendingOf(r.mfa_pending),
        authenticatedAt: r.authenticated_at,
      }
    : undefined;
}

/** A session, its account and a teacher's groups or a parent's children, for the sessions chosen after it. */
function sessionsWithActor(db: DbOrTrx) {
  return db
    .selectFrom('auth_sessions as s')
    .leftJoin('users as u', 'u.id', 's.user_id')
    .leftJoin('group_staff as gs', (j) => j.onRef('gs.user_id', '=', 'u.id').on('u.role', '=', 'teacher'))
    .leftJoin('parent_links as pl', (j) =>
      j
        .onRef('pl.user_id', '=', 'u.id')
        .on('u.role', '=', 'parent')
        // A link through a contact marked "no contact" or with a court order gives no access.
        .on((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom('contacts as rc')
                .select('rc.id')
                .whereRef('rc.id', '=', 'pl.contact_id')
                .where('rc.restriction', 'is not', null),
            ),
          ),
        ),
    )
    .select([
      's.id as session_id',
      's.user_id',
      's.csrf_token',
      's.created_at as session_created_at',
      's.expires_at',
      's.mfa_pending',
      's.authenticated_at',
      'u.id',
      'u.email',
      'u.display_name',
      'u.role',
      'u.school_id',
      'u.trust_id',
      'u.la_code',
      'u.disabled',
      'u.created_at',
      'u.must_change_password',
      'gs.group_id',
      'pl.pupil_id',
    ]);
}

/**
 * Every signed-in request runs it: built once per database (db/prepared.ts), and on PostgreSQL
 * the requests of one turn share one statement (`gathered`).
 */
const sessionWithActorQuery = prepared((db, args: { id: string }) => sessionsWithActor(db).where('s.id', '=', args.id));
const sessionsWithActorQuery = prepared((db, args: { id: readonly string[] }) =>
  sessionsWithActor(db).where('s.id', '=', sql<string>`any(${args.id}::text[])`),
);
const sessionWithActorRows = gathered({
  one: sessionWithActorQuery,
  many: sessionsWithActorQuery,
  keyOf: (p) => p.id,
  rowKey: (r) => r.session_id,
});

/**
 * A session with the actor it signs in, in one query (every request asks): the session, its
 * account, and a teacher's groups or a parent's children as extra rows. Undefined when there is
 * no such session; `actor` undefined when the account is missing, disabled or of an unknown role.
 * `mustChangePassword`: the account's password was set by an administrator and the person has
 * not chosen their own yet (every page but the password page is held back).
 */
export async function findSessionWithActor(
  db: DbOrTrx,
  id: string,
): Promise<{ session: StoredSession; actor: Actor | undefined; mustChangePassword: boolean } | undefined> {
  const rows = await sessionWithActorRows(db, { id });
  const first = rows[0];
  if (!first) return undefined;
  const session: StoredSession = {
    id: first.session_id,
    userId: first.user_id,
    csrfToken: first.csrf_token,
    createdAt: first.session_created_at,
    expiresAt: first.expires_at,
    mfaPending: mfaPendingOf(first.mfa_pending),
    authenticatedAt: first.authenticated_at,
  };
  const user =
    first.id === null || first.email === null || first.display_name === null || first.role === null
      ? undefined
      : toUser({
          id: first.id,
          email: first.email,
          display_name: first.display_name,
          role: first.role,
          school_id: first.school_id,
          trust_id: first.trust_id,
          la_code: first.la_code,
          disabled: Number(first.disabled),
          created_at: first.created_at ?? '',
          must_change_password: Number(first.must_change_password),
        });
  if (!user || user.disabled) return { session, actor: undefined, mustChangePassword: false };
  const groupIds = new Set<string>();
  const pupilIds = new Set<string>();
  for (const r of rows) {
    if (r.group_id !== null) groupIds.add(r.group_id);
    if (r.pupil_id !== null) pupilIds.add(r.pupil_id);
  }
  return { session, actor: actorOf(user, groupIds, pupilIds), mustChangePassword: user.mustChangePassword };
}

export async function deleteSession(db: DbOrTrx, id: string): Promise<void> {
  await db.deleteFrom('auth_sessions').where('id', '=', id).execute();
}

/** Removes sessions that expired at or before `now` (housekeeping); returns how many. */
export async function deleteExpiredSessions(db: DbOrTrx, now: string): Promise<number> {
  const r = await db.deleteFrom('auth_sessions').where('expires_at', '<=', now).executeTakeFirst();
  return Number(r.numDeletedRows);
}

// ---------------------------------------------------------------------------------------------
// Account management: passwords, disabling, a teacher's groups and a parent's children.
// ---------------------------------------------------------------------------------------------

/** The password hash of an account (to check a current password), or undefined. */
export async function findPasswordHash(db: DbOrTrx, userId: string): Promise<string | undefined> {
  const r = await db.selectFrom('users').select('password_hash').where('id', '=', userId).executeTakeFirst();
  return r?.password_hash;
}

/** Sets an account's password hash, and whether the person must choose their own at next sign-in. */
export async function setPassword(
  db: DbOrTrx,
  userId: string,
  p: { passwordHash: string; mustChange: boolean; at: string },
): Promise<void> {
  await db
    .updateTable('users')
    .set({ password_hash: p.passwordHash, must_change_password: p.mustChange ? 1 : 0, password_changed_at: p.at })
    .where('id', '=', userId)
    .execute();
}

/** Ends every session of an account, but the one kept (its id, the token's hash); returns how many. */
export async function deleteSessionsOfUser(db: DbOrTrx, userId: string, keepSessionId?: string): Promise<number> {
  let q = db.deleteFrom('auth_sessions').where('user_id', '=', userId);
  if (keepSessionId !== undefined) q = q.where('id', '<>', keepSessionId);
  const r = await q.executeTakeFirst();
  return Number(r.numDeletedRows);
}

export async function setUserDisabled(db: DbOrTrx, userId: string, disabled: boolean): Promise<void> {
  await db
    .updateTable('users')
    .set({ disabled: disabled ? 1 : 0 })
    .where('id', '=', userId)
    .execute();
}

export async function updateUserDetails(db: DbOrTrx, userId: string, d: { name: string; role: Role }): Promise<void> {
  await db.updateTable('users').set({ display_name: d.name, role: d.role }).where('id', '=', userId).execute();
}

/** The group ids a member of staff is linked to. */
export async function staffGroupIds(db: DbOrTrx, userId: string): Promise<string[]> {
  const rows = await db.selectFrom('group_staff').select('group_id').where('user_id', '=', userId).execute();
  return rows.map((r) => r.group_id);
}

/** Links a member of staff to groups and unlinks them from others. */
export async function changeStaffGroups(
  db: DbOrTrx,
  userId: string,
  added: readonly string[],
  removed: readonly string[],
): Promise<void> {
  if (removed.length > 0)
    await db.deleteFrom('group_staff').where('user_id', '=', userId).where('group_id', 'in', removed).execute();
  for (const groupId of added)
    await db.insertInto('group_staff').values({ group_id: groupId, user_id: userId }).execute();
}

/** Removes every group of a member of staff and every child of a parent (when a role changes). */
export async function removeAllLinks(db: DbOrTrx, userId: string): Promise<void> {
  await db.deleteFrom('group_staff').where('user_id', '=', userId).execute();
  await db.deleteFrom('parent_links').where('user_id', '=', userId).execute();
}

/**
 * The contact of a pupil whose email is this (normalised) email, the first by priority: a
 * parent account is linked to a child through it, as the contacts import does.
 */
export async function contactWithEmail(db: DbOrTrx, pupilId: string, email: string): Promise<string | null> {
  const r = await db
    .selectFrom('contacts')
    .select('id')
    .where('pupil_id', '=', pupilId)
    .where((eb) => eb(eb.fn('lower', [eb.fn('trim', ['email'])]), '=', email))
    .orderBy('priority')
    .orderBy('id')
    .executeTakeFirst();
  return r?.id ?? null;
}

export async function addParentLink(
  db: DbOrTrx,
  link: { userId: string; pupilId: string; contactId: string | null },
): Promise<void> {
  await db
    .insertInto('parent_links')
    .values({ user_id: link.userId, pupil_id: link.pupilId, contact_id: link.contactId })
    .onConflict((oc) => oc.columns(['user_id', 'pupil_id']).doNothing())
    .execute();
}

export async function removeParentLink(db: DbOrTrx, userId: string, pupilId: string): Promise<number> {
  const r = await db
    .deleteFrom('parent_links')
    .where('user_id', '=', userId)
    .where('pupil_id', '=', pupilId)
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

export interface AccountFilter {
  /** A school's accounts, or (null) accounts without a school: trust, LA and installation administrators. */
  readonly schoolId: string | null;
  readonly role?: Role | undefined;
  /** Part of the name or the email address, any case. */
  readonly query?: string | undefined;
  readonly limit: number;
  readonly offset: number;
}

/** A page of accounts matching the filter, by name, and how many match in all. */
export async function searchAccounts(db: DbOrTrx, f: AccountFilter): Promise<{ users: User[]; total: number }> {
  // Accounts of a role we do not know cannot act (see toUser), and are neither shown nor counted.
  let q = db.selectFrom('users').where('role', 'in', ROLES);
  q = f.schoolId === null ? q.where('school_id', 'is', null) : q.where('school_id', '=', f.schoolId);
  if (f.role) q = q.where('role', '=', f.role);
  const text = (f.query ?? '').trim().toLowerCase();
  if (text !== '') {
    // `%` and `_` are matched as typed (escaped), not as wildcards.
    const like = containsPattern(text);
    q = q.where((eb) => eb.or([lowerLike('display_name', like), lowerLike('email', like)]));
  }
  const [rows, count] = await Promise.all([
    q.select(USER_COLUMNS).orderBy('display_name').orderBy('email').limit(f.limit).offset(f.offset).execute(),
    q.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { users: rows.map(toUser).filter((u): u is User => u !== undefined), total: Number(count.n) };
}

/** The names of the groups each of these staff is linked to, by name. */
export async function groupNamesOfUsers(db: DbOrTrx, userIds: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (userIds.length === 0) return out;
  const rows = await db
    .selectFrom('group_staff')
    .innerJoin('groups', 'groups.id', 'group_staff.group_id')
    .select(['group_staff.user_id', 'groups.name'])
    .where('group_staff.user_id', 'in', userIds)
    .orderBy('groups.name')
    .execute();
  for (const r of rows) out.set(r.user_id, [...(out.get(r.user_id) ?? []), r.name]);
  return out;
}

/** The names of each of these parents' children ("Forename Surname"), by surname. */
export async function childNamesOfUsers(db: DbOrTrx, userIds: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (userIds.length === 0) return out;
  const rows = await db
    .selectFrom('parent_links')
    .innerJoin('pupils', 'pupils.id', 'parent_links.pupil_id')
    .select([
      'parent_links.user_id',
      'pupils.legal_forename',
      'pupils.legal_surname',
      'pupils.preferred_forename',
      'pupils.preferred_surname',
    ])
    .where('parent_links.user_id', 'in', userIds)
    .orderBy('pupils.legal_surname')
    .orderBy('pupils.legal_forename')
    .execute();
  for (const r of rows) {
    const name = `${r.preferred_forename ?? r.legal_forename} ${r.preferred_surname ?? r.legal_surname}`;
    out.set(r.user_id, [...(out.get(r.user_id) ?? []), name]);
  }
  return out;
}
