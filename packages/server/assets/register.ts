/**
 * Keyboard-first register taking, on top of a form that works without JavaScript.
 *
 * Keys on a pupil's row: `/` or `p` present, `l` late, `a` or `n` absent (N), `Backspace` clear,
 * arrow keys (or `j`/`k`) move between pupils; `Shift+Enter` saves. "Mark all unmarked present"
 * fills every empty row in one go so the teacher only enters the exceptions.
 */

interface Row {
  readonly el: HTMLElement;
  readonly pupilId: string;
}

function rows(form: HTMLFormElement): Row[] {
  return [...form.querySelectorAll<HTMLElement>('[data-pupil-row]')].map((el) => ({
    el,
    pupilId: el.dataset['pupilRow'] ?? '',
  }));
}

function radio(row: Row, value: string): HTMLInputElement | null {
  return row.el.querySelector<HTMLInputElement>(`input[type=radio][value="${CSS.escape(value)}"]`);
}

function setCode(row: Row, value: string): void {
  const other = row.el.querySelector<HTMLSelectElement>('select[data-other-code]');
  const r = radio(row, value);
  if (r) {
    r.checked = true;
    if (other) other.value = '';
  } else if (other) {
    other.value = value;
    row.el.querySelectorAll<HTMLInputElement>('input[type=radio]').forEach((x) => (x.checked = false));
  }
  row.el.dataset['code'] = value;
  markDirty(row.el.closest('form'));
  refreshCount(row.el.closest('form'));
}

function currentCode(row: Row): string {
  const checked = row.el.querySelector<HTMLInputElement>('input[type=radio]:checked');
  const other = row.el.querySelector<HTMLSelectElement>('select[data-other-code]');
  return other?.value || checked?.value || '';
}

/** Marks changed and not yet saved: leaving the page asks first (see {@link warnBeforeLeaving}). */
function markDirty(form: HTMLFormElement | null): void {
  if (form) form.dataset['dirty'] = 'true';
}

/**
 * The browser's own "Leave site? Changes you made may not be saved" before a half-marked
 * register is left (a link, the back button, closing the tab); saving clears it.
 */
function warnBeforeLeaving(form: HTMLFormElement): void {
  form.addEventListener('change', () => markDirty(form));
  form.addEventListener('input', () => markDirty(form));
  form.addEventListener('submit', () => {
    delete form.dataset['dirty'];
  });
  window.addEventListener('beforeunload', (e) => {
    if (form.dataset['dirty'] !== 'true') return;
    e.preventDefault();
    // Older browsers need a return value to show the prompt.
    e.returnValue = '';
  });
}

function refreshCount(form: HTMLFormElement | null): void {
  if (!form) return;
  const all = rows(form);
  const unmarked = all.filter((r) => currentCode(r) === '').length;
  const out = form.querySelector<HTMLElement>('[data-unmarked-count]');
  if (out)
    out.textContent = unmarked === 0 ? 'Every pupil has a mark.' : `${unmarked} of ${all.length} pupils still to mark.`;
}

function focusRow(list: Row[], index: number): void {
  const row = list[Math.max(0, Math.min(list.length - 1, index))];
  row?.el.focus();
}

function enhance(form: HTMLFormElement): void {
  const list = rows(form);
  const presentCode = form.dataset['presentCode'] ?? '/';
  list.forEach((row, i) => {
    row.el.tabIndex = 0;
    row.el.addEventListener('keydown', (e: KeyboardEvent) => {
      if (e.target instanceof HTMLInputElement && e.target.type === 'number') return;
      if (e.target instanceof HTMLInputElement && e.target.type === 'text') return;
      if (e.target instanceof HTMLSelectElement) return;
      const key = e.key.toLowerCase();
      let handled = true;
      if (key === '/' || key === '\\' || key === 'p') setCode(row, presentCode);
      else if (key === 'l') setCode(row, 'L');
      else if (key === 'a' || key === 'n') setCode(row, 'N');
      else if (key === 'backspace' || key === 'delete') {
        row.el.querySelectorAll<HTMLInputElement>('input[type=radio]').forEach((x) => (x.checked = false));
        const other = row.el.querySelector<HTMLSelectElement>('select[data-other-code]');
        if (other) other.value = '';
        markDirty(form);
        refreshCount(form);
      } else if (key === 'arrowdown' || key === 'j') focusRow(list, i + 1);
      else if (key === 'arrowup' || key === 'k') focusRow(list, i - 1);
      else if (key === 'enter' && e.shiftKey) form.requestSubmit();
      else handled = false;
      if (handled) {
        e.preventDefault();
        if (['/', '\\', 'p', 'l', 'a', 'n'].includes(key)) focusRow(list, i + 1);
      }
    });
    row.el.addEventListener('change', () => refreshCount(form));
  });
  const allPresent = form.querySelector<HTMLButtonElement>('[data-all-present]');
  if (allPresent) {
    allPresent.type = 'button';
    allPresent.addEventListener('click', () => {
      for (const row of list) if (currentCode(row) === '') setCode(row, presentCode);
      const firstEmpty = list.find((r) => currentCode(r) === '') ?? list[0];
      firstEmpty?.el.focus();
    });
  }
  warnBeforeLeaving(form);
  refreshCount(form);
  list[0]?.el.focus();
}

document.querySelectorAll<HTMLFormElement>('form[data-register]').forEach(enhance);
