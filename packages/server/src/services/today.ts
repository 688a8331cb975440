/**
 * "Today's work first": the school day a page works in (the register pages' previous and next
 * school day, the friendly page for a day without school) and each role's day in numbers on
 * the home page, each number a link to where the work is done.
 *
 * On a day without school the home page works in the latest school day before it (the demo
 * created at a weekend is built up to that day: docs/demo.md).
 */
import {
  addDays,
  firstSessionOnOrAfter,
  isoWeekday,
  lastDayOnOrBefore,
  lookupCode,
  sessionIndex,
  type PlainDate,
  type Session,
} from '@rollcall/domain';
import { groupsOfStaff, registersOn } from '../db/registers/registers.js';
import type { School } from './school/schools.js';
import { openDslAlertCount } from '../db/safeguarding/safeguarding.js';
import { lessonsOfGroupsOn, sessionMarkCounts } from '../db/today.js';
import { can, type Actor, type Resource } from './authz.js';
import { caseworkList } from './casework/casework-list.js';
import type { Deps } from './deps.js';
import { officeDesk } from './office-desk/office-desk.js';
import { schoolCalendar } from './registers/registers.js';
import { listReturns } from './duties/returns/returns.js';
import { caseworkPolicyOf } from './policy/school-policy.js';
import { worklist } from './follow-up/worklist.js';

export interface SchoolDay {
  /** The day asked about. */
  readonly date: PlainDate;
  readonly isSchoolDay: boolean;
  /** The school day before `date`, if the calendar has one. */
  readonly previous: PlainDate | null;
  /** The school day after `date`, if the calendar has one. */
  readonly next: PlainDate | null;
  /** Whether each session of `date` is a school session. */
  readonly sessions: Readonly<Record<Session, boolean>>;
}

/** Where `date` falls in the school's calendar. */
export async function schoolDay(deps: Pick<Deps, 'db'>, schoolId: string, date: PlainDate): Promise<SchoolDay> {
  const cal = await schoolCalendar(deps, schoolId);
  const am = sessionIndex(cal, date, 'AM') >= 0;
  const pm = sessionIndex(cal, date, 'PM') >= 0;
  const before = lastDayOnOrBefore(cal, addDays(date, -1));
  const after = firstSessionOnOrAfter(cal, addDays(date, 1));
  return {
    date,
    isSchoolDay: am || pm,
    previous: before < 0 ? null : cal.dayDate[before]!,
    next: after < cal.sessionCount ? cal.sessionDate[after]! : null,
    sessions: { AM: am, PM: pm },
  };
}

/** The day to work in: `today` when it is a school day, else the latest school day before it (null if none). */
export async function workDay(deps: Pick<Deps, 'db'>, schoolId: string, today: PlainDate): Promise<PlainDate | null> {
  const day = await schoolDay(deps, schoolId, today);
  return day.isSchoolDay ? today : day.previous;
}

/** One number on the home page. */
export interface TodayCount {
  readonly key: string;
  /** What is counted, for any number but 1 ("registers to take"). */
  readonly label: string;
  /** For exactly 1 ("register to take"). */
  readonly labelOne: string;
  readonly count: number;
  readonly href: string;
}

/** A register a teacher has on the work day. */
export interface TodayRegister {
  readonly label: string;
  readonly groupName: string;
  readonly href: string;
  readonly taken: boolean;
}

export interface TodayAttendance {
  readonly session: Session;
  /** Present or in an approved activity, as a percentage of possible sessions marked (null: nothing marked). */
  readonly percent: number | null;
  readonly marked: number;
  /** The register board of the day, for those who may see it. */
  readonly href: string | null;
}

export interface TodayAtWork {
  readonly today: PlainDate;
  readonly isSchoolDay: boolean;
  /** The school day the numbers are for: today, or the latest school day before it. */
  readonly day: PlainDate | null;
  readonly nextSchoolDay: PlainDate | null;
  readonly registers: readonly TodayRegister[];
  readonly counts: readonly TodayCount[];
  /** The day's attendance by session, for those who may see the school's figures. */
  readonly attendance: readonly TodayAttendance[] | null;
  /** The school's attendance target as a percentage, when it has one. */
  readonly targetPercent: number | null;
}

function resourceOf(school: School): Resource {
  return { kind: 'school', schoolId: school.id, trustId: school.trustId, laCode: school.laCode };
}

/** The teacher's registers on `day`: registration groups' AM and PM, teaching groups' lessons. */
async function teacherRegisters(deps: Deps, actor: Actor, school: School, day: PlainDate): Promise<TodayRegister[]> {
  const groups = (await groupsOfStaff(deps.db, actor.userId)).filter((g) =>
    can(actor, 'register.take', { ...resourceOf(school), kind: 'group', groupId: g.id }),
  );
  const [registers, lessons, sd] = await Promise.all([
    registersOn(deps.db, school.id, day),
    lessonsOfGroupsOn(
      deps.db,
      groups.filter((g) => g.kind === 'teaching').map((g) => g.id),
      isoWeekday(day),
    ),
    schoolDay(deps, school.id, day),
  ]);
  const taken = new Set(
    registers.filter((r) => r.takenAt !== null).map((r) => `${r.groupId}/${r.lessonId ?? r.session}`),
  );
  const out: TodayRegister[] = [];
  for (const g of groups.filter((x) => x.kind === 'registration'))
    for (const session of ['AM', 'PM'] as const)
      if (sd.sessions[session])
        out.push({
          label: `${g.name} ${session === 'AM' ? 'morning' : 'afternoon'} register`,
          groupName: g.name,
          href: `/registers/${encodeURIComponent(g.id)}/${day}/${session}`,
          taken: taken.has(`${g.id}/${session}`),
        });
  const names = new Map(groups.map((g) => [g.id, g.name]));
  for (const l of lessons)
    if (sd.sessions[l.session as Session])
      out.push({
        label: `${names.get(l.groupId) ?? ''} period ${l.period} (${l.startsAt})`,
        groupName: names.get(l.groupId) ?? '',
        href: `/registers/${encodeURIComponent(l.groupId)}/${day}/${l.session}?lesson=${encodeURIComponent(l.id)}`,
        taken: taken.has(`${l.groupId}/${l.id}`),
      });
  return out;
}

/** The day's attendance by session from the marks taken so far. */
async function dayAttendance(deps: Deps, school: School, day: PlainDate, board: boolean): Promise<TodayAttendance[]> {
  const counts = await sessionMarkCounts(deps.db, school.id, day);
  return (['AM', 'PM'] as const).map((session) => {
    let possible = 0;
    let attending = 0;
    for (const c of counts.filter((x) => x.session === session)) {
      const found = lookupCode(c.code, day);
      if (!found.ok || !found.definition.possible) continue;
      possible += c.n;
      const cat = found.definition.category;
      if (cat === 'present' || cat === 'approvedActivity') attending += c.n;
    }
    return {
      session,
      marked: possible,
      percent: possible === 0 ? null : (100 * attending) / possible,
      href: board ? `/board?date=${day}` : null,
    };
  });
}

/**
 * The actor's day in numbers, each part only where the policy lets them see it: a teacher's
 * registers; the office's late arrivals, unexplained absences and registers not taken; the
 * attendance officer's calls and visits due, casework suggestions, overdue reviews and returns
 * to send; the safeguarding lead's alerts to acknowledge; the day's attendance against the target for those who see the school's figures.
 */
export async function todayAtWork(deps: Deps, actor: Actor, school: School): Promise<TodayAtWork> {
  const today = deps.clock.today(school.timeZone);
  const sd = await schoolDay(deps, school.id, today);
  const day = sd.isSchoolDay ? today : sd.previous;
  const next = sd.next;
  const r = resourceOf(school);
  const counts: TodayCount[] = [];
  let registers: TodayRegister[] = [];
  let attendance: TodayAttendance[] | null = null;
  if (day === null)
    return { today, isSchoolDay: false, day, nextSchoolDay: next, registers, counts, attendance, targetPercent: null };

  if (actor.role === 'teacher') registers = await teacherRegisters(deps, actor, school, day);
  const toTake = registers.filter((x) => !x.taken).length;
  if (actor.role === 'teacher')
    counts.push({
      key: 'registers',
      label: 'registers to take',
      labelOne: 'register to take',
      count: toTake,
      href: `/registers?date=${day}`,
    });

  // Today's own work (the office desk, the worklist) is for today; on a day without school there is none.
  if (sd.isSchoolDay && can(actor, 'office.signInOut', r)) {
    const desk = await officeDesk(deps, actor, school.id);
    counts.push({
      key: 'lateArrivals',
      label: 'late arrivals signed in',
      labelOne: 'late arrival signed in',
      count: desk.lateArrivals.length,
      href: '/office#late-arrivals',
    });
    counts.push({
      key: 'earlyLeavers',
      label: 'early leavers signed out',
      labelOne: 'early leaver signed out',
      count: desk.earlyLeavers.length,
      href: '/office#early-leavers',
    });
  }
  if (sd.isSchoolDay && can(actor, 'school.viewPupilLists', r) && actor.role !== 'teacher') {
    const list = await worklist(deps, actor, { schoolId: school.id, date: today });
    counts.push({
      key: 'unexplained',
      label: 'pupils absent without a reason',
      labelOne: 'pupil absent without a reason',
      count: list.entries.length,
      href: '/worklist',
    });
    if (can(actor, 'casework.view', r)) {
      const due = (kind: string): number =>
        list.entries.filter((e) => e.due.some((s) => s.kind === kind && !s.done)).length;
      counts.push({
        key: 'calls',
        label: 'pupils with calls due',
        labelOne: 'pupil with calls due',
        count: due('call'),
        href: '/worklist',
      });
      counts.push({
        key: 'visits',
        label: 'home visits due',
        labelOne: 'home visit due',
        count: due('homeVisit'),
        href: '/worklist',
      });
    }
  }
  if (can(actor, 'casework.view', r)) {
    const list = await caseworkList(deps, actor, school.id);
    counts.push({
      key: 'suggestions',
      label: 'casework suggestions to decide',
      labelOne: 'casework suggestion to decide',
      count: list.queue.total,
      href: '/casework',
    });
    counts.push({
      key: 'overdue',
      label: 'overdue reviews and actions',
      labelOne: 'overdue review or action',
      count: list.overdue.length,
      href: '/casework#overdue',
    });
  }
  // The designated safeguarding lead's concerns to acknowledge are waiting whatever the day.
  if (can(actor, 'safeguarding.lead', r))
    counts.push({
      key: 'concerns',
      label: 'safeguarding alerts to acknowledge',
      labelOne: 'safeguarding alert to acknowledge',
      count: await openDslAlertCount(deps.db, school.id),
      href: '/dsl',
    });
  if (can(actor, 'duties.view', r)) {
    const returns = await listReturns(deps, actor, school.id);
    counts.push({
      key: 'returns',
      label: 'returns to send to the local authority',
      labelOne: 'return to send to the local authority',
      count: returns.filter((x) => x.status === 'prepared').length,
      href: '/returns',
    });
  }
  if (can(actor, 'school.viewAggregates', r) && actor.role !== 'teacher' && actor.role !== 'office')
    attendance = await dayAttendance(deps, school, day, can(actor, 'register.viewBoard', r));
  const target = caseworkPolicyOf(school.policy).target;
  return {
    today,
    isSchoolDay: sd.isSchoolDay,
    day,
    nextSchoolDay: next,
    registers,
    counts,
    attendance,
    targetPercent: attendance && target !== undefined ? target * 100 : null,
  };
}
