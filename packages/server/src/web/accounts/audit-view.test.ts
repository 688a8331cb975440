import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pagesHarness, type PagesHarness } from '../../../test/web-pages.js';
import { adminRoutes } from './admin-routes.js';

describe('the audit log page', () => {
  let t: PagesHarness;
  beforeAll(async () => {
    t = await pagesHarness([adminRoutes], 'auditview', '2025-09-08T09:00:00.000Z');
  });
  afterAll(async () => {
    await t.close();
  });

  it('is read without writing to the log: viewing and searching it add no entry', async () => {
    const s = await t.signInAs('admin');
    const count = async (): Promise<number> =>
      Number(
        (
          await t.open.db
            .selectFrom('audit_log')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await count();
    expect((await t.get('/admin/audit', s)).statusCode).toBe(200);
    expect((await t.get('/admin/audit?action=register.save', s)).statusCode).toBe(200);
    expect((await t.get('/admin/audit?page=2', s)).statusCode).toBe(200);
    expect(await count()).toBe(before);
  });
});
