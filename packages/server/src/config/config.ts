/**
 * Configuration: the only reader of `process.env`. Validated once, frozen, passed down.
 */
import { z } from 'zod';

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must be a postgres:// or postgresql:// URL')
    .optional(),
  SQLITE_PATH: z.string().min(1).default('./data/rollcall.sqlite'),
  TIME_ZONE: z.string().min(1).default('Europe/London'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  COOKIE_SECURE: z.enum(['true', 'false', 'auto']).default('auto'),
  NODE_ENV: z.string().default('development'),
  // Re-read page templates on every request (while editing them); otherwise they are compiled once.
  RELOAD_TEMPLATES: z.enum(['true', 'false']).default('false'),
  // Messages (docs/messages.md). Without SMTP_URL email stays queued in the outbox.
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'SMTP_URL must be an smtp:// or smtps:// URL (smtp://user:pass@host:port)')
    .optional(),
  MAIL_FROM: z.string().min(3).default('Rollcall <no-reply@rollcall.invalid>'),
  // OAuth2 (XOAUTH2) for Microsoft 365 and Google Workspace: the SMTP_URL's user name is the mailbox.
  SMTP_OAUTH2_CLIENT_ID: z.string().min(1).optional(),
  SMTP_OAUTH2_CLIENT_SECRET: z.string().min(1).optional(),
  SMTP_OAUTH2_REFRESH_TOKEN: z.string().min(1).optional(),
  SMTP_OAUTH2_TOKEN_URL: z.url('SMTP_OAUTH2_TOKEN_URL must be the token endpoint URL').optional(),
  SMS_PROVIDER: z.enum(['log', 'notify']).default('log'),
  NOTIFY_API_KEY: z.string().min(74, 'NOTIFY_API_KEY must be a GOV.UK Notify API key').optional(),
  NOTIFY_SMS_TEMPLATE_ID: z
    .uuid('NOTIFY_SMS_TEMPLATE_ID must be the id of a Notify template whose body is ((body))')
    .optional(),
  // Encrypts second-factor and single sign-on secrets at rest (docs/security-sign-in.md): 32 random
  // bytes, base64. Without it, a key file beside the SQLite database (made on first use).
  SECRETS_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32, 'SECRETS_KEY must be 32 random bytes in base64')
    .optional(),
  // Where people reach Rollcall (https://attendance.example.org): single sign-on's redirect
  // address and the passkeys' relying party. Without it, taken from each request's Host.
  PUBLIC_URL: z.url('PUBLIC_URL must be a URL like https://attendance.example.org').optional(),
  // May webhooks be sent to loopback and private network addresses? Default: refuse in
  // production, allow elsewhere (a receiver on the same machine in development and tests).
  WEBHOOK_PRIVATE_ADDRESSES: z
    .enum(['allow', 'refuse'], { error: 'WEBHOOK_PRIVATE_ADDRESSES must be allow or refuse' })
    .optional(),
});

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly database:
    { readonly kind: 'sqlite'; readonly path: string } | { readonly kind: 'postgres'; readonly url: string };
  readonly timeZone: string;
  readonly logLevel: z.infer<typeof schema>['LOG_LEVEL'];
  readonly cookieSecure: 'true' | 'false' | 'auto';
  readonly production: boolean;
  /** Re-read page templates on every request (for editing them); off by default, as compiling costs 100s of ms. */
  readonly reloadTemplates: boolean;
  /** Outgoing email; `smtpUrl` null means email is queued but not sent. Holds a secret: never log it. */
  readonly mail: {
    readonly smtpUrl: string | null;
    readonly from: string;
    /** XOAUTH2 instead of a password (Microsoft 365, Google Workspace); holds secrets. */
    readonly oauth2?: {
      readonly clientId: string;
      readonly clientSecret: string;
      readonly refreshToken: string;
      /** The token endpoint, e.g. https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token (default Google's). */
      readonly tokenUrl: string | null;
    } | null;
  };
  /** Outgoing text messages: logged only (the demo), or sent through GOV.UK Notify. */
  /** Base64 of 32 bytes, or null (a key file beside the SQLite database). A secret: never log it. */
  readonly secretsKey: string | null;
  /** The site's own origin (no trailing slash), or null. */
  readonly publicUrl: string | null;
  /** Webhooks (docs/webhooks.md): may they reach loopback and private addresses? */
  readonly webhooks: { readonly allowPrivateAddresses: boolean };
  readonly sms:
    | { readonly provider: 'log' }
    | { readonly provider: 'notify'; readonly apiKey: string; readonly templateId: string };
}

export class ConfigError extends Error {}

/** The process's environment, for the entry points to hand to {@link loadConfig}. */
export function processEnv(): Readonly<Record<string, string | undefined>> {
  return process.env;
}

/** Reads and checks the environment; throws {@link ConfigError} naming each bad variable. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const oauth = [e.SMTP_OAUTH2_CLIENT_ID, e.SMTP_OAUTH2_CLIENT_SECRET, e.SMTP_OAUTH2_REFRESH_TOKEN];
  if (oauth.some((v) => v !== undefined) && oauth.some((v) => v === undefined)) {
    throw new ConfigError(
      'invalid configuration:\nSMTP_OAUTH2_CLIENT_ID, SMTP_OAUTH2_CLIENT_SECRET and SMTP_OAUTH2_REFRESH_TOKEN go together: set all three for OAuth2 email',
    );
  }
  // XOAUTH2 signs in as a mailbox: the SMTP_URL's user name (without it nodemailer would not sign in).
  if (oauth.every((v) => v !== undefined) && (!e.SMTP_URL || decodeURIComponent(new URL(e.SMTP_URL).username) === '')) {
    throw new ConfigError(
      'invalid configuration:\nSMTP_URL: OAuth2 email needs the mailbox as the user name of SMTP_URL, e.g. smtp://office%40school.org@smtp.office365.com:587',
    );
  }
  if (e.SMS_PROVIDER === 'notify' && (!e.NOTIFY_API_KEY || !e.NOTIFY_SMS_TEMPLATE_ID)) {
    throw new ConfigError(
      'invalid configuration:\nSMS_PROVIDER: notify needs NOTIFY_API_KEY and NOTIFY_SMS_TEMPLATE_ID',
    );
  }
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    database: e.DATABASE_URL
      ? { kind: 'postgres' as const, url: e.DATABASE_URL }
      : { kind: 'sqlite' as const, path: e.SQLITE_PATH },
    timeZone: e.TIME_ZONE,
    logLevel: e.LOG_LEVEL,
    cookieSecure: e.COOKIE_SECURE,
    production: e.NODE_ENV === 'production',
    reloadTemplates: e.RELOAD_TEMPLATES === 'true',
    mail: Object.freeze({
      smtpUrl: e.SMTP_URL ?? null,
      from: e.MAIL_FROM,
      oauth2:
        e.SMTP_OAUTH2_CLIENT_ID && e.SMTP_OAUTH2_CLIENT_SECRET && e.SMTP_OAUTH2_REFRESH_TOKEN
          ? Object.freeze({
              clientId: e.SMTP_OAUTH2_CLIENT_ID,
              clientSecret: e.SMTP_OAUTH2_CLIENT_SECRET,
              refreshToken: e.SMTP_OAUTH2_REFRESH_TOKEN,
              tokenUrl: e.SMTP_OAUTH2_TOKEN_URL ?? null,
            })
          : null,
    }),
    secretsKey: e.SECRETS_KEY ?? null,
    publicUrl: e.PUBLIC_URL ? new URL(e.PUBLIC_URL).origin : null,
    webhooks: Object.freeze({
      allowPrivateAddresses: e.WEBHOOK_PRIVATE_ADDRESSES
        ? e.WEBHOOK_PRIVATE_ADDRESSES === 'allow'
        : e.NODE_ENV !== 'production',
    }),
    sms: Object.freeze(
      e.SMS_PROVIDER === 'notify' && e.NOTIFY_API_KEY && e.NOTIFY_SMS_TEMPLATE_ID
        ? { provider: 'notify' as const, apiKey: e.NOTIFY_API_KEY, templateId: e.NOTIFY_SMS_TEMPLATE_ID }
        : { provider: 'log' as const },
    ),
  });
}
