/**
 * Whole-file operations on a SQLite database, for `rollcall backup` and `rollcall restore`:
 * SQLite's online backup API (a consistent copy page by page, while the server keeps writing)
 * and a check that a file is a Rollcall database. Kept in db/, the only place that touches the
 * driver.
 */
import { existsSync } from 'node:fs';
import SQLite from 'better-sqlite3';

/** What a database file holds: its migrations, and SQLite's integrity check. */
export interface SqliteFileInfo {
  readonly migrations: readonly string[];
  readonly integrity: string;
  readonly tables: number;
}

/** Copies the database at `source` to `destination` with the online backup API; returns pages copied. */
export async function backupSqliteFile(source: string, destination: string): Promise<number> {
  const db = new SQLite(source, { readonly: true, fileMustExist: true });
  try {
    const result = await db.backup(destination);
    return result.totalPages;
  } finally {
    db.close();
  }
}

/** Reads a file's migrations and integrity without changing it; undefined if it is not a SQLite database. */
export function inspectSqliteFile(path: string): SqliteFileInfo | undefined {
  if (!existsSync(path)) return undefined;
  let db: SQLite.Database | undefined;
  try {
    db = new SQLite(path, { readonly: true, fileMustExist: true });
    const integrity = (db.pragma('integrity_check', { simple: true }) as string | undefined) ?? 'unknown';
    const tables = db
      .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'")
      .all() as { name: string }[];
    const migrations = tables.some((t) => t.name === 'kysely_migration')
      ? (db.prepare('select name from kysely_migration order by name').all() as { name: string }[]).map((r) => r.name)
      : [];
    return { migrations, integrity, tables: tables.length };
  } catch {
    return undefined;
  } finally {
    db?.close();
  }
}
