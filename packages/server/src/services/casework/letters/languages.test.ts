import { describe, expect, it } from 'vitest';
import { languageName, normaliseLanguage, unsupportedLanguage } from './languages.js';

describe('letter languages', () => {
  it('reads a language as a code, a name or an MIS (DfE) code; English and empty are null; unknown is undefined', () => {
    expect(normaliseLanguage('pl')).toBe('pl');
    expect(normaliseLanguage('Polish')).toBe('pl');
    expect(normaliseLanguage(' ROMANIAN ')).toBe('ro');
    expect(normaliseLanguage('RRO')).toBe('ro');
    expect(normaliseLanguage('LIT')).toBe('lt');
    expect(normaliseLanguage('English')).toBeNull();
    expect(normaliseLanguage('ENG')).toBeNull();
    expect(normaliseLanguage('')).toBeNull();
    expect(normaliseLanguage('Klingon')).toBeUndefined();
    expect(languageName('cs')).toBe('Czech');
  });

  it('refuses right-to-left languages and scripts the font lacks, in words', () => {
    expect(unsupportedLanguage('pl')).toBeNull();
    expect(unsupportedLanguage('vi')).toBeNull();
    expect(unsupportedLanguage('ur')).toBe(
      "Letters in Urdu cannot be made yet: Urdu is written right to left, which Rollcall's PDFs do not lay out. Keep the English version, and arrange a translation or an interpreter.",
    );
    expect(unsupportedLanguage('ar')).toContain('Arabic is written right to left');
    expect(unsupportedLanguage('bn')).toContain('the letter font has no Bengali script');
  });
});
