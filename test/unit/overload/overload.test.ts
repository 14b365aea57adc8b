import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_OVERLOAD, createRampart, type OverloadReadings } from 'rampart';
import { OverloadMonitor } from '../../../src/overload/overload.js';
import { LogCapture } from '../../support/capture-log.js';

const calm: OverloadReadings = { eventLoopDelayMs: 5, heapUsedRatio: 0.3, rssBytes: 100e6, eventLoopUtilization: 0.2 };

describe('overload monitor', () => {
  it('flags each configured threshold, and only those', () => {
    const changes: [boolean, string | undefined][] = [];
    const monitor = new OverloadMonitor({ maxEventLoopDelayMs: 200, maxHeapUsedRatio: 0.9, maxRssBytes: 500e6, maxEventLoopUtilization: 0.95 }, (overloaded, _readings, exceeded) => changes.push([overloaded, exceeded]));
    try {
      assert.equal(monitor.sample(calm), false);
      assert.equal(monitor.sample({ ...calm, eventLoopDelayMs: 201 }), true);
      assert.equal(monitor.sample({ ...calm, eventLoopDelayMs: 200 }), false, 'at the threshold is not over it');
      assert.equal(monitor.sample({ ...calm, heapUsedRatio: 0.91 }), true);
      assert.equal(monitor.sample({ ...calm, rssBytes: 600e6 }), true);
      assert.equal(monitor.sample({ ...calm, eventLoopUtilization: 0.99 }), true);
      assert.equal(monitor.sample(calm), false);
      assert.deepEqual(changes, [
        [true, 'eventLoopDelay'],
        [false, undefined],
        [true, 'heapUsed'],
        [false, undefined],
      ], 'callbacks fire on transitions only');
    } finally {
      monitor.close();
    }
  });

  it('0 turns a threshold off', () => {
    const monitor = new OverloadMonitor({ maxEventLoopDelayMs: 0, maxHeapUsedRatio: 0 });
    try {
      assert.equal(monitor.sample({ ...calm, eventLoopDelayMs: 60_000, heapUsedRatio: 1 }), false);
    } finally {
      monitor.close();
    }
  });

  it('defaults: 1 s of loop delay, 95% of the heap limit, 10 s Retry-After', () => {
    assert.deepEqual({ ...DEFAULT_OVERLOAD }, { maxEventLoopDelayMs: 1000, maxHeapUsedRatio: 0.95, maxRssBytes: 0, maxEventLoopUtilization: 0, sampleIntervalMs: 1000, retryAfterSeconds: 10 });
  });

  it('refuses bad thresholds at construction', () => {
    for (const overload of [{ maxHeapUsedRatio: 1.5 }, { maxEventLoopDelayMs: -1 }, { sampleIntervalMs: 5 }, { retryAfterSeconds: Number.NaN }]) {
      assert.throws(() => createRampart({ profile: 'test', overload }), { code: 'RAMPART_INVALID_OPTION' }, JSON.stringify(overload));
    }
  });

  it('is on by default in staging and production with the default thresholds, off in test', async () => {
    const view = { method: 'GET', url: '/x', remoteAddress: '127.0.0.1', encrypted: false, header: () => undefined };
    for (const profile of ['production', 'test'] as const) {
      const logs = new LogCapture();
      // Only the sampling period is shortened; the 1000 ms threshold is the default.
      const rampart = createRampart({ profile, log: { destination: logs }, ...(profile === 'production' ? { overload: { sampleIntervalMs: 50 } } : {}) });
      try {
        const until = performance.now() + 1150;
        while (performance.now() < until) {
          // a 1.15 s stall
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
        const state = rampart.begin(view);
        const answer = await rampart.admit(state, view);
        if (profile === 'production') {
          assert.equal(answer?.status, 503);
          assert.equal(answer?.headers['retry-after'], '10');
          assert.ok(logs.lines.some((line) => line['msg'] === 'overloaded: shedding requests with 503' && line['exceeded'] === 'eventLoopDelay'));
        } else {
          assert.equal(answer, undefined, 'no shedding in the test profile unless configured');
        }
      } finally {
        await rampart.close();
      }
    }
  });
});
