import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { expect, it } from 'vitest';
import { describeEachDialect } from '../../../../test/databases.js';
import { seedSmallSchool, testDeps } from '../../../../test/fixtures.js';
import { createLogger } from '../../../platform/logger.js';
import { smtpMailer } from '../../../platform/mail.js';
import { logSmsSender } from '../../../platform/sms.js';
import { deliverDue } from '../../messages.js';
import { sendLetter } from './letters.js';

/** A loopback SMTP server that keeps the raw messages it accepts. */
function startSmtp(): Promise<{ port: number; raw: string[]; close(): Promise<void> }> {
  const raw: string[] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    onData(stream, _session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        raw.push(Buffer.concat(chunks).toString('utf8'));
        cb();
      });
    },
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        port: (server.server.address() as AddressInfo).port,
        raw,
        close: () => new Promise<void>((r) => server.close(() => r())),
      });
    });
  });
}

describeEachDialect('letters by email', (ctx) => {
  it('go over SMTP with the letter as text and its PDF as an attachment', async () => {
    const school = await seedSmallSchool(ctx.db);
    const deps = testDeps(ctx.db, ctx.dialect, '2025-10-03T09:00:00Z');
    const pupilId = school.pupilsA[0]!;
    const contact = await ctx.db
      .selectFrom('contacts')
      .select('id')
      .where('pupil_id', '=', pupilId)
      .executeTakeFirstOrThrow();
    await sendLetter(deps, school.actors.attendance_officer, {
      pupilId,
      templateKey: 'track-1-concern',
      title: 'Attendance concern',
      body: 'Dear Parent of Alex,\n\nWe are writing about attendance.',
      contactId: contact.id,
      method: 'email',
    });
    const smtp = await startSmtp();
    const mailer = smtpMailer(`smtp://127.0.0.1:${smtp.port}`, 'Test Primary <office@school.test>');
    try {
      const logger = createLogger('silent');
      const r = await deliverDue({ db: ctx.db, logger, mailer, sms: logSmsSender(logger) }, '2025-10-03T09:01:00Z');
      expect(r.sent).toBe(1);
      const raw = smtp.raw[0]!;
      expect(raw).toContain('Subject: Attendance concern: Alex Able');
      expect(raw).toContain('We are writing about attendance.');
      expect(raw).toMatch(/Content-Type: application\/pdf;\s*name=track-1-concern-2025-10-03\.pdf/);
      expect(raw).toContain('Content-Disposition: attachment');
      expect(raw).toContain(Buffer.from('%PDF-').toString('base64').slice(0, 6));
    } finally {
      mailer.close();
      await smtp.close();
    }
  });
});
