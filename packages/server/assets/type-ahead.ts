/**
 * Finding people fast: a `<select data-type-ahead>` (every pupil on roll, every group…) becomes
 * GOV.UK's accessible autocomplete: type any part of a surname, a forename or a class and choose
 * with the arrow keys and Enter, or by touch. The select stays in the page (hidden) and carries the
 * value, so the form posts exactly what it did without JavaScript, where the select is used as it is.
 *
 * `data-type-ahead-adds="<id>"` makes the select add to a list instead (an administrator giving a
 * teacher several groups): each choice becomes a ticked checkbox in the element with that id, named
 * like the select, and the box empties for the next one. Without JavaScript the select adds one per
 * save.
 *
 * `input[data-pupil-finder]` (the "Find a pupil" boxes) suggests pupils as you type, by pupil or by
 * contact name, from `/pupils/suggest`; choosing one opens the pupil's page. Without JavaScript (or
 * when nothing is chosen) the form searches as before.
 */
import accessibleAutocomplete from 'accessible-autocomplete';
import 'accessible-autocomplete/dist/accessible-autocomplete.min.css';

/** Every word typed must start a word of the option (so "ab al" finds "Able, Alex (Year 3 Oak)"). */
export function matches(option: string, query: string): boolean {
  const words = option
    .toLowerCase()
    .split(/[\s,()/·-]+/)
    .filter(Boolean);
  return query
    .toLowerCase()
    .split(/[\s,]+/)
    .filter(Boolean)
    .every((q) => words.some((w) => w.startsWith(q)));
}

function addTo(list: HTMLElement, select: HTMLSelectElement, option: HTMLOptionElement): void {
  const already = [...list.querySelectorAll<HTMLInputElement>('input[type=checkbox]')].find(
    (i) => i.value === option.value,
  );
  if (already) {
    already.checked = true;
    return;
  }
  const id = `${select.id.replace(/-select$/, '')}-added-${option.value.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  const item = document.createElement('div');
  item.className = 'govuk-checkboxes__item';
  const input = document.createElement('input');
  input.className = 'govuk-checkboxes__input';
  input.type = 'checkbox';
  input.name = select.name;
  input.value = option.value;
  input.id = id;
  input.checked = true;
  const label = document.createElement('label');
  label.className = 'govuk-label govuk-checkboxes__label';
  label.htmlFor = id;
  label.textContent = option.text;
  item.append(input, label);
  list.append(item);
  document.getElementById(`${list.id}-none`)?.remove();
}

document.querySelectorAll<HTMLSelectElement>('select[data-type-ahead]').forEach((select) => {
  const options = [...select.options].filter((o) => o.value !== '').map((o) => o.text);
  const selected = select.selectedOptions[0];
  const listId = select.dataset.typeAheadAdds;
  const list = listId ? document.getElementById(listId) : null;
  accessibleAutocomplete.enhanceSelectElement({
    selectElement: select,
    defaultValue: !list && selected && selected.value !== '' ? selected.text : '',
    minLength: 1,
    source: (query, populate) => populate(options.filter((o) => matches(o, query)).slice(0, 50)),
    tNoResults: () =>
      list ? 'No group matches: try the start of its name' : 'No one matches: try the surname or the class',
    ...(list
      ? {
          onConfirm: (chosen: string | undefined) => {
            const option = [...select.options].find((o) => o.value !== '' && o.text === chosen);
            if (!option) return;
            addTo(list, select, option);
            select.value = '';
            // Empty the box for the next choice (the component listens for input events).
            setTimeout(() => {
              const box = document.getElementById(select.id.replace(/-select$/, ''));
              if (box instanceof HTMLInputElement) {
                box.value = '';
                box.dispatchEvent(new Event('input', { bubbles: true }));
              }
            }, 0);
          },
        }
      : {}),
  });
});

interface Found {
  readonly href: string;
  readonly label: string;
}

document.querySelectorAll<HTMLInputElement>('input[data-pupil-finder]').forEach((input) => {
  const form = input.form;
  const url = input.dataset.pupilFinder;
  if (!form || !url) return;
  const container = document.createElement('div');
  input.replaceWith(container);
  let found: Found[] = [];
  let asked = 0;
  accessibleAutocomplete({
    element: container,
    id: input.id,
    name: input.name,
    defaultValue: input.value,
    minLength: 2,
    autoselect: false,
    confirmOnBlur: false,
    source: (query, populate) => {
      const mine = ++asked;
      const u = new URL(url, window.location.href);
      u.searchParams.set('q', query);
      fetch(u, { headers: { accept: 'application/json' }, credentials: 'same-origin' })
        .then((r) => (r.ok ? (r.json() as Promise<{ results: Found[] }>) : { results: [] }))
        .then((body) => {
          if (mine !== asked) return;
          found = body.results;
          populate(found.map((f) => f.label));
        })
        .catch(() => populate([]));
    },
    onConfirm: (chosen) => {
      const f = found.find((x) => x.label === chosen);
      if (f) window.location.assign(f.href);
    },
    tNoResults: () => 'No pupil or contact matches: press Enter to search',
  });
  // Enter with nothing highlighted searches, as the plain form does.
  const box = document.getElementById(input.id);
  box?.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter' || box.getAttribute('aria-activedescendant')) return;
    e.preventDefault();
    form.requestSubmit();
  });
});
