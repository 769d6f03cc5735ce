// Debian's Chromium for the browser tests, driven by playwright-core: one
// place for the executable and the flags every test launches it with.

import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.KIOSKGATE_CHROMIUM || '/usr/bin/chromium';

const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Keep Chromium's own password store out of the test keyring, which
  // belongs to kioskgate here.
  '--password-store=basic',
];

/** Headless Chromium with the common flags plus `extraArgs` (e.g. an SPKI pin). */
export function launchChromium(extraArgs = []) {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, timeout: 30000, args: [...FLAGS, ...extraArgs] });
}
