import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { expect, it } from 'vitest';
import { describeEachDialect } from '../../test/databases.js';
import { seedSmallSchool } from '../../test/fixtures.js';
import { loadConfig } from '../config/config.js';
import { fixedClock } from '../platform/clock.js';
import { createLogger } from '../platform/logger.js';
import { smtpMailer } from '../platform/mail.js';
import { logSmsSender, notifySmsSender } from '../platform/sms.js';
import { deliverDue, listOutbox, pollDelivery, queueMessage } from './messages.js';

const NOW = '2025-10-03T09:00:00.000Z';
const MAILBOX = 'office@school.test';
const TOKEN = 'ya29.test-access-token';

/**
 * A real SMTP server on loopback that signs in only with XOAUTH2 and the right token for the
 * school's mailbox, accepts mail for one address and refuses another (550).
 */
function startSmtp(): Promise<{ port: number; accepted: string[]; auths: string[]; close(): Promise<void> }> {
  const accepted: string[] = [];
  const auths: string[] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    authMethods: ['XOAUTH2'],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, cb) {
      auths.push(`${auth.method} ${auth.username}`);
      if (auth.method === 'XOAUTH2' && auth.username === MAILBOX && auth.accessToken === TOKEN)
        return cb(null, { user: MAILBOX });
      return cb(null, { data: { status: '401', schemes: 'bearer' } });
    },
    onRcptTo(address, _session, cb) {
      if (address.address === 'nobody@example.org') {
        const e = new Error('5.1.1 Mailbox unavailable') as Error & { responseCode: number };
        e.responseCode = 550;
        return cb(e);
      }
      cb();
    },
    onData(stream, session, cb) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        accepted.push(session.envelope.rcptTo.map((r) => r.address).join(','));
        cb();
      });
    },
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.server.address() as AddressInfo).port,
        accepted,
        auths,
        close: () => new Promise<void>((r) => server.close(() => r())),
      }),
    );
  });
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

/** A loopback HTTP server (an edge we do not own: the OAuth2 token endpoint, GOV.UK Notify). */
function startHttp(
  handle: (method: string, path: string, body: string) => { status: number; json: unknown },
): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    void body(req).then((b) => {
      const r = handle(req.method ?? 'GET', req.url ?? '/', b);
      res.writeHead(r.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(r.json));
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        server,
        close: () => new Promise<void>((r) => server.close(() => r())),
      }),
    );
  });
}

describeEachDialect('the outbox, honestly', (ctx) => {
  it('signs in to SMTP with XOAUTH2, sends one email, fails the refused one at once with the reason, and lists both', async () => {
    const school = await seedSmallSchool(ctx.db);
    const logger = createLogger('silent');
    const refreshes: string[] = [];
    const tokens = await startHttp((method, _path, b) => {
      refreshes.push(
        `${method} ${new URLSearchParams(b).get('grant_type')} ${new URLSearchParams(b).get('refresh_token')}`,
      );
      return { status: 200, json: { access_token: TOKEN, token_type: 'Bearer', expires_in: 3600 } };
    });
    const smtp = await startSmtp();
    for (const to of ['parent@example.org', 'nobody@example.org'])
      await queueMessage(ctx.db, {
        schoolId: school.schoolId,
        pupilId: school.pupilsA[0]!,
        channel: 'email',
        to,
        subject: `Hello ${to}`,
        body: 'A message.',
        kind: 'test',
        createdBy: 'system',
        now: NOW,
      });
    const mailer = smtpMailer(`smtp://${encodeURIComponent(MAILBOX)}@127.0.0.1:${smtp.port}`, MAILBOX, {
      clientId: 'client-id',
      clientSecret: 'client-secret',
      refreshToken: 'refresh-token-1',
      tokenUrl: `${tokens.url}/token`,
    });
    try {
      const r = await deliverDue({ db: ctx.db, logger, mailer, sms: logSmsSender(logger) }, NOW);
      expect(r).toMatchObject({ sent: 1, failed: 1, retry: 0 });
      expect(refreshes[0]).toBe('POST refresh_token refresh-token-1');
      expect(smtp.auths[0]).toBe(`XOAUTH2 ${MAILBOX}`);
      expect(smtp.accepted).toEqual(['parent@example.org']);
      const config = loadConfig({ SMTP_URL: `smtp://127.0.0.1:${smtp.port}` });
      const rows = await listOutbox({ db: ctx.db, config }, school.actors.office, {
        id: school.schoolId,
        trustId: null,
        laCode: '330',
      });
      const byTo = new Map(rows.map((m) => [m.to, m]));
      expect(byTo.get('parent@example.org')).toMatchObject({
        status: 'sent',
        statusInWords: 'Sent',
        pupilName: 'Alex Able',
      });
      expect(byTo.get('nobody@example.org')).toMatchObject({ status: 'failed', attempts: 1 });
      expect(byTo.get('nobody@example.org')?.statusInWords).toMatch(/^Failed: .*550.*Mailbox unavailable/);
      // Without an email server the page says so, not "sent".
      await queueMessage(ctx.db, {
        schoolId: school.schoolId,
        pupilId: null,
        channel: 'email',
        to: 'later@example.org',
        subject: 'Later',
        body: 'x',
        kind: 'test',
        createdBy: 'system',
        now: NOW,
      });
      const none = await listOutbox({ db: ctx.db, config: loadConfig({}) }, school.actors.attendance_officer, {
        id: school.schoolId,
        trustId: null,
        laCode: '330',
      });
      expect(none.find((m) => m.to === 'later@example.org')?.statusInWords).toBe(
        'Queued: no email server is configured',
      );
      await expect(
        listOutbox({ db: ctx.db, config }, school.actors.teacher, {
          id: school.schoolId,
          trustId: null,
          laCode: '330',
        }),
      ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    } finally {
      mailer.close();
      await smtp.close();
      await tokens.close();
    }
  });

  it('sends texts through Notify with our reference, fails a 4xx at once, and records delivery or failure when polled', async () => {
    const school = await seedSmallSchool(ctx.db);
    const logger = createLogger('silent');
    const posted: { phone_number: string; reference?: string }[] = [];
    const notify = await startHttp((method, path, b) => {
      if (method === 'POST') {
        const req = JSON.parse(b) as { phone_number: string; reference?: string };
        posted.push(req);
        if (req.phone_number === '+447700900999')
          return {
            status: 400,
            json: {
              errors: [{ error: 'BadRequestError', message: "Can't send to this recipient using a team-only API key" }],
            },
          };
        return { status: 201, json: { id: `notify-${req.phone_number.slice(-3)}` } };
      }
      const id = path.split('/').pop();
      return { status: 200, json: { id, status: id === 'notify-123' ? 'delivered' : 'permanent-failure' } };
    });
    const ids: string[] = [];
    for (const to of ['07700 900123', '07700 900456', '07700 900999'])
      ids.push(
        await queueMessage(ctx.db, {
          schoolId: school.schoolId,
          pupilId: null,
          channel: 'sms',
          to,
          body: 'We have not heard from you about Alex’s absence today.',
          kind: 'first-day-text',
          createdBy: 'system',
          now: NOW,
        }),
      );
    const clock = fixedClock(NOW);
    const sms = notifySmsSender(
      { apiKey: `rollcall-test-${'1'.repeat(36)}-${'2'.repeat(36)}`, templateId: '3'.repeat(36), baseUrl: notify.url },
      { fetch: globalThis.fetch, clock },
    );
    try {
      const senders = { db: ctx.db, logger, mailer: null, sms };
      expect(await deliverDue(senders, NOW)).toMatchObject({ sent: 2, failed: 1, retry: 0 });
      expect(posted.map((p) => p.reference)).toEqual(ids);
      expect(await pollDelivery(senders, '2025-10-03T09:05:00.000Z')).toEqual({
        delivered: 1,
        failed: 1,
        stillSending: 0,
      });
      const rows = await ctx.db
        .selectFrom('messages')
        .select(['to_address', 'status', 'attempts', 'last_error', 'provider_status', 'delivered_at'])
        .where('id', 'in', ids)
        .orderBy('to_address')
        .execute();
      expect(rows).toEqual([
        {
          to_address: '+447700900123',
          status: 'delivered',
          attempts: 1,
          last_error: null,
          provider_status: 'delivered',
          delivered_at: '2025-10-03T09:05:00.000Z',
        },
        {
          to_address: '+447700900456',
          status: 'failed',
          attempts: 1,
          last_error: 'the provider could not deliver the text: the number may be wrong or no longer in use',
          provider_status: 'permanent-failure',
          delivered_at: null,
        },
        {
          to_address: '+447700900999',
          status: 'failed',
          attempts: 1,
          last_error:
            "GOV.UK Notify answered 400 (BadRequestError: Can't send to this recipient using a team-only API key)",
          provider_status: null,
          delivered_at: null,
        },
      ]);
    } finally {
      await notify.close();
    }
  });
});
