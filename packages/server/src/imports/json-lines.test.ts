import { describe, expect, it } from 'vitest';
import { parseJsonWithLines } from './json-lines.js';

describe('parseJsonWithLines', () => {
  const text =
    '{\n  "terms": [\n    {"name": "A", "start": "2025-09-03",\n     "end": "2025-10-24"},\n    {"name": "B"}\n  ],\n  "closures": []\n}\n';

  it('parses like JSON.parse', () => {
    const r = parseJsonWithLines(text);
    expect(r.ok && r.value).toEqual(JSON.parse(text));
  });

  it('knows the line of every value, falling back to the nearest parent', () => {
    const r = parseJsonWithLines(text);
    if (!r.ok) throw new Error('expected success');
    expect(r.lineOf(['terms', 0, 'start'])).toBe(3);
    expect(r.lineOf(['terms', 0, 'end'])).toBe(4);
    expect(r.lineOf(['terms', 1])).toBe(5);
    expect(r.lineOf(['terms', 1, 'end'])).toBe(5);
    expect(r.lineOf(['closures'])).toBe(7);
  });

  it.each([
    ['{\n  "terms": [\n    {"name": "A",}\n  ]\n}', 3, 'property name'],
    ['{"a": 1\n"b": 2}', 2, '","'],
    ['{"a": tru}', 1, 'expected a value'],
    ['{"a": 1} x', 1, 'after the end'],
    ['{"a": "unterminated\n}', 1, 'not closed'],
    ['', 1, 'expected a value'],
  ])('reports a syntax error with its line: %j', (bad, line, words) => {
    const r = parseJsonWithLines(bad);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.line).toBe(line);
      expect(r.message).toContain(words);
    }
  });
});

describe('deeply nested JSON', () => {
  it('50,000 nested [ give a clear error on line 1, not a crash', () => {
    const r = parseJsonWithLines('['.repeat(50_000));
    expect(r).toEqual({ ok: false, line: 1, message: 'the JSON nests lists and objects deeper than 100 levels' });
    expect(parseJsonWithLines(`${'['.repeat(100)}${']'.repeat(100)}`).ok).toBe(true);
  });
});
