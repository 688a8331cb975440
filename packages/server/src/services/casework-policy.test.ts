import { evaluate, TWIN_TRACK_EXAMPLE_POLICY, type CaseFacts } from '@rollcall/domain';
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
