/**
 * Reflow (WCAG 2.2 AA, 1.4.10): a data table wider than the screen scrolls inside its own box,
 * never the page. Each table is wrapped in a region named by its caption; a region that scrolls
 * can be focused, so keyboard users can scroll it too (axe-core's scrollable-region-focusable).
 */
function label(table: HTMLTableElement): string {
  const caption = table.caption?.textContent?.trim();
  return caption ? `${caption} (table, scrolls sideways)` : 'Table (scrolls sideways)';
}

function wrap(table: HTMLTableElement): void {
  if (table.classList.contains('rollcall-register') || table.parentElement?.classList.contains('rollcall-table-scroll'))
    return;
  if (table.closest('.govuk-visually-hidden')) return;
  const box = document.createElement('div');
  box.className = 'rollcall-table-scroll';
  table.parentNode?.insertBefore(box, table);
  box.appendChild(table);
  const fit = (): void => {
    if (box.scrollWidth > box.clientWidth + 1) {
      box.tabIndex = 0;
      box.setAttribute('role', 'region');
      box.setAttribute('aria-label', label(table));
    } else {
      box.removeAttribute('tabindex');
      box.removeAttribute('role');
      box.removeAttribute('aria-label');
    }
  };
  fit();
  new ResizeObserver(fit).observe(box);
}

document.querySelectorAll<HTMLTableElement>('table.govuk-table').forEach(wrap);
