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

/**
 * One formatter per time zone, and one with seconds for offsets (a zone's old local mean time had
 * seconds): building an Intl.DateTimeFormat costs more than using one.
 */
const FORMATTERS = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string, withSeconds = false): Intl.DateTimeFormat {
  const key = withSeconds ? `${timeZone} s` : timeZone;
  let f = FORMATTERS.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      ...(withSeconds ? { second: '2-digit' } : {}),
      hourCycle: 'h23',
    });
    FORMATTERS.set(key, f);
  }
  return f;
}

/**
 * The last answer per time zone, by the minute it is for: a local date and time of day change
 * only when the minute does (time zone offsets change on whole minutes), and formatting costs
 * far more than a lookup when every request of the 8:50 rush asks.
 */
const LAST = new Map<string, { minute: number; parts: { date: PlainDate; time: string } }>();
/** The first and last instants a Date can hold (ms): Intl is not asked past them. */
const MAX_TIME_MS = 8.64e15;

const HOUR_MS = 3_600_000;
/** Offsets kept per time zone (about six years of hours); beyond, the zone's are forgotten and asked again. */
const MAX_OFFSETS = 50_000;
/**
 * Each time zone's offset from UTC (ms) through each whole UTC hour, where it is the same at both
 * ends of the hour; NaN for an hour in which the zone's offset changes (asked of Intl each time).
 * A page that shows hundreds of instants (a pupil's history, a register audit) then formats each
 * with arithmetic instead of `formatToParts` (5% of the pupil page's server time before, bench d).
 */
const OFFSETS = new Map<string, Map<number, number>>();

function intlParts(date: Date, timeZone: string): { date: PlainDate; time: string } {
  const p = Object.fromEntries(
    formatterFor(timeZone)
      .formatToParts(date)
      .map((x) => [x.type, x.value]),
  );
  return { date: `${p['year']}-${p['month']}-${p['day']}` as PlainDate, time: `${p['hour']}:${p['minute']}` };
}

/** The zone's offset from UTC (ms) at an instant, from Intl. */
function intlOffset(ms: number, timeZone: string): number {
  const f = formatterFor(timeZone, true);
  if (!(Math.abs(ms) <= MAX_TIME_MS)) return NaN;
  const p = new Map(f.formatToParts(new Date(ms)).map((x) => [x.type, Number(x.value)]));
  const part = (type: Intl.DateTimeFormatPartTypes) => p.get(type) ?? NaN;
  // (Date.UTC reads years 0–99 as 1900–1999: such an hour is left to Intl, NaN ≠ NaN.)
  if (!(part('year') >= 100)) return NaN;
  const local = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'));
  return local - (ms - (((ms % 1000) + 1000) % 1000));
}

function offsetThrough(hour: number, timeZone: string): number {
  let byHour = OFFSETS.get(timeZone);
  let offset = byHour?.get(hour);
  if (offset === undefined) {
    // (An unknown time zone throws here, before anything is kept for it.)
    const atStart = intlOffset(hour * HOUR_MS, timeZone);
    const atEnd = intlOffset((hour + 1) * HOUR_MS - 1000, timeZone);
    offset = atStart === atEnd ? atStart : NaN;
    if (!byHour) OFFSETS.set(timeZone, (byHour = new Map<number, number>()));
    if (byHour.size >= MAX_OFFSETS) byHour.clear();
    byHour.set(hour, offset);
  }
  return offset;
}

const two = (n: number) => (n < 10 ? `0${n}` : String(n));

function partsIn(date: Date, timeZone: string): { date: PlainDate; time: string } {
  const ms = date.getTime();
  const offset = Number.isFinite(ms) ? offsetThrough(Math.floor(ms / HOUR_MS), timeZone) : NaN;
  // An hour whose offset changes is asked of Intl each time.
  if (Number.isNaN(offset)) return intlParts(date, timeZone);
  // By the local minute (an old local mean time's offset had seconds, so one UTC minute could
  // fall in two local ones).
  const minute = Math.floor((ms + offset) / 60_000);
  const last = LAST.get(timeZone);
  if (last && last.minute === minute) return last.parts;
  const local = new Date(ms + offset);
  const parts = {
    date: `${local.getUTCFullYear()}-${two(local.getUTCMonth() + 1)}-${two(local.getUTCDate())}` as PlainDate,
    time: `${two(local.getUTCHours())}:${two(local.getUTCMinutes())}`,
  };
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
