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
import { PermanentSendError } from './mail.js';

export interface SmsSender {
  /**
   * Sends `body` to `to` (E.164, e.g. +447700900123) with our `reference` (the outbox message's
   * id, so the provider's records can be matched to ours); resolves to the provider's id, rejects
   * on failure ({@link PermanentSendError} when retrying cannot help).
   */
  send(to: string, body: string, reference?: string): Promise<{ providerId: string }>;
  /** What the provider now says about a message it accepted; absent when it cannot tell. */
  status?(providerId: string): Promise<DeliveryStatus>;
}

/** A provider's word on delivery: still on its way, delivered, or failed (with its reason). */
export interface DeliveryStatus {
  readonly state: 'sending' | 'delivered' | 'failed';
  /** The provider's own status, e.g. Notify's `permanent-failure`. */
  readonly providerStatus: string;
  /** Why it failed, in words. */
  readonly reason: string | null;
}

/** Notify's statuses that mean a text failed, in words (its documentation's meanings). */
const NOTIFY_FAILURES: Readonly<Record<string, string>> = {
  'permanent-failure': 'the provider could not deliver the text: the number may be wrong or no longer in use',
  'temporary-failure': 'the phone was off or out of signal for 72 hours, so the text was not delivered',
  'technical-failure': 'the text was not sent because of a technical problem at the provider',
  'validation-failed': 'the provider refused the text (the number or content was not valid)',
};

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
  init: { method: string; headers: Record<string, string>; body?: string },
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
    async send(to, body, reference) {
      const res = await io.fetch(`${opts.baseUrl ?? NOTIFY_BASE_URL}/v2/notifications/sms`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${notifyJwt(opts.apiKey, io.clock.now())}`,
          'user-agent': 'rollcall',
        },
        body: JSON.stringify({
          phone_number: to,
          template_id: opts.templateId,
          personalisation: { body },
          ...(reference ? { reference } : {}),
        }),
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
        const message = `GOV.UK Notify answered ${res.status}${detail ? ` (${detail})` : ''}`.slice(0, 500);
        // 4xx (a bad number, a bad key, a trial-mode refusal): the same request fails again. 429 is
        // the rate limit: worth another try later.
        if (res.status >= 400 && res.status < 500 && res.status !== 429) throw new PermanentSendError(message);
        throw new Error(message);
      }
      const id = (json as { id?: unknown } | null)?.id;
      if (typeof id !== 'string') throw new Error('GOV.UK Notify answered without a notification id');
      return { providerId: id };
    },
    /** @see https://docs.notifications.service.gov.uk/rest-api.html#get-the-status-of-one-message */
    async status(providerId) {
      const res = await io.fetch(
        `${opts.baseUrl ?? NOTIFY_BASE_URL}/v2/notifications/${encodeURIComponent(providerId)}`,
        {
          method: 'GET',
          headers: { authorization: `Bearer ${notifyJwt(opts.apiKey, io.clock.now())}`, 'user-agent': 'rollcall' },
        },
      );
      const text = await res.text();
      if (res.status !== 200) throw new Error(`GOV.UK Notify answered ${res.status} to a status check`);
      const raw = (JSON.parse(text) as { status?: unknown }).status;
      const status = typeof raw === 'string' ? raw : '';
      if (status === 'delivered') return { state: 'delivered', providerStatus: status, reason: null };
      const failure = NOTIFY_FAILURES[status];
      if (failure) return { state: 'failed', providerStatus: status, reason: failure };
      return { state: 'sending', providerStatus: status, reason: null };
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
