import type { LetterPurpose, LetterTemplate } from '../letters.js';
import type { AttendancePolicy } from '../types.js';

/**
 * A preset's letter: it declares what it is for (a meeting invitation, a warning, a notice…), so
 * the evidence pack recognises it by purpose whatever its key; nothing is read from the key.
 */
export interface PresetLetter extends LetterTemplate {
  readonly purpose: LetterPurpose;
}

/** A seed school's policy, ready to start from: the casework policy and its letters. */
export interface PolicyPreset {
  /** Stable id, e.g. 'stockton-tiers'. */
  readonly id: string;
  /** Shown in the preset picker. */
  readonly name: string;
  /** One or two sentences on what the preset does. */
  readonly summary: string;
  readonly policy: AttendancePolicy;
  /**
   * A template for every `letter:<key>` action of the policy (stage and step-down actions), each
   * declaring its purpose.
   */
  readonly letters: readonly PresetLetter[];
}
