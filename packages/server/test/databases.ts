/**
 * The dialect loop: every repository and service test runs against SQLite and PostgreSQL.
 *
 *   describeEachDialect('registers', (ctx) => { it('…', async () => { const db = ctx.db; … }) });
 *
 * Each file gets a fresh, migrated database per dialect (SQLite in memory; a new PostgreSQL
 * database on the shared embedded server).
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, inject } from 'vitest';
import { migrateToLatest, openDatabase, type Db, type Dialect, type OpenDatabase } from '../src/db/connect.js';

export const DIALECTS: readonly Dialect[] = ['sqlite', 'postgres'];

export interface DialectContext {
  readonly dialect: Dialect;
  /** The migrated database (valid inside tests and hooks). */
  readonly db: Db;
  /** For PostgreSQL, the connection URL of this file's database. */
  readonly url: string | undefined;
}

/** Creates an empty PostgreSQL database on the shared server and returns its URL. */
export async function createPostgresDatabase(): Promise<string> {
  const admin = inject('pgAdminUrl');
  const name = `t_${randomUUID().replace(/-/g, '')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  return admin.replace(/\/postgres$/, `/${name}`);
}

/** Opens a fresh migrated database of the dialect. */
export async function freshDatabase(dialect: Dialect): Promise<OpenDatabase & { url: string | undefined }> {
  const url = dialect === 'postgres' ? await createPostgresDatabase() : undefined;
  const open = openDatabase(url ? { kind: 'postgres', url } : { kind: 'sqlite', path: ':memory:' });
  await migrateToLatest(open.db);
  return { ...open, url };
}

export function describeEachDialect(name: string, body: (ctx: DialectContext) => void): void {
  for (const dialect of DIALECTS) {
    describe(`${name} [${dialect}]`, () => {
      let open: (OpenDatabase & { url: string | undefined }) | undefined;
      const ctx: DialectContext = {
        dialect,
        get db() {
          if (!open) throw new Error('database not open yet: use ctx.db inside tests or hooks');
          return open.db;
        },
        get url() {
          return open?.url;
        },
      };
      beforeAll(async () => {
        open = await freshDatabase(dialect);
      });
      afterAll(async () => {
        await open?.close();
      });
      body(ctx);
    });
  }
}
