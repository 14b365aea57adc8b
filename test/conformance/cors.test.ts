import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RampartOptions } from 'rampart';
import { DRIVERS, type TestApp, type TestResponse } from './drivers/index.js';
import { harden } from './harness.js';

const APP = 'https://app.example.com';
const OPTIONS: RampartOptions = { cors: { origins: [APP, 'https://*.partner.example'], credentials: true } };

function preflight(app: TestApp, origin: string, method = 'PUT', headers = 'content-type, x-csrf-token'): Promise<TestResponse> {
  return app.request({
    method: 'OPTIONS',
    url: '/account/email',
    headers: { origin, 'access-control-request-method': method, ...(headers === '' ? {} : { 'access-control-request-headers': headers }) },
  });
}

function varies(response: TestResponse, name: string): boolean {
  return (response.headers['vary'] ?? '')
    .split(',')
    .map((entry) => entry.trim().toLowerCase())
    .includes(name.toLowerCase());
}

function assertNoGrant(response: TestResponse): void {
  assert.equal(response.headers['access-control-allow-origin'], undefined);
  assert.equal(response.headers['access-control-allow-credentials'], undefined);
}

for (const driver of DRIVERS) {
  describe(`CORS [${driver.name}]`, () => {
    it('answers an allowed preflight in the pipeline: 204, the origin, methods, headers, credentials and max age', async () => {
      const { app } = await harden(driver, OPTIONS);
      const response = await preflight(app, APP);
      assert.equal(response.status, 204);
      assert.equal(response.headers['access-control-allow-origin'], APP);
      assert.equal(response.headers['access-control-allow-credentials'], 'true');
      assert.match(response.headers['access-control-allow-methods'] ?? '', /\bPUT\b/);
      assert.match(response.headers['access-control-allow-headers'] ?? '', /x-csrf-token/);
      assert.equal(response.headers['access-control-max-age'], '600');
      assert.ok(varies(response, 'Origin') && varies(response, 'Access-Control-Request-Headers'), response.headers['vary']);
    });

    it('refuses a preflight from an unlisted origin, with a problem and no grant', async () => {
      const { app } = await harden(driver, OPTIONS);
      const response = await preflight(app, 'https://evil.example');
      assert.equal(response.status, 403);
      assert.match(response.headers['content-type'] ?? '', /^application\/problem\+json/);
      assert.equal(response.json()['code'], 'CORS_REJECTED');
      assert.equal(response.json()['reason'], 'origin');
      assertNoGrant(response);
    });

    it('refuses a preflight for a method or header not allowed', async () => {
      const { app } = await harden(driver, OPTIONS);
      const method = await preflight(app, APP, 'PROPFIND');
      assert.equal(method.status, 403);
      assert.equal(method.json()['reason'], 'method');
      const header = await preflight(app, APP, 'POST', 'content-type, x-internal-admin');
      assert.equal(header.status, 403);
      assert.equal(header.json()['reason'], 'header');
      assertNoGrant(header);
    });

    it('grants an allowed origin on the actual request, exposing the request id', async () => {
      const { app } = await harden(driver, OPTIONS);
      const response = await app.request({ url: '/json', headers: { origin: APP, cookie: '__Host-session=s' } });
      assert.equal(response.status, 200);
      assert.equal(response.headers['access-control-allow-origin'], APP);
      assert.equal(response.headers['access-control-allow-credentials'], 'true');
      assert.match(response.headers['access-control-expose-headers'] ?? '', /x-request-id/);
      assert.ok(varies(response, 'Origin'));
    });

    it('never reflects an unlisted origin, with or without credentials', async () => {
      const { app } = await harden(driver, OPTIONS);
      for (const origin of ['https://evil.example', 'https://app.example.com.evil.example', 'https://evilapp.example.com', 'http://app.example.com', 'null', 'https://partner.example', 'https://a.b.partner.example']) {
        const response = await app.request({ url: '/json', headers: { origin, cookie: '__Host-session=s' } });
        assertNoGrant(response);
        assert.ok(varies(response, 'Origin'), `Vary: Origin for ${origin}`);
      }
    });

    it('matches a one-label pattern exactly', async () => {
      const { app } = await harden(driver, OPTIONS);
      const response = await app.request({ url: '/json', headers: { origin: 'https://eu.partner.example' } });
      assert.equal(response.headers['access-control-allow-origin'], 'https://eu.partner.example');
    });

    it('sends Vary: Origin on responses without Origin too, so caches never mix them up', async () => {
      const { app } = await harden(driver, OPTIONS);
      assert.ok(varies(await app.request({ url: '/json' }), 'Origin'));
    });

    it('a public API with "*" answers every origin without credentials', async () => {
      const { app } = await harden(driver, { cors: { origins: '*' } });
      const response = await app.request({ url: '/json', headers: { origin: 'https://anyone.example' } });
      assert.equal(response.headers['access-control-allow-origin'], '*');
      assert.equal(response.headers['access-control-allow-credentials'], undefined);
    });

    it('without the cors option, grants nothing and lets preflights through to the app', async () => {
      const { app } = await harden(driver);
      const response = await app.request({ url: '/json', headers: { origin: APP } });
      assertNoGrant(response);
      assertNoGrant(await preflight(app, APP));
    });

    it('an origin allowed with credentials may also post cross-site with cookies and a token', async () => {
      const { app } = await harden(driver, OPTIONS);
      const page = await app.request({ url: '/csrf/token', headers: { cookie: '__Host-session=s', origin: APP } });
      const anchor = /^(__Host-csrf=[^;]+)/.exec(page.headers['set-cookie'] ?? '')?.[1] ?? '';
      const response = await app.request({
        method: 'POST',
        url: '/account/email',
        headers: { origin: APP, 'sec-fetch-site': 'same-site', cookie: `__Host-session=s; ${anchor}`, 'x-csrf-token': page.json()['token'] as string, 'content-type': 'application/json' },
        body: '{"email":"a@example.com"}',
      });
      assert.equal(response.status, 200, response.body);
      assert.equal(response.headers['access-control-allow-origin'], APP);
    });
  });
}
