import { TWIN_TRACK_EXAMPLE_POLICY, type PlainDate } from '@rollcall/domain';
import { describe, expect, it } from 'vitest';
import { queueOf, SUGGESTIONS_PER_PAGE, type ListedSuggestion } from './casework-list.js';

const policy = TWIN_TRACK_EXAMPLE_POLICY;

function suggestion(n: number, over: Partial<ListedSuggestion> = {}): ListedSuggestion {
  return {
    id: `s${n}`,
    pupilId: `p${n}`,
    schoolId: 'school',
    asOf: '2025-10-01' as PlainDate,
    kind: 'enter',
    fromStageId: null,
    toStageId: 'track-1',
    actions: [],
    explanation: '',
    source: '',
    status: 'open',
    decidedStageId: null,
    decisionReason: null,
    decidedByName: null,
    decidedAt: null,
    pupilName: `Pupil ${String(n).padStart(3, '0')}`,
    yearGroup: String(7 + (n % 5)),
    vulnerable: false,
    rate: 0.9,
    severe: false,
    fromStageName: null,
    toStageName: 'Track 1',
    actionItems: [],
    ...over,
  };
}

describe('the officer’s queue of suggestions', () => {
  const many = Array.from({ length: 60 }, (_, i) => suggestion(i));

  it('pages 25 at a time and clamps the page asked for', () => {
    expect(SUGGESTIONS_PER_PAGE).toBe(25);
    const first = queueOf(policy, many, {});
    expect(first.page).toHaveLength(25);
    expect(first.queue).toMatchObject({ total: 60, matching: 60, page: 1, pages: 3 });
    const last = queueOf(policy, many, { page: '3' });
    expect(last.page).toHaveLength(10);
    expect(queueOf(policy, many, { page: '99' }).queue.page).toBe(3);
    expect(queueOf(policy, many, { page: 'x' }).queue.page).toBe(1);
    const seen = new Set([1, 2, 3].flatMap((p) => queueOf(policy, many, { page: String(p) }).page.map((s) => s.id)));
    expect(seen.size).toBe(60);
  });

  it('puts severe absence and vulnerable pupils first, both before either, then the higher stage', () => {
    const list = [
      suggestion(1),
      suggestion(2, { vulnerable: true }),
      suggestion(3, { severe: true, rate: 0.4 }),
      suggestion(4, { severe: true, vulnerable: true, rate: 0.45 }),
      suggestion(5, { toStageId: 'track-2' }),
    ];
    expect(queueOf(policy, list, {}).page.map((s) => s.id)).toEqual(['s4', 's3', 's2', 's5', 's1']);
  });

  it('orders newest first when asked', () => {
    const list = [
      suggestion(1, { asOf: '2025-10-01' as PlainDate, severe: true }),
      suggestion(2, { asOf: '2025-10-03' as PlainDate }),
    ];
    expect(queueOf(policy, list, { sort: 'newest' }).page.map((s) => s.id)).toEqual(['s2', 's1']);
    expect(queueOf(policy, list, { sort: 'newest' }).queue.query).toBe('sort=newest');
  });

  it('filters by stage, kind, year group and vulnerability, counting each option against the other filters', () => {
    const list = [
      suggestion(1, { yearGroup: '7' }),
      suggestion(2, { yearGroup: '7', vulnerable: true, kind: 'review', fromStageId: 'track-1' }),
      suggestion(3, { yearGroup: '8', toStageId: null, kind: 'stepDown', fromStageId: 'track-1' }),
      suggestion(4, { yearGroup: '8', vulnerable: true, toStageId: 'track-2' }),
    ];
    const { page, queue } = queueOf(policy, list, { year: '7', vulnerable: '1' });
    expect(page.map((s) => s.id)).toEqual(['s2']);
    expect(queue).toMatchObject({ total: 4, matching: 1 });
    // Year counts ignore the year filter but keep "vulnerable only".
    expect(queue.filters.year.map((o) => [o.value, o.count, o.selected])).toEqual([
      ['7', 1, true],
      ['8', 1, false],
    ]);
    expect(queue.filters.vulnerable).toMatchObject({ count: 1, selected: true });
    expect(queue.filters.kind.find((o) => o.value === 'review')?.count).toBe(1);
    const none = queueOf(policy, list, { stage: 'none' });
    expect(none.page.map((s) => s.id)).toEqual(['s3']);
    expect(none.queue.filters.stage.find((o) => o.value === 'none')).toMatchObject({ count: 1, selected: true });
    expect(none.queue.filters.kind.find((o) => o.value === 'stepDown')?.count).toBe(1);
    expect(none.queue.filters.kind.find((o) => o.value === 'enter')?.count).toBe(0);
    // Unknown values are ignored.
    expect(queueOf(policy, list, { stage: 'nonsense', kind: 'x', year: '13' }).queue.matching).toBe(4);
  });
});
