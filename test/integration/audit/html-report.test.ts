import assert from 'node:assert/strict';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { launchChromium, requireChromium } from '../../support/chromium.js';
import { runAudit, toHtml } from 'rampart/audit';
import { WEAK, startNodeFixture } from '../../fixtures/audit/node-server.js';

/** The HTML report, opened in Debian's Chromium: self-contained, escaped, and screenshotted for review. */

const artifacts = new URL('../../../test-artifacts/audit/', import.meta.url).pathname;


describe('HTML report', () => {
  it('renders in Chromium without fetching anything, with hostile values escaped', async (t) => {
    if (!requireChromium(t)) return;
    // The service under audit controls every header and body the report quotes.
    const server = await startNodeFixture({ ...WEAK, extraHeaders: { ...WEAK.extraHeaders, 'x-powered-by': '<img src=x onerror="window.pwned=1">' } });
    let html: string;
    try {
      html = toHtml(await runAudit({ url: server.url, csrfPaths: ['/login'], rateLimit: { path: '/limited', requests: 10 } }));
    } finally {
      await server.close();
    }
    mkdirSync(artifacts, { recursive: true });
    const file = join(artifacts, 'report.html');
    writeFileSync(file, html);

    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 1000 } });
      const requested: string[] = [];
      const errors: string[] = [];
      page.on('request', (request) => requested.push(request.url()));
      page.on('pageerror', (error) => errors.push(error.message));
      page.on('console', (message) => (message.type() === 'error' ? errors.push(message.text()) : undefined));
      await page.goto(`file://${file}`);
      assert.deepEqual(requested, [`file://${file}`], 'the report loads nothing but itself');
      assert.deepEqual(errors, []);
      assert.equal(await page.evaluate(() => (globalThis as { pwned?: number }).pwned), undefined, 'no markup from the target ran');
      assert.equal(await page.locator('.card img').count(), 0);
      assert.match((await page.locator('#check-x-powered-by pre').textContent()) ?? '', /x-powered-by: <img src=x onerror="window\.pwned=1">/);
      assert.equal(await page.locator('.grade').textContent(), 'F');
      assert.equal(await page.title(), `rampart audit: F · ${server.url}`);
      // Failed checks come first on the page, each with its fix.
      const headings = await page.locator('h2').allTextContents();
      assert.match(headings[0] ?? '', /^Failed \(\d+\)$/);
      assert.equal(await page.locator('.card.fail').count(), await page.locator('.card.fail .fix').count());
      const screenshot = join(artifacts, 'report.png');
      await page.screenshot({ path: screenshot, fullPage: true });
      assert.ok(statSync(screenshot).size > 10_000, 'a real screenshot was written');
    } finally {
      await browser.close();
    }
  });
});
