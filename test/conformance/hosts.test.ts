import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DRIVERS } from './drivers/index.js';
import { harden, settle } from './harness.js';

for (const driver of DRIVERS) {
  describe(`allowed hosts [${driver.name}]`, () => {
    it('refuses a request for a host not on the list with 400 HOST_NOT_ALLOWED, before any handler runs', async () => {
      const { app, logs } = await harden(driver, { allowedHosts: ['app.example.com'] });
      // A poisoned Host is how reset links and redirects get pointed at an attacker's site.
      const response = await app.request({ url: '/json', headers: { host: 'evil.example', 'x-request-id': 'host-1' } });
      assert.equal(response.status, 400);
      assert.match(response.headers['content-type'] ?? '', /^application\/problem\+json/);
      const problem = response.json();
      assert.equal(problem['code'], 'HOST_NOT_ALLOWED');
      assert.equal(problem['requestId'], 'host-1');
      assert.ok(!response.body.includes('evil.example'), 'the refused host is not echoed');
      await settle();
      assert.equal(logs.accessLines.find((line) => line['reqId'] === 'host-1')?.['code'], 'HOST_NOT_ALLOWED');
    });

    it('serves the listed host, and health probes whatever the host (kubelets probe by IP)', async () => {
      const { app } = await harden(driver, { allowedHosts: ['app.example.com'] });
      assert.equal((await app.request({ url: '/json', headers: { host: 'app.example.com' } })).status, 200);
      assert.equal((await app.request({ url: '/health/live', headers: { host: '10.1.2.3:3000' } })).status, 200);
    });
  });
}
