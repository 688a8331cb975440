import { describe, expect, it } from 'vitest';
import { fixedClock, localDateTime } from './clock.js';

const REFERENCE = new Map<string, Intl.DateTimeFormat>();

/**
 * What Intl says of each instant: the reference. Built here rather than through clock.ts's own
 * formatter cache, so that the reference shares no code with what it checks.
 */
function reference(ms: number, timeZone: string): { date: string; time: string } {
  let f = REFERENCE.get(timeZone);
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
    REFERENCE.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return { date: `${p['year']}-${p['month']}-${p['day']}`, time: `${p['hour']}:${p['minute']}` };
}

// Zones whose offsets change by an hour (London, Dublin, São Paulo until 2019), by half an hour
// (Lord Howe), at a quarter past in UTC (Chatham, +12:45/+13:45), with a half-hour base offset
// (St John's), a 45-minute one (Kathmandu), twice a year around Ramadan (Casablanca), and with
// local mean time in seconds before their first standard time.
const ZONES = [
  'Europe/London',
  'Europe/Dublin',
  'America/Sao_Paulo',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
  'America/St_Johns',
  'Asia/Kathmandu',
  'Africa/Casablanca',
  'UTC',
];

describe('local date and time of an instant', () => {
  it('is what Intl says, in every zone, through every change of offset (a sweep of 2024–2027 and random instants since 1850)', () => {
    let seed = 20261207;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const from = Date.UTC(2024, 0, 1);
    const to = Date.UTC(2027, 11, 31);
    // Just over an hour, so the sweep passes through every hour, at a minute and second that drift.
    const step = 61 * 60_000 + 13_457;
    let compared = 0;
    for (const zone of ZONES) {
      const wrong: string[] = [];
      const check = (ms: number) => {
        const got = localDateTime(new Date(ms).toISOString(), zone);
        const want = reference(ms, zone);
        if (got.date !== want.date || got.time !== want.time)
          wrong.push(`${new Date(ms).toISOString()} ${zone}: ${got.date} ${got.time}, Intl ${want.date} ${want.time}`);
        compared++;
      };
      for (let ms = from; ms <= to; ms += step) check(ms);
      for (let i = 0; i < 1_000; i++) check(Date.UTC(1850, 0, 1) + Math.floor(random() * 250 * 365.25 * 86_400_000));
      expect(wrong.slice(0, 5)).toEqual([]);
    }
    expect(compared).toBeGreaterThan(300_000);
  });

  it('around London’s clock changes, minute by minute', () => {
    // 30 March 2025 01:00Z: 00:59 GMT, then 02:00 BST; 26 October 2025 01:00Z: 01:59 BST, then 01:00 GMT.
    expect(localDateTime('2025-03-30T00:59:59.999Z')).toEqual({ date: '2025-03-30', time: '00:59' });
    expect(localDateTime('2025-03-30T01:00:00.000Z')).toEqual({ date: '2025-03-30', time: '02:00' });
    expect(localDateTime('2025-10-26T00:59:30.000Z')).toEqual({ date: '2025-10-26', time: '01:59' });
    expect(localDateTime('2025-10-26T01:00:00.000Z')).toEqual({ date: '2025-10-26', time: '01:00' });
    expect(localDateTime('2025-12-31T23:59:59.000Z')).toEqual({ date: '2025-12-31', time: '23:59' });
    expect(localDateTime('2026-06-30T23:30:00.000Z')).toEqual({ date: '2026-07-01', time: '00:30' });
    expect(fixedClock('2026-06-30T23:30:00.000Z').today()).toBe('2026-07-01');
    expect(fixedClock('2026-06-30T23:30:00.000Z').timeOfDay('Europe/Dublin')).toBe('00:30');
  });

  it('refuses an instant that is not one, and a time zone that is not one', () => {
    expect(() => localDateTime('not a time')).toThrow(RangeError);
    expect(() => localDateTime('2025-09-01T08:00:00Z', 'Europe/Nowhere')).toThrow(RangeError);
  });

  it('tells apart two instants of one UTC minute in two local minutes (an offset with seconds), and the last instant a Date holds', () => {
    // Dublin's mean time, -0:25:21: 11:34:39 and 11:35:19.
    for (const iso of ['1900-06-01T12:00:00.000Z', '1900-06-01T12:00:40.000Z', '+275760-09-13T00:00:00.000Z']) {
      const ms = Date.parse(iso);
      expect(localDateTime(iso, 'Europe/Dublin')).toEqual(reference(ms, 'Europe/Dublin'));
    }
    expect(localDateTime('1900-06-01T12:00:40.000Z', 'Europe/Dublin').time).toBe('11:35');
  });
});
