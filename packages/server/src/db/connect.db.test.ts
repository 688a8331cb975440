import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { describeEachDialect, freshDatabase } from '../../test/databases.js';
import { migrateToBottom, migrateToLatest } from './connect.js';

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
