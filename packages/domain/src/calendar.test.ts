import { describe, expect, it } from 'vitest';
import {
  compileCalendar,
  countSchoolDays,
  firstSessionOnOrAfter,
  isClosedSession,
  isClosureSession,
  lastDayOnOrBefore,
  lastSessionOnOrBefore,
  parseCalendarInput,
  sessionIndex,
  sessionLabel,
  type CalendarInput,
} from './calendar.js';
import { buildCalendar, d } from './test-support.js';

describe('compileCalendar: sessions, days and weeks', () => {
  it('gives every weekday of a term an AM and a PM session', () => {
    // Wed 3 Sep to Fri 24 Oct 2025: 3 days, then 7 full weeks = 38 days.
    const cal = buildCalendar([['2025-09-03', '2025-10-24']]);
    expect(cal.dayCount).toBe(38);
    expect(cal.sessionCount).toBe(76);
    expect(cal.weekCount).toBe(8);
    expect(cal.weekMonday[0]).toBe('2025-09-01');
    expect(cal.weekMonday[7]).toBe('2025-10-20');
    expect(cal.dayDate[0]).toBe('2025-09-03');
    expect(cal.dayDate[3]).toBe('2025-09-08'); // the weekend is skipped
    expect(cal.dayDate.every((x) => x >= '2025-09-03' && x <= '2025-10-24')).toBe(true);
    expect([...cal.sessionIsPM.slice(0, 4)]).toEqual([0, 1, 0, 1]);
    expect(cal.sessionDate.slice(0, 4)).toEqual(['2025-09-03', '2025-09-03', '2025-09-04', '2025-09-04']);
    expect(cal.dayFirstSession[cal.dayCount]).toBe(76);
    expect(cal.weekFirstSession[cal.weekCount]).toBe(76);
    expect(cal.weekFirstSession[1]).toBe(6); // Wed–Fri of the first week
  });

  it('adds the sessions of several terms and leaves holidays out', () => {
    const cal = buildCalendar([
      ['2025-09-01', '2025-10-24'], // 8 weeks
      ['2025-11-03', '2025-12-19'], // 7 weeks
    ]);
    expect(cal.dayCount).toBe(75);
    expect(cal.sessionCount).toBe(150);
    expect(cal.weekCount).toBe(15);
    expect(cal.weekMonday).not.toContain('2025-10-27');
    expect(cal.weekMonday[8]).toBe('2025-11-03');
  });

  it('sorts terms given out of order', () => {
    const cal = buildCalendar([
      ['2025-11-03', '2025-11-07'],
      ['2025-09-01', '2025-09-05'],
    ]);
    expect(cal.dayDate[0]).toBe('2025-09-01');
    expect(cal.dayDate[5]).toBe('2025-11-03');
    expect(cal.terms.map((t) => t.start)).toEqual(['2025-09-01', '2025-11-03']);
  });

  it('counts a week whose only school day is a Friday as a school week', () => {
    const cal = buildCalendar([['2025-09-05', '2025-09-12']]);
    expect(cal.weekCount).toBe(2);
    expect(cal.weekMonday).toEqual(['2025-09-01', '2025-09-08']);
    expect(cal.dayCount).toBe(6);
    expect(cal.sessionCount).toBe(12);
    expect([...cal.sessionWeek]).toEqual([0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
  });

  it('makes one school week of two terms meeting inside a week', () => {
    const cal = buildCalendar([
      ['2025-09-01', '2025-09-03'],
      ['2025-09-04', '2025-09-05'],
    ]);
    expect(cal.weekCount).toBe(1);
    expect(cal.dayCount).toBe(5);
  });

  it('closes AM, PM or whole days', () => {
    // Fri 5 Sep; Mon 8 AM closed; Tue 9 PM closed; Wed 10 closed; Thu 11; Fri 12.
    const cal = buildCalendar(
      [['2025-09-05', '2025-09-12']],
      [
        ['2025-09-08', 'AM'],
        ['2025-09-09', 'PM'],
        ['2025-09-10', 'ALL'],
      ],
    );
    expect(cal.sessionCount).toBe(8);
    expect(cal.dayCount).toBe(5);
    expect(cal.dayDate).toEqual(['2025-09-05', '2025-09-08', '2025-09-09', '2025-09-11', '2025-09-12']);
    expect([...cal.dayFirstSession]).toEqual([0, 2, 3, 4, 6, 8]);
    expect([...cal.sessionIsPM]).toEqual([0, 1, 1, 0, 0, 1, 0, 1]);
    expect([...cal.sessionDay]).toEqual([0, 0, 1, 2, 3, 3, 4, 4]);
    expect(sessionIndex(cal, d('2025-09-08'), 'AM')).toBe(-1);
    expect(sessionIndex(cal, d('2025-09-08'), 'PM')).toBe(2);
    expect(sessionIndex(cal, d('2025-09-09'), 'AM')).toBe(3);
    expect(sessionIndex(cal, d('2025-09-09'), 'PM')).toBe(-1);
    expect(sessionIndex(cal, d('2025-09-10'), 'AM')).toBe(-1);
    expect(sessionIndex(cal, d('2025-09-11'), 'PM')).toBe(5);
    expect(sessionLabel(cal, 2)).toBe('PM');
    expect(sessionLabel(cal, 3)).toBe('AM');
    expect(isClosedSession(cal, d('2025-09-08'), 'AM')).toBe(true);
    expect(isClosedSession(cal, d('2025-09-08'), 'PM')).toBe(false);
    expect(isClosedSession(cal, d('2025-09-10'), 'PM')).toBe(true);
    expect(isClosedSession(cal, d('2025-09-11'), 'AM')).toBe(false);
    expect(isClosedSession(cal, d('2025-09-06'), 'AM')).toBe(false);
  });

  it('merges an AM and a PM closure on the same date into a closed day', () => {
    const cal = buildCalendar(
      [['2025-09-01', '2025-09-05']],
      [
        ['2025-09-03', 'AM'],
        ['2025-09-03', 'PM'],
      ],
    );
    expect(cal.dayCount).toBe(4);
    expect(cal.dayByDate.has(d('2025-09-03'))).toBe(false);
  });

  it('does not count a week closed on every school day as a school week', () => {
    const cal = buildCalendar(
      [['2025-09-01', '2025-09-19']],
      ['2025-09-08', '2025-09-09', '2025-09-10', '2025-09-11', '2025-09-12'].map((x) => [x, 'ALL'] as const),
    );
    expect(cal.weekCount).toBe(2);
    expect(cal.weekMonday).toEqual(['2025-09-01', '2025-09-15']);
    expect(cal.dayCount).toBe(10);
  });

  it('compiles an empty calendar', () => {
    const r = compileCalendar({ terms: [], closures: [] });
    expect(r.ok && r.value.sessionCount).toBe(0);
    expect(r.ok && r.value.weekCount).toBe(0);
  });
});

describe('compileCalendar: errors with paths', () => {
  const input = (terms: [string, string][], closures: [string, 'AM' | 'PM' | 'ALL'][] = []): CalendarInput => ({
    terms: terms.map(([start, end], i) => ({ name: `T${i + 1}`, start: d(start), end: d(end) })),
    closures: closures.map(([date, session]) => ({ date: d(date), session, reason: 'x' })),
  });

  it('rejects a term that ends before it starts', () => {
    const r = compileCalendar(
      input([
        ['2025-09-01', '2025-10-24'],
        ['2025-11-10', '2025-11-03'],
      ]),
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues).toEqual([
      { path: ['terms', 1, 'end'], message: expect.stringContaining('before it starts') as string },
    ]);
  });

  it('rejects overlapping terms, pointing at the later one as given', () => {
    const r = compileCalendar(
      input([
        ['2025-09-01', '2025-10-24'],
        ['2025-10-20', '2025-12-19'],
      ]),
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues).toEqual([{ path: ['terms', 1, 'start'], message: expect.stringContaining('overlaps') as string }]);

    const reversed = compileCalendar(
      input([
        ['2025-10-20', '2025-12-19'],
        ['2025-09-01', '2025-10-24'],
      ]),
    );
    expect(!reversed.ok && reversed.issues.map((i) => i.path)).toEqual([['terms', 0, 'start']]);
  });

  it('rejects terms that share a day', () => {
    const r = compileCalendar(
      input([
        ['2025-09-01', '2025-09-05'],
        ['2025-09-05', '2025-09-12'],
      ]),
    );
    expect(!r.ok && r.issues.map((i) => i.path)).toEqual([['terms', 1, 'start']]);
  });

  it('rejects closures on a weekend or in a holiday, with their paths', () => {
    const r = compileCalendar(
      input(
        [
          ['2025-09-01', '2025-10-24'],
          ['2025-11-03', '2025-12-19'],
        ],
        [
          ['2025-09-10', 'ALL'], // fine
          ['2025-09-13', 'ALL'], // Saturday
          ['2025-10-29', 'AM'], // half term
          ['2026-01-05', 'PM'], // after the last term
        ],
      ),
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => i.path)).toEqual([
      ['closures', 1, 'date'],
      ['closures', 2, 'date'],
      ['closures', 3, 'date'],
    ]);
    expect(r.issues[0]!.message).toContain('2025-09-13');
  });
});

describe('looking up sessions and days', () => {
  // Wed 3 Sep – Fri 12 Sep, closure Tue 9 PM; Autumn 2 from Mon 3 Nov to Fri 7 Nov.
  const cal = buildCalendar(
    [
      ['2025-09-03', '2025-09-12'],
      ['2025-11-03', '2025-11-07'],
    ],
    [['2025-09-09', 'PM']],
  );
  // Sessions: 3 (0,1) 4 (2,3) 5 (4,5) 8 (6,7) 9 AM (8) 10 (9,10) 11 (11,12) 12 (13,14) Nov 3 (15,16) … Nov 7 (23,24)

  it('numbers sessions', () => {
    expect(cal.sessionCount).toBe(25);
    expect(sessionIndex(cal, d('2025-09-03'), 'AM')).toBe(0);
    expect(sessionIndex(cal, d('2025-09-09'), 'AM')).toBe(8);
    expect(sessionIndex(cal, d('2025-09-10'), 'AM')).toBe(9);
    expect(sessionIndex(cal, d('2025-11-03'), 'PM')).toBe(16);
    expect(sessionIndex(cal, d('2025-09-06'), 'AM')).toBe(-1);
    expect(sessionIndex(cal, d('2025-10-29'), 'AM')).toBe(-1);
  });

  it.each([
    ['2025-09-02', -1],
    ['2025-09-03', 1],
    ['2025-09-06', 5], // Saturday: Friday PM
    ['2025-09-09', 8], // AM only
    ['2025-10-29', 14], // half term: the last session before it
    ['2025-11-07', 24],
    ['2026-01-01', 24],
  ] as const)('lastSessionOnOrBefore(%s) is %i', (date, s) => {
    expect(lastSessionOnOrBefore(cal, d(date))).toBe(s);
  });

  it.each([
    ['2025-08-01', 0],
    ['2025-09-03', 0],
    ['2025-09-06', 6], // Saturday: Monday AM
    ['2025-09-09', 8],
    ['2025-10-29', 15],
    ['2025-11-07', 23],
    ['2025-11-08', 25], // none: sessionCount
  ] as const)('firstSessionOnOrAfter(%s) is %i', (date, s) => {
    expect(firstSessionOnOrAfter(cal, d(date))).toBe(s);
  });

  it('finds the last school day on or before a date', () => {
    expect(lastDayOnOrBefore(cal, d('2025-09-02'))).toBe(-1);
    expect(lastDayOnOrBefore(cal, d('2025-09-07'))).toBe(2);
    expect(lastDayOnOrBefore(cal, d('2025-10-30'))).toBe(7);
  });

  it.each([
    ['2025-09-01', '2025-09-05', 3], // term starts on Wednesday
    ['2025-09-03', '2025-09-03', 1],
    ['2025-09-06', '2025-09-07', 0], // a weekend
    ['2025-09-08', '2025-09-12', 5], // the day with a PM closure still counts
    ['2025-09-01', '2025-11-30', 13],
    ['2025-10-01', '2025-10-31', 0], // half term
    ['2025-09-12', '2025-11-03', 2],
    ['2025-09-12', '2025-09-10', 0], // to before from
  ] as const)('countSchoolDays(%s, %s) is %i', (from, to, n) => {
    expect(countSchoolDays(cal, d(from), d(to))).toBe(n);
  });

  it('does not count a day closed all day', () => {
    const closed = buildCalendar([['2025-09-01', '2025-09-05']], [['2025-09-03', 'ALL']]);
    expect(countSchoolDays(closed, d('2025-09-01'), d('2025-09-05'))).toBe(4);
    expect(countSchoolDays(closed, d('2025-09-03'), d('2025-09-03'))).toBe(0);
  });
});

describe('parseCalendarInput', () => {
  it('reads a valid calendar, with defaults for name, session and reason', () => {
    const r = parseCalendarInput({
      terms: [
        { start: '2025-09-03', end: '2025-10-24' },
        { name: 'Autumn 2', start: '2025-11-03', end: '2025-12-19' },
      ],
      closures: [{ date: '2025-09-19' }, { date: '2025-09-26', session: 'PM', reason: 'INSET' }],
    });
    expect(r).toEqual({
      ok: true,
      value: {
        terms: [
          { name: 'Term 1', start: '2025-09-03', end: '2025-10-24' },
          { name: 'Autumn 2', start: '2025-11-03', end: '2025-12-19' },
        ],
        closures: [
          { date: '2025-09-19', session: 'ALL', reason: '' },
          { date: '2025-09-26', session: 'PM', reason: 'INSET' },
        ],
      },
    });
  });

  it('accepts a calendar without closures', () => {
    const r = parseCalendarInput({ terms: [{ start: '2025-09-03', end: '2025-10-24' }] });
    expect(r.ok && r.value.closures).toEqual([]);
  });

  it.each([[null], [[]], ['calendar'], [3]])('rejects %j as a whole', (raw) => {
    const r = parseCalendarInput(raw);
    expect(!r.ok && r.issues.map((i) => i.path)).toEqual([[]]);
  });

  it('rejects missing or empty terms', () => {
    expect(parseCalendarInput({}).ok).toBe(false);
    const missing = parseCalendarInput({ closures: [] });
    expect(!missing.ok && missing.issues.map((i) => i.path)).toEqual([['terms']]);
    const empty = parseCalendarInput({ terms: [] });
    expect(!empty.ok && empty.issues.map((i) => i.path)).toEqual([['terms']]);
    expect(!empty.ok && empty.issues[0]!.message).toContain('empty');
  });

  it('reports every problem with its path', () => {
    const r = parseCalendarInput({
      terms: [
        { name: 7, start: '2025-09-03', end: '2025-10-24' },
        { start: '2025-11-03', end: '2025-12-32' },
        'spring',
        { start: '2026-1-05', end: 20260213 },
      ],
      closures: [
        { date: '2025-02-29' },
        { date: '2025-09-19', session: 'EVENING' },
        { date: '2025-09-22', reason: 4 },
        null,
      ],
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => i.path)).toEqual([
      ['terms', 0, 'name'],
      ['terms', 1, 'end'],
      ['terms', 2],
      ['terms', 3, 'start'],
      ['terms', 3, 'end'],
      ['closures', 0, 'date'],
      ['closures', 1, 'session'],
      ['closures', 2, 'reason'],
      ['closures', 3],
    ]);
    expect(r.issues[1]!.message).toContain('"2025-12-32"');
  });

  it('rejects closures that are not a list', () => {
    const r = parseCalendarInput({ terms: [{ start: '2025-09-03', end: '2025-10-24' }], closures: {} });
    expect(!r.ok && r.issues.map((i) => i.path)).toEqual([['closures']]);
  });

  it('knows closure sessions', () => {
    expect(['AM', 'PM', 'ALL', 'am', 'DAY', ''].map(isClosureSession)).toEqual([true, true, true, false, false, false]);
  });
});
