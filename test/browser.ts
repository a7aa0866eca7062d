import { chromium, type Browser } from 'playwright-core';

/**
 * Debian's chromium driven by playwright-core (no browser download). The flags keep it off the
 * network and its background services; playwright gives every launch a fresh, empty profile.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}
