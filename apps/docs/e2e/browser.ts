/**
 * Debian's Chromium for the end-to-end test, driven by playwright-core (which downloads nothing).
 * CI installs it (`.ci/run`: `apt-get install -y chromium`); elsewhere point TENSORLOOM_CHROMIUM at
 * a Chromium or Chrome binary.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.TENSORLOOM_CHROMIUM ?? '/usr/bin/chromium';

/** Why the browser test cannot run here, or null when it can. */
export function chromiumMissing(): string | null {
  return existsSync(CHROMIUM)
    ? null
    : `no Chromium at ${CHROMIUM}: install it (Debian: apt-get install -y chromium) or set TENSORLOOM_CHROMIUM to its path`;
}

/** Headless Chromium as root in a sandboxed machine with no outside network. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
