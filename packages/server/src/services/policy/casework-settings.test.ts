import { policyPreset, TWIN_TRACK_EXAMPLE_POLICY } from '@rollcall/domain';
import { describe, expect, it } from 'vitest';
import { parseCaseworkPolicy } from './casework-policy.js';
import { caseworkSettingsOf, DEFAULT_POLICY, parseSchoolPolicy } from './school-policy.js';

function parsed(doc: unknown) {
  const r = parseSchoolPolicy(JSON.stringify(doc));
  if (!r.ok) throw new Error(r.errors.join('; '));
  return r.policy;
}

function errors(doc: unknown): string[] {
  const r = parseSchoolPolicy(JSON.stringify(doc));
  return r.ok ? [] : r.errors;
}

describe('the casework settings: the shortest plan and the Notice to Improve period', () => {
  it('default to 6 school weeks and 15 school days', () => {
    expect(caseworkSettingsOf(DEFAULT_POLICY)).toEqual({
      minPlanSchoolWeeks: 6,
      noticeToImprovePeriod: '15-school-days',
      maxNewEntriesPerRun: null,
    });
    expect(caseworkSettingsOf(parsed({ preset: 'stoccat-twin-track' }))).toEqual({
      minPlanSchoolWeeks: 6,
      noticeToImprovePeriod: '15-school-days',
      maxNewEntriesPerRun: null,
    });
  });

  it('come from the presets where the seeds say: Stockton 6 school weeks and a 6-week notice, Stockport 15 school days', () => {
    expect(policyPreset('stockton-tiers')!.policy).toMatchObject({
      minPlanSchoolWeeks: 6,
      noticeToImprovePeriod: '6-weeks',
    });
    expect(caseworkSettingsOf(parsed({ preset: 'stockton-tiers' })).noticeToImprovePeriod).toBe('6-weeks');
    expect(caseworkSettingsOf(parsed({ preset: 'stockport-staged' })).noticeToImprovePeriod).toBe('15-school-days');
  });

  it('are read from the casework section, and from the top level over a preset', () => {
    const cw = { ...TWIN_TRACK_EXAMPLE_POLICY, minPlanSchoolWeeks: 8, noticeToImprovePeriod: '6-weeks' };
    expect(caseworkSettingsOf(parsed({ casework: cw }))).toEqual({
      minPlanSchoolWeeks: 8,
      noticeToImprovePeriod: '6-weeks',
      maxNewEntriesPerRun: null,
    });
    expect(
      caseworkSettingsOf(
        parsed({ preset: 'stockton-tiers', minPlanSchoolWeeks: 4, noticeToImprovePeriod: '15-school-days' }),
      ),
    ).toEqual({ minPlanSchoolWeeks: 4, noticeToImprovePeriod: '15-school-days', maxNewEntriesPerRun: null });
  });

  it('are validated, naming the field', () => {
    const cw = { ...TWIN_TRACK_EXAMPLE_POLICY, minPlanSchoolWeeks: 0, noticeToImprovePeriod: '3-weeks' };
    const problems = errors({ casework: cw });
    expect(problems).toContain('casework.minPlanSchoolWeeks: must be at least 1 school week');
    expect(problems).toContain("casework.noticeToImprovePeriod: must be '15-school-days' or '6-weeks'");
    expect(errors({ minPlanSchoolWeeks: 2.5 })).toEqual(['minPlanSchoolWeeks: must be a whole number of school weeks']);
    const direct = parseCaseworkPolicy({ ...TWIN_TRACK_EXAMPLE_POLICY, minPlanSchoolWeeks: 53 });
    expect(direct).toEqual({ ok: false, errors: ['minPlanSchoolWeeks: must be at most 52 school weeks'] });
  });
});
