/**
 * Review dates in school weeks: a stage's review falls `schoolWeeks` school weeks after the day
 * it was entered (or last reviewed), on the first school day of that school week. Holidays do
 * not count, so a review never falls in a holiday.
 */
import { firstSessionOnOrAfter, type SchoolCalendar } from '../calendar.js';
import type { PlainDate } from '../dates.js';

/**
 * The first school day of the school week `schoolWeeks` after the week of `from` (the week of
 * the first school day on or after `from`). Null when the calendar ends first.
 */
export function reviewDueOn(cal: SchoolCalendar, from: PlainDate, schoolWeeks: number): PlainDate | null {
  const s = firstSessionOnOrAfter(cal, from);
  if (s >= cal.sessionCount) return null;
  const week = cal.sessionWeek[s]! + schoolWeeks;
  if (week >= cal.weekCount) return null;
  return cal.sessionDate[cal.weekFirstSession[week]!]!;
}
