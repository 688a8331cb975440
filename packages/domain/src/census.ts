/**
 * The school census's attendance periods and age range, as the DfE defines them.
 *
 * @see https://explore-education-statistics.service.gov.uk/methodology/pupil-absence-in-schools-in-england
 *   §4.1, table 6 (read 2026-12-07): the spring census collects the autumn term, 1 August to
 *   31 December; the summer census the spring term, 1 January to Easter Sunday; the autumn census
 *   the summer term in two halves, Easter Monday to the Sunday before the spring bank holiday, and
 *   the spring bank holiday to 31 July.
 */
import { addDays, isoWeekday, type PlainDate } from './dates.js';

export type CensusPeriodName = 'autumn' | 'spring' | 'summer-1' | 'summer-2';

export const CENSUS_PERIODS: readonly CensusPeriodName[] = ['autumn', 'spring', 'summer-1', 'summer-2'];

export interface CensusPeriod {
  readonly name: CensusPeriodName;
  /** The academic year it belongs to, by the year it starts (2025 = 2025/26). */
  readonly academicYear: number;
  readonly from: PlainDate;
  readonly to: PlainDate;
  /** The census that collects it. */
  readonly census: 'spring' | 'summer' | 'autumn';
}

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

/**
 * Easter Sunday of a year (Gregorian calendar; the anonymous algorithm of 1876).
 *
 * @example easterSunday(2026) // '2026-04-05'
 */
export function easterSunday(year: number): PlainDate {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}` as PlainDate;
}

/**
 * The spring bank holiday: the last Monday in May.
 *
 * @example springBankHoliday(2026) // '2026-05-25'
 */
export function springBankHoliday(year: number): PlainDate {
  let d = `${pad(year, 4)}-05-31` as PlainDate;
  while (isoWeekday(d) !== 1) d = addDays(d, -1);
  return d;
}

/**
 * The dates of a census attendance period of an academic year.
 *
 * @example censusPeriod('spring', 2025) // { from: '2026-01-01', to: '2026-04-05', census: 'summer', … }
 */
export function censusPeriod(name: CensusPeriodName, academicYear: number): CensusPeriod {
  const next = academicYear + 1;
  switch (name) {
    case 'autumn':
      return {
        name,
        academicYear,
        from: `${pad(academicYear, 4)}-08-01` as PlainDate,
        to: `${pad(academicYear, 4)}-12-31` as PlainDate,
        census: 'spring',
      };
    case 'spring':
      return {
        name,
        academicYear,
        from: `${pad(next, 4)}-01-01` as PlainDate,
        to: easterSunday(next),
        census: 'summer',
      };
    case 'summer-1':
      return {
        name,
        academicYear,
        from: addDays(easterSunday(next), 1),
        to: addDays(springBankHoliday(next), -1),
        census: 'autumn',
      };
    case 'summer-2':
      return {
        name,
        academicYear,
        from: springBankHoliday(next),
        to: `${pad(next, 4)}-07-31` as PlainDate,
        census: 'autumn',
      };
  }
}

/** The census's attendance age range: pupils aged 4 to 15 on 31 August before the academic year (a reading: see docs/exports.md). */
export const CENSUS_AGE_MIN = 4;
export const CENSUS_AGE_MAX = 15;

/**
 * A pupil's age on 31 August at the start of an academic year.
 *
 * @example ageAtStartOfYear('2015-09-01', 2025) // 9
 */
export function ageAtStartOfYear(dateOfBirth: string, academicYear: number): number {
  const y = Number(dateOfBirth.slice(0, 4));
  const md = dateOfBirth.slice(5);
  return academicYear - y - (md > '08-31' ? 1 : 0);
}
