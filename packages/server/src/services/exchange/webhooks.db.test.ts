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
import { importSchoolData } from './import/import-school-data.js';
import { CALENDAR, markRows, marksCsv, pupilsCsv, UPN } from './import/test-support.js';
import { convertStaleN } from '../follow-up/n-ageing.js';
import { DEFAULT_POLICY } from '../policy/school-policy.js';
import { SYSTEM_ACTOR } from '../authz.js';
import {
  createSubscription,
  deliverDueWebhooks,
  disableSubscription,
  MARKS_PER_EVENT,
  rotateSubscriptionSecret,
  SECRET_GRACE_HOURS,
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
      // A header may carry several v1= (after a rotation, the previous secret signs too): any one matching is enough.
      const pairs = header.split(',').map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)] as const);
      const t = pairs.find(([k]) => k === 't')?.[1] ?? '';
      const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
      const verified = pairs.some(([k, v]) => {
        const given = Buffer.from(k === 'v1' ? v : '', 'utf8');
        return given.length === expected.length && timingSafeEqual(given, Buffer.from(expected, 'utf8'));
      });
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

  it('sends marks written by an import, a CTF-less re-import and N ageing as marks.changed batches, one per date', async () => {
    const at = '2025-09-16T10:00:00.000Z';
    const deps = testDeps(ctx.db, ctx.dialect, at);
    const urn = ctx.dialect === 'postgres' ? '100702' : '100701';
    const file = (name: string, text: string) => ({ name, text });
    // A school as an import creates it (calendar and pupils first: no subscription yet, nothing queued).
    const first = await importSchoolData(deps, SYSTEM_ACTOR, {
      urn,
      school: { name: 'Batch Primary', phase: 'primary', laCode: '330', laName: 'Test LA' },
      calendar: file('calendar.json', JSON.stringify(CALENDAR)),
      pupils: file('pupils.csv', pupilsCsv()),
    });
    const schoolId = first.school.id;
    const { secret } = await createSubscription(deps, SYSTEM_ACTOR, {
      schoolId,
      url,
      events: ['mark.changed'],
      description: 'Warehouse',
    });
    const other = await createSubscription(deps, SYSTEM_ACTOR, {
      schoolId,
      url,
      events: ['case.opened'],
      description: 'Cases only',
    });
    expect(other.secret).not.toBe(secret);
    r.setSecret(secret);
    const pending = () =>
      ctx.db
        .selectFrom('webhook_deliveries')
        .select(['payload', 'event', 'subscription_id'])
        .where('school_id', '=', schoolId)
        .where('status', '=', 'pending')
        .orderBy('created_at')
        .orderBy('id')
        .execute();

    // The marks file: 57 marks over 10 dates, each date one event.
    await importSchoolData(deps, SYSTEM_ACTOR, { urn, marks: file('marks.csv', marksCsv()) });
    const queued = await pending();
    expect(queued.map((q) => q.event)).toEqual(Array(10).fill('marks.changed'));
    const bodies = queued.map(
      (q) =>
        JSON.parse(q.payload) as {
          data: { date: string; source: string; part: number; parts: number; marks: Record<string, unknown>[] };
        },
    );
    expect(bodies.map((b) => b.data.date)).toEqual([...new Set(markRows().map((m) => m[1]))].sort());
    expect(bodies.reduce((n, b) => n + b.data.marks.length, 0)).toBe(markRows().length);
    expect(bodies[1]!.data).toMatchObject({ date: '2025-09-02', source: 'import', part: 1, parts: 1 });
    expect(bodies[1]!.data.marks).toContainEqual({
      pupil: { id: expect.any(String) as string, upn: UPN.alex },
      session: 'AM',
      code: 'L',
      minutesLate: 7,
      previousCode: null,
    });
    expect(
      await deliverDueWebhooks(deps, createWebhookSender({ allowPrivate: true, timeoutMs: 5000 }), at),
    ).toMatchObject({
      delivered: 10,
    });
    const got = r.received.slice(-10);
    expect(got.every((x) => x.verified && x.headers['rollcall-event'] === 'marks.changed')).toBe(true);

    // Importing again with one mark changed sends only that mark, with what it was.
    const changed = markRows().map((m) =>
      m[0] === UPN.bea && m[1] === '2025-09-10' && m[2] === 'PM' ? [...m.slice(0, 3), 'M', ''] : m,
    );
    await importSchoolData(testDeps(ctx.db, ctx.dialect, plus(at, 60)), SYSTEM_ACTOR, {
      urn,
      marks: file('marks.csv', marksCsv(changed)),
    });
    const again = (await pending()).map(
      (q) => JSON.parse(q.payload) as { data: { date: string; marks: Record<string, unknown>[] } },
    );
    expect(again).toHaveLength(1);
    expect(again[0]!.data).toMatchObject({
      date: '2025-09-10',
      marks: [
        {
          pupil: { id: expect.any(String) as string, upn: UPN.bea },
          session: 'PM',
          code: 'M',
          minutesLate: null,
          previousCode: '\\',
        },
      ],
    });
    await ctx.db.deleteFrom('webhook_deliveries').where('school_id', '=', schoolId).execute();

    // N turned into O by the school's policy: one batch for the date, source "N ageing".
    const nMarks = markRows().map((m) => (m[1] === '2025-09-01' ? [...m.slice(0, 3), 'N', ''] : m));
    await importSchoolData(testDeps(ctx.db, ctx.dialect, plus(at, 120)), SYSTEM_ACTOR, {
      urn,
      marks: file('marks.csv', marksCsv(nMarks)),
    });
    await ctx.db.deleteFrom('webhook_deliveries').where('school_id', '=', schoolId).execute();
    await ctx.db
      .updateTable('schools')
      .set({ policy_json: JSON.stringify({ ...DEFAULT_POLICY, convertNToOAfterSchoolDays: 5 }) })
      .where('id', '=', schoolId)
      .execute();
    const converted = await convertStaleN(testDeps(ctx.db, ctx.dialect, plus(at, 180)), SYSTEM_ACTOR, {
      schoolId,
      asOf: '2025-09-12' as PlainDate,
    });
    expect(converted).toHaveLength(4);
    const aged = (await pending()).map(
      (q) =>
        JSON.parse(q.payload) as {
          data: { date: string; source: string; changedBy: string; marks: { code: string; previousCode: string }[] };
        },
    );
    expect(aged).toHaveLength(1);
    expect(aged[0]!.data).toMatchObject({ date: '2025-09-01', source: 'N ageing', changedBy: 'Rollcall (system)' });
    expect(aged[0]!.data.marks.map((m) => `${m.previousCode}>${m.code}`)).toEqual(Array(4).fill('N>O'));
    expect(
      await deliverDueWebhooks(deps, createWebhookSender({ allowPrivate: true, timeoutMs: 5000 }), plus(at, 240)),
    ).toMatchObject({
      delivered: 1,
    });
    expect(MARKS_PER_EVENT).toBe(500);
  });

  it('rotates a secret: both sign during the grace, then only the new one; "stop now" drops the old at once', async () => {
    const at = '2025-09-09T08:00:00.000Z';
    const deps = testDeps(ctx.db, ctx.dialect, at);
    const sender = createWebhookSender({ allowPrivate: true, timeoutMs: 5000 });
    const { subscription, secret: first } = await createSubscription(deps, s.actors.admin, {
      schoolId: s.schoolId,
      url,
      events: ['case.opened', 'absence.reported'],
      description: 'Rotation',
    });
    const rotated = await rotateSubscriptionSecret(deps, s.actors.admin, subscription.id, { keepPrevious: true });
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(first);
    expect(rotated.subscription.previousSecretUntil).toBe(plus(at, SECRET_GRACE_HOURS * 3600));
    const report = async (when: string, date: string) => {
      await reportAbsence(testDeps(ctx.db, ctx.dialect, when), s.parent, {
        pupilId: s.pupilsA[0]!,
        fromDate: date,
        toDate: date,
        sessions: 'ALL',
        reason: 'illness',
        details: 'Rotation test',
      });
      const n = r.received.length;
      await deliverDueWebhooks(deps, sender, when);
      return r.received.slice(n).filter((x) => x.headers['rollcall-event'] === 'absence.reported');
    };
    const signatures = (x: Received) =>
      String(x.headers['rollcall-signature'])
        .split(',')
        .filter((p) => p.startsWith('v1='));
    // During the grace: a receiver still holding the old secret, and one holding the new, both verify.
    r.setSecret(first);
    const during = await report(plus(at, 60), '2025-09-10');
    expect(during).toHaveLength(1);
    expect(signatures(during[0]!)).toHaveLength(2);
    expect(during[0]!.verified).toBe(true);
    r.setSecret(rotated.secret);
    const both = await report(plus(at, 120), '2025-09-11');
    expect(both[0]!.verified).toBe(true);
    // After the grace: the new secret alone.
    const after = await report(plus(at, SECRET_GRACE_HOURS * 3600 + 60), '2025-09-12');
    expect(signatures(after[0]!)).toHaveLength(1);
    expect(after[0]!.verified).toBe(true);
    // Stop now: the previous secret signs nothing more.
    const now2 = plus(at, SECRET_GRACE_HOURS * 3600 + 120);
    const third = await rotateSubscriptionSecret(testDeps(ctx.db, ctx.dialect, now2), s.actors.admin, subscription.id, {
      keepPrevious: false,
    });
    r.setSecret(rotated.secret);
    // The receiver still holding the previous secret can no longer verify.
    const stopped = await report(plus(now2, 60), '2025-09-15');
    expect(signatures(stopped[0]!)).toHaveLength(1);
    expect(stopped[0]!.verified).toBe(false);
    r.setSecret(third.secret);
    const fresh = await report(plus(now2, 120), '2025-09-16');
    expect(fresh[0]!.verified).toBe(true);
    const audits = await ctx.db
      .selectFrom('audit_log')
      .select(['action', 'details'])
      .where('entity_id', '=', subscription.id)
      .where('action', '=', 'webhook.rotateSecret')
      .execute();
    expect(audits).toHaveLength(2);
    expect(JSON.stringify(audits)).not.toContain(third.secret.slice(6));
    // Only an administrator of the school may rotate.
    expect(
      (await rejection(rotateSubscriptionSecret(deps, s.actors.senior_leader, subscription.id, { keepPrevious: true })))
        .code,
    ).toBe('FORBIDDEN');
  });
});
