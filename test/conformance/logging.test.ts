import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DRIVERS } from './drivers/index.js';
import { harden, settle } from './harness.js';

for (const driver of DRIVERS) {
  describe(`access log and redaction [${driver.name}]`, () => {
    it('writes exactly one line per request with the documented fields', async () => {
      const { app, logs } = await harden(driver);
      await app.request({ url: '/json?token=abc', headers: { 'x-request-id': 'log-1', 'user-agent': 'probe/1.0', authorization: 'Bearer s3cr3t', cookie: 'sid=s3cr3t' } });
      await settle();
      const lines = logs.lines.filter((line) => line['reqId'] === 'log-1');
      assert.equal(lines.length, 1);
      const line = lines[0] ?? {};
      assert.equal(line['msg'], 'request completed');
      assert.equal(line['level'], 'info');
      assert.equal(line['method'], 'GET');
      assert.equal(line['route'], '/json');
      assert.equal(line['path'], '/json', 'no query string');
      assert.equal(line['status'], 200);
      assert.equal(typeof line['durationMs'], 'number');
      assert.equal(line['ip'], '127.0.0.1');
      assert.equal(line['userAgent'], 'probe/1.0');
      assert.equal(typeof line['time'], 'string');
      assert.ok(!logs.raw.includes('s3cr3t') && !logs.raw.includes('token=abc'), 'no request headers or query by default');
    });

    it('logs unmatched routes under one constant route, never the raw path', async () => {
      const { app, logs } = await harden(driver);
      await app.request({ url: '/random/abc123' });
      await settle();
      const line = logs.accessLines.at(-1) ?? {};
      assert.equal(line['route'], 'UNMATCHED');
      assert.equal(line['level'], 'warn');
      assert.equal(line['code'], 'NOT_FOUND');
    });

    it('skips health probes by default', async () => {
      const { app, logs } = await harden(driver);
      await app.request({ url: '/health' });
      await settle();
      assert.equal(logs.accessLines.length, 0);
    });

    it('redacts password, token, secret, API key and authorization keys at any depth, any case', async () => {
      const { app, logs } = await harden(driver);
      await app.request({ url: '/log', headers: { 'x-request-id': 'log-2' } });
      await settle();
      const line = logs.lines.find((entry) => entry['msg'] === 'app line') ?? {};
      assert.equal(line['reqId'], 'log-2', 'request-scoped logger carries the id');
      assert.equal(line['password'], '[redacted]');
      assert.deepEqual(line['nested'], { ApiKey: '[redacted]', list: [{ Authorization: '[redacted]' }] });
      assert.equal(line['safe'], 'visible');
      assert.ok(!logs.raw.includes('hunter2') && !logs.raw.includes('k-123') && !logs.raw.includes('t0k3n'));
    });

    it('can log 4xx at info', async () => {
      const { app, logs } = await harden(driver, { log: { clientErrorLevel: 'info' } });
      await app.request({ url: '/missing' });
      await settle();
      assert.equal(logs.accessLines.at(-1)?.['level'], 'info');
    });
  });
}
