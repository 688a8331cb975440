import { describe, expect, it } from 'vitest';
import {
  CAT_APPROVED_ACTIVITY,
  CAT_AUTHORISED,
  CAT_NOT_POSSIBLE,
  CAT_PRESENT,
  CAT_UNAUTHORISED,
  CODE_CATEGORY,
  CODE_FLAGS,
  CODE_TABLE,
  CURRENT_CODES,
  FLAG_DELETION_GROUND,
  FLAG_ILLNESS,
  FLAG_LATE_AFTER_CLOSE,
  FLAG_LATE_BEFORE_CLOSE,
  FLAG_PENALTY_NOTICE,
  FLAG_PROVISIONAL,
  codeById,
  codeSetOn,
  isKnownCode,
  lookupCode,
  type StatisticalCategory,
} from './codes.js';
import { d } from './test-support.js';

// Written out from attendance-rules.md §2, independently of CODE_TABLE.
const SET_2024: readonly (readonly [string, StatisticalCategory, boolean])[] = [
  ['/', 'present', true],
  ['\\', 'present', true],
  ['L', 'present', true],
  ['K', 'approvedActivity', true],
  ['V', 'approvedActivity', true],
  ['P', 'approvedActivity', true],
  ['W', 'approvedActivity', true],
  ['B', 'approvedActivity', true],
  ['D', 'notPossible', false],
  ['C1', 'authorised', true],
  ['M', 'authorised', true],
  ['J1', 'authorised', true],
  ['S', 'authorised', true],
  ['X', 'notPossible', false],
  ['C2', 'authorised', true],
  ['C', 'authorised', true],
  ['T', 'authorised', true],
  ['R', 'authorised', true],
  ['I', 'authorised', true],
  ['E', 'authorised', true],
  ['Q', 'notPossible', false],
  ['Y1', 'notPossible', false],
  ['Y2', 'notPossible', false],
  ['Y3', 'notPossible', false],
  ['Y4', 'notPossible', false],
  ['Y5', 'notPossible', false],
  ['Y6', 'notPossible', false],
  ['Y7', 'notPossible', false],
  ['G', 'unauthorised', true],
  ['U', 'unauthorised', true],
  ['O', 'unauthorised', true],
  ['N', 'unauthorised', true],
  ['Z', 'notPossible', false],
  ['#', 'notPossible', false],
];

// The pre-2024 set (the 2006 regulations): H, F, J and Y keep their old meanings.
const SET_2006: readonly (readonly [string, StatisticalCategory, boolean])[] = [
  ['/', 'present', true],
  ['\\', 'present', true],
  ['L', 'present', true],
  ['B', 'approvedActivity', true],
  ['J', 'approvedActivity', true],
  ['P', 'approvedActivity', true],
  ['V', 'approvedActivity', true],
  ['W', 'approvedActivity', true],
  ['D', 'notPossible', false],
  ['C', 'authorised', true],
  ['E', 'authorised', true],
  ['H', 'authorised', true],
  ['F', 'authorised', true],
  ['I', 'authorised', true],
  ['M', 'authorised', true],
  ['R', 'authorised', true],
  ['S', 'authorised', true],
  ['T', 'authorised', true],
  ['G', 'unauthorised', true],
  ['N', 'unauthorised', true],
  ['O', 'unauthorised', true],
  ['U', 'unauthorised', true],
  ['X', 'notPossible', false],
  ['Y', 'notPossible', false],
  ['Z', 'notPossible', false],
  ['#', 'notPossible', false],
];

const AFTER = d('2025-03-10');
const FIRST_DAY_2024 = d('2024-08-19');
const BEFORE = d('2023-11-06');
const LAST_DAY_2006 = d('2024-08-18');

const CAT_NUMBER: Record<StatisticalCategory, number> = {
  present: CAT_PRESENT,
  approvedActivity: CAT_APPROVED_ACTIVITY,
  authorised: CAT_AUTHORISED,
  unauthorised: CAT_UNAUTHORISED,
  notPossible: CAT_NOT_POSSIBLE,
};

describe('the 2024 code set', () => {
  it.each(SET_2024)('%s counts as %s (possible: %s)', (code, category, possible) => {
    for (const date of [FIRST_DAY_2024, AFTER]) {
      const r = lookupCode(code, date);
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(r.definition.code).toBe(code);
      expect(r.definition.codeSet).toBe('2024');
      expect(r.definition.category).toBe(category);
      expect(r.definition.possible).toBe(possible);
      expect(CODE_CATEGORY[r.definition.id]).toBe(CAT_NUMBER[category]);
    }
  });

  it('holds exactly the codes of the national table, in register order', () => {
    expect(CURRENT_CODES.map((c) => c.code)).toEqual(SET_2024.map(([c]) => c));
    expect(CODE_TABLE.filter((c) => c.codeSet === '2024').map((c) => c.code)).toEqual(SET_2024.map(([c]) => c));
  });
});

describe('the pre-2024 code set', () => {
  it.each(SET_2006)('%s counts as %s (possible: %s)', (code, category, possible) => {
    for (const date of [BEFORE, LAST_DAY_2006]) {
      const r = lookupCode(code, date);
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(r.definition.codeSet).toBe('2006');
      expect(r.definition.category).toBe(category);
      expect(r.definition.possible).toBe(possible);
      expect(CODE_CATEGORY[r.definition.id]).toBe(CAT_NUMBER[category]);
    }
  });

  it('holds exactly the old codes', () => {
    expect(
      CODE_TABLE.filter((c) => c.codeSet === '2006')
        .map((c) => c.code)
        .sort(),
    ).toEqual(SET_2006.map(([c]) => c).sort());
  });

  it.each([
    ['H', 'authorised', /holiday/i],
    ['F', 'authorised', /holiday/i],
    ['J', 'approvedActivity', /interview/i],
    ['Y', 'notPossible', /unable to attend/i],
  ] as const)('historic %s keeps its old meaning (%s)', (code, category, meaning) => {
    const r = lookupCode(code, d('2024-07-19'));
    expect(r.ok && r.definition.category).toBe(category);
    expect(r.ok && r.definition.meaning).toMatch(meaning);
  });
});

describe('lookupCode and dates', () => {
  it('switches code set on 19 August 2024', () => {
    expect(codeSetOn(d('2024-08-18'))).toBe('2006');
    expect(codeSetOn(d('2024-08-19'))).toBe('2024');
  });

  it.each(['H', 'F', 'J', 'Y'])('rejects the pre-2024 code %s on and after 19 August 2024', (code) => {
    for (const date of [FIRST_DAY_2024, AFTER]) {
      const r = lookupCode(code, date);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.reason).toBe('notValidOnDate');
      expect(r.message).toContain(`"${code}"`);
      expect(r.message).toContain('pre-2024');
    }
    expect(lookupCode(code, LAST_DAY_2006).ok).toBe(true);
  });

  it.each(['K', 'C1', 'C2', 'J1', 'Q', 'Y1', 'Y2', 'Y3', 'Y4', 'Y5', 'Y6', 'Y7'])(
    'rejects the 2024-only code %s before 19 August 2024',
    (code) => {
      for (const date of [BEFORE, LAST_DAY_2006]) {
        const r = lookupCode(code, date);
        expect(r.ok).toBe(false);
        if (r.ok) return;
        expect(r.reason).toBe('notValidOnDate');
        expect(r.message).toContain('2024 code set');
      }
      expect(lookupCode(code, FIRST_DAY_2024).ok).toBe(true);
    },
  );

  it.each([
    '/',
    '\\',
    'L',
    'V',
    'P',
    'W',
    'B',
    'D',
    'M',
    'S',
    'X',
    'C',
    'T',
    'R',
    'I',
    'E',
    'G',
    'U',
    'O',
    'N',
    'Z',
    '#',
  ])('accepts the shared code %s on both sides of the change', (code) => {
    const before = lookupCode(code, LAST_DAY_2006);
    const after = lookupCode(code, FIRST_DAY_2024);
    expect(before.ok && before.definition.codeSet).toBe('2006');
    expect(after.ok && after.definition.codeSet).toBe('2024');
  });

  it.each(['A', 'Y8', 'C3', 'h', '', '//', ' /', 'AB'])('rejects the unknown code %j on any date', (code) => {
    for (const date of [BEFORE, AFTER]) {
      const r = lookupCode(code, date);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.reason).toBe('unknown');
      expect(r.message).toContain('unknown attendance code');
    }
    expect(isKnownCode(code)).toBe(false);
  });

  it('knows codes of either set', () => {
    expect(isKnownCode('H')).toBe(true);
    expect(isKnownCode('Y7')).toBe(true);
  });
});

describe('code flags', () => {
  const flagged = (flag: number): string[] =>
    [...new Set(CODE_TABLE.filter((c) => (CODE_FLAGS[c.id]! & flag) !== 0).map((c) => c.code))].sort();

  it('marks G, N, O, U (and only they) for the penalty notice and attendance return', () => {
    expect(flagged(FLAG_PENALTY_NOTICE)).toEqual(['G', 'N', 'O', 'U']);
    expect(
      CODE_TABLE.filter((c) => c.penaltyNoticeAbsence)
        .map((c) => c.code)
        .sort(),
    ).toEqual(['G', 'G', 'N', 'N', 'O', 'O', 'U', 'U']);
  });

  it('marks G, N, O (not U) for the deletion ground', () => {
    expect(flagged(FLAG_DELETION_GROUND)).toEqual(['G', 'N', 'O']);
  });

  it('marks I as illness, N as provisional, L and U as late', () => {
    expect(flagged(FLAG_ILLNESS)).toEqual(['I']);
    expect(flagged(FLAG_PROVISIONAL)).toEqual(['N']);
    expect(flagged(FLAG_LATE_BEFORE_CLOSE)).toEqual(['L']);
    expect(flagged(FLAG_LATE_AFTER_CLOSE)).toEqual(['U']);
  });
});

describe('code ids', () => {
  it('are dense and 1-based', () => {
    CODE_TABLE.forEach((c, i) => {
      expect(c.id).toBe(i + 1);
      expect(codeById(c.id)).toBe(c);
    });
    expect(CODE_CATEGORY[0]).toBe(0);
    expect(CODE_FLAGS[0]).toBe(0);
  });

  it('throws for an id with no code', () => {
    expect(() => codeById(0)).toThrow();
    expect(() => codeById(CODE_TABLE.length + 1)).toThrow();
  });

  it('sets validity dates by set', () => {
    for (const c of CODE_TABLE) {
      if (c.codeSet === '2024') expect([c.validFrom, c.validTo]).toEqual(['2024-08-19', null]);
      else expect([c.validFrom, c.validTo]).toEqual([null, '2024-08-18']);
    }
  });
});
