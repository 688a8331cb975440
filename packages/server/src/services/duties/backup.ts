/**
 * Full backups and restores of the database (see docs/privacy.md#backups).
 *
 * SQLite: `backup` copies the live database with SQLite's online backup API, so it is consistent
 * even while the server is taking registers; `restore` checks the file is a sound Rollcall
 * database that this version knows how to migrate, keeps the current database beside it as
 * `<file>.before-restore` (`-2`, `-3`… after the first), copies the backup in, and then migrates it to this version.
 * PostgreSQL: the database's own tools do this better than we could; the commands print how.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Config } from '../../config/config.js';
import { migrateToLatest, openDatabase } from '../../db/connect.js';
import { backupSqliteFile, inspectSqliteFile } from '../../db/sqlite-files.js';
import { liveServerPid } from '../../platform/server-lock.js';
import { AppError } from '../errors.js';

export type BackupOutcome =
  | { readonly kind: 'sqlite'; readonly file: string; readonly pages: number; readonly bytes: number }
  | { readonly kind: 'postgres'; readonly guidance: string };

export type RestoreOutcome =
  | {
      readonly kind: 'sqlite';
      readonly file: string;
      readonly previous: string | null;
      readonly migrationsApplied: readonly string[];
    }
  | { readonly kind: 'postgres'; readonly guidance: string };

/** What to do on PostgreSQL, where pg_dump and pg_restore are the right tools. */
export function postgresGuidance(file: string): string {
  return [
    "Rollcall is on PostgreSQL (DATABASE_URL): back up and restore with PostgreSQL's own tools.",
    '',
    'Back up (a consistent snapshot while Rollcall runs; custom format, compressed):',
    `  pg_dump --format=custom --no-owner --file="${file}" "$DATABASE_URL"`,
    '',
    'Restore into an empty database (stop Rollcall first; then start it, which migrates):',
    `  pg_restore --clean --if-exists --no-owner --dbname="$DATABASE_URL" "${file}"`,
    '',
    'Use the pg_dump of the same major version as the server (or newer). Keep backups encrypted',
    "and off the server: they hold pupils' personal data.",
  ].join('\n');
}

/** Copies the whole database to `file` (SQLite), or says how to (PostgreSQL). */
export async function backupDatabase(config: Config, file: string): Promise<BackupOutcome> {
  if (config.database.kind === 'postgres') return { kind: 'postgres', guidance: postgresGuidance(file) };
  const source = config.database.path;
  if (source === ':memory:') throw new AppError('VALIDATION', 'An in-memory database cannot be backed up.');
  if (!existsSync(source)) throw new AppError('NOT_FOUND', `There is no database at ${source} to back up.`);
  if (resolve(source) === resolve(file))
    throw new AppError('VALIDATION', 'The backup file is the database itself: choose another file.');
  if (existsSync(file)) throw new AppError('CONFLICT', `${file} already exists: choose a new file for the backup.`);
  const pages = await backupSqliteFile(source, file);
  return { kind: 'sqlite', file, pages, bytes: statSync(file).size };
}

/** `base`, or `base-2`, `base-3`… whichever does not exist yet. */
function freeName(base: string): string {
  if (!existsSync(base)) return base;
  for (let n = 2; ; n++) if (!existsSync(`${base}-${n}`)) return `${base}-${n}`;
}

/** The migrations this version of Rollcall knows, in order (from migrating an empty database). */
async function knownMigrations(): Promise<string[]> {
  const scratch = openDatabase({ kind: 'sqlite', path: ':memory:' });
  try {
    return await migrateToLatest(scratch.db);
  } finally {
    await scratch.close();
  }
}

/**
 * Replaces the database with the backup in `file` (SQLite; stop the server first), or says how
 * to (PostgreSQL). Refuses a file that is not a sound Rollcall database or was made by a newer
 * version, before anything is changed.
 */
export async function restoreDatabase(config: Config, file: string): Promise<RestoreOutcome> {
  if (config.database.kind === 'postgres') return { kind: 'postgres', guidance: postgresGuidance(file) };
  const target = config.database.path;
  if (target === ':memory:') throw new AppError('VALIDATION', 'An in-memory database cannot be restored into.');
  if (resolve(target) === resolve(file))
    throw new AppError('VALIDATION', 'The backup file is the database itself: choose the backup to restore.');
  const server = liveServerPid(target);
  if (server !== null) {
    throw new AppError(
      'CONFLICT',
      `A Rollcall server (process ${server}) is running on ${target}: stop it first, then restore. Nothing was changed.`,
    );
  }
  const info = inspectSqliteFile(file);
  if (!info) throw new AppError('VALIDATION', `${file} is not a SQLite database.`);
  if (info.integrity !== 'ok')
    throw new AppError('VALIDATION', `${file} is damaged (SQLite integrity check: ${info.integrity}).`);
  if (info.migrations.length === 0)
    throw new AppError('VALIDATION', `${file} is not a Rollcall database (it has no migrations).`);
  const known = new Set(await knownMigrations());
  const unknown = info.migrations.filter((m) => !known.has(m));
  if (unknown.length > 0) {
    throw new AppError(
      'VALIDATION',
      `${file} was made by a newer version of Rollcall (migrations ${unknown.join(', ')}): upgrade Rollcall first.`,
    );
  }
  let previous: string | null = null;
  if (existsSync(target)) {
    // The database as it was, in case the wrong backup was chosen; an earlier restore's copy is
    // kept too (a second restore gets `.before-restore-2`, and so on).
    previous = freeName(`${target}.before-restore`);
    await backupSqliteFile(target, previous);
  }
  await backupSqliteFile(file, target);
  const open = openDatabase({ kind: 'sqlite', path: target });
  try {
    const migrationsApplied = await migrateToLatest(open.db);
    return { kind: 'sqlite', file: target, previous, migrationsApplied };
  } finally {
    await open.close();
  }
}
