/**
 * Small, explicit test data: one school, a term, two registration groups and a teaching group,
 * a few pupils, and one account per role. Factories, not fixtures files, so each test reads whole.
 */
import type { PlainDate } from '@rollcall/domain';
import type { Db } from '../src/db/connect.js';
import { fixedClock, type Clock } from '../src/platform/clock.js';
import { createLogger } from '../src/platform/logger.js';
import { loadConfig } from '../src/config/config.js';
import { ROLES, type Actor, type Role } from '../src/services/authz.js';
import type { Deps } from '../src/services/deps.js';
import { AppError } from '../src/services/errors.js';
import { DEFAULT_POLICY } from '../src/services/policy/school-policy.js';
import type { Dialect } from '../src/db/connect.js';
import { updateSessionAuth } from '../src/db/accounts/users.js';
import { hashToken } from '../src/platform/ids.js';

export interface SmallSchool {
  readonly schoolId: string;
  readonly otherSchoolId: string;
  readonly groupA: string;
  readonly groupB: string;
  readonly teachingGroup: string;
  readonly lessonId: string;
  /** Pupils in group A (3) and group B (2). */
  readonly pupilsA: readonly string[];
  readonly pupilsB: readonly string[];
  readonly actors: Readonly<Record<Role, Actor>>;
  /** A teacher of group B only. */
  readonly teacherB: Actor;
  /** A parent of pupilsA[0]. */
  readonly parent: Actor;
}

/** Valid UPNs for test pupils (check letters computed by hand from the DfE algorithm). */
export const TEST_UPNS = ['B801200005001', 'P330450024123', 'L938214325007', 'Q801200005002', 'Y33045002412T'] as const;

let counter = 0;

export async function seedSmallSchool(db: Db, suffix = String(++counter)): Promise<SmallSchool> {
  const s = (x: string): string => `${x}-${suffix}`;
  const schoolId = s('school');
  const otherSchoolId = s('other');
  await db
    .insertInto('trusts')
    .values({ id: s('trust'), name: 'Test Trust' })
    .execute();
  await db
    .insertInto('schools')
    .values([
      {
        id: schoolId,
        urn: s('900001'),
        name: 'Test Primary',
        phase: 'primary',
        la_code: '999',
        la_name: 'Test Borough',
        trust_id: s('trust'),
        policy_json: JSON.stringify(DEFAULT_POLICY),
      },
      {
        id: otherSchoolId,
        urn: s('900002'),
        name: 'Other Primary',
        phase: 'primary',
        la_code: '998',
        la_name: 'Other Borough',
        trust_id: null,
        policy_json: JSON.stringify(DEFAULT_POLICY),
      },
    ])
    .execute();
  await db
    .insertInto('terms')
    .values([
      { id: s('t1'), school_id: schoolId, name: 'Autumn 1', start_date: '2025-09-01', end_date: '2025-10-24' },
      { id: s('t2'), school_id: otherSchoolId, name: 'Autumn 1', start_date: '2025-09-01', end_date: '2025-10-24' },
    ])
    .execute();
  await db
    .insertInto('closures')
    .values({ id: s('c1'), school_id: schoolId, date: '2025-09-26', session: 'ALL', reason: 'INSET' })
    .execute();
  const groupA = s('gA');
  const groupB = s('gB');
  const teachingGroup = s('gT');
  await db
    .insertInto('groups')
    .values([
      { id: groupA, school_id: schoolId, kind: 'registration', name: 'Year 3 Oak', year_group: '3', subject: null },
      { id: groupB, school_id: schoolId, kind: 'registration', name: 'Year 4 Ash', year_group: '4', subject: null },
      { id: teachingGroup, school_id: schoolId, kind: 'teaching', name: '3 Maths', year_group: '3', subject: 'Maths' },
    ])
    .execute();
  const lessonId = s('lesson1');
  await db
    .insertInto('lessons')
    .values({
      id: lessonId,
      school_id: schoolId,
      group_id: teachingGroup,
      weekday: 1,
      period: 'P2',
      starts_at: '10:00',
      ends_at: '11:00',
      session: 'AM',
    })
    .execute();
  const names = [
    ['Alex', 'Able'],
    ['Bea', 'Baker'],
    ['Cal', 'Cole'],
    ['Dee', 'Dale'],
    ['Eli', 'Eady'],
  ] as const;
  const ids: string[] = [];
  for (let i = 0; i < names.length; i++) {
    const id = s(`p${i}`);
    ids.push(id);
    await db
      .insertInto('pupils')
      .values({
        id,
        school_id: schoolId,
        upn: TEST_UPNS[i]!,
        legal_forename: names[i]![0],
        legal_surname: names[i]![1],
        preferred_forename: null,
        preferred_surname: null,
        date_of_birth: '2017-05-01',
        gender: i % 2 ? 'F' : 'M',
        year_group: i < 3 ? '3' : '4',
        reg_group_id: i < 3 ? groupA : groupB,
        admission_date: '2025-09-01',
        leaving_date: null,
        social_worker: i === 0 ? 'Social worker (test)' : null,
        ethnicity: 'WBRI',
        cp: i === 0 ? 1 : 0,
      })
      .execute();
    await db
      .insertInto('group_members')
      .values({ group_id: i < 3 ? groupA : groupB, pupil_id: id })
      .execute();
    if (i < 3) await db.insertInto('group_members').values({ group_id: teachingGroup, pupil_id: id }).execute();
  }
  await db
    .insertInto('contacts')
    .values({
      id: s('contact0'),
      pupil_id: ids[0]!,
      name: 'Parent of Alex',
      relationship: 'Mother',
      parental_responsibility: 1,
      lives_with_pupil: 1,
      priority: 1,
      mobile_phone: '07700 900123',
      home_phone: null,
      work_phone: null,
      email: 'parent@example.org',
    })
    .execute();
  const actors = {} as Record<Role, Actor>;
  for (const role of ROLES) {
    const userId = s(`u-${role}`);
    await db
      .insertInto('users')
      .values({
        id: userId,
        email: `${role}-${suffix}@school.test`,
        display_name: `Test ${role}`,
        password_hash: 'x',
        role,
        school_id: role === 'trust_lead' || role === 'la_officer' ? null : schoolId,
        trust_id: role === 'trust_lead' ? s('trust') : null,
        la_code: role === 'la_officer' ? '999' : null,
        created_at: '2025-09-01T00:00:00.000Z',
      })
      .execute();
    actors[role] = {
      userId,
      name: `Test ${role}`,
      role,
      schoolId: role === 'trust_lead' || role === 'la_officer' ? null : schoolId,
      trustId: role === 'trust_lead' ? s('trust') : null,
      laCode: role === 'la_officer' ? '999' : null,
      groupIds: new Set(role === 'teacher' ? [groupA, teachingGroup] : []),
      pupilIds: new Set(role === 'parent' ? [ids[0]!] : []),
    };
  }
  await db
    .insertInto('group_staff')
    .values([
      { group_id: groupA, user_id: actors.teacher.userId },
      { group_id: teachingGroup, user_id: actors.teacher.userId },
    ])
    .execute();
  const teacherBId = s('u-teacherB');
  await db
    .insertInto('users')
    .values({
      id: teacherBId,
      email: `teacherb-${suffix}@school.test`,
      display_name: 'Test teacher B',
      password_hash: 'x',
      role: 'teacher',
      school_id: schoolId,
      trust_id: null,
      la_code: null,
      created_at: '2025-09-01T00:00:00.000Z',
    })
    .execute();
  await db.insertInto('group_staff').values({ group_id: groupB, user_id: teacherBId }).execute();
  await db
    .insertInto('parent_links')
    .values({ user_id: actors.parent.userId, pupil_id: ids[0]!, contact_id: s('contact0') })
    .execute();
  return {
    schoolId,
    otherSchoolId,
    groupA,
    groupB,
    teachingGroup,
    lessonId,
    pupilsA: ids.slice(0, 3),
    pupilsB: ids.slice(3),
    actors,
    teacherB: { ...actors.teacher, userId: teacherBId, name: 'Test teacher B', groupIds: new Set([groupB]) },
    parent: actors.parent,
  };
}

/** Deps over a test database with a fixed clock (an instant in UTC; London is UTC+1 in September). */
export function testDeps(db: Db, dialect: Dialect, clockOrIso: Clock | string = '2025-09-08T08:00:00Z'): Deps {
  return {
    db,
    dialect,
    clock: typeof clockOrIso === 'string' ? fixedClock(clockOrIso) : clockOrIso,
    logger: createLogger('silent'),
    config: loadConfig({ SQLITE_PATH: ':memory:' }),
  };
}

export const d = (s: string): PlainDate => s as PlainDate;

/** The AppError a promise rejects with; fails the test if it resolves or throws anything else. */
export async function rejection(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected an AppError');
}

/**
 * Settles a session's second factor directly, as if the person had entered their code: for tests
 * of other pages (signing in as roles that must use a second factor). The second step itself is
 * tested through its pages (web/accounts/mfa-routes.test.ts) and in the browser.
 */
export async function passSecondFactor(db: Db, sessionToken: string): Promise<void> {
  await updateSessionAuth(db, hashToken(sessionToken), { mfaPending: null });
}
