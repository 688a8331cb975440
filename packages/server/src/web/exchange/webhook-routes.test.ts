import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pagesHarness, textOf, type PagesHarness } from '../../../test/web-pages.js';
import { createWebhookSender } from '../../platform/webhook-sender.js';
import { saveRegister } from '../../services/registers/registers.js';
import { deliverDueWebhooks } from '../../services/exchange/webhooks.js';
import { webhookRoutes } from './webhook-routes.js';

// Monday 8 September 2025, 09:00 in London: the AM register is open.
const OPEN = '2025-09-08T08:00:00.000Z';

describe('the webhooks pages', () => {
  let t: PagesHarness;
  const statuses: number[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.statusCode = statuses.shift() ?? 200;
      res.end();
    });
  });
  let url = '';
  beforeAll(async () => {
    t = await pagesHarness([webhookRoutes], 'webhooks', OPEN);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  afterAll(async () => {
    await t.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('an administrator adds a webhook (secret shown once), sees each delivery in the log, and turns it off', async () => {
    const admin = await t.signInAs('admin');
    const bad = await t.post('/admin/webhooks', admin, { url: 'ftp://mis.example.org/x', events: 'mark.changed' });
    expect(bad.statusCode).toBe(400);
    expect(textOf(bad.body)).toContain('The address must start with https:// or http://');
    expect(bad.body).toContain('value="ftp://mis.example.org/x"');

    const res = await t.post('/admin/webhooks', admin, { url, description: 'MIS sync', events: ['mark.changed'] });
    expect(res.statusCode).toBe(200);
    const secret = /data-testid="secret">([^<]+)</.exec(res.body)?.[1];
    expect(secret).toMatch(/^whsec_/);
    const page = await t.get('/admin/webhooks', admin);
    expect(page.body).not.toContain(secret!);
    expect(textOf(page.body)).toContain('MIS sync');
    const id = /href="\/admin\/webhooks\/([^"/]+)"/.exec(page.body)?.[1];
    expect(id).toBeDefined();

    // A register saved; the receiver refuses the first attempt.
    await saveRegister(t.deps, t.school.actors.teacher, {
      groupId: t.school.groupA,
      date: '2025-09-08' as never,
      session: 'AM',
      version: 0,
      marks: [{ pupilId: t.school.pupilsA[0]!, code: '/' }],
    });
    statuses.push(503);
    await deliverDueWebhooks(t.deps, createWebhookSender({ allowPrivate: true }), OPEN);
    const log = await t.get(`/admin/webhooks/${id}`, admin);
    expect(log.statusCode).toBe(200);
    const row = textOf(log.body);
    expect(row).toContain('mark.changed');
    expect(row).toMatch(/Retrying 1 503/);
    expect(row).toContain('The receiver answered 503');

    const off = await t.post(`/admin/webhooks/${id}/disable`, admin, {});
    expect(off.statusCode).toBe(303);
    expect(textOf((await t.get('/admin/webhooks', admin)).body)).toContain('Off');
    const audit = await t.open.db.selectFrom('audit_log').select('action').where('entity_id', '=', id!).execute();
    expect(audit.map((a) => a.action).sort()).toEqual(['webhook.create', 'webhook.disable']);
  });

  it('is for administrators only', async () => {
    const senior = await t.signInAs('senior_leader');
    expect((await t.get('/admin/webhooks', senior)).statusCode).toBe(403);
    expect((await t.post('/admin/webhooks', senior, { url, events: 'case.opened' })).statusCode).toBe(403);
  });

  it('an administrator rotates a secret from the delivery log: the new one shown once, the choice asked, audited', async () => {
    const admin = await t.signInAs('admin');
    const res = await t.post('/admin/webhooks', admin, { url, description: 'Rotate me', events: ['case.opened'] });
    const first = /data-testid="secret">([^<]+)</.exec(res.body)?.[1];
    const { id } = await t.open.db
      .selectFrom('webhook_subscriptions')
      .select('id')
      .where('description', '=', 'Rotate me')
      .executeTakeFirstOrThrow();
    const log = await t.get(`/admin/webhooks/${id}`, admin);
    expect(log.body).toContain('data-testid="rotate-form"');
    const unchosen = await t.post(`/admin/webhooks/${id}/rotate`, admin, {});
    expect(unchosen.statusCode).toBe(400);
    expect(textOf(unchosen.body)).toContain('Choose whether the previous secret keeps signing for a while');
    const kept = await t.post(`/admin/webhooks/${id}/rotate`, admin, { previous: 'keep' });
    expect(kept.statusCode).toBe(200);
    const second = /data-testid="secret">([^<]+)</.exec(kept.body)?.[1];
    expect(second).toMatch(/^whsec_/);
    expect(second).not.toBe(first);
    expect(textOf(kept.body)).toContain('The previous secret also signs every message until 9 September 2025 at 09:00');
    const again = await t.get(`/admin/webhooks/${id}`, admin);
    expect(again.body).not.toContain(second!);
    expect(textOf(again.body)).toContain('Last rotated 8 September 2025 at 09:00');
    const stopped = await t.post(`/admin/webhooks/${id}/rotate`, admin, { previous: 'stop' });
    expect(textOf(stopped.body)).toContain('The previous secret no longer signs anything.');
    const audit = await t.open.db
      .selectFrom('audit_log')
      .select('action')
      .where('entity_id', '=', id)
      .where('action', '=', 'webhook.rotateSecret')
      .execute();
    expect(audit).toHaveLength(2);
    const senior = await t.signInAs('senior_leader');
    expect((await t.post(`/admin/webhooks/${id}/rotate`, senior, { previous: 'keep' })).statusCode).toBe(403);
  });
});
