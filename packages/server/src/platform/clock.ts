/** The one place that reads the wall clock. Everything else takes "today" as an argument. */
import type { PlainDate } from '@rollcall/domain';

export interface Clock {
  /** Today's date in the given IANA time zone (Europe/London by default). */
  today(timeZone?: string): PlainDate;
}

export const systemClock: Clock = {
  today(timeZone = 'Europe/London') {
    // en-CA formats as YYYY-MM-DD.
    return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
      new Date(),
    ) as PlainDate;
  },
};
