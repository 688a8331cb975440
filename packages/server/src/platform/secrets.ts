/**
 * Secrets at rest (second-factor secrets, single sign-on client secrets): AES-256-GCM with the
 * installation's key. The key is `SECRETS_KEY` when set; otherwise a key file `secrets.key`
 * beside the SQLite database, made (mode 0600) on first use; a database in memory (tests) uses a
 * key made for the process. On PostgreSQL without `SECRETS_KEY`, production refuses and
 * development uses `./data/secrets.key`.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Config } from '../config/config.js';

export interface SecretBox {
  seal(plain: string): string;
  /** Throws when the value was not sealed with this key. */
  open(sealed: string): string;
}

const boxes = new WeakMap<Config, SecretBox>();
let processKey: Buffer | undefined;

function keyFile(path: string): Buffer {
  if (existsSync(path)) {
    const key = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
    if (key.length !== 32) throw new Error(`${path}: not a secrets key (32 bytes, base64)`);
    return key;
  }
  mkdirSync(dirname(path), { recursive: true });
  const key = randomBytes(32);
  writeFileSync(path, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  return key;
}

function keyOf(config: Config): Buffer {
  if (config.secretsKey) return Buffer.from(config.secretsKey, 'base64');
  if (config.database.kind === 'sqlite') {
    if (config.database.path === ':memory:') return (processKey ??= randomBytes(32));
    return keyFile(join(dirname(config.database.path), 'secrets.key'));
  }
  if (config.production) throw new Error('SECRETS_KEY must be set on PostgreSQL in production');
  return keyFile(join('data', 'secrets.key'));
}

/** The secret box of an installation (one per config; the key is read once, when first needed). */
export function secretBox(config: Config): SecretBox {
  const existing = boxes.get(config);
  if (existing) return existing;
  let key: Buffer | undefined;
  const box: SecretBox = {
    seal(plain) {
      key ??= keyOf(config);
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return `v1.${iv.toString('base64url')}.${body.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}`;
    },
    open(sealed) {
      key ??= keyOf(config);
      const [v, iv, body, tag] = sealed.split('.');
      if (v !== 'v1' || !iv || body === undefined || !tag) throw new Error('not a sealed secret');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    },
  };
  boxes.set(config, box);
  return box;
}
