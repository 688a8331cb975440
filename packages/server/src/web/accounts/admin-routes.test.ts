import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pagesHarness, section, textOf, type PagesHarness } from '../../../test/web-pages.js';
import { apiRoutes } from '../../http/api.js';
import { SESSION_COOKIE } from '../../services/accounts/auth.js';
import { adminRoutes } from './admin-routes.js';

// Monday 8 September 2025, 09:00 in London: the AM register is open.
const OPEN = '2025-09-08T08:00:00.000Z';

describe('API keys, the audit log and subject access', () => {
  let t: PagesHarness;
  beforeAll(async () => {
    t = await pagesHarness([adminRoutes, apiRoutes], 'admin', OPEN);
  });
  afterAll(async () => {
    await t.close();
  });

  async function createKey(payload: Record<string, string | string[]>): Promise<string> {
    const admin = await t.signInAs('admin');
    const res = await t.post('/admin/api-keys', admin, payload);
    expect(res.statusCode).toBe(200);
    const secret = /data-testid="secret">([^<]+)</.exec(res.body)?.[1];
    if (!secret) throw new Error('no key shown');
    return secret;
  }

  const bearer = (key: string, method: 'GET' | 'PUT' | 'POST', url: string, body?: unknown) =>
    t.app.inject({
      method,
      url,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { payload: JSON.stringify(body) } : {}),
    });

  it('an administrator creates a key, seen once; it reads and writes by its scopes; revoked, it is refused', async () => {
    const reader = await createKey({ name: 'Warehouse', role: 'senior_leader', scopes: 'read' });
    expect(reader).toMatch(/^rk_[A-Za-z0-9_-]{43}$/);
    const writer = await createKey({ name: 'MIS sync', role: 'office', scopes: ['read', 'write'] });

    // The list shows the keys by their start, never the whole key.
    const admin = await t.signInAs('admin');
    const page = await t.get('/admin/api-keys', admin);
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain(reader);
    expect(textOf(page.body)).toContain(`Warehouse ${reader.slice(0, 9)}…`);
    const stored = await t.open.db.selectFrom('api_keys').select(['secret_hash', 'prefix']).execute();
    expect(stored.map((k) => k.secret_hash)).not.toContain(reader);

    const board = await bearer(reader, 'GET', `/api/board?date=2025-09-08`);
    expect(board.statusCode).toBe(200);
    expect(board.json<{ date: string }>().date).toBe('2025-09-08');

    // The read-only key may not write; the writer may, and is recorded under the key's name.
    const url = `/api/registers/${t.school.groupA}/2025-09-08/AM`;
    const marks = t.school.pupilsA.map((pupilId) => ({ pupilId, code: '/' }));
    expect((await bearer(reader, 'PUT', url, { version: 0, marks })).statusCode).toBe(403);
    const saved = await bearer(writer, 'PUT', url, { version: 0, marks });
    expect(saved.statusCode).toBe(200);
    const history = await t.open.db.selectFrom('mark_history').select('user_name').distinct().execute();
    expect(history.map((h) => h.user_name)).toContain('API key "MIS sync"');

    // Unknown and revoked keys: 401.
    expect((await bearer('rk_not-a-key', 'GET', '/api/board')).statusCode).toBe(401);
    const keyId = (
      await t.open.db.selectFrom('api_keys').select('id').where('name', '=', 'Warehouse').executeTakeFirstOrThrow()
    ).id;
    const revoked = await t.post(`/admin/api-keys/${keyId}/revoke`, admin, {});
    expect(revoked.statusCode).toBe(303);
    const after = await bearer(reader, 'GET', '/api/board?date=2025-09-08');
    expect(after.statusCode).toBe(401);
    expect(after.json<{ error: { code: string } }>().error.code).toBe('UNAUTHENTICATED');
    expect(textOf((await t.get('/admin/api-keys', admin)).body)).toContain('Revoked');

    // Creating and revoking are audited.
    const audited = await t.open.db
      .selectFrom('audit_log')
      .select('action')
      .where('entity_type', '=', 'api_key')
      .execute();
    expect(audited.map((a) => a.action).sort()).toEqual(['apiKey.create', 'apiKey.create', 'apiKey.revoke']);
  });

  it('a key with a role allowed to export downloads the DfE daily file; an office key may not', async () => {
    const leader = await createKey({ name: 'DfE feed', role: 'attendance_officer', scopes: 'read' });
    const res = await bearer(leader, 'GET', '/api/exports/daily-attendance?date=2025-09-08');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.body.split('\r\n')[0]).toBe('urn,la_code,upn,date,session,attendance_code,minutes_late,year_group');
    const office = await createKey({ name: 'Office tool', role: 'office', scopes: 'read' });
    expect((await bearer(office, 'GET', '/api/exports/daily-attendance?date=2025-09-08')).statusCode).toBe(403);
  });

  it('without a key or session the API answers 401, and the OpenAPI description documents bearer keys', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/board' })).statusCode).toBe(401);
    const doc = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(doc.statusCode).toBe(200);
    const json = doc.json<{ components: { securitySchemes: Record<string, { type: string; scheme?: string }> } }>();
    expect(json.components.securitySchemes['apiKey']).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('refuses a key without a name or scope, keeping what was typed; only administrators see keys', async () => {
    const admin = await t.signInAs('admin');
    const res = await t.post('/admin/api-keys', admin, { name: '  ', role: 'office' });
    expect(res.statusCode).toBe(400);
    expect(textOf(res.body)).toContain('Enter a name for the key');
    expect(textOf(res.body)).toContain('Choose what the key may do');
    expect((await t.get('/admin/api-keys', await t.signInAs('senior_leader'))).statusCode).toBe(403);
  });

  it('searches the audit log by user, pupil, action and date (administrators only)', async () => {
    const leader = await t.signInAs('senior_leader');
    const pupil = t.school.pupilsA[0]!;
    expect((await t.get(`/pupils/${pupil}/subject-access`, leader)).statusCode).toBe(200);
    const admin = await t.signInAs('admin');
    const all = await t.get('/admin/audit', admin);
    expect(all.statusCode).toBe(200);
    expect(textOf(all.body)).toContain('pupil.subjectAccess');
    const rows = async (url: string) => textOf(section((await t.get(url, admin)).body, 'audit'));
    const byUser = await rows('/admin/audit?user=Test+senior_leader');
    expect(byUser).toContain('pupil.subjectAccess');
    expect(byUser).not.toContain('apiKey.create');
    const byAction = await rows('/admin/audit?action=apiKey.create');
    expect(byAction).toContain('apiKey.create');
    expect(byAction).not.toContain('pupil.subjectAccess');
    const byPupil = await rows(`/admin/audit?pupil=${pupil}`);
    expect(byPupil).toContain('pupil.subjectAccess');
    expect(byPupil).not.toContain('apiKey.create');
    expect(textOf((await t.get('/admin/audit?from=2025-09-09', admin)).body)).toContain(
      'Nothing matches these filters',
    );
    const bad = await t.get('/admin/audit?from=yesterday', admin);
    expect(bad.statusCode).toBe(400);
    expect(textOf(bad.body)).toContain('Enter the first date as YYYY-MM-DD');
    expect((await t.get('/admin/audit', leader)).statusCode).toBe(403);
  });

  it('exports everything held about a pupil as JSON for senior leaders and administrators, audited', async () => {
    const pupil = t.school.pupilsA[1]!;
    const leader = await t.signInAs('senior_leader');
    const res = await t.get(`/pupils/${pupil}/subject-access`, leader);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="subject-access-.+\.json"$/);
    const out = res.json<{ about: { pupilId: string }; data: Record<string, Record<string, unknown>[]> }>();
    expect(out.about.pupilId).toBe(pupil);
    expect(out.data['pupils']![0]!['id']).toBe(pupil);
    expect(out.data['group_members']!.length).toBeGreaterThan(0);
    expect(out.data['session_marks']!.length).toBe(1);
    const text = JSON.stringify(out);
    expect(text).not.toContain('password_hash');
    const audited = await t.open.db
      .selectFrom('audit_log')
      .select('user_role')
      .where('action', '=', 'pupil.subjectAccess')
      .where('pupil_id', '=', pupil)
      .execute();
    expect(audited).toEqual([{ user_role: 'senior_leader' }]);
    for (const role of ['teacher', 'office', 'attendance_officer'] as const) {
      const s = await t.signInAs(role);
      expect(
        (
          await t.app.inject({
            method: 'GET',
            url: `/pupils/${pupil}/subject-access`,
            cookies: { [SESSION_COOKIE]: s.cookie },
          })
        ).statusCode,
        role,
      ).toBe(403);
    }
  });
});
