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

/** A failure the provider will not change its mind about (5xx, 4xx): the outbox does not retry it. */
export class PermanentSendError extends Error {}

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
  return smtpMailer(mail.smtpUrl, mail.from, mail.oauth2 ?? null);
}

export interface OAuth2Settings {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly refreshToken: string;
  /** The token endpoint (Microsoft: https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token); null: Google's. */
  readonly tokenUrl: string | null;
}

/**
 * A mailer over the SMTP server at `url` (smtp://user:pass@host:port or smtps://…). With `oauth2`,
 * it signs in with XOAUTH2 as the URL's user (Microsoft 365 and Google Workspace, where basic
 * authentication is switched off): nodemailer exchanges the refresh token for an access token at
 * the token endpoint, and again when it expires.
 */
export function smtpMailer(url: string, from: string, oauth2: OAuth2Settings | null = null): Mailer {
  let options: Record<string, unknown> = {
    url,
    connectionTimeout: SMTP_TIMEOUT_MS,
    greetingTimeout: SMTP_TIMEOUT_MS,
    socketTimeout: SMTP_TIMEOUT_MS,
  };
  if (oauth2) {
    const u = new URL(url);
    options = {
      host: u.hostname,
      port: Number(u.port || (u.protocol === 'smtps:' ? 465 : 587)),
      secure: u.protocol === 'smtps:',
      connectionTimeout: SMTP_TIMEOUT_MS,
      greetingTimeout: SMTP_TIMEOUT_MS,
      socketTimeout: SMTP_TIMEOUT_MS,
      // Loopback test servers run without TLS; everything else must upgrade.
      ...(u.hostname === '127.0.0.1' || u.hostname === 'localhost' ? { ignoreTLS: true } : { requireTLS: true }),
      auth: {
        type: 'OAuth2',
        user: decodeURIComponent(u.username),
        clientId: oauth2.clientId,
        clientSecret: oauth2.clientSecret,
        refreshToken: oauth2.refreshToken,
        ...(oauth2.tokenUrl ? { accessUrl: oauth2.tokenUrl } : {}),
      },
    };
  }
  const transport = nodemailer.createTransport(options as Parameters<typeof nodemailer.createTransport>[0]);
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
        const { responseCode, code } = e as { responseCode?: unknown; code?: unknown };
        const message = describeSmtpError(e, url, oauth2);
        // A 5xx refusal of this message or its recipient (no such mailbox, not allowed): retrying
        // cannot help. A refused sign-in (EAUTH) is the installation's to fix: the message waits.
        if (typeof responseCode === 'number' && responseCode >= 500 && (code === 'EENVELOPE' || code === 'EMESSAGE'))
          throw new PermanentSendError(message);
        throw new Error(message);
      }
      if (info.rejected && info.rejected.length > 0)
        throw new PermanentSendError('the SMTP server rejected the recipient');
      return { providerId: info.messageId ?? '' };
    },
    close() {
      transport.close();
    },
  };
}

/** The SMTP error as one line, with the URL (which may hold a password) taken out. */
function describeSmtpError(e: unknown, url: string, oauth2: OAuth2Settings | null = null): string {
  const message = e instanceof Error ? e.message : 'unknown SMTP error';
  let out = message.split(url).join('[SMTP_URL]');
  for (const secret of [oauth2?.clientSecret, oauth2?.refreshToken])
    if (secret) out = out.split(secret).join('[redacted]');
  try {
    const password = decodeURIComponent(new URL(url).password);
    if (password) out = out.split(password).join('[redacted]');
  } catch {
    // Not a parseable URL: nothing more to take out.
  }
  return out.replace(/\s+/g, ' ').trim().slice(0, 500);
}
