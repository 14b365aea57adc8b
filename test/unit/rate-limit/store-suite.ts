import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import type { AlgorithmName, Hit, LimitSpec, PenaltyKey, PenaltySpec, RateLimitStore, StoreDecision } from 'rampart';

/** A clock the suite moves by hand; stores under test read it instead of the real one. */
export interface FakeClock {
  now: number;
}

export interface StoreUnderTest {
  readonly store: RateLimitStore;
  readonly clock: FakeClock;
}

/** Window-aligned start (sliding windows align to multiples of the window). */
const T0 = 1_800_000_000_000;

let unique = 0;
function spec(algorithm: AlgorithmName, limit: number, windowMs: number, burst = limit): LimitSpec {
  return Object.freeze({ id: `${algorithm}-${limit}-${windowMs}-${burst}-${unique++}`, algorithm, limit, windowMs, burst });
}

function penalty(threshold: number, blockMs: number, maxBlockMs: number, forgetAfterMs: number): PenaltySpec {
  return Object.freeze({ id: `login-${unique++}`, threshold, blockMs, maxBlockMs, forgetAfterMs });
}

/** Times `n` single-hit decisions at the clock's current time; returns the last. */
async function hitTimes(store: RateLimitStore, hit: Hit, n: number): Promise<StoreDecision[]> {
  const out: StoreDecision[] = [];
  for (let i = 0; i < n; i++) out.push(await store.consume([hit]));
  return out;
}

/**
 * One behaviour suite for every store: the memory store, Redis, Redis
 * Cluster. Exact numbers, so every store must agree to the millisecond with
 * the reference algorithms.
 */
export function defineStoreSuite(
  name: string,
  open: () => Promise<StoreUnderTest | undefined>,
  close: () => Promise<void>,
  /** Skips (loudly; fails under CI=true) when the backing service is unreachable. */
  requires: (t: TestContext) => Promise<boolean> = async () => true,
): void {
  describe(`rate-limit store suite [${name}]`, () => {
    let subject: StoreUnderTest | undefined;
    before(async () => {
      subject = await open();
    });
    after(close);

    const run = (title: string, body: (store: RateLimitStore, clock: FakeClock) => Promise<void>): void => {
      it(title, async (t) => {
        if (!(await requires(t))) return;
        assert.ok(subject !== undefined, `the ${name} store opened`);
        subject.clock.now = T0;
        await body(subject.store, subject.clock);
      });
    };

    run('sliding window: admits the limit, then rejects with the exact wait', async (store, clock) => {
      const limit = spec('sliding-window', 5, 10_000);
      const hit = { spec: limit, key: 'client-a', cost: 1 };
      const decisions = await hitTimes(store, hit, 5);
      assert.deepEqual(
        decisions.map((d) => [d.allowed, d.results[0]?.remaining]),
        [
          [true, 4],
          [true, 3],
          [true, 2],
          [true, 1],
          [true, 0],
        ],
      );
      const rejected = await store.consume([hit]);
      assert.equal(rejected.allowed, false);
      // 5 counted now; next window they weigh 5 × (1 − e/W): room for 1 when e ≥ W × (1 − 4/5) = 2 s, so 10 s + 2 s.
      assert.equal(rejected.results[0]?.retryAfterMs, 12_000);
      assert.equal(rejected.results[0]?.resetMs, 20_000);
      clock.now = T0 + 11_999;
      assert.equal((await store.consume([hit])).allowed, false);
      clock.now = T0 + 12_000;
      const later = await store.consume([hit]);
      assert.equal(later.allowed, true);
      assert.equal(later.results[0]?.remaining, 0);
    });

    run('sliding window: the previous window decays linearly', async (store, clock) => {
      const limit = spec('sliding-window', 10, 1000);
      const hit = { spec: limit, key: 'decay', cost: 1 };
      await hitTimes(store, hit, 10);
      clock.now = T0 + 1500; // previous 10 weigh 5
      const decisions = await hitTimes(store, hit, 6);
      assert.deepEqual(
        decisions.map((d) => d.allowed),
        [true, true, true, true, true, false],
      );
      clock.now = T0 + 3000; // both windows gone
      assert.equal((await store.consume([hit])).results[0]?.remaining, 9);
    });

    run('fixed window: counts from the first request and resets a window later', async (store, clock) => {
      const limit = spec('fixed-window', 3, 60_000);
      const hit = { spec: limit, key: 'fixed', cost: 1 };
      clock.now = T0 + 7;
      await hitTimes(store, hit, 3);
      clock.now = T0 + 30_007;
      const rejected = await store.consume([hit]);
      assert.deepEqual([rejected.allowed, rejected.results[0]?.retryAfterMs, rejected.results[0]?.resetMs], [false, 30_000, 30_000]);
      clock.now = T0 + 60_007;
      const fresh = await store.consume([hit]);
      assert.deepEqual([fresh.allowed, fresh.results[0]?.remaining, fresh.results[0]?.resetMs], [true, 2, 60_000]);
    });

    run('GCRA: a burst, then one request per emission interval', async (store, clock) => {
      const limit = spec('gcra', 10, 1000, 4); // T = 100 ms, burst 4
      const hit = { spec: limit, key: 'gcra', cost: 1 };
      const burst = await hitTimes(store, hit, 5);
      assert.deepEqual(
        burst.map((d) => [d.allowed, d.results[0]?.remaining]),
        [
          [true, 3],
          [true, 2],
          [true, 1],
          [true, 0],
          [false, 0],
        ],
      );
      assert.equal(burst[4]?.results[0]?.retryAfterMs, 100);
      assert.equal(burst[3]?.results[0]?.resetMs, 400);
      clock.now = T0 + 99;
      assert.equal((await store.consume([hit])).allowed, false);
      clock.now = T0 + 100;
      assert.equal((await store.consume([hit])).allowed, true);
      assert.equal((await store.consume([hit])).allowed, false);
    });

    run('a request costing more than the limit is always rejected', async (store) => {
      for (const algorithm of ['sliding-window', 'fixed-window', 'gcra'] as const) {
        const limit = spec(algorithm, 3, 1000);
        const decision = await store.consume([{ spec: limit, key: 'heavy', cost: 4 }]);
        assert.deepEqual([decision.allowed, decision.results[0]?.retryAfterMs], [false, 1000], algorithm);
        assert.equal((await store.consume([{ spec: limit, key: 'heavy', cost: 3 }])).allowed, true, `${algorithm}: nothing was counted`);
      }
    });

    run('cost weighs a request; cost 0 checks without counting', async (store) => {
      const limit = spec('fixed-window', 10, 1000);
      assert.equal((await store.consume([{ spec: limit, key: 'w', cost: 4 }])).results[0]?.remaining, 6);
      assert.equal((await store.consume([{ spec: limit, key: 'w', cost: 0 }])).results[0]?.remaining, 6);
      assert.equal((await store.consume([{ spec: limit, key: 'w', cost: 6 }])).results[0]?.remaining, 0);
      assert.equal((await store.consume([{ spec: limit, key: 'w', cost: 1 }])).allowed, false);
    });

    run('all or nothing: when one rule rejects, no rule counts the request', async (store) => {
      const wide = spec('sliding-window', 100, 60_000);
      const narrow = spec('fixed-window', 2, 60_000);
      const both = (key: string): Hit[] => [
        { spec: wide, key, cost: 1 },
        { spec: narrow, key, cost: 1 },
      ];
      await store.consume(both('aon'));
      await store.consume(both('aon'));
      for (let i = 0; i < 5; i++) {
        const rejected = await store.consume(both('aon'));
        assert.equal(rejected.allowed, false);
        assert.deepEqual(
          rejected.results.map((r) => r.allowed),
          [true, false],
        );
      }
      // Only the two admitted requests were counted on the wide rule.
      assert.equal((await store.consume([{ spec: wide, key: 'aon', cost: 0 }])).results[0]?.remaining, 98);
    });

    run('keys and rules are counted apart', async (store) => {
      const a = spec('fixed-window', 1, 60_000);
      const b = spec('fixed-window', 1, 60_000);
      assert.equal((await store.consume([{ spec: a, key: 'k1', cost: 1 }])).allowed, true);
      assert.equal((await store.consume([{ spec: a, key: 'k1', cost: 1 }])).allowed, false);
      assert.equal((await store.consume([{ spec: a, key: 'k2', cost: 1 }])).allowed, true);
      assert.equal((await store.consume([{ spec: b, key: 'k1', cost: 1 }])).allowed, true);
    });

    run('reset forgets one key under the given rules', async (store) => {
      const limit = spec('fixed-window', 1, 60_000);
      await store.consume([{ spec: limit, key: 'r1', cost: 1 }]);
      await store.consume([{ spec: limit, key: 'r2', cost: 1 }]);
      await store.reset([limit], 'r1');
      assert.equal((await store.consume([{ spec: limit, key: 'r1', cost: 1 }])).allowed, true);
      assert.equal((await store.consume([{ spec: limit, key: 'r2', cost: 1 }])).allowed, false);
    });

    run('penalties: free failures, then blocks that double up to the cap', async (store, clock) => {
      const kind = penalty(3, 1000, 4000, 60_000);
      const keys: PenaltyKey[] = [{ spec: kind, key: 'user-ip' }];
      assert.equal(await store.penaltyFailure(keys), 0);
      assert.equal(await store.penaltyFailure(keys), 0);
      assert.equal(await store.penaltyStatus(keys), 0);
      assert.equal(await store.penaltyFailure(keys), 1000);
      assert.equal(await store.penaltyStatus(keys), 1000);
      clock.now = T0 + 400;
      assert.equal(await store.penaltyStatus(keys), 600);
      clock.now = T0 + 1000;
      assert.equal(await store.penaltyStatus(keys), 0);
      assert.equal(await store.penaltyFailure(keys), 2000);
      assert.equal(await store.penaltyFailure(keys), 4000);
      assert.equal(await store.penaltyFailure(keys), 4000, 'capped');
    });

    run('penalties: the longest block of several keys; clear and forget-after reset them', async (store, clock) => {
      const tight = penalty(1, 5000, 5000, 10_000);
      const loose = penalty(5, 1000, 1000, 10_000);
      const keys: PenaltyKey[] = [
        { spec: tight, key: 'u1' },
        { spec: loose, key: 'u1' },
      ];
      assert.equal(await store.penaltyFailure(keys), 5000);
      await store.penaltyClear(keys);
      assert.equal(await store.penaltyStatus(keys), 0);
      assert.equal(await store.penaltyFailure([{ spec: loose, key: 'u2' }]), 0);
      clock.now = T0 + 10_000; // forgotten
      for (let i = 0; i < 4; i++) assert.equal(await store.penaltyFailure([{ spec: loose, key: 'u2' }]), 0, `failure ${i + 1} after forgetting`);
      assert.equal(await store.penaltyFailure([{ spec: loose, key: 'u2' }]), 1000);
    });
  });
}
