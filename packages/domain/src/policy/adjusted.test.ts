import { describe, expect, it } from 'vitest';
import { buildCalendar, d, lay, allPresent, measure, pupilMarks, repeatDays } from '../test-support.js';
import { adjustedAttendance, defaultIntegrationPeriod } from './adjusted.js';
import { reviewDueOn } from './review.js';

// Autumn term 2025: 3 Sep (Wed) to 19 Dec, half term 27–31 Oct.
const CAL = buildCalendar([
  ['2025-09-03', '2025-10-24'],
  ['2025-11-03', '2025-12-19'],
]);

describe('adjustedAttendance', () => {
  it('leaves the integration period out of the adjusted rate and reports the actual rate beside it', () => {
    // Joins 8 Sep; attends only mornings for the first two weeks (10 days), then every session.
    const codes = allPresent(CAL);
    lay(CAL, codes, '2025-09-08', repeatDays('/O', 10));
    const marks = pupilMarks(CAL, codes, { from: '2025-09-08' });
    const { ctx, m } = measure(CAL, marks, { asOf: '2025-10-03' });
    const period = { from: d('2025-09-08'), to: d('2025-09-19') };
    const r = adjustedAttendance(CAL, ctx, marks, period);
    // 20 school days on roll to 3 Oct: 40 possible sessions, 10 unauthorised.
    expect(r.actual).toEqual({ possible: 40, attended: 30, rate: 0.75 });
    expect(r.actual.rate).toBe(m.attendanceRate);
    expect(r.adjusted).toEqual({ possible: 20, attended: 20, rate: 1 });
    expect(r.excludedSessions).toBe(20);
    expect(r.explanation).toBe(
      'actual attendance 75.0% (30 of 40 sessions); adjusted 100.0% (20 of 20), leaving out 20 possible sessions of the integration period 2025-09-08 to 2025-09-19',
    );
  });

  it('gives the same rate twice without an integration period, and null with no possible sessions', () => {
    const marks = pupilMarks(CAL, allPresent(CAL));
    const { ctx } = measure(CAL, marks, { asOf: '2025-09-05' });
    const r = adjustedAttendance(CAL, ctx, marks, null);
    expect(r.adjusted).toEqual(r.actual);
    expect(r.explanation).toContain('no integration period');
    const all = adjustedAttendance(CAL, ctx, marks, { from: d('2025-09-01'), to: d('2025-09-30') });
    expect(all.adjusted).toEqual({ possible: 0, attended: 0, rate: null });
    expect(all.explanation).toContain('adjusted n/a');
  });

  it('sets a default integration period of N school weeks from joining, across a half term', () => {
    expect(defaultIntegrationPeriod(CAL, d('2025-09-08'), 6)).toEqual({ from: d('2025-09-08'), to: d('2025-10-17') });
    expect(defaultIntegrationPeriod(CAL, d('2025-10-20'), 2)).toEqual({ from: d('2025-10-20'), to: d('2025-11-07') });
    expect(defaultIntegrationPeriod(CAL, d('2026-01-05'), 4)).toBeNull();
    expect(defaultIntegrationPeriod(CAL, d('2025-09-08'), 0)).toBeNull();
  });
});

describe('reviewDueOn', () => {
  it('counts school weeks, skipping holidays, and lands on the first school day of the week', () => {
    expect(reviewDueOn(CAL, d('2025-09-03'), 0)).toBe('2025-09-03');
    expect(reviewDueOn(CAL, d('2025-10-08'), 4)).toBe('2025-11-10');
    expect(reviewDueOn(CAL, d('2025-10-25'), 1)).toBe('2025-11-10');
    expect(reviewDueOn(CAL, d('2025-12-01'), 6)).toBeNull();
  });
});
