/**
 * Finding people fast: a `<select data-type-ahead>` (every pupil on roll, every group…) becomes
 * GOV.UK's accessible autocomplete: type any part of a surname, a forename or a class and choose
 * with the arrow keys and Enter, or by touch. The select stays in the page (hidden) and carries the
 * value, so the form posts exactly what it did without JavaScript, where the select is used as it is.
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

document.querySelectorAll<HTMLSelectElement>('select[data-type-ahead]').forEach((select) => {
  const options = [...select.options].filter((o) => o.value !== '').map((o) => o.text);
  const selected = select.selectedOptions[0];
  accessibleAutocomplete.enhanceSelectElement({
    selectElement: select,
    defaultValue: selected && selected.value !== '' ? selected.text : '',
    minLength: 1,
    source: (query, populate) => populate(options.filter((o) => matches(o, query)).slice(0, 50)),
    tNoResults: () => 'No one matches: try the surname or the class',
  });
});
