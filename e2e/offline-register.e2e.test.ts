/**
 * Registers without a connection (issue 17, docs/offline.md): the service worker keeps today's
 * register, it opens with the network cut, marks saved then wait on the device ("Saved on this
 * device, not sent") and go to the server through the same save and its conflict rules when the
 * network returns. The network is cut with Playwright's `context.setOffline`, which cuts the
 * service worker's own requests too.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegisterPage } from './pages/register.js';
import { SignInPage } from './pages/sign-in.js';
import { browserAvailable, launch } from './support/browser.js';
import { axeViolations } from './support/reflow.js';
import { PASSWORD, startServer, type TestServer } from './support/server.js';

const run = browserAvailable();
const DATE = '2025-09-08';

/** The saves stored on the device (IndexedDB), as the page sees them. */
function storedSaves(page: Page): Promise<{ key: string; status: string; title?: string }[]> {
  // Strings, not functions: the browser tests are typed without the DOM library.
  return page.evaluate(`new Promise((resolve, reject) => {
    const open = indexedDB.open('rollcall-offline', 1);
    open.onupgradeneeded = () => open.result.createObjectStore('saves', { keyPath: 'key' });
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const all = db.transaction('saves').objectStore('saves').getAll();
      all.onsuccess = () => { db.close(); resolve(all.result.map((s) => ({ key: s.key, status: s.status, title: s.title }))); };
      all.onerror = () => reject(all.error);
    };
  })`);
}

/** The addresses of the pages kept on the device for offline use. */
function keptPages(page: Page): Promise<string[]> {
  return page.evaluate(
    `caches.open('rollcall-pages-v1').then((c) => c.keys()).then((ks) => ks.map((k) => new URL(k.url).pathname + new URL(k.url).search))`,
  );
}

/** Waits for the page's offline script to have read the device (assets/offline.ts marks the form). */
async function settled(page: Page): Promise<void> {
  await page.locator('form[data-offline-ready]').waitFor({ state: 'attached' });
}

/** Reads until the value is right (10 s); a read interrupted by the page navigating is read again. */
async function waitFor<T>(what: string, read: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  let last: { value: T } | { error: string } = { error: 'not read yet' };
  for (let i = 0; i < 100; i++) {
    try {
      last = { value: await read() };
      if (ok(last.value)) return last.value;
    } catch (e) {
      last = { error: String(e) };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}: ${JSON.stringify(last)}`);
}

async function marksOnServer(server: TestServer, groupPupils: readonly string[]): Promise<Record<string, string>> {
  const rows = await server.db
    .selectFrom('session_marks')
    .innerJoin('pupils', 'pupils.id', 'session_marks.pupil_id')
    .select(['pupils.legal_surname as surname', 'session_marks.code'])
    .where('session_marks.date', '=', DATE)
    .where('session_marks.session', '=', 'AM')
    .where('session_marks.pupil_id', 'in', [...groupPupils])
    .execute();
  return Object.fromEntries(rows.map((r) => [r.surname, r.code]));
}

describe.skipIf(!run)('registers without a connection', () => {
  let server: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    server = await startServer('2025-09-08T07:55:00Z');
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** A teacher signed in, with today's register opened once online (so the device keeps it). */
  async function teacherWithRegister(): Promise<{ context: BrowserContext; page: Page; register: RegisterPage }> {
    const context = await browser.newContext();
    const page = await context.newPage();
    await new SignInPage(page, server.url).signIn(server.email('teacher'), PASSWORD);
    await page.evaluate('navigator.serviceWorker.ready');
    await waitFor(
      'the worker to control the page',
      () => page.evaluate<boolean>('!!navigator.serviceWorker.controller'),
      Boolean,
    );
    // The day's list, under the worker's control: kept, and it asks the worker to keep the registers it links to.
    await page.goto(`${server.url}/registers`);
    const register = new RegisterPage(page, server.url);
    await waitFor(
      'the register to be kept',
      () => keptPages(page),
      (k) => k.includes(`/registers/${server.school.groupA}/${DATE}/AM`),
    );
    await register.open(server.school.groupA, DATE, 'AM');
    return { context, page, register };
  }

  it('is an installable web app: a manifest with icons, a worker at the root', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await new SignInPage(page, server.url).signIn(server.email('teacher'), PASSWORD);
    const manifestHref = await page.locator('link[rel="manifest"]').getAttribute('href');
    expect(manifestHref).toBe('/manifest.webmanifest');
    const manifest = await page.request.get(`${server.url}${manifestHref}`);
    expect(manifest.headers()['content-type']).toContain('application/manifest+json');
    const body = (await manifest.json()) as { name: string; icons: { src: string; sizes: string }[] };
    expect(body.name).toBe('Rollcall');
    for (const icon of body.icons) expect((await page.request.get(`${server.url}${icon.src}`)).status()).toBe(200);
    await page.evaluate('navigator.serviceWorker.ready');
    expect(await page.evaluate<string>('navigator.serviceWorker.ready.then((r) => r.scope)')).toBe(`${server.url}/`);
    // Chromium's own verdict on installability: no errors.
    const cdp = await context.newCDPSession(page);
    const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as {
      installabilityErrors: { errorId: string }[];
    };
    // (A Playwright context is an incognito profile, where Chromium never offers to install.)
    expect(installabilityErrors.map((e) => e.errorId).filter((e) => e !== 'in-incognito')).toEqual([]);
    await context.close();
  });

  it('takes a register offline, keeps the marks on the device, and sends them when the network returns', async () => {
    server.clock.set('2025-09-08T07:55:00Z');
    const { context, page, register } = await teacherWithRegister();
    // The day's list is kept too, and only register pages and the list are kept: no pupil page.
    await page.goto(`${server.url}/pupils/${server.school.pupilsA[0]}`);
    const kept = await keptPages(page);
    expect(kept).toContain('/registers');
    expect(kept.every((k) => k.startsWith('/registers'))).toBe(true);
    await register.open(server.school.groupA, DATE, 'AM');

    await context.setOffline(true);
    await page.reload();
    await settled(page);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('Year 3 Oak – AM register');
    expect(await page.getByTestId('offline-notice').textContent()).toContain('You are offline');

    await register.pressOnRow('Baker, Bea', 'a');
    await register.pressOnRow('Cole, Cal', 'l');
    await register.markAllPresent();
    await register.save();
    await page.waitForURL(/offline=saved/);
    await settled(page);
    const saved = page.getByTestId('offline-saved');
    expect(await saved.textContent()).toContain('saved on this device, not sent (3 marks changed');
    expect(await register.row('Baker, Bea').textContent()).toContain('Saved on this device, not sent');
    expect(await storedSaves(page)).toEqual([
      { key: `/registers/${server.school.groupA}/${DATE}/AM`, status: 'queued', title: 'Year 3 Oak – AM register' },
    ]);
    expect(await marksOnServer(server, server.school.pupilsA)).toEqual({});
    // The banners and row tags added on the device keep the page accessible.
    expect(await axeViolations(page)).toEqual([]);

    // Still offline, the page opens again from the device with the marks on it.
    await page.reload();
    await settled(page);
    expect(await register.checkedCode('Baker, Bea')).toBe('N');
    expect(await register.checkedCode('Cole, Cal')).toBe('L');
    expect(await register.checkedCode('Able, Alex')).toBe('/');
    expect(await page.getByTestId('offline-saved').count()).toBe(1);
    // Another page asked for offline says so, and lists what the device keeps.
    await page.goto(`${server.url}/pupils/${server.school.pupilsA[0]}`);
    await page.getByRole('heading', { level: 1, name: 'You are offline' }).waitFor();
    expect(await page.getByRole('link', { name: 'Year 3 Oak – AM register' }).count()).toBe(1);
    await page.goBack();

    // The network returns: the register opens afresh and the stored save is sent.
    await context.setOffline(false);
    await page.waitForURL(/saved=3/);
    expect(await register.banner().first().textContent()).toContain('Register saved: 3 marks changed');
    expect(await marksOnServer(server, server.school.pupilsA)).toEqual({ Able: '/', Baker: 'N', Cole: 'L' });
    await waitFor(
      'the device to forget the sent save',
      () => storedSaves(page),
      (s) => s.length === 0,
    );

    // Signing out forgets the kept pages.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/sign-in/);
    await waitFor(
      'the kept pages to be gone',
      () => keptPages(page),
      (k) => k.length === 0,
    );
    await context.close();
  });

  it('a save sent after the office changed the same pupil meets the conflict, and nothing is overwritten', async () => {
    server.clock.set('2025-09-08T08:05:00Z');
    const { context, page, register } = await teacherWithRegister();
    // The register as the first test left it.
    const before = await marksOnServer(server, server.school.pupilsA);
    expect(before).toEqual({ Able: '/', Baker: 'N', Cole: 'L' });

    // Offline, the teacher marks Baker present and Able late, and saves on the device.
    await context.setOffline(true);
    await page.reload();
    await settled(page);
    await register.pressOnRow('Baker, Bea', 'p');
    await register.pressOnRow('Able, Alex', 'l');
    await register.save();
    await page.waitForURL(/offline=saved/);
    await settled(page);
    expect(await page.getByTestId('offline-saved').textContent()).toContain('2 marks changed');

    // Meanwhile the office, online, marks Baker late on the same register.
    const office = await browser.newContext();
    const officePage = await office.newPage();
    await new SignInPage(officePage, server.url).signIn(server.email('office'), PASSWORD);
    const officeRegister = new RegisterPage(officePage, server.url);
    await officeRegister.open(server.school.groupA, DATE, 'AM');
    await officeRegister.pressOnRow('Baker, Bea', 'l');
    await officeRegister.save();
    expect(await officeRegister.banner().first().textContent()).toContain('Register saved');
    await office.close();
    const officeMarks = await marksOnServer(server, server.school.pupilsA);
    expect(officeMarks['Baker']).toBe('L');

    // The network returns: the stored save is sent and meets the office's change.
    await context.setOffline(false);
    await page.getByText('Someone else saved this register').waitFor();
    const conflict = register.banner().first();
    expect(await conflict.textContent()).toContain('Bea Baker: now L');
    expect(await page.getByTestId('offline-answered').textContent()).toContain('were sent and not saved');
    // Nothing of the teacher's was saved: Baker keeps the office's L, Able has no new mark.
    expect(await marksOnServer(server, server.school.pupilsA)).toEqual(officeMarks);
    expect(officeMarks['Able']).toBe(before['Able']);
    // The page shows the office's mark for Baker and keeps the teacher's own for Able, to choose.
    expect(await register.checkedCode('Baker, Bea')).toBe('L');
    expect(await register.checkedCode('Able, Alex')).toBe('L');
    expect(await storedSaves(page)).toMatchObject([{ status: 'conflict' }]);
    expect(await axeViolations(page)).toEqual([]);

    // The teacher chooses: keeps the office's late mark, saves; the device forgets the save.
    await register.save();
    await page.waitForURL(/saved=/);
    const after = await marksOnServer(server, server.school.pupilsA);
    expect(after).toMatchObject({ Baker: 'L', Able: 'L' });
    await waitFor(
      'the device to forget the save',
      () => storedSaves(page),
      (s) => s.length === 0,
    );
    await context.close();
  });

  it('keeps the marks when the session ended meanwhile, asks to sign in, then sends them', async () => {
    server.clock.set('2025-09-08T08:10:00Z');
    const { context, page, register } = await teacherWithRegister();
    expect((await marksOnServer(server, server.school.pupilsA))['Cole']).toBe('L');

    await context.setOffline(true);
    await page.reload();
    await settled(page);
    await register.pressOnRow('Cole, Cal', 'p');
    await register.save();
    await page.waitForURL(/offline=saved/);
    await settled(page);

    // The session ends while the device is offline (8 hours pass, or it is revoked).
    await server.db.deleteFrom('auth_sessions').execute();
    await context.setOffline(false);

    // Sending meets the sign-in page, which says marks wait on this device. (The register is its
    // `next` when the page opened afresh; when the kept page posted first, the home page follows.)
    await page.waitForURL(/\/sign-in/);
    expect(await page.getByTestId('offline-waiting').textContent()).toContain(
      'saved on this device and not sent. Sign in to send them.',
    );
    expect(await storedSaves(page)).toHaveLength(1);
    expect((await marksOnServer(server, server.school.pupilsA))['Cole']).toBe('L');

    // Signed in again, they are sent.
    await page.getByRole('textbox', { name: 'Email address' }).fill(server.email('teacher'));
    await page.getByRole('textbox', { name: 'Password' }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
    await waitFor(
      'the device to send the save',
      () => storedSaves(page),
      (s) => s.length === 0,
    );
    expect((await marksOnServer(server, server.school.pupilsA))['Cole']).toBe('/');
    await context.close();
  });

  it('sends what waits from another page when the connection returns, and keeps the register afresh', async () => {
    server.clock.set('2025-09-08T08:15:00Z');
    const { context, page, register } = await teacherWithRegister();
    expect((await marksOnServer(server, server.school.pupilsA))['Able']).toBe('L');

    await context.setOffline(true);
    await page.reload();
    await settled(page);
    await register.pressOnRow('Able, Alex', 'p');
    await register.save();
    await page.waitForURL(/offline=saved/);
    await settled(page);

    // The day's list, offline, from the device: it names the register waiting to be sent.
    await page.goto(`${server.url}/registers`);
    const waiting = page.getByTestId('offline-waiting');
    expect(await waiting.textContent()).toContain('Year 3 Oak – AM register (open it to send)');
    expect(await axeViolations(page)).toEqual([]);

    // The connection returns while the teacher is on the list: the save is sent from there.
    await context.setOffline(false);
    await waitFor(
      'the device to send the save',
      () => storedSaves(page),
      (s) => s.length === 0,
    );
    expect((await marksOnServer(server, server.school.pupilsA))['Able']).toBe('/');
    await waiting.waitFor({ state: 'detached' });

    // The register kept on the device is the one just saved: offline again, it opens with Able present.
    await context.setOffline(true);
    await register.open(server.school.groupA, DATE, 'AM');
    await settled(page);
    expect(await register.checkedCode('Able, Alex')).toBe('/');
    expect(await page.getByTestId('offline-saved').count()).toBe(0);
    await context.close();
  });

  it('signing out with marks not sent asks first, then deletes them and the kept pages, even offline', async () => {
    server.clock.set('2025-09-08T08:20:00Z');
    const { context, page, register } = await teacherWithRegister();
    await context.setOffline(true);
    await page.reload();
    await settled(page);
    await register.pressOnRow('Baker, Bea', 'a');
    await register.save();
    await page.waitForURL(/offline=saved/);
    await settled(page);

    const asked: string[] = [];
    page.once('dialog', (dialog) => {
      asked.push(dialog.message());
      void dialog.accept();
    });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await waitFor(
      'the question',
      () => Promise.resolve(asked.length),
      (n) => n === 1,
    );
    expect(asked[0]).toContain('are saved on this device and not sent. Signing out deletes them.');
    // Back online on the site: nothing of the register is left on the device. (Chromium may send
    // the sign-out itself when the network returns, interrupting the first visit.)
    await context.setOffline(false);
    for (let i = 0; i < 3 && !page.url().startsWith(server.url); i++)
      await page.goto(`${server.url}/healthz`).catch(() => undefined);
    await waitFor(
      'the device to forget',
      () => storedSaves(page),
      (s) => s.length === 0,
    );
    await waitFor(
      'the kept pages to be gone',
      () => keptPages(page),
      (k) => k.length === 0,
    );
    await context.close();
  });
});
