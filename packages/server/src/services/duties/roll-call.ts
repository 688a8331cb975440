/**
 * The emergency roll call: "who is on site now", and ticking pupils as accounted for during an
 * evacuation (docs/roll-call.md).
 *
 * On site now = pupils present at the latest register of today (the afternoon's where it has
 * marks, the morning's otherwise), plus those signed in late at the office since, less those
 * signed out as early leavers and not back; a pupil with no mark yet (a register not taken) is
 * counted as on site, so that nobody is left off the list. Starting a roll call freezes that list
 * (so it does not move under the marshals' feet); each tick records who and when, and is audited.
 */
import { lookupCode, type PlainDate } from '@rollcall/domain';
import type { School } from '../school/schools.js';
import { getSchool } from '../school/schools.js';
import {
  closeRollCallRow,
  earlyLeaversOn,
  findRollCall,
  insertRollCall,
  lateArrivalsOn,
  listRollCalls,
  pupilsOnRollWithClass,
  rollCallPupils,
  sessionMarksOn,
  setAccounted,
  type RollCallRow,
} from '../../db/duties/roll-call.js';
import { localDateTime } from '../../platform/clock.js';
import { newId } from '../../platform/ids.js';
import { audit } from '../audit.js';
import { authorise, type Actor, type Resource } from '../authz.js';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';

/** Why a pupil is expected on site. */
export type OnSiteReason = 'present' | 'late' | 'unknown' | 'returned';

export interface OnSitePupil {
  readonly pupilId: string;
  readonly forename: string;
  readonly surname: string;
  readonly why: OnSiteReason;
}

export interface OnSiteClass {
  readonly name: string;
  readonly pupils: readonly OnSitePupil[];
}

export interface OnSiteNow {
  readonly school: School;
  readonly date: PlainDate;
  /** The time (school's zone) the list was worked out. */
  readonly time: string;
  /** What it was worked out from, in words. */
  readonly basis: string;
  readonly classes: readonly OnSiteClass[];
  readonly total: number;
  /** Pupils on roll not on site: absent at the register, or signed out and not back. */
  readonly absent: number;
  readonly leftEarly: number;
  /** Pupils counted on site only because they have no mark yet. */
  readonly unknown: number;
}

const NO_CLASS = 'No registration group';

function resourceOf(school: School): Resource {
  return { kind: 'school', schoolId: school.id, trustId: school.trustId, laCode: school.laCode };
}

/** On site: present or late (before or after the register closed); everything else is not here. */
function onSiteCode(code: string, date: PlainDate): boolean {
  const found = lookupCode(code, date);
  if (!found.ok) return false;
  return found.definition.category === 'present' || found.definition.lateAfterClose;
}

function byName(a: { surname: string; forename: string }, b: { surname: string; forename: string }): number {
  return a.surname.localeCompare(b.surname) || a.forename.localeCompare(b.forename);
}

/** Who is on site now at the school, by class (authorised as `rollcall.take`). */
export async function onSiteNow(deps: Deps, actor: Actor, schoolId: string): Promise<OnSiteNow> {
  const school = await getSchool(deps.db, schoolId);
  authorise(actor, 'rollcall.take', resourceOf(school));
  const date = deps.clock.today(school.timeZone);
  const time = deps.clock.timeOfDay(school.timeZone);
  const [pupils, marks, lates, leavers] = await Promise.all([
    pupilsOnRollWithClass(deps.db, school.id, date),
    sessionMarksOn(deps.db, school.id, date),
    lateArrivalsOn(deps.db, school.id, date),
    earlyLeaversOn(deps.db, school.id, date),
  ]);
  const pm = new Map<string, string>();
  const am = new Map<string, string>();
  for (const m of marks) (m.session === 'PM' ? pm : am).set(m.pupilId, m.code);
  const session = pm.size > 0 ? 'PM' : 'AM';
  const late = new Set(lates.map((l) => l.pupilId));
  // The last record of each early leaver: gone unless they came back.
  const left = new Map<string, { returnedAt: string | null }>();
  for (const l of leavers) left.set(l.pupilId, { returnedAt: l.returnedAt });

  const classes = new Map<string, OnSitePupil[]>();
  let absent = 0;
  let leftEarly = 0;
  let unknown = 0;
  for (const p of pupils) {
    const code = session === 'PM' ? (pm.get(p.id) ?? am.get(p.id)) : am.get(p.id);
    const leaver = left.get(p.id);
    let why: OnSiteReason | null;
    if (leaver && leaver.returnedAt === null) why = null;
    else if (code !== undefined && onSiteCode(code, date))
      why = leaver ? 'returned' : code === 'L' || code === 'U' ? 'late' : 'present';
    else if (late.has(p.id)) why = 'late';
    else if (code === undefined) why = 'unknown';
    else why = null;
    if (why === null) {
      if (leaver && leaver.returnedAt === null) leftEarly++;
      else absent++;
      continue;
    }
    if (why === 'unknown') unknown++;
    const name = p.groupName ?? NO_CLASS;
    const list = classes.get(name) ?? [];
    list.push({ pupilId: p.id, forename: p.forename, surname: p.surname, why });
    classes.set(name, list);
  }
  const sorted = [...classes.entries()]
    .sort(([a], [b]) => a.localeCompare(b, 'en-GB', { numeric: true }))
    .map(([name, list]) => ({ name, pupils: list.sort(byName) }));
  const basis =
    `${session === 'PM' ? 'the afternoon' : 'the morning'} register of ${date}, ` +
    `late arrivals and early leavers signed at the office up to ${time}`;
  return {
    school,
    date,
    time,
    basis,
    classes: sorted,
    total: sorted.reduce((n, c) => n + c.pupils.length, 0),
    absent,
    leftEarly,
    unknown,
  };
}

/** Starts a roll call: freezes who is on site now (audited `rollcall.start`); returns its id. */
export async function startRollCall(deps: Deps, actor: Actor, schoolId: string): Promise<string> {
  const now = await onSiteNow(deps, actor, schoolId);
  const id = newId();
  const at = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    await insertRollCall(trx, {
      id,
      schoolId: now.school.id,
      date: now.date,
      basis: now.basis,
      startedAt: at,
      startedBy: actor.userId,
      pupils: now.classes.flatMap((c) => c.pupils.map((p) => ({ pupilId: p.pupilId, groupName: c.name, why: p.why }))),
    });
    await audit(trx, actor, at, {
      action: 'rollcall.start',
      entityType: 'roll_call',
      entityId: id,
      schoolId: now.school.id,
      details: { expected: now.total, basis: now.basis },
    });
  });
  return id;
}

export interface RollCallPupil {
  readonly pupilId: string;
  readonly forename: string;
  readonly surname: string;
  readonly groupName: string;
  readonly why: string;
  readonly accountedAt: string | null;
  /** `HH:MM` in the school's zone. */
  readonly accountedTime: string | null;
  readonly accountedByName: string | null;
}

export interface RollCallClass {
  readonly name: string;
  readonly total: number;
  readonly accounted: number;
  /** Missing first, then accounted for, each by surname. */
  readonly missing: readonly RollCallPupil[];
  readonly found: readonly RollCallPupil[];
}

export interface RollCallView {
  readonly rollCall: RollCallRow & { startedTime: string; closedTime: string | null };
  readonly school: School;
  readonly classes: readonly RollCallClass[];
  readonly expected: number;
  readonly accounted: number;
  /** Every missing pupil of the school, by class then surname. */
  readonly missing: readonly RollCallPupil[];
  readonly open: boolean;
}

async function loadRollCall(deps: Deps, actor: Actor, id: string): Promise<{ row: RollCallRow; school: School }> {
  const row = await findRollCall(deps.db, id);
  if (!row) throw new AppError('NOT_FOUND', 'No such roll call.');
  const school = await getSchool(deps.db, row.schoolId);
  authorise(actor, 'rollcall.take', resourceOf(school));
  return { row, school };
}

/** A roll call with its pupils by class, the missing first (authorised as `rollcall.take`). */
export async function rollCallView(deps: Deps, actor: Actor, id: string): Promise<RollCallView> {
  const { row, school } = await loadRollCall(deps, actor, id);
  const tz = school.timeZone;
  const pupils = (await rollCallPupils(deps.db, id)).map((p): RollCallPupil => ({
    ...p,
    accountedTime: p.accountedAt ? localDateTime(p.accountedAt, tz).time : null,
  }));
  const byClass = new Map<string, RollCallPupil[]>();
  for (const p of pupils) byClass.set(p.groupName, [...(byClass.get(p.groupName) ?? []), p]);
  const classes = [...byClass.entries()]
    .map(([name, list]): RollCallClass => {
      const sorted = [...list].sort(byName);
      const missing = sorted.filter((p) => p.accountedAt === null);
      return {
        name,
        total: list.length,
        accounted: list.length - missing.length,
        missing,
        found: sorted.filter((p) => p.accountedAt !== null),
      };
    })
    // Classes with pupils missing first (most missing first), then the rest by name.
    .sort((a, b) => b.missing.length - a.missing.length || a.name.localeCompare(b.name, 'en-GB', { numeric: true }));
  const missing = [...classes]
    .sort((a, b) => a.name.localeCompare(b.name, 'en-GB', { numeric: true }))
    .flatMap((c) => c.missing);
  const accounted = pupils.filter((p) => p.accountedAt !== null).length;
  return {
    rollCall: {
      ...row,
      startedTime: localDateTime(row.startedAt, tz).time,
      closedTime: row.closedAt ? localDateTime(row.closedAt, tz).time : null,
    },
    school,
    classes,
    expected: pupils.length,
    accounted,
    missing,
    open: row.closedAt === null,
  };
}

/** Ticks (or unticks) a pupil as accounted for, recording who and when (audited `rollcall.account`/`rollcall.unaccount`). */
export async function setPupilAccounted(
  deps: Deps,
  actor: Actor,
  input: { rollCallId: string; pupilId: string; accounted: boolean },
): Promise<void> {
  const { row, school } = await loadRollCall(deps, actor, input.rollCallId);
  if (row.closedAt !== null) throw new AppError('CONFLICT', 'This roll call has been closed: start a new one.');
  const at = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    const found = await setAccounted(
      trx,
      row.id,
      input.pupilId,
      input.accounted ? at : null,
      input.accounted ? actor.userId : null,
    );
    if (!found) throw new AppError('NOT_FOUND', 'That pupil is not on this roll call.');
    await audit(trx, actor, at, {
      action: input.accounted ? 'rollcall.account' : 'rollcall.unaccount',
      entityType: 'roll_call',
      entityId: row.id,
      pupilId: input.pupilId,
      schoolId: school.id,
    });
  });
}

/** Closes a roll call (audited `rollcall.close`): no more ticks; it stays readable. */
export async function closeRollCall(deps: Deps, actor: Actor, id: string): Promise<void> {
  const { row, school } = await loadRollCall(deps, actor, id);
  if (row.closedAt !== null) return;
  const at = deps.clock.now();
  const pupils = await rollCallPupils(deps.db, id);
  await deps.db.transaction().execute(async (trx) => {
    await closeRollCallRow(trx, id, at, actor.userId);
    await audit(trx, actor, at, {
      action: 'rollcall.close',
      entityType: 'roll_call',
      entityId: id,
      schoolId: school.id,
      details: {
        expected: pupils.length,
        missing: pupils.filter((p) => p.accountedAt === null).length,
      },
    });
  });
}

/** The school's recent roll calls, newest first. */
export async function recentRollCalls(
  deps: Deps,
  actor: Actor,
  schoolId: string,
): Promise<(RollCallRow & { startedLocal: string })[]> {
  const school = await getSchool(deps.db, schoolId);
  authorise(actor, 'rollcall.take', resourceOf(school));
  return (await listRollCalls(deps.db, school.id)).map((r) => {
    const l = localDateTime(r.startedAt, school.timeZone);
    return { ...r, startedLocal: `${l.date} ${l.time}` };
  });
}
