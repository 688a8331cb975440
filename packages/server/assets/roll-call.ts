/**
 * The roll call on a phone: "Accounted for" and "Undo" are sent without reloading the page, so
 * the marshal keeps their place in the list; the pupil moves to the bottom of their class, and
 * the count of missing pupils is updated. Without the script each press reloads the page.
 */
async function send(form: HTMLFormElement, button: HTMLButtonElement): Promise<void> {
  const data = new URLSearchParams();
  for (const [k, v] of new FormData(form)) if (typeof v === 'string') data.append(k, v);
  data.set('tick', button.value);
  button.disabled = true;
  try {
    const res = await fetch(form.action, {
      method: 'POST',
      headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: data,
      credentials: 'same-origin',
    });
    if (!res.ok) throw new Error(String(res.status));
    const counts = (await res.json()) as { expected: number; accounted: number; missing: number };
    const row = button.closest<HTMLElement>('.rollcall-tick');
    const found = button.value.startsWith('yes:');
    if (row) {
      row.classList.toggle('rollcall-tick--found', found);
      button.value = `${found ? 'no' : 'yes'}:${button.value.slice(button.value.indexOf(':') + 1)}`;
      const name = row.dataset['name'] ?? '';
      button.textContent = found ? 'Undo' : 'Accounted for';
      button.setAttribute('aria-label', found ? `Undo accounted for – ${name}` : `Accounted for – ${name}`);
      button.classList.toggle('govuk-button--secondary', found);
      // Missing pupils stay at the top: a pupil found goes to the end of the class.
      if (found) row.parentElement?.appendChild(row);
    }
    document.querySelectorAll('[data-roll-missing]').forEach((e) => (e.textContent = String(counts.missing)));
    document.querySelectorAll('[data-roll-accounted]').forEach((e) => (e.textContent = String(counts.accounted)));
  } catch {
    // Let the form do it the slow way (and show any error page).
    button.disabled = false;
    form.requestSubmit(button);
    return;
  } finally {
    button.disabled = false;
  }
}

document.querySelectorAll<HTMLFormElement>('form[data-roll-call-form]').forEach((form) => {
  form.addEventListener('click', (e) => {
    const button = (e.target as HTMLElement).closest<HTMLButtonElement>('button[name="tick"]');
    if (!button || form.dataset['sending'] === 'true') return;
    e.preventDefault();
    form.dataset['sending'] = 'true';
    void send(form, button).finally(() => {
      delete form.dataset['sending'];
    });
  });
});
