/**
 * Sending a webhook: one HTTP(S) POST to a subscriber's URL, and the checks that keep it from
 * reaching places it should not (server-side request forgery). Only `http:` and `https:` URLs;
 * unless the installation allows them (`WEBHOOK_PRIVATE_ADDRESSES=allow`, the default outside
 * production), no loopback, private, link-local, carrier-grade NAT or other non-public address,
 * checked on the address actually connected to (the DNS answer, not just the name), so a name
 * that resolves to an inside address is refused too. Redirects are not followed. See
 * docs/webhooks.md.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/** Addresses a webhook may not reach unless private addresses are allowed. */
const NOT_PUBLIC = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  NOT_PUBLIC.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const)
  NOT_PUBLIC.addSubnet(net, prefix, 'ipv6');

/** Whether an IP address is public (not loopback, private, link-local, multicast or reserved). */
export function isPublicAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return isPublicAddress(mapped[1]!);
  const family = isIP(address);
  if (family === 0) return false;
  return !NOT_PUBLIC.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** Why a URL may not receive webhooks, or null when it may (before any name is resolved). */
export function webhookUrlProblem(input: string, allowPrivate: boolean): string | null {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return 'Enter a full web address, like https://mis.example.org/rollcall/events';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'The address must start with https:// or http://';
  if (url.username || url.password) return 'The address must not hold a user name or password';
  if (input.length > 2000) return 'The address must be 2,000 characters or fewer';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivate) {
    if (isIP(host) !== 0 && !isPublicAddress(host))
      return 'The address is a private or local network address, which this installation does not allow';
    if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local') || host.endsWith('.internal'))
      return 'The address is a local name, which this installation does not allow';
  }
  return null;
}

export interface WebhookRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface WebhookAnswer {
  /** The HTTP status the receiver answered. */
  readonly status: number;
}

/** How much of a receiver's answer is read (the rest is dropped with the connection). */
const MAX_ANSWER_BYTES = 64 * 1024;

/** A delivery that did not get an HTTP answer (refused address, DNS, connection, timeout). */
export class WebhookSendError extends Error {}

export interface WebhookSender {
  send(request: WebhookRequest): Promise<WebhookAnswer>;
}

/** A DNS resolver in the shape of `dns.lookup` with `all: true` (tests pass their own answers). */
export type Resolver = (
  hostname: string,
  options: { all: true; family?: number | undefined },
  callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

const systemResolver: Resolver = (hostname, options, callback) => dnsLookup(hostname, options, callback);

/** The real sender: node:http(s), a time limit, no redirects, the answer's body read and dropped. */
export function createWebhookSender(opts: {
  allowPrivate: boolean;
  timeoutMs?: number;
  resolve?: Resolver;
}): WebhookSender {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const resolve = opts.resolve ?? systemResolver;
  const guardedLookup: LookupFunction = (hostname, options, callback) => {
    resolve(
      hostname,
      { all: true, family: typeof options.family === 'number' ? options.family : undefined },
      (err, addresses) => {
        if (err) return callback(err, '', 0);
        const list = addresses;
        const refused = !opts.allowPrivate && list.some((a) => !isPublicAddress(a.address));
        if (refused || list.length === 0) {
          const e = new WebhookSendError(`${hostname} resolves to a private or local address, which is not allowed`);
          return callback(e, '', 0);
        }
        if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
        return callback(null, list[0]!.address, list[0]!.family);
      },
    );
  };
  return {
    send(request) {
      const problem = webhookUrlProblem(request.url, opts.allowPrivate);
      if (problem) return Promise.reject(new WebhookSendError(problem));
      const url = new URL(request.url);
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const options: RequestOptions = {
        method: 'POST',
        headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
        lookup: guardedLookup,
        timeout: timeoutMs,
      };
      return new Promise<WebhookAnswer>((resolve, reject) => {
        // The whole exchange within the time limit (not just each idle gap: a receiver that drips
        // its answer byte by byte is cut off too), and at most 64 KiB of the answer read.
        const deadline = setTimeout(
          () => req.destroy(new WebhookSendError(`no answer within ${timeoutMs / 1000} s`)),
          timeoutMs,
        );
        const req = send(url, options, (res) => {
          const status = res.statusCode ?? 0;
          let read = 0;
          res.on('data', (chunk: Buffer) => {
            read += chunk.length;
            if (read > MAX_ANSWER_BYTES) {
              clearTimeout(deadline);
              res.destroy();
              resolve({ status });
            }
          });
          res.on('end', () => {
            clearTimeout(deadline);
            resolve({ status });
          });
          res.on('error', (e) => {
            clearTimeout(deadline);
            reject(new WebhookSendError(e.message));
          });
        });
        req.on('timeout', () => req.destroy(new WebhookSendError(`no answer within ${timeoutMs / 1000} s`)));
        req.on('error', (e) => {
          clearTimeout(deadline);
          reject(e instanceof WebhookSendError ? e : new WebhookSendError(e.message));
        });
        req.end(request.body);
      });
    },
  };
}
