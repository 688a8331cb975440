/**
 * Small factories for the domain's tests: calendars from date pairs, and marks laid over
 * school sessions from a compact string. Test code only: nothing outside `*.test.ts` imports
 * this module.
 *
 * Mark patterns are read one code per school session, in order, from a start session:
 * `/`, `\`, single letters, `#`, and two-character codes written as a letter and a digit
 * (`C1`, `J1`, `Y1`…`Y7`). `.` leaves a session without a mark. Spaces and `|` are ignored, so
 * `'/\ /\ OO | II'` is four school days.
 */
import {
  compileCalendar,
  firstSessionOnOrAfter,
  lastSessionOnOrBefore,
  type ClosureSession,
  type SchoolCalendar,
} from './calendar.js';
import { CODE_TABLE, lookupCode } from './codes.js';
import { plainDate } from './dates.js';
import {
  analysisContext,
  measurePupil,
  type AnalysisContext,
  type AnalysisOptions,
  type PupilMarks,
  type PupilMeasures,
} from './measures.js';

/** A date for tests (throws on a malformed one). */
export const d = plainDate;

/** Valid UPNs from attendance-rules.md §7. */
export const UPN_A = 'B801200005001';
export const UPN_B = 'P330450024123';
export const UPN_C = 'L938214325007';
export const UPN_TEMP = 'Y33045002412T';

/** Compiles a calendar from `[start, end]` pairs and `[date, session]` closures; throws if it is invalid. */
export function buildCalendar(
  terms: readonly (readonly [string, string])[],
  closures: readonly (readonly [string, ClosureSession])[] = [],
): SchoolCalendar {
  const r = compileCalendar({
    terms: terms.map(([start, end], i) => ({ name: `Term ${i + 1}`, start: d(start), end: d(end) })),
    closures: closures.map(([date, session]) => ({ date: d(date), session, reason: 'closed' })),
  });
  if (!r.ok) throw new Error(`test calendar is invalid: ${r.issues.map((i) => i.message).join('; ')}`);
  return r.value;
}

/** Splits a compact mark string into codes (`''` for `.`, no mark). */
export function tokens(pattern: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === ' ' || ch === '|' || ch === '\n') continue;
    if (ch === '.') {
      out.push('');
      continue;
    }
    const next = pattern[i + 1];
    if (/[A-Z]/.test(ch) && next !== undefined && /[0-9]/.test(next)) {
      out.push(ch + next);
      i++;
    } else {
      out.push(ch);
    }
  }
  return out;
}

/** The session number a `'YYYY-MM-DD'` or `'YYYY-MM-DD PM'` start refers to (the first school session on or after it). */
export function sessionAt(cal: SchoolCalendar, at: string): number {
  const [date, half] = at.split(' ');
  let s = firstSessionOnOrAfter(cal, d(date!));
  if (half === 'PM' && s < cal.sessionCount && cal.sessionDate[s] === date && cal.sessionIsPM[s] === 0) s++;
  return s;
}

/**
 * Writes the codes of a pattern into `codes` over consecutive school sessions from `at`.
 * Each code is looked up as written on its session's date, so a pre-2024 code must fall before
 * 19 August 2024. Throws when the pattern runs past the calendar or a code is not valid.
 */
export function lay(cal: SchoolCalendar, codes: Uint8Array, at: string, pattern: string): Uint8Array {
  let s = sessionAt(cal, at);
  for (const code of tokens(pattern)) {
    if (s >= cal.sessionCount) throw new Error(`pattern runs past the end of the calendar at "${code}"`);
    if (code === '') {
      codes[s] = 0;
    } else {
      const found = lookupCode(code, cal.sessionDate[s]!);
      if (!found.ok) throw new Error(`test pattern: ${found.message}`);
      codes[s] = found.definition.id;
    }
    s++;
  }
  return codes;
}

/** A fresh mark array with every session present (`/` AM, `\` PM). */
export function allPresent(cal: SchoolCalendar): Uint8Array {
  const codes = new Uint8Array(cal.sessionCount);
  for (let s = 0; s < cal.sessionCount; s++) {
    const found = lookupCode(cal.sessionIsPM[s] === 1 ? '\\' : '/', cal.sessionDate[s]!);
    if (!found.ok) throw new Error(found.message);
    codes[s] = found.definition.id;
  }
  return codes;
}

/** Marks laid from the start of the calendar on a fresh array (no marks elsewhere). */
export function marksFrom(cal: SchoolCalendar, at: string, pattern: string): Uint8Array {
  return lay(cal, new Uint8Array(cal.sessionCount), at, pattern);
}

/** A pupil on roll for the whole calendar unless `from`/`to` dates say otherwise. */
export function pupilMarks(
  cal: SchoolCalendar,
  codes: Uint8Array,
  options: { from?: string; to?: string; minutesLate?: Uint16Array } = {},
): PupilMarks {
  return {
    codes,
    minutesLate: options.minutesLate,
    rollFrom: options.from === undefined ? 0 : firstSessionOnOrAfter(cal, d(options.from)),
    rollTo: options.to === undefined ? cal.sessionCount - 1 : lastSessionOnOrBefore(cal, d(options.to)),
  };
}

/** Builds the context and measures one pupil. */
export function measure(
  cal: SchoolCalendar,
  marks: PupilMarks | Uint8Array,
  options: { asOf: string; from?: string; minPossibleSessions?: number },
): { ctx: AnalysisContext; m: PupilMeasures; marks: PupilMarks } {
  const analysis: AnalysisOptions = {
    asOf: d(options.asOf),
    from: options.from === undefined ? undefined : d(options.from),
    minPossibleSessions: options.minPossibleSessions,
  };
  const ctx = analysisContext(cal, analysis);
  const pm = marks instanceof Uint8Array ? pupilMarks(cal, marks) : marks;
  return { ctx, m: measurePupil(cal, ctx, pm), marks: pm };
}

/** The code written at a session of a mark array (`''` when none). */
export function codeAt(codes: Uint8Array, s: number): string {
  const id = codes[s]!;
  return id === 0 ? '' : CODE_TABLE[id - 1]!.code;
}

/** A per-day pattern repeated for a number of school days, e.g. `repeatDays('OO', 10)`. */
export function repeatDays(dayPattern: string, days: number): string {
  return Array.from({ length: days }, () => dayPattern).join(' ');
}
