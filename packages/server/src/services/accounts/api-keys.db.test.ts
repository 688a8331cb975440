import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/databases.js';
import { rejection, seedSmallSchool, testDeps, type SmallSchool } from '../../../test/fixtures.js';
import { createApiKey, listApiKeys, resolveApiKey, revokeApiKey } from './api-keys.js';
import { searchAudit } from './audit-search.js';
import { subjectAccessExport } from '../pupils/subject-access.js';

describeEachDialect('API keys, audit search and subject access', (ctx) => {
  let s: SmallSchool;
  beforeAll(async () => {
    s = await seedSmallSchool(ctx.db);
  });

  it('creates a key stored only as a hash, resolves it to an actor of its role, and refuses it once revoked', async () => {
    const deps = testDeps(ctx.db, ctx.dialect, '2025-09-08T08:00:00Z');
    const { key, secret } = await createApiKey(deps, s.actors.admin, {
      schoolId: s.schoolId,
      name: '  Nightly   sync ',
      role: 'attendance_officer',
      scopes: ['write', 'read'],
    });
    expect(key).toMatchObject({ name: 'Nightly sync', role: 'attendance_officer', scopes: ['read', 'write'] });
    const row = await ctx.db.selectFrom('api_keys').selectAll().where('id', '=', key.id).executeTakeFirstOrThrow();
    expect(row.secret_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(secret.slice(10));

    const found = await resolveApiKey(deps, secret);
    expect(found?.actor).toMatchObject({
      userId: s.actors.admin.userId,
      name: 'API key "Nightly sync"',
      role: 'attendance_officer',
      schoolId: s.schoolId,
    });
    expect((await listApiKeys(deps, s.actors.admin, s.schoolId))[0]!.lastUsedAt).toBe('2025-09-08T08:00:00.000Z');
    expect(await resolveApiKey(deps, `${secret}x`)).toBeUndefined();
    expect(await resolveApiKey(deps, 'not-a-key')).toBeUndefined();

    expect((await rejection(revokeApiKey(deps, s.actors.senior_leader, key.id))).code).toBe('FORBIDDEN');
    await revokeApiKey(deps, s.actors.admin, key.id);
    expect(await resolveApiKey(deps, secret)).toBeUndefined();
    expect((await listApiKeys(deps, s.actors.admin, s.schoolId))[0]!.revokedAt).toBe('2025-09-08T08:00:00.000Z');
  });

  it('refuses a key without a name, with a teacher role or without scopes, listing each field', async () => {
    const deps = testDeps(ctx.db, ctx.dialect);
    const e = await rejection(
      createApiKey(deps, s.actors.admin, { schoolId: s.schoolId, name: '', role: 'teacher', scopes: [] }),
    );
    expect(e.code).toBe('VALIDATION');
    expect((e.details.fields ?? []).map((f) => f.field)).toEqual(['name', 'role', 'scopes']);
    expect(
      (
        await rejection(
          createApiKey(deps, s.actors.office, { schoolId: s.schoolId, name: 'x', role: 'office', scopes: ['read'] }),
        )
      ).code,
    ).toBe('FORBIDDEN');
  });

  it('exports everything about a pupil, audited, and finds it in the audit log by user, pupil, action and date', async () => {
    const deps = testDeps(ctx.db, ctx.dialect, '2025-09-09T10:00:00Z');
    const pupil = s.pupilsA[0]!;
    const out = await subjectAccessExport(deps, s.actors.senior_leader, pupil);
    expect(out.data['pupils']![0]!['id']).toBe(pupil);
    expect(Object.keys(out.data)).toContain('contacts');
    expect(JSON.stringify(out)).not.toContain('password_hash');
    expect((await rejection(subjectAccessExport(deps, s.actors.attendance_officer, pupil))).code).toBe('FORBIDDEN');

    const search = (q: Parameters<typeof searchAudit>[2]) =>
      searchAudit(deps, s.actors.admin, q).then((r) => r.rows.map((x) => x.action));
    expect(await search({ schoolId: s.schoolId, user: 'TEST SENIOR' })).toEqual(['pupil.subjectAccess']);
    expect(await search({ schoolId: s.schoolId, pupil: 'aBL' /* Alex Able, any case */ })).toEqual([
      'pupil.subjectAccess',
    ]);
    expect(await search({ schoolId: s.schoolId, action: 'apiKey.' })).toEqual(['apiKey.revoke', 'apiKey.create']);
    expect(await search({ schoolId: s.schoolId, from: '2025-09-09', to: '2025-09-09' })).toEqual([
      'pupil.subjectAccess',
    ]);
    expect(await search({ schoolId: s.schoolId, to: '2025-09-08' })).toEqual(['apiKey.revoke', 'apiKey.create']);
    expect((await rejection(searchAudit(deps, s.actors.senior_leader, { schoolId: s.schoolId }))).code).toBe(
      'FORBIDDEN',
    );
  });
});
