/**
 * Webhooks against a real receiver: an HTTP server on loopback (node:http) that checks each
 * body's HMAC-SHA256 signature as docs/webhooks.md tells a receiver to, fails the first attempt
 * and accepts the retry after the back-off.
 */
import type { PlainDate } from '@rollcall/domain';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/databases.js';
import { rejection, seedSmallSchool, testDeps, type SmallSchool } from '../../../test/fixtures.js';
import { loadConfig } from '../../config/config.js';
import { createWebhookSender, isPublicAddress, webhookUrlProblem } from '../../platform/webhook-sender.js';
import { decideReport, reportAbsence } from '../follow-up/absence-reports.js';
import { openCases } from '../casework/casework.js';
import { amendMark, saveRegister } from '../registers/registers.js';
import { WEBHOOK_EVENT_SCHEMAS } from './webhook-events.js';
import {
  createSubscription,
  deliverDueWebhooks,
  disableSubscription,
  subscriptionLog,
  WEBHOOK_MAX_ATTEMPTS,
  WEBHOOK_RETRY_DELAYS_SECONDS,
} from './webhooks.js';

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly verified: boolean;
}

/** A receiver that checks signatures with `secret` and answers the statuses given, in turn (then 200). */
function receiver() {
  const received: Received[] = [];
  const answers: number[] = [];
  let secret = '';
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      // As docs/webhooks.md: split the header, recompute over "<t>.<body>", compare in constant time.
      const header = String(req.headers['rollcall-signature'] ?? '');
      const parts = Object.fromEntries(header.split(',').map((p) => p.split('=') as [string, string]));
      const expected = createHmac('sha256', secret).update(`${parts['t']}.${body}`).digest('hex');
      const given = Buffer.from(parts['v1'] ?? '', 'utf8');
      const verified = given.length === expected.length && timingSafeEqual(given, Buffer.from(expected, 'utf8'));
      received.push({ headers: req.headers, body, verified });
      res.statusCode = answers.shift() ?? 200;
      res.end(verified ? 'ok' : 'bad signature');
    });
  });
  return {
    received,
    answers,
    setSecret: (s: string) => {
      secret = s;
    },
    async listen(): Promise<string> {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}/rollcall/events`;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function plus(iso: string, seconds: number): string {
  return new Date(Date.parse(iso) + seconds * 1000).toISOString();
}

describeEachDialect('webhooks', (ctx) => {
  let s: SmallSchool;
  const r = receiver();
  let url: string;
  beforeAll(async () => {
    s = await seedSmallSchool(ctx.db);
    url = await r.listen();
  });
  afterAll(async () => {
    // Every body sent is what the OpenAPI document's webhooks say (strict: no key more or less).
    for (const x of r.received) {
      const body = JSON.parse(x.body) as { type: keyof typeof WEBHOOK_EVENT_SCHEMAS } | Record<string, never>;
      if (!('type' in body)) continue;
      const parsed = WEBHOOK_EVENT_SCHEMAS[body.type].safeParse(body);
      expect(parsed.error?.issues ?? [], x.body).toEqual([]);
    }
    expect(r.received.length).toBeGreaterThan(5);
    await r.close();
  });

  it('signs each event, retries a failed delivery after the back-off, and logs status, attempts and answer', async () => {
    const at = '2025-09-08T08:00:00.000Z';
    const deps = testDeps(ctx.db, ctx.dialect, at);
    const { subscription, secret } = await createSubscription(deps, s.actors.admin, {
      schoolId: s.schoolId,
      url,
      events: ['mark.changed'],
      description: ' MIS   sync ',
    });
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(subscription).toMatchObject({ url, events: ['mark.changed'], description: 'MIS sync' });
    // The secret is kept sealed, never as written.
    const row = await ctx.db
      .selectFrom('webhook_subscriptions')
      .selectAll()
      .where('id', '=', subscription.id)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(secret.slice(6));
    r.setSecret(secret);

    // A teacher saves a register: one event per mark written.
    const [a, b] = s.pupilsA as [string, string];
    await saveRegister(deps, s.actors.teacher, {
      groupId: s.groupA,
      date: '2025-09-08' as PlainDate,
      session: 'AM',
      version: 0,
      marks: [
        { pupilId: a, code: '/' },
        { pupilId: b, code: 'N' },
      ],
    });
    const sender = createWebhookSender({ allowPrivate: true, timeoutMs: 5000 });
    r.answers.push(500, 500);
    expect(await deliverDueWebhooks(deps, sender, at)).toEqual({ delivered: 0, retrying: 2, failed: 0 });
    expect(r.received).toHaveLength(2);
    expect(r.received.every((x) => x.verified)).toBe(true);
    const first = r.received.map(
      (x) => JSON.parse(x.body) as { id: string; type: string; data: Record<string, unknown> },
    );
    expect(first.map((e) => e.type)).toEqual(['mark.changed', 'mark.changed']);
    const forB = first.find((e) => (e.data['pupil'] as { id: string }).id === b)!;
    expect(forB.data).toMatchObject({
      pupil: { id: b, upn: expect.any(String) as string },
      date: '2025-09-08',
      session: 'AM',
      code: 'N',
      previousCode: null,
      changedBy: s.actors.teacher.name,
      source: 'register',
    });
    expect(r.received[0]!.headers['rollcall-event']).toBe('mark.changed');
    expect(r.received[0]!.headers['rollcall-signature']).toMatch(/^t=1757318400,v1=[0-9a-f]{64}$/);

    // Not due again until the first back-off has passed.
    expect(await deliverDueWebhooks(deps, sender, plus(at, 30))).toEqual({ delivered: 0, retrying: 0, failed: 0 });
    const later = plus(at, WEBHOOK_RETRY_DELAYS_SECONDS[0]);
    expect(await deliverDueWebhooks(deps, sender, later)).toEqual({ delivered: 2, retrying: 0, failed: 0 });
    expect(r.received).toHaveLength(4);
    expect(r.received.slice(2).every((x) => x.verified)).toBe(true);
    // The retry carries the same event (same id and body), signed afresh.
    expect(
      r.received
        .slice(2)
        .map((x) => (JSON.parse(x.body) as { id: string }).id)
        .sort(),
    ).toEqual(first.map((e) => e.id).sort());
    expect(r.received[2]!.headers['rollcall-signature']).toMatch(/^t=1757318460,/);

    const log = await subscriptionLog(deps, s.actors.admin, subscription.id);
    expect(log.deliveries.map((d) => [d.status, d.attempts, d.lastStatusCode])).toEqual([
      ['delivered', 2, 200],
      ['delivered', 2, 200],
    ]);
    expect((await rejection(subscriptionLog(deps, s.actors.senior_leader, subscription.id))).code).toBe('FORBIDDEN');
    const audited = await ctx.db
      .selectFrom('audit_log')
      .select(['action', 'details'])
      .where('entity_id', '=', subscription.id)
      .execute();
    expect(audited.map((x) => x.action)).toEqual(['webhook.create']);
    expect(audited[0]!.details).not.toContain(secret);

    // Turned off: an amendment queues nothing more for it.
    await disableSubscription(deps, s.actors.admin, subscription.id);
    await amendMark(deps, s.actors.office, {
      pupilId: b,
      date: '2025-09-08' as PlainDate,
      session: 'AM',
      code: 'I',
      reason: 'Parent rang',
    });
    expect((await subscriptionLog(deps, s.actors.admin, subscription.id)).deliveries).toHaveLength(2);
  });

  it('sends the events a subscription chose: an absence reported and a case opened', async () => {
    const at = '2025-09-08T09:00:00.000Z';
    const deps = testDeps(ctx.db, ctx.dialect, at);
    const { subscription, secret } = await createSubscription(deps, s.actors.admin, {
      schoolId: s.schoolId,
      url,
      events: ['absence.reported', 'case.opened'],
      description: '',
    });
    r.setSecret(secret);
    await reportAbsence(deps, s.parent, {
      pupilId: s.pupilsA[0]!,
      fromDate: '2025-09-09',
      toDate: '2025-09-09',
      sessions: 'ALL',
      reason: 'illness',
      details: 'A cold',
    });
    await openCases(deps, s.actors.attendance_officer, [s.pupilsA[1]!]);
    // A mark change is not among its events.
    await amendMark(deps, s.actors.office, {
      pupilId: s.pupilsA[2]!,
      date: '2025-09-08' as PlainDate,
      session: 'AM',
      code: 'I',
      reason: 'Parent rang',
    });
    const before = r.received.length;
    expect(await deliverDueWebhooks(deps, createWebhookSender({ allowPrivate: true }), at)).toEqual({
      delivered: 2,
      retrying: 0,
      failed: 0,
    });
    const got = r.received.slice(before);
    expect(got.every((x) => x.verified)).toBe(true);
    const events = got.map((x) => JSON.parse(x.body) as { type: string; data: Record<string, unknown> });
    expect(events.map((e) => e.type).sort()).toEqual(['absence.reported', 'case.opened']);
    const absence = events.find((e) => e.type === 'absence.reported')!;
    expect(absence.data).toMatchObject({ from: '2025-09-09', to: '2025-09-09', sessions: 'ALL', reason: 'illness' });
    // Free-text details a parent wrote stay in Rollcall.
    expect(JSON.stringify(absence)).not.toContain('A cold');
    expect(events.find((e) => e.type === 'case.opened')!.data).toMatchObject({
      pupil: { id: s.pupilsA[1] },
      openedOn: '2025-09-08',
      reopened: false,
    });
    await disableSubscription(deps, s.actors.admin, subscription.id);
  });

  it("sends mark.changed for marks a parent's report writes when the office confirms it", async () => {
    const at = '2025-09-08T10:00:00.000Z';
    const deps = testDeps(ctx.db, ctx.dialect, at);
    const { subscription, secret } = await createSubscription(deps, s.actors.admin, {
      schoolId: s.schoolId,
      url,
      events: ['mark.changed'],
      description: '',
    });
    r.setSecret(secret);
    const report = await reportAbsence(deps, s.parent, {
      pupilId: s.pupilsA[0]!,
      fromDate: '2025-09-08',
      toDate: '2025-09-08',
      sessions: 'PM',
      reason: 'medical',
    });
    await decideReport(deps, s.actors.office, { reportId: report.id, decision: 'confirm' });
    const before = r.received.length;
    expect(await deliverDueWebhooks(deps, createWebhookSender({ allowPrivate: true }), at)).toMatchObject({
      delivered: 1,
    });
    const [event] = r.received.slice(before).map((x) => JSON.parse(x.body) as { data: Record<string, unknown> });
    expect(event!.data).toMatchObject({
      pupil: { id: s.pupilsA[0] },
      date: '2025-09-08',
      session: 'PM',
      code: 'M',
      previousCode: null,
      source: 'parent report',
    });
    await disableSubscription(deps, s.actors.admin, subscription.id);
  });

  it('gives a delivery up after the last attempt, audited, when the receiver never answers', async () => {
    const at = '2025-09-10T08:00:00.000Z';
    const deps = testDeps(ctx.db, ctx.dialect, at);
    // A port nothing listens on: connection refused every time.
    const closed = receiver();
    const deadUrl = await closed.listen();
    await closed.close();
    const { subscription } = await createSubscription(deps, s.actors.admin, {
      schoolId: s.schoolId,
      url: deadUrl,
      events: ['case.opened'],
      description: '',
    });
    await openCases(deps, s.actors.attendance_officer, [s.pupilsB[0]!]);
    const sender = createWebhookSender({ allowPrivate: true, timeoutMs: 2000 });
    let now = at;
    const outcomes = [];
    for (let attempt = 1; attempt <= WEBHOOK_MAX_ATTEMPTS; attempt++) {
      outcomes.push(await deliverDueWebhooks(deps, sender, now));
      now = plus(now, WEBHOOK_RETRY_DELAYS_SECONDS[attempt - 1] ?? 0);
    }
    expect(outcomes.slice(0, -1).every((o) => o.retrying === 1)).toBe(true);
    expect(outcomes.at(-1)).toEqual({ delivered: 0, retrying: 0, failed: 1 });
    const [d] = (await subscriptionLog(deps, s.actors.admin, subscription.id)).deliveries;
    expect(d).toMatchObject({ status: 'failed', attempts: WEBHOOK_MAX_ATTEMPTS, lastStatusCode: null });
    expect(d!.lastError).toMatch(/ECONNREFUSED|refused/i);
    const failed = await ctx.db
      .selectFrom('audit_log')
      .select('details')
      .where('action', '=', 'webhook.deliveryFailed')
      .where('entity_id', '=', subscription.id)
      .execute();
    expect(failed).toHaveLength(1);
    // Exponential: each wait twice the one before.
    expect(WEBHOOK_RETRY_DELAYS_SECONDS.slice(1).every((s, i) => s === 2 * WEBHOOK_RETRY_DELAYS_SECONDS[i]!)).toBe(
      true,
    );
  });

  it('refuses other schemes always, and loopback and private addresses where the installation says so', async () => {
    const deps = testDeps(ctx.db, ctx.dialect, '2025-09-10T08:00:00.000Z');
    const refusing = { ...deps, config: loadConfig({ SQLITE_PATH: ':memory:', WEBHOOK_PRIVATE_ADDRESSES: 'refuse' }) };
    const add = (d: typeof deps, u: string, actor = s.actors.admin) =>
      rejection(
        createSubscription(d, actor, { schoolId: s.schoolId, url: u, events: ['case.opened'], description: '' }),
      );
    expect((await add(deps, 'ftp://example.org/x')).details.fields).toEqual([
      { field: 'url', message: 'The address must start with https:// or http://' },
    ]);
    expect((await add(deps, 'file:///etc/passwd')).code).toBe('VALIDATION');
    for (const u of [
      'http://127.0.0.1:8080/x',
      'http://[::1]/x',
      'http://10.1.2.3/x',
      'http://169.254.169.254/latest',
      'http://localhost/x',
    ])
      expect((await add(refusing, u)).details.fields?.[0]?.field, u).toBe('url');
    expect((await add(deps, 'https://mis.example.org/x', s.actors.senior_leader)).code).toBe('FORBIDDEN');
    expect(
      (
        await rejection(
          createSubscription(deps, s.actors.admin, {
            schoolId: s.schoolId,
            url: 'https://mis.example.org/x',
            events: [],
            description: '',
          }),
        )
      ).details.fields,
    ).toEqual([{ field: 'events', message: 'Choose the events to send' }]);
    // At sending time too, on the address connected to.
    const strict = createWebhookSender({ allowPrivate: false });
    await expect(strict.send({ url, headers: {}, body: '{}' })).rejects.toThrow(/private or local/);
    // A public name whose DNS answer is an inside address is refused on the answer.
    const rebinding = createWebhookSender({
      allowPrivate: false,
      resolve: (_host, _opts, callback) => callback(null, [{ address: '10.0.0.5', family: 4 }]),
    });
    await expect(rebinding.send({ url: 'http://mis.example.org/x', headers: {}, body: '{}' })).rejects.toThrow(
      'mis.example.org resolves to a private or local address, which is not allowed',
    );
    // The same answer is followed where private addresses are allowed (here: to the loopback receiver).
    const port = new URL(url).port;
    const inside = createWebhookSender({
      allowPrivate: true,
      resolve: (_host, _opts, callback) => callback(null, [{ address: '127.0.0.1', family: 4 }]),
    });
    r.answers.push(204);
    expect(await inside.send({ url: `http://receiver.example.org:${port}/x`, headers: {}, body: '{}' })).toEqual({
      status: 204,
    });
    expect(webhookUrlProblem(url, true)).toBeNull();
    expect(
      [
        '127.0.0.1',
        '10.0.0.1',
        '172.16.5.4',
        '192.168.1.1',
        '169.254.169.254',
        '::1',
        'fd00::1',
        '::ffff:127.0.0.1',
        '100.64.0.1',
      ].filter(isPublicAddress),
    ).toEqual([]);
    expect(['93.184.215.14', '2606:4700:4700::1111', '8.8.8.8'].every(isPublicAddress)).toBe(true);
    // Production refuses private addresses unless configured.
    expect(loadConfig({ SQLITE_PATH: ':memory:', NODE_ENV: 'production' }).webhooks.allowPrivateAddresses).toBe(false);
    expect(
      loadConfig({ SQLITE_PATH: ':memory:', NODE_ENV: 'production', WEBHOOK_PRIVATE_ADDRESSES: 'allow' }).webhooks
        .allowPrivateAddresses,
    ).toBe(true);
  });
});
