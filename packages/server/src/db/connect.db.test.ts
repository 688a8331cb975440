import { createServer, type Socket } from 'node:net';
import { sql } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createPostgresDatabase, describeEachDialect, freshDatabase } from '../../test/databases.js';
import { withJobLock } from './duties/job-locks.js';
import { migrateToBottom, migrateToLatest, openDatabase, postgresWriterPoolOf } from './connect.js';

describeEachDialect('schema', (ctx) => {
  it('has every table after migrating', async () => {
    const tables = (await ctx.db.introspection.getTables()).map((t) => t.name).sort();
    expect(tables).toEqual(
      [
        'absence_reports',
        'cases',
        'cohort_snapshots',
        'case_stages',
        'case_reviews',
        'case_suggestions',
        'case_meetings',
        'case_actions',
        'case_plans',
        'case_referrals',
        'case_contracts',
        'notices_to_improve',
        'penalty_notices',
        'letter_templates',
        'letters',
        'evidence_packs',
        'audit_log',
        'auth_sessions',
        'contact_attempts',
        'home_visits',
        'leave_requests',
        'messages',
        'closures',
        'contacts',
        'early_leavers',
        'group_members',
        'group_staff',
        'groups',
        'late_arrivals',
        'lesson_marks',
        'lessons',
        'login_attempts',
        'mark_history',
        'parent_links',
        'pupils',
        'registers',
        'schools',
        'session_marks',
        'terms',
        'trusts',
        'users',
        'job_runs',
        'la_returns',
        'la_return_items',
        'register_entries',
        'la_contacts',
        'api_keys',
        'webhook_subscriptions',
        'webhook_deliveries',
        'retention_runs',
        'roll_call_pupils',
        'roll_calls',
        'integration_periods',
        'known_devices',
        'pupil_attendance_history',
        'pupil_school_history',
        'ctf_exports',
        'dsl_alerts',
        'la_access_reasons',
        'ctf_export_pupils',
        'mfa_totp',
        'mfa_recovery_codes',
        'webauthn_credentials',
        'sso_providers',
        'sso_links',
        'sso_states',
        'school_codes',
        'pupil_admission_details',
      ].sort(),
    );
  });

  it('matches the committed schema snapshot (drift check)', async () => {
    const tables = await ctx.db.introspection.getTables();
    const shape = tables
      .map((t) => ({
        table: t.name,
        columns: t.columns.map((c) => `${c.name} ${c.dataType}${c.isNullable ? '' : ' not null'}`).sort(),
      }))
      .sort((a, b) => a.table.localeCompare(b.table));
    await expect(`${JSON.stringify(shape, null, 2)}\n`).toMatchFileSnapshot(
      `./__snapshots__/schema.${ctx.dialect}.json`,
    );
  });

  it('enforces foreign keys', async () => {
    await expect(
      ctx.db
        .insertInto('terms')
        .values({ id: 't1', school_id: 'nope', name: 'A', start_date: '2025-09-01', end_date: '2025-10-01' })
        .execute(),
    ).rejects.toThrow(/foreign key/i);
  });

  it('reads integer flags back as numbers', async () => {
    const r = await sql<{ n: number }>`select 1 as n`.execute(ctx.db);
    expect(r.rows[0]?.n).toBe(1);
  });
});

describe('migrations', () => {
  it.each(['sqlite', 'postgres'] as const)('go down to nothing and up again on %s', async (dialect) => {
    const open = await freshDatabase(dialect);
    try {
      await migrateToBottom(open.db);
      const left = (await open.db.introspection.getTables()).map((t) => t.name);
      expect(left).toEqual([]);
      expect(await migrateToLatest(open.db)).toEqual([
        '2026-11-25T00-00-00_initial',
        '2026-11-26T00-00-00_first-day-response',
        '2026-11-27T00-00-00_addresses',
        '2026-11-28T00-00-00_casework',
        '2026-11-28T01-00-00_letters',
        '2026-11-28T03-00-00_duties',
        '2026-11-28T04-00-00_integrations',
        '2026-11-28T05-00-00_integration-periods',
        '2026-11-28T06-00-00_school-details',
        '2026-11-28T07-00-00_cohort-snapshots',
        '2026-11-28T08-00-00_retention-counts',
        '2026-11-28T09-00-00_accounts',
        '2026-12-07T09-00-00_job-scope',
        '2026-12-07T12-00-00_letters-fit-to-post',
        '2026-12-07T13-00-00_ctf',
        '2026-12-07T14-00-00_trust-and-safety',
        '2026-12-07T15-00-00_sign-in-throttle',
        '2026-12-07T15-10-00_mfa',
        '2026-12-07T15-20-00_sso',
        '2026-12-07T16-00-00_roll-calls',
        '2026-12-07T18-00-00_webhooks',
        '2026-12-07T19-00-00_school-codes-admission-details',
        '2026-12-07T19-10-00_ctf-sent',
        '2026-12-08T02-00-00_letter-frames',
        '2026-12-08T04-00-00_webhook-secret-rotation',
        '2026-12-08T10-00-00_cohort-snapshot-figures',
        '2026-12-08T11-00-00_cohort-snapshot-pupil-counts',
      ]);
    } finally {
      await open.close();
    }
  });
});

describe('PostgreSQL connections closed by the server', () => {
  it('idle in the pool: are reported and replaced, and the process carries on (both pools)', async () => {
    const url = await createPostgresDatabase();
    const warnings: { fields: Record<string, unknown>; message: string }[] = [];
    const logger = {
      warn: (fields: object, message: string) => {
        warnings.push({ fields: fields as Record<string, unknown>, message });
      },
    };
    const open = openDatabase({ kind: 'postgres', url }, { logger });
    try {
      const writer = postgresWriterPoolOf(open.db)!;
      // One idle connection in each pool.
      await sql`select 1`.execute(open.db);
      await writer.query('select 1');
      // PostgreSQL ends every other connection to this database, as a restart or failover would.
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      try {
        const ended = await admin.query(
          'select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
        );
        expect(ended.rowCount).toBeGreaterThanOrEqual(2);
      } finally {
        await admin.end();
      }
      // Without a listener on each pool's connections, the first of these 'error' events ends the
      // test process.
      const terminated = () => warnings.filter((w) => w.fields.code === '57P01').map((w) => w.fields.pool);
      for (let i = 0; i < 100 && terminated().length < 2; i++) await new Promise((r) => setTimeout(r, 20));
      expect(terminated().sort()).toEqual(['main', 'writer']);
      for (const w of warnings) expect(JSON.stringify(w)).not.toContain(url); // never the connection string
      // The next queries get new connections.
      expect((await sql<{ n: number }>`select 2 as n`.execute(open.db)).rows[0]?.n).toBe(2);
      expect((await writer.query<{ n: number }>('select 3 as n')).rows[0]?.n).toBe(3);
    } finally {
      await open.close();
    }
  });
});

describe('a PostgreSQL connection closed while held between statements', () => {
  it('is reported, and the process and the pool carry on (a job’s advisory lock: the run’s outcome is still told)', async () => {
    const url = await createPostgresDatabase();
    const warnings: Record<string, unknown>[] = [];
    const logger = {
      warn: (fields: object) => {
        warnings.push(fields as Record<string, unknown>);
      },
    };
    const open = openDatabase({ kind: 'postgres', url }, { logger });
    try {
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      try {
        // The job holds its connection for the lock while it works; PostgreSQL ends that
        // connection mid-job. Without a listener on the held connection, its 'error' event
        // ends the test process.
        const job = withJobLock(open.db, 'postgres', 'closed-mid-job', async () => {
          const ended = await admin.query(
            "select pg_terminate_backend(pid) from pg_locks where locktype = 'advisory' and granted",
          );
          expect(ended.rowCount).toBe(1);
          for (let i = 0; i < 100 && warnings.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
          return 'worked';
        });
        // The unlock, on the closed connection, fails; the lock went with it. The caller is told
        // the run's own outcome.
        expect(await job).toEqual({ locked: true, value: 'worked' });
        // Once (pg reports PostgreSQL's message, then the socket's end).
        await new Promise((r) => setTimeout(r, 100));
        expect(warnings).toEqual([expect.objectContaining({ pool: 'main', code: '57P01' })]);
      } finally {
        await admin.end();
      }
      // The lock went with the connection; the next run takes it on a new one.
      expect(await withJobLock(open.db, 'postgres', 'closed-mid-job', () => Promise.resolve('again'))).toEqual({
        locked: true,
        value: 'again',
      });
    } finally {
      await open.close();
    }
  });
});

describe('a PostgreSQL server that does not answer', () => {
  it('fails a query after the connection timeout instead of leaving it waiting (both pools)', async () => {
    // Accepts connections and never says a word, as a database behind a network cut would.
    const sockets: Socket[] = [];
    const silent = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    const open = openDatabase(
      { kind: 'postgres', url: `postgres://rollcall:secret@127.0.0.1:${port}/rollcall` },
      { connectTimeoutMs: 300 },
    );
    try {
      const t0 = performance.now();
      await expect(sql`select 1`.execute(open.db)).rejects.toThrow(/timeout/i);
      await expect(postgresWriterPoolOf(open.db)!.query('select 1')).rejects.toThrow(/timeout/i);
      expect(performance.now() - t0).toBeLessThan(3_000);
    } finally {
      for (const s of sockets) s.destroy();
      await open.close().catch(() => undefined);
      await new Promise((r) => silent.close(r));
    }
  });
});
