/**
 * Outgoing text messages. Two senders: one that only logs (the demo, and any installation
 * without an SMS contract), and GOV.UK Notify over its REST API. The only place that talks to
 * an SMS gateway.
 */
import { createHmac } from 'node:crypto';
import type { Config } from '../config/config.js';
import type { Clock } from './clock.js';
import { newId } from './ids.js';
import type { Logger } from './logger.js';

export interface SmsSender {
  /** Sends `body` to `to` (E.164, e.g. +447700900123); resolves to the provider's id, rejects on failure. */
  send(to: string, body: string): Promise<{ providerId: string }>;
}

/** A number as it may be logged: its last three digits only. */
export function maskNumber(to: string): string {
  const digits = to.replace(/\D/g, '');
  return `…${digits.slice(-3)}`;
}

/** Logs that a text would have been sent (last three digits of the number, the length of the body). */
export function logSmsSender(logger: Logger): SmsSender {
  return {
    send(to, body) {
      const providerId = `log-${newId()}`;
      logger.info({ to: maskNumber(to), length: body.length, providerId }, 'text message (not sent: SMS_PROVIDER=log)');
      return Promise.resolve({ providerId });
    },
  };
}

export const NOTIFY_BASE_URL = 'https://api.notifications.service.gov.uk';

/** The parts of a Notify API key: `{name}-{service id}-{secret}`, both ids being UUIDs. */
export function parseNotifyKey(apiKey: string): { serviceId: string; secret: string } {
  if (apiKey.length < 74) throw new Error('not a GOV.UK Notify API key');
  return { serviceId: apiKey.slice(-73, -37), secret: apiKey.slice(-36) };
}

/**
 * The bearer token Notify expects: a JWT (HS256) with `iss` the service id and `iat` the time
 * in seconds, signed with the key's secret. Notify refuses tokens more than 30 seconds old, so
 * one is made per request.
 */
export function notifyJwt(apiKey: string, nowIso: string): string {
  const { serviceId, secret } = parseNotifyKey(apiKey);
  const b64 = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  const head = `${b64({ typ: 'JWT', alg: 'HS256' })}.${b64({ iss: serviceId, iat: Math.floor(Date.parse(nowIso) / 1000) })}`;
  const signature = createHmac('sha256', secret).update(head).digest('base64url');
  return `${head}.${signature}`;
}

export type Fetch = (
  url: string,
  init: { method: string; headers: Record<string, string>; body: string },
) => Promise<{
  status: number;
  text(): Promise<string>;
}>;

/**
 * Sends through GOV.UK Notify with a template whose whole body is `((body))`.
 *
 * @see https://docs.notifications.service.gov.uk/rest-api.html#send-a-text-message
 */
export function notifySmsSender(
  opts: { apiKey: string; templateId: string; baseUrl?: string },
  io: { fetch: Fetch; clock: Clock },
): SmsSender {
  return {
    async send(to, body) {
      const res = await io.fetch(`${opts.baseUrl ?? NOTIFY_BASE_URL}/v2/notifications/sms`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${notifyJwt(opts.apiKey, io.clock.now())}`,
          'user-agent': 'rollcall',
        },
        body: JSON.stringify({ phone_number: to, template_id: opts.templateId, personalisation: { body } }),
      });
      const text = await res.text();
      let json: unknown = null;
      try {
        json = JSON.parse(text);
      } catch {
        // Not JSON (a proxy's error page): reported by status below.
      }
      if (res.status !== 201) {
        const errors = (json as { errors?: { error?: string; message?: string }[] } | null)?.errors ?? [];
        const detail = errors.map((e) => `${e.error ?? 'Error'}: ${e.message ?? ''}`).join('; ');
        throw new Error(`GOV.UK Notify answered ${res.status}${detail ? ` (${detail})` : ''}`.slice(0, 500));
      }
      const id = (json as { id?: unknown } | null)?.id;
      if (typeof id !== 'string') throw new Error('GOV.UK Notify answered without a notification id');
      return { providerId: id };
    },
  };
}

/** The configured sender. */
export function createSmsSender(sms: Config['sms'], logger: Logger, clock: Clock): SmsSender {
  switch (sms.provider) {
    case 'log':
      return logSmsSender(logger);
    case 'notify':
      return notifySmsSender({ apiKey: sms.apiKey, templateId: sms.templateId }, { fetch: globalThis.fetch, clock });
  }
}
