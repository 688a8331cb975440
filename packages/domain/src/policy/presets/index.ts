/** The five seed schools' policies as presets a school can start from. */
import { ALL_SAINTS_STAGES } from './all-saints-stages.js';
import { JAMES_MARKS_ADJUSTED } from './james-marks-adjusted.js';
import type { PolicyPreset } from './preset.js';
import { STOCKPORT_STAGED } from './stockport-staged.js';
import { STOCKTON_TIERS } from './stockton-tiers.js';
import { STOCCAT_TWIN_TRACK } from './stoccat-twin-track.js';

export type { PolicyPreset } from './preset.js';
export { ALL_SAINTS_STAGES, JAMES_MARKS_ADJUSTED, STOCKPORT_STAGED, STOCKTON_TIERS, STOCCAT_TWIN_TRACK };

export const POLICY_PRESETS: readonly PolicyPreset[] = [
  STOCKTON_TIERS,
  ALL_SAINTS_STAGES,
  STOCCAT_TWIN_TRACK,
  STOCKPORT_STAGED,
  JAMES_MARKS_ADJUSTED,
];

/** The preset with this id, or undefined. */
export function policyPreset(id: string): PolicyPreset | undefined {
  return POLICY_PRESETS.find((p) => p.id === id);
}
export { PRESET_SETTINGS, presetSettings } from './settings.js';
