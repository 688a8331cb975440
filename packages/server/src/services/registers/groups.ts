/**
 * A school's groups as the pages use them: the registers a member of staff may take on a day, a
 * teacher's own groups with their pupils, the registration group names a pupil list shows, and a
 * pupil's registration group on their page. Each is authorised here (services/authz.ts); the
 * queries are db/registers/registers.ts and db/pupils/pupils.ts.
 */
import type { PlainDate } from '@rollcall/domain';
import {
  findGroup,
  groupsOfStaff,
  lessonsOf,
  listGroups,
  type Group,
  type Lesson,
} from '../../db/registers/registers.js';
import { groupMembersOnRoll, type PupilSummary } from '../../db/pupils/pupils.js';
import type { School } from '../school/schools.js';
import { authorise, can, type Actor, type Resource } from '../authz.js';
import type { Deps } from '../deps.js';
import type { PupilRecord } from '../pupils/pupils.js';

export type { Group, Lesson } from '../../db/registers/registers.js';

function schoolResource(school: School): Resource {
  return { kind: 'school', schoolId: school.id, trustId: school.trustId, laCode: school.laCode };
}

function groupResource(school: School, groupId: string): Resource {
  return { ...schoolResource(school), kind: 'group', groupId };
}

export interface RegisterToTake {
  readonly group: Group;
  /** The group's lessons on the day's weekday (teaching groups; none for a registration group). */
  readonly lessons: readonly Lesson[];
}

/**
 * The registers the actor may take at their school: a teacher's own groups, everyone else every
 * group of the school, of one kind and whose name contains `name` when given, each teaching group
 * with its lessons on `weekday` (ISO, Monday 1). Only groups the actor may take (`register.take`).
 */
export async function registersToTake(
  deps: Pick<Deps, 'db'>,
  actor: Actor,
  school: School,
  filters: { readonly kind: '' | 'registration' | 'teaching'; readonly name: string; readonly weekday: number },
): Promise<RegisterToTake[]> {
  const all =
    actor.role === 'teacher'
      ? await groupsOfStaff(deps.db, actor.userId)
      : actor.schoolId
        ? await listGroups(deps.db, actor.schoolId)
        : [];
  const name = filters.name.toLowerCase();
  const groups = all.filter(
    (g) =>
      (!filters.kind || g.kind === filters.kind) &&
      (!name || g.name.toLowerCase().includes(name)) &&
      can(actor, 'register.take', groupResource(school, g.id)),
  );
  return Promise.all(
    groups.map(async (group) => ({
      group,
      lessons:
        group.kind === 'teaching'
          ? (await lessonsOf(deps.db, group.id)).filter((l) => l.weekday === filters.weekday)
          : [],
    })),
  );
}

/** The names of the school's registration groups by id (for pupil lists: `school.viewPupilLists`). */
export async function registrationGroupNames(
  deps: Pick<Deps, 'db'>,
  actor: Actor,
  school: School,
): Promise<Map<string, string>> {
  authorise(actor, 'school.viewPupilLists', schoolResource(school));
  return namesOf(deps, school);
}

async function namesOf(deps: Pick<Deps, 'db'>, school: School): Promise<Map<string, string>> {
  return new Map((await listGroups(deps.db, school.id, 'registration')).map((g) => [g.id, g.name]));
}

/**
 * A teacher's own groups at their school, each with its pupils on roll on a date, and the names
 * of the school's registration groups (to say each pupil's form). Only the groups the teacher
 * teaches (`register.take` on the group).
 */
export async function ownGroupsWithPupils(
  deps: Pick<Deps, 'db'>,
  actor: Actor,
  school: School,
  date: PlainDate,
): Promise<{ groups: { group: Group; pupils: PupilSummary[] }[]; registrationGroupNames: Map<string, string> }> {
  const own = (await groupsOfStaff(deps.db, actor.userId)).filter((g) =>
    can(actor, 'register.take', groupResource(school, g.id)),
  );
  const groups: { group: Group; pupils: PupilSummary[] }[] = [];
  for (const group of own) groups.push({ group, pupils: await groupMembersOnRoll(deps.db, group.id, date) });
  return { groups, registrationGroupNames: own.length > 0 ? await namesOf(deps, school) : new Map<string, string>() };
}

/** The registration group of a pupil whose record the actor has read (getPupilRecord authorised it). */
export async function registrationGroupOf(deps: Pick<Deps, 'db'>, record: PupilRecord): Promise<Group | undefined> {
  return record.pupil.regGroupId ? findGroup(deps.db, record.pupil.regGroupId) : undefined;
}
