import { createHmac } from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { fixedClock } from './clock.js';
import { logSmsSender, maskNumber, notifyJwt, notifySmsSender, parseNotifyKey, type Fetch } from './sms.js';

const SERVICE = '26785a09-ab16-4eb0-8407-a37497a57506';
const SECRET = '3d844edf-8d35-48ac-975b-e847b4f122b0';
const KEY = `rollcall_test-${SERVICE}-${SECRET}`;
const NOW = '2025-10-24T15:00:00.000Z';

function decode(part: string): unknown {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
}

describe('GOV.UK Notify', () => {
  it('splits the API key into service id and secret', () => {
    expect(parseNotifyKey(KEY)).toEqual({ serviceId: SERVICE, secret: SECRET });
    expect(() => parseNotifyKey('short')).toThrow(/Notify API key/);
  });

  it('makes an HS256 JWT with iss = service id and iat = now in seconds', () => {
    const token = notifyJwt(KEY, NOW);
    const [h, p, s] = token.split('.');
    expect(decode(h!)).toEqual({ typ: 'JWT', alg: 'HS256' });
    expect(decode(p!)).toEqual({ iss: SERVICE, iat: Date.parse(NOW) / 1000 });
    expect(s).toBe(createHmac('sha256', SECRET).update(`${h!}.${p!}`).digest('base64url'));
    expect(token).not.toContain(SECRET);
  });

  it('posts the text to the SMS endpoint with the template and returns the notification id', async () => {
    const calls: { url: string; init: Parameters<Fetch>[1] }[] = [];
    const fetch: Fetch = (url, init) => {
      calls.push({ url, init });
      return Promise.resolve({ status: 201, text: () => Promise.resolve(JSON.stringify({ id: 'notify-123' })) });
    };
    const tpl = 'f33517ff-2a88-4f6e-b855-c550268ce08a';
    const sender = notifySmsSender({ apiKey: KEY, templateId: tpl }, { fetch, clock: fixedClock(NOW) });
    await expect(sender.send('+447700900123', 'Hello')).resolves.toEqual({ providerId: 'notify-123' });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.url).toBe('https://api.notifications.service.gov.uk/v2/notifications/sms');
    expect(calls[0]!.init.method).toBe('POST');
    expect(calls[0]!.init.headers['authorization']).toBe(`Bearer ${notifyJwt(KEY, NOW)}`);
    expect(JSON.parse(calls[0]!.init.body ?? '')).toEqual({
      phone_number: '+447700900123',
      template_id: tpl,
      personalisation: { body: 'Hello' },
    });
  });

  it('rejects with Notify’s error, never the key', async () => {
    const fetch: Fetch = () =>
      Promise.resolve({
        status: 400,
        text: () =>
          Promise.resolve(
            JSON.stringify({
              status_code: 400,
              errors: [{ error: 'BadRequestError', message: 'Not a UK mobile number' }],
            }),
          ),
      });
    const sender = notifySmsSender(
      { apiKey: KEY, templateId: 'f33517ff-2a88-4f6e-b855-c550268ce08a' },
      { fetch, clock: fixedClock(NOW) },
    );
    const err = await sender.send('+447700900123', 'Hello').catch((e: unknown) => e as Error);
    expect((err as Error).message).toBe('GOV.UK Notify answered 400 (BadRequestError: Not a UK mobile number)');
    expect((err as Error).message).not.toContain(SECRET);
  });
});

describe('log-only sender', () => {
  it('logs the last three digits of the number and never the text', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const sender = logSmsSender(pino({ level: 'info' }, sink));
    const { providerId } = await sender.send('+447700900123', 'Alex was absent today');
    expect(providerId).toMatch(/^log-/);
    const out = lines.join('');
    expect(out).toContain('…123');
    expect(out).not.toContain('7700900');
    expect(out).not.toContain('Alex');
    expect(maskNumber('07700 900456')).toBe('…456');
  });
});

describe('configuration', () => {
  it('reads the messaging settings and insists on a key and template for Notify', async () => {
    const { loadConfig, ConfigError } = await import('../config/config.js');
    const { createMailer } = await import('./mail.js');
    const base = { SQLITE_PATH: ':memory:' };
    const plain = loadConfig(base);
    expect(plain.sms).toEqual({ provider: 'log' });
    expect(plain.mail.smtpUrl).toBeNull();
    expect(createMailer(plain.mail)).toBeNull();
    expect(() => loadConfig({ ...base, SMTP_URL: 'http://mail' })).toThrow(/SMTP_URL must be an smtp/);
    expect(() => loadConfig({ ...base, SMS_PROVIDER: 'notify' })).toThrow(ConfigError);
    const notify = loadConfig({
      ...base,
      SMS_PROVIDER: 'notify',
      NOTIFY_API_KEY: KEY,
      NOTIFY_SMS_TEMPLATE_ID: 'f33517ff-2a88-4f6e-b855-c550268ce08a',
      SMTP_URL: 'smtp://u:p@127.0.0.1:2525',
      MAIL_FROM: 'Oak Primary <office@oak.test>',
    });
    expect(notify.sms).toMatchObject({ provider: 'notify', apiKey: KEY });
    expect(notify.mail).toEqual({
      smtpUrl: 'smtp://u:p@127.0.0.1:2525',
      from: 'Oak Primary <office@oak.test>',
      oauth2: null,
    });
    // OAuth2 (XOAUTH2) settings go together.
    expect(() => loadConfig({ ...base, SMTP_OAUTH2_CLIENT_ID: 'id' })).toThrow(/go together/);
    const oauth = loadConfig({
      ...base,
      SMTP_URL: 'smtp://office%40oak.test@smtp.office365.com:587',
      SMTP_OAUTH2_CLIENT_ID: 'id',
      SMTP_OAUTH2_CLIENT_SECRET: 'secret',
      SMTP_OAUTH2_REFRESH_TOKEN: 'refresh',
      SMTP_OAUTH2_TOKEN_URL: 'https://login.microsoftonline.com/tenant/oauth2/v2.0/token',
    });
    expect(oauth.mail.oauth2).toEqual({
      clientId: 'id',
      clientSecret: 'secret',
      refreshToken: 'refresh',
      tokenUrl: 'https://login.microsoftonline.com/tenant/oauth2/v2.0/token',
    });
  });
});
