import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DRIVERS } from './drivers/index.js';
import { harden } from './harness.js';

/** Keeps the event loop lagging, as CPU-bound handlers under load do: 500 ms blocks with a turn of the loop between them. */
async function lagEventLoop(totalMs: number): Promise<void> {
  const end = performance.now() + totalMs;
  while (performance.now() < end) {
    const until = performance.now() + 500;
    while (performance.now() < until) {
      // spin
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const waitForSample = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

for (const driver of DRIVERS) {
  describe(`overload shedding [${driver.name}]`, () => {
    it('answers 503 problem+json with Retry-After while the event loop lags, and recovers', async () => {
      const { app } = await harden(driver, {
        profile: 'test',
        // Well above what a busy, shared CI machine shows, well below the induced stalls.
        overload: { maxEventLoopDelayMs: 300, maxHeapUsedRatio: 0, sampleIntervalMs: 250, retryAfterSeconds: 7 },
      });
      assert.equal((await app.request({ url: '/json' })).status, 200);
      await lagEventLoop(1000);

      const shed = await app.request({ url: '/json' });
      assert.equal(shed.status, 503);
      assert.match(shed.headers['content-type'] ?? '', /^application\/problem\+json/);
      assert.equal(shed.headers['retry-after'], '7');
      const problem = shed.json();
      assert.equal(problem['code'], 'SERVICE_UNAVAILABLE');
      assert.equal(problem['detail'], 'The server is overloaded. Try again in 7 seconds.');
      assert.equal(problem['requestId'], shed.headers['x-request-id']);

      // Probes and scrapes are answered before shedding.
      assert.equal((await app.request({ url: '/health/live' })).status, 200);
      assert.equal((await app.request({ url: '/ready' })).status, 200);
      const metrics = await app.request({ url: '/metrics' });
      assert.equal(metrics.status, 200);
      assert.match(metrics.body, /rampart_errors_total\{code="SERVICE_UNAVAILABLE"\} 1/);

      // A quiet sample ends the shedding.
      let status = 503;
      for (let attempt = 0; attempt < 40 && status === 503; attempt++) {
        await waitForSample(100);
        status = (await app.request({ url: '/json' })).status;
      }
      assert.equal(status, 200);
    });
  });
}
