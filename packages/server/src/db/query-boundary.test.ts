/**
 * One path to the database: no source file outside db/ builds a query (ESLint's rule in
 * eslint.config.js forbids the same calls; this test keeps the rule from being loosened
 * unnoticed, and says which file broke it). Tests and test support may build their own.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '..');

/** The same calls the ESLint rule forbids outside db/. */
const QUERY_CALL =
  /\.(selectFrom|selectNoFrom|insertInto|replaceInto|updateTable|deleteFrom|mergeInto|with|withRecursive)\(|\bsql`|\bsql\./;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'test-support' || e.name === '__golden__' ? [] : sourceFiles(path);
    const test = e.name.endsWith('.test.ts') || /(^|\.)test-support\.ts$/.test(e.name);
    return e.name.endsWith('.ts') && !test ? [path] : [];
  });
}

describe('queries live under db/', () => {
  it('finds the query-building calls it looks for', () => {
    const files = sourceFiles(join(SRC, 'db')).filter((f) => QUERY_CALL.test(readFileSync(f, 'utf8')));
    expect(files.length).toBeGreaterThan(20);
  });

  it('no source file outside db/ builds a query', () => {
    const outside = sourceFiles(SRC)
      .filter((f) => !relative(SRC, f).startsWith(`db/`))
      .filter((f) => QUERY_CALL.test(readFileSync(f, 'utf8')))
      .map((f) => relative(SRC, f));
    expect(outside).toEqual([]);
  });
});
