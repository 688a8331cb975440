import { describe, expect, it } from 'vitest';
import { allPresent, buildCalendar, d, lay, pupilMarks } from '../test-support.js';
import type { CohortPupil } from './cohort.js';
import { compareWithLastYear, halfTermTrend, weeklyTrend } from './trends.js';

const cal = buildCalendar([
  ['2025-09-01', '2025-10-24'],
  ['2025-11-03', '2025-12-19'],
]);
const lastYearCal = buildCalendar([
  ['2024-09-02', '2024-10-25'],
  ['2024-11-04', '2024-12-20'],
]);

function cohort(c: typeof cal, patterns: Record<string, [string, string][]>): CohortPupil[] {
  return Object.entries(patterns).map(([id, lays]) => {
    const codes = allPresent(c);
    for (const [at, p] of lays) lay(c, codes, at, p);
    return { id, marks: pupilMarks(c, codes) };
  });
}

describe('weekly trend', () => {
  const pupils = cohort(cal, { a: [], b: [['2025-09-01', 'II']] });
  const weeks = weeklyTrend(cal, pupils, { from: d('2025-08-01'), to: d('2025-09-12') });

  it('gives each school week its own rate and the year to date', () => {
    expect(weeks).toHaveLength(2);
    expect(weeks[0]).toMatchObject({ index: 1, start: '2025-09-01', end: '2025-09-05', rate: 18 / 20 });
    expect(weeks[0]!.counts).toEqual({ possible: 20, attended: 18, authorised: 2, unauthorised: 0 });
    expect(weeks[1]).toMatchObject({ index: 2, rate: 1, yearToDateRate: 38 / 40 });
  });

  it('ends a week in progress at the day asked', () => {
    const partial = weeklyTrend(cal, pupils, { from: d('2025-08-01'), to: d('2025-09-09') });
    expect(partial[1]!.counts.possible).toBe(8);
    expect(partial[1]!.end).toBe('2025-09-09');
  });

  it('is empty when the period has no school session', () => {
    expect(weeklyTrend(cal, pupils, { from: d('2025-08-01'), to: d('2025-08-20') })).toEqual([]);
  });

  it('ignores marks of pupils off roll', () => {
    const codes = allPresent(cal);
    lay(cal, codes, '2025-09-01', 'OO');
    const joined = [{ id: 'late-joiner', marks: pupilMarks(cal, codes, { from: '2025-09-08' }) }];
    expect(weeklyTrend(cal, joined, { from: d('2025-08-01'), to: d('2025-09-12') })[0]!.counts.possible).toBe(0);
  });
});

describe('half-term trend', () => {
  it('gives each calendar term, the current one up to the day asked', () => {
    const pupils = cohort(cal, { a: [['2025-11-03', 'OO']] });
    const terms = halfTermTrend(cal, pupils, { from: d('2025-08-01'), to: d('2025-11-07') });
    expect(terms.map((t) => t.label)).toEqual(['Term 1', 'Term 2']);
    expect(terms[0]!.rate).toBe(1);
    expect(terms[1]).toMatchObject({ start: '2025-11-03', end: '2025-11-07', rate: 8 / 10, unauthorisedRate: 2 / 10 });
  });
});

describe('against last year', () => {
  it('lines up week 1 with week 1 and gives the change in rate points', () => {
    const now = weeklyTrend(cal, cohort(cal, { a: [['2025-09-01', 'II']] }), {
      from: d('2025-08-01'),
      to: d('2025-09-19'),
    });
    const before = weeklyTrend(lastYearCal, cohort(lastYearCal, { a: [['2024-09-09', 'OOOO']] }), {
      from: d('2024-08-01'),
      to: d('2025-07-31'),
    });
    const rows = compareWithLastYear(now, before);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatchObject({ rate: 0.8, lastYearRate: 1 });
    expect(rows[0]!.change).toBeCloseTo(-0.2);
    expect(rows[1]!.change).toBeCloseTo(0.4);
    expect(rows[1]!.yearToDateRate).toBeCloseTo(18 / 20);
    expect(rows[1]!.lastYearToDateRate).toBeCloseTo(16 / 20);
    expect(rows[1]!.yearToDateChange).toBeCloseTo(0.1);
  });

  it('has no change where last year had no such week', () => {
    const now = weeklyTrend(cal, cohort(cal, { a: [] }), { from: d('2025-08-01'), to: d('2025-09-12') });
    expect(compareWithLastYear(now, [])[0]).toMatchObject({ lastYearRate: null, change: null, yearToDateChange: null });
  });
});
