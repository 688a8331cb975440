import { describe, expect, it } from 'vitest';
import { UPN_ALPHABET, upnCheckLetter, validateUpn } from './upn.js';

describe('validateUpn', () => {
  // Check letters worked by hand (attendance-rules.md §7): Σ char × position (2–13), mod 23.
  // B801200005001: 16+0+4+10+0+0+0+0+50+0+0+13 = 93; 93 mod 23 = 1 → B.
  // P330450024123: 6+9+0+20+30+0+0+18+40+11+24+39 = 197; mod 23 = 13 → P.
  // L938214325007: 18+9+32+10+6+28+24+18+50+0+0+91 = 286; mod 23 = 10 → L.
  // Y33045002412T: T is 16, so 6+9+0+20+30+0+0+18+40+11+24+208 = 366; mod 23 = 21 → Y.
  it.each([
    ['B801200005001', false],
    ['P330450024123', false],
    ['L938214325007', false],
    ['Y33045002412T', true],
  ] as const)('accepts %s (temporary: %s)', (upn, temporary) => {
    expect(validateUpn(upn)).toEqual({ valid: true, upn, temporary });
  });

  it('takes lower case and surrounding spaces', () => {
    expect(validateUpn('  b801200005001 ')).toEqual({ valid: true, upn: 'B801200005001', temporary: false });
    expect(validateUpn('y33045002412t').valid).toBe(true);
  });

  it.each(['A801200005001', 'C801200005001', 'Q330450024123', 'M938214325007', 'X33045002412T'])(
    'rejects %s: wrong check letter',
    (upn) => {
      const r = validateUpn(upn);
      expect(r.valid).toBe(false);
      if (r.valid) return;
      expect(r.reason).toMatch(/^check letter is [A-Z] but should be [BPLY]$/);
    },
  );

  it('rejects a changed digit', () => {
    expect(validateUpn('B801200005002').valid).toBe(false);
    expect(validateUpn('B801200050001').valid).toBe(false);
  });

  it.each(['B80120000500', 'B8012000050011', '', 'B'])('rejects %j: wrong length', (upn) => {
    const r = validateUpn(upn);
    expect(r.valid).toBe(false);
    if (r.valid) return;
    expect(r.reason).toContain('13 characters');
  });

  it.each([
    ['I801200005001', 'first character'],
    ['O801200005001', 'first character'],
    ['S801200005001', 'first character'],
    ['1801200005001', 'first character'],
    ['B80120000500I', 'character 13'],
    ['B80120000500O', 'character 13'],
    ['B80120000500S', 'character 13'],
    ['B80120000500-', 'character 13'],
  ] as const)('rejects %s: I, O, S or a non-letter where a letter goes', (upn, where) => {
    const r = validateUpn(upn);
    expect(r.valid).toBe(false);
    if (r.valid) return;
    expect(r.reason).toContain(where);
  });

  it.each([
    ['B8012A0005001', 'character 6'],
    ['B801200005X01', 'character 11'],
    ['BA01200005001', 'character 2'],
    ['B80120000 001', 'character 10'],
    ['B8012000050T1', 'character 12'],
  ] as const)('rejects %s: a non-digit in the middle', (upn, where) => {
    const r = validateUpn(upn);
    expect(r.valid).toBe(false);
    if (r.valid) return;
    expect(r.reason).toContain(`${where} must be a digit`);
  });
});

describe('upnCheckLetter', () => {
  it('computes the check letter of the examples', () => {
    expect(upnCheckLetter('801200005001')).toBe('B');
    expect(upnCheckLetter('330450024123')).toBe('P');
    expect(upnCheckLetter('938214325007')).toBe('L');
    expect(upnCheckLetter('33045002412T')).toBe('Y');
  });

  it.each([
    ['000000000000', 'A'], // 0
    ['170000000000', 'A'], // 1×2 + 7×3 = 23 → 0
    ['901000000000', 'Z'], // 9×2 + 1×4 = 22
    ['000000000002', 'D'], // 2×13 = 26 → 3
    ['000000000009', 'C'], // 9×13 = 117 → 2
    ['00000000000Z', 'L'], // a final Z is worth 22: 22×13 = 286 → 10
    ['00000000000A', 'A'], // a final A is worth 0
  ] as const)('gives %s the check letter %s', (rest, letter) => {
    expect(upnCheckLetter(rest)).toBe(letter);
  });

  it('uses the 23 letters without I, O and S', () => {
    expect(UPN_ALPHABET).toHaveLength(23);
    expect(UPN_ALPHABET).not.toMatch(/[IOS]/);
  });
});
