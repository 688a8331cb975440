/**
 * The installable web app (docs/offline.md): its manifest, and the service worker at the root so
 * that it may look after every page of the site (`Service-Worker-Allowed: /`). The worker is
 * assets/sw.ts, bundled into public/assets/sw.js by the build; this route puts the list of the
 * app shell's files (and a version from their contents) in front of it, so a new release of any
 * style or script installs a new worker that fetches them again.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import { PUBLIC_DIR, SERVICE_NAME } from '../../http/app.js';
import { AppError } from '../../services/errors.js';

const requireFrom = createRequire(import.meta.url);
const GOVUK_ASSETS = join(dirname(requireFrom.resolve('govuk-frontend/package.json')), 'dist', 'govuk', 'assets');

/** GOV.UK's brand blue: the header's colour, the theme colour the page template sets. */
export const THEME_COLOUR = '#1d70b8';

export const MANIFEST = {
  name: SERVICE_NAME,
  short_name: SERVICE_NAME,
  description: 'School attendance: registers, follow-up, casework and returns.',
  id: '/',
  start_url: '/',
  scope: '/',
  display: 'standalone',
  background_color: '#ffffff',
  theme_color: THEME_COLOUR,
  icons: [
    { src: '/public/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
    { src: '/public/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
    { src: '/public/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
    { src: '/public/icons/icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' },
  ],
} as const;

function files(dir: string, pattern: RegExp): string[] {
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => pattern.test(f))
        .sort()
    : [];
}

/** The app shell: every style, script, font and icon a page of the site loads. Nothing personal. */
export function shellFiles(): { url: string; path: string }[] {
  const govuk = ['govuk-frontend.min.css', 'govuk-frontend.min.js'].map((f) => ({
    url: `/assets/${f}`,
    path: join(dirname(GOVUK_ASSETS), f),
  }));
  const moj = ['moj-frontend.min.css', 'moj-frontend.min.js'].map((f) => ({
    url: `/assets/${f}`,
    path: join(dirname(requireFrom.resolve('@ministryofjustice/frontend/package.json')), 'moj', f),
  }));
  const fonts = files(join(GOVUK_ASSETS, 'fonts'), /\.woff2$/).map((f) => ({
    url: `/assets/fonts/${f}`,
    path: join(GOVUK_ASSETS, 'fonts', f),
  }));
  const own = files(PUBLIC_DIR, /\.(?:css|js)$/).map((f) => ({ url: `/public/${f}`, path: join(PUBLIC_DIR, f) }));
  const bundled = files(join(PUBLIC_DIR, 'assets'), /\.(?:css|js)$/)
    .filter((f) => f !== 'sw.js')
    .map((f) => ({ url: `/public/assets/${f}`, path: join(PUBLIC_DIR, 'assets', f) }));
  const icons = files(join(PUBLIC_DIR, 'icons'), /\.(?:png|svg)$/).map((f) => ({
    url: `/public/icons/${f}`,
    path: join(PUBLIC_DIR, 'icons', f),
  }));
  return [...govuk, ...moj, ...fonts, ...own, ...bundled, ...icons].filter((f) => existsSync(f.path));
}

let worker: string | null = null;

/** The worker's script: the shell's list and version, then the bundled worker. */
export function workerScript(): string {
  if (worker !== null) return worker;
  const bundle = join(PUBLIC_DIR, 'assets', 'sw.js');
  if (!existsSync(bundle)) throw new AppError('NOT_FOUND', 'The service worker is built by `npm run build`.');
  const shell = shellFiles();
  const hash = createHash('sha256');
  for (const f of shell) hash.update(f.url).update(readFileSync(f.path));
  const source = readFileSync(bundle, 'utf8').replace(/\n\/\/# sourceMappingURL=.*\n?$/, '\n');
  hash.update(source);
  const version = hash.digest('hex').slice(0, 12);
  const prefix = `self.ROLLCALL_SHELL = ${JSON.stringify({ version, urls: shell.map((f) => f.url) })};\n`;
  worker = prefix + source;
  return worker;
}

export const offlineRoutes: FastifyPluginAsync = (app) => {
  app.get('/manifest.webmanifest', { config: { public: true } }, (_request, reply) =>
    reply
      .type('application/manifest+json; charset=utf-8')
      .header('cache-control', 'public, max-age=3600')
      .send(JSON.stringify(MANIFEST)),
  );

  app.get('/sw.js', { config: { public: true } }, (_request, reply) => {
    // While editing (RELOAD_TEMPLATES), the worker follows the rebuilt assets.
    if (app.deps.config.reloadTemplates) worker = null;
    return (
      reply
        .type('text/javascript; charset=utf-8')
        // The worker lives at the root, so it may look after every page; the browser checks for
        // a new one on every visit rather than keeping this file.
        .header('service-worker-allowed', '/')
        .header('cache-control', 'no-cache')
        .send(workerScript())
    );
  });
  return Promise.resolve();
};
