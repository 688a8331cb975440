// Synthetic attendance data for the benchmarks: a realistic 2025/26 calendar for a school in
// England, and deterministic (seeded) marks with the patterns a real register shows: mostly
// present, some lateness, illness runs, appointments, a share of persistent and a few severe
// absentees, unauthorised holidays, N marks, suspensions, approved activities, joiners and
// leavers, and the odd unmarked session. Nothing here reads the clock or Math.random.
import { compileCalendar, lookupCode, validateUpn } from '@rollcall/domain';

/** Terms 2025/26 (as the brief gives them). */
export const TERMS_2025_26 = [
  { name: 'Autumn 1', start: '2025-09-03', end: '2025-10-24' },
  { name: 'Autumn 2', start: '2025-11-03', end: '2025-12-19' },
  { name: 'Spring 1', start: '2026-01-05', end: '2026-02-13' },
  { name: 'Spring 2', start: '2026-02-23', end: '2026-03-27' },
  { name: 'Summer 1', start: '2026-04-13', end: '2026-05-22' },
  { name: 'Summer 2', start: '2026-06-01', end: '2026-07-22' },
];

/** INSET days, the early May bank holiday and two early finishes: 196 term weekdays → 380 sessions. */
export const CLOSURES_2025_26 = [
  { date: '2025-11-03', session: 'ALL', reason: 'INSET day' },
  { date: '2025-12-19', session: 'PM', reason: 'End of term: early finish' },
  { date: '2026-01-05', session: 'ALL', reason: 'INSET day' },
  { date: '2026-02-23', session: 'ALL', reason: 'INSET day' },
  { date: '2026-05-04', session: 'ALL', reason: 'Early May bank holiday' },
  { date: '2026-06-01', session: 'ALL', reason: 'INSET day' },
  { date: '2026-07-22', session: 'PM', reason: 'End of year: early finish' },
];

export const AS_OF = '2026-07-22';

export function calendarInput() {
  return { terms: TERMS_2025_26, closures: CLOSURES_2025_26 };
}

export function compiledCalendar() {
  const r = compileCalendar(calendarInput());
  if (!r.ok) throw new Error(`calendar does not compile: ${JSON.stringify(r.issues)}`);
  return r.value;
}

/** mulberry32: a small, fast, seeded PRNG returning floats in [0, 1). */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CODE_LETTERS = ['/', '\\', 'L', 'U', 'I', 'M', 'O', 'N', 'G', 'C', 'R', 'E', 'V', 'P', 'W', 'B', 'K', 'S', 'D'];
CODE_LETTERS.push('C2', 'J1', 'Y1', 'Y7', 'T');

/** Code ids (for the compact arrays), looked up once through the code table. */
export function codeIds(onDate = '2025-09-03') {
  const ids = {};
  for (const code of CODE_LETTERS) {
    const found = lookupCode(code, onDate);
    if (!found.ok) throw new Error(found.message);
    ids[code] = found.definition.id;
  }
  return ids;
}

/** Code text by id, for writing CSV. */
export function codeTextById(ids) {
  const out = [];
  for (const [code, id] of Object.entries(ids)) out[id] = code;
  return out;
}

/** The first school day on or after a date (`dayCount` when none). */
function dayOnOrAfter(cal, date) {
  for (let d = 0; d < cal.dayCount; d++) if (cal.dayDate[d] >= date) return d;
  return cal.dayCount;
}

/**
 * Calendar facts the generator uses, worked out once: work-experience week (Year 10), Year 11
 * study leave and leaving day, school-trip days.
 */
export function generatorPlan(cal) {
  return {
    workExperienceFrom: dayOnOrAfter(cal, '2026-06-15'),
    workExperienceTo: dayOnOrAfter(cal, '2026-06-20') - 1,
    studyLeaveFrom: dayOnOrAfter(cal, '2026-06-02'),
    year11LastDay: dayOnOrAfter(cal, '2026-06-27') - 1,
  };
}

/**
 * Draws one pupil's profile: year group, how absent, how late, joiner/leaver.
 * `kind` 0 typical, 1 persistent absentee, 2 severe absentee, 3 missing from education (long O/N run).
 */
export function drawProfile(rng, cal, plan, { yearGroups }) {
  const yearGroup = yearGroups[Math.floor(rng() * yearGroups.length)];
  const r = rng();
  let kind = 0;
  let absence;
  if (r < 0.003) {
    kind = 3;
    absence = 0.08;
  } else if (r < 0.023) {
    kind = 2;
    absence = 0.5 + rng() * 0.35;
  } else if (r < 0.19) {
    kind = 1;
    absence = 0.1 + rng() * rng() * 0.3;
  } else {
    absence = 0.005 + rng() * rng() * 0.08;
  }
  const lateness = rng() < 0.6 ? rng() * rng() * 0.06 : 0;
  const dual = rng() < 0.004;
  const partTime = kind !== 0 && rng() < 0.05;
  const suspensions = rng() < (kind === 0 ? 0.01 : 0.08);
  const holidayTaker = rng() < (kind === 0 ? 0.05 : 0.25);
  let fromDay = 0;
  let toDay = cal.dayCount - 1;
  const move = rng();
  if (move < 0.04)
    fromDay = 10 + Math.floor(rng() * (cal.dayCount - 30)); // joiner
  else if (move < 0.08) toDay = 10 + Math.floor(rng() * (cal.dayCount - 30)); // leaver
  if (yearGroup === 11 && toDay > plan.year11LastDay) toDay = plan.year11LastDay;
  return { yearGroup, kind, absence, lateness, dual, partTime, suspensions, holidayTaker, fromDay, toDay };
}

/**
 * Fills one pupil's code ids (and minutes late, through `setMinutes(s, minutes)`) from a profile.
 * Sessions outside the on-roll days stay 0. Returns a bit set: 1 when any L/U was written.
 */
export function fillMarks(rng, cal, plan, ids, profile, codes, setMinutes) {
  const { dayFirstSession, sessionIsPM } = cal;
  const { kind, absence, lateness, yearGroup } = profile;
  // Mean episode length is about 1.7 days, so the chance of starting one on a present day is
  // about the absence rate divided by that.
  const startChance = absence / 1.7;
  let episodeCode = 0;
  let episodeLeft = 0;
  let anyLate = 0;
  const missingStart = kind === 3 ? profile.fromDay + 15 + Math.floor(rng() * 60) : -1;
  const missingEnd = kind === 3 ? missingStart + 22 + Math.floor(rng() * 40) : -1;
  for (let d = profile.fromDay; d <= profile.toDay; d++) {
    const first = dayFirstSession[d];
    const next = dayFirstSession[d + 1];
    let am = 0; // code for the AM session (0 = decide per session below)
    let pm = 0;
    if (episodeLeft > 0) {
      am = pm = episodeCode;
      episodeLeft--;
    } else if (d >= missingStart && d <= missingEnd) {
      am = pm = rng() < 0.85 ? ids.O : ids.N;
    } else if (yearGroup === 11 && d >= plan.studyLeaveFrom) {
      am = rng() < 0.5 ? ids['/'] : ids.S;
      pm = rng() < 0.4 ? ids['\\'] : ids.S;
    } else if (yearGroup === 10 && d >= plan.workExperienceFrom && d <= plan.workExperienceTo) {
      am = pm = rng() < 0.95 ? ids.W : ids.I;
    } else if (profile.dual && d % 5 === 2) {
      am = pm = ids.D;
    } else if (profile.partTime && d % 5 >= 3) {
      pm = ids.C2;
    } else if (rng() < startChance) {
      const e = rng();
      let code;
      let len = 1;
      if (kind === 2) {
        // Severe: long runs, mostly unauthorised.
        code = e < 0.55 ? ids.O : e < 0.65 ? ids.N : e < 0.9 ? ids.I : ids.G;
        len = 1 + Math.floor(rng() * rng() * 25);
      } else if (e < 0.5) {
        code = ids.I;
        const l = rng();
        len =
          l < 0.5
            ? 1
            : l < 0.85
              ? 2 + Math.floor(rng() * 2)
              : l < 0.98
                ? 4 + Math.floor(rng() * 7)
                : 12 + Math.floor(rng() * 9);
      } else if (e < 0.62) {
        // Appointment: one session, the other present.
        if (rng() < 0.5) am = ids.M;
        else pm = ids.M;
        code = 0;
      } else if (e < 0.62 + (kind === 0 ? 0.12 : 0.25)) {
        code = ids.O;
        if (rng() < 0.4) {
          pm = ids.O; // truanting after lunch
          code = 0;
        } else len = 1 + Math.floor(rng() * rng() * 4);
      } else if (e < 0.9) {
        code = rng() < 0.08 ? ids.N : ids.C;
        if (code === ids.C && rng() < 0.2) code = ids.R;
        if (code === ids.C && rng() < 0.05) code = ids.T;
      } else if (e < 0.95) {
        code = rng() < 0.6 ? ids.V : rng() < 0.5 ? ids.P : ids.B;
        if (code === ids.P) {
          pm = ids.P;
          code = 0;
        }
      } else {
        code = rng() < 0.5 ? ids.Y7 : rng() < 0.5 ? ids.J1 : ids.K;
      }
      if (code !== 0) {
        am = pm = code;
        episodeCode = code;
        episodeLeft = len - 1;
      }
    }
    if (am === 0 && episodeLeft === 0 && profile.holidayTaker && rng() < 0.004) {
      am = pm = episodeCode = ids.G;
      episodeLeft = 3 + Math.floor(rng() * 8);
    }
    if (am === 0 && episodeLeft === 0 && profile.suspensions && rng() < 0.004) {
      am = pm = episodeCode = ids.E;
      episodeLeft = Math.floor(rng() * 4);
    }
    for (let s = first; s < next; s++) {
      let c = sessionIsPM[s] === 1 ? pm : am;
      if (c === 0) {
        if (sessionIsPM[s] === 0 && rng() < lateness) {
          if (rng() < 0.9) {
            c = ids.L;
            setMinutes(s, 1 + Math.floor(rng() * 25));
          } else {
            c = ids.U;
            setMinutes(s, 30 + Math.floor(rng() * 60));
          }
          anyLate = 1;
        } else c = sessionIsPM[s] === 1 ? ids['\\'] : ids['/'];
      }
      if (rng() < 0.0004) c = 0; // an unmarked session
      codes[s] = c;
    }
  }
  return anyLate;
}

const UPN_ALPHABET = 'ABCDEFGHJKLMNPQRTUVWXYZ';

/** The check letter of a UPN's characters 2–13: Σ value × position (2–13) mod 23. */
export function upnCheck(rest) {
  let sum = 0;
  for (let i = 0; i < 12; i++) {
    const ch = rest[i];
    const value = ch >= '0' && ch <= '9' ? ch.charCodeAt(0) - 48 : UPN_ALPHABET.indexOf(ch);
    sum += value * (i + 2);
  }
  return UPN_ALPHABET[sum % 23];
}

/** A valid UPN for pupil number `i` of a school (a temporary UPN, ending in a letter, when asked). */
export function makeUpn(i, yearGroup, temporary = false) {
  const la = ['330', '336', '335', '333'][i % 4];
  const estab = String(2000 + Math.floor(i / 100)).padStart(4, '0');
  const allocated = String((2025 - (yearGroup + 5) + 100) % 100).padStart(2, '0');
  const serial = String(i % 100).padStart(2, '0') + (temporary ? UPN_ALPHABET[i % 23] : String(i % 10));
  const rest = `${la}${estab}${allocated}${serial}`;
  const upn = `${upnCheck(rest)}${rest}`;
  const check = validateUpn(upn);
  if (!check.valid) throw new Error(`generated an invalid UPN ${upn}: ${check.reason}`);
  return upn;
}
