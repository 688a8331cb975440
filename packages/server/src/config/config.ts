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
  });
}
