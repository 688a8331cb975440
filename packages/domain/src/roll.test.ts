import { describe, expect, it } from 'vitest';
import { buildRoll, parseFlag, type MarkRow, type PupilRow, type RollIssue } from './roll.js';
import { UPN_A, UPN_B, UPN_C, UPN_TEMP, buildCalendar, codeAt } from './test-support.js';

/** Autumn 1 2025 with an INSET day (Fri 19 Sep) and a closed afternoon (Fri 26 Sep): 77 sessions. */
const CAL = buildCalendar(
  [['2025-09-01', '2025-10-24']],
  [
    ['2025-09-19', 'ALL'],
    ['2025-09-26', 'PM'],
  ],
);
/** A valid UPN nobody has: 8,0,1,2,0,0,0,0,5,0,0,2 → 106 mod 23 = 14 → Q. */
const UPN_STRANGER = 'Q801200005002';

const mark = (
  line: number,
  upn: string,
  date: string,
  session: string,
  code: string,
  minutesLate?: string,
): MarkRow => ({
  line,
  upn,
  date,
  session,
  code,
  minutesLate,
});
const pupil = (line: number, values: Record<string, string>): PupilRow => ({ line, values });
const issue = (file: 'marks' | 'pupils', line: number, text: string): RollIssue => ({
  file,
  line,
  message: expect.stringContaining(text) as string,
});

describe('buildRoll without a pupils file', () => {
  const { pupils, issues } = buildRoll(CAL, [
    mark(2, UPN_B, '2025-09-02', 'AM', 'O'),
    mark(3, UPN_A, '2025-09-01', 'AM', '/'),
    mark(4, UPN_A, '2025-09-01', 'PM', '\\'),
    mark(5, UPN_A, '2025-09-03', 'AM', 'L', '5'),
    mark(6, ` ${UPN_A.toLowerCase()} `, '2025-09-03', 'pm', 'o'),
  ]);

  it('has no issues and one entry per UPN, sorted', () => {
    expect(issues).toEqual([]);
    expect(pupils.map((p) => p.info.upn)).toEqual([UPN_A, UPN_B]);
  });

  it('puts each pupil on roll from their first to their last mark', () => {
    const [a, b] = pupils;
    expect([a!.onRollFrom, a!.onRollTo, a!.marks.rollFrom, a!.marks.rollTo]).toEqual([
      '2025-09-01',
      '2025-09-03',
      0,
      5,
    ]);
    expect([b!.onRollFrom, b!.onRollTo, b!.marks.rollFrom, b!.marks.rollTo]).toEqual([
      '2025-09-02',
      '2025-09-02',
      2,
      3,
    ]);
    expect(a!.info).toEqual({ upn: UPN_A });
  });

  it('lays the marks and minutes on the sessions', () => {
    const a = pupils[0]!.marks;
    expect([0, 1, 2, 3, 4, 5].map((s) => codeAt(a.codes, s))).toEqual(['/', '\\', '', '', 'L', 'O']);
    expect(a.codes).toHaveLength(77);
    expect(a.minutesLate?.[4]).toBe(5);
    expect(pupils[1]!.marks.minutesLate).toBeUndefined();
    expect(codeAt(pupils[1]!.marks.codes, 2)).toBe('O');
  });

  it('records old codes on old dates', () => {
    const cal = buildCalendar([['2024-07-15', '2024-09-06']]);
    const r = buildRoll(cal, [
      mark(2, UPN_A, '2024-07-19', 'AM', 'H'),
      mark(3, UPN_A, '2024-09-02', 'AM', 'H'),
      mark(4, UPN_A, '2024-07-19', 'PM', 'Y1'),
    ]);
    expect(r.issues).toEqual([issue('marks', 3, 'pre-2024 code'), issue('marks', 4, 'belongs to the 2024 code set')]);
    const codes = r.pupils[0]!.marks.codes;
    expect(codeAt(codes, 8)).toBe('H');
    expect(r.pupils[0]!.marks.codes[8]).not.toBe(0);
  });
});

describe('buildRoll reports every problem with its line', () => {
  const pupilRows = [
    pupil(2, { upn: UPN_A, admission_date: '2025-09-01', fsm: 'Y', surname: 'Pupil', forename: 'Alpha' }),
    pupil(3, { upn: UPN_B, leaving_date: '2025-09-30' }),
    pupil(4, { upn: UPN_C, admission_date: '2025-09-08' }),
    pupil(5, { upn: 'A801200005001' }),
    pupil(6, { upn: UPN_A }),
    pupil(7, {
      upn: UPN_TEMP,
      date_of_birth: '2015-02-30',
      admission_date: '2025-09-10',
      leaving_date: '2025-09-05',
      sen: 'Q',
      fsm: 'maybe',
    }),
  ];
  const markRows = [
    mark(2, UPN_A, '2025-09-01', 'AM', '/'),
    mark(3, UPN_A, '2025-09-01', 'PM', 'Q9'),
    mark(4, UPN_A, '2025-09-02', 'AM', 'H'),
    mark(5, UPN_A, '2025-9-03', 'AM', '/'),
    mark(6, UPN_A, '2025-09-03', 'XX', '/'),
    mark(7, UPN_A, '2025-09-06', 'AM', '/'),
    mark(8, UPN_A, '2025-09-19', 'AM', '#'),
    mark(9, UPN_A, '2025-09-19', 'PM', '/'),
    mark(10, UPN_A, '2025-09-01', 'AM', 'O'),
    mark(11, 'A801200005001', '2025-09-02', 'PM', '/'),
    mark(12, UPN_STRANGER, '2025-09-02', 'PM', '/'),
    mark(13, UPN_C, '2025-09-03', 'AM', '/'),
    mark(14, UPN_B, '2025-10-01', 'AM', '/'),
    mark(15, UPN_A, '2025-09-03', 'AM', 'L', 'ten'),
    mark(16, UPN_A, '2025-13-01', 'PM', 'Q9'),
    mark(17, UPN_A, '2025-09-04', 'AM', ' '),
    mark(18, UPN_A, '2024-06-03', 'AM', 'K'),
    mark(19, UPN_B, '2025-09-02', 'am', 'l', '12'),
    mark(20, UPN_A, '2025-09-26', 'PM', '#'),
    mark(21, UPN_A, '2025-09-03', 'PM', 'L', '601'),
    mark(22, UPN_A, '2025-09-04', 'PM', ' o '),
    mark(23, UPN_A, '2025-10-27', 'AM', '/'),
  ];
  const { pupils, issues } = buildRoll(CAL, markRows, pupilRows);

  it('lists them all, in order', () => {
    expect(issues).toEqual([
      issue('pupils', 5, 'invalid UPN "A801200005001"'),
      issue('pupils', 6, 'duplicate UPN B801200005001 (already on line 2)'),
      issue('pupils', 7, 'date_of_birth "2015-02-30" is not a date'),
      issue('pupils', 7, 'leaving_date 2025-09-05 is before admission_date 2025-09-10'),
      issue('pupils', 7, 'sen "Q"'),
      issue('pupils', 7, 'fsm "maybe" must be Y or N'),
      issue('marks', 3, 'unknown attendance code "Q9"'),
      issue('marks', 4, 'code "H" is a pre-2024 code'),
      issue('marks', 5, 'date "2025-9-03" is not a date'),
      issue('marks', 6, 'session "XX" must be AM or PM'),
      issue('marks', 7, '2025-09-06 AM is not a school session'),
      issue('marks', 9, '2025-09-19 PM is a planned closure'),
      issue('marks', 10, 'already on line 2'),
      issue('marks', 11, 'invalid UPN "A801200005001": check letter'),
      issue('marks', 12, `UPN ${UPN_STRANGER} is not in the pupils file`),
      issue('marks', 13, `is before ${UPN_C}'s admission date 2025-09-08`),
      issue('marks', 14, `is after ${UPN_B}'s leaving date 2025-09-30`),
      issue('marks', 15, 'minutes_late "ten"'),
      issue('marks', 16, 'date "2025-13-01" is not a date'),
      issue('marks', 16, 'unknown attendance code "Q9"'),
      issue('marks', 17, 'code is empty'),
      issue('marks', 18, 'belongs to the 2024 code set'),
      issue('marks', 18, '2024-06-03 AM is not a school session'),
      issue('marks', 18, `mark on 2024-06-03 is before ${UPN_A}'s admission date 2025-09-01`),
      issue('marks', 21, 'minutes_late "601"'),
      issue('marks', 23, '2025-10-27 AM is not a school session'),
    ]);
  });

  it('still builds every pupil with a valid UPN, on roll by their dates', () => {
    expect(pupils.map((p) => p.info.upn)).toEqual([UPN_A, UPN_C, UPN_B, UPN_TEMP]);
    const [a, c, b] = pupils;
    expect(a!.info).toEqual({
      upn: UPN_A,
      admissionDate: '2025-09-01',
      fsm: true,
      surname: 'Pupil',
      forename: 'Alpha',
    });
    expect([a!.onRollFrom, a!.onRollTo, a!.marks.rollFrom, a!.marks.rollTo]).toEqual(['2025-09-01', null, 0, 76]);
    // 22 weekdays to Tue 30 Sep, less Fri 19 (2 sessions) and Fri 26 PM: 41 sessions.
    expect([b!.onRollFrom, b!.onRollTo, b!.marks.rollFrom, b!.marks.rollTo]).toEqual([
      '2025-09-01',
      '2025-09-30',
      0,
      40,
    ]);
    expect([c!.onRollFrom, c!.marks.rollFrom]).toEqual(['2025-09-08', 10]);
  });

  it('keeps the good marks (the first of duplicates, marks with bad minutes), and none on closures', () => {
    const a = pupils[0]!.marks;
    expect(codeAt(a.codes, 0)).toBe('/');
    expect(codeAt(a.codes, 1)).toBe('');
    expect(codeAt(a.codes, 2)).toBe('');
    expect(codeAt(a.codes, 4)).toBe('L');
    expect(codeAt(a.codes, 5)).toBe('L');
    expect(codeAt(a.codes, 6)).toBe('');
    expect(codeAt(a.codes, 7)).toBe('O');
    expect(a.minutesLate).toBeUndefined();
    expect([...a.codes].filter((c) => c !== 0)).toHaveLength(4);
    const b = pupils[2]!.marks;
    expect(codeAt(b.codes, 2)).toBe('L');
    expect(b.minutesLate?.[2]).toBe(12);
    expect([...pupils[1]!.marks.codes].every((c) => c === 0)).toBe(true); // C's only mark was before admission
  });
});

describe('buildRoll pupils', () => {
  it('lists a pupil with no marks, on roll from the first school day', () => {
    const { pupils, issues } = buildRoll(CAL, [], [pupil(2, { upn: UPN_A })]);
    expect(issues).toEqual([]);
    expect(pupils).toHaveLength(1);
    expect([pupils[0]!.onRollFrom, pupils[0]!.onRollTo, pupils[0]!.marks.rollFrom, pupils[0]!.marks.rollTo]).toEqual([
      '2025-09-01',
      null,
      0,
      76,
    ]);
    expect([...pupils[0]!.marks.codes].every((c) => c === 0)).toBe(true);
  });

  it('reads flags written Y/N, yes/no, true/false or 1/0, and other columns', () => {
    const { pupils, issues } = buildRoll(
      CAL,
      [],
      [
        pupil(2, {
          upn: UPN_A,
          fsm: 'Y',
          pupil_premium: 'TRUE',
          eal: 'false',
          cin: '1',
          cp: '0',
          lac: 'n',
          young_carer: '',
          sen: 'k',
          year_group: ' 7 ',
          reg_group: '7B',
          gender: 'F',
          date_of_birth: '2013-05-14',
        }),
        pupil(3, { upn: UPN_B, fsm: 'no', eal: 'Yes', cin: 'y' }),
      ],
    );
    expect(issues).toEqual([]);
    expect(pupils[0]!.info).toEqual({
      upn: UPN_A,
      fsm: true,
      pupilPremium: true,
      eal: false,
      cin: true,
      cp: false,
      lac: false,
      sen: 'K',
      yearGroup: '7',
      regGroup: '7B',
      gender: 'F',
      dateOfBirth: '2013-05-14',
    });
    expect(pupils[1]!.info).toEqual({ upn: UPN_B, fsm: false, eal: true, cin: true });
  });

  it.each(['maybe', '2', 'x', 'yess'])('rejects the flag %j', (value) => {
    const { issues, pupils } = buildRoll(CAL, [], [pupil(9, { upn: UPN_A, lac: value })]);
    expect(issues).toEqual([issue('pupils', 9, `lac "${value}" must be Y or N`)]);
    expect(pupils[0]!.info.lac).toBeUndefined();
  });
});

describe('parseFlag', () => {
  it.each([
    ['Y', true],
    ['y', true],
    ['yes', true],
    ['TRUE', true],
    ['true', true],
    ['1', true],
    [' N ', false],
    ['no', false],
    ['False', false],
    ['0', false],
    ['', undefined],
    ['  ', undefined],
    ['maybe', 'invalid'],
    ['2', 'invalid'],
  ] as const)('reads %j as %s', (value, expected) => {
    expect(parseFlag(value)).toBe(expected);
  });
});
