/**
 * Long on purpose: one generator of mark patterns per pupil; the order of its random
 * draws makes the demo the same for a seed.
 *
 * Demo marks with the patterns a real register shows. Each pupil has an absence band (most
 * attend well, roughly a fifth are persistently absent, a few severely) whose odds rise with
 * vulnerability (SEN, EHCP, FSM, social care, young carers); absence comes in episodes: illness
 * runs that peak in winter, odd days off that cluster on Mondays and Fridays, unauthorised and
 * authorised holidays, appointments, lateness, trips and fixtures, suspensions, and a few
 * scenarios for the statutory returns (10 days' unauthorised absence, 20 days' whereabouts
 * unknown, a long illness). Only codes of the 2024 set, only on school sessions, only while the
 * pupil is on roll, up to this morning's registers.
 */
import {
  addDays,
  firstSessionOnOrAfter,
  isoWeekday,
  lastSessionOnOrBefore,
  sessionIndex,
  toDayNumber,
  type PlainDate,
  type SchoolCalendar,
} from '@rollcall/domain';
import type { PlannedGroup, PlannedLesson, PlannedPupil, Plan, SchoolPlan } from './plan.js';
import type { Rng } from './random.js';

export type Band = 'good' | 'pa' | 'sa';

export interface PupilAttendance {
  readonly pupil: PlannedPupil;
  readonly band: Band;
  /** Code per school session number ('' = no mark). */
  readonly codes: string[];
  /** Minutes late per school session (L and U only). */
  readonly minutes: Uint16Array;
  /** First and last session numbers marked (inclusive); last < first when none. */
  readonly from: number;
  readonly to: number;
}

export interface SchoolAttendance {
  readonly pupils: readonly PupilAttendance[];
  /** Registration groups whose register this morning is left for the office to chase. */
  readonly notTakenToday: ReadonlySet<PlannedGroup>;
  /** A group whose register this morning was taken after the close. */
  readonly takenLateToday: ReadonlySet<PlannedGroup>;
}

export interface LessonMark {
  readonly lesson: PlannedLesson;
  readonly pupil: PlannedPupil;
  readonly date: PlainDate;
  readonly code: string;
  readonly minutes: number | null;
}

export interface MarkWindow {
  readonly today: PlainDate;
  /** The last session to mark (today's AM when today is a school day), -1 when none. */
  readonly lastSession: number;
  /** Today's AM session number, or -1. */
  readonly todayAm: number;
  /** School day numbers before today (the most recent last). */
  readonly pastDays: readonly number[];
}

/** The sessions to mark: every school session before today, and today's morning. */
export function markWindow(cal: SchoolCalendar, today: PlainDate): MarkWindow {
  const todayAm = sessionIndex(cal, today, 'AM');
  let last = -1;
  for (let s = 0; s < cal.sessionCount && cal.sessionDate[s]! < today; s++) last = s;
  const pastDays: number[] = [];
  for (let d = 0; d < cal.dayCount && cal.dayDate[d]! < today; d++) pastDays.push(d);
  return { today, lastSession: todayAm >= 0 ? todayAm : last, todayAm, pastDays };
}

const ILLNESS_BY_MONTH: Readonly<Record<number, number>> = {
  9: 0.55,
  10: 0.9,
  11: 1.25,
  12: 1.5,
  1: 1.45,
  2: 1.25,
  3: 0.95,
  4: 0.75,
  5: 0.65,
  6: 0.6,
  7: 0.55,
  8: 0.5,
};
/** Odd days off cluster on Mondays and Fridays (weights average 1 over the week). */
const ODD_BY_WEEKDAY = [0, 1.45, 0.75, 0.65, 0.65, 1.5];
const ILL_BY_WEEKDAY = [0, 1.25, 0.95, 0.95, 0.95, 0.9];

interface Profile {
  readonly band: Band;
  /** Expected share of school days lost to whole-day absence. */
  readonly target: number;
  readonly illShare: number;
  readonly illMean: number;
  readonly oddMean: number;
  readonly oddCodes: readonly (readonly [string, number])[];
  readonly habitualLate: boolean;
  readonly appointments: number;
  readonly team: boolean;
}

/** Odds of the persistent-absence band for a pupil with no risk factor (multiplied by {@link risk}). */
const PA_ODDS_PRIMARY = 0.09;
const PA_ODDS_SECONDARY = 0.14;
/** Largest whole-day absence of a pupil in the good band with no risk factor (before the uplift). */
const GOOD_SPREAD_PRIMARY = 0.035;
const GOOD_SPREAD_SECONDARY = 0.04;
/** How much of the risk factor raises a pupil's own absence. */
const VULNERABILITY_UPLIFT = 0.35;

/** How much more likely than others a pupil is to be persistently absent (1 = no risk factor). */
function risk(p: PlannedPupil): number {
  let r = 1;
  if (p.sen === 'K') r *= 1.5;
  if (p.sen === 'E') r *= 1.9;
  if (p.fsm) r *= 1.8;
  else if (p.pupilPremium) r *= 1.3;
  if (p.cin) r *= 1.7;
  if (p.cp) r *= 1.4;
  if (p.lac) r *= 1.4;
  if (p.previouslyLac) r *= 1.3;
  if (p.youngCarer) r *= 1.8;
  if (p.eal) r *= 1.05;
  return r;
}

function drawBand(rng: Rng, p: PlannedPupil): Band {
  const secondary = p.school === 'secondary';
  const yearFactor =
    p.yearIndex === 11 ? 1.25 : p.yearIndex === 10 ? 1.15 : p.yearIndex === 7 ? 0.85 : p.yearIndex === 0 ? 1.1 : 1;
  const r = risk(p) * yearFactor;
  const pSa = Math.min(0.25, (secondary ? 0.016 : 0.007) * Math.pow(r, 1.3));
  const pPa = Math.min(0.6, (secondary ? PA_ODDS_SECONDARY : PA_ODDS_PRIMARY) * r);
  const u = rng.next();
  return u < pSa ? 'sa' : u < pSa + pPa ? 'pa' : 'good';
}

function profileFor(rng: Rng, p: PlannedPupil, band: Band, target?: number): Profile {
  const u = rng.next();
  const spread = p.school === 'secondary' ? GOOD_SPREAD_SECONDARY : GOOD_SPREAD_PRIMARY;
  // Disadvantage shows in everyone's absence, not only in who becomes persistently absent.
  const uplift = band === 'sa' ? 1 : Math.min(2.2, 1 + VULNERABILITY_UPLIFT * (risk(p) - 1));
  const t =
    target ??
    (band === 'good'
      ? (0.006 + spread * Math.pow(u, 1.4)) * uplift
      : band === 'pa'
        ? Math.min(0.45, (0.1 + 0.18 * Math.pow(u, 1.6)) * Math.sqrt(uplift))
        : 0.5 + 0.3 * u);
  const lateOdds = band === 'good' ? 0.04 : band === 'pa' ? 0.12 : 0.2;
  return {
    band,
    target: t,
    illShare: band === 'good' ? 0.8 : band === 'pa' ? 0.5 : 0.3,
    illMean: 2.2,
    oddMean: band === 'good' ? 1.1 : band === 'pa' ? 1.5 : 3.5,
    oddCodes:
      band === 'sa'
        ? [
            ['O', 70],
            ['I', 25],
            ['M', 5],
          ]
        : [
            ['O', 50],
            ['I', 38],
            ['M', 6],
            ['C', 6],
          ],
    habitualLate: rng.chance(lateOdds),
    appointments: 0.005 * (p.sen === 'E' ? 2.5 : p.sen === 'K' ? 1.5 : 1),
    team: p.school === 'secondary' ? rng.chance(0.12) : p.yearIndex >= 5 && rng.chance(0.1),
  };
}

interface DayPlan {
  am?: string;
  pm?: string;
  /** Forced days happen whatever else the pupil would have done; others only replace presence. */
  force: boolean;
}

function setDay(days: Map<number, DayPlan>, day: number, plan: DayPlan): void {
  const before = days.get(day);
  if (before?.force && !plan.force) return;
  days.set(day, before && plan.force === before.force ? { ...before, ...plan } : plan);
}

/** The school day numbers of a term, as far as they are in the past. */
function termDays(cal: SchoolCalendar, w: MarkWindow, start: PlainDate, end: PlainDate): number[] {
  return w.pastDays.filter((d) => cal.dayDate[d]! >= start && cal.dayDate[d]! <= end);
}

/** Last school day before each break of more than a weekend, and first school day after it. */
function breakEdges(cal: SchoolCalendar): { before: Set<number>; after: Set<number> } {
  const before = new Set<number>();
  const after = new Set<number>();
  for (let d = 0; d + 1 < cal.dayCount; d++) {
    const gap = toDayNumber(cal.dayDate[d + 1]!) - toDayNumber(cal.dayDate[d]!);
    if (gap > 4) {
      before.add(d);
      after.add(d + 1);
    }
  }
  return { before, after };
}

/** Generates every pupil's session marks for a school. */
export function generateAttendance(
  rngRoot: Rng,
  cal: SchoolCalendar,
  w: MarkWindow,
  school: SchoolPlan,
  plan: Plan,
): SchoolAttendance {
  const rng = rngRoot.fork(`attendance/${school.spec.key}`);
  const secondary = school.spec.key === 'secondary';
  const times = school.spec.registerTimes;
  const amWindow = minutesBetween(times.AM.opens, times.AM.closes);
  const pmWindow = minutesBetween(times.PM.opens, times.PM.closes);
  const edges = breakEdges(cal);
  const past = w.pastDays;
  const nPast = past.length;
  const lastPast = nPast > 0 ? past[nPast - 1]! : -1;
  const todayDay = w.todayAm >= 0 ? cal.sessionDay[w.todayAm]! : -1;
  const dayOfSession = (s: number): number => cal.sessionDay[s]!;

  // Parents' children: the demo parent's older child is persistently absent, the younger attends well.
  const forcedBand = new Map<PlannedPupil, { band: Band; target: number }>();
  const parentA = plan.parents[0];
  if (parentA) {
    const kids = parentA.links.map((l) => l.pupil).sort((a, b) => b.yearIndex - a.yearIndex);
    if (kids[0]) forcedBand.set(kids[0], { band: 'pa', target: 0.02 });
    if (kids[1]) forcedBand.set(kids[1], { band: 'good', target: 0.02 });
  }

  const onRoll = school.pupils.map((p) => {
    const fromSession = Math.max(0, firstSessionOnOrAfter(cal, p.admissionDate));
    const leaveSession = p.leavingDate ? lastSessionOnOrBefore(cal, p.leavingDate) : cal.sessionCount - 1;
    return { p, from: fromSession, to: Math.min(leaveSession, w.lastSession) };
  });

  const bands = new Map<PlannedPupil, Band>();
  const profiles = new Map<PlannedPupil, Profile>();
  for (const { p } of onRoll) {
    const forced = forcedBand.get(p);
    const band = forced?.band ?? drawBand(rng, p);
    bands.set(p, band);
    profiles.set(p, profileFor(rng, p, band, forced?.target));
  }

  // ------------------------------------------------------------------ planned days
  const dayPlans = new Map<PlannedPupil, Map<number, DayPlan>>();
  const daysOf = (p: PlannedPupil): Map<number, DayPlan> => {
    let m = dayPlans.get(p);
    if (!m) dayPlans.set(p, (m = new Map<number, DayPlan>()));
    return m;
  };
  const eligible = onRoll.filter(({ p }) => !forcedBand.has(p) && !p.midYear && p.leavingDate === null);
  const used = new Set<PlannedPupil>();
  const choose = (filter: (p: PlannedPupil) => boolean, bandWanted?: Band): PlannedPupil | undefined => {
    const list = eligible.map((e) => e.p).filter((p) => !used.has(p) && filter(p));
    const preferred = bandWanted ? list.filter((p) => bands.get(p) === bandWanted) : list;
    const p = preferred.length > 0 ? rng.pick(preferred) : list.length > 0 ? rng.pick(list) : undefined;
    if (p) used.add(p);
    return p;
  };

  // Scenarios for the statutory returns (when enough of the year has passed).
  const recent = (n: number): number[] => past.slice(Math.max(0, nPast - n));
  if (nPast >= 25) {
    // Ten school days and more of unauthorised absence: the attendance return.
    const ar = choose((p) => p.cin || p.fsm, 'sa');
    if (ar) {
      bands.set(ar, 'sa');
      profiles.set(ar, profileFor(rng, ar, 'sa', 0.55));
      for (const d of recent(12)) setDay(daysOf(ar), d, { am: 'O', pm: 'O', force: true });
      if (todayDay >= 0) setDay(daysOf(ar), todayDay, { am: 'N', force: true });
    }
  }
  if (secondary && nPast >= 30) {
    // Twenty school days, whereabouts unknown: a deletion ground and a children-missing-education referral.
    const cme = choose(() => true, 'sa');
    if (cme) {
      bands.set(cme, 'sa');
      profiles.set(cme, profileFor(rng, cme, 'sa', 0.6));
      const run = recent(21);
      run.forEach((d, i) =>
        setDay(daysOf(cme), d, {
          am: i >= run.length - 3 ? 'N' : 'O',
          pm: i >= run.length - 3 ? 'N' : 'O',
          force: true,
        }),
      );
      if (todayDay >= 0) setDay(daysOf(cme), todayDay, { am: 'N', force: true });
    }
    // A long illness: the sickness return (15 school days).
    const ill = nPast >= 40 ? choose(() => true, 'good') : undefined;
    if (ill) {
      const end = nPast - 10;
      for (const d of past.slice(end - 16, end)) setDay(daysOf(ill), d, { am: 'I', pm: 'I', force: true });
    }
    // A temporary part-time timetable (mornings only) for the last four weeks.
    const partTime = choose((p) => p.sen !== 'N' || p.cin, 'sa');
    if (partTime) for (const d of recent(20)) setDay(daysOf(partTime), d, { pm: 'C2', force: true });
    // Local-authority alternative provision on Tuesdays and Thursdays.
    const provision = choose((p) => p.sen !== 'N' && p.yearIndex >= 9, 'pa');
    if (provision) {
      for (const d of past) {
        const wd = isoWeekday(cal.dayDate[d]!);
        if (wd === 2 || wd === 4) setDay(daysOf(provision), d, { am: 'K', pm: 'K', force: true });
      }
    }
  }
  if (nPast >= 15) {
    // Local-authority transport not available for two days.
    const transport = choose((p) => p.sen === 'E');
    if (transport) {
      const at = past[Math.floor(nPast * 0.5)]!;
      setDay(daysOf(transport), at, { am: 'Y1', pm: 'Y1', force: true });
      if (at + 1 <= lastPast) setDay(daysOf(transport), at + 1, { am: 'Y1', pm: 'Y1', force: true });
    }
  }

  // The demo parent's older child misses a day in every eight (ill, or no reason given): always
  // persistently absent, whatever the date.
  const older = parentA?.links.map((l) => l.pupil).sort((a, b) => b.yearIndex - a.yearIndex)[0];
  if (older) {
    past.forEach((d, i) => {
      if (i % 8 === 3)
        setDay(daysOf(older), d, i % 16 === 3 ? { am: 'I', pm: 'I', force: true } : { am: 'O', pm: 'O', force: true });
    });
  }

  // Reception starts part-time: mornings only for the first three days.
  for (const { p } of onRoll) {
    if (p.yearIndex !== 0 || p.midYear) continue;
    for (const d of past.slice(0, 3)) setDay(daysOf(p), d, { pm: 'X', force: true });
  }

  // Holidays in term time: unauthorised (G) mostly, next to a break; a few authorised (C).
  const beforeToday = past.slice(0, Math.max(0, nPast - 3));
  for (const { p } of onRoll) {
    if (beforeToday.length < 12 || used.has(p)) continue;
    const band = bands.get(p)!;
    const odds = 0.045 * (p.eal ? 2 : 1) * (band === 'pa' ? 1.6 : 1);
    if (rng.chance(odds)) {
      const len = rng.int(5, 10);
      const options: number[][] = [];
      for (const d of beforeToday) {
        if (edges.before.has(d)) options.push(beforeToday.filter((x) => x <= d).slice(-len));
        if (edges.after.has(d)) options.push(beforeToday.filter((x) => x >= d).slice(0, len));
      }
      const run =
        options.length > 0
          ? rng.pick(options)
          : beforeToday.slice(rng.int(0, beforeToday.length - len), undefined).slice(0, len);
      for (const d of run) setDay(daysOf(p), d, { am: 'G', pm: 'G', force: true });
    } else if (rng.chance(0.012)) {
      const len = rng.int(2, 4);
      const at = rng.int(0, beforeToday.length - len);
      for (const d of beforeToday.slice(at, at + len)) setDay(daysOf(p), d, { am: 'C', pm: 'C', force: true });
    }
  }

  // Suspensions (secondary mostly).
  for (const { p } of onRoll) {
    if (beforeToday.length < 10 || used.has(p)) continue;
    const band = bands.get(p)!;
    const odds = secondary ? (band === 'good' ? 0.005 : 0.1) : band === 'good' ? 0 : 0.02;
    if (!rng.chance(odds)) continue;
    const len = secondary ? rng.int(1, 3) : 1;
    const at = rng.int(0, beforeToday.length - len);
    for (const d of beforeToday.slice(at, at + len)) setDay(daysOf(p), d, { am: 'E', pm: 'E', force: true });
  }

  // Trips: each registration group has a day out each term.
  const pastWithoutLastWeek = new Set(past.slice(0, Math.max(0, nPast - 5)));
  const terms = [
    [cal.terms[0]?.start, cal.terms[1]?.end],
    [cal.terms[2]?.start, cal.terms[3]?.end],
    [cal.terms[4]?.start, cal.terms[5]?.end],
  ] as const;
  for (const g of school.groups) {
    if (g.kind !== 'registration') continue;
    for (const [start, end] of terms) {
      if (!start || !end) continue;
      const days = termDays(cal, w, start, end).filter(
        (d) => pastWithoutLastWeek.has(d) && !edges.before.has(d) && !edges.after.has(d),
      );
      if (days.length < 10) continue;
      const day = rng.pick(days);
      for (const p of g.members) setDay(daysOf(p), day, { am: 'V', pm: 'V', force: false });
    }
  }

  // Year 11 interviews (J1) in spring; Year 10 work experience in the last full week of July's term.
  if (secondary) {
    const spring = past.filter((d) => {
      const m = Number(cal.dayDate[d]!.slice(5, 7));
      return m >= 1 && m <= 3;
    });
    for (const { p } of onRoll) {
      if (p.yearIndex === 11 && spring.length > 0 && rng.chance(0.08)) {
        const d = rng.pick(spring);
        setDay(daysOf(p), d, rng.chance(0.5) ? { am: 'J1', force: false } : { pm: 'J1', force: false });
      }
    }
    const summer2 = cal.terms[5];
    if (summer2) {
      const monday = addDays(summer2.end, -(isoWeekday(summer2.end) - 1) - 14);
      const week = past.filter((d) => cal.dayDate[d]! >= monday && cal.dayDate[d]! <= addDays(monday, 4));
      for (const { p } of onRoll)
        if (p.yearIndex === 10) for (const d of week) setDay(daysOf(p), d, { am: 'W', pm: 'W', force: false });
    }
  }

  // ------------------------------------------------------------------ day by day
  const result: PupilAttendance[] = [];
  for (const { p, from, to } of onRoll) {
    const codes = new Array<string>(cal.sessionCount).fill('');
    const minutes = new Uint16Array(cal.sessionCount);
    const prof = profiles.get(p)!;
    const band = bands.get(p)!;
    const t = prof.target;
    const lambdaIll = (t * prof.illShare) / (prof.illMean * (1 - t));
    const lambdaOdd = (t * (1 - prof.illShare)) / (prof.oddMean * (1 - t));
    const planned = dayPlans.get(p);
    let episodeLeft = 0;
    let episodeCode = '';
    if (from <= to) {
      for (let day = dayOfSession(from); day <= dayOfSession(to); day++) {
        const date = cal.dayDate[day]!;
        const wd = isoWeekday(date);
        const month = Number(date.slice(5, 7));
        let am = '';
        let pm = '';
        let sentHome = false;
        if (episodeLeft > 0) {
          am = pm = episodeCode;
          episodeLeft--;
        } else if (rng.chance(lambdaIll * (ILLNESS_BY_MONTH[month] ?? 1) * ILL_BY_WEEKDAY[wd]!)) {
          episodeCode = 'I';
          episodeLeft = Math.min(9, rng.geometric(prof.illMean - 1));
          if (rng.chance(0.12)) {
            sentHome = true;
            pm = 'I';
          } else am = pm = 'I';
        } else if (rng.chance(lambdaOdd * ODD_BY_WEEKDAY[wd]!)) {
          episodeCode = rng.weighted(prof.oddCodes);
          am = pm = episodeCode;
          episodeLeft =
            episodeCode === 'M' || episodeCode === 'C'
              ? 0
              : Math.min(band === 'sa' ? 14 : 4, rng.geometric(prof.oddMean - 1));
        }
        const present = am === '' && pm === '';
        const dp = planned?.get(day);
        if (dp && (dp.force || present)) {
          if (dp.am !== undefined) am = dp.am;
          if (dp.pm !== undefined) pm = dp.pm;
        }
        if (am === '' && pm === '' && rng.chance(prof.appointments)) {
          if (rng.chance(0.6)) am = 'M';
          else pm = 'M';
        }
        if (am === '' && !sentHome) {
          // Morning: on time, late before the close (L) or after it (U).
          const lateP = prof.habitualLate ? 0.3 : 0.012;
          const afterP = prof.habitualLate ? 0.04 : 0.002;
          const u = rng.next();
          if (u < afterP) {
            am = 'U';
            minutes[cal.dayFirstSession[day]!] = amWindow + rng.int(3, 50);
          } else if (u < afterP + lateP) {
            am = 'L';
            minutes[cal.dayFirstSession[day]!] = prof.habitualLate ? rng.int(5, 25) : rng.int(1, 15);
          } else am = '/';
        } else if (am === '' && sentHome) am = '/';
        if (pm === '') {
          if (
            prof.team &&
            ((secondary && wd === 3 && rng.chance(0.25)) || (!secondary && wd === 4 && rng.chance(0.12)))
          )
            pm = 'P';
          else if (rng.chance(0.004)) {
            pm = 'L';
            minutes[cal.dayFirstSession[day]! + 1] = rng.int(1, Math.max(1, pmWindow - 1));
          } else pm = '\\';
        }
        for (let s = cal.dayFirstSession[day]!; s < cal.dayFirstSession[day + 1]!; s++) {
          if (s < from || s > to) continue;
          codes[s] = cal.sessionIsPM[s] ? pm : am;
        }
      }
    }
    result.push({ pupil: p, band, codes, minutes, from, to });
  }

  // ------------------------------------------------------------------ reasons not yet known (N)
  const isAbsence = (c: string): boolean => c === 'I' || c === 'O';
  const lastThree = new Set(recent(3));
  for (const a of result) {
    for (let s = Math.max(a.from, 0); s <= a.to; s++) {
      const day = dayOfSession(s);
      if (s === w.todayAm && isAbsence(a.codes[s]!) && rng.chance(0.65)) a.codes[s] = 'N';
      else if (lastThree.has(day) && isAbsence(a.codes[s]!) && rng.chance(0.4)) a.codes[s] = 'N';
    }
  }
  // Two pupils whose N from a week and a half ago is still unresolved (overdue after 5 school days).
  if (nPast >= 10) {
    const overdueDay = past[nPast - 8]!;
    const candidates = result.filter(
      (a) =>
        !used.has(a.pupil) &&
        a.from <= cal.dayFirstSession[overdueDay]! &&
        a.to >= cal.dayFirstSession[overdueDay + 1]! - 1,
    );
    for (const a of rng.shuffle(candidates).slice(0, 2)) {
      for (let s = cal.dayFirstSession[overdueDay]!; s < cal.dayFirstSession[overdueDay + 1]!; s++) {
        a.codes[s] = 'N';
        a.minutes[s] = 0;
      }
    }
  }
  // And at least a few in the last week, whatever the draws.
  const recentN = result.reduce(
    (n, a) => n + a.codes.filter((c, s) => c === 'N' && s < cal.sessionCount && lastThree.has(dayOfSession(s))).length,
    0,
  );
  if (recentN < 3 && nPast > 0) {
    const day = past[nPast - 1]!;
    const s = cal.dayFirstSession[day + 1]! - 1;
    const list = rng.shuffle(result.filter((a) => a.from <= s && a.to >= s && !used.has(a.pupil)));
    for (const a of list.slice(0, 3 - recentN)) {
      a.codes[s] = 'N';
      a.minutes[s] = 0;
    }
  }

  // ------------------------------------------------------------------ this morning's registers
  const notTakenToday = new Set<PlannedGroup>();
  const takenLateToday = new Set<PlannedGroup>();
  if (w.todayAm >= 0) {
    const registration = school.groups.filter((g) => g.kind === 'registration');
    const names = secondary ? ['9C', '10F'] : ['Year 5 Birch'];
    for (const g of registration) if (names.includes(g.name)) notTakenToday.add(g);
    if (secondary) for (const g of registration) if (g.name === '8D') takenLateToday.add(g);
    for (const a of result) {
      if (notTakenToday.has(a.pupil.regGroup) && a.codes[w.todayAm] !== '') {
        a.codes[w.todayAm] = '';
        a.minutes[w.todayAm] = 0;
      }
    }
  }
  return { pupils: result, notTakenToday, takenLateToday };
}

/** Lesson marks for the last two school weeks before today, from the session marks. */
export function generateLessonMarks(
  rngRoot: Rng,
  cal: SchoolCalendar,
  w: MarkWindow,
  school: SchoolPlan,
  att: SchoolAttendance,
): LessonMark[] {
  const rng = rngRoot.fork(`lessons/${school.spec.key}`);
  const days = w.pastDays.slice(-10);
  if (school.lessons.length === 0 || days.length === 0) return [];
  const byPupil = new Map(att.pupils.map((a) => [a.pupil, a]));
  const amOpens = school.spec.registerTimes.AM.opens;
  // A handful of pupils present at registration who missed a later lesson: a safeguarding flag.
  const truants = rng.shuffle(att.pupils.filter((a) => a.band !== 'good' && a.pupil.yearIndex >= 9)).slice(0, 6);
  const missing = new Set<string>();
  for (const a of truants) {
    for (let k = rng.int(1, 3); k > 0; k--) {
      const day = rng.pick(days);
      const period = rng.pick(['P2', 'P3', 'P4', 'P5']);
      missing.add(`${a.pupil.id}/${day}/${period}`);
    }
  }
  const out: LessonMark[] = [];
  for (const day of days) {
    const date = cal.dayDate[day]!;
    const wd = isoWeekday(date);
    for (const lesson of school.lessons) {
      if (lesson.weekday !== wd) continue;
      const s = sessionIndex(cal, date, lesson.session);
      if (s < 0) continue;
      for (const pupil of lesson.group.members) {
        const a = byPupil.get(pupil);
        const code = a?.codes[s];
        if (!a || !code) continue;
        let lessonCode = code;
        let minutes: number | null = null;
        if (code === '/' || code === '\\' || code === 'L' || code === 'U') {
          lessonCode = '/';
          if ((code === 'L' || code === 'U') && lesson.period === 'P1') {
            const late = a.minutes[s]! - minutesBetween(amOpens, lesson.startsAt);
            if (late > 0) {
              lessonCode = late < 60 ? 'L' : 'U';
              minutes = late;
            }
          }
          if (code !== 'U' && missing.has(`${pupil.id}/${day}/${lesson.period}`)) {
            lessonCode = 'N';
            minutes = null;
          }
        }
        out.push({ lesson, pupil, date, code: lessonCode, minutes });
      }
    }
  }
  return out;
}

function minutesBetween(from: string, to: string): number {
  const [fh, fm] = from.split(':').map(Number) as [number, number];
  const [th, tm] = to.split(':').map(Number) as [number, number];
  return th * 60 + tm - (fh * 60 + fm);
}
