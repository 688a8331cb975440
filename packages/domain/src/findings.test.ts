import { describe, expect, it } from 'vitest';
import type { SchoolCalendar } from './calendar.js';
import { findingsFor, type Finding, type FindingRule } from './findings.js';
import type { PupilMarks } from './measures.js';
import { allPresent, buildCalendar, lay, measure, pupilMarks, repeatDays } from './test-support.js';

const AUTUMN1 = buildCalendar([['2025-09-01', '2025-10-24']]);
/** School weeks 0–7: w/c 1 Sep … 20 Oct; half term; 8–14: w/c 3 Nov … 15 Dec. */
const AUTUMN = buildCalendar([
  ['2025-09-01', '2025-10-24'],
  ['2025-11-03', '2025-12-19'],
]);
const NINETEEN_WEEKS = buildCalendar([['2025-09-01', '2026-01-09']]);
const SUMMER1 = buildCalendar([['2026-04-13', '2026-05-22']], [['2026-05-04', 'ALL']]);

function findings(cal: SchoolCalendar, marks: PupilMarks | Uint8Array, asOf: string): Finding[] {
  const { ctx, m, marks: pm } = measure(cal, marks, { asOf });
  return findingsFor(cal, ctx, pm, m);
}

function only(list: Finding[], rule: FindingRule): Finding {
  const found = list.filter((f) => f.rule === rule);
  expect(found).toHaveLength(1);
  return found[0]!;
}

/** The published text each finding names (our reference's section in brackets). */
const SOURCES: Record<string, string> = {
  '§1': 'The School Attendance (Pupil Registration) (England) Regulations 2024',
  '§3': 'Working together to improve school attendance (DfE, August 2024)',
  '§4': 'The Education (Penalty Notices) (England) (Amendment) Regulations 2024',
  '§5': 'The School Attendance (Pupil Registration) (England) Regulations 2024',
};

function expectWellFormed(f: Finding, section: string): void {
  expect(f.source).toContain(SOURCES[section]);
  // Shown to staff: no paths into our repository.
  expect(f.source).not.toMatch(/\.md|\.\.\//);
  expect(f.title.length).toBeGreaterThan(0);
  expect(f.explanation.length).toBeGreaterThan(0);
}

describe('findingsFor', () => {
  it('finds nothing for a pupil who is always present', () => {
    expect(findings(AUTUMN, allPresent(AUTUMN), '2025-12-19')).toEqual([]);
  });

  it('explains persistent absence with its numbers', () => {
    const f = only(
      findings(
        NINETEEN_WEEKS,
        lay(NINETEEN_WEEKS, allPresent(NINETEEN_WEEKS), '2025-09-01', 'I'.repeat(19)),
        '2026-01-09',
      ),
      'persistentAbsence',
    );
    expectWellFormed(f, '§3');
    expect(f.explanation).toContain('19 of 190 possible sessions');
    expect(f.explanation).toContain('10.0%');
    expect(f.explanation).toContain('2025-09-01 to 2026-01-09');
  });

  it('explains severe absence instead of persistent absence at 50%', () => {
    const list = findings(
      NINETEEN_WEEKS,
      lay(NINETEEN_WEEKS, allPresent(NINETEEN_WEEKS), '2025-09-01', 'I'.repeat(95)),
      '2026-01-09',
    );
    const f = only(list, 'severeAbsence');
    expect(list.filter((x) => x.rule === 'persistentAbsence')).toEqual([]);
    expectWellFormed(f, '§3');
    expect(f.explanation).toContain('95 of 190');
    expect(f.explanation).toContain('50.0%');
  });

  it('lists exactly the G/N/O/U sessions of the penalty-notice window', () => {
    const codes = allPresent(AUTUMN);
    const mondays = [
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
    const mix = ['G', 'N', 'U', 'O', 'G', 'N', 'U', 'O', 'G'];
    mondays.forEach((monday, i) => lay(AUTUMN, codes, monday, mix[i]!));
    lay(AUTUMN, codes, '2025-09-02', 'MI'); // authorised: not listed
    lay(AUTUMN, codes, '2025-11-11 PM', 'O'); // the 10th
    lay(AUTUMN, codes, '2025-11-12', 'OU'); // after the threshold was met: not listed
    const f = only(findings(AUTUMN, codes, '2025-11-14'), 'penaltyNoticeThreshold');
    expectWellFormed(f, '§4');
    expect(f.window).toEqual({ from: '2025-09-01', to: '2025-11-11' });
    expect(f.sessions).toEqual([
      ...mondays.map((date, i) => ({ date, session: 'AM', code: mix[i] })),
      { date: '2025-11-11', session: 'PM', code: 'O' },
    ]);
    expect(f.explanation).toContain('10 sessions of unauthorised absence');
    expect(f.explanation).toContain('10 school weeks');
    expect(f.explanation).toContain('2025-11-11 PM');
    expect(f.explanation).toContain('In the current window: 12');
  });

  it('leaves G/N/O/U sessions before the window out of the list', () => {
    const codes = allPresent(AUTUMN);
    lay(AUTUMN, codes, '2025-09-01', 'U'); // week 0
    lay(AUTUMN, codes, '2025-11-24', repeatDays('OO', 5)); // week 11: the window is weeks 2–11
    const f = only(findings(AUTUMN, codes, '2025-12-19'), 'penaltyNoticeThreshold');
    expect(f.window).toEqual({ from: '2025-09-15', to: '2025-11-28' });
    expect(f.sessions).toHaveLength(10);
    expect(f.sessions?.every((s) => s.code === 'O' && s.date >= '2025-11-24' && s.date <= '2025-11-28')).toBe(true);
    expect(f.sessions?.[9]).toEqual({ date: '2025-11-28', session: 'PM', code: 'O' });
  });

  it('explains an attendance return period', () => {
    const list = findings(SUMMER1, lay(SUMMER1, allPresent(SUMMER1), '2026-04-27', repeatDays('OO', 10)), '2026-05-22');
    const f = only(list, 'attendanceReturn');
    expectWellFormed(f, '§5');
    expect(f.window).toEqual({ from: '2026-04-27', to: '2026-05-11' });
    expect(f.explanation).toContain('10 continuous school days from 2026-04-27 to 2026-05-11');
    expect(f.explanation).toContain('G, N, O or U');
  });

  it('explains a sickness return', () => {
    const f = only(
      findings(AUTUMN1, lay(AUTUMN1, allPresent(AUTUMN1), '2025-09-08', repeatDays('II', 15)), '2025-10-24'),
      'sicknessReturn',
    );
    expectWellFormed(f, '§5');
    expect(f.explanation).toContain('longest run 15 consecutive school days');
    expect(f.explanation).toContain('15 school days in all');
    expect(f.window).toEqual({ from: '2025-09-01', to: '2025-10-24' });
  });

  it('explains the 20-day deletion ground (and the attendance return it implies)', () => {
    const list = findings(AUTUMN1, lay(AUTUMN1, allPresent(AUTUMN1), '2025-09-01', repeatDays('GO', 20)), '2025-10-24');
    const f = only(list, 'deletionGround20Days');
    expectWellFormed(f, '§5');
    expect(f.explanation).toContain('20 continuous school days from 2025-09-01 to 2025-09-26');
    expect(f.explanation).toContain('G, N or O');
    expect(f.window).toEqual({ from: '2025-09-01', to: '2025-09-26' });
    expect(only(list, 'attendanceReturn').window).toEqual({ from: '2025-09-01', to: '2025-09-26' });
    expect(only(list, 'penaltyNoticeThreshold').sessions).toHaveLength(10);
  });

  it('explains unresolved N marks and lists them', () => {
    const f = only(
      findings(AUTUMN1, lay(AUTUMN1, allPresent(AUTUMN1), '2025-09-01', 'N\\ /N'), '2025-09-10'),
      'unresolvedN',
    );
    expectWellFormed(f, '§1');
    expect(f.explanation).toContain('2 N marks older than 5 school days');
    expect(f.explanation).toContain('2025-09-01 AM');
    expect(f.sessions).toEqual([
      { date: '2025-09-01', session: 'AM', code: 'N' },
      { date: '2025-09-02', session: 'PM', code: 'N' },
    ]);
    expect(f.window).toEqual({ from: '2025-09-01', to: '2025-09-10' });
  });

  it('says "1 N mark" for one', () => {
    const f = only(
      findings(AUTUMN1, lay(AUTUMN1, allPresent(AUTUMN1), '2025-09-01', 'N'), '2025-09-10'),
      'unresolvedN',
    );
    expect(f.explanation).toContain('1 N mark older');
  });

  it('gives every finding a rule, a source in the rules and an explanation', () => {
    const codes = lay(AUTUMN1, allPresent(AUTUMN1), '2025-09-01', `${repeatDays('NN', 20)} ${repeatDays('II', 15)}`);
    const list = findings(AUTUMN1, pupilMarks(AUTUMN1, codes), '2025-10-24');
    expect(list.map((f) => f.rule).sort()).toEqual(
      [
        'attendanceReturn',
        'deletionGround20Days',
        'penaltyNoticeThreshold',
        'severeAbsence',
        'sicknessReturn',
        'unresolvedN',
      ].sort(),
    );
    for (const f of list) {
      expect(f.source).toMatch(/Regulations 2024|Working together to improve school attendance/);
      expect(f.source).not.toMatch(/\.md|\.\.\//);
      expect(f.explanation).toMatch(/\d/);
    }
  });
});
