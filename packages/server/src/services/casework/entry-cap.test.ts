import { evaluate, plainDate, TWIN_TRACK_EXAMPLE_POLICY as POLICY, type CaseFacts } from '@rollcall/domain';
import { describe, expect, it } from 'vitest';
import { checkSchoolPolicy, caseworkSettingsOf } from '../policy/school-policy.js';
import { capNewEntries, isNewEntry, type Proposal } from './entry-cap.js';

const first = [...POLICY.stages].sort((a, b) => a.order - b.order)[0]!;

function facts(rate: number | null, currentStage: CaseFacts['currentStage'] = null): CaseFacts {
  return {
    asOf: plainDate('2025-11-24'),
    measures: { attendanceRate: rate, unauthorisedAbsenceSessions: 0, brokenWeeks: 0 },
    recent: { rateOverLastWeeks: {}, unauthorisedInLastWeeks: {}, consecutiveDaysAbsent: 0 },
    currentStage,
  };
}

/** What the evaluator proposes for a pupil (no "stay"), as the daily evaluation collects it. */
function proposals(pupilId: string, rate: number | null, currentStage: CaseFacts['currentStage'] = null): Proposal[] {
  return evaluate(POLICY, facts(rate, currentStage))
    .filter((s) => s.kind !== 'stay')
    .map((suggestion) => ({ pupilId, suggestion, rate }));
}

describe('the cap on new entries into staged casework', () => {
  const inFirst = { id: first.id, enteredOn: plainDate('2025-09-01'), schoolWeeksInStage: 10 };
  const all = [
    ...proposals('p-a', 0.93),
    ...proposals('p-b', 0.8),
    ...proposals('p-c', 0.94),
    ...proposals('p-d', 0.9),
    ...proposals('p-e', 0.7, inFirst), // in a stage: a review (and an escalation), never capped
  ];

  it('proposes entries for pupils in no stage, and other kinds for a pupil in a stage', () => {
    expect(all.filter((p) => isNewEntry(p.suggestion)).map((p) => p.pupilId)).toEqual(['p-a', 'p-b', 'p-c', 'p-d']);
    expect(all.filter((p) => p.pupilId === 'p-e').every((p) => !isNewEntry(p.suggestion))).toBe(true);
    expect(all.some((p) => p.pupilId === 'p-e')).toBe(true);
  });

  it('keeps the most serious (lowest rate) entries up to the cap, and every other proposal', () => {
    const { kept, heldBack } = capNewEntries(all, 2);
    expect(kept.filter((p) => isNewEntry(p.suggestion)).map((p) => p.pupilId)).toEqual(['p-b', 'p-d']);
    expect(kept.filter((p) => p.pupilId === 'p-e')).toEqual(all.filter((p) => p.pupilId === 'p-e'));
    expect(heldBack.map((p) => p.pupilId)).toEqual(['p-a', 'p-c']);
    expect(kept.length + heldBack.length).toBe(all.length);
  });

  it('keeps everything with no cap or a cap not reached; holds every entry back at 0', () => {
    expect(capNewEntries(all, null)).toEqual({ kept: all, heldBack: [] });
    expect(capNewEntries(all, 4)).toEqual({ kept: all, heldBack: [] });
    const none = capNewEntries(all, 0);
    expect(none.kept.every((p) => !isNewEntry(p.suggestion))).toBe(true);
    expect(none.heldBack).toHaveLength(4);
  });

  it('puts a pupil with no rate last and breaks ties by pupil id, whatever the order given', () => {
    const entry = proposals('x', 0.5)[0]!.suggestion;
    const list: Proposal[] = [
      { pupilId: 'p-3', suggestion: entry, rate: null },
      { pupilId: 'p-2', suggestion: entry, rate: 0.5 },
      { pupilId: 'p-1', suggestion: entry, rate: 0.5 },
    ];
    expect(capNewEntries(list, 2).heldBack.map((p) => p.pupilId)).toEqual(['p-3']);
    expect(capNewEntries(list, 1).kept.map((p) => p.pupilId)).toEqual(['p-1']);
    expect(capNewEntries([...list].reverse(), 1).kept.map((p) => p.pupilId)).toEqual(['p-1']);
  });
});

describe('the policy document’s maxNewEntriesPerRun', () => {
  it('is absent by default (no cap), set in casework or at the top level (which wins)', () => {
    const none = checkSchoolPolicy({ preset: 'stockport-staged' });
    expect(none.ok && caseworkSettingsOf(none.policy).maxNewEntriesPerRun).toBeNull();
    const top = checkSchoolPolicy({ preset: 'stockport-staged', maxNewEntriesPerRun: 25 });
    expect(top.ok && caseworkSettingsOf(top.policy).maxNewEntriesPerRun).toBe(25);
    const written = checkSchoolPolicy({ casework: { ...POLICY, maxNewEntriesPerRun: 40 } });
    expect(written.ok && caseworkSettingsOf(written.policy).maxNewEntriesPerRun).toBe(40);
    const both = checkSchoolPolicy({ casework: { ...POLICY, maxNewEntriesPerRun: 40 }, maxNewEntriesPerRun: 10 });
    expect(both.ok && caseworkSettingsOf(both.policy).maxNewEntriesPerRun).toBe(10);
  });

  it('is validated with the field named', () => {
    expect(checkSchoolPolicy({ maxNewEntriesPerRun: 0 })).toEqual({
      ok: false,
      errors: ['maxNewEntriesPerRun: must be at least 1 (leave it out for no cap)'],
    });
    expect(checkSchoolPolicy({ casework: { ...POLICY, maxNewEntriesPerRun: 2.5 } })).toEqual({
      ok: false,
      errors: ['casework.maxNewEntriesPerRun: must be a whole number of suggestions'],
    });
    expect(checkSchoolPolicy({ maxNewEntriesPerRun: '10' }).ok).toBe(false);
  });
});
