import { describe, expect, it } from 'vitest';
import {
  academicYearOf,
  addDays,
  dateInWords,
  compareDates,
  fromDayNumber,
  isPlainDate,
  isWeekday,
  isoWeekday,
  mondayOf,
  parsePlainDate,
  plainDate,
  toDayNumber,
} from './dates.js';

const d = plainDate;

describe('toDayNumber and fromDayNumber', () => {
  it.each([
    ['1970-01-01', 0],
    ['1970-01-02', 1],
    ['1969-12-31', -1],
    ['1970-03-01', 59],
    ['2000-01-01', 10957],
    ['2000-03-01', 11017], // 2000 is a leap year: 31 + 29 days after 1 January
    ['1900-03-01', -25508], // 1900 is not: 70 years back (17 leap days) less 31 + 28
  ] as const)('%s is day %i', (date, n) => {
    expect(toDayNumber(d(date))).toBe(n);
    expect(fromDayNumber(n)).toBe(date);
  });

  it('walks day by day through two centuries exactly like a hand-written calendar', () => {
    const dim = (y: number, m: number): number =>
      m === 2 ? ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31;
    let y = 1900;
    let m = 1;
    let day = 1;
    let n = toDayNumber(d('1900-01-01'));
    const fmt = (): string => `${y}-${String(m).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
    const wrong: string[] = [];
    while (y < 2101) {
      if (fromDayNumber(n) !== fmt() || toDayNumber(d(fmt())) !== n) wrong.push(fmt());
      n++;
      day++;
      if (day > dim(y, m)) {
        day = 1;
        m++;
        if (m > 12) {
          m = 1;
          y++;
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(n).toBe(toDayNumber(d('2101-01-01')));
  });

  it('knows leap days', () => {
    expect(addDays(d('2024-02-28'), 1)).toBe('2024-02-29');
    expect(addDays(d('2025-02-28'), 1)).toBe('2025-03-01');
    expect(addDays(d('2000-02-28'), 1)).toBe('2000-02-29');
    expect(addDays(d('2100-02-28'), 1)).toBe('2100-03-01');
    expect(addDays(d('2024-03-01'), -1)).toBe('2024-02-29');
    expect(addDays(d('2025-12-31'), 1)).toBe('2026-01-01');
    expect(addDays(d('2025-01-10'), 0)).toBe('2025-01-10');
  });
});

describe('weekdays and weeks', () => {
  it.each([
    ['1970-01-01', 4],
    ['2025-09-01', 1],
    ['2024-02-29', 4],
    ['2026-02-13', 5],
    ['2000-01-01', 6],
    ['2023-12-31', 7],
  ] as const)('%s is ISO weekday %i', (date, wd) => {
    expect(isoWeekday(d(date))).toBe(wd);
    expect(isWeekday(d(date))).toBe(wd <= 5);
  });

  it.each([
    ['2025-09-01', '2025-09-01'],
    ['2025-09-05', '2025-09-01'],
    ['2025-09-07', '2025-09-01'],
    ['2026-01-01', '2025-12-29'],
    ['2024-03-03', '2024-02-26'],
  ] as const)('the Monday of %s is %s', (date, monday) => {
    expect(mondayOf(d(date))).toBe(monday);
  });
});

describe('academicYearOf', () => {
  it.each([
    ['2025-08-01', '2025-08-01', '2026-07-31', '2025/26'],
    ['2025-07-31', '2024-08-01', '2025-07-31', '2024/25'],
    ['2026-02-13', '2025-08-01', '2026-07-31', '2025/26'],
    ['2025-12-31', '2025-08-01', '2026-07-31', '2025/26'],
    ['2000-01-15', '1999-08-01', '2000-07-31', '1999/00'],
  ] as const)('%s is in %s to %s (%s)', (date, start, end, label) => {
    expect(academicYearOf(d(date))).toEqual({ start, end, label });
  });
});

describe('isPlainDate', () => {
  it.each(['2024-02-29', '2000-02-29', '2025-12-31', '2025-01-01', '1900-01-01'])('accepts %s', (v) => {
    expect(isPlainDate(v)).toBe(true);
    expect(parsePlainDate(v)).toBe(v);
  });

  it.each([
    '2025-02-29',
    '1900-02-29',
    '2100-02-29',
    '2025-13-01',
    '2025-00-10',
    '2025-04-31',
    '2025-01-00',
    '2025-1-01',
    '2025-01-1',
    '25-01-01',
    '2025/01/01',
    '2025-01-01T00:00',
    ' 2025-01-01',
    '',
  ])('rejects %j', (v) => {
    expect(isPlainDate(v)).toBe(false);
    expect(parsePlainDate(v)).toBeUndefined();
    expect(() => plainDate(v)).toThrow();
  });
});

describe('compareDates', () => {
  it('orders dates', () => {
    expect(compareDates(d('2025-01-02'), d('2025-01-10'))).toBe(-1);
    expect(compareDates(d('2025-01-10'), d('2025-01-02'))).toBe(1);
    expect(compareDates(d('2025-01-10'), d('2025-01-10'))).toBe(0);
  });
});

describe('dateInWords', () => {
  it.each([
    [{}, '8 September 2025'],
    [{ weekday: true }, 'Monday 8 September 2025'],
    [{ weekday: true, short: true, year: false }, 'Mon 8 Sep'],
    [{ short: true }, '8 Sep 2025'],
  ])('writes 2025-09-08 with %j as %s', (opts, expected) => {
    expect(dateInWords(plainDate('2025-09-08'), opts)).toBe(expected);
  });

  it('names the weekday right across a leap day', () => {
    expect(dateInWords(plainDate('2024-02-29'), { weekday: true })).toBe('Thursday 29 February 2024');
    expect(dateInWords(plainDate('2024-03-01'), { weekday: true })).toBe('Friday 1 March 2024');
  });
});
