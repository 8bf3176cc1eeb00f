// A headless Chromium for the browser tests: Debian's package, driven by playwright-core, which
// downloads no browser of its own (nothing but the package registries can be reached from here).
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/**
 * Chromium's flags for a test: no sandbox (the tests run as root, where Chromium's sandbox will not
 * start), no GPU, and none of the calls home (updates, sync, field trials) that only slow a start
 * and would wait on hosts this machine cannot reach.
 */
export const CHROMIUM_FLAGS: readonly string[] = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'];

/** Where the browser is: Debian's chromium, unless CHROMIUM_PATH names another. */
export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
}

/** A headless Chromium; the caller closes it. */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!existsSync(executablePath)) {
    throw new Error(`Chromium is not installed at ${executablePath}: apt-get install -y --no-install-recommends chromium (.ci/run does), or set CHROMIUM_PATH`);
  }
  return chromium.launch({ executablePath, headless: true, args: [...CHROMIUM_FLAGS] });
}
