/**
 * Registers without a connection, the page's side (docs/offline.md; the worker is sw.ts).
 *
 * - Signed in, the page registers the service worker; the day's list of registers asks it to
 *   keep the register pages it links to.
 * - A register page shows a save stored on the device (the worker stored it when the form was
 *   posted without a connection): the marks put back in the form, "Saved on this device, not
 *   sent" for the register and on each pupil whose mark it changes. With a connection the form
 *   is posted as it was, to the same address, with the version and the marks the teacher saw
 *   then: the server's own conflict rules decide, and its answer (saved, or the conflict page)
 *   is the page that opens. A save that met a conflict is not sent again by itself.
 * - Every other page sends the saves waiting on the device when the connection is there (on
 *   load and on the `online` event), the same form to the same address, and lists what is left
 *   (a conflict to open and choose); the sign-in page says to sign in to send them.
 * - Signing out deletes the kept pages and the stored saves (after asking, if some are unsent).
 *
 * Without JavaScript none of this happens, and nothing is kept on the device.
 */
import {
  allSaves,
  clearSaves,
  deleteSave,
  getSave,
  PAGES_CACHE,
  putSave,
  registerKey,
  type QueuedSave,
} from './lib/offline-store.js';

const SUPPORTED = 'serviceWorker' in navigator && 'indexedDB' in window && 'caches' in window;

function signOutForm(): HTMLFormElement | null {
  return document.querySelector<HTMLFormElement>('form[action="/sign-out"]');
}

/** The signed-in account's id (from the sign-out form), or null when signed out. */
function currentOwner(): string | null {
  return signOutForm()?.dataset['offlineOwner'] ?? null;
}

function mine(save: QueuedSave, owner: string | null): boolean {
  return !save.owner || save.owner === owner;
}

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

let bannerCount = 0;

/** A GOV.UK notification banner (role region, labelled by its title). */
function banner(title: string, body: Node[], testId: string): HTMLElement {
  const id = `offline-banner-title-${++bannerCount}`;
  return el(
    'div',
    {
      class: 'govuk-notification-banner',
      role: 'region',
      'aria-labelledby': id,
      'data-testid': testId,
    },
    el(
      'div',
      { class: 'govuk-notification-banner__header' },
      el('h2', { class: 'govuk-notification-banner__title', id }, title),
    ),
    el('div', { class: 'govuk-notification-banner__content' }, ...body),
  );
}

function whenSaved(save: QueuedSave): string {
  const at = new Date(save.savedAt);
  return at.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
}

// ---------------------------------------------------------------------------------------------
// The register page
// ---------------------------------------------------------------------------------------------

interface RowChange {
  readonly pupilId: string;
  readonly changed: boolean;
}

/** Puts a stored save back into the form: marks, minutes, reasons, and the version and marks seen then. */
function overlay(form: HTMLFormElement, save: QueuedSave): RowChange[] {
  const sent = new URLSearchParams(save.body);
  const pupils = [...form.querySelectorAll<HTMLElement>('[data-pupil-row]')].map((r) => r.dataset['pupilRow'] ?? '');
  const version = form.querySelector<HTMLInputElement>('input[name="version"]');
  if (version && sent.has('version')) version.value = sent.get('version') ?? '';
  const out: RowChange[] = [];
  for (const id of pupils) {
    // A pupil the stored form did not have (joined since): left as the page shows them.
    if (!sent.has(`seen_${id}`)) continue;
    const set = (name: string) => {
      const input = form.querySelector<HTMLInputElement>(`input[name="${CSS.escape(name)}"]`);
      if (input) input.value = sent.get(name) ?? '';
    };
    set(`seen_${id}`);
    set(`seenMinutes_${id}`);
    set(`minutes_${id}`);
    set(`reason_${id}`);
    const quick = sent.get(`code_${id}`) ?? '';
    form.querySelectorAll<HTMLInputElement>(`input[type=radio][name="${CSS.escape(`code_${id}`)}"]`).forEach((r) => {
      r.checked = r.value === quick;
    });
    const other = form.querySelector<HTMLSelectElement>(`select[name="${CSS.escape(`other_${id}`)}"]`);
    if (other) other.value = sent.get(`other_${id}`) ?? '';
    const code = (sent.get(`other_${id}`) ?? '') || quick;
    const minutes = sent.get(`minutes_${id}`) ?? '';
    const changed =
      code !== (sent.get(`seen_${id}`) ?? '') ||
      (code !== '' && minutes !== '' && minutes !== (sent.get(`seenMinutes_${id}`) ?? ''));
    out.push({ pupilId: id, changed });
  }
  // The unmarked count and the row states follow the form (assets/register.ts listens for change).
  form.querySelector('[data-pupil-row]')?.dispatchEvent(new Event('change', { bubbles: true }));
  delete form.dataset['dirty'];
  return out;
}

function markRows(form: HTMLFormElement, rows: readonly RowChange[]): void {
  form.querySelectorAll('[data-offline-row]').forEach((t) => t.remove());
  for (const r of rows) {
    if (!r.changed) continue;
    const head = form.querySelector(`[data-pupil-row="${CSS.escape(r.pupilId)}"] th`);
    head?.append(
      el('br'),
      el('strong', { class: 'govuk-tag govuk-tag--yellow', 'data-offline-row': '' }, 'Saved on this device, not sent'),
    );
  }
}

/** How long a register page with a stored save waits before trying the server again. */
const RETRY_MS = 5000;

function statusArea(): HTMLElement | null {
  return document.querySelector<HTMLElement>('[data-offline-status]');
}

function showStatus(...nodes: HTMLElement[]): void {
  const area = statusArea();
  if (area) area.replaceChildren(...nodes);
}

function saveButton(form: HTMLFormElement): HTMLButtonElement | null {
  return form.querySelector<HTMLButtonElement>('button[name="action"][value="save"]');
}

async function send(form: HTMLFormElement, save: QueuedSave): Promise<void> {
  await putSave({ ...save, status: 'sending' });
  form.requestSubmit(saveButton(form) ?? undefined);
}

function showSaved(form: HTMLFormElement, save: QueuedSave, rows: readonly RowChange[]): void {
  const changed = rows.filter((r) => r.changed).length;
  const online = navigator.onLine;
  const body: HTMLElement[] = [
    el(
      'p',
      { class: 'govuk-notification-banner__heading' },
      `Your marks for this register are saved on this device, not sent (${changed} mark${changed === 1 ? '' : 's'} changed, saved at ${whenSaved(save)}).`,
    ),
  ];
  if (save.status === 'conflict') {
    body.push(
      el(
        'p',
        { class: 'govuk-body' },
        'They were sent once and met marks someone else changed meanwhile: nothing was saved. Send them again to see those changes and choose, or discard them.',
      ),
    );
  } else {
    body.push(
      el(
        'p',
        { class: 'govuk-body' },
        online
          ? 'They are sent when you choose “Send now”.'
          : 'You are offline. They are sent when the connection returns; keep this device until then.',
      ),
    );
  }
  const sendNow = el(
    'button',
    { type: 'button', class: 'govuk-button govuk-!-margin-bottom-0 govuk-!-margin-right-2' },
    'Send now',
  );
  sendNow.addEventListener('click', () => void send(form, save));
  const discard = el(
    'button',
    { type: 'button', class: 'govuk-button govuk-button--warning govuk-!-margin-bottom-0' },
    'Discard the marks on this device',
  );
  discard.addEventListener('click', () => {
    void deleteSave(save.key).then(() => location.replace(save.key));
  });
  body.push(el('div', { class: 'govuk-button-group govuk-!-margin-bottom-0' }, sendNow, discard));
  showStatus(banner('Saved on this device, not sent', body, 'offline-saved'));
}

function showOffline(): void {
  showStatus(
    banner(
      'You are offline',
      [
        el(
          'p',
          { class: 'govuk-body govuk-!-margin-bottom-0' },
          'You can still take this register: “Save register” keeps the marks on this device and they are sent when the connection returns.',
        ),
      ],
      'offline-notice',
    ),
  );
}

async function registerPage(form: HTMLFormElement, startedOffline: boolean): Promise<void> {
  const url = new URL(location.href);
  const key = registerKey(url);
  const owner = currentOwner();
  const outcome = form.dataset['outcome'] ?? '';
  // A page kept on the device shows the "Register saved" of the visit that kept it: not now.
  if (!url.searchParams.has('saved')) document.querySelectorAll('[data-saved-banner]').forEach((b) => b.remove());

  let save = await getSave(key);
  if (save && !mine(save, owner)) save = undefined;
  if (save && (!save.owner || !save.title)) {
    save = { ...save, owner: save.owner ?? owner ?? undefined, title: save.title ?? form.dataset['registerTitle'] };
    await putSave(save);
  }

  if (outcome === 'saved') {
    // The server saved the register: a save that was sent from here is done, and forgotten.
    if (save && save.status !== 'queued') await deleteSave(key);
    form.dataset['offlineReady'] = 'true';
    return;
  }
  if (outcome === 'conflict' || outcome === 'invalid') {
    // The server's answer to a save sent from the device: its page shows the conflict (or what
    // to correct) with the teacher's marks kept for everyone else; the teacher saves from it.
    if (save?.status === 'sending') {
      await putSave({ ...save, status: 'conflict' });
      showStatus(
        banner(
          'Marks taken without a connection',
          [
            el(
              'p',
              { class: 'govuk-body govuk-!-margin-bottom-0' },
              'Your marks saved on this device were sent and not saved: see why above, check the register and save it.',
            ),
          ],
          'offline-answered',
        ),
      );
    }
    return;
  }

  if (save) {
    showSaved(form, save, markRowsAfter(form, save));
    // With a connection (and not just back from a failed try), send at once.
    if (navigator.onLine && save.status !== 'conflict' && !url.searchParams.has('offline')) {
      await send(form, save);
      return;
    }
  } else if (!navigator.onLine) {
    showOffline();
  }

  window.addEventListener('offline', () => {
    if (!statusArea()?.querySelector('[data-testid="offline-saved"]')) showOffline();
  });
  const connectionBack = () => {
    void (async () => {
      // "Online" only says a network is there: check the server answers before leaving the page.
      if (!(await serverAnswers())) return;
      const waiting = await getSave(key);
      if (form.dataset['dirty'] === 'true') {
        // Marks changed and not saved: the teacher saves them (they go straight to the server).
        showStatus(
          banner(
            'The connection is back',
            [el('p', { class: 'govuk-body govuk-!-margin-bottom-0' }, 'Save the register to send your marks.')],
            'offline-back',
          ),
        );
        return;
      }
      // Open the register afresh from the server (signing in first if the session has ended):
      // the page sends the stored save from there.
      if (waiting && waiting.status !== 'conflict') location.replace(key);
      else if (!waiting) statusArea()?.replaceChildren();
    })();
  };
  window.addEventListener('online', connectionBack);
  // The connection came back while this page was still reading the device.
  if (startedOffline && navigator.onLine) connectionBack();
  // Stored although the browser says it is online (a network that does not reach the server):
  // try again in a few seconds.
  else if (save && save.status !== 'conflict' && navigator.onLine) window.setTimeout(connectionBack, RETRY_MS);
  form.dataset['offlineReady'] = 'true';
}

/** Whether the server answers now (the health check is never kept by the worker). */
async function serverAnswers(): Promise<boolean> {
  try {
    return (await fetch('/healthz', { cache: 'no-store' })).ok;
  } catch {
    return false;
  }
}

function markRowsAfter(form: HTMLFormElement, save: QueuedSave): RowChange[] {
  const rows = overlay(form, save);
  markRows(form, rows);
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Every page: what waits on the device; the list keeps its registers; signing out forgets.
// ---------------------------------------------------------------------------------------------

/**
 * Sends a stored save from a page other than its register (the list, the home page) when the
 * connection is there: the same form to the same address, with this page's CSRF token. Saved:
 * forgotten, and the register kept afresh on the device. A conflict or a refusal: kept, marked
 * for the teacher to open and choose. No answer, or the sign-in page: kept as it is.
 */
async function sendInBackground(save: QueuedSave): Promise<void> {
  const csrf = signOutForm()?.querySelector<HTMLInputElement>('input[name="_csrf"]')?.value;
  if (!csrf) return;
  const body = new URLSearchParams(save.body);
  body.set('_csrf', csrf);
  body.set('action', 'save');
  let response: Response;
  try {
    response = await fetch(save.action, { method: 'POST', body, credentials: 'same-origin' });
  } catch {
    return;
  }
  const answered = new URL(response.url);
  if (
    response.ok &&
    answered.pathname === new URL(save.key, location.origin).pathname &&
    answered.searchParams.has('saved')
  ) {
    await deleteSave(save.key);
    const registration = await navigator.serviceWorker.getRegistration();
    registration?.active?.postMessage({ type: 'keep', urls: [new URL(save.key, location.origin).href] });
  } else if (response.status === 409 || response.status === 400) {
    await putSave({ ...save, status: 'conflict' });
  }
}

let sendingInBackground = false;

/** Sends what waits (not the register on this page: it sends its own), then lists what is left. */
async function sendWaiting(): Promise<void> {
  const owner = currentOwner();
  if (owner === null || !navigator.onLine || sendingInBackground) return;
  sendingInBackground = true;
  try {
    const here = document.querySelector('form[data-register]') ? registerKey(new URL(location.href)) : null;
    const saves = (await allSaves()).filter((s) => s.key !== here && s.owner === owner && s.status !== 'conflict');
    for (const save of saves) await sendInBackground(save);
  } finally {
    sendingInBackground = false;
  }
  await waitingBanner();
}

async function waitingBanner(): Promise<void> {
  document.querySelectorAll('[data-testid="offline-waiting"]').forEach((b) => b.remove());
  const owner = currentOwner();
  const here = document.querySelector('form[data-register]') ? registerKey(new URL(location.href)) : null;
  const saves = (await allSaves()).filter((s) => s.key !== here && (owner === null || mine(s, owner)));
  if (saves.length === 0) return;
  const main = document.querySelector('main');
  if (!main) return;
  let body: HTMLElement[];
  if (owner === null) {
    body = [
      el(
        'p',
        { class: 'govuk-body govuk-!-margin-bottom-0' },
        `Marks for ${saves.length === 1 ? 'a register' : `${saves.length} registers`} taken without a connection are saved on this device and not sent. Sign in to send them.`,
      ),
    ];
  } else {
    const items = saves.map((s) =>
      el(
        'li',
        {},
        el('a', { class: 'govuk-link', href: s.key }, s.title ?? 'A register'),
        s.status === 'conflict' ? ' (someone changed marks meanwhile: open it to choose)' : ' (open it to send)',
      ),
    );
    body = [
      el('p', { class: 'govuk-body' }, 'Marks taken without a connection, saved on this device and not sent:'),
      el('ul', { class: 'govuk-list govuk-!-margin-bottom-0' }, ...items),
    ];
  }
  main.prepend(banner('Saved on this device, not sent', body, 'offline-waiting'));
}

function keepTheDaysRegisters(): void {
  const list = document.querySelector<HTMLElement>('[data-offline-list]');
  if (!list) return;
  const urls = [...list.querySelectorAll<HTMLAnchorElement>('a[href^="/registers/"]')].map((a) => a.href);
  if (urls.length === 0) return;
  void navigator.serviceWorker.ready.then((registration) => {
    registration.active?.postMessage({ type: 'keep', urls });
  });
}

/** Signing out: the kept pages and the stored saves are deleted first (children's names). */
function forgetOnSignOut(form: HTMLFormElement): void {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void (async () => {
      try {
        const owner = currentOwner();
        const unsent = (await allSaves()).filter((s) => mine(s, owner));
        if (
          unsent.length > 0 &&
          !window.confirm(
            `Marks for ${unsent.length === 1 ? 'a register' : `${unsent.length} registers`} are saved on this device and not sent. Signing out deletes them. Sign out anyway?`,
          )
        )
          return;
        await clearSaves();
        await caches.delete(PAGES_CACHE);
      } catch {
        // Storage unavailable: nothing was kept.
      }
      form.submit();
    })();
  });
}

if (SUPPORTED) {
  const signOut = signOutForm();
  if (signOut) {
    void navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => undefined);
    forgetOnSignOut(signOut);
    keepTheDaysRegisters();
  }
  const form = document.querySelector<HTMLFormElement>('form[data-register]');
  if (form && signOut) void registerPage(form, !navigator.onLine);
  void waitingBanner().then(sendWaiting);
  window.addEventListener('online', () => void sendWaiting());
}
