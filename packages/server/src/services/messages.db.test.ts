import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { describeEachDialect } from '../../test/databases.js';
import { seedSmallSchool, type SmallSchool } from '../../test/fixtures.js';
import { createLogger } from '../platform/logger.js';
import { smtpMailer, type Mailer } from '../platform/mail.js';
import type { SmsSender } from '../platform/sms.js';
import {
  deliverDue,
  MAX_ATTEMPTS,
  messagesForPupil,
  normaliseEmail,
  normaliseUkMobile,
  queueMessage,
  type QueueMessageInput,
} from './messages.js';
import { AppError } from './errors.js';

interface Received {
  readonly from: string;
  readonly to: string[];
  readonly raw: string;
}

/** A real SMTP server on loopback that records what it accepts and can be told to refuse. */
function startSmtp(): Promise<{
  port: number;
  received: Received[];
  setRejecting(on: boolean): void;
  close(): Promise<void>;
}> {
  const received: Received[] = [];
  let rejecting = false;
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authOptional: true,
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === 'rollcall' && auth.password === 's3cret') cb(null, { user: 'rollcall' });
      else cb(new Error('bad credentials'));
    },
    onRcptTo(_address, _session, cb) {
      if (rejecting) {
        const err = Object.assign(new Error('Mailbox temporarily unavailable'), { responseCode: 450 });
        cb(err);
      } else cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        cb();
      });
    },
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const port = (server.server.address() as AddressInfo).port;
      resolve({
        port,
        received,
        setRejecting: (on) => {
          rejecting = on;
        },
        close: () => new Promise<void>((r) => server.close(() => r())),
      });
    });
  });
}

/** A recording fake SMS gateway (the edge we do not own). */
function fakeSms(): SmsSender & { sent: { to: string; body: string }[]; failing: boolean } {
  const fake = {
    sent: [] as { to: string; body: string }[],
    failing: false,
    async send(to: string, body: string) {
      await new Promise((r) => setTimeout(r, 2));
      if (fake.failing) throw new Error('gateway unavailable');
      fake.sent.push({ to, body });
      return { providerId: `sms-${fake.sent.length}` };
    },
  };
  return fake;
}

const T0 = '2025-10-24T15:00:00.000Z';
const plus = (iso: string, minutes: number): string => new Date(Date.parse(iso) + minutes * 60_000).toISOString();
const logger = createLogger('silent');

describe('address checks', () => {
  it('accepts email addresses and UK mobiles in their usual forms', () => {
    expect(normaliseEmail(' parent@example.org ')).toBe('parent@example.org');
    expect(normaliseEmail('parent@example')).toBeNull();
    expect(normaliseEmail('a@b.org\r\nBcc: x@y.org')).toBeNull();
    expect(normaliseUkMobile('07700 900123')).toBe('+447700900123');
    expect(normaliseUkMobile('+44 (0)7700-900123')).toBeNull();
    expect(normaliseUkMobile('+44 7700 900123')).toBe('+447700900123');
    expect(normaliseUkMobile('0044 7700 900123')).toBe('+447700900123');
    expect(normaliseUkMobile('020 7946 0123')).toBeNull();
    expect(normaliseUkMobile('0770090012')).toBeNull();
  });
});

describeEachDialect('messages outbox', (ctx) => {
  let school: SmallSchool;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let mailer: Mailer;

  beforeAll(async () => {
    school = await seedSmallSchool(ctx.db);
    smtp = await startSmtp();
    mailer = smtpMailer(`smtp://rollcall:s3cret@127.0.0.1:${smtp.port}`, 'Test Primary <office@school.test>');
  });
  afterAll(async () => {
    mailer.close();
    await smtp.close();
  });
  beforeEach(async () => {
    await ctx.db.deleteFrom('messages').execute();
    smtp.received.length = 0;
    smtp.setRejecting(false);
  });

  const input = (over: Partial<QueueMessageInput> = {}): QueueMessageInput => ({
    schoolId: school.schoolId,
    pupilId: school.pupilsA[0]!,
    channel: 'email',
    to: 'parent@example.org',
    subject: 'Alex was absent today',
    body: 'Alex was not in school this morning. Please call the office.',
    kind: 'first-day',
    createdBy: school.actors.attendance_officer.userId,
    now: T0,
    ...over,
  });

  it('refuses bad addresses with clear field errors', async () => {
    const bad = await queueMessage(ctx.db, input({ to: 'not-an-email', subject: '' })).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(AppError);
    expect((bad as AppError).code).toBe('VALIDATION');
    expect((bad as AppError).details.fields?.map((f) => f.field)).toEqual(['to', 'subject']);
    expect((bad as AppError).details.fields?.[0]?.message).toContain('not an email address');
    const sms = await queueMessage(ctx.db, input({ channel: 'sms', to: '020 7946 0123' })).catch((e: unknown) => e);
    expect((sms as AppError).details.fields?.[0]?.message).toContain('not a UK mobile number');
    expect(await ctx.db.selectFrom('messages').select('id').execute()).toHaveLength(0);
  });

  it('sends email through a real SMTP server and records it as sent', async () => {
    const id = await queueMessage(ctx.db, input(), school.actors.attendance_officer);
    const sms = fakeSms();
    const r = await deliverDue({ db: ctx.db, logger, mailer, sms }, T0);
    expect(r).toMatchObject({ sent: 1, retry: 0, failed: 0 });
    expect(smtp.received).toHaveLength(1);
    const got = smtp.received[0]!;
    expect(got.to).toEqual(['parent@example.org']);
    expect(got.from).toBe('office@school.test');
    expect(got.raw).toContain('Subject: Alex was absent today');
    expect(got.raw).toContain('Alex was not in school this morning. Please call the office.');

    const [m] = await messagesForPupil(ctx.db, school.pupilsA[0]!);
    expect(m).toMatchObject({ id, status: 'sent', attempts: 1, sentAt: T0, lastError: null });
    expect(m?.to).toBe('parent@example.org');
    expect(m?.subject).toBe('Alex was absent today');

    // Nothing is due any more: a second run sends nothing.
    expect(await deliverDue({ db: ctx.db, logger, mailer, sms }, plus(T0, 60))).toMatchObject({ sent: 0 });
    expect(smtp.received).toHaveLength(1);
    const audits = await ctx.db
      .selectFrom('audit_log')
      .select(['action', 'details'])
      .where('action', 'like', 'message%')
      .execute();
    expect(audits.map((a) => a.action).sort()).toEqual(['message.queue', 'messages.deliver']);
    expect(JSON.stringify(audits)).not.toContain('parent@example.org');
  });

  it('never puts NUL, bidi overrides or a line break into a subject (stored or sent)', async () => {
    await queueMessage(
      ctx.db,
      input({ subject: 'Alex\u202e was absent\u0000\r\nBcc: x@example.org', body: 'Alex\u0000 was\u2066 not in.' }),
    );
    const row = await ctx.db.selectFrom('messages').select(['id', 'subject', 'body']).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ subject: 'Alex was absent Bcc: x@example.org', body: 'Alex was not in.' });
    // A row stored before this check (or by other means) is cleaned on the way out as well.
    await ctx.db
      .updateTable('messages')
      .set({ subject: 'Old\u202d\u0001 subject\nBcc: y@example.org' })
      .where('id', '=', row.id)
      .execute();
    expect(await deliverDue({ db: ctx.db, logger, mailer, sms: fakeSms() }, T0)).toMatchObject({ sent: 1 });
    const raw = smtp.received[0]!.raw;
    expect(raw).toContain('Subject: Old subject Bcc: y@example.org');
    // eslint-disable-next-line no-control-regex -- these are exactly what must not be sent
    expect(raw).not.toMatch(/\u0000|\u0001|\u202d|\u202e|\u2066/);
    expect(raw).not.toMatch(/^Bcc:/m);
  });

  it('retries a refused message after 1 minute and sends it once the server recovers', async () => {
    const id = await queueMessage(ctx.db, input());
    smtp.setRejecting(true);
    const sms = fakeSms();
    expect(await deliverDue({ db: ctx.db, logger, mailer, sms }, T0)).toMatchObject({ sent: 0, retry: 1, failed: 0 });
    let row = await ctx.db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'pending', attempts: 1, next_attempt_at: plus(T0, 1) });
    expect(row.last_error).toContain('Mailbox temporarily unavailable');
    expect(row.last_error).not.toContain('s3cret');

    // Not due yet 30 seconds later.
    smtp.setRejecting(false);
    expect(await deliverDue({ db: ctx.db, logger, mailer, sms }, plus(T0, 0.5))).toMatchObject({ sent: 0, retry: 0 });
    expect(await deliverDue({ db: ctx.db, logger, mailer, sms }, plus(T0, 1))).toMatchObject({ sent: 1 });
    row = await ctx.db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'sent', attempts: 2, last_error: null, sent_at: plus(T0, 1) });
    expect(smtp.received).toHaveLength(1);
  });

  it('backs off 1, 5, 30, 120, 480 minutes and marks the message failed after 6 attempts, keeping it', async () => {
    const id = await queueMessage(ctx.db, input());
    smtp.setRejecting(true);
    const sms = fakeSms();
    let now = T0;
    const delays = [1, 5, 30, 120, 480];
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const r = await deliverDue({ db: ctx.db, logger, mailer, sms }, now);
      const row = await ctx.db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      expect(row.attempts).toBe(attempt);
      if (attempt < MAX_ATTEMPTS) {
        expect(r).toMatchObject({ retry: 1, failed: 0 });
        expect(row.status).toBe('pending');
        expect(row.next_attempt_at).toBe(plus(now, delays[attempt - 1]!));
        now = row.next_attempt_at;
      } else {
        expect(r).toMatchObject({ retry: 0, failed: 1 });
        expect(row.status).toBe('failed');
        expect(row.last_error).toContain('Mailbox temporarily unavailable');
        expect(row.body).toContain('Alex was not in school');
      }
    }
    // Failed messages are never picked up again, and stay in the pupil's chronology.
    smtp.setRejecting(false);
    expect(await deliverDue({ db: ctx.db, logger, mailer, sms }, plus(now, 10_000))).toMatchObject({ sent: 0 });
    const [m] = await messagesForPupil(ctx.db, school.pupilsA[0]!);
    expect(m).toMatchObject({ id, status: 'failed', attempts: MAX_ATTEMPTS });
  });

  it('sends texts through the SMS sender, and leaves email waiting when SMTP is not configured', async () => {
    await queueMessage(ctx.db, input());
    const smsId = await queueMessage(
      ctx.db,
      input({ channel: 'sms', to: '07700 900123', subject: null, body: 'Alex is absent' }),
    );
    const sms = fakeSms();
    const r = await deliverDue({ db: ctx.db, logger, mailer: null, sms }, T0);
    expect(r).toMatchObject({ sent: 1, retry: 0, failed: 0, waitingForSmtp: 1 });
    expect(sms.sent).toEqual([{ to: '+447700900123', body: 'Alex is absent' }]);
    const row = await ctx.db.selectFrom('messages').selectAll().where('id', '=', smsId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'sent', provider_id: 'sms-1', subject: null });
    const waiting = await ctx.db
      .selectFrom('messages')
      .selectAll()
      .where('channel', '=', 'email')
      .executeTakeFirstOrThrow();
    expect(waiting).toMatchObject({ status: 'pending', attempts: 0 });
  });

  it('a failing SMS gateway is retried like email', async () => {
    const id = await queueMessage(ctx.db, input({ channel: 'sms', to: '+447700900123', subject: null }));
    const sms = fakeSms();
    sms.failing = true;
    expect(await deliverDue({ db: ctx.db, logger, mailer, sms }, T0)).toMatchObject({ retry: 1 });
    sms.failing = false;
    expect(await deliverDue({ db: ctx.db, logger, mailer, sms }, plus(T0, 1))).toMatchObject({ sent: 1 });
    const row = await ctx.db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('concurrent runs send each message exactly once', async () => {
    for (let i = 0; i < 12; i++) {
      await queueMessage(
        ctx.db,
        input({ channel: 'sms', to: `07700 900${String(100 + i)}`, subject: null, body: `m${i}` }),
      );
    }
    const sms = fakeSms();
    const runs = await Promise.all(
      [1, 2, 3].map(() => deliverDue({ db: ctx.db, logger, mailer, sms }, T0, { limit: 50 })),
    );
    expect(runs.reduce((n, r) => n + r.sent, 0)).toBe(12);
    expect(sms.sent).toHaveLength(12);
    expect(new Set(sms.sent.map((s) => s.body)).size).toBe(12);
    const rows = await ctx.db.selectFrom('messages').select(['status', 'attempts']).execute();
    expect(rows.every((r) => r.status === 'sent' && r.attempts === 1)).toBe(true);
  });
});
