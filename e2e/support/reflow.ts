/**
 * WCAG 2.2 reflow and axe-core checks for browser tests: no horizontal scrolling of the page
 * (a wide data table scrolls in its own box), and zero axe-core violations of WCAG 2.2 A and AA.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Asserts the page does not scroll sideways at its current viewport. */
export async function noHorizontalScroll(page: Page): Promise<void> {
  // Strings, not functions: the browser tests are typed without the DOM library.
  const scrollWidth = await page.evaluate<number>('document.documentElement.scrollWidth');
  const innerWidth = await page.evaluate<number>('window.innerWidth');
  expect(scrollWidth, `${page.url()} scrolls sideways at ${innerWidth} px`).toBeLessThanOrEqual(innerWidth);
}

interface AxeResult {
  violations: { id: string; help: string; nodes: { target: string[] }[] }[];
}

/**
 * Runs axe-core in the page (evaluated through the DevTools protocol, so the page's Content
 * Security Policy does not block it) and returns the violations as readable lines.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate<AxeResult>(
    `axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } })`,
  );
  return result.violations.map(
    (v) =>
      `${v.id}: ${v.help} (${v.nodes
        .map((n) => n.target.join(' '))
        .slice(0, 3)
        .join(', ')})`,
  );
}
