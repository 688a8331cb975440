import { addDays, compileCalendar, easterSunday, isoWeekday, plainDate, type PlainDate } from '@rollcall/domain';
import { describe, expect, it } from 'vitest';
import { demoYear, londonToUtc, PUPIL_DAYS_PER_YEAR } from './calendar.js';

const d = plainDate;

describe('demoYear', () => {
  it('gives the 2026/27 terms for a day in November 2026', () => {
    const y = demoYear(d('2026-11-25'));
    expect(y.label).toBe('2026/27');
    expect(y.terms.map((t) => [t.name, t.start, t.end])).toEqual([
      ['Autumn 1', '2026-09-01', '2026-10-23'],
      ['Autumn 2', '2026-11-02', '2026-12-18'],
      ['Spring 1', '2027-01-04', '2027-02-12'],
      ['Spring 2', '2027-02-22', '2027-03-19'],
      ['Summer 1', '2027-04-05', '2027-05-28'],
      ['Summer 2', '2027-06-07', '2027-07-20'],
    ]);
    expect(y.closures.map((c) => `${c.date} ${c.reason}`)).toEqual([
      '2026-09-01 INSET day',
      '2026-11-02 INSET day',
      '2027-01-04 INSET day',
      '2027-05-03 Early May bank holiday',
      '2027-06-07 INSET day',
      '2027-07-20 INSET day',
    ]);
  });

  it('takes the academic year from 1 August', () => {
    expect(demoYear(d('2027-07-31')).label).toBe('2026/27');
    expect(demoYear(d('2027-08-01')).label).toBe('2027/28');
  });

  for (let first = 2024; first <= 2040; first++) {
    it(`compiles to 190 pupil days with no bank holiday in term in ${first}/${(first + 1) % 100}`, () => {
      const y = demoYear(d(`${first}-10-01`));
      const r = compileCalendar({ terms: y.terms, closures: y.closures });
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(r.value.dayCount).toBe(PUPIL_DAYS_PER_YEAR);
      expect(r.value.sessionCount).toBe(2 * PUPIL_DAYS_PER_YEAR);
      const easter = easterSunday(first + 1);
      let springBank = d(`${first + 1}-05-31`);
      while (isoWeekday(springBank) !== 1) springBank = addDays(springBank, -1);
      const bankHolidays = [
        d(`${first}-12-25`),
        d(`${first}-12-26`),
        d(`${first + 1}-01-01`),
        addDays(easter, -2),
        addDays(easter, 1),
        springBank,
      ];
      for (const bh of bankHolidays) expect(r.value.dayByDate.has(bh)).toBe(false);
      for (const date of r.value.dayDate) expect(isoWeekday(date)).toBeLessThanOrEqual(5);
      // Every term starts on a weekday and school starts in early September.
      expect(y.terms[0]!.start >= `${first}-09-01`).toBe(true);
      expect(y.terms[0]!.start <= `${first}-09-03`).toBe(true);
      expect(y.terms[5]!.end >= `${first + 1}-07-14`).toBe(true);
      expect(y.terms[5]!.end <= `${first + 1}-07-25`).toBe(true);
    });
  }
});

describe('easterSunday', () => {
  it.each([
    [2025, '2025-04-20'],
    [2026, '2026-04-05'],
    [2027, '2027-03-28'],
    [2038, '2038-04-25'],
    [2285, '2285-03-22'],
  ])('%i → %s', (year, expected) => {
    expect(easterSunday(year)).toBe(expected as PlainDate);
  });
});

describe('londonToUtc', () => {
  it('subtracts an hour in British Summer Time only', () => {
    expect(londonToUtc(d('2026-09-02'), '08:50')).toBe('2026-09-02T07:50:00.000Z');
    expect(londonToUtc(d('2026-11-25'), '08:50', 3)).toBe('2026-11-25T08:53:00.000Z');
    expect(londonToUtc(d('2027-03-26'), '13:00')).toBe('2027-03-26T13:00:00.000Z');
    expect(londonToUtc(d('2027-03-29'), '13:00')).toBe('2027-03-29T12:00:00.000Z');
    expect(londonToUtc(d('2026-10-23'), '09:00')).toBe('2026-10-23T08:00:00.000Z');
    expect(londonToUtc(d('2026-10-26'), '09:00')).toBe('2026-10-26T09:00:00.000Z');
  });
});
