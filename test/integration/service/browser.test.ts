import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { buildService } from '../../../examples/service/app.js';
import { testTls } from '../../fixtures/audit/tls.js';
import { LogCapture } from '../../support/capture-log.js';
import { launchChromium, requireChromium } from '../../support/chromium.js';

const ARTIFACTS = new URL('../../../test-artifacts/service/', import.meta.url).pathname;

describe('the reference service in a real browser', () => {
  it('registers, signs in, shows notes and signs out, with a secure session cookie and a CSP that blocks injected script', async (t) => {
    if (!requireChromium(t)) return;
    // Production profile over HTTPS (a throwaway CA), as behind the TLS proxy.
    const tls = await testTls();
    const app = await buildService({ rampart: { profile: 'production', log: { destination: new LogCapture() } } });
    await app.ready();
    const server = createServer({ key: tls.key, cert: tls.cert }, (request, response) => app.routing(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const browser = await launchChromium(['--ignore-certificate-errors']);
    after(async () => {
      await browser.close();
      server.close();
      await app.close();
    });

    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const console: string[] = [];
    page.on('console', (message) => console.push(message.text()));

    await page.goto(`${origin}/login`);
    await page.fill('#register-form input[name=email]', 'browser@example.test');
    await page.fill('#register-form input[name=password]', 'correct horse battery staple');
    await Promise.all([page.waitForURL(`${origin}/notes`), page.click('#register-form button')]);

    const cookie = (await context.cookies()).find((candidate) => candidate.name === '__Host-session');
    assert.ok(cookie !== undefined, 'the session cookie is set');
    assert.deepEqual([cookie.secure, cookie.httpOnly, cookie.sameSite, cookie.path, cookie.domain], [true, true, 'Lax', '/', '127.0.0.1']);

    await page.click('#logout');
    await page.waitForURL(`${origin}/login`);
    await page.fill('#login-form input[name=email]', 'browser@example.test');
    await page.fill('#login-form input[name=password]', 'correct horse battery staple');
    await Promise.all([page.waitForURL(`${origin}/notes`), page.click('#login-form button')]);
    await page.fill('#note-form input[name=title]', 'Written in Chromium');
    await Promise.all([page.waitForURL(`${origin}/notes`), page.click('#note-form button')]);
    assert.equal(await page.textContent('article h3'), 'Written in Chromium');
    assert.match((await page.getAttribute('#count', 'title')) ?? '', /^Loaded at/, 'the nonce-carrying script ran');

    // Markup an attacker got into the page (the classic stored-XSS payload: an
    // inline event handler) is refused by the CSP: no 'unsafe-inline'.
    // Runs in the page (a string, so the browser's DOM types stay out of this Node program).
    const violation = page.evaluate<string>(`new Promise((resolve) => {
      document.addEventListener('securitypolicyviolation', (event) => resolve(event.violatedDirective), { once: true });
      setTimeout(() => resolve('no violation; injected=' + String(window.injected)), 3000);
      document.body.insertAdjacentHTML('beforeend', '<img src="data:," onload="window.injected = true">');
    })`);
    assert.match(await violation, /^script-src/);
    assert.equal(await page.evaluate('window.injected'), undefined);
    assert.ok(console.some((text) => /Content Security Policy/.test(text)), 'Chromium reports the violation on the console');

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}notes.png`, fullPage: true });
    await page.click('#logout');
    await page.waitForURL(`${origin}/login`);
    assert.equal((await context.cookies()).some((candidate) => candidate.name === '__Host-session'), false, 'signing out deletes the cookie');
  });
});
