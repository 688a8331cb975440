/**
 * What an outside security test found at the edge of the app (issue 16): foreign Origin without
 * Fetch Metadata, Fastify's own 414 and bad-URL answers, the HTTP parser's refusals, a full disk,
 * and NUL or bidi overrides in what is sent.
 */
import { connect, type AddressInfo } from 'node:net';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { pagesHarness, PASSWORD, type PagesHarness, type PageSession } from '../../test/web-pages.js';
import { SESSION_COOKIE } from '../services/accounts/auth.js';
import { DISK_FULL_RETRY_AFTER_SECONDS } from './app.js';

const testRoutes: FastifyPluginAsync = (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.get('/things/:id', { schema: { params: z.object({ id: z.string() }) } }, (request) => ({
    id: request.params.id,
  }));
  app.get('/api/things/:id', { schema: { params: z.object({ id: z.string() }) } }, (request) => ({
    id: request.params.id,
  }));
  app.post(
    '/api/echo-text',
    { schema: { body: z.object({ name: z.string(), password: z.string(), tags: z.array(z.string()) }) } },
    (request) => request.body,
  );
  return Promise.resolve();
};

interface ErrorBody {
  error: { code: string; message: string; fields: unknown[] };
}

let t: PagesHarness;
let office: PageSession;

beforeAll(async () => {
  t = await pagesHarness([testRoutes], 'hardening');
  office = await t.signInAs('office');
});

afterAll(async () => {
  await t.close();
});

const signIn = (headers: Record<string, string>) =>
  t.app.inject({
    method: 'POST',
    url: '/sign-in',
    headers,
    payload: { email: 'office-hardening@school.test', password: PASSWORD },
  });

describe('a foreign Origin without Fetch Metadata', () => {
  it('is refused at sign-in (403, no session); the same origin and no Origin at all are not', async () => {
    const foreign = await signIn({ origin: 'https://evil.example' });
    expect(foreign.statusCode).toBe(403);
    expect(foreign.cookies.find((c) => c.name === SESSION_COOKIE)).toBeUndefined();
    expect((await signIn({ origin: 'null' })).statusCode).toBe(403);
    expect((await signIn({ origin: 'http://localhost' })).statusCode).toBe(303);
    expect((await signIn({})).statusCode).toBe(303);
  });

  it('is refused on a signed-in form post even with the right CSRF token', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/sign-out',
      cookies: { [SESSION_COOKIE]: office.cookie },
      headers: { origin: 'http://evil.example:80' },
      payload: { _csrf: office.csrf },
    });
    expect(res.statusCode).toBe(403);
  });
});

describe("Fastify's own refusals in the app's error shape", () => {
  it('a path parameter over the limit is 414: JSON under /api/, the error page elsewhere', async () => {
    const api = await t.get(`/api/things/${'x'.repeat(500)}`, office);
    expect(api.statusCode).toBe(414);
    expect(api.json<ErrorBody>()).toEqual({
      error: { code: 'URI_TOO_LONG', message: 'The address is too long', fields: [] },
    });
    const page = await t.get(`/things/${'x'.repeat(500)}`, office);
    expect(page.statusCode).toBe(414);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('The address is too long');
    expect(page.body).not.toContain('FST_ERR');
  });

  it('a malformed address is 400 in the same shape', async () => {
    const api = await t.get('/api/things/%E0%A4%A', office);
    expect(api.statusCode).toBe(400);
    expect(api.json<ErrorBody>().error.code).toBe('BAD_REQUEST');
    expect(api.body).not.toContain('FST_ERR');
  });

  it("the HTTP parser's refusal (headers too large) is JSON in the app's shape", async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as AddressInfo;
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(`GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
      });
      let got = '';
      socket.on('data', (c: Buffer) => (got += c.toString()));
      socket.on('close', () => resolve(got));
      socket.on('error', reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 431 /);
    const body = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as ErrorBody;
    expect(body.error).toEqual({ code: 'BAD_REQUEST', message: 'The request headers are too large', fields: [] });
  });
});

describe('input without NUL, control characters or bidi overrides', () => {
  it('cleans every text field before a route reads it, but never a password', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/echo-text',
      cookies: { [SESSION_COOKIE]: office.cookie },
      headers: { 'x-csrf-token': office.csrf },
      payload: { name: 'Ann\u0000\u202eeL', password: 'p\u0000w\u202e', tags: ['a\u2066b', 'c\u001b[0m'] },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ name: 'AnneL', password: 'p\u0000w\u202e', tags: ['ab', 'c[0m'] });
  });
});

describe('a full disk', () => {
  it('answers 503 with Retry-After (not 500)', async () => {
    // SQLite's own limit on the file's size is a real SQLITE_FULL, like a full disk.
    const pages = await sql<{ page_count: number }>`pragma page_count`.execute(t.open.db);
    await sql.raw(`pragma max_page_count = ${pages.rows[0]!.page_count}`).execute(t.open.db);
    let res = await signIn({});
    for (let i = 0; i < 200 && res.statusCode === 303; i++) res = await signIn({});
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe(String(DISK_FULL_RETRY_AFTER_SECONDS));
    expect(res.body).toContain('run out of storage space');
  });
});
