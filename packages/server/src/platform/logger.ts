/** Structured logs with secrets redacted: passwords, cookies, tokens and CSRF values never reach a log. */
import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

export const REDACT_PATHS = [
  'password',
  '*.password',
  'req.headers.cookie',
  'req.headers.authorization',
  'res.headers["set-cookie"]',
  '*.csrf',
  '*._csrf',
  '*.token',
  'body.password',
];

export function createLogger(level: string): Logger {
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } });
}
