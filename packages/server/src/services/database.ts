/**
 * The installation's database, for the shells that start Rollcall (`rollcall start`, `serve`,
 * `migrate` and every command that opens it): open the configured database, bring it up to this
 * version, or say how far behind it is. The operator at the shell is the installation itself, so
 * there is no actor to authorise; the shells come through here rather than import db/.
 */
import type { Config } from '../config/config.js';
import {
  migrateToLatest,
  openDatabase,
  pendingMigrations,
  type OpenDatabase,
  type OpenOptions,
} from '../db/connect.js';
import type { Deps } from './deps.js';

export type { OpenDatabase } from '../db/connect.js';

/**
 * Opens the configured database (SQLite file or PostgreSQL pool); the caller closes it. A
 * PostgreSQL connection lost while idle is reported to `options.logger` and replaced.
 */
export function openConfiguredDatabase(config: Pick<Config, 'database'>, options: OpenOptions = {}): OpenDatabase {
  return openDatabase(config.database, options);
}

/** Brings the database up to this version's schema: the names of the migrations applied, in order. */
export async function migrateDatabase(deps: Pick<Deps, 'db'>): Promise<string[]> {
  return migrateToLatest(deps.db);
}

/** The migrations of this version the database has not run yet (none: it is up to date). */
export async function migrationsBehind(deps: Pick<Deps, 'db'>): Promise<string[]> {
  return pendingMigrations(deps.db);
}
