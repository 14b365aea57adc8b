import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DRIVERS, type TestResponse } from './drivers/index.js';
import { rawExchange } from '../support/hostile.js';
import { harden, settle } from './harness.js';

function assertRateLimited(response: TestResponse): Record<string, unknown> {
  assert.equal(response.status, 429);
  assert.match(response.headers['content-type'] ?? '', /^application\/problem\+json/);
  const problem = response.json();
  assert.equal(problem['code'], 'RATE_LIMITED');
  assert.equal(problem['status'], 429);
  assert.equal(problem['requestId'], response.headers['x-request-id']);
  assert.ok(Number(response.headers['retry-after']) >= 1);
  return problem;
}

// Every driver's test client connects from 127.0.0.1.
for (const driver of DRIVERS) {
  describe(`rate limiting [${driver.name}]`, () => {
    it('admits the limit with RateLimit headers, then answers 429 problem+json with Retry-After', async () => {
      const { app } = await harden(driver, { rateLimit: { env: false, rules: [{ name: 'api', limit: 2, window: '1m', paths: '/json' }] } });
      const first = await app.request({ url: '/json' });
      assert.equal(first.status, 200);
      assert.equal(first.headers['ratelimit-policy'], '"api";q=2;w=60');
      assert.match(first.headers['ratelimit'] ?? '', /^"api";r=1;t=\d+$/);
      await app.request({ url: '/json' });
      const limited = await app.request({ url: '/json' });
      const problem = assertRateLimited(limited);
      assert.equal(problem['instance'], '/json');
      assert.match(limited.headers['ratelimit'] ?? '', /^"api";r=0;/);
      // Headers Rampart always sends are on the rejection too.
      assert.equal(limited.headers['x-content-type-options'], 'nosniff');
    });

    it('decides all matching rules together: requests a rule rejects spend no other rule', async () => {
      const { app } = await harden(driver, {
        rateLimit: {
          env: false,
          rules: [
            { name: 'strict', limit: 1, window: '1m', paths: '/json' },
            { name: 'global', limit: 50, window: '1h' },
          ],
        },
      });
      await app.request({ url: '/json' });
      for (let i = 0; i < 5; i++) assertRateLimited(await app.request({ url: '/json' }));
      assert.match((await app.request({ url: '/context' })).headers['ratelimit'] ?? '', /^"global";r=48;/);
    });

    it('a spoofed X-Forwarded-For cannot mint fresh keys when trustProxy is off', async () => {
      const { app } = await harden(driver, { rateLimit: { env: false, rules: [{ name: 'ip', limit: 3, window: '1m' }] } });
      let admitted = 0;
      for (let i = 0; i < 10; i++) {
        const response = await app.request({ url: '/json', headers: { 'x-forwarded-for': `10.0.${i}.1`, forwarded: `for=10.1.${i}.1` } });
        if (response.status === 200) admitted++;
      }
      assert.equal(admitted, 3);
    });

    it('with one trusted hop, only the address the proxy appended counts', async () => {
      const { app } = await harden(driver, { trustProxy: 1, rateLimit: { env: false, rules: [{ name: 'ip', limit: 3, window: '1m' }] } });
      let admitted = 0;
      for (let i = 0; i < 10; i++) {
        const response = await app.request({ url: '/json', headers: { 'x-forwarded-for': `6.6.${i}.6, 203.0.113.9` } });
        if (response.status === 200) admitted++;
      }
      assert.equal(admitted, 3);
      assert.equal((await app.request({ url: '/json', headers: { 'x-forwarded-for': '203.0.113.10' } })).status, 200, 'another client');
    });

    it('counts every spelling of a limited path, and skips exempt paths', async () => {
      const { app } = await harden(driver, { rateLimit: { env: false, exempt: { paths: ['/health*', '/static.html'] }, rules: [{ name: 'p', limit: 1, window: '1m', paths: '/json' }, { name: 'all', limit: 4, window: '1m' }] } });
      assert.equal((await app.request({ url: '/json' })).status, 200);
      for (const spelling of ['/JSON', '/json/', '//json', '/%6Ason']) assertRateLimited(await app.request({ url: spelling }));
      for (let i = 0; i < 6; i++) assert.equal((await app.request({ url: '/static.html' })).status, 200);
    });

    // Rampart once cut the path at `?` only, while every router also drops a `#…` fragment: `/json#x` got past a rule on `/json`.
    it('a fragment in the request target cannot dodge a rule, through the driver or written raw on the wire', async () => {
      const { app } = await harden(driver, { rateLimit: { env: false, rules: [{ name: 'p', limit: 1, window: '1m', paths: '/json' }] } });
      assert.equal((await app.request({ url: '/json' })).status, 200);
      assertRateLimited(await app.request({ url: '/json#x' }));
      if (app.listen === undefined) return;
      const port = await app.listen();
      for (const target of ['/json#x', '/json#', '/json#/../other']) {
        assertRateLimited(await rawExchange(port, Buffer.from(`GET ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`)));
      }
    });

    it('dry run logs what it would reject and lets everything through', async () => {
      const { app, logs } = await harden(driver, { rateLimit: { env: false, dryRun: true, rules: [{ name: 'dry', limit: 1, window: '1m' }] } });
      for (let i = 0; i < 3; i++) assert.equal((await app.request({ url: '/json' })).status, 200);
      await settle();
      assert.equal(logs.lines.filter((line) => line['code'] === 'RAMPART_RATE_LIMIT_DRY_RUN').length, 2);
    });
  });
}
