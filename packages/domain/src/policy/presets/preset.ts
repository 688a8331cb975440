import type { LetterTemplate } from '../letters.js';
import type { AttendancePolicy } from '../types.js';

/** A seed school's policy, ready to start from: the casework policy and its letters. */
export interface PolicyPreset {
  /** Stable id, e.g. 'stockton-tiers'. */
  readonly id: string;
  /** Shown in the preset picker. */
  readonly name: string;
  /** One or two sentences on what the preset does. */
  readonly summary: string;
  readonly policy: AttendancePolicy;
  /** A template for every `letter:<key>` action of the policy (stage and step-down actions). */
  readonly letters: readonly LetterTemplate[];
}
