import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileCalendar, type SchoolCalendar } from './calendar.js';
import { CURRENT_CODES } from './codes.js';
import { fromDayNumber, toDayNumber } from './dates.js';
import { analysisContext, measurePupil, type PupilMeasures } from './measures.js';
import { absenceFlags, changeSessionCode, countedSessions, type PeriodCounts } from './period-counts.js';
import { d } from './test-support.js';

const BASE = toDayNumber(d('2024-09-02'));
const ALL_IDS = [0, ...CURRENT_CODES.map((c) => c.id)];

/** Two terms with a holiday between them (long enough for changes anywhere, short enough to be quick). */
const calendarArb: fc.Arbitrary<SchoolCalendar> = fc
  .tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 40 }))
  .map(([a, gap, b]) => {
    const r = compileCalendar({
      terms: [
        { name: 'T1', start: fromDayNumber(BASE), end: fromDayNumber(BASE + a) },
        { name: 'T2', start: fromDayNumber(BASE + a + 1 + gap), end: fromDayNumber(BASE + a + 1 + gap + b) },
      ],
      closures: [],
    });
    if (!r.ok) throw new Error('generated terms must be valid');
    return r.value;
  });

const counts = (m: PupilMeasures): PeriodCounts => ({
  possible: m.possibleSessions,
  attended: m.presentSessions + m.approvedActivitySessions,
  authorised: m.authorisedAbsenceSessions,
  unauthorised: m.unauthorisedAbsenceSessions,
});

describe('period counts: a changed mark laid over a pupil’s counts', () => {
  it('gives the counts, PA and SA of measuring the changed marks again', () => {
    const scenario = calendarArb.chain((cal) => {
      const n = cal.sessionCount;
      const span = n === 0 ? 0 : toDayNumber(cal.sessionDate[n - 1]!) - BASE;
      return fc.record({
        cal: fc.constant(cal),
        codes: fc.array(fc.constantFrom(...ALL_IDS), { minLength: n, maxLength: n }),
        roll: fc.tuple(fc.integer({ min: -2, max: n + 2 }), fc.integer({ min: -2, max: n + 3 })),
        asOf: fc.integer({ min: -5, max: span + 5 }).map((k) => fromDayNumber(BASE + k)),
        from: fc.option(
          fc.integer({ min: -5, max: span }).map((k) => fromDayNumber(BASE + k)),
          { nil: undefined },
        ),
        minPossibleSessions: fc.constantFrom(0, 0, 1, 10, 40),
        changes: fc.array(fc.tuple(fc.nat(), fc.constantFrom(...ALL_IDS)), { maxLength: 12 }),
      });
    });
    fc.assert(
      fc.property(scenario, (sc) => {
        const { cal, roll, minPossibleSessions } = sc;
        const ctx = analysisContext(cal, { asOf: sc.asOf, from: sc.from, minPossibleSessions });
        const before = Uint8Array.from(sc.codes);
        const marks = { rollFrom: roll[0], rollTo: roll[1] };
        const kept = counts(measurePupil(cal, ctx, { ...marks, codes: before }));
        const after = Uint8Array.from(before);
        const { first, last } = countedSessions(ctx, marks, cal.sessionCount);
        for (const [pick, code] of sc.changes) {
          if (cal.sessionCount === 0) break;
          const s = pick % cal.sessionCount;
          // Only sessions measured are laid over the counts; the others change nothing counted.
          if (s >= first && s <= last) changeSessionCode(kept, after[s]!, code);
          after[s] = code;
        }
        const again = measurePupil(cal, ctx, { ...marks, codes: after });
        expect(kept).toEqual(counts(again));
        expect(absenceFlags(kept, minPossibleSessions)).toEqual({
          pa: again.persistentAbsence,
          sa: again.severeAbsence,
        });
      }),
      { numRuns: 300 },
    );
  });
});
