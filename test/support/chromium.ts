import { existsSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium (installed by scripts/ci/ensure-services.sh); never a downloaded browser. */
export const CHROMIUM = '/usr/bin/chromium';

/** Headless, and quiet on this machine's closed network: no background fetches, updates or sync. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Skips loudly when Chromium is missing, except under CI=true, where that fails the run. */
export function requireChromium(t: TestContext): boolean {
  if (existsSync(CHROMIUM)) return true;
  const message = `Chromium is not installed at ${CHROMIUM}: run scripts/ci/ensure-services.sh`;
  if (process.env['CI'] === 'true') throw new Error(`${message} (CI=true: integration tests may not skip)`);
  console.warn(`\n!!! SKIPPED: ${message}\n`);
  t.skip(message);
  return false;
}

export function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, ...extraArgs] });
}
