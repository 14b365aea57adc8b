import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DRIVERS } from './drivers/index.js';
import { harden, settle } from './harness.js';

// Every driver's test client connects from 127.0.0.1.
for (const driver of DRIVERS) {
  describe(`client IP [${driver.name}]`, () => {
    it('ignores a spoofed X-Forwarded-For and Forwarded when trustProxy is off', async () => {
      const { app } = await harden(driver);
      const response = await app.request({ url: '/context', headers: { 'x-forwarded-for': '6.6.6.6', forwarded: 'for=7.7.7.7' } });
      assert.equal(response.json()['clientIp'], '127.0.0.1');
    });

    it('warns once, with a code, when forwarding headers arrive while trustProxy is off', async () => {
      const { app, logs } = await harden(driver);
      await app.request({ url: '/json', headers: { 'x-forwarded-for': '6.6.6.6' } });
      await app.request({ url: '/json', headers: { 'x-forwarded-for': '6.6.6.7' } });
      await settle();
      assert.equal(logs.lines.filter((line) => line['code'] === 'RAMPART_FORWARDED_WITHOUT_TRUST').length, 1);
    });

    it('with one trusted hop, takes the address the proxy appended, not what the client wrote', async () => {
      const { app } = await harden(driver, { trustProxy: 1 });
      const response = await app.request({ url: '/context', headers: { 'x-forwarded-for': '6.6.6.6, 203.0.113.7' } });
      assert.equal(response.json()['clientIp'], '203.0.113.7');
    });

    it('with a CIDR list, walks right to left through trusted proxies only', async () => {
      const { app } = await harden(driver, { trustProxy: ['loopback', '10.0.0.0/8'] });
      const response = await app.request({ url: '/context', headers: { 'x-forwarded-for': '6.6.6.6, 198.51.100.4, 10.1.2.3' } });
      assert.equal(response.json()['clientIp'], '198.51.100.4');
    });

    it('reads RFC 7239 Forwarded, with ports and IPv6 brackets stripped', async () => {
      const { app } = await harden(driver, { trustProxy: 1 });
      const response = await app.request({ url: '/context', headers: { forwarded: 'for=6.6.6.6, for="[2001:db8:cafe::17]:4711";proto=https' } });
      assert.deepEqual([response.json()['clientIp'], response.json()['secure']], ['2001:db8:cafe::17', true]);
    });

    it('normalises an IPv4-mapped IPv6 and strips an IPv4 port', async () => {
      const { app } = await harden(driver, { trustProxy: 1 });
      assert.equal((await app.request({ url: '/context', headers: { 'x-forwarded-for': '::ffff:192.0.2.1' } })).json()['clientIp'], '192.0.2.1');
      assert.equal((await app.request({ url: '/context', headers: { 'x-forwarded-for': '192.0.2.2:5678' } })).json()['clientIp'], '192.0.2.2');
    });

    it('logs the resolved client IP on the access line', async () => {
      const { app, logs } = await harden(driver, { trustProxy: 1 });
      await app.request({ url: '/json', headers: { 'x-forwarded-for': '203.0.113.50' } });
      await settle();
      assert.equal(logs.accessLines.at(-1)?.['ip'], '203.0.113.50');
    });
  });
}
