import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DRIVERS } from './drivers/index.js';
import { harden, settle } from './harness.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

for (const driver of DRIVERS) {
  describe(`request id and trace context [${driver.name}]`, () => {
    it('generates a UUID when none is sent, echoes it and exposes it in the context', async () => {
      const { app } = await harden(driver);
      const response = await app.request({ url: '/context' });
      const id = response.headers['x-request-id'] ?? '';
      assert.match(id, UUID);
      assert.equal(response.json()['requestId'], id);
    });

    it('accepts a safe inbound id', async () => {
      const { app } = await harden(driver);
      const response = await app.request({ url: '/context', headers: { 'x-request-id': 'lb-01:abc.DEF_9-z' } });
      assert.equal(response.headers['x-request-id'], 'lb-01:abc.DEF_9-z');
      assert.equal(response.json()['requestId'], 'lb-01:abc.DEF_9-z');
    });

    for (const [label, inbound] of [
      ['too long', 'a'.repeat(129)],
      ['JSON injection', 'abc","level":"fatal'],
      ['HTML', '<script>alert(1)</script>'],
      ['spaces', 'abc def'],
    ] as const) {
      it(`replaces an unsafe inbound id (${label}) and never echoes or logs it`, async () => {
        const { app, logs } = await harden(driver);
        const response = await app.request({ url: '/context', headers: { 'x-request-id': inbound } });
        const id = response.headers['x-request-id'] ?? '';
        assert.match(id, UUID);
        await settle();
        assert.ok(!logs.raw.includes(inbound), 'unsafe id absent from logs');
        assert.ok(!response.body.includes(inbound));
      });
    }

    it('accepts exactly 128 characters', async () => {
      const { app } = await harden(driver);
      const id = 'x'.repeat(128);
      assert.equal((await app.request({ url: '/json', headers: { 'x-request-id': id } })).headers['x-request-id'], id);
    });

    it('carries the W3C traceparent trace id into the context and the access line', async () => {
      const { app, logs } = await harden(driver);
      const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
      const response = await app.request({ url: '/context', headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } });
      assert.equal(response.json()['traceId'], traceId);
      await settle();
      assert.equal(logs.accessLines.at(-1)?.['traceId'], traceId);
    });

    it('ignores a malformed or all-zero traceparent', async () => {
      const { app } = await harden(driver);
      for (const traceparent of ['00-00000000000000000000000000000000-00f067aa0ba902b7-01', 'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', 'garbage']) {
        const response = await app.request({ url: '/context', headers: { traceparent } });
        assert.equal(response.json()['traceId'], undefined, traceparent);
      }
    });

    it('keeps the request context through body parsing and awaits', async () => {
      const { app } = await harden(driver);
      const response = await app.request({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json', 'x-request-id': 'ctx-1' }, body: '{"a":1}' });
      assert.deepEqual(response.json(), { body: { a: 1 }, requestId: 'ctx-1' });
    });
  });
}
