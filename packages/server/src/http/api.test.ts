import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pagesHarness, type PagesHarness } from '../../test/web-pages.js';
import { createApiKey } from '../services/accounts/api-keys.js';
import { SESSION_COOKIE } from '../services/accounts/auth.js';
import { apiRoutes } from './api.js';

// Monday 8 September 2025, 09:00 in London: the AM register is open.
const OPEN = '2025-09-08T08:00:00.000Z';

describe('the JSON API', () => {
  let t: PagesHarness;
  beforeAll(async () => {
    t = await pagesHarness([apiRoutes], 'api', OPEN);
  });
  afterAll(async () => {
    await t.close();
  });

  async function call(
    method: 'GET' | 'PUT' | 'POST',
    url: string,
    role: Parameters<PagesHarness['signInAs']>[0],
    body?: unknown,
  ) {
    const s = await t.signInAs(role);
    return t.app.inject({
      method,
      url,
      cookies: { [SESSION_COOKIE]: s.cookie },
      headers: { 'x-csrf-token': s.csrf, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { payload: JSON.stringify(body) } : {}),
    });
  }

  it('publishes an OpenAPI description of every operation', async () => {
    const res = await call('GET', '/api/openapi.json', 'office');
    expect(res.statusCode).toBe(200);
    const doc = res.json<{ openapi: string; paths: Record<string, Record<string, unknown>> }>();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        '/api/amendments',
        '/api/board',
        '/api/early-leavers',
        '/api/exports/census-attendance',
        '/api/exports/daily-attendance',
        '/api/exports/dfe-daily',
        '/api/late-arrivals',
        '/api/pupils',
        '/api/pupils/{id}',
        '/api/registers/{groupId}/{date}/{session}',
      ].sort(),
    );
    expect(Object.keys(doc.paths['/api/registers/{groupId}/{date}/{session}']!).sort()).toEqual(['get', 'put']);
  });

  it('takes a register, and answers a stale save with 409 and what changed', async () => {
    const url = `/api/registers/${t.school.groupA}/2025-09-08/AM`;
    const [a, b, c] = t.school.pupilsA as [string, string, string];
    const got = await call('GET', url, 'teacher');
    expect(got.statusCode).toBe(200);
    expect(got.json<{ version: number; state: string }>()).toMatchObject({ version: 0, state: 'open' });
    const saved = await call('PUT', url, 'teacher', {
      version: 0,
      marks: [
        { pupilId: a, code: '/' },
        { pupilId: b, code: 'N' },
        { pupilId: c, code: '/' },
      ],
    });
    expect(saved.statusCode).toBe(200);
    expect(saved.json()).toEqual({ version: 1, changed: 3 });
    const stale = await call('PUT', url, 'office', { version: 0, marks: [{ pupilId: b, code: 'I', seen: null }] });
    expect(stale.statusCode).toBe(409);
    const body = stale.json<{
      error: {
        code: string;
        message: string;
        conflict: {
          version: number;
          savedBy: string;
          savedAt: string | null;
          changes: { pupilId: string; code: string | null; changedBy: string }[];
        };
      };
    }>();
    expect(body.error.code).toBe('CONFLICT');
    expect(body.error.message).toContain('Test teacher saved this register');
    // Who saved, when, and which pupils they changed, as data.
    expect(body.error.conflict).toMatchObject({ version: 1, savedBy: 'Test teacher' });
    expect(body.error.conflict.savedAt).toMatch(/^2025-09-08T/);
    expect(body.error.conflict.changes).toEqual([
      expect.objectContaining({ pupilId: b, code: 'N', changedBy: 'Test teacher' }),
    ]);
  });

  it('validates bodies and names the field', async () => {
    const res = await call('POST', '/api/late-arrivals', 'office', {
      pupilId: t.school.pupilsA[0],
      date: '2025-09-8',
      session: 'AM',
      arrivedAt: '9.05',
    });
    expect(res.statusCode).toBe(400);
    const fields = res
      .json<{ error: { fields: { field: string }[] } }>()
      .error.fields.map((f) => f.field)
      .sort();
    expect(fields).toEqual(['arrivedAt', 'date']);
  });

  it('refuses what the role may not do, with 403 and no data', async () => {
    const res = await call('GET', `/api/pupils/${t.school.pupilsB[0]}`, 'teacher');
    expect(res.statusCode).toBe(403);
    expect(res.body).not.toContain('Dale');
    const board = await call('GET', '/api/board?date=2025-09-08', 'teacher');
    expect(board.statusCode).toBe(403);
  });

  it('needs the CSRF header on changes made with a session', async () => {
    const s = await t.signInAs('office');
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/amendments',
      cookies: { [SESSION_COOKIE]: s.cookie },
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({
        pupilId: t.school.pupilsA[0],
        date: '2025-09-08',
        session: 'AM',
        code: 'I',
        reason: 'x',
      }),
    });
    expect(res.statusCode).toBe(403);
  });

  it('reads a register and saves marks with an API key, as the document describes', async () => {
    const { secret } = await createApiKey(t.deps, t.school.actors.admin, {
      schoolId: t.school.schoolId,
      name: 'MIS sync',
      role: 'office',
      scopes: ['read', 'write'],
    });
    const headers = { authorization: `Bearer ${secret}`, 'content-type': 'application/json' };
    const url = `/api/registers/${t.school.groupB}/2025-09-08/PM`;
    const got = await t.app.inject({ method: 'GET', url, headers: { authorization: headers.authorization } });
    expect(got.statusCode).toBe(200);
    const register = got.json<{ version: number; pupils: { pupil: { id: string }; code: string | null }[] }>();
    expect(register.pupils.map((p) => p.code)).toEqual([null, null]);
    const put = await t.app.inject({
      method: 'PUT',
      url,
      headers,
      payload: JSON.stringify({
        version: register.version,
        marks: register.pupils.map((p) => ({ pupilId: p.pupil.id, code: '/', seen: p.code })),
      }),
    });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toEqual({ version: 1, changed: 2 });
    // A code outside the national set is refused by the schema, naming the field.
    const bad = await t.app.inject({
      method: 'PUT',
      url,
      headers,
      payload: JSON.stringify({ version: 1, marks: [{ pupilId: t.school.pupilsB[0], code: 'ZZ' }] }),
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ error: { fields: { field: string }[] } }>().error.fields.map((f) => f.field)).toEqual([
      'marks.0.code',
    ]);
  });

  it('answers 201 where it records, and CSV as text/csv', async () => {
    const late = await call('POST', '/api/late-arrivals', 'office', {
      pupilId: t.school.pupilsA[2],
      date: '2025-09-08',
      session: 'AM',
      arrivedAt: '09:05',
    });
    expect(late.statusCode).toBe(201);
    const recorded = late.json<{ code: string; minutesLate: number }>();
    expect(Object.keys(recorded).sort()).toEqual(['code', 'minutesLate']);
    expect(recorded.code).toMatch(/^[LU]$/);
    const { secret } = await createApiKey(t.deps, t.school.actors.admin, {
      schoolId: t.school.schoolId,
      name: 'Data warehouse',
      role: 'attendance_officer',
      scopes: ['read'],
    });
    const csv = await t.app.inject({
      method: 'GET',
      url: '/api/exports/daily-attendance?date=2025-09-08',
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.body.split('\n')[0]).toContain(',');
    // The DfE daily file: every pupil item the collection holds, for an API key too.
    const dfe = await t.app.inject({
      method: 'GET',
      url: '/api/exports/dfe-daily?date=2025-09-08',
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(dfe.statusCode).toBe(200);
    expect(dfe.headers['content-type']).toBe('text/csv; charset=utf-8');
    const header = dfe.body.split(/\r?\n/)[0]!.split(',');
    for (const item of [
      'upn',
      'date_of_birth',
      'ethnicity',
      'looked_after',
      'ehc_plan',
      'fsm',
      'child_in_need',
      'child_protection_plan',
      'row',
    ])
      expect(header, item).toContain(item);
    expect(dfe.headers['content-disposition']).toContain('dfe-daily-');
  });

  it("gives a pupil's record with measures to the office", async () => {
    const res = await call('GET', `/api/pupils/${t.school.pupilsA[1]}?asOf=2025-09-08`, 'office');
    expect(res.statusCode).toBe(200);
    const record = res.json<{
      measures: { possibleSessions: number; unauthorisedAbsenceSessions: number };
      history: unknown[];
    }>();
    expect(record.measures).toMatchObject({ possibleSessions: 1, unauthorisedAbsenceSessions: 1 });
    expect(record.history).toHaveLength(1);
  });
});
