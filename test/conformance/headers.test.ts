import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { API_CSP } from 'rampart';
import { DRIVERS } from './drivers/index.js';
import { harden } from './harness.js';

const HELMET_DEFAULTS_WE_KEEP = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-permitted-cross-domain-policies': 'none',
};

for (const driver of DRIVERS) {
  describe(`security headers [${driver.name}]`, () => {
    it('sends the hardened set on JSON responses, with the API CSP', async () => {
      const { app } = await harden(driver);
      const response = await app.request({ url: '/json' });
      assert.equal(response.status, 200);
      for (const [name, value] of Object.entries(HELMET_DEFAULTS_WE_KEEP)) assert.equal(response.headers[name], value, name);
      assert.equal(response.headers['x-frame-options'], 'DENY');
      assert.equal(response.headers['x-xss-protection'], '0');
      assert.match(response.headers['permissions-policy'] ?? '', /camera=\(\).*geolocation=\(\).*microphone=\(\)/);
      assert.equal(response.headers['content-security-policy'], API_CSP);
    });

    it('sends HSTS only over HTTPS, never on plain HTTP', async () => {
      const { app } = await harden(driver);
      const plain = await app.request({ url: '/json' });
      assert.equal(plain.headers['strict-transport-security'], undefined);
      // Spoofed X-Forwarded-Proto from an untrusted peer does not count as HTTPS.
      const spoofed = await app.request({ url: '/json', headers: { 'x-forwarded-proto': 'https' } });
      assert.equal(spoofed.headers['strict-transport-security'], undefined);
    });

    it('sends HSTS when a trusted proxy says the client used HTTPS', async () => {
      const { app } = await harden(driver, { trustProxy: 1 });
      const response = await app.request({ url: '/json', headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9' } });
      assert.equal(response.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains');
    });

    it('gives HTML a nonce-based CSP whose nonce matches the page, fresh per request', async () => {
      const { app } = await harden(driver);
      const first = await app.request({ url: '/html' });
      const second = await app.request({ url: '/html' });
      const csp = first.headers['content-security-policy'] ?? '';
      const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
      assert.ok(nonce, csp);
      assert.ok(Buffer.from(nonce, 'base64').length >= 16, 'nonce carries at least 128 bits');
      assert.ok(first.body.includes(`nonce="${nonce}"`));
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https:/);
      assert.notEqual(/'nonce-([^']+)'/.exec(second.headers['content-security-policy'] ?? '')?.[1], nonce);
    });

    it('gives HTML that used no nonce a policy that still blocks inline script', async () => {
      const { app } = await harden(driver);
      const response = await app.request({ url: '/static.html' });
      const csp = response.headers['content-security-policy'] ?? '';
      assert.match(csp, /script-src 'self'/);
      assert.doesNotMatch(csp, /nonce|unsafe-inline/);
    });

    it('keeps headers the handler set and strips X-Powered-By and a versioned Server', async () => {
      const { app } = await harden(driver);
      const response = await app.request({ url: '/own-headers' });
      assert.equal(response.headers['x-frame-options'], 'SAMEORIGIN');
      assert.equal(response.headers['content-security-policy'], "default-src 'self'");
      assert.equal(response.headers['x-powered-by'], undefined);
      assert.equal(response.headers['server'], undefined);
    });

    it('puts the same headers on error responses', async () => {
      const { app } = await harden(driver);
      for (const url of ['/boom', '/missing']) {
        const response = await app.request({ url });
        assert.equal(response.headers['x-content-type-options'], 'nosniff', url);
        assert.equal(response.headers['content-security-policy'], API_CSP, url);
      }
    });

    it('lets options drop a default and add a header', async () => {
      const { app } = await harden(driver, { headers: { extra: { 'x-frame-options': false, 'cross-origin-embedder-policy': 'require-corp' } } });
      const response = await app.request({ url: '/json' });
      assert.equal(response.headers['x-frame-options'], undefined);
      assert.equal(response.headers['cross-origin-embedder-policy'], 'require-corp');
    });
  });
}
