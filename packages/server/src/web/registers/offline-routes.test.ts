/**
 * The installable app and what the device may keep (docs/offline.md): the manifest, the worker's
 * script and headers, and the pages the server lets the worker keep (today's registers and list
 * only). The worker itself is exercised in Chromium by e2e/offline-register.e2e.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pagesHarness, type PagesHarness } from '../../../test/web-pages.js';
import { offlineRoutes } from './offline-routes.js';
import { pupilRoutes } from '../pupils/pupil-routes.js';
import { registerRoutes } from './register-routes.js';

// Monday 8 September 2025, 08:55 in London: the AM register is open.
const MONDAY = '2025-09-08T07:55:00.000Z';

describe('the installable app and the pages kept offline', () => {
  let t: PagesHarness;
  beforeAll(async () => {
    t = await pagesHarness([registerRoutes, pupilRoutes, offlineRoutes], 'offline', MONDAY);
  });
  afterAll(async () => {
    await t.close();
  });

  it('serves a web app manifest, without signing in, with PNG icons of the sizes it names', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/manifest.webmanifest' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/manifest+json; charset=utf-8');
    const manifest = JSON.parse(res.body) as {
      name: string;
      start_url: string;
      display: string;
      theme_color: string;
      icons: { src: string; sizes: string; type: string }[];
    };
    expect(manifest).toMatchObject({ name: 'Rollcall', start_url: '/', display: 'standalone', theme_color: '#1d70b8' });
    const pngs = manifest.icons.filter((i) => i.type === 'image/png');
    expect(pngs.map((i) => i.sizes)).toEqual(expect.arrayContaining(['192x192', '512x512']));
    for (const icon of manifest.icons) {
      const file = await t.app.inject({ method: 'GET', url: icon.src });
      expect(file.statusCode, icon.src).toBe(200);
      expect(file.headers['content-type'], icon.src).toContain(icon.type);
      if (icon.type === 'image/png') {
        // The PNG's own header says its width and height.
        const [w, h] = icon.sizes.split('x').map(Number);
        expect([file.rawPayload.readUInt32BE(16), file.rawPayload.readUInt32BE(20)], icon.src).toEqual([w, h]);
      }
    }
  });

  it('serves the service worker at the root: JavaScript, allowed the whole site, never kept stale', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/sw.js' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(res.headers['service-worker-allowed']).toBe('/');
    expect(res.headers['cache-control']).toBe('no-cache');
    const m = /^self\.ROLLCALL_SHELL = (.*);\n/.exec(res.body);
    const shell = JSON.parse(m?.[1] ?? 'null') as { version: string; urls: string[] } | null;
    expect(shell?.version).toMatch(/^[0-9a-f]{12}$/);
    const urls = shell?.urls ?? [];
    expect(urls).toEqual(
      expect.arrayContaining([
        '/assets/govuk-frontend.min.css',
        '/public/rollcall.css',
        '/public/register.css',
        '/public/assets/register.js',
        '/public/assets/offline.js',
      ]),
    );
    expect(urls.some((u) => u.startsWith('/assets/fonts/') && u.endsWith('.woff2'))).toBe(true);
    // Only the shell: no page, and every file in it is served to anyone (nothing personal).
    for (const url of urls) {
      expect(url).toMatch(/^\/(?:assets|public)\//);
      expect((await t.app.inject({ method: 'GET', url })).statusCode, url).toBe(200);
    }
    expect(res.body).not.toContain('sourceMappingURL');
  });

  it('lets the device keep today’s register and today’s list, and nothing else', async () => {
    const s = await t.signInAs('teacher');
    const today = await t.get(`/registers/${t.school.groupA}/2025-09-08/AM`, s);
    expect(today.statusCode).toBe(200);
    expect(today.headers['x-rollcall-offline']).toBe('keep');
    expect(today.headers['x-rollcall-offline-day']).toBe('2025-09-08');
    expect(today.body).toContain('data-outcome=""');
    expect(today.body).toContain('data-offline-status');

    const list = await t.get('/registers', s);
    expect(list.headers['x-rollcall-offline']).toBe('keep');
    expect(list.body).toContain('data-offline-list');

    // Another day, a pupil's page, the home page: never kept.
    const friday = await t.get(`/registers/${t.school.groupA}/2025-09-05/AM`, s);
    expect(friday.statusCode).toBe(200);
    expect(friday.headers['x-rollcall-offline']).toBeUndefined();
    expect((await t.get('/registers?date=2025-09-05', s)).headers['x-rollcall-offline']).toBeUndefined();
    const pupil = await t.get(`/pupils/${t.school.pupilsA[0]}`, s);
    expect(pupil.statusCode).toBe(200);
    expect(pupil.headers['x-rollcall-offline']).toBeUndefined();
    expect((await t.get('/', s)).headers['x-rollcall-offline']).toBeUndefined();
  });

  it('asks the device to keep the registers of a teacher’s own list only', async () => {
    const s = await t.signInAs('office');
    const list = await t.get('/registers', s);
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain('data-offline-list');
  });

  it('says on the page what a save came to, for a save sent from the device', async () => {
    const s = await t.signInAs('teacher');
    const url = `/registers/${t.school.groupA}/2025-09-08/AM`;
    const page = await t.get(url, s);
    const version = /name="version" value="(\d+)"/.exec(page.body)?.[1] ?? '0';
    const [first] = t.school.pupilsA;
    const saved = await t.post(url, s, { version, [`code_${first}`]: '/', [`seen_${first}`]: '', action: 'save' });
    expect(saved.statusCode).toBe(303);
    const after = await t.get(saved.headers.location!, s);
    expect(after.body).toContain('data-outcome="saved"');
    expect(after.body).toContain('data-saved-banner');

    // The same save again, from the version the page had: someone saved meanwhile (this user).
    const stale = await t.post(url, s, { version, [`code_${first}`]: 'N', [`seen_${first}`]: '', action: 'save' });
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toContain('data-outcome="conflict"');
    expect(stale.headers['x-rollcall-offline']).toBeUndefined();
  });

  it('names the signed-in account on the sign-out form, for the device’s stored saves', async () => {
    const s = await t.signInAs('teacher');
    const home = await t.get('/', s);
    expect(home.body).toContain(`data-offline-owner="${t.school.actors.teacher.userId}"`);
    expect(home.body).toContain('<link rel="manifest" href="/manifest.webmanifest">');
    expect(home.body).toContain('/public/assets/offline.js');
  });
});
