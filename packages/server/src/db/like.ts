/**
 * Searches with LIKE where what the user typed is matched literally: `%` and `_` (and the escape
 * character itself) are escaped, and the comparison says `ESCAPE '\'` on both dialects (SQLite
 * has no default escape character; PostgreSQL's is backslash).
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';

/** The text with LIKE's wildcards escaped. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** A pattern matching text that contains `text` (anywhere). */
export function containsPattern(text: string): string {
  return `%${escapeLike(text)}%`;
}

/** A pattern matching text that starts with `text`. */
export function prefixPattern(text: string): string {
  return `${escapeLike(text)}%`;
}

/** `lower(column) LIKE pattern ESCAPE '\'`, for a pattern made by `containsPattern` or `prefixPattern` (lower case). */
export function lowerLike(column: string, pattern: string): RawBuilder<SqlBool> {
  return sql<SqlBool>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`;
}

/** `column LIKE pattern ESCAPE '\'` (case as stored). */
export function likeRaw(column: string, pattern: string): RawBuilder<SqlBool> {
  return sql<SqlBool>`${sql.ref(column)} like ${pattern} escape '\\'`;
}
