/**
 * Debian's Chromium driven by playwright-core. Without a browser the suite is skipped locally and
 * fails under CI_STRICT=1 (CI installs chromium itself).
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

export function browserAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env['CI_STRICT'] === '1')
    throw new Error(`CI_STRICT=1 but no Chromium at ${CHROMIUM}: install it (apt-get install -y chromium)`);
  return false;
}

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}
