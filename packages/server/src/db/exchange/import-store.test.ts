import { describe, expect, it } from 'vitest';
import { chunked, MAX_BOUND_VALUES } from './import-store.js';

describe('batches', () => {
  it('keeps every statement under the bound-value limit of both databases', () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => i);
    const chunks = chunked(rows, 7);
    expect(chunks.map((c) => c.length)).toEqual([4680, 4680, 640]);
    expect(Math.max(...chunks.map((c) => c.length * 7))).toBeLessThanOrEqual(MAX_BOUND_VALUES);
    expect(MAX_BOUND_VALUES).toBeLessThanOrEqual(65_535);
    expect(chunked([], 3)).toEqual([]);
  });
});
