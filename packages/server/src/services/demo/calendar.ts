/**
 * The demo school year: realistic English term dates for the academic year containing a date,
 * computed from rules rather than copied from any local authority, so the demo works in any year.
 *
 * - Autumn 1 starts on the first weekday on or after 1 September (an INSET day); half term is the
 *   week of the last Monday of October.
 * - Autumn 2 ends on the last Friday on or before 21 December.
 * - Spring 1 starts on the first weekday on or after 4 January (an INSET day); half term is the
 *   week of the first Monday on or after 12 February.
 * - The Easter holiday is the week of Good Friday and the week after Easter Monday, so neither
 *   bank holiday falls in term.
 * - The early May bank holiday (first Monday of May) is a closure when it falls in term; the May
 *   half term is the week of the spring bank holiday (last Monday of May).
 * - Summer 2 starts with an INSET day and ends with one, the day after the 190th pupil day: five
 *   INSET days and 190 pupil days (380 sessions), as schools in England plan.
 */
import { addDays, easterSunday, isoWeekday, type Closure, type PlainDate, type Term } from '@rollcall/domain';

export interface DemoYear {
  /** `2026/27`. */
  readonly label: string;
  readonly start: PlainDate;
  readonly end: PlainDate;
  readonly terms: readonly Term[];
  readonly closures: readonly Closure[];
}

/** The minimum number of days a school meets in a year. @see ../../../../../../shared/reference/attendance-rules.md §1 */
export const PUPIL_DAYS_PER_YEAR = 190;

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

function date(year: number, month: number, day: number): PlainDate {
  return `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}` as PlainDate;
}

/** First date on or after `d` with ISO weekday `wd` (1 = Monday). */
function onOrAfter(d: PlainDate, wd: number): PlainDate {
  return addDays(d, (wd - isoWeekday(d) + 7) % 7);
}

/** Last date on or before `d` with ISO weekday `wd`. */
function onOrBefore(d: PlainDate, wd: number): PlainDate {
  return addDays(d, -((isoWeekday(d) - wd + 7) % 7));
}

function firstWeekdayOnOrAfter(d: PlainDate): PlainDate {
  return isoWeekday(d) >= 6 ? onOrAfter(d, 1) : d;
}

function weekdaysBetween(from: PlainDate, to: PlainDate): PlainDate[] {
  const out: PlainDate[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) if (isoWeekday(d) <= 5) out.push(d);
  return out;
}

/** The demo calendar of the academic year (1 August–31 July) containing `today`. */
export function demoYear(today: PlainDate): DemoYear {
  const y = Number(today.slice(0, 4));
  const first = Number(today.slice(5, 7)) >= 8 ? y : y - 1;
  const next = first + 1;

  const autumn1Start = firstWeekdayOnOrAfter(date(first, 9, 1));
  const octHalfTerm = onOrBefore(date(first, 10, 31), 1);
  const autumn1End = addDays(octHalfTerm, -3);
  const autumn2Start = addDays(octHalfTerm, 7);
  const autumn2End = onOrBefore(date(first, 12, 21), 5);

  const spring1Start = firstWeekdayOnOrAfter(date(next, 1, 4));
  const febHalfTerm = onOrAfter(date(next, 2, 12), 1);
  const spring1End = addDays(febHalfTerm, -3);
  const spring2Start = addDays(febHalfTerm, 7);
  const easter = easterSunday(next);
  const easterHoliday = addDays(easter, -6); // the Monday of Holy Week
  const spring2End = addDays(easterHoliday, -3);
  const summer1Start = addDays(easterHoliday, 14);
  const mayHalfTerm = onOrBefore(date(next, 5, 31), 1);
  const summer1End = addDays(mayHalfTerm, -3);
  const summer2Start = addDays(mayHalfTerm, 7);

  const fixedTerms: Term[] = [
    { name: 'Autumn 1', start: autumn1Start, end: autumn1End },
    { name: 'Autumn 2', start: autumn2Start, end: autumn2End },
    { name: 'Spring 1', start: spring1Start, end: spring1End },
    { name: 'Spring 2', start: spring2Start, end: spring2End },
    { name: 'Summer 1', start: summer1Start, end: summer1End },
  ];
  const closures: Closure[] = [
    { date: autumn1Start, session: 'ALL', reason: 'INSET day' },
    { date: autumn2Start, session: 'ALL', reason: 'INSET day' },
    { date: spring1Start, session: 'ALL', reason: 'INSET day' },
  ];
  const mayDay = onOrAfter(date(next, 5, 1), 1);
  if (mayDay >= summer1Start && mayDay <= summer1End) {
    closures.push({ date: mayDay, session: 'ALL', reason: 'Early May bank holiday' });
  }
  const closed = new Set(closures.map((c) => c.date));
  let pupilDays = 0;
  for (const t of fixedTerms) pupilDays += weekdaysBetween(t.start, t.end).filter((d) => !closed.has(d)).length;

  // Summer 2: an INSET day, the pupil days still needed to reach 190, then a closing INSET day.
  closures.push({ date: summer2Start, session: 'ALL', reason: 'INSET day' });
  let d = summer2Start;
  for (let needed = PUPIL_DAYS_PER_YEAR - pupilDays; needed > 0;) {
    d = firstWeekdayOnOrAfter(addDays(d, 1));
    needed--;
  }
  const summer2End = firstWeekdayOnOrAfter(addDays(d, 1));
  closures.push({ date: summer2End, session: 'ALL', reason: 'INSET day' });

  return {
    label: `${first}/${pad2(next % 100)}`,
    start: date(first, 8, 1),
    end: date(next, 7, 31),
    terms: [...fixedTerms, { name: 'Summer 2', start: summer2Start, end: summer2End }],
    closures: closures.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0)),
  };
}

/** British Summer Time runs from the last Sunday of March to the last Sunday of October. */
function isBritishSummerTime(d: PlainDate): boolean {
  const year = Number(d.slice(0, 4));
  const starts = onOrBefore(date(year, 3, 31), 7);
  const ends = onOrBefore(date(year, 10, 31), 7);
  return d >= starts && d < ends;
}

/**
 * The UTC ISO instant of a time of day in Europe/London (for daytime hours, where the clock
 * change at 01:00 UTC never matters).
 *
 * @example londonToUtc(d('2026-09-02'), '08:50') // '2026-09-02T07:50:00.000Z'
 */
export function londonToUtc(d: PlainDate, time: string, extraMinutes = 0): string {
  const [h, m] = time.split(':').map(Number) as [number, number];
  const minutes = h * 60 + m + extraMinutes - (isBritishSummerTime(d) ? 60 : 0);
  const day = minutes < 0 ? addDays(d, -1) : d;
  const mm = (minutes + 1440) % 1440;
  return `${day}T${pad2(Math.floor(mm / 60))}:${pad2(mm % 60)}:00.000Z`;
}
