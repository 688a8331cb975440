import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileCalendar, sessionIndex, sessionLabel, type ClosureSession, type SchoolCalendar } from './calendar.js';
import { CODE_TABLE, CURRENT_CODES } from './codes.js';
import { fromDayNumber, toDayNumber, type PlainDate } from './dates.js';
import { findingsFor } from './findings.js';
import {
  addTotals,
  analysisContext,
  createScratch,
  measurePupil,
  summarise,
  summariseCounts,
  summariseTotals,
  totalCounts,
  type PupilMarks,
  type PupilMeasures,
  type SummaryCounts,
} from './measures.js';
import { buildRoll, type MarkRow } from './roll.js';
import { UPN_A, UPN_B, UPN_C, UPN_TEMP, d } from './test-support.js';

const RUNS = { numRuns: 200 };

const id = (code: string): number => {
  const c = CURRENT_CODES.find((x) => x.code === code);
  if (!c) throw new Error(code);
  return c.id;
};
const PRESENT_IDS = ['/', '\\', 'L'].map(id);
const PENALTY_IDS = ['G', 'N', 'O', 'U'].map(id);
const ALL_IDS = CURRENT_CODES.map((c) => c.id);
const O_ID = id('O');
const PENALTY_SET = new Set(PENALTY_IDS);
const NOT_POSSIBLE_SET = new Set(CURRENT_CODES.filter((c) => !c.possible).map((c) => c.id));

/** A code id, weighted towards present marks and G/N/O/U; 0 is no mark. */
const codeArb = fc.oneof(
  { arbitrary: fc.constantFrom(...PRESENT_IDS), weight: 5 },
  { arbitrary: fc.constantFrom(...PENALTY_IDS), weight: 4 },
  { arbitrary: fc.constant(id('I')), weight: 1 },
  { arbitrary: fc.constantFrom(...ALL_IDS), weight: 2 },
  { arbitrary: fc.constant(0), weight: 1 },
);

/**
 * Pools of codes for runs of marks, so that long runs of absence (returns, deletion ground,
 * sickness) happen as well as scattered marks. A G/N/O/U run is sprinkled with not-possible days.
 */
const POOLS: readonly (readonly number[])[] = [
  PRESENT_IDS,
  [...PENALTY_IDS, ...PENALTY_IDS, ...PENALTY_IDS, id('Y1'), id('#')],
  ['G', 'N', 'O'].map(id),
  [id('I')],
  ALL_IDS,
  [0],
];

/** A mark array of length n made of runs drawn from the pools, or of independent codes. */
function codesArb(n: number): fc.Arbitrary<Uint8Array> {
  const scattered = fc.array(codeArb, { minLength: n, maxLength: n }).map((a) => Uint8Array.from(a));
  const runs = fc
    .record({
      blocks: fc.array(fc.record({ pool: fc.nat(POOLS.length - 1), length: fc.integer({ min: 1, max: 50 }) }), {
        minLength: 1,
        maxLength: 8,
      }),
      picks: fc.array(fc.nat(), { minLength: n, maxLength: n }),
    })
    .map(({ blocks, picks }) => {
      const out = new Uint8Array(n);
      let s = 0;
      for (let b = 0; s < n; b = (b + 1) % blocks.length) {
        const { pool, length } = blocks[b]!;
        const codes = POOLS[pool]!;
        for (let k = 0; k < length && s < n; k++, s++) out[s] = codes[picks[s]! % codes.length]!;
      }
      return out;
    });
  return fc.oneof(scattered, runs);
}

/** Day numbers from Monday 2 September 2024, so every 2024 code is valid. */
const BASE = toDayNumber(d('2024-09-02'));

/** 1–3 terms of up to ~9 weeks with holidays between them, and a few closures. */
const calendarArb: fc.Arbitrary<SchoolCalendar> = fc
  .record({
    firstGap: fc.integer({ min: 0, max: 6 }),
    terms: fc.array(fc.record({ length: fc.integer({ min: 0, max: 65 }), gap: fc.integer({ min: 0, max: 45 }) }), {
      minLength: 1,
      maxLength: 3,
    }),
    closures: fc.array(fc.record({ pick: fc.nat(), session: fc.constantFrom<ClosureSession>('AM', 'PM', 'ALL') }), {
      maxLength: 4,
    }),
  })
  .map(({ firstGap, terms, closures }) => {
    let cursor = BASE + firstGap;
    const termList = terms.map(({ length, gap }, i) => {
      const start = cursor;
      const end = start + length;
      cursor = end + 1 + gap;
      return { name: `T${i + 1}`, start: fromDayNumber(start), end: fromDayNumber(end) };
    });
    const open = compileCalendar({ terms: termList, closures: [] });
    if (!open.ok) throw new Error('generated terms must be valid');
    const days = open.value.dayDate;
    const closureList =
      days.length === 0
        ? []
        : closures.map(({ pick, session }) => ({ date: days[pick % days.length]!, session, reason: 'closed' }));
    const r = compileCalendar({ terms: termList, closures: closureList });
    if (!r.ok) throw new Error('generated closures must be valid');
    return r.value;
  });

interface Scenario {
  cal: SchoolCalendar;
  codes: Uint8Array;
  rollFrom: number;
  rollTo: number;
  asOf: PlainDate;
  from: PlainDate | undefined;
}

const lastDay = (cal: SchoolCalendar): number =>
  cal.sessionCount === 0 ? BASE : toDayNumber(cal.sessionDate[cal.sessionCount - 1]!);

function scenarioArb(code?: fc.Arbitrary<number>): fc.Arbitrary<Scenario> {
  return calendarArb.chain((cal) => {
    const n = cal.sessionCount;
    const span = lastDay(cal) - BASE;
    const roll = fc.oneof(
      { arbitrary: fc.constant([0, n - 1] as const), weight: 3 },
      {
        arbitrary: fc
          .tuple(fc.integer({ min: 0, max: n }), fc.integer({ min: 0, max: n }))
          .map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const),
        weight: 2,
      },
      { arbitrary: fc.tuple(fc.integer({ min: -2, max: n + 2 }), fc.integer({ min: -2, max: n + 3 })), weight: 1 },
    );
    return fc
      .record({
        cal: fc.constant(cal),
        codes: code ? fc.array(code, { minLength: n, maxLength: n }).map((a) => Uint8Array.from(a)) : codesArb(n),
        roll,
        asOf: fc
          .oneof(
            { arbitrary: fc.constant(span), weight: 2 },
            { arbitrary: fc.integer({ min: -5, max: span + 20 }), weight: 3 },
          )
          .map((k) => fromDayNumber(BASE + k)),
        from: fc.oneof(
          { arbitrary: fc.constant(undefined), weight: 3 },
          { arbitrary: fc.integer({ min: -40, max: span }).map((k) => fromDayNumber(BASE + k)), weight: 1 },
        ),
      })
      .map(({ roll: [rollFrom, rollTo], ...rest }) => ({ ...rest, rollFrom, rollTo }));
  });
}

function run(sc: Scenario, codes: Uint8Array = sc.codes): { m: PupilMeasures; marks: PupilMarks } {
  const ctx = analysisContext(sc.cal, { asOf: sc.asOf, from: sc.from });
  const marks: PupilMarks = { codes, rollFrom: sc.rollFrom, rollTo: sc.rollTo };
  return { m: measurePupil(sc.cal, ctx, marks), marks };
}

const longestRun = (m: PupilMeasures): number => Math.max(0, ...m.attendanceReturn.periods.map((p) => p.schoolDays));

describe('measures: properties', () => {
  it('keeps every rate within [0, 1], null exactly when nothing is possible', () => {
    fc.assert(
      fc.property(scenarioArb(), (sc) => {
        const { m } = run(sc);
        for (const r of [m.attendanceRate, m.absenceRate, m.authorisedAbsenceRate, m.unauthorisedAbsenceRate]) {
          if (m.possibleSessions === 0) expect(r).toBeNull();
          else {
            expect(r).not.toBeNull();
            expect(r!).toBeGreaterThanOrEqual(0);
            expect(r!).toBeLessThanOrEqual(1);
          }
        }
        if (m.possibleSessions > 0) expect(m.attendanceRate! + m.absenceRate!).toBeCloseTo(1, 9);
      }),
      RUNS,
    );
  });

  it('adds present, approved activity, authorised and unauthorised up to possible', () => {
    fc.assert(
      fc.property(scenarioArb(), (sc) => {
        const { m } = run(sc);
        expect(
          m.presentSessions + m.approvedActivitySessions + m.authorisedAbsenceSessions + m.unauthorisedAbsenceSessions,
        ).toBe(m.possibleSessions);
      }),
      RUNS,
    );
  });

  it('accounts for every session on roll in the period as possible, not possible or missing', () => {
    fc.assert(
      fc.property(scenarioArb(), (sc) => {
        const { m } = run(sc);
        const year = Number(sc.asOf.slice(0, 4));
        const periodFrom = sc.from ?? `${Number(sc.asOf.slice(5, 7)) >= 8 ? year : year - 1}-08-01`;
        let onRoll = 0;
        let weeks = new Set<number>();
        for (let s = 0; s < sc.cal.sessionCount; s++) {
          const date = sc.cal.sessionDate[s]!;
          if (s >= sc.rollFrom && s <= sc.rollTo && date >= periodFrom && date <= sc.asOf) {
            onRoll++;
            weeks = weeks.add(sc.cal.sessionWeek[s]!);
          }
        }
        expect(m.possibleSessions + m.notPossibleSessions + m.missingMarks).toBe(onRoll);
        expect(m.schoolWeeksOnRoll).toBe(weeks.size);
        expect(m.brokenWeeks).toBeLessThanOrEqual(m.schoolWeeksOnRoll);
        expect(m.sicknessReturn.cumulativeSchoolDays).toBe((m.codeCounts['I'] ?? 0) / 2);
        expect(Object.values(m.codeCounts).reduce((a, b) => a + b, 0)).toBe(onRoll - m.missingMarks);
      }),
      RUNS,
    );
  });

  it('agrees with a naive reading of the penalty-notice window and the attendance-return runs', () => {
    fc.assert(
      fc.property(scenarioArb(), (sc) => {
        const { m } = run(sc);
        const { cal, codes } = sc;
        let asOfSession = -1;
        for (let s = 0; s < cal.sessionCount; s++) if (cal.sessionDate[s]! <= sc.asOf) asOfSession = s;
        const first = Math.max(0, sc.rollFrom);
        const last = Math.min(asOfSession, sc.rollTo, cal.sessionCount - 1);
        // Penalty: the first session at which the 10 school weeks ending with its week hold 10 G/N/O/U.
        let firstMet = -1;
        for (let s = first; s <= last && firstMet < 0; s++) {
          if (!PENALTY_SET.has(codes[s]!)) continue;
          let count = 0;
          for (let t = first; t <= s; t++) {
            if (PENALTY_SET.has(codes[t]!) && cal.sessionWeek[t]! > cal.sessionWeek[s]! - 10) count++;
          }
          if (count >= 10) firstMet = s;
        }
        expect(m.penaltyNotice.thresholdMet).toBe(firstMet >= 0);
        expect(m.penaltyNotice.firstMetOn).toBe(firstMet >= 0 ? cal.sessionDate[firstMet] : null);
        expect(m.penaltyNotice.firstMetSession).toBe(firstMet >= 0 ? sessionLabel(cal, firstMet) : null);
        let current = 0;
        if (asOfSession >= 0) {
          const w = cal.sessionWeek[asOfSession]!;
          for (let t = first; t <= last; t++) if (PENALTY_SET.has(codes[t]!) && cal.sessionWeek[t]! > w - 10) current++;
        }
        expect(m.penaltyNotice.currentWindowSessions).toBe(current);
        // Attendance return: runs of school days whose possible sessions are all G/N/O/U.
        const periods: { start: string; end: string; schoolDays: number }[] = [];
        let runStart = '';
        let runEnd = '';
        let runDays = 0;
        const close = (): void => {
          if (runDays >= 10) periods.push({ start: runStart, end: runEnd, schoolDays: runDays });
          runDays = 0;
        };
        for (let day = 0; day < cal.dayCount; day++) {
          const sessions: number[] = [];
          for (let s = cal.dayFirstSession[day]!; s < cal.dayFirstSession[day + 1]!; s++)
            if (s >= first && s <= last) sessions.push(s);
          const possible = sessions.filter((s) => codes[s]! !== 0 && !NOT_POSSIBLE_SET.has(codes[s]!));
          if (possible.length === 0) continue;
          if (possible.every((s) => PENALTY_SET.has(codes[s]!))) {
            if (runDays === 0) runStart = cal.dayDate[day]!;
            runEnd = cal.dayDate[day]!;
            runDays++;
          } else close();
        }
        close();
        expect(m.attendanceReturn.periods).toEqual(periods);
      }),
      RUNS,
    );
  });

  it('does not depend on the order of the input rows', () => {
    const upns = [UPN_A, UPN_B, UPN_C, UPN_TEMP];
    const arb = calendarArb
      .chain((cal) =>
        fc.record({
          cal: fc.constant(cal),
          pupils: fc.array(codesArb(cal.sessionCount), { minLength: 1, maxLength: 3 }),
          asOf: fc.integer({ min: 0, max: lastDay(cal) - BASE + 5 }).map((k) => fromDayNumber(BASE + k)),
        }),
      )
      .chain((sc) => {
        const rows: MarkRow[] = [];
        sc.pupils.forEach((codes, p) =>
          codes.forEach((c, s) => {
            if (c === 0) return;
            rows.push({
              line: rows.length + 2,
              upn: upns[p]!,
              date: sc.cal.sessionDate[s]!,
              session: sessionLabel(sc.cal, s),
              code: CURRENT_CODES.find((x) => x.id === c)!.code,
            });
          }),
        );
        return fc
          .shuffledSubarray(rows, { minLength: rows.length, maxLength: rows.length })
          .map((shuffled) => ({ ...sc, rows, shuffled }));
      });
    fc.assert(
      fc.property(arb, ({ cal, rows, shuffled, asOf }) => {
        const a = buildRoll(cal, rows);
        const b = buildRoll(cal, shuffled);
        expect(a.issues).toEqual([]);
        expect(b.issues).toEqual([]);
        expect(b.pupils).toEqual(a.pupils);
        const ctx = analysisContext(cal, { asOf });
        const ma = a.pupils.map((p) => measurePupil(cal, ctx, p.marks));
        const mb = b.pupils.map((p) => measurePupil(cal, ctx, p.marks));
        expect(mb).toEqual(ma);
        expect(summarise(mb)).toEqual(summarise(ma));
      }),
      RUNS,
    );
  });

  it('never lessens the penalty window, the threshold or the longest return run when a present mark becomes O', () => {
    fc.assert(
      fc.property(scenarioArb(), fc.nat(), (sc, pick) => {
        const present: number[] = [];
        sc.codes.forEach((c, s) => {
          if (PRESENT_IDS.includes(c)) present.push(s);
        });
        fc.pre(present.length > 0);
        const changed = Uint8Array.from(sc.codes);
        changed[present[pick % present.length]!] = O_ID;
        const before = run(sc).m;
        const after = run(sc, changed).m;
        expect(after.penaltyNotice.currentWindowSessions).toBeGreaterThanOrEqual(
          before.penaltyNotice.currentWindowSessions,
        );
        if (before.penaltyNotice.thresholdMet) {
          expect(after.penaltyNotice.thresholdMet).toBe(true);
          const at = (p: PupilMeasures['penaltyNotice']): number =>
            sessionIndex(sc.cal, p.firstMetOn!, p.firstMetSession!);
          expect(at(after.penaltyNotice)).toBeLessThanOrEqual(at(before.penaltyNotice));
        }
        expect(longestRun(after)).toBeGreaterThanOrEqual(longestRun(before));
        expect(after.unauthorisedAbsenceSessions).toBeGreaterThanOrEqual(before.unauthorisedAbsenceSessions);
      }),
      RUNS,
    );
  });

  it('finds nothing for a pupil with only present marks', () => {
    fc.assert(
      fc.property(scenarioArb(fc.constantFrom(...PRESENT_IDS)), (sc) => {
        const ctx = analysisContext(sc.cal, { asOf: sc.asOf, from: sc.from });
        const marks: PupilMarks = { codes: sc.codes, rollFrom: sc.rollFrom, rollTo: sc.rollTo };
        const m = measurePupil(sc.cal, ctx, marks);
        expect(findingsFor(sc.cal, ctx, marks, m)).toEqual([]);
        expect(m.persistentAbsence).toBe(false);
        expect(m.severeAbsence).toBe(false);
        expect(m.attendanceReturn.periods).toEqual([]);
        expect(m.deletionGround20Days.periods).toEqual([]);
        expect(m.penaltyNotice.thresholdMet).toBe(false);
        expect(m.brokenWeeks).toBe(0);
        if (m.possibleSessions > 0) expect(m.attendanceRate).toBe(1);
      }),
      RUNS,
    );
  });

  it('summarises a cohort by adding sessions', () => {
    fc.assert(
      fc.property(fc.array(scenarioArb(), { minLength: 0, maxLength: 4 }), (scs) => {
        const ms = scs.map((sc) => run(sc).m);
        const s = summarise(ms);
        const possible = ms.reduce((a, m) => a + m.possibleSessions, 0);
        const absent = ms.reduce((a, m) => a + m.authorisedAbsenceSessions + m.unauthorisedAbsenceSessions, 0);
        const withPossible = ms.filter((m) => m.possibleSessions > 0).length;
        expect(s.pupils).toBe(ms.length);
        expect(s.possibleSessions).toBe(possible);
        expect(s.absenceRate).toBe(possible > 0 ? absent / possible : null);
        expect(s.persistentAbsenceRate).toBe(
          withPossible > 0 ? ms.filter((m) => m.persistentAbsence).length / withPossible : null,
        );
      }),
      { numRuns: 50 },
    );
  });
});

describe('summary totals', () => {
  const countsArb: fc.Arbitrary<SummaryCounts> = fc
    .record({
      attended: fc.nat(400),
      authorised: fc.nat(100),
      unauthorised: fc.nat(100),
      pa: fc.boolean(),
      sa: fc.boolean(),
    })
    .map((c) => ({ ...c, possible: c.attended + c.authorised + c.unauthorised }));

  it('the totals of parts (schools) add up to the summary of all their pupils', () => {
    fc.assert(
      fc.property(fc.array(fc.array(countsArb, { maxLength: 20 }), { maxLength: 6 }), (parts) => {
        const all = parts.flat();
        expect(summariseTotals(addTotals(parts.map(totalCounts)))).toEqual(summariseCounts(all));
        for (const part of parts) expect(summariseTotals(totalCounts(part))).toEqual(summariseCounts(part));
      }),
      RUNS,
    );
  });
});

describe('measures: present days read four marks at a time', () => {
  // measurePupil counts whole 32-bit words of present days ("/" then "\\" of the 2024 set) at
  // once (decision 0004). The 2006 set's "/" and "\\" mean the same but are other ids, so the
  // same marks written with them are read one by one: the two readings must agree, wherever the
  // marks start in their buffer and whichever buffer the scratch saw last.
  const codeOf = (code: string, set: '2006' | '2024'): number =>
    CODE_TABLE.find((c) => c.code === code && c.codeSet === set)!.id;
  const AM = codeOf('/', '2024');
  const PM = codeOf('\\', '2024');
  const OLD: Record<number, number> = { [AM]: codeOf('/', '2006'), [PM]: codeOf('\\', '2006') };

  /** Eight school weeks from Monday 1 September 2025, measured as of their last day. */
  const autumnHalfTerm = () => {
    const compiled = compileCalendar({
      terms: [{ name: 'Autumn 1', start: d('2025-09-01'), end: d('2025-10-24') }],
      closures: [],
    });
    if (!compiled.ok) throw new Error('calendar');
    const cal = compiled.value;
    return { cal, n: cal.sessionCount, ctx: analysisContext(cal, { asOf: d('2025-10-24') }) };
  };

  it('gives the same measures and findings at every byte offset as the marks read one by one', () => {
    fc.assert(
      fc.property(
        scenarioArb(),
        fc.array(fc.integer({ min: 0, max: 99 }), { minLength: 1, maxLength: 400 }),
        fc.integer({ min: 0, max: 100 }),
        (sc, picks, presentShare) => {
          // Mostly whole present days (the right code for the session), the scenario's marks between.
          const n = sc.cal.sessionCount;
          // Whole days: a present day between two absences ends every run of them.
          const codes = Uint8Array.from(sc.codes, (c, s) =>
            picks[sc.cal.sessionDay[s]! % picks.length]! < presentShare ? (sc.cal.sessionIsPM[s] === 1 ? PM : AM) : c,
          );
          const oneByOne = Uint8Array.from(codes, (c) => OLD[c] ?? c);
          const ctx = analysisContext(sc.cal, { asOf: sc.asOf, from: sc.from });
          const expected = measurePupil(sc.cal, ctx, { codes: oneByOne, rollFrom: sc.rollFrom, rollTo: sc.rollTo });
          const expectedFindings = findingsFor(
            sc.cal,
            ctx,
            { codes: oneByOne, rollFrom: sc.rollFrom, rollTo: sc.rollTo },
            expected,
          );
          const scratch = createScratch(sc.cal);
          // One buffer for the four placings, as pupils laid side by side share one (the kept
          // scratch then reuses its view of it), with whole present days before and after each
          // placing, so that reading a byte outside the pupil's marks would count.
          const stride = n + 16;
          const buffer = new Uint8Array(stride * 4);
          for (let b = 0; b < buffer.length; b++) buffer[b] = b % 2 === 0 ? AM : PM;
          for (let offset = 0; offset < 4; offset++) {
            const at = offset * stride + 8 + offset;
            buffer.set(codes, at);
            const marks: PupilMarks = {
              codes: buffer.subarray(at, at + n),
              rollFrom: sc.rollFrom,
              rollTo: sc.rollTo,
            };
            // A fresh scratch, and one kept across buffers (as measuring many pupils does).
            const fresh = measurePupil(sc.cal, ctx, marks);
            const kept = measurePupil(sc.cal, ctx, marks, scratch);
            expect(fresh).toEqual(expected);
            expect(kept).toEqual(expected);
            expect(JSON.stringify(kept.codeCounts)).toBe(JSON.stringify(expected.codeCounts));
            expect(findingsFor(sc.cal, ctx, marks, kept)).toEqual(expectedFindings);
          }
        },
      ),
      RUNS,
    );
  });

  it('reads present days laid out in either order within a word (a pupil on roll from an afternoon)', () => {
    // Two present days from a PM start: "\\ / \\ /" words; an O in the middle.
    const { cal, n, ctx } = autumnHalfTerm();
    const codes = Uint8Array.from({ length: n }, (_, s) => (cal.sessionIsPM[s] === 1 ? PM : AM));
    codes[41] = id('O');
    const m = measurePupil(cal, ctx, { codes, rollFrom: 1, rollTo: n - 1 });
    expect(m.codeCounts).toEqual({ '/': (n - 2) / 2, '\\': (n - 2) / 2, O: 1 });
    expect(m.presentSessions).toBe(n - 2);
    expect(m.unauthorisedAbsenceSessions).toBe(1);
  });

  it("never reads past the end of a pupil's marks into the next pupil's", () => {
    // Marks shorter than the calendar (a caller's mistake) followed in their buffer by another
    // pupil's present days: the words stop at the marks' end.
    const { cal, n, ctx } = autumnHalfTerm();
    const buffer = Uint8Array.from({ length: 2 * n }, (_, b) => (b % 2 === 0 ? AM : PM));
    buffer.fill(id('O'), 0, 70);
    const m = measurePupil(cal, ctx, { codes: buffer.subarray(0, 72), rollFrom: 0, rollTo: n - 1 });
    expect(m.unauthorisedAbsenceSessions).toBe(70);
    expect(m.presentSessions).toBe(2);
    expect(m.possibleSessions).toBe(72);
  });

  it('ends a run of absence at two present days read as one word', () => {
    // 8 school days of O, 2 present days (4 marks: one word at offset 0), 8 days of O: two runs of
    // 8 days, so no attendance return (10 days); the 16 days of O would be one if the present
    // days were missed.
    const { cal, n, ctx } = autumnHalfTerm();
    const codes = Uint8Array.from({ length: n }, (_, s) => (cal.sessionIsPM[s] === 1 ? PM : AM));
    codes.fill(id('O'), 0, 16);
    codes.fill(id('O'), 20, 36);
    const m = measurePupil(cal, ctx, { codes, rollFrom: 0, rollTo: n - 1 });
    expect(m.attendanceReturn.periods).toEqual([]);
    expect(m.unauthorisedAbsenceSessions).toBe(32);
  });
});
