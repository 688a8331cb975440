import { describe, expect, it } from 'vitest';
import { lastSessionOnOrBefore } from '../calendar.js';
import { allPresent, buildCalendar, d, lay, pupilMarks, repeatDays } from '../test-support.js';
import type { CohortPupil } from './cohort.js';
import { attendanceChanges, fallingFastest, fullAttendance, improvers, projectPersistentAbsence } from './pupils.js';

// A full academic year: 7 school weeks (70 sessions) to Friday 17 October, then the rest.
const cal = buildCalendar([
  ['2025-09-01', '2025-12-19'],
  ['2026-01-05', '2026-03-27'],
  ['2026-04-13', '2026-07-17'],
]);
const asOf = d('2025-10-17');
const done = lastSessionOnOrBefore(cal, asOf) + 1;
const R = cal.sessionCount - done;

/** Marks with `OO` (a whole day away) on the Monday of each listed week (1-based). */
function mondaysAway(weeks: number[], extra: [string, string][] = []): Uint8Array {
  const codes = allPresent(cal);
  for (const w of weeks) lay(cal, codes, cal.weekMonday[w - 1]!, 'OO');
  for (const [at, p] of extra) lay(cal, codes, at, p);
  return codes;
}

const pupils: CohortPupil[] = [
  { id: 'always', marks: pupilMarks(cal, allPresent(cal)) },
  // 12 of 70 away: persistently absent now.
  { id: 'persistent', marks: pupilMarks(cal, mondaysAway([2, 3, 4, 5, 6, 7])) },
  // 6 of 70 away (8.6%), all in the last 3 weeks (20%): at risk at that rate.
  { id: 'slipping', marks: pupilMarks(cal, mondaysAway([5, 6, 7])) },
  // Away the first two weeks, present since.
  { id: 'improving', marks: pupilMarks(cal, mondaysAway([], [['2025-09-01', repeatDays('OO', 10)]])) },
];

describe('projection of persistent absence', () => {
  const p = projectPersistentAbsence(cal, pupils, { asOf, recentWeeks: 3 });

  it('states its assumption with the numbers it used', () => {
    expect(R).toBeGreaterThan(250);
    expect(p.remainingSchoolSessions).toBe(R);
    expect(p.yearEnd).toBe('2026-07-31');
    expect(p.assumption).toContain(`the ${R} school sessions still to come`);
    expect(p.assumption).toContain('last 3 school weeks');
    expect(p.assumption).toContain('2026-07-31');
  });

  it('projects the recent rate over the sessions to come', () => {
    const slipping = p.rows.find((r) => r.pupilId === 'slipping')!;
    expect(slipping).toMatchObject({ status: 'atRisk', possible: 70, absence: 6, remainingSessions: R });
    expect(slipping.absenceRate).toBeCloseTo(6 / 70);
    expect(slipping.recentAbsenceRate).toBeCloseTo(6 / 30);
    expect(slipping.projectedAbsenceRate).toBeCloseTo((6 + 0.2 * R) / (70 + R));
    expect(slipping.sessionsToSpare).toBe(Math.ceil((70 + R - 60) / 10) - 1);
    expect(p.rows[0]!.pupilId).toBe('slipping');
  });

  it('keeps pupils already persistently absent apart from those at risk', () => {
    expect(p.rows.find((r) => r.pupilId === 'persistent')!.status).toBe('persistentNow');
    expect(p.rows.find((r) => r.pupilId === 'persistent')!.sessionsToSpare).toBe(Math.ceil((70 + R - 120) / 10) - 1);
    expect(p.rows.find((r) => r.pupilId === 'always')).toMatchObject({ status: 'onTrack', projectedAbsenceRate: 0 });
    // 20 of 70 away but none recently: persistent now, projected to fall below 10% by July.
    const improving = p.rows.find((r) => r.pupilId === 'improving')!;
    expect(improving.status).toBe('persistentNow');
    expect(improving.projectedAbsenceRate).toBeCloseTo(20 / (70 + R));
  });

  it('counts only the sessions before a known leaving date', () => {
    const leaving = projectPersistentAbsence(
      cal,
      [{ id: 'x', marks: pupilMarks(cal, mondaysAway([5, 6, 7]), { to: '2025-10-24' }) }],
      { asOf, recentWeeks: 3 },
    );
    // 6 + 20% of 10 = 8 of 80: exactly 10%, which is persistent absence (10% or more).
    expect(leaving.rows[0]).toMatchObject({ remainingSessions: 10, status: 'atRisk' });
    expect(leaving.rows[0]!.projectedAbsenceRate).toBeCloseTo(8 / 80);
  });

  it('uses the year so far when the recent window had no possible session', () => {
    const codes = mondaysAway([2]);
    const absentRecently = lastSessionOnOrBefore(cal, d('2025-09-26')) + 1;
    for (let s = absentRecently; s < done; s++) codes[s] = 0;
    const r = projectPersistentAbsence(cal, [{ id: 'x', marks: pupilMarks(cal, codes) }], { asOf, recentWeeks: 3 });
    expect(r.rows[0]!.recentAbsenceRate).toBeNull();
    expect(r.rows[0]!.projectedAbsenceRate).toBeCloseTo(2 / 40);
  });

  it('leaves out pupils with no possible session', () => {
    expect(
      projectPersistentAbsence(cal, [{ id: 'x', marks: pupilMarks(cal, new Uint8Array(cal.sessionCount)) }], { asOf })
        .rows,
    ).toEqual([]);
  });
});

describe('falling fastest and improvers', () => {
  const changes = attendanceChanges(cal, pupils, { asOf, recentWeeks: 3 });

  it('compares the recent weeks with the year before them', () => {
    const slipping = changes.find((c) => c.pupilId === 'slipping')!;
    expect(slipping.earlierRate).toBe(1);
    expect(slipping.recentRate).toBeCloseTo(24 / 30);
    expect(fallingFastest(changes).map((c) => c.pupilId)).toEqual(['slipping', 'persistent']);
    expect(fallingFastest(changes, 1)).toHaveLength(1);
    expect(improvers(changes).map((c) => c.pupilId)).toEqual(['improving']);
    expect(improvers(changes)[0]!.change).toBeCloseTo(1 - 20 / 40);
  });

  it('leaves out pupils with too few sessions in a window', () => {
    const joined = { id: 'new', marks: pupilMarks(cal, allPresent(cal), { from: '2025-10-13' }) };
    expect(attendanceChanges(cal, [joined], { asOf, recentWeeks: 3 })).toEqual([]);
  });
});

describe('100% attendance', () => {
  it('lists pupils present or at an approved activity every possible session, with their lates', () => {
    const withLate = allPresent(cal);
    lay(cal, withLate, '2025-09-03', 'L');
    lay(cal, withLate, '2025-09-04', 'V');
    lay(cal, withLate, '2025-09-05', '#');
    const rows = fullAttendance(cal, [...pupils, { id: 'late', marks: pupilMarks(cal, withLate) }], {
      from: d('2025-09-01'),
      to: asOf,
    });
    expect(rows).toEqual([
      { pupilId: 'always', possible: 70, lateSessions: 0 },
      { pupilId: 'late', possible: 69, lateSessions: 1 },
    ]);
  });
});
