/**
 * Outgoing email: a nodemailer SMTP transport built from the config. The only place that
 * touches SMTP. Messages reach it through the outbox (services/messages.ts), never directly.
 */
import nodemailer from 'nodemailer';
import type { Config } from '../config/config.js';

export interface OutgoingMail {
  readonly to: string;
  readonly subject: string;
  /** Plain text: parents' mail clients, screen readers and printers all read it. */
  readonly text: string;
  /** Files sent with the message (e.g. a letter's PDF). */
  readonly attachments?: readonly MailAttachment[];
}

export interface MailAttachment {
  readonly filename: string;
  readonly contentType: string;
  readonly content: Buffer;
}

export interface Mailer {
  /** Hands the message to the SMTP server; resolves to its Message-ID, rejects if not accepted. */
  send(mail: OutgoingMail): Promise<{ providerId: string }>;
  close(): void;
}

/** How long to wait on a slow SMTP server before counting the attempt as failed. */
const SMTP_TIMEOUT_MS = 20_000;

/** The configured mailer, or null when SMTP_URL is not set (email then waits in the outbox). */
export function createMailer(mail: Config['mail']): Mailer | null {
  if (!mail.smtpUrl) return null;
  return smtpMailer(mail.smtpUrl, mail.from);
}

/** A mailer over the SMTP server at `url` (smtp://user:pass@host:port or smtps://…). */
export function smtpMailer(url: string, from: string): Mailer {
  const transport = nodemailer.createTransport({
    url,
    connectionTimeout: SMTP_TIMEOUT_MS,
    greetingTimeout: SMTP_TIMEOUT_MS,
    socketTimeout: SMTP_TIMEOUT_MS,
  } as Parameters<typeof nodemailer.createTransport>[0]);
  return {
    async send(m) {
      let info: { messageId?: string; rejected?: unknown[] };
      try {
        info = (await transport.sendMail({
          from,
          to: m.to,
          subject: m.subject,
          text: m.text,
          ...(m.attachments && m.attachments.length > 0
            ? {
                attachments: m.attachments.map((a) => ({
                  filename: a.filename,
                  contentType: a.contentType,
                  content: a.content,
                })),
              }
            : {}),
        })) as typeof info;
      } catch (e) {
        throw new Error(describeSmtpError(e, url));
      }
      if (info.rejected && info.rejected.length > 0) throw new Error('the SMTP server rejected the recipient');
      return { providerId: info.messageId ?? '' };
    },
    close() {
      transport.close();
    },
  };
}

/** The SMTP error as one line, with the URL (which may hold a password) taken out. */
function describeSmtpError(e: unknown, url: string): string {
  const message = e instanceof Error ? e.message : 'unknown SMTP error';
  let out = message.split(url).join('[SMTP_URL]');
  try {
    const password = decodeURIComponent(new URL(url).password);
    if (password) out = out.split(password).join('[redacted]');
  } catch {
    // Not a parseable URL: nothing more to take out.
  }
  return out.replace(/\s+/g, ' ').trim().slice(0, 500);
}
