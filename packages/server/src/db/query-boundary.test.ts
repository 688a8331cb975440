/**
 * The list of older services still allowed to build their own queries (QUERIES_NOT_YET_IN_DB in
 * eslint.config.js, ARCHITECTURE.md) only ever shrinks: this test fails when a listed file no
 * longer builds a query (take it off the list) or is gone, and when the list grows past its count.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../../..');
/** Lower this when a file leaves the list; never raise it. */
const CEILING = 2;

function listedFiles(): string[] {
  const config = readFileSync(resolve(ROOT, 'eslint.config.js'), 'utf8');
  const start = config.indexOf('const QUERIES_NOT_YET_IN_DB = [');
  expect(start, 'QUERIES_NOT_YET_IN_DB in eslint.config.js').toBeGreaterThan(-1);
  const body = config.slice(start, config.indexOf('];', start));
  return [...body.matchAll(/`\$\{SERVER_SRC\}\/([^`]+)`/g)].map((m) => `packages/server/src/${m[1]!}`);
}

/** The same calls the ESLint rule forbids outside db/. */
const QUERY_CALL =
  /\.(selectFrom|selectNoFrom|insertInto|replaceInto|updateTable|deleteFrom|mergeInto|with|withRecursive)\(|\bsql`|\bsql\./;

describe('queries outside db/', () => {
  it('the list of older files only shrinks', () => {
    const files = listedFiles();
    expect(files.length).toBeGreaterThan(0);
    expect(files.length).toBeLessThanOrEqual(CEILING);
    expect(new Set(files).size).toBe(files.length);
  });

  it('every listed file still exists and still builds a query (else take it off the list)', () => {
    const stale = listedFiles().filter((f) => {
      const path = resolve(ROOT, f);
      return !existsSync(path) || !QUERY_CALL.test(readFileSync(path, 'utf8'));
    });
    expect(stale).toEqual([]);
  });
});
