/**
 * The home page's content: where each role starts. A teacher sees today's registers for their
 * groups, the office the board and the office desk, attendance leads the board and pupil search,
 * governors aggregated figures, trust and local authority roles their schools, parents their
 * children, administrators the school's accounts (http/home-routes.ts renders it).
 */
import type { PlainDate } from '@rollcall/domain';
import { groupsOfStaff, type Group } from '../db/registers/registers.js';
import { findSchool, listSchools, type School } from './school/schools.js';
import { childrenOfParent, listUsers, type Child, type User } from '../db/accounts/users.js';
import { can, ROLE_LABELS, type Actor, type Resource } from './authz.js';
import type { Deps } from './deps.js';
import { todayAtWork, type TodayAtWork } from './today.js';

export interface HomeView {
  readonly school: School | null;
  readonly today: PlainDate;
  /** Teachers: the groups they register or teach. */
  readonly groups: readonly Group[];
  /** Parents: their children. */
  readonly children: readonly Child[];
  /** Trust and local authority roles (and an administrator without a school): the schools they may see. */
  readonly schools: readonly School[];
  /** Administrators: the school's accounts. */
  readonly users: readonly (User & { roleLabel: string })[];
  /** The day in numbers (school staff): see services/today.ts. */
  readonly work: TodayAtWork | null;
}

function schoolResource(s: School): Resource {
  return { kind: 'school', schoolId: s.id, trustId: s.trustId, laCode: s.laCode };
}

/** What the home page shows the actor, each part only where the policy allows it. */
export async function homeFor(deps: Deps, actor: Actor): Promise<HomeView> {
  const school = actor.schoolId ? ((await findSchool(deps.db, actor.schoolId)) ?? null) : null;
  const today = deps.clock.today(school?.timeZone ?? deps.config.timeZone);
  const acrossSchools = actor.schoolId === null;
  const [groups, children, schools, users, work] = await Promise.all([
    actor.role === 'teacher' ? groupsOfStaff(deps.db, actor.userId) : [],
    actor.role === 'parent' ? childrenOfParent(deps.db, actor.userId) : [],
    acrossSchools
      ? listSchools(deps.db).then((all) => all.filter((s) => can(actor, 'school.viewAggregates', schoolResource(s))))
      : [],
    school && can(actor, 'school.administer', schoolResource(school)) ? listUsers(deps.db, school.id) : [],
    school && actor.role !== 'parent' ? todayAtWork(deps, actor, school) : null,
  ]);
  return {
    school,
    today,
    groups,
    children,
    schools,
    users: users.map((u) => ({ ...u, roleLabel: ROLE_LABELS[u.role] })),
    work,
  };
}
