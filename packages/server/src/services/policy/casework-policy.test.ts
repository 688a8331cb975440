import { evaluate, POLICY_PRESETS, TWIN_TRACK_EXAMPLE_POLICY, type CaseFacts } from '@rollcall/domain';
import { describe, expect, it } from 'vitest';
import { parseCaseworkPolicy } from './casework-policy.js';

describe('the casework policy document', () => {
  it('accepts the twin-track example, and the parsed policy evaluates', () => {
    const r = parseCaseworkPolicy(JSON.parse(JSON.stringify(TWIN_TRACK_EXAMPLE_POLICY)));
    if (!r.ok) throw new Error(r.errors.join('; '));
    const facts: CaseFacts = {
      asOf: '2025-11-24' as CaseFacts['asOf'],
      measures: { attendanceRate: 0.94, unauthorisedAbsenceSessions: 0, brokenWeeks: 3 },
      recent: { rateOverLastWeeks: {}, unauthorisedInLastWeeks: {}, consecutiveDaysAbsent: 0 },
      currentStage: null,
    };
    expect(evaluate(r.policy, facts).map((s) => s.kind)).toEqual(['enter']);
  });

  it.each([
    [(p: Record<string, unknown>) => ({ ...p, stages: [] }), 'stages: give at least one stage'],
    [
      (p: Record<string, unknown>) => ({ ...p, bands: [{ name: 'Good', minRate: 95, colour: 'green' }] }),
      'bands.0.minRate: must be a fraction from 0 to 1',
    ],
    [
      (p: { stages: { triggers: unknown[] }[] }) => ({ ...p, stages: [{ ...p.stages[0], triggers: [] }] }),
      'stages.0.triggers: a stage needs at least one trigger',
    ],
    [
      (p: { stages: { id: string }[] }) => ({ ...p, stages: [p.stages[0], { ...p.stages[1], id: p.stages[0]!.id }] }),
      'stages.1.id: the id',
    ],
    [
      (p: { stages: { triggers: unknown[] }[] }) => ({
        ...p,
        stages: [{ ...p.stages[0], triggers: [{ kind: 'rateBelow' }] }],
      }),
      'stages.0.triggers.0.rate',
    ],
    [
      (p: { stages: { triggers: unknown[] }[] }) => ({
        ...p,
        stages: [{ ...p.stages[0], triggers: [{ kind: 'moonPhase' }] }],
      }),
      'stages.0.triggers.0.kind',
    ],
  ])('refuses a bad policy naming the field (%#)', (change, message) => {
    const raw = change(JSON.parse(JSON.stringify(TWIN_TRACK_EXAMPLE_POLICY)) as never);
    const r = parseCaseworkPolicy(raw);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.join(' | ')).toContain(message);
  });
});

describe('the policy language of issue 13 in the document', () => {
  it.each(POLICY_PRESETS.map((p) => [p.id, p] as const))(
    '%s: the preset passes the check unchanged (nested conditions, cadence, gates, nothing dropped)',
    (_id, preset) => {
      const r = parseCaseworkPolicy(JSON.parse(JSON.stringify(preset.policy)));
      expect(r.ok && r.policy).toEqual(preset.policy);
    },
  );

  it('names the field of a nested condition that is wrong', () => {
    const bad = {
      ...POLICY_PRESETS[0]!.policy,
      stages: [
        {
          ...POLICY_PRESETS[0]!.policy.stages[0]!,
          triggers: [
            {
              kind: 'anyOf',
              any: [{ kind: 'not', condition: { kind: 'timeSince', from: 'nowhere', span: { schoolDays: 15 } } }],
            },
          ],
        },
      ],
    };
    const r = parseCaseworkPolicy(bad);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors.join('\n')).toContain('stages.0.triggers.0.any.0.condition.from');
  });
});
