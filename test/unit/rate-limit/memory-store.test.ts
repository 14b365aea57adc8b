import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { MemoryStore, type LimitSpec } from 'rampart';
import { LogCapture } from '../../support/capture-log.js';
import { defineStoreSuite, type FakeClock } from './store-suite.js';

const suiteClock: FakeClock = { now: 0 };
let suiteStore: MemoryStore | undefined;
defineStoreSuite(
  'memory',
  async () => {
    suiteStore = new MemoryStore({ now: () => suiteClock.now });
    return { store: suiteStore, clock: suiteClock };
  },
  async () => suiteStore?.close(),
);

const T0 = 1_800_000_000_000;
const perMinute = (limit: number, id = 'flood'): LimitSpec => Object.freeze({ id, algorithm: 'fixed-window', limit, windowMs: 60_000, burst: limit });

describe('memory store under a flood of new keys', () => {
  it('keeps every live counter; keys that find no slot share one overflow counter per rule, and it warns once', async () => {
    const clock = { now: T0 };
    const logs = new LogCapture();
    const store = new MemoryStore({ maxKeys: 100, now: () => clock.now });
    store.bind({ logger: pino({ level: 'info' }, logs) });
    const rule = perMinute(5);
    // 100 established clients, each 4 requests into a 5/min budget.
    for (let c = 0; c < 100; c++) for (let i = 0; i < 4; i++) assert.equal(store.consume([{ spec: rule, key: `client-${c}`, cost: 1 }]).allowed, true);
    // A flood of 10 000 new keys (a botnet, rotating addresses).
    let floodAdmitted = 0;
    for (let k = 0; k < 10_000; k++) if (store.consume([{ spec: rule, key: `bot-${k}`, cost: 1 }]).allowed) floodAdmitted++;
    assert.equal(floodAdmitted, 5, 'the flood shares one counter: it gets one budget, not 10 000');
    // No live counter was evicted or reset: every client still has exactly 1 left.
    for (let c = 0; c < 100; c++) {
      const decision = store.consume([{ spec: rule, key: `client-${c}`, cost: 1 }]);
      assert.deepEqual([decision.allowed, decision.results[0]?.remaining], [true, 0], `client-${c}`);
      assert.equal(store.consume([{ spec: rule, key: `client-${c}`, cost: 1 }]).allowed, false, `client-${c} is still limited`);
    }
    assert.equal(store.stats().keys, 100);
    assert.ok(store.stats().overflowed >= 10_000);
    const warnings = logs.lines.filter((line) => line['code'] === 'RAMPART_RATE_LIMIT_STORE_FULL');
    assert.equal(warnings.length, 1, 'one warning, not one per request');
    await store.close();
  });

  it('reclaims expired counters incrementally, so new keys get their own counters again', async () => {
    const clock = { now: T0 };
    const store = new MemoryStore({ maxKeys: 100, now: () => clock.now });
    const rule = perMinute(1, 'reclaim');
    for (let c = 0; c < 100; c++) store.consume([{ spec: rule, key: `old-${c}`, cost: 1 }]);
    clock.now = T0 + 60_000; // every old counter has expired
    for (let k = 0; k < 100; k++) {
      assert.equal(store.consume([{ spec: rule, key: `new-${k}`, cost: 1 }]).allowed, true, `new-${k} has its own counter`);
      assert.equal(store.consume([{ spec: rule, key: `new-${k}`, cost: 1 }]).allowed, false, `new-${k} is limited on its own`);
    }
    assert.equal(store.stats().overflowed, 0);
    assert.ok(store.stats().keys <= 100);
    await store.close();
  });

  it('never holds more than maxKeys slots, and grows only as keys arrive', async () => {
    const store = new MemoryStore({ maxKeys: 5000 });
    assert.ok(store.stats().capacity <= 1024, 'starts small');
    const rule = perMinute(10, 'bounded');
    for (let k = 0; k < 20_000; k++) store.consume([{ spec: rule, key: `k${k}`, cost: 1 }]);
    assert.equal(store.stats().capacity, 5000);
    assert.equal(store.stats().keys, 5000);
    await store.close();
  });

  it('a background pass frees expired counters while the store is idle', async () => {
    const clock = { now: T0 };
    const store = new MemoryStore({ maxKeys: 1000, now: () => clock.now, sweepIntervalMs: 10 });
    const rule = perMinute(1, 'idle');
    for (let k = 0; k < 500; k++) store.consume([{ spec: rule, key: `k${k}`, cost: 1 }]);
    assert.equal(store.stats().keys, 500);
    clock.now = T0 + 120_000;
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.equal(store.stats().keys, 0);
    await store.close();
  });

  it('a rejected batch does not leak the slots it reserved', async () => {
    const clock = { now: T0 };
    const store = new MemoryStore({ maxKeys: 10, now: () => clock.now });
    const blocked = perMinute(1, 'blocked');
    const other = perMinute(100, 'other');
    store.consume([{ spec: blocked, key: 'same', cost: 1 }]);
    for (let k = 0; k < 50; k++) {
      const decision = store.consume([
        { spec: other, key: `fresh-${k}`, cost: 1 },
        { spec: blocked, key: 'same', cost: 1 },
      ]);
      assert.equal(decision.allowed, false);
    }
    // The 50 reserved-then-rejected slots were released: ten new keys still fit.
    for (let k = 0; k < 9; k++) assert.equal(store.consume([{ spec: other, key: `later-${k}`, cost: 1 }]).results[0]?.remaining, 99);
    assert.equal(store.stats().overflowed, 0);
    await store.close();
  });

  it('rejects bad options with a coded error', () => {
    assert.throws(() => new MemoryStore({ maxKeys: 0 }), { code: 'RAMPART_INVALID_OPTION', message: /maxKeys/ });
    assert.throws(() => new MemoryStore({ sweepIntervalMs: 1 }), { code: 'RAMPART_INVALID_OPTION', message: /sweepIntervalMs/ });
  });
});
