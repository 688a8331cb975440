/**
 * Issue 14, item 6: what GOV.UK Notify says became of a text is shown on /outbox. Texts are
 * queued from the worklist (the page a clerk uses), sent and then asked about by the real outbox
 * job (`deliverDue` then `pollDelivery`, through Rollcall's Notify client), against a loopback
 * HTTP server standing in for Notify (an edge we do not own): first "sending", then "delivered"
 * for one and "permanent-failure" for the other.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PlainDate } from '@rollcall/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MONDAY_0830, pagesHarness, textOf, type PagesHarness, type PageSession } from '../../../test/web-pages.js';
import { notifySmsSender } from '../../platform/sms.js';
import { runJob } from '../../services/duties/jobs/index.js';
import { saveRegister } from '../../services/registers/registers.js';
import { worklistRoutes } from './worklist-routes.js';

const API_KEY = `rollcall-test-${'1'.repeat(36)}-${'2'.repeat(36)}`;
const TEMPLATE = '3'.repeat(8) + '-3333-4333-8333-' + '3'.repeat(12);

interface FakeNotify {
  readonly url: string;
  /** The texts posted: number, our reference, the bearer token's presence. */
  readonly posted: { phone_number: string; reference?: string; authorised: boolean }[];
  /** Status checks asked for, by notification id. */
  readonly checked: string[];
  close(): Promise<void>;
}

/** A loopback stand-in for GOV.UK Notify's send and status endpoints. */
function startFakeNotify(statusOf: (id: string, asked: number) => string): Promise<FakeNotify> {
  const posted: FakeNotify['posted'] = [];
  const checked: string[] = [];
  const read = (req: IncomingMessage) =>
    new Promise<string>((resolve) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    });
  const server = createServer((req, res) => {
    void read(req).then((body) => {
      const authorised = /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/.test(req.headers.authorization ?? '');
      res.setHeader('content-type', 'application/json');
      if (req.method === 'POST' && req.url === '/v2/notifications/sms') {
        const r = JSON.parse(body) as { phone_number: string; reference?: string };
        posted.push({ ...r, authorised });
        res.writeHead(201).end(JSON.stringify({ id: `notify-${r.phone_number.slice(-3)}` }));
        return;
      }
      const id = decodeURIComponent((req.url ?? '').split('/').pop() ?? '');
      checked.push(id);
      const asked = checked.filter((c) => c === id).length;
      res.writeHead(200).end(JSON.stringify({ id, status: statusOf(id, asked) }));
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        posted,
        checked,
        close: () => new Promise<void>((r) => server.close(() => r())),
      }),
    );
  });
}

/** The outbox table's rows as text, newest first. */
function outboxRows(html: string): string[] {
  const start = html.indexOf('data-testid="outbox"');
  if (start < 0) return [];
  const table = html.slice(start, html.indexOf('</table>', start));
  return [...table.matchAll(/<tr class="govuk-table__row" data-message[^>]*>([\s\S]*?)<\/tr>/g)].map((m) =>
    textOf(m[1]!),
  );
}

describe('the outbox shows what GOV.UK Notify says became of each text', () => {
  let h: PagesHarness;
  let notify: FakeNotify;
  let clerk: PageSession;

  beforeAll(async () => {
    notify = await startFakeNotify((id, asked) =>
      asked === 1 ? 'sending' : id === 'notify-123' ? 'delivered' : 'permanent-failure',
    );
    h = await pagesHarness([worklistRoutes], 'notify', MONDAY_0830, {
      SMS_PROVIDER: 'notify',
      NOTIFY_API_KEY: API_KEY,
      NOTIFY_SMS_TEMPLATE_ID: TEMPLATE,
    });
    clerk = await h.signInAs('office');
    const [alex, bea] = h.school.pupilsA as [string, string];
    // Bea's mother has a mobile too (the seed gives only Alex's parent one: 07700 900123).
    await h.open.db
      .insertInto('contacts')
      .values({
        id: 'bea-mother-notify',
        pupil_id: bea,
        name: 'Parent of Bea',
        relationship: 'Mother',
        parental_responsibility: 1,
        lives_with_pupil: 1,
        priority: 1,
        mobile_phone: '07700 900456',
        home_phone: null,
        work_phone: null,
        email: null,
        address: null,
        postcode: null,
      })
      .execute();
    h.clock.set('2025-09-08T07:45:00.000Z');
    await saveRegister(h.deps, h.school.actors.teacher, {
      groupId: h.school.groupA,
      date: '2025-09-08' as PlainDate,
      session: 'AM',
      version: 0,
      marks: [
        { pupilId: bea, code: 'N' },
        { pupilId: alex, code: 'N' },
        { pupilId: h.school.pupilsA[2]!, code: '/' },
      ],
    });
    h.clock.set('2025-09-08T08:25:00.000Z');
  });

  afterAll(async () => {
    await h.close();
    await notify.close();
  });

  it('texts from the worklist, then shows Sent, then Delivered or Failed with the provider’s reason, as the outbox job polls Notify', async () => {
    const all = await h.post('/worklist/texts', clerk, { date: '2025-09-08', pupilId: '' });
    expect(all.statusCode).toBe(303);
    // Notify is configured: the banner promises nothing about the log.
    const banner = textOf((await h.get(String(all.headers.location), clerk)).body);
    expect(banner).toContain('2 texts queued in the outbox for the families of 2 pupils.');
    expect(banner).not.toContain('written to the log');
    const queued = outboxRows((await h.get('/outbox', clerk)).body);
    expect(queued).toHaveLength(2);
    for (const row of queued) expect(row).toContain('Queued Queued: will be sent within a minute');

    // The outbox job, as the scheduler runs it, with Rollcall's Notify client pointed at the stand-in.
    const sms = notifySmsSender(
      { apiKey: API_KEY, templateId: TEMPLATE, baseUrl: notify.url },
      { fetch: globalThis.fetch, clock: h.clock },
    );
    const runOutbox = () =>
      runJob(h.deps, 'outbox', '2025-09-08' as PlainDate, { trigger: 'schedule', senders: { mailer: null, sms } });

    await runOutbox();
    const ids = (
      await h.open.db.selectFrom('messages').select(['id', 'to_address']).orderBy('to_address').execute()
    ).map((m) => m.id);
    expect(notify.posted.map((p) => p.reference).sort()).toEqual([...ids].sort());
    expect(notify.posted.every((p) => p.authorised)).toBe(true);
    const sent = outboxRows((await h.get('/outbox', clerk)).body);
    expect(sent).toHaveLength(2);
    for (const row of sent) expect(row).toContain('Sent Sent (provider: sending)');

    h.clock.set('2025-09-08T08:30:00.000Z');
    await runOutbox();
    expect([...notify.checked].sort()).toEqual(['notify-123', 'notify-123', 'notify-456', 'notify-456']);
    const page = await h.get('/outbox', clerk);
    expect(page.statusCode).toBe(200);
    const rows = outboxRows(page.body);
    expect(rows.find((r) => r.includes('+447700900123'))).toMatch(/about Alex Able .*Delivered Delivered$/);
    expect(rows.find((r) => r.includes('+447700900456'))).toMatch(
      /about Bea .*Failed Failed: the provider could not deliver the text: the number may be wrong or no longer in use$/,
    );
    expect(page.body).toContain('data-status="delivered"');
    // Filtered by state.
    const delivered = outboxRows((await h.get('/outbox?status=delivered', clerk)).body);
    expect(delivered).toHaveLength(1);
    expect(delivered[0]).toContain('+447700900123');
    const failed = outboxRows((await h.get('/outbox?status=failed', clerk)).body);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toContain('+447700900456');

    // Asked no more once known: a third run checks nothing again.
    h.clock.set('2025-09-08T08:31:00.000Z');
    await runOutbox();
    expect(notify.checked).toHaveLength(4);
  });
});
