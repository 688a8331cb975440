/**
 * Long on purpose: every measure of the national attendance rules with worked examples (possible
 * sessions, each code's category, persistent and severe absence, the roll's edges), one small
 * calendar per case.
 */
import { describe, expect, it } from 'vitest';
import { analysisContext, createScratch, measurePupil, summarise, type PupilMeasures } from './measures.js';
import { allPresent, buildCalendar, d, lay, measure, pupilMarks, repeatDays } from './test-support.js';

// Calendars used below (weekdays checked against a wall calendar).
/** Mon 1 – Fri 12 Sep 2025: 10 school days, 20 sessions, 2 school weeks. */
const TWO_WEEKS = buildCalendar([['2025-09-01', '2025-09-12']]);
/** Autumn 1 2025: Mon 1 Sep – Fri 24 Oct, 40 school days in 8 weeks. */
const AUTUMN1 = buildCalendar([['2025-09-01', '2025-10-24']]);
/**
 * 2025/26 to February half term. School weeks: 0 = w/c 1 Sep … 7 = w/c 20 Oct, (half term),
 * 8 = w/c 3 Nov … 14 = w/c 15 Dec, (Christmas), 15 = w/c 5 Jan … 20 = w/c 9 Feb.
 */
const YEAR = buildCalendar([
  ['2025-09-01', '2025-10-24'],
  ['2025-11-03', '2025-12-19'],
  ['2026-01-05', '2026-02-13'],
]);
/** Summer 2 2025 (weeks 0–6: w/c 2 Jun … 14 Jul) then Autumn 1 2025 (weeks 7–14: w/c 1 Sep …). */
const SUMMER_AUTUMN = buildCalendar([
  ['2025-06-02', '2025-07-18'],
  ['2025-09-01', '2025-10-24'],
]);
/** Summer 1 2026, Mon 13 Apr – Fri 22 May, closed on the early May bank holiday (Mon 4 May). */
const SUMMER1 = buildCalendar([['2026-04-13', '2026-05-22']], [['2026-05-04', 'ALL']]);
/** 19 full weeks, Mon 1 Sep 2025 – Fri 9 Jan 2026: 95 days, 190 sessions. */
const NINETEEN_WEEKS = buildCalendar([['2025-09-01', '2026-01-09']]);
/** Summer 2 2024 (old codes) and Autumn 1 2024 (new codes). */
const SWITCH_2024 = buildCalendar([
  ['2024-06-03', '2024-07-19'],
  ['2024-09-02', '2024-10-25'],
]);

describe('analysisContext', () => {
  it('defaults the period to the academic year of as-of', () => {
    expect(analysisContext(YEAR, { asOf: d('2025-09-12') })).toEqual({
      asOf: '2025-09-12',
      periodFrom: '2025-08-01',
      periodStart: '2025-09-01',
      asOfSession: 19,
      periodFromSession: 0,
      asOfDay: 9,
      asOfWeek: 1,
      minPossibleSessions: 0,
      schoolSessions: 20,
      schoolWeeks: 2,
    });
  });

  it('takes as-of in a holiday as the last school session before it', () => {
    const ctx = analysisContext(YEAR, { asOf: d('2025-11-01') });
    expect(ctx.asOfSession).toBe(79);
    expect(ctx.asOfDay).toBe(39);
    expect(ctx.asOfWeek).toBe(7);
    expect(ctx.schoolSessions).toBe(80);
    expect(ctx.schoolWeeks).toBe(8);
  });

  it('starts the period at from', () => {
    const ctx = analysisContext(YEAR, { asOf: d('2025-12-19'), from: d('2025-10-27'), minPossibleSessions: 20 });
    expect(ctx.periodFrom).toBe('2025-10-27');
    expect(ctx.periodStart).toBe('2025-11-03');
    expect(ctx.periodFromSession).toBe(80);
    expect(ctx.schoolSessions).toBe(70);
    expect(ctx.schoolWeeks).toBe(7);
    expect(ctx.minPossibleSessions).toBe(20);
  });

  it('has no sessions when as-of comes before the first one', () => {
    const ctx = analysisContext(YEAR, { asOf: d('2025-08-20') });
    expect(ctx).toMatchObject({
      asOfSession: -1,
      asOfDay: -1,
      asOfWeek: -1,
      schoolSessions: 0,
      schoolWeeks: 0,
      periodStart: '2025-08-01',
    });
    const { m } = measure(YEAR, allPresent(YEAR), { asOf: '2025-08-20' });
    expect(m.possibleSessions).toBe(0);
    expect(m.schoolWeeksOnRoll).toBe(0);
    expect(m.attendanceRate).toBeNull();
    expect(m.penaltyNotice.currentWindowSessions).toBe(0);
  });
});

describe('measurePupil: counts, rates and code counts', () => {
  // Per day (AM PM): / \ | L \ | V B | I I | M \ || O N | U \ | D X | Y1 # | G (none)
  const codes = lay(TWO_WEEKS, new Uint8Array(20), '2025-09-01', '/\\ L\\ VB II M\\ | ON U\\ DX Y1# G.');
  const minutes = new Uint16Array(20);
  minutes[0] = 99; // on a present mark: not late, not counted
  minutes[2] = 7; // L
  minutes[12] = 40; // U
  const { m } = measure(TWO_WEEKS, pupilMarks(TWO_WEEKS, codes, { minutesLate: minutes }), { asOf: '2025-09-12' });

  it('counts each statistical category', () => {
    expect(m.presentSessions).toBe(6); // / \ L \ \ \
    expect(m.approvedActivitySessions).toBe(2); // V B
    expect(m.authorisedAbsenceSessions).toBe(3); // I I M
    expect(m.unauthorisedAbsenceSessions).toBe(4); // O N U G
    expect(m.possibleSessions).toBe(15);
    expect(m.notPossibleSessions).toBe(4); // D X Y1 #
    expect(m.missingMarks).toBe(1);
  });

  it('counts late marks and their minutes (L and U only)', () => {
    expect(m.lateSessions).toBe(1);
    expect(m.lateAfterCloseSessions).toBe(1);
    expect(m.minutesLate).toBe(47);
  });

  it('computes rates over possible sessions', () => {
    expect(m.attendanceRate).toBeCloseTo(8 / 15, 12);
    expect(m.absenceRate).toBeCloseTo(7 / 15, 12);
    expect(m.authorisedAbsenceRate).toBeCloseTo(3 / 15, 12);
    expect(m.unauthorisedAbsenceRate).toBeCloseTo(4 / 15, 12);
    expect(m.persistentAbsence).toBe(true);
    expect(m.severeAbsence).toBe(false);
  });

  it('counts every code written (and not missing marks)', () => {
    expect(m.codeCounts).toEqual({
      '/': 1,
      '\\': 4,
      L: 1,
      V: 1,
      B: 1,
      I: 2,
      M: 1,
      O: 1,
      N: 1,
      U: 1,
      D: 1,
      X: 1,
      Y1: 1,
      '#': 1,
      G: 1,
    });
  });

  it('counts broken weeks among the weeks on roll', () => {
    expect(m.brokenWeeks).toBe(2);
    expect(m.schoolWeeksOnRoll).toBe(2);
  });

  it('does not flag the penalty notice, returns or N (4 unauthorised sessions, N four school days old)', () => {
    expect(m.penaltyNotice).toEqual({
      thresholdMet: false,
      firstMetOn: null,
      firstMetSession: null,
      currentWindowSessions: 4,
    });
    expect(m.attendanceReturn.periods).toEqual([]);
    expect(m.deletionGround20Days.periods).toEqual([]);
    expect(m.sicknessReturn).toEqual({ due: false, longestConsecutiveSchoolDays: 1, cumulativeSchoolDays: 1 });
    expect(m.unresolvedN).toEqual([]);
  });

  it('gives null rates and no PA/SA with no possible session', () => {
    const { m: none } = measure(TWO_WEEKS, lay(TWO_WEEKS, new Uint8Array(20), '2025-09-01', repeatDays('DD', 10)), {
      asOf: '2025-09-12',
    });
    expect(none.possibleSessions).toBe(0);
    expect(none.notPossibleSessions).toBe(20);
    expect([none.attendanceRate, none.absenceRate, none.authorisedAbsenceRate, none.unauthorisedAbsenceRate]).toEqual([
      null,
      null,
      null,
      null,
    ]);
    expect(none.persistentAbsence).toBe(false);
    expect(none.severeAbsence).toBe(false);
    expect(none.brokenWeeks).toBe(0);
  });

  it('counts all sessions as missing when there are no marks', () => {
    const { m: blank } = measure(TWO_WEEKS, new Uint8Array(20), { asOf: '2025-09-12' });
    expect(blank.missingMarks).toBe(20);
    expect(blank.possibleSessions).toBe(0);
    expect(blank.codeCounts).toEqual({});
  });
});

describe('measurePupil: persistent and severe absence', () => {
  const absentFor = (n: number, minPossibleSessions?: number): PupilMeasures => {
    const codes = lay(NINETEEN_WEEKS, allPresent(NINETEEN_WEEKS), '2025-09-01', 'I'.repeat(n));
    return measure(NINETEEN_WEEKS, codes, { asOf: '2026-01-09', minPossibleSessions }).m;
  };

  it('is PA at exactly 10% (19 of 190)', () => {
    const m = absentFor(19);
    expect(m.possibleSessions).toBe(190);
    expect(m.absenceRate).toBeCloseTo(0.1, 12);
    expect(m.persistentAbsence).toBe(true);
    expect(m.severeAbsence).toBe(false);
  });

  it('is not PA just below 10% (18 of 190)', () => {
    const m = absentFor(18);
    expect(m.persistentAbsence).toBe(false);
    expect(m.severeAbsence).toBe(false);
  });

  it('is SA at exactly 50% (95 of 190) and not at 94', () => {
    expect([absentFor(95).persistentAbsence, absentFor(95).severeAbsence]).toEqual([true, true]);
    expect([absentFor(94).persistentAbsence, absentFor(94).severeAbsence]).toEqual([true, false]);
  });

  it('applies a policy minimum of possible sessions', () => {
    // 1 X then 2 I: 19 possible sessions, 2 absent (10.5%).
    const nineteen = lay(TWO_WEEKS, allPresent(TWO_WEEKS), '2025-09-01', 'XII');
    expect(measure(TWO_WEEKS, nineteen, { asOf: '2025-09-12' }).m.persistentAbsence).toBe(true);
    const withMin = measure(TWO_WEEKS, nineteen, { asOf: '2025-09-12', minPossibleSessions: 20 }).m;
    expect(withMin.possibleSessions).toBe(19);
    expect(withMin.persistentAbsence).toBe(false);
    // 20 possible sessions, 2 absent: exactly at the minimum and at 10%.
    const twenty = lay(TWO_WEEKS, allPresent(TWO_WEEKS), '2025-09-01', 'II');
    expect(measure(TWO_WEEKS, twenty, { asOf: '2025-09-12', minPossibleSessions: 20 }).m.persistentAbsence).toBe(true);
  });
});

describe('measurePupil: roll dates, weeks and the statistics period', () => {
  it('counts weeks on roll and broken weeks from admission', () => {
    const codes = allPresent(AUTUMN1);
    lay(AUTUMN1, codes, '2025-09-01', repeatDays('OO', 5)); // before admission: ignored
    lay(AUTUMN1, codes, '2025-09-11', 'I'); // Thu 11 Sep AM
    lay(AUTUMN1, codes, '2025-09-22 PM', 'O'); // Mon 22 Sep PM
    const marks = pupilMarks(AUTUMN1, codes, { from: '2025-09-10' });
    const { m } = measure(AUTUMN1, marks, { asOf: '2025-09-26' });
    expect(m.schoolWeeksOnRoll).toBe(3);
    expect(m.brokenWeeks).toBe(2);
    expect(m.possibleSessions).toBe(26); // Wed–Fri (6) + 2 full weeks (20)
    expect(m.presentSessions).toBe(24);
    expect(m.authorisedAbsenceSessions).toBe(1);
    expect(m.unauthorisedAbsenceSessions).toBe(1);
    expect(m.penaltyNotice.currentWindowSessions).toBe(1);
  });

  it('stops at the leaving date', () => {
    const codes = allPresent(AUTUMN1);
    lay(AUTUMN1, codes, '2025-09-11', 'I');
    lay(AUTUMN1, codes, '2025-09-22 PM', 'O'); // after leaving: ignored
    const marks = pupilMarks(AUTUMN1, codes, { from: '2025-09-10', to: '2025-09-17' });
    const { m } = measure(AUTUMN1, marks, { asOf: '2025-10-24' });
    expect(m.schoolWeeksOnRoll).toBe(2);
    expect(m.possibleSessions).toBe(12);
    expect(m.brokenWeeks).toBe(1);
    expect(m.unauthorisedAbsenceSessions).toBe(0);
  });

  it('does not count a week of not-possible sessions as broken', () => {
    const codes = lay(TWO_WEEKS, allPresent(TWO_WEEKS), '2025-09-08', 'XX DD Y2Y2 ## ZZ');
    const { m } = measure(TWO_WEEKS, codes, { asOf: '2025-09-12' });
    expect(m.brokenWeeks).toBe(0);
    expect(m.schoolWeeksOnRoll).toBe(2);
    expect(m.possibleSessions).toBe(10);
  });

  it('ignores marks after as-of but counts both sessions of the as-of date', () => {
    const codes = allPresent(AUTUMN1);
    lay(AUTUMN1, codes, '2025-09-12 PM', 'O');
    lay(AUTUMN1, codes, '2025-09-15', repeatDays('OO', 30));
    const { m } = measure(AUTUMN1, codes, { asOf: '2025-09-12' });
    expect(m.possibleSessions).toBe(20);
    expect(m.unauthorisedAbsenceSessions).toBe(1);
    expect(m.schoolWeeksOnRoll).toBe(2);
    expect(m.penaltyNotice.thresholdMet).toBe(false);
    expect(m.penaltyNotice.currentWindowSessions).toBe(1);
    expect(m.attendanceReturn.periods).toEqual([]);
  });

  it('counts only the statistics period, from the given date', () => {
    const codes = allPresent(YEAR);
    lay(YEAR, codes, '2025-10-20', repeatDays('II', 5)); // before the period
    lay(YEAR, codes, '2025-11-03', 'G'); // first session of the period
    const { m } = measure(YEAR, codes, { asOf: '2025-11-07', from: '2025-10-27' });
    expect(m.possibleSessions).toBe(10);
    expect(m.unauthorisedAbsenceSessions).toBe(1);
    expect(m.authorisedAbsenceSessions).toBe(0);
    expect(m.schoolWeeksOnRoll).toBe(1);
    expect(m.codeCounts).toEqual({ G: 1, '/': 4, '\\': 5 });
  });

  it('counts historic codes with their old meanings (H authorised, J approved activity, Y not possible)', () => {
    const codes = lay(SWITCH_2024, allPresent(SWITCH_2024), '2024-06-03', 'HH JJ YY FF');
    const { m } = measure(SWITCH_2024, codes, { asOf: '2024-07-19' });
    expect(m.presentSessions).toBe(62);
    expect(m.approvedActivitySessions).toBe(2);
    expect(m.authorisedAbsenceSessions).toBe(4);
    expect(m.unauthorisedAbsenceSessions).toBe(0);
    expect(m.notPossibleSessions).toBe(2);
    expect(m.possibleSessions).toBe(68);
    expect(m.codeCounts).toEqual({ H: 2, J: 2, Y: 2, F: 2, '/': 31, '\\': 31 });
    expect(m.brokenWeeks).toBe(1);
    expect(m.schoolWeeksOnRoll).toBe(7);
  });

  it('counts 2024 codes after the change in the next academic year', () => {
    const codes = lay(SWITCH_2024, allPresent(SWITCH_2024), '2024-06-03', 'HH');
    lay(SWITCH_2024, codes, '2024-09-02', 'K C1 J1 Y1');
    const { m } = measure(SWITCH_2024, codes, { asOf: '2024-09-06' });
    expect(m.possibleSessions).toBe(9); // Y1 is not possible; the H marks were last year
    expect(m.approvedActivitySessions).toBe(1);
    expect(m.authorisedAbsenceSessions).toBe(2);
    expect(m.notPossibleSessions).toBe(1);
  });
});

describe('measurePupil: penalty-notice threshold (10 G/N/O/U in 10 school weeks)', () => {
  const MONDAYS_0_TO_8 = [
    '2025-09-01',
    '2025-09-08',
    '2025-09-15',
    '2025-09-22',
    '2025-09-29',
    '2025-10-06',
    '2025-10-13',
    '2025-10-20',
    '2025-11-03',
  ];

  /** O on Monday AM of school weeks 0–8, then one more O on `tenth`. */
  const tenAcrossHalfTerm = (tenth: string): Uint8Array => {
    const codes = allPresent(YEAR);
    for (const monday of MONDAYS_0_TO_8) lay(YEAR, codes, monday, 'O');
    lay(YEAR, codes, tenth, 'O');
    return codes;
  };

  it('is met at the exact session of the 10th, in a window spanning half term', () => {
    const codes = tenAcrossHalfTerm('2025-11-11 PM'); // week 9; weeks 0–9 are 11 calendar weeks
    const met = measure(YEAR, codes, { asOf: '2025-11-11' }).m.penaltyNotice;
    expect(met).toEqual({
      thresholdMet: true,
      firstMetOn: '2025-11-11',
      firstMetSession: 'PM',
      currentWindowSessions: 10,
    });
    const dayBefore = measure(YEAR, codes, { asOf: '2025-11-10' }).m.penaltyNotice;
    expect(dayBefore).toEqual({
      thresholdMet: false,
      firstMetOn: null,
      firstMetSession: null,
      currentWindowSessions: 9,
    });
  });

  it('records an AM first-met session', () => {
    const codes = tenAcrossHalfTerm('2025-11-12 AM');
    expect(measure(YEAR, codes, { asOf: '2025-11-14' }).m.penaltyNotice).toMatchObject({
      firstMetOn: '2025-11-12',
      firstMetSession: 'AM',
    });
  });

  it('stays met once met, while the current window moves on', () => {
    const codes = tenAcrossHalfTerm('2025-11-11 PM');
    const later = measure(YEAR, codes, { asOf: '2025-12-19' }).m.penaltyNotice;
    expect(later.thresholdMet).toBe(true);
    expect(later.firstMetOn).toBe('2025-11-11');
    // Window at week 14 is weeks 5–14: Mondays of weeks 5, 6, 7, 8 and 11 Nov.
    expect(later.currentWindowSessions).toBe(5);
  });

  it('is not met when the 10 are spread over 11 school weeks', () => {
    const codes = tenAcrossHalfTerm('2025-11-17'); // week 10, nothing in week 9
    for (const asOf of ['2025-11-17', '2025-11-21', '2026-02-13']) {
      expect(measure(YEAR, codes, { asOf }).m.penaltyNotice.thresholdMet).toBe(false);
    }
    expect(measure(YEAR, codes, { asOf: '2025-11-21' }).m.penaltyNotice.currentWindowSessions).toBe(9);
    expect(measure(YEAR, codes, { asOf: '2025-12-19' }).m.penaltyNotice.currentWindowSessions).toBe(5);
  });

  it('takes G, N, O and U in any mix, and not other absence', () => {
    const codes = allPresent(AUTUMN1);
    lay(AUTUMN1, codes, '2025-09-01', 'GN OU MI CT RE S. GN OU GN');
    const { m } = measure(AUTUMN1, codes, { asOf: '2025-10-24' });
    // Sessions: Mon GN, Tue OU, Wed MI, Thu CT, Fri RE, Mon S –, Tue GN, Wed OU, Thu GN.
    expect(m.penaltyNotice).toEqual({
      thresholdMet: true,
      firstMetOn: '2025-09-11',
      firstMetSession: 'PM',
      currentWindowSessions: 10,
    });
  });

  it('gives the current window as of a holiday date: the 10 school weeks to the last one before it', () => {
    const codes = tenAcrossHalfTerm('2025-11-11 PM');
    expect(measure(YEAR, codes, { asOf: '2025-10-31' }).m.penaltyNotice.currentWindowSessions).toBe(8);
  });

  it('counts across the summer holiday into the next academic year', () => {
    const codes = allPresent(SUMMER_AUTUMN);
    for (const monday of ['2025-06-30', '2025-07-07', '2025-07-14', '2025-09-01'])
      lay(SUMMER_AUTUMN, codes, monday, 'OO');
    lay(SUMMER_AUTUMN, codes, '2025-09-08', 'O'); // 9th
    lay(SUMMER_AUTUMN, codes, '2025-09-09', 'O'); // 10th
    const { m } = measure(SUMMER_AUTUMN, codes, { asOf: '2025-09-12' });
    expect(m.penaltyNotice).toEqual({
      thresholdMet: true,
      firstMetOn: '2025-09-09',
      firstMetSession: 'AM',
      currentWindowSessions: 10,
    });
    // The statistics are for 2025/26 only.
    expect(m.unauthorisedAbsenceSessions).toBe(4);
    expect(m.possibleSessions).toBe(20);
  });

  it('does not carry one pupil into the next through a shared scratch', () => {
    const scratch = createScratch(YEAR);
    const ctx = analysisContext(YEAR, { asOf: d('2025-12-19') });
    const first = measurePupil(YEAR, ctx, pupilMarks(YEAR, tenAcrossHalfTerm('2025-11-11 PM')), scratch);
    const late = measurePupil(YEAR, ctx, pupilMarks(YEAR, allPresent(YEAR), { from: '2025-11-17' }), scratch);
    const again = measurePupil(YEAR, ctx, pupilMarks(YEAR, tenAcrossHalfTerm('2025-11-11 PM')), scratch);
    expect(first.penaltyNotice.currentWindowSessions).toBe(5);
    expect(late.penaltyNotice).toEqual({
      thresholdMet: false,
      firstMetOn: null,
      firstMetSession: null,
      currentWindowSessions: 0,
    });
    expect(late.codeCounts).toEqual({ '/': 25, '\\': 25 });
    expect(again).toEqual(first);
  });
});

describe('measurePupil: attendance return (10 school days, every possible session G/N/O/U)', () => {
  // SUMMER1 school days: 13–17 Apr, 20–24 Apr, 27 Apr–1 May, 5–8 May (4 May closed), 11–15 May, 18–22 May.
  const run = (at: string, pattern: string, asOf = '2026-05-22'): PupilMeasures =>
    measure(SUMMER1, lay(SUMMER1, allPresent(SUMMER1), at, pattern), { asOf }).m;
  const periods = (m: PupilMeasures): unknown => m.attendanceReturn.periods;

  it('reports 10 continuous days, across a weekend', () => {
    expect(periods(run('2026-04-20', repeatDays('OO', 10)))).toEqual([
      { start: '2026-04-20', end: '2026-05-01', schoolDays: 10 },
    ]);
  });

  it('does not report 9', () => {
    expect(periods(run('2026-04-20', repeatDays('OO', 9)))).toEqual([]);
  });

  it('takes any mix of G, N, O and U', () => {
    expect(periods(run('2026-04-20', 'GN OU UU NG GG NN OO UO GU NO'))).toEqual([
      { start: '2026-04-20', end: '2026-05-01', schoolDays: 10 },
    ]);
  });

  it('runs across a bank-holiday closure, which neither extends nor breaks it', () => {
    // 27, 28, 29, 30 Apr, 1, 5, 6, 7, 8, 11 May.
    expect(periods(run('2026-04-27', repeatDays('OO', 10)))).toEqual([
      { start: '2026-04-27', end: '2026-05-11', schoolDays: 10 },
    ]);
    expect(periods(run('2026-04-28', repeatDays('OO', 9)))).toEqual([]);
  });

  it('lets a # or Y1 day inside a run neither extend nor break it', () => {
    const pattern = `${repeatDays('OO', 5)} ## Y1Y1 ${repeatDays('OO', 5)}`;
    expect(periods(run('2026-04-20', pattern))).toEqual([{ start: '2026-04-20', end: '2026-05-06', schoolDays: 10 }]);
    expect(periods(run('2026-04-20', `${repeatDays('OO', 5)} ## Y1Y1 ${repeatDays('OO', 4)}`))).toEqual([]);
  });

  it('is broken by a day with one O and one present mark', () => {
    expect(periods(run('2026-04-13', `${repeatDays('OO', 5)} O\\ ${repeatDays('OO', 9)}`))).toEqual([]);
  });

  it('is extended by a day with one O and one not-possible session', () => {
    expect(periods(run('2026-04-13', `${repeatDays('OO', 5)} OY1 ${repeatDays('OO', 9)}`))).toEqual([
      { start: '2026-04-13', end: '2026-05-01', schoolDays: 15 },
    ]);
  });

  it('reports each run separately', () => {
    expect(periods(run('2026-04-13', `${repeatDays('OO', 10)} /\\ ${repeatDays('OO', 10)}`))).toEqual([
      { start: '2026-04-13', end: '2026-04-24', schoolDays: 10 },
      { start: '2026-04-28', end: '2026-05-12', schoolDays: 10 },
    ]);
  });

  it('reports a run still open at as-of, counting only days up to as-of', () => {
    expect(periods(run('2026-05-11', repeatDays('OO', 10)))).toEqual([
      { start: '2026-05-11', end: '2026-05-22', schoolDays: 10 },
    ]);
    expect(periods(run('2026-05-11', repeatDays('OO', 10), '2026-05-21'))).toEqual([]);
  });

  it('runs across the summer holiday and the change of code set', () => {
    const codes = allPresent(SWITCH_2024);
    lay(SWITCH_2024, codes, '2024-07-15', repeatDays('GG', 5));
    lay(SWITCH_2024, codes, '2024-09-02', repeatDays('OO', 5));
    const { m } = measure(SWITCH_2024, codes, { asOf: '2024-10-25' });
    expect(m.attendanceReturn.periods).toEqual([{ start: '2024-07-15', end: '2024-09-06', schoolDays: 10 }]);
  });
});

describe('measurePupil: deletion ground (20 school days, every session G, N or O)', () => {
  const twenty = [
    'GN',
    'OO',
    'NN',
    'GG',
    'OG',
    'NO',
    'OO',
    'OO',
    'OO',
    'OO',
    'OO',
    'OO',
    'GG',
    'OO',
    'OO',
    'OO',
    'OO',
    'NN',
    'OO',
    'OO',
  ];

  it('is met by 20 days of G, N and O', () => {
    const { m } = measure(AUTUMN1, lay(AUTUMN1, allPresent(AUTUMN1), '2025-09-01', twenty.join(' ')), {
      asOf: '2025-10-24',
    });
    expect(m.deletionGround20Days.periods).toEqual([{ start: '2025-09-01', end: '2025-09-26', schoolDays: 20 }]);
    expect(m.attendanceReturn.periods).toEqual([{ start: '2025-09-01', end: '2025-09-26', schoolDays: 20 }]);
  });

  it('is broken by U, which still counts for the attendance return', () => {
    const withU = [...twenty];
    withU[9] = 'UU'; // Fri 12 Sep
    const { m } = measure(AUTUMN1, lay(AUTUMN1, allPresent(AUTUMN1), '2025-09-01', withU.join(' ')), {
      asOf: '2025-10-24',
    });
    expect(m.deletionGround20Days.periods).toEqual([]);
    expect(m.attendanceReturn.periods).toEqual([{ start: '2025-09-01', end: '2025-09-26', schoolDays: 20 }]);
  });

  it('is broken by a day with one U', () => {
    const withU = [...twenty];
    withU[0] = 'OU';
    const { m } = measure(AUTUMN1, lay(AUTUMN1, allPresent(AUTUMN1), '2025-09-01', withU.join(' ')), {
      asOf: '2025-10-24',
    });
    expect(m.deletionGround20Days.periods).toEqual([]);
  });

  it('is not met by 19 days; a longer run is one period', () => {
    const nineteen = measure(AUTUMN1, lay(AUTUMN1, allPresent(AUTUMN1), '2025-09-01', repeatDays('OO', 19)), {
      asOf: '2025-10-24',
    }).m;
    expect(nineteen.deletionGround20Days.periods).toEqual([]);
    expect(nineteen.attendanceReturn.periods).toEqual([{ start: '2025-09-01', end: '2025-09-25', schoolDays: 19 }]);
    const longer = measure(AUTUMN1, lay(AUTUMN1, allPresent(AUTUMN1), '2025-09-01', repeatDays('OO', 25)), {
      asOf: '2025-10-24',
    }).m;
    expect(longer.deletionGround20Days.periods).toEqual([{ start: '2025-09-01', end: '2025-10-03', schoolDays: 25 }]);
  });
});

describe('measurePupil: sickness return (15 school days of I)', () => {
  const sick = (at: string, pattern: string, asOf = '2025-12-19', from?: string): PupilMeasures['sicknessReturn'] =>
    measure(YEAR, lay(YEAR, allPresent(YEAR), at, pattern), { asOf, from }).m.sicknessReturn;

  it('is due after 15 consecutive days of I', () => {
    expect(sick('2025-09-01', repeatDays('II', 15))).toEqual({
      due: true,
      longestConsecutiveSchoolDays: 15,
      cumulativeSchoolDays: 15,
    });
  });

  it('is not due after 14', () => {
    expect(sick('2025-09-01', repeatDays('II', 14))).toEqual({
      due: false,
      longestConsecutiveSchoolDays: 14,
      cumulativeSchoolDays: 14,
    });
  });

  it('is due after 30 I sessions in all (cumulative), not after 29', () => {
    expect(sick('2025-09-01', repeatDays('I\\', 30))).toEqual({
      due: true,
      longestConsecutiveSchoolDays: 0,
      cumulativeSchoolDays: 15,
    });
    expect(sick('2025-09-01', repeatDays('I\\', 29))).toEqual({
      due: false,
      longestConsecutiveSchoolDays: 0,
      cumulativeSchoolDays: 14.5,
    });
  });

  it('runs across half term and over a day with no possible session', () => {
    expect(sick('2025-10-13', `${repeatDays('II', 7)} ## ${repeatDays('II', 8)}`)).toEqual({
      due: true,
      longestConsecutiveSchoolDays: 15,
      cumulativeSchoolDays: 15,
    });
  });

  it('is broken by a day with another absence', () => {
    expect(sick('2025-09-01', `${repeatDays('II', 7)} IM ${repeatDays('II', 7)}`)).toEqual({
      due: false,
      longestConsecutiveSchoolDays: 7,
      cumulativeSchoolDays: 14.5,
    });
  });

  it('computes the longest run within the statistics period only', () => {
    const codes = allPresent(SUMMER_AUTUMN);
    lay(SUMMER_AUTUMN, codes, '2025-07-07', repeatDays('II', 10));
    lay(SUMMER_AUTUMN, codes, '2025-09-01', repeatDays('II', 5));
    expect(measure(SUMMER_AUTUMN, codes, { asOf: '2025-09-12' }).m.sicknessReturn).toEqual({
      due: false,
      longestConsecutiveSchoolDays: 5,
      cumulativeSchoolDays: 5,
    });
    expect(measure(SUMMER_AUTUMN, codes, { asOf: '2025-09-12', from: '2025-06-01' }).m.sicknessReturn).toEqual({
      due: true,
      longestConsecutiveSchoolDays: 15,
      cumulativeSchoolDays: 15,
    });
  });
});

describe('measurePupil: unresolved N (older than 5 school days)', () => {
  const codes = lay(AUTUMN1, allPresent(AUTUMN1), '2025-09-01', 'N\\ /N');

  it('is not unresolved exactly 5 school days after', () => {
    expect(measure(AUTUMN1, codes, { asOf: '2025-09-08' }).m.unresolvedN).toEqual([]);
  });

  it('is unresolved 6 school days after (counting up to and including as-of)', () => {
    expect(measure(AUTUMN1, codes, { asOf: '2025-09-09' }).m.unresolvedN).toEqual([
      { date: '2025-09-01', session: 'AM' },
    ]);
    expect(measure(AUTUMN1, codes, { asOf: '2025-09-10' }).m.unresolvedN).toEqual([
      { date: '2025-09-01', session: 'AM' },
      { date: '2025-09-02', session: 'PM' },
    ]);
  });

  it('counts school days, not calendar days', () => {
    expect(measure(AUTUMN1, codes, { asOf: '2025-09-07' }).m.unresolvedN).toEqual([]);
    const closed = buildCalendar([['2025-09-01', '2025-10-24']], [['2025-09-05', 'ALL']]);
    const withClosure = lay(closed, allPresent(closed), '2025-09-01', 'N');
    expect(measure(closed, withClosure, { asOf: '2025-09-09' }).m.unresolvedN).toEqual([]);
    expect(measure(closed, withClosure, { asOf: '2025-09-10' }).m.unresolvedN).toEqual([
      { date: '2025-09-01', session: 'AM' },
    ]);
  });
});

describe('summarise', () => {
  const ctx = analysisContext(TWO_WEEKS, { asOf: d('2025-09-12') });
  // A: on roll for the first week only, absent 5 of 10 (50%).
  const a = measurePupil(
    TWO_WEEKS,
    ctx,
    pupilMarks(TWO_WEEKS, lay(TWO_WEEKS, allPresent(TWO_WEEKS), '2025-09-01', 'IIIII'), { to: '2025-09-05' }),
  );
  // B: present at all 20.
  const b = measurePupil(TWO_WEEKS, ctx, pupilMarks(TWO_WEEKS, allPresent(TWO_WEEKS)));
  // C: dual registered throughout: no possible session.
  const c = measurePupil(
    TWO_WEEKS,
    ctx,
    pupilMarks(TWO_WEEKS, lay(TWO_WEEKS, new Uint8Array(20), '2025-09-01', repeatDays('DD', 10))),
  );

  it('adds sessions over pupils before dividing (not an average of pupil rates)', () => {
    expect([a.possibleSessions, b.possibleSessions, c.possibleSessions]).toEqual([10, 20, 0]);
    const s = summarise([a, b, c]);
    expect(s.pupils).toBe(3);
    expect(s.possibleSessions).toBe(30);
    expect(s.absenceRate).toBeCloseTo(5 / 30, 12); // the average of pupil rates would be 0.25
    expect(s.authorisedAbsenceRate).toBeCloseTo(5 / 30, 12);
    expect(s.unauthorisedAbsenceRate).toBe(0);
    expect(s.attendanceRate).toBeCloseTo(25 / 30, 12);
  });

  it('divides the PA and SA rates by pupils with at least one possible session', () => {
    const s = summarise([a, b, c]);
    expect(s.persistentAbsentees).toBe(1);
    expect(s.severeAbsentees).toBe(1);
    expect(s.persistentAbsenceRate).toBe(0.5);
    expect(s.severeAbsenceRate).toBe(0.5);
  });

  it('gives null rates when nothing is possible', () => {
    expect(summarise([])).toEqual({
      pupils: 0,
      possibleSessions: 0,
      attendanceRate: null,
      absenceRate: null,
      authorisedAbsenceRate: null,
      unauthorisedAbsenceRate: null,
      persistentAbsentees: 0,
      severeAbsentees: 0,
      persistentAbsenceRate: null,
      severeAbsenceRate: null,
    });
    expect(summarise([c]).persistentAbsenceRate).toBeNull();
    expect(summarise([c]).pupils).toBe(1);
  });
});
