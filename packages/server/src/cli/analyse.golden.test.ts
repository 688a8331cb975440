/**
 * Golden scenarios for `rollcall analyse`: each folder in `__golden__/` is one end-to-end case
 * whose expectations were worked out by hand from the specification and the national rules
 * (not copied from the implementation's output). Each folder holds:
 *
 * - `calendar.json`, `marks.csv` and optionally `pupils.csv` (passed as `--pupils` when present);
 * - `args.json`: the extra arguments, a JSON array of strings; it must set `--as-of`;
 * - `README.md`: the edge case and how the expected numbers were derived;
 * - either `expected.json`, a PARTIAL expectation of the JSON report (see {@link differences}),
 * - or, for input errors, `expected-stderr.txt` and `expected-exit.txt`.
 *
 * `expected-stderr.txt` has one line per expected stderr line, in order, written
 * `<file>:<line>:` optionally followed by a keyword. The actual stderr must have exactly as
 * many lines; each must start with that `<file>:<line>:` and contain the keyword (case-sensitive;
 * usually the offending value). The wording of messages is deliberately not pinned. Files are
 * passed to the CLI by absolute path and the scenario folder prefix is removed from stderr
 * before comparing, so lines read `marks.csv:3: ...`.
 *
 * Review mode: `GOLDEN_UPDATE=1 npx vitest run packages/server/src/cli/analyse.golden.test.ts`
 * also writes the full actual output beside each scenario (`actual.json`, or `actual-stderr.txt`
 * and `actual-exit.txt`). It never writes the expectations: those are edited by hand after review.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { PlainDate } from '@rollcall/domain';
import { main, type CliIO } from './main.js';

const GOLDEN_DIR = fileURLToPath(new URL('./__golden__/', import.meta.url));
const UPDATE = process.env['GOLDEN_UPDATE'] === '1';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: Json | undefined): string {
  return value === undefined ? '(absent)' : JSON.stringify(value);
}

/** A short rendering of an actual array for a length mismatch: the UPNs of pupils, else the JSON, cut. */
function brief(actual: Json[]): string {
  const upns = actual.map((a) => (isObject(a) && typeof a['upn'] === 'string' ? a['upn'] : undefined));
  const text = upns.every((u) => u !== undefined) ? `upn ${upns.join(', ')}` : JSON.stringify(actual);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/**
 * Where `actual` differs from the partial expectation `expected`, one line per difference:
 * - an object expects every key it has (keys it leaves out are not checked), recursively;
 * - an array must have the same length, its elements matched in order by these same rules
 *   (so `periods: []` means "no periods", and the `pupils` array lists every pupil reported);
 * - anything else must be equal exactly (`===`: numbers are not rounded, null is null).
 */
function differences(expected: Json, actual: Json | undefined, path = '$'): string[] {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [`${path}: expected an array, got ${show(actual)}`];
    const lengths =
      actual.length === expected.length
        ? []
        : [`${path}: expected ${expected.length} element(s), got ${actual.length}: ${brief(actual)}`];
    return lengths.concat(
      expected.slice(0, actual.length).flatMap((e, i) => {
        const a = actual[i];
        const label = isObject(e) && typeof e['upn'] === 'string' ? `${path}[${i} ${e['upn']}]` : `${path}[${i}]`;
        return differences(e, a, label);
      }),
    );
  }
  if (isObject(expected)) {
    if (!isObject(actual)) return [`${path}: expected an object, got ${show(actual)}`];
    return Object.keys(expected).flatMap((key) =>
      differences(expected[key] as Json, Object.hasOwn(actual, key) ? actual[key] : undefined, `${path}.${key}`),
    );
  }
  return expected === actual ? [] : [`${path}: expected ${show(expected)}, got ${show(actual)}`];
}

/** Checks stderr against `expected-stderr.txt` lines (`<file>:<line>:` plus an optional keyword). */
function stderrDifferences(expectedText: string, actualLines: readonly string[]): string[] {
  const expected = expectedText.split('\n').filter((l) => l.trim() !== '');
  const problems: string[] = [];
  if (expected.length !== actualLines.length) {
    problems.push(`expected ${expected.length} stderr line(s), got ${actualLines.length}`);
  }
  expected.forEach((line, i) => {
    const m = /^(\S+:\d+:)\s*(.*)$/.exec(line);
    if (!m) {
      problems.push(`expected-stderr.txt line ${i + 1} is not "<file>:<line>: [keyword]": ${line}`);
      return;
    }
    const [, location = '', keyword = ''] = m;
    const actual = actualLines[i];
    if (actual === undefined) {
      problems.push(`line ${i + 1}: expected "${line}", got nothing`);
    } else if (!actual.startsWith(`${location} `) || !actual.slice(location.length).includes(keyword)) {
      problems.push(`line ${i + 1}: expected "${location}" with "${keyword}", got "${actual}"`);
    }
  });
  return problems;
}

interface Run {
  exit: number;
  stdout: string;
  stderr: string;
}

async function runScenario(dir: string): Promise<Run> {
  const extra = JSON.parse(readFileSync(join(dir, 'args.json'), 'utf8')) as string[];
  if (!Array.isArray(extra) || !extra.every((a) => typeof a === 'string')) {
    throw new Error(`${dir}/args.json must be a JSON array of strings`);
  }
  if (!extra.includes('--as-of'))
    throw new Error(`${dir}/args.json must set --as-of (goldens may not depend on today)`);
  const argv = ['analyse', '--calendar', join(dir, 'calendar.json'), '--marks', join(dir, 'marks.csv')];
  if (existsSync(join(dir, 'pupils.csv'))) argv.push('--pupils', join(dir, 'pupils.csv'));
  argv.push(...extra);
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    today: () => '2000-01-01' as PlainDate,
  };
  const exit = await main(argv, io);
  return { exit, stdout, stderr: stderr.split(`${dir}/`).join('') };
}

const scenarios = readdirSync(GOLDEN_DIR, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

describe('rollcall analyse: golden scenarios', () => {
  it('has scenarios', () => {
    expect(scenarios.length).toBeGreaterThan(0);
  });

  for (const name of scenarios) {
    it(name, async () => {
      const dir = join(GOLDEN_DIR, name);
      const has = (file: string): boolean => existsSync(join(dir, file));
      const read = (file: string): string => readFileSync(join(dir, file), 'utf8');
      const hasJson = has('expected.json');
      const hasStderr = has('expected-stderr.txt');
      expect(hasJson !== hasStderr, `${name}: needs expected.json or expected-stderr.txt (not both)`).toBe(true);

      const run = await runScenario(dir);
      const stderrLines = run.stderr.split('\n').filter((l) => l !== '');

      if (UPDATE) {
        if (run.exit === 0) {
          writeFileSync(join(dir, 'actual.json'), `${JSON.stringify(JSON.parse(run.stdout), null, 2)}\n`);
        } else {
          writeFileSync(join(dir, 'actual-stderr.txt'), `${stderrLines.join('\n')}\n`);
          writeFileSync(join(dir, 'actual-exit.txt'), `${run.exit}\n`);
        }
      }

      const expectedExit = has('expected-exit.txt') ? Number(read('expected-exit.txt').trim()) : 0;
      if (hasJson) {
        expect({ exit: run.exit, stderr: run.stderr }, `${name}: exit code and stderr`).toEqual({
          exit: expectedExit,
          stderr: '',
        });
        const expected = JSON.parse(read('expected.json')) as Json;
        expect(
          differences(expected, JSON.parse(run.stdout) as Json),
          `${name}: differences from expected.json`,
        ).toEqual([]);
      } else {
        expect(run.exit, `${name}: exit code`).toBe(expectedExit);
        expect(run.stdout, `${name}: stdout on error`).toBe('');
        expect(stderrDifferences(read('expected-stderr.txt'), stderrLines), `${name}: stderr\n${run.stderr}`).toEqual(
          [],
        );
      }
    });
  }
});

describe('golden matcher', () => {
  it('checks only the keys written, arrays whole, numbers exactly', () => {
    expect(differences({ a: 1, b: { c: null } }, { a: 1, b: { c: null, d: 2 }, e: 3 })).toEqual([]);
    expect(differences({ b: { c: null } }, { b: {} })).toEqual(['$.b.c: expected null, got (absent)']);
    expect(differences({ p: [] }, { p: [{ x: 1 }] })).toHaveLength(1);
    expect(differences([{ upn: 'X', n: 0.3 }], [{ upn: 'X', n: 0.1 + 0.2 }])).toEqual([
      '$[0 X].n: expected 0.3, got 0.30000000000000004',
    ]);
  });

  it('matches stderr by location and keyword', () => {
    expect(stderrDifferences('m.csv:3: Q9\nm.csv:4:\n', ['m.csv:3: unknown code "Q9"', 'm.csv:4: anything'])).toEqual(
      [],
    );
    expect(stderrDifferences('m.csv:3: Q9\n', ['m.csv:30: unknown code "Q9"'])).toHaveLength(1);
    expect(stderrDifferences('m.csv:3: Q9\n', ['m.csv:3: unknown code "Q9"', 'm.csv:4: extra'])).toHaveLength(1);
  });
});
