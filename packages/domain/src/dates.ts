/**
 * Plain calendar dates as `'YYYY-MM-DD'` strings. No JS `Date` objects escape this module and
 * nothing here reads the clock: "today" is always an argument.
 */

/** A calendar date written `YYYY-MM-DD`. Branded so a stray string is not taken for a date. */
export type PlainDate = string & { readonly __plainDate: unique symbol };

/** A register session: morning or afternoon. */
export type Session = 'AM' | 'PM';

export const SESSIONS: readonly Session[] = ['AM', 'PM'];

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    return leap ? 29 : 28;
  }
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Checks a string is a real calendar date in `YYYY-MM-DD` form.
 *
 * @example isPlainDate('2025-02-29') // false: 2025 is not a leap year
 */
export function isPlainDate(value: string): value is PlainDate {
  const m = DATE_RE.exec(value);
  if (!m) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  return year >= 1900 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** Parses a date or returns `undefined`. */
export function parsePlainDate(value: string): PlainDate | undefined {
  return isPlainDate(value) ? value : undefined;
}

/** Casts a string known to be a valid date (use in tests and constants). Throws otherwise. */
export function plainDate(value: string): PlainDate {
  if (!isPlainDate(value)) throw new Error(`not a YYYY-MM-DD date: ${value}`);
  return value;
}

/**
 * Days since 1970-01-01 for a date (proleptic Gregorian). Pure arithmetic, no `Date`.
 *
 * @example toDayNumber(plainDate('1970-01-02')) // 1
 */
export function toDayNumber(date: PlainDate): number {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  const day = Number(date.slice(8, 10));
  // Howard Hinnant's days_from_civil.
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** The date for a day number (inverse of {@link toDayNumber}). */
export function fromDayNumber(dayNumber: number): PlainDate {
  const z = dayNumber + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}` as PlainDate;
}

/** Adds (or with a negative number subtracts) calendar days. */
export function addDays(date: PlainDate, days: number): PlainDate {
  return fromDayNumber(toDayNumber(date) + days);
}

/** ISO weekday: 1 = Monday … 7 = Sunday. */
export function isoWeekday(date: PlainDate): number {
  // 1970-01-01 was a Thursday (4).
  return ((((toDayNumber(date) + 3) % 7) + 7) % 7) + 1;
}

/** True for Monday to Friday. */
export function isWeekday(date: PlainDate): boolean {
  return isoWeekday(date) <= 5;
}

/** The Monday of the Monday–Sunday week containing the date. */
export function mondayOf(date: PlainDate): PlainDate {
  return addDays(date, 1 - isoWeekday(date));
}

/**
 * The academic year containing a date: 1 August to 31 July, named by its first calendar year.
 *
 * @see ../../../shared/reference/attendance-rules.md §1 (checked 2026-11-25)
 * @example academicYearOf(plainDate('2026-02-13')) // { start: '2025-08-01', end: '2026-07-31', label: '2025/26' }
 */
export function academicYearOf(date: PlainDate): { start: PlainDate; end: PlainDate; label: string } {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  const first = month >= 8 ? year : year - 1;
  return {
    start: `${pad(first, 4)}-08-01` as PlainDate,
    end: `${pad(first + 1, 4)}-07-31` as PlainDate,
    label: `${first}/${pad((first + 1) % 100, 2)}`,
  };
}

/** Compares two dates as strings compare: negative, zero or positive. */
export function compareDates(a: PlainDate, b: PlainDate): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;

export const WEEKDAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;

/**
 * A date in words, as GOV.UK style writes it.
 *
 * @example dateInWords(plainDate('2025-09-08')) // '8 September 2025'
 * @example dateInWords(plainDate('2025-09-08'), { weekday: true }) // 'Monday 8 September 2025'
 * @example dateInWords(plainDate('2025-09-08'), { weekday: true, short: true, year: false }) // 'Mon 8 Sep'
 */
export function dateInWords(
  date: PlainDate,
  opts: { weekday?: boolean; short?: boolean; year?: boolean } = {},
): string {
  const month = MONTH_NAMES[Number(date.slice(5, 7)) - 1]!;
  const day = Number(date.slice(8, 10));
  const weekday = WEEKDAY_NAMES[isoWeekday(date) - 1]!;
  const parts = [
    ...(opts.weekday ? [opts.short ? weekday.slice(0, 3) : weekday] : []),
    String(day),
    opts.short ? month.slice(0, 3) : month,
    ...(opts.year === false ? [] : [date.slice(0, 4)]),
  ];
  return parts.join(' ');
}
