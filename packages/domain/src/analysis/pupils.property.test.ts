import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lastSessionOnOrBefore } from '../calendar.js';
import { CURRENT_CODES } from '../codes.js';
import { measurePupil, analysisContext } from '../measures.js';
import { buildCalendar, d } from '../test-support.js';
import { projectPersistentAbsence } from './pupils.js';
import { weeklyTrend } from './trends.js';

const cal = buildCalendar(
  [
    ['2025-09-01', '2025-12-19'],
    ['2026-01-05', '2026-03-27'],
    ['2026-04-13', '2026-07-17'],
  ],
  [['2025-10-01', 'ALL']],
);
const id = (code: string): number => CURRENT_CODES.find((c) => c.code === code)!.id;
const codeArb = fc.oneof(
  { arbitrary: fc.constantFrom(id('/'), id('\\'), id('L')), weight: 8 },
  { arbitrary: fc.constantFrom(id('O'), id('I'), id('N'), id('U')), weight: 2 },
  { arbitrary: fc.constantFrom(...CURRENT_CODES.map((c) => c.id)), weight: 1 },
  { arbitrary: fc.constant(0), weight: 1 },
);
const asOfArb = fc.integer({ min: 0, max: cal.dayCount - 1 }).map((day) => cal.dayDate[day]!);
const pupilArb = fc
  .record({
    codes: fc.array(codeArb, { minLength: cal.sessionCount, maxLength: cal.sessionCount }),
    from: fc.integer({ min: 0, max: cal.sessionCount - 1 }),
    length: fc.integer({ min: 1, max: cal.sessionCount }),
  })
  .map(({ codes, from, length }) => ({
    id: 'p',
    marks: { codes: Uint8Array.from(codes), rollFrom: from, rollTo: from + length - 1 },
  }));

describe('the projection, as properties', () => {
  it('agrees with the measures now, lies between the rate so far and the recent rate, and counts sessions to spare exactly', () => {
    fc.assert(
      fc.property(pupilArb, asOfArb, fc.integer({ min: 1, max: 12 }), (pupil, asOf, recentWeeks) => {
        const p = projectPersistentAbsence(cal, [pupil], { asOf: d(asOf), recentWeeks });
        const m = measurePupil(cal, analysisContext(cal, { asOf: d(asOf) }), pupil.marks);
        if (m.possibleSessions === 0) {
          expect(p.rows).toEqual([]);
          return;
        }
        const row = p.rows[0]!;
        expect(row.possible).toBe(m.possibleSessions);
        expect(row.absence).toBe(m.authorisedAbsenceSessions + m.unauthorisedAbsenceSessions);
        expect(row.status === 'persistentNow').toBe(m.persistentAbsence);
        const recent = row.recentAbsenceRate ?? row.absenceRate!;
        const lo = Math.min(row.absenceRate!, recent) - 1e-12;
        const hi = Math.max(row.absenceRate!, recent) + 1e-12;
        expect(row.projectedAbsenceRate!).toBeGreaterThanOrEqual(lo);
        expect(row.projectedAbsenceRate!).toBeLessThanOrEqual(hi);
        const total = row.possible + row.remainingSessions;
        expect(row.remainingSessions).toBeLessThanOrEqual(p.remainingSchoolSessions);
        if (row.status !== 'persistentNow') {
          // Missing `spare` more keeps the pupil below 10%; one more reaches it.
          expect((row.absence + row.sessionsToSpare) * 10).toBeLessThan(total);
          expect((row.absence + row.sessionsToSpare + 1) * 10).toBeGreaterThanOrEqual(total);
        }
        expect(row.status === 'atRisk').toBe(!m.persistentAbsence && row.projectedAbsenceRate! >= 0.1 - 1e-12);
      }),
      { numRuns: 300 },
    );
  });

  it('weekly sessions add up to the measures of the year so far', () => {
    fc.assert(
      fc.property(fc.array(pupilArb, { minLength: 1, maxLength: 4 }), asOfArb, (pupils, asOf) => {
        const weeks = weeklyTrend(cal, pupils, { from: d('2025-08-01'), to: d(asOf) });
        const ctx = analysisContext(cal, { asOf: d(asOf) });
        const possible = pupils.reduce((n, p) => n + measurePupil(cal, ctx, p.marks).possibleSessions, 0);
        expect(weeks.reduce((n, w) => n + w.counts.possible, 0)).toBe(possible);
        expect(weeks.length).toBe(cal.sessionWeek[lastSessionOnOrBefore(cal, d(asOf))]! + 1);
      }),
      { numRuns: 100 },
    );
  });
});
