/** The one place that reads the wall clock. Everything else takes "today" and "now" as arguments. */
import type { PlainDate } from '@rollcall/domain';

export interface Clock {
  /** The current instant as an ISO 8601 UTC timestamp. */
  now(): string;
  /** Today's date in the given IANA time zone (Europe/London by default). */
  today(timeZone?: string): PlainDate;
  /** The time of day `HH:MM` in the given time zone. */
  timeOfDay(timeZone?: string): string;
}

/** One formatter per time zone: building an Intl.DateTimeFormat costs more than using one. */
const FORMATTERS = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = FORMATTERS.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    FORMATTERS.set(timeZone, f);
  }
  return f;
}

/**
 * The last answer per time zone, by the minute it is for: a local date and time of day change
 * only when the minute does (time zone offsets change on whole minutes), and formatting costs
 * far more than a lookup when every request of the 8:50 rush asks.
 */
const LAST = new Map<string, { minute: number; parts: { date: PlainDate; time: string } }>();

function partsIn(date: Date, timeZone: string): { date: PlainDate; time: string } {
  const minute = Math.floor(date.getTime() / 60_000);
  const last = LAST.get(timeZone);
  if (last && last.minute === minute) return last.parts;
  const f = formatterFor(timeZone);
  const p = Object.fromEntries(f.formatToParts(date).map((x) => [x.type, x.value]));
  const parts = { date: `${p['year']}-${p['month']}-${p['day']}` as PlainDate, time: `${p['hour']}:${p['minute']}` };
  LAST.set(timeZone, { minute, parts });
  return parts;
}

/** The local date and time of day of an ISO instant in a time zone. */
export function localDateTime(iso: string, timeZone = 'Europe/London'): { date: PlainDate; time: string } {
  return partsIn(new Date(iso), timeZone);
}

export const systemClock: Clock = {
  now: () => new Date().toISOString(),
  today: (timeZone = 'Europe/London') => partsIn(new Date(), timeZone).date,
  timeOfDay: (timeZone = 'Europe/London') => partsIn(new Date(), timeZone).time,
};

/** A clock fixed at an instant, for tests and for replaying a day (`--now`). */
export function fixedClock(iso: string): Clock {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) throw new Error(`not an ISO timestamp: ${iso}`);
  return {
    now: () => at.toISOString(),
    today: (timeZone = 'Europe/London') => partsIn(at, timeZone).date,
    timeOfDay: (timeZone = 'Europe/London') => partsIn(at, timeZone).time,
  };
}

/** How many seconds a clock is ahead of the machine's (0 for the system clock; tests move theirs). */
export function secondsAheadOfSystem(clock: Clock): number {
  return Math.round((Date.parse(clock.now()) - Date.now()) / 1000);
}
