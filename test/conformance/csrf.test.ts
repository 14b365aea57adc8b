import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { describe, it } from 'node:test';
import { CHANNEL_NAMES, Keyring, type RampartOptions } from 'rampart';
import { DRIVERS, type TestApp, type TestResponse } from './drivers/index.js';
import { harden, settle } from './harness.js';

const SITE = 'https://app.example.com';
const SESSION = '__Host-session=sess-alice';
const OTHER_SESSION = '__Host-session=sess-mallory';
const FORM = 'application/x-www-form-urlencoded';
const OPTIONS: RampartOptions = { csrf: { origins: [SITE], exemptPaths: ['/webhooks/*'] } };

/** A page load: the token for the form, and the cookies the browser then holds. */
async function pageToken(app: TestApp, cookie = SESSION): Promise<{ token: string; cookie: string }> {
  const response = await app.request({ url: '/csrf/token', headers: { cookie } });
  assert.equal(response.status, 200, response.body);
  const setCookie = response.headers['set-cookie'] ?? '';
  const anchor = /^(__Host-csrf=[^;]+)/.exec(setCookie)?.[1];
  assert.ok(anchor, `the anchor cookie is set: ${setCookie}`);
  return { token: response.json<{ token: string }>().token, cookie: `${cookie}; ${anchor}` };
}

interface BrowserPost {
  url?: string;
  method?: string;
  cookie?: string;
  site?: string;
  origin?: string;
  token?: string;
  field?: string;
  json?: boolean;
}

/** A state-changing request as a browser sends it: Fetch Metadata, Origin, cookies. */
function post(app: TestApp, request: BrowserPost): Promise<TestResponse> {
  const headers: Record<string, string> = {};
  if (request.cookie !== undefined) headers['cookie'] = request.cookie;
  if (request.site !== undefined) headers['sec-fetch-site'] = request.site;
  if (request.origin !== undefined) headers['origin'] = request.origin;
  if (request.token !== undefined) headers['x-csrf-token'] = request.token;
  headers['content-type'] = request.json === true ? 'application/json' : FORM;
  const fields = new URLSearchParams({ email: 'alice@example.com' });
  if (request.field !== undefined) fields.set('_csrf', request.field);
  const body = request.json === true ? JSON.stringify({ email: 'alice@example.com' }) : fields.toString();
  return app.request({ method: request.method ?? 'POST', url: request.url ?? '/account/email', headers, body });
}

function assertRejected(response: TestResponse, reason: string): void {
  assert.equal(response.status, 403, response.body);
  assert.match(response.headers['content-type'] ?? '', /^application\/problem\+json/);
  const problem = response.json();
  assert.equal(problem['code'], 'CSRF_REJECTED');
  assert.equal(problem['reason'], reason);
  assert.equal(problem['requestId'], response.headers['x-request-id']);
}

for (const driver of DRIVERS) {
  describe(`CSRF protection [${driver.name}]`, () => {
    describe('legitimate requests pass', () => {
      it('a same-origin browser form POST with the token in the _csrf field', async () => {
        const { app } = await harden(driver, OPTIONS);
        const page = await pageToken(app);
        const response = await post(app, { cookie: page.cookie, site: 'same-origin', origin: SITE, field: page.token });
        assert.equal(response.status, 200, response.body);
        assert.equal(response.json<{ body: { email: string } }>().body.email, 'alice@example.com');
      });

      it('a same-origin script request with the token in X-CSRF-Token, for POST, PUT and DELETE', async () => {
        const { app } = await harden(driver, OPTIONS);
        const page = await pageToken(app);
        for (const [method, url] of [['POST', '/account/email'], ['PUT', '/account/email'], ['DELETE', '/account']] as const) {
          const response = await post(app, { method, url, cookie: page.cookie, site: 'same-origin', origin: SITE, token: page.token, json: true });
          assert.equal(response.status, 200, `${method}: ${response.body}`);
        }
      });

      it('a browser without Fetch Metadata whose Origin is the public origin', async () => {
        const { app } = await harden(driver, OPTIONS);
        const page = await pageToken(app);
        assert.equal((await post(app, { cookie: page.cookie, origin: SITE, field: page.token })).status, 200);
      });

      it('a bearer-token API call without cookies, even from another site', async () => {
        const { app } = await harden(driver, OPTIONS);
        const response = await app.request({
          method: 'POST',
          url: '/account/email',
          headers: { authorization: 'Bearer api-token', 'content-type': 'application/json', 'sec-fetch-site': 'cross-site', origin: 'https://partner.example' },
          body: '{"email":"bob@example.com"}',
        });
        assert.equal(response.status, 200, response.body);
      });

      it('a webhook on an exempt path, which verifies its own signature', async () => {
        const { app } = await harden(driver, OPTIONS);
        const response = await app.request({
          method: 'POST',
          url: '/webhooks/payments',
          headers: { 'content-type': 'application/json', 'webhook-signature': 'v1,abc', cookie: 'tracking=1' },
          body: '{"event":"paid"}',
        });
        assert.equal(response.status, 200, response.body);
      });

      it('safe methods are never checked', async () => {
        const { app } = await harden(driver, OPTIONS);
        const response = await app.request({ url: '/json', headers: { cookie: SESSION, 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' } });
        assert.equal(response.status, 200);
      });
    });

    describe('attacks fail', () => {
      it('a cross-site form POST with a valid session cookie, even carrying a valid token', async () => {
        const { app } = await harden(driver, OPTIONS);
        const page = await pageToken(app);
        assertRejected(await post(app, { cookie: page.cookie, site: 'cross-site', origin: 'https://evil.example', field: page.token }), 'cross-site');
      });

      it('a same-site POST from a sibling subdomain', async () => {
        const { app } = await harden(driver, OPTIONS);
        const page = await pageToken(app);
        assertRejected(await post(app, { cookie: page.cookie, site: 'same-site', origin: 'https://evil.app.example.com', token: page.token }), 'cross-site');
      });

      it('Origin: null (sandboxed frame, data: URL)', async () => {
        const { app } = await harden(driver, OPTIONS);
        const page = await pageToken(app);
        assertRejected(await post(app, { cookie: page.cookie, origin: 'null', field: page.token }), 'origin-mismatch');
      });

      it('another Origin from a browser without Fetch Metadata', async () => {
        const { app } = await harden(driver, OPTIONS);
        assertRejected(await post(app, { cookie: SESSION, origin: 'https://app.example.com.evil.example' }), 'origin-mismatch');
      });

      it('a request with cookies but neither Sec-Fetch-Site nor Origin', async () => {
        const { app } = await harden(driver, OPTIONS);
        const page = await pageToken(app);
        assertRejected(await post(app, { cookie: page.cookie, field: page.token }), 'origin-missing');
      });

      it('a form POST with no token', async () => {
        const { app } = await harden(driver, OPTIONS);
        const page = await pageToken(app);
        assertRejected(await post(app, { cookie: page.cookie, site: 'same-origin' }), 'token-missing');
      });

      it('a JSON request with no token header', async () => {
        const { app } = await harden(driver, OPTIONS);
        const page = await pageToken(app);
        assertRejected(await post(app, { cookie: page.cookie, site: 'same-origin', json: true }), 'token-missing');
      });

      it('a token only in a cookie is never read back from it', async () => {
        const { app } = await harden(driver, OPTIONS);
        const page = await pageToken(app);
        for (const name of ['_csrf', 'csrf-token', 'XSRF-TOKEN']) {
          assertRejected(await post(app, { cookie: `${page.cookie}; ${name}=${page.token}`, site: 'same-origin' }), 'token-missing');
        }
      });

      it('a token issued to another session', async () => {
        const { app } = await harden(driver, OPTIONS);
        const mallory = await pageToken(app, OTHER_SESSION);
        const alice = await pageToken(app, SESSION);
        // Mallory's token, posted from Alice's browser (her session and anchor cookies).
        assertRejected(await post(app, { cookie: alice.cookie, site: 'same-origin', field: mallory.token }), 'token-invalid');
      });

      it('a token issued to another browser for the same session', async () => {
        const { app } = await harden(driver, OPTIONS);
        const first = await pageToken(app);
        const second = await pageToken(app);
        assertRejected(await post(app, { cookie: second.cookie, site: 'same-origin', token: first.token, json: true }), 'token-invalid');
      });

      it('a token signed with an unknown key', async () => {
        const { app } = await harden(driver, OPTIONS);
        const page = await pageToken(app);
        const { app: forger } = await harden(driver, OPTIONS);
        // Same session and anchor cookies, so only the key differs.
        const forged = (await forger.request({ url: '/csrf/token', headers: { cookie: page.cookie } })).json<{ token: string }>().token;
        assertRejected(await post(app, { cookie: page.cookie, site: 'same-origin', field: forged }), 'token-invalid');
      });

      it('a tampered token', async () => {
        const { app } = await harden(driver, OPTIONS);
        const page = await pageToken(app);
        const [expiry, random, mac] = page.token.split('.') as [string, string, string];
        const later = (parseInt(expiry, 36) + 86400).toString(36);
        for (const token of [`${later}.${random}.${mac}`, `${expiry}.${random.slice(1)}A.${mac}`, `${expiry}.${random}.${'A'.repeat(mac.length)}`, 'garbage']) {
          assertRejected(await post(app, { cookie: page.cookie, site: 'same-origin', field: token }), 'token-invalid');
        }
      });

      it('a replayed expired token', async (t) => {
        t.mock.timers.enable({ apis: ['Date'], now: Date.parse('2030-01-01T00:00:00Z') });
        const { app } = await harden(driver, OPTIONS);
        const page = await pageToken(app);
        assert.equal((await post(app, { cookie: page.cookie, site: 'same-origin', field: page.token })).status, 200, 'valid while fresh');
        t.mock.timers.setTime(Date.parse('2030-01-01T12:00:01Z'));
        assertRejected(await post(app, { cookie: page.cookie, site: 'same-origin', field: page.token }), 'token-invalid');
      });
    });

    describe('tokens, rotation and rollout', () => {
      it('sets a __Host- anchor cookie once, and gives a fresh token on every page', async () => {
        const { app } = await harden(driver, OPTIONS);
        const first = await app.request({ url: '/csrf/token', headers: { cookie: SESSION } });
        const setCookie = first.headers['set-cookie'] ?? '';
        assert.match(setCookie, /^__Host-csrf=[A-Za-z0-9_-]{22}; Path=\/; Max-Age=\d+; HttpOnly; Secure; SameSite=Lax$/);
        const anchor = /^(__Host-csrf=[^;]+)/.exec(setCookie)?.[1] ?? '';
        const second = await app.request({ url: '/csrf/token', headers: { cookie: `${SESSION}; ${anchor}` } });
        assert.equal(second.headers['set-cookie'], undefined, 'the anchor is kept');
        assert.notEqual(second.json()['token'], first.json()['token']);
      });

      it('accepts tokens signed with a previous master secret after a rotation', async () => {
        const before = 'first-master-secret-0123456789';
        const { app: old } = await harden(driver, { ...OPTIONS, keyring: new Keyring(before) });
        const page = await pageToken(old);
        const { app: rotated } = await harden(driver, { ...OPTIONS, keyring: new Keyring('second-master-secret-012345678', [before]) });
        assert.equal((await post(rotated, { cookie: page.cookie, site: 'same-origin', field: page.token })).status, 200);
        const { app: dropped } = await harden(driver, { ...OPTIONS, keyring: new Keyring('second-master-secret-012345678') });
        assertRejected(await post(dropped, { cookie: page.cookie, site: 'same-origin', field: page.token }), 'token-invalid');
      });

      it('publishes each rejection on rampart:csrf:rejection and logs it with the reason', async () => {
        const { app, logs } = await harden(driver, OPTIONS);
        const seen: unknown[] = [];
        const listener = (message: unknown): void => void seen.push(message);
        subscribe(CHANNEL_NAMES.csrfRejection, listener);
        try {
          await post(app, { cookie: SESSION, site: 'cross-site', origin: 'https://evil.example', url: '/account/email' });
        } finally {
          unsubscribe(CHANNEL_NAMES.csrfRejection, listener);
        }
        const message = seen[0] as { reason: string; enforced: boolean; state: { requestId: string } } | undefined;
        assert.equal(message?.reason, 'cross-site');
        assert.equal(message?.enforced, true);
        await settle();
        const warning = logs.lines.find((line) => line['code'] === 'CSRF_REJECTED' && line['msg'] === 'csrf rejected');
        assert.equal(warning?.['reason'], 'cross-site');
        assert.equal(warning?.['reqId'], message?.state.requestId);
        assert.equal(logs.accessLines.find((line) => line['reqId'] === message?.state.requestId)?.['code'], 'CSRF_REJECTED');
      });

      it('log-only mode lets requests through and reports what it would have refused', async () => {
        const { app, logs } = await harden(driver, { csrf: { ...OPTIONS.csrf, mode: 'log-only' } });
        const response = await post(app, { cookie: SESSION, site: 'cross-site', origin: 'https://evil.example' });
        assert.equal(response.status, 200);
        await settle();
        const line = logs.lines.find((entry) => entry['code'] === 'CSRF_REJECTED');
        assert.equal(line?.['reason'], 'cross-site');
        assert.equal(line?.['enforced'], false);
      });

      it('trusts a configured partner origin for cross-site posts', async () => {
        const { app } = await harden(driver, { csrf: { ...OPTIONS.csrf, trustedOrigins: ['https://sso.example.net'] } });
        const page = await pageToken(app);
        assert.equal((await post(app, { cookie: page.cookie, site: 'cross-site', origin: 'https://sso.example.net', field: page.token })).status, 200);
        assertRejected(await post(app, { cookie: page.cookie, site: 'cross-site', origin: 'https://sso.example.net.evil.example', field: page.token }), 'cross-site');
      });
    });
  });
}
