/**
 * What the service worker and the pages share on the device (docs/offline.md): the names of the
 * caches and the IndexedDB store of register saves not yet sent, with a few promise helpers over
 * raw IndexedDB (one object store, a handful of calls: a library would add more than it saves).
 */

/** Styles, scripts, fonts and icons: nothing personal. */
export const SHELL_CACHE = 'rollcall-shell-v1';
/** Today's register pages and the teacher's list of them: children's names, cleared on sign-out. */
export const PAGES_CACHE = 'rollcall-pages-v1';

const DB_NAME = 'rollcall-offline';
const STORE = 'saves';

/**
 * A register save taken without a connection: the form exactly as it would have been posted
 * (the version and each pupil's `seen` code and minutes as the page showed them when the marks
 * were taken), to be posted to the same address when the connection returns.
 */
export interface QueuedSave {
  /** The register's address without `saved`/`offline` (its path, and `?lesson=` for a lesson). */
  readonly key: string;
  /** Where the form posts (the same address). */
  readonly action: string;
  /** The form, URL-encoded, as the browser would have sent it. */
  readonly body: string;
  /** When it was stored on the device (milliseconds since 1970). */
  readonly savedAt: number;
  /**
   * `queued`: waiting for the connection; `sending`: posted, waiting for the page that answers;
   * `conflict`: the server answered that someone changed a mark meanwhile (or refused a mark):
   * the teacher decides on the page, nothing is sent again by itself.
   */
  readonly status: 'queued' | 'sending' | 'conflict';
  /** The account that took the marks (its id), stamped when the register page first shows them. */
  readonly owner?: string;
  /** The register's name for lists ("Year 3 Oak – AM register"). */
  readonly title?: string;
}

/** A register's address as the device keeps it: the path, and the lesson if there is one. */
export function registerKey(url: URL): string {
  const lesson = url.searchParams.get('lesson');
  return lesson ? `${url.pathname}?lesson=${encodeURIComponent(lesson)}` : url.pathname;
}

/** `/registers/:groupId/:date/AM|PM`: a register page. */
export function isRegisterPath(pathname: string): boolean {
  return /^\/registers\/[^/]+\/\d{4}-\d{2}-\d{2}\/(?:AM|PM)$/.test(pathname);
}

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error ?? new Error('IndexedDB request failed'));
  });
}

function open(): Promise<IDBDatabase> {
  const r = indexedDB.open(DB_NAME, 1);
  r.onupgradeneeded = () => {
    r.result.createObjectStore(STORE, { keyPath: 'key' });
  };
  return request(r);
}

async function withStore<T>(mode: IDBTransactionMode, use: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    const tx = db.transaction(STORE, mode);
    const done = new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
    });
    const result = await request(use(tx.objectStore(STORE)));
    await done;
    return result;
  } finally {
    db.close();
  }
}

export async function getSave(key: string): Promise<QueuedSave | undefined> {
  return (await withStore('readonly', (s) => s.get(key) as IDBRequest<QueuedSave | undefined>)) ?? undefined;
}

export function allSaves(): Promise<QueuedSave[]> {
  return withStore('readonly', (s) => s.getAll() as IDBRequest<QueuedSave[]>);
}

export async function putSave(save: QueuedSave): Promise<void> {
  await withStore('readwrite', (s) => s.put(save));
}

export async function deleteSave(key: string): Promise<void> {
  await withStore('readwrite', (s) => s.delete(key));
}

/** Forgets every save on the device (signing out). */
export async function clearSaves(): Promise<void> {
  await withStore('readwrite', (s) => s.clear());
}
