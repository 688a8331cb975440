import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebhookSender } from './webhook-sender.js';

describe('the webhook sender, against receivers on loopback', () => {
  let server: Server;
  let base = '';
  const seen: { path: string; body: string; type: string | undefined }[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ path: req.url ?? '', body: Buffer.concat(chunks).toString(), type: req.headers['content-type'] });
        if (req.url === '/drip') {
          // Headers at once, then a byte every 100 ms for ever: never within the limit.
          res.writeHead(200);
          const timer = setInterval(() => res.write('.'), 100);
          res.on('close', () => clearInterval(timer));
        } else if (req.url === '/huge') {
          res.writeHead(200);
          res.end(Buffer.alloc(1024 * 1024, 'x'));
        } else if (req.url === '/moved') {
          res.writeHead(302, { location: '/elsewhere' }).end();
        } else res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const sender = createWebhookSender({ allowPrivate: true, timeoutMs: 600 });

  it('posts the body with the headers given and returns the status', async () => {
    const answer = await sender.send({
      url: `${base}/ok`,
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    expect(answer).toEqual({ status: 204 });
    expect(seen.at(-1)).toEqual({ path: '/ok', body: '{"a":1}', type: 'application/json' });
  });

  it('cuts off a receiver that drips its answer past the time limit', async () => {
    const started = Date.now();
    await expect(sender.send({ url: `${base}/drip`, headers: {}, body: '{}' })).rejects.toThrow(
      'no answer within 0.6 s',
    );
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('reads at most 64 KiB of an answer, and follows no redirect', async () => {
    expect(await sender.send({ url: `${base}/huge`, headers: {}, body: '{}' })).toEqual({ status: 200 });
    expect(await sender.send({ url: `${base}/moved`, headers: {}, body: '{}' })).toEqual({ status: 302 });
    expect(seen.map((s) => s.path)).not.toContain('/elsewhere');
  });
});
