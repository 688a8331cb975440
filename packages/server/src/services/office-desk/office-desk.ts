/**
 * The office desk: what the office needs on screen to sign pupils in and out today. The pupils
 * on roll today by registration group (to choose from), and today's late arrivals and early
 * leavers. Recording them is `recordLateArrival` and `recordEarlyLeaver` (services/registers/registers.ts).
 */
import type { PlainDate, Session } from '@rollcall/domain';
import { earlyLeaversOn, lateArrivalsOn, pupilsOnRoll } from '../../db/office-desk/office-desk.js';
import { listGroups, userNames } from '../../db/registers/registers.js';
import { getSchool, type School } from '../school/schools.js';
import { authorise, can, type Actor, type Resource } from '../authz.js';
import type { Deps } from '../deps.js';

export interface DeskPupil {
  readonly id: string;
  /** The name to show: preferred names when given. */
  readonly name: string;
  readonly upn: string;
}

export interface DeskGroup {
  /** Null for pupils without a registration group. */
  readonly id: string | null;
  readonly name: string;
  readonly pupils: readonly DeskPupil[];
}

export interface LateArrivalEntry {
  readonly id: string;
  readonly pupilId: string;
  readonly pupilName: string;
  readonly groupName: string | null;
  readonly session: Session;
  readonly arrivedAt: string;
  readonly minutesLate: number;
  readonly code: string;
  readonly reason: string | null;
  readonly recordedBy: string | null;
  readonly recordedAt: string;
}

export interface EarlyLeaverEntry {
  readonly id: string;
  readonly pupilId: string;
  readonly pupilName: string;
  readonly groupName: string | null;
  readonly leftAt: string;
  readonly collectedBy: string | null;
  readonly reason: string;
  readonly recordedBy: string | null;
  readonly recordedAt: string;
}

export interface OfficeDesk {
  readonly school: School;
  readonly today: PlainDate;
  /** The time of day now (`HH:MM`, the school's zone): the default time on the forms. */
  readonly now: string;
  /** The session the forms suggest: PM once the afternoon register has opened. */
  readonly session: Session;
  readonly groups: readonly DeskGroup[];
  /** Newest first. */
  readonly lateArrivals: readonly LateArrivalEntry[];
  /** Newest first. */
  readonly earlyLeavers: readonly EarlyLeaverEntry[];
  /** May the actor record `L` after the register closed (transport breakdown etc.)? */
  readonly canKeepAsLate: boolean;
}

function name(r: {
  legal_forename: string;
  legal_surname: string;
  preferred_forename: string | null;
  preferred_surname: string | null;
}): string {
  return `${r.preferred_forename ?? r.legal_forename} ${r.preferred_surname ?? r.legal_surname}`;
}

function bySurname(a: { surname: string; forename: string }, b: { surname: string; forename: string }): number {
  return a.surname.localeCompare(b.surname) || a.forename.localeCompare(b.forename);
}

/** Today's office desk for a school (authorised as `office.signInOut`). */
export async function officeDesk(deps: Deps, actor: Actor, schoolId: string): Promise<OfficeDesk> {
  const school = await getSchool(deps.db, schoolId);
  const resource: Resource = { kind: 'school', schoolId: school.id, trustId: school.trustId, laCode: school.laCode };
  authorise(actor, 'office.signInOut', resource);
  const today = deps.clock.today(school.timeZone);
  const now = deps.clock.timeOfDay(school.timeZone);

  const [groups, pupilRows, lateRows, leaverRows] = await Promise.all([
    listGroups(deps.db, school.id, 'registration'),
    pupilsOnRoll(deps.db, school.id, today),
    lateArrivalsOn(deps.db, school.id, today),
    earlyLeaversOn(deps.db, school.id, today),
  ]);

  const groupNames = new Map(groups.map((g) => [g.id, g.name]));
  const members = new Map<string | null, { id: string; forename: string; surname: string; upn: string }[]>();
  for (const r of pupilRows) {
    const key = r.reg_group_id !== null && groupNames.has(r.reg_group_id) ? r.reg_group_id : null;
    const list = members.get(key) ?? [];
    list.push({
      id: r.id,
      forename: r.preferred_forename ?? r.legal_forename,
      surname: r.preferred_surname ?? r.legal_surname,
      upn: r.upn,
    });
    members.set(key, list);
  }
  const toDesk = (list: { id: string; forename: string; surname: string; upn: string }[]): DeskPupil[] =>
    [...list].sort(bySurname).map((p) => ({ id: p.id, name: `${p.forename} ${p.surname}`, upn: p.upn }));
  const deskGroups: DeskGroup[] = groups
    .filter((g) => members.has(g.id))
    .map((g) => ({ id: g.id, name: g.name, pupils: toDesk(members.get(g.id) ?? []) }));
  const loose = members.get(null);
  if (loose) deskGroups.push({ id: null, name: 'No registration group', pupils: toDesk(loose) });

  const names = await userNames(deps.db, [
    ...lateRows.map((r) => r.recorded_by),
    ...leaverRows.map((r) => r.recorded_by),
  ]);
  const groupOf = (id: string | null): string | null => (id === null ? null : (groupNames.get(id) ?? null));
  return {
    school,
    today,
    now,
    session: now >= school.policy.registerTimes.PM.opens ? 'PM' : 'AM',
    groups: deskGroups,
    lateArrivals: lateRows.map((r) => ({
      id: r.id,
      pupilId: r.pupil_id,
      pupilName: name(r),
      groupName: groupOf(r.reg_group_id),
      session: r.session === 'PM' ? 'PM' : 'AM',
      arrivedAt: r.arrived_at,
      minutesLate: Number(r.minutes_late),
      code: r.code,
      reason: r.reason,
      recordedBy: names.get(r.recorded_by) ?? null,
      recordedAt: r.recorded_at,
    })),
    earlyLeavers: leaverRows.map((r) => ({
      id: r.id,
      pupilId: r.pupil_id,
      pupilName: name(r),
      groupName: groupOf(r.reg_group_id),
      leftAt: r.left_at,
      collectedBy: r.collected_by,
      reason: r.reason,
      recordedBy: names.get(r.recorded_by) ?? null,
      recordedAt: r.recorded_at,
    })),
    canKeepAsLate: can(actor, 'mark.lateAfterCloseAsL', resource),
  };
}
