/**
 * The import's groups file: members who join or leave each group, and the staff who teach it.
 */
import type { DbOrTrx } from '../../../db/connect.js';
import { groupKey, type GroupKind, type GroupSpec, type ImportProblem } from './files.js';
import type { EntityCounts } from './report.js';
import { usersByEmail, type GroupRow, type Pair } from '../../../db/exchange/import-store.js';

/** Pupils who join or leave groups. */
export interface MembersPlan {
  added: Pair[];
  removed: Pair[];
}

/** Staff who start or stop teaching groups. */
export interface StaffPlan {
  added: { group_id: string; user_id: string }[];
  removed: { group_id: string; user_id: string }[];
}

export function diffMembers(
  specs: ReadonlyMap<string, GroupSpec>,
  desiredReg: ReadonlyMap<string, string | null>,
  groupByKey: ReadonlyMap<string, GroupRow>,
  groupById: ReadonlyMap<string, GroupRow>,
  membersOf: ReadonlyMap<string, ReadonlySet<string>>,
  idByUpn: ReadonlyMap<string, string>,
  groupIdFor: (kind: GroupKind, name: string) => string,
  counts: EntityCounts,
): MembersPlan {
  const want = new Map<string, Pair>(); // pairs the import states
  const drop = new Map<string, Pair>(); // stored pairs the import ends
  const key = (p: Pair) => `${p.group_id} ${p.pupil_id}`;
  const isMember = (p: Pair) => membersOf.get(p.group_id)?.has(p.pupil_id) === true;
  for (const spec of specs.values()) {
    const groupId = groupIdFor(spec.kind, spec.name);
    const listed = new Set<string>();
    for (const upn of spec.members.keys()) {
      const pupilId = idByUpn.get(upn);
      if (pupilId === undefined) continue;
      listed.add(pupilId);
      want.set(key({ group_id: groupId, pupil_id: pupilId }), { group_id: groupId, pupil_id: pupilId });
    }
    for (const pupilId of membersOf.get(groupId) ?? []) {
      if (!listed.has(pupilId))
        drop.set(key({ group_id: groupId, pupil_id: pupilId }), { group_id: groupId, pupil_id: pupilId });
    }
  }
  // A pupil's registration group: member of it, and of no other registration group.
  const registrationGroups = [...groupById.values()].filter((g) => g.kind === 'registration');
  for (const [upn, name] of desiredReg) {
    const pupilId = idByUpn.get(upn);
    if (pupilId === undefined) continue;
    const target =
      name === null ? null : (groupByKey.get(groupKey('registration', name))?.id ?? groupIdFor('registration', name));
    if (target !== null)
      want.set(key({ group_id: target, pupil_id: pupilId }), { group_id: target, pupil_id: pupilId });
    for (const g of registrationGroups) {
      const p = { group_id: g.id, pupil_id: pupilId };
      if (g.id !== target && isMember(p)) drop.set(key(p), p);
    }
  }
  const added: Pair[] = [];
  for (const p of want.values()) {
    if (isMember(p)) counts.unchanged++;
    else added.push(p);
  }
  const removed = [...drop.values()].filter((p) => !want.has(key(p)));
  counts.created = added.length;
  counts.removed = removed.length;
  return { added, removed };
}

export async function diffStaff(
  db: DbOrTrx,
  schoolId: string,
  specs: ReadonlyMap<string, GroupSpec>,
  groupByKey: ReadonlyMap<string, GroupRow>,
  stored: readonly { group_id: string; user_id: string }[],
  file: string | null,
  warnings: ImportProblem[],
  counts: EntityCounts,
): Promise<StaffPlan> {
  const emails = new Set<string>();
  for (const spec of specs.values()) for (const e of spec.staff?.keys() ?? []) emails.add(e);
  const users =
    emails.size > 0 ? await usersByEmail(db, [...emails]) : new Map<string, { id: string; schoolId: string | null }>();
  const staffOf = new Map<string, Set<string>>();
  for (const s of stored) {
    const set = staffOf.get(s.group_id) ?? new Set<string>();
    set.add(s.user_id);
    staffOf.set(s.group_id, set);
  }
  const added: { group_id: string; user_id: string }[] = [];
  const removed: { group_id: string; user_id: string }[] = [];
  for (const spec of specs.values()) {
    if (!spec.staff) continue;
    const group = groupByKey.get(groupKey(spec.kind, spec.name));
    if (!group) continue;
    const current = staffOf.get(group.id) ?? new Set<string>();
    const wanted = new Set<string>();
    for (const [email, line] of spec.staff) {
      const user = users.get(email);
      if (!user) {
        warnings.push({
          file,
          line,
          message: `staff_email ${email} has no Rollcall account, so is not linked to "${spec.name}": create the account and import again`,
        });
        continue;
      }
      if (user.schoolId !== null && user.schoolId !== schoolId) {
        warnings.push({
          file,
          line,
          message: `staff_email ${email} belongs to another school's account, so is not linked to "${spec.name}"`,
        });
        continue;
      }
      wanted.add(user.id);
    }
    for (const userId of wanted) {
      if (current.has(userId)) counts.unchanged++;
      else added.push({ group_id: group.id, user_id: userId });
    }
    for (const userId of current) if (!wanted.has(userId)) removed.push({ group_id: group.id, user_id: userId });
  }
  counts.created = added.length;
  counts.removed = removed.length;
  return { added, removed };
}
