/**
 * Unique Pupil Numbers: 13 characters, a check letter then LA number (3 digits), establishment
 * number (4), year of allocation (2) and a serial (3 digits; a temporary UPN has 2 digits and a
 * letter).
 *
 * @see ../../../shared/reference/attendance-rules.md §7 (checked 2026-11-25)
 */

/** The 23 letters of the check alphabet, by value 0–22 (I, O and S are never used). */
export const UPN_ALPHABET = 'ABCDEFGHJKLMNPQRTUVWXYZ';

export type UpnCheck = { valid: true; upn: string; temporary: boolean } | { valid: false; upn: string; reason: string };

/** The check letter for the 12 characters after it (positions 2–13). */
export function upnCheckLetter(rest: string): string {
  let sum = 0;
  for (let i = 0; i < 12; i++) {
    const ch = rest.charCodeAt(i);
    const value = ch >= 48 && ch <= 57 ? ch - 48 : UPN_ALPHABET.indexOf(rest[i]!);
    sum += value * (i + 2);
  }
  return UPN_ALPHABET[sum % 23]!;
}

/**
 * Validates a UPN (letters are taken in capitals; surrounding spaces are ignored).
 *
 * @example validateUpn('B801200005001') // { valid: true, upn: 'B801200005001', temporary: false }
 * @example validateUpn('A801200005001') // { valid: false, reason: 'check letter is A but should be B' }
 */
export function validateUpn(input: string): UpnCheck {
  const upn = input.trim().toUpperCase();
  if (upn.length !== 13) {
    return { valid: false, upn, reason: `must be 13 characters, got ${upn.length}` };
  }
  const first = upn[0]!;
  if (!UPN_ALPHABET.includes(first)) {
    return { valid: false, upn, reason: `first character must be a check letter (A–Z except I, O, S), got "${first}"` };
  }
  for (let i = 1; i < 12; i++) {
    const c = upn[i]!;
    if (c < '0' || c > '9') {
      return { valid: false, upn, reason: `character ${i + 1} must be a digit, got "${c}"` };
    }
  }
  const last = upn[12]!;
  const temporary = !(last >= '0' && last <= '9');
  if (temporary && !UPN_ALPHABET.includes(last)) {
    return {
      valid: false,
      upn,
      reason: `character 13 must be a digit, or for a temporary UPN a letter other than I, O or S, got "${last}"`,
    };
  }
  const expected = upnCheckLetter(upn.slice(1));
  if (expected !== first) {
    return { valid: false, upn, reason: `check letter is ${first} but should be ${expected}` };
  }
  return { valid: true, upn, temporary };
}
