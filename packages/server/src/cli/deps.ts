/**
 * Opening the configured database for a command, and migrating it: what every database command
 * needs and no more (the web server's routes, templates and PDF fonts live in `server.ts`, loaded
 * only by `start` and `serve`).
 */
import { ConfigError, loadConfig, type Config } from '../config/config.js';
import { migrateDatabase, openConfiguredDatabase } from '../services/database.js';
import { systemClock, type Clock } from '../platform/clock.js';
import { createLogger } from '../platform/logger.js';
import type { Deps } from '../services/deps.js';
import type { CliIO } from './io.js';

export interface OpenedDeps {
  readonly deps: Deps;
  close(): Promise<void>;
}

/** Reads the configuration and opens the database; a bad configuration is reported, not thrown. */
export function openDeps(
  env: Readonly<Record<string, string | undefined>>,
  io: Pick<CliIO, 'stderr'>,
  clock: Clock = systemClock,
): OpenedDeps | undefined {
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) {
      io.stderr(`rollcall: ${e.message}\n`);
      return undefined;
    }
    throw e;
  }
  const logger = createLogger(config.logLevel);
  const db = openConfiguredDatabase(config, { logger });
  return { deps: { db: db.db, dialect: db.dialect, clock, logger, config }, close: () => db.close() };
}

export async function runMigrate(deps: Deps, io: CliIO): Promise<number> {
  const applied = await migrateDatabase(deps);
  io.stdout(
    applied.length
      ? `Applied ${applied.length} migration(s): ${applied.join(', ')}\n`
      : 'The database is up to date.\n',
  );
  return 0;
}
