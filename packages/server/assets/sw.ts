/**
 * Rollcall's service worker (docs/offline.md), served at `/sw.js` by web/registers/offline-routes.ts with
 * the list of the app shell's files in front of it. Hand-written: it does four small things, and
 * the build bundles it like every other browser module, with no new tool.
 *
 * - The app shell (styles, scripts, fonts, icons under /assets/ and /public/) is kept on install
 *   and served from the device, refreshed in the background.
 * - Today's register pages and the day's list of registers (pages the server marks with
 *   `X-Rollcall-Offline: keep`) are fetched from the network first and kept; without a
 *   connection the kept copy opens. No other page is ever kept: another page that cannot be
 *   reached gets a short "You are offline" page.
 * - A register form posted without a connection is stored on the device (IndexedDB, see
 *   lib/offline-store.ts) and the register opens again from the device; assets/offline.ts shows
 *   it as "Saved on this device, not sent" and posts it when the connection returns.
 * - On a new school day (a page from the server says which day it is) or after 24 hours, the
 *   pages kept for another day are dropped.
 */
import { getSave, isRegisterPath, PAGES_CACHE, putSave, registerKey, SHELL_CACHE } from './lib/offline-store.js';

interface SwExtendableEvent extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
interface SwFetchEvent extends SwExtendableEvent {
  readonly request: Request;
  respondWith(response: Response | Promise<Response>): void;
}
interface SwMessageEvent extends SwExtendableEvent {
  readonly data: unknown;
}
interface SwScope {
  readonly location: Location;
  readonly clients: { claim(): Promise<void> };
  /** Put in front of this file by the `/sw.js` route: the shell's files and their version. */
  readonly ROLLCALL_SHELL?: { readonly version: string; readonly urls: readonly string[] };
  skipWaiting(): Promise<void>;
  addEventListener(type: 'install' | 'activate', listener: (event: SwExtendableEvent) => void): void;
  addEventListener(type: 'fetch', listener: (event: SwFetchEvent) => void): void;
  addEventListener(type: 'message', listener: (event: SwMessageEvent) => void): void;
}

const scope = self as unknown as SwScope;
const shell = scope.ROLLCALL_SHELL ?? { version: 'dev', urls: [] };
const SHELL = `${SHELL_CACHE}-${shell.version}`;
/** The longest a kept page is served: a day's registers, never yesterday's. */
const KEEP_MS = 24 * 60 * 60 * 1000;
const KEPT_AT = 'x-rollcall-kept-at';
const DAY = 'x-rollcall-offline-day';

function now(): number {
  // eslint-disable-next-line no-restricted-syntax -- the device's own clock decides when a kept page is too old
  return Date.now();
}

scope.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(SHELL);
      await cache.addAll(shell.urls.map((u) => new Request(u, { cache: 'reload' })));
      await scope.skipWaiting();
    })(),
  );
});

scope.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name !== SHELL && name !== PAGES_CACHE) await caches.delete(name);
      await scope.clients.claim();
    })(),
  );
});

scope.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== scope.location.origin) return;
  const isShell = url.pathname.startsWith('/assets/') || url.pathname.startsWith('/public/');
  if (request.method === 'GET' && isShell) return event.respondWith(fromShell(request, event));
  if (request.mode !== 'navigate') return;
  if (request.method === 'POST' && isRegisterPath(url.pathname)) return event.respondWith(saveOrQueue(request, url));
  if (request.method !== 'GET') return;
  if (url.pathname === '/registers' || isRegisterPath(url.pathname)) return event.respondWith(keptPage(request, url));
  // Any other page goes to the network as it is (redirects and downloads included) and is never
  // kept; when it cannot be reached, the short offline page answers instead of the browser's error.
  event.respondWith(fetch(request).catch(() => offlinePage()));
});

// The list page asks for the day's register pages it links to, so they open offline too.
scope.addEventListener('message', (event) => {
  const data = event.data as { type?: unknown; urls?: unknown } | null;
  if (data?.type !== 'keep' || !Array.isArray(data.urls)) return;
  const urls = data.urls.filter((u): u is string => typeof u === 'string').slice(0, 50);
  event.waitUntil(
    (async () => {
      for (const u of urls) {
        const url = new URL(u, scope.location.origin);
        if (url.origin !== scope.location.origin || !isRegisterPath(url.pathname)) continue;
        try {
          const response = await fetch(url.href, { credentials: 'same-origin' });
          await keep(url, response);
        } catch {
          // No connection: it is kept the next time the list opens online.
        }
      }
    })(),
  );
});

async function fromShell(request: Request, event: SwFetchEvent): Promise<Response> {
  const cache = await caches.open(SHELL);
  const cached = await cache.match(request, { ignoreSearch: true });
  const refresh = fetch(request).then(async (response) => {
    if (response.ok && response.type === 'basic') await cache.put(request, response.clone());
    return response;
  });
  if (cached) {
    event.waitUntil(refresh.catch(() => undefined));
    return cached;
  }
  return refresh;
}

/** The addresses a kept page is found under: a register by its path (and lesson); the list by its day. */
function keysOf(url: URL, day: string | null): string[] {
  if (url.pathname !== '/registers') return [registerKey(url)];
  const asked = url.searchParams.get('date');
  if (asked) return asked === day ? [`/registers?date=${asked}`, '/registers'] : [`/registers?date=${asked}`];
  return day ? ['/registers', `/registers?date=${day}`] : ['/registers'];
}

function lookupKey(url: URL): string {
  if (url.pathname !== '/registers') return registerKey(url);
  const asked = url.searchParams.get('date');
  return asked ? `/registers?date=${asked}` : '/registers';
}

/** Keeps a page the server allows to be kept (today's registers), and drops another day's. */
async function keep(url: URL, response: Response): Promise<void> {
  if (!response.ok || response.redirected || response.headers.get('x-rollcall-offline') !== 'keep') return;
  const day = response.headers.get(DAY);
  const headers = new Headers(response.headers);
  headers.set(KEPT_AT, String(now()));
  const body = await response.clone().blob();
  const cache = await caches.open(PAGES_CACHE);
  for (const key of keysOf(url, day))
    await cache.put(key, new Response(body, { status: 200, statusText: 'OK', headers }));
  for (const kept of await cache.keys()) {
    const r = await cache.match(kept);
    if (!r || (day && r.headers.get(DAY) !== day) || stale(r)) await cache.delete(kept);
  }
}

function stale(response: Response): boolean {
  const at = Number(response.headers.get(KEPT_AT));
  return !Number.isFinite(at) || now() - at > KEEP_MS;
}

async function keptPage(request: Request, url: URL): Promise<Response> {
  try {
    const response = await fetch(request);
    await keep(url, response);
    return response;
  } catch {
    const cache = await caches.open(PAGES_CACHE);
    const cached = await cache.match(lookupKey(url));
    if (cached && !stale(cached)) return cached;
    return offlinePage();
  }
}

/**
 * A register form posted: sent on at once; without a connection, stored on the device and the
 * register opened again (from the device) with `?offline=saved`, where the page shows it.
 */
async function saveOrQueue(request: Request, url: URL): Promise<Response> {
  const body = await request.clone().text();
  try {
    return await fetch(request);
  } catch {
    const form = new URLSearchParams(body);
    // "Mark all unmarked present" without JavaScript fills the form on the server: not a save.
    if (form.get('action') === 'allPresent') return offlinePage();
    const key = registerKey(url);
    const before = await getSave(key);
    await putSave({
      key,
      action: `${url.pathname}${url.search}`,
      body,
      savedAt: now(),
      status: 'queued',
      ...(before?.owner ? { owner: before.owner } : {}),
      ...(before?.title ? { title: before.title } : {}),
    });
    const back = new URL(key, url.origin);
    back.searchParams.set('offline', 'saved');
    return Response.redirect(back.href, 303);
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A page asked for without a connection that is not kept: what is, with links. */
async function offlinePage(): Promise<Response> {
  const cache = await caches.open(PAGES_CACHE);
  const links: string[] = [];
  for (const kept of await cache.keys()) {
    const response = await cache.match(kept);
    if (!response || stale(response)) continue;
    const title = /<title>([^<]*)<\/title>/.exec(await response.text())?.[1]?.replace(/ – Rollcall$/, '') ?? '';
    const path = new URL(kept.url).pathname + new URL(kept.url).search;
    if (path.startsWith('/registers?date=')) continue;
    links.push(`<li><a class="govuk-link" href="${escapeHtml(path)}">${title || escapeHtml(path)}</a></li>`);
  }
  const html = `<!DOCTYPE html>
<html lang="en" class="govuk-template"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>You are offline – Rollcall</title><link rel="stylesheet" href="/assets/govuk-frontend.min.css"></head>
<body class="govuk-template__body"><div class="govuk-width-container"><main class="govuk-main-wrapper" id="main-content">
<h1 class="govuk-heading-l">You are offline</h1>
<p class="govuk-body">This page is not kept on this device. It opens again when the connection returns.</p>
${
  links.length
    ? `<h2 class="govuk-heading-m">Kept on this device for today</h2><ul class="govuk-list">${links.join('')}</ul>`
    : '<p class="govuk-body">No registers are kept on this device: open today’s registers while connected to keep them.</p>'
}
</main></div></body></html>`;
  return new Response(html, { status: 503, headers: { 'content-type': 'text/html; charset=utf-8' } });
}
