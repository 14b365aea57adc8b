import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Keyring } from 'rampart';
import { DRIVERS, type TestApp } from './drivers/index.js';
import { harden } from './harness.js';

/** The `name=value` pair of the first Set-Cookie line. */
function pair(setCookie: string | undefined): string {
  const match = /^([^;]+)/.exec(setCookie ?? '');
  assert.ok(match, `a Set-Cookie header: ${String(setCookie)}`);
  return match[1] as string;
}

async function whoami(app: TestApp, cookie: string): Promise<unknown> {
  const response = await app.request({ url: '/session/whoami', headers: { cookie } });
  assert.equal(response.status, 200, response.body);
  return response.json()['session'];
}

for (const driver of DRIVERS) {
  describe(`cookies [${driver.name}]`, () => {
    it('in production: __Host- prefix, Secure, HttpOnly, SameSite=Lax, Path=/, no Domain, bounded Max-Age', async () => {
      const { app } = await harden(driver);
      const setCookie = (await app.request({ url: '/session/start' })).headers['set-cookie'] ?? '';
      assert.match(setCookie, /^__Host-session=session-id-1\.[A-Za-z0-9_-]{43}; Path=\/; Max-Age=604800; HttpOnly; Secure; SameSite=Lax$/);
      assert.doesNotMatch(setCookie, /domain=/i);
    });

    it('in development: no Secure and no prefix, so the cookie works on http://localhost', async () => {
      const { app } = await harden(driver, { profile: 'development' });
      const setCookie = (await app.request({ url: '/session/start' })).headers['set-cookie'] ?? '';
      assert.match(setCookie, /^session=session-id-1\.[A-Za-z0-9_-]{43}; Path=\/; Max-Age=604800; HttpOnly; SameSite=Lax$/);
    });

    it('takes the session cookie name and lifetime from options', async () => {
      const { app } = await harden(driver, { cookies: { sessionName: 'sid', sessionMaxAge: 3600, sameSite: 'strict' } });
      const setCookie = (await app.request({ url: '/session/start' })).headers['set-cookie'] ?? '';
      assert.match(setCookie, /^__Host-sid=session-id-1\.[^;]+; Path=\/; Max-Age=3600; HttpOnly; Secure; SameSite=Strict$/);
    });

    it('reads back a signed cookie, and refuses a forged, unsigned or unprefixed one', async () => {
      const { app } = await harden(driver);
      const cookie = pair((await app.request({ url: '/session/start' })).headers['set-cookie']);
      assert.deepEqual(await whoami(app, cookie), { value: 'session-id-1', rotated: false });
      const mac = cookie.slice(cookie.lastIndexOf('.') + 1);
      assert.equal(await whoami(app, `__Host-session=session-id-2.${mac}`), null, 'value changed, signature kept');
      assert.equal(await whoami(app, '__Host-session=session-id-1'), null, 'unsigned');
      assert.equal(await whoami(app, cookie.replace('__Host-session', 'session')), null, 'without the prefix, as a sibling subdomain could plant it');
      assert.equal(await whoami(app, cookie.replace('__Host-session', '__Host-other')), null, 'a signature is bound to its cookie name');
    });

    it('keeps the first of two same-name cookies (the most specific one)', async () => {
      const { app } = await harden(driver);
      const cookie = pair((await app.request({ url: '/session/start' })).headers['set-cookie']);
      assert.deepEqual(await whoami(app, `${cookie}; __Host-session=planted`), { value: 'session-id-1', rotated: false });
    });

    it('after a key rotation, old cookies still read (flagged for re-signing) until the old secret is dropped', async () => {
      const before = 'cookie-master-secret-before-01';
      const { app: old } = await harden(driver, { keyring: new Keyring(before) });
      const cookie = pair((await old.request({ url: '/session/start' })).headers['set-cookie']);
      const { app: rotated } = await harden(driver, { keyring: new Keyring('cookie-master-secret-after-012', [before]) });
      assert.deepEqual(await whoami(rotated, cookie), { value: 'session-id-1', rotated: true });
      const rewritten = pair((await rotated.request({ url: '/session/start' })).headers['set-cookie']);
      assert.notEqual(rewritten, cookie, 're-signed with the current key on the next write');
      assert.deepEqual(await whoami(rotated, rewritten), { value: 'session-id-1', rotated: false });
      const { app: dropped } = await harden(driver, { keyring: new Keyring('cookie-master-secret-after-012') });
      assert.equal(await whoami(dropped, cookie), null);
    });

    it("keeps the handler's Set-Cookie beside the CSRF anchor cookie Rampart adds", async () => {
      const { app } = await harden(driver);
      const setCookie = (await app.request({ url: '/session/form' })).headers['set-cookie'] ?? '';
      assert.match(setCookie, /__Host-session=session-id-1\./);
      assert.match(setCookie, /__Host-csrf=[A-Za-z0-9_-]{22};/);
    });

    it('survives malformed cookie headers without errors', async () => {
      const { app } = await harden(driver);
      for (const header of ['=', ';;;;', '===;=;', '__Host-session', '__Host-session=%E0%A4%A', 'a=b; __proto__=x; constructor=y', `${'k=v;'.repeat(1500)}`, '"quoted"="x"']) {
        assert.equal(await whoami(app, header), null, header.slice(0, 40));
      }
    });
  });
}
