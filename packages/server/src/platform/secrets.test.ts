import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.js';
import { secretBox } from './secrets.js';

describe('secret box', () => {
  it('seals and opens; a sealed value names no plain text and differs each time', () => {
    const box = secretBox(loadConfig({ SQLITE_PATH: ':memory:' }));
    const a = box.seal('JBSWY3DPEHPK3PXP');
    expect(a).not.toContain('JBSWY3DPEHPK3PXP');
    expect(box.seal('JBSWY3DPEHPK3PXP')).not.toBe(a);
    expect(box.open(a)).toBe('JBSWY3DPEHPK3PXP');
  });

  it('refuses a value tampered with or sealed under another key', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    const one = secretBox(loadConfig({ SQLITE_PATH: ':memory:', SECRETS_KEY: key }));
    const other = secretBox(
      loadConfig({ SQLITE_PATH: ':memory:', SECRETS_KEY: Buffer.alloc(32, 8).toString('base64') }),
    );
    const sealed = one.seal('client secret');
    expect(() => other.open(sealed)).toThrow();
    expect(() => one.open(`${sealed.slice(0, -2)}AA`)).toThrow();
    expect(() => one.open('plain')).toThrow();
    // The same key in another config opens it.
    expect(secretBox(loadConfig({ SQLITE_PATH: ':memory:', SECRETS_KEY: key })).open(sealed)).toBe('client secret');
  });

  it('makes a key file beside the SQLite database, readable by its owner only, and reuses it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rollcall-secrets-'));
    try {
      const config = () => loadConfig({ SQLITE_PATH: join(dir, 'db.sqlite') });
      const sealed = secretBox(config()).seal('x');
      const file = join(dir, 'secrets.key');
      expect(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64')).toHaveLength(32);
      expect(statSync(file).mode & 0o077).toBe(0);
      expect(secretBox(config()).open(sealed)).toBe('x');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('checks SECRETS_KEY and PUBLIC_URL', () => {
    expect(() => loadConfig({ SECRETS_KEY: 'short' })).toThrow(/SECRETS_KEY must be 32 random bytes/);
    expect(() => loadConfig({ PUBLIC_URL: 'not a url' })).toThrow(/PUBLIC_URL/);
    expect(loadConfig({ PUBLIC_URL: 'https://attendance.example.org/x/' }).publicUrl).toBe(
      'https://attendance.example.org',
    );
  });
});
