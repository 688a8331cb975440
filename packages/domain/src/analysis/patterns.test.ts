import { describe, expect, it } from 'vitest';
import { allPresent, buildCalendar, d, lay, pupilMarks } from '../test-support.js';
import {
  brokenWeeks,
  codeDirection,
  codeUseOverTime,
  dayOfWeekPattern,
  punctuality,
  sessionPattern,
} from './patterns.js';

const cal = buildCalendar([['2025-09-01', '2025-10-24']]);
const period = { from: d('2025-09-01'), to: d('2025-09-26') };

describe('day of week and session', () => {
  it('finds the Friday afternoon absence', () => {
    const codes = allPresent(cal);
    for (const friday of ['2025-09-05', '2025-09-12', '2025-09-19', '2025-09-26']) lay(cal, codes, `${friday} PM`, 'O');
    const cells = dayOfWeekPattern(cal, [{ id: 'a', marks: pupilMarks(cal, codes) }], period);
    expect(cells).toHaveLength(10);
    const fridayPM = cells.find((c) => c.weekday === 'Friday' && c.session === 'PM')!;
    expect(fridayPM.counts).toEqual({ possible: 4, attended: 0, authorised: 0, unauthorised: 4 });
    expect(fridayPM.absenceRate).toBe(1);
    expect(cells.find((c) => c.weekday === 'Friday' && c.session === 'AM')!.absenceRate).toBe(0);
    const [am, pm] = sessionPattern(cells);
    expect(am!.absenceRate).toBe(0);
    expect(pm!.absenceRate).toBe(4 / 20);
  });
});

describe('code use over time', () => {
  it('counts the watched codes per week, every code in total, and N left unresolved', () => {
    const codes = allPresent(cal);
    lay(cal, codes, '2025-09-01', 'NN');
    lay(cal, codes, '2025-09-22', 'II II');
    lay(cal, codes, '2025-09-25', 'B');
    const use = codeUseOverTime(cal, [{ id: 'a', marks: pupilMarks(cal, codes) }], period);
    expect(use.weeks).toHaveLength(4);
    expect(use.weeks[0]!.counts).toMatchObject({ N: 2, I: 0 });
    expect(use.weeks[3]!.counts).toMatchObject({ I: 4, B: 1 });
    expect(use.weeks[3]!.possible).toBe(10);
    expect(use.unresolvedN).toBe(2);
    expect(use.totals).toMatchObject({ N: 2, I: 4, B: 1 });
    expect(codeDirection(use, 'I', 2)).toEqual({ recent: 4 / 20, before: 0, rising: true });
  });

  it('does not count a recent N as unresolved', () => {
    const codes = allPresent(cal);
    lay(cal, codes, '2025-09-24', 'N');
    expect(codeUseOverTime(cal, [{ id: 'a', marks: pupilMarks(cal, codes) }], period).unresolvedN).toBe(0);
  });
});

describe('punctuality', () => {
  it('gives L and U counts and minutes by pupil and by day', () => {
    const a = allPresent(cal);
    const minutes = new Uint16Array(cal.sessionCount);
    lay(cal, a, '2025-09-02', 'L');
    lay(cal, a, '2025-09-03', 'U');
    minutes[2] = 5;
    minutes[4] = 40;
    const b = allPresent(cal);
    lay(cal, b, '2025-09-02', 'L');
    const p = punctuality(
      cal,
      [
        { id: 'a', marks: pupilMarks(cal, a, { minutesLate: minutes }) },
        { id: 'b', marks: pupilMarks(cal, b) },
      ],
      period,
    );
    expect(p.byPupil).toEqual([
      { key: 'a', late: 1, lateAfterClose: 1, minutes: 45 },
      { key: 'b', late: 1, lateAfterClose: 0, minutes: 0 },
    ]);
    expect(p.byDay).toEqual([
      { key: '2025-09-02', late: 2, lateAfterClose: 0, minutes: 5 },
      { key: '2025-09-03', late: 0, lateAfterClose: 1, minutes: 40 },
    ]);
    expect(p.totals).toEqual({ late: 2, lateAfterClose: 1, minutes: 45 });
  });
});

describe('broken weeks', () => {
  it('counts weeks with any absence against school weeks on roll', () => {
    const a = allPresent(cal);
    lay(cal, a, '2025-09-01', 'I');
    lay(cal, a, '2025-09-19', 'OO');
    lay(cal, a, '2025-09-17', 'L');
    const b = allPresent(cal);
    const r = brokenWeeks(
      cal,
      [
        { id: 'a', marks: pupilMarks(cal, a) },
        { id: 'b', marks: pupilMarks(cal, b, { from: '2025-09-15' }) },
      ],
      period,
    );
    expect(r).toMatchObject({ pupilWeeks: 6, brokenPupilWeeks: 2, share: 2 / 6 });
    expect(r.byPupil[0]).toEqual({ key: 'a', brokenWeeks: 2, schoolWeeks: 4 });
  });
});
