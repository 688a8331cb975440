/**
 * `rollcall backup <file>` and `rollcall restore <file>`: a full copy of the database and back
 * (SQLite), or how to do it with pg_dump and pg_restore (PostgreSQL, exit status 2).
 */
import { ConfigError, loadConfig, type Config } from '../config/config.js';
import { backupDatabase, restoreDatabase } from '../services/duties/backup.js';
import { AppError, EXIT_CODE } from '../services/errors.js';
import type { CliIO } from './io.js';

/** Exit status when the database is PostgreSQL and the guidance was printed instead. */
export const EXIT_USE_POSTGRES_TOOLS = 2;

function configOf(env: Readonly<Record<string, string | undefined>>, io: CliIO, command: string): Config | undefined {
  try {
    return loadConfig(env);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    io.stderr(`${command}: ${e.message}\n`);
    return undefined;
  }
}

function failed(io: CliIO, command: string, e: unknown): number {
  if (!(e instanceof AppError)) throw e;
  io.stderr(`${command}: ${e.message}\n`);
  return EXIT_CODE[e.code];
}

export async function runBackup(
  env: Readonly<Record<string, string | undefined>>,
  file: string,
  io: CliIO,
): Promise<number> {
  const command = 'rollcall backup';
  const config = configOf(env, io, command);
  if (!config) return 2;
  try {
    const out = await backupDatabase(config, file);
    if (out.kind === 'postgres') {
      io.stderr(`${out.guidance}\n`);
      return EXIT_USE_POSTGRES_TOOLS;
    }
    io.stdout(`Backed up the database to ${out.file} (${out.pages} pages, ${out.bytes} bytes).\n`);
    return 0;
  } catch (e) {
    return failed(io, command, e);
  }
}

export async function runRestore(
  env: Readonly<Record<string, string | undefined>>,
  file: string,
  io: CliIO,
): Promise<number> {
  const command = 'rollcall restore';
  const config = configOf(env, io, command);
  if (!config) return 2;
  try {
    const out = await restoreDatabase(config, file);
    if (out.kind === 'postgres') {
      io.stderr(`${out.guidance}\n`);
      return EXIT_USE_POSTGRES_TOOLS;
    }
    const lines = [`Restored ${file} into ${out.file}.`];
    if (out.previous) lines.push(`The database as it was is kept in ${out.previous}.`);
    if (out.migrationsApplied.length > 0)
      lines.push(`Applied ${out.migrationsApplied.length} migration(s): ${out.migrationsApplied.join(', ')}.`);
    io.stdout(`${lines.join('\n')}\n`);
    return 0;
  } catch (e) {
    return failed(io, command, e);
  }
}
