import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { AlgorithmName, LimitSpec } from 'rampart';
import { decideFor, emptyVerdict, type Verdict } from '../../../src/rate-limit/algorithms/index.js';

/** One counter driven by hand against a fake clock: `decide` looks, `apply` commits. */
class Counter {
  state: number[] | undefined = undefined;
  constructor(readonly spec: LimitSpec) {}

  decide(now: number, cost: number): Verdict {
    const out = emptyVerdict();
    decideFor(this.spec.algorithm)(this.state, 0, now, this.spec, cost, out);
    return out;
  }

  /** Decides and, when allowed, stores the new state (what a store does). */
  hit(now: number, cost: number): Verdict {
    const verdict = this.decide(now, cost);
    if (verdict.allowed) this.state = verdict.expiresAt > now ? [verdict.s0, verdict.s1, verdict.s2] : undefined;
    return verdict;
  }
}

const T0 = 1_800_000_000_000;
const ALGORITHMS: AlgorithmName[] = ['sliding-window', 'fixed-window', 'gcra'];

const scenario = fc.record({
  algorithm: fc.constantFrom(...ALGORITHMS),
  limit: fc.integer({ min: 1, max: 40 }),
  windowMs: fc.integer({ min: 10, max: 5000 }),
  burstFactor: fc.double({ min: 0.1, max: 2, noNaN: true }),
  steps: fc.array(fc.record({ dt: fc.integer({ min: 0, max: 3000 }), cost: fc.integer({ min: 0, max: 5 }) }), { minLength: 1, maxLength: 80 }),
});

function specOf(s: { algorithm: AlgorithmName; limit: number; windowMs: number; burstFactor: number }): LimitSpec {
  const burst = s.algorithm === 'gcra' ? Math.max(1, Math.round(s.limit * s.burstFactor)) : s.limit;
  return { id: 'p', algorithm: s.algorithm, limit: s.limit, windowMs: s.windowMs, burst };
}

describe('rate-limit algorithms (fake clock)', () => {
  it('Retry-After is exact: the same request fits at now + retryAfter, not a millisecond before', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const counter = new Counter(specOf(s));
        let now = T0;
        for (const step of s.steps) {
          now += step.dt;
          const verdict = counter.hit(now, step.cost);
          const capacity = s.algorithm === 'gcra' ? counter.spec.burst : s.limit;
          if (verdict.allowed || step.cost > capacity) continue;
          const wait = verdict.retryAfterMs;
          assert.ok(wait >= 1);
          assert.equal(counter.decide(now + wait, step.cost).allowed, true, `allowed at +${wait}`);
          if (wait > 1) assert.equal(counter.decide(now + wait - 1, step.cost).allowed, false, `still rejected at +${wait - 1}`);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('remaining is exact: a request costing `remaining` fits at once, one unit more does not', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const counter = new Counter(specOf(s));
        let now = T0;
        for (const step of s.steps) {
          now += step.dt;
          const verdict = counter.hit(now, step.cost);
          if (!verdict.allowed) continue;
          assert.equal(counter.decide(now, verdict.remaining).allowed, true);
          assert.equal(counter.decide(now, verdict.remaining + 1).allowed, false);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never admits more than the limit per window (GCRA: burst + limit × span / window)', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const spec = specOf(s);
        const counter = new Counter(spec);
        let now = T0;
        const admitted: { at: number; cost: number }[] = [];
        for (const step of s.steps) {
          now += step.dt;
          if (counter.hit(now, step.cost).allowed) admitted.push({ at: now, cost: step.cost });
        }
        if (s.algorithm === 'gcra') {
          for (let i = 0; i < admitted.length; i++) {
            let sum = 0;
            for (let j = i; j < admitted.length; j++) {
              sum += (admitted[j] as { cost: number }).cost;
              const span = (admitted[j] as { at: number }).at - (admitted[i] as { at: number }).at;
              assert.ok(sum <= spec.burst + (spec.limit * span) / spec.windowMs + 1e-6, `${sum} in ${span} ms`);
            }
          }
          return;
        }
        // Sliding windows count in clock-aligned windows; fixed windows start at a key's first request.
        const windows = new Map<number, number>();
        let fixedStart = -Infinity;
        for (const { at, cost } of admitted) {
          let start: number;
          if (s.algorithm === 'sliding-window') start = at - (at % spec.windowMs);
          else {
            if (at >= fixedStart + spec.windowMs) fixedStart = at;
            start = fixedStart;
          }
          windows.set(start, (windows.get(start) ?? 0) + cost);
        }
        for (const [start, total] of windows) assert.ok(total <= spec.limit, `${total} in the window at ${start}`);
      }),
      { numRuns: 300 },
    );
  });

  it('sliding window: weighs the previous window by its overlap', () => {
    const counter = new Counter({ id: 's', algorithm: 'sliding-window', limit: 100, windowMs: 1000, burst: 100 });
    for (let i = 0; i < 80; i++) counter.hit(T0 + 500, 1);
    // At 25 % into the next window, 80 × 0.75 = 60 still count.
    assert.equal(counter.decide(T0 + 1250, 1).remaining, 39);
    assert.equal(counter.decide(T0 + 1250, 40).allowed, true);
    assert.equal(counter.decide(T0 + 1250, 41).allowed, false);
  });

  it('fixed window: a client can spend twice the limit across a boundary (the documented weakness)', () => {
    const counter = new Counter({ id: 'f', algorithm: 'fixed-window', limit: 10, windowMs: 1000, burst: 10 });
    let admitted = 0;
    for (let i = 0; i < 10; i++) if (counter.hit(T0 + 999, 1).allowed) admitted++;
    for (let i = 0; i < 10; i++) if (counter.hit(T0 + 1999, 1).allowed) admitted++;
    assert.equal(admitted, 20);
    const sliding = new Counter({ id: 's', algorithm: 'sliding-window', limit: 10, windowMs: 1000, burst: 10 });
    let slid = 0;
    for (let i = 0; i < 10; i++) if (sliding.hit(T0 + 999, 1).allowed) slid++;
    for (let i = 0; i < 10; i++) if (sliding.hit(T0 + 1001, 1).allowed) slid++;
    assert.equal(slid, 10, 'the sliding window closes that gap');
  });

  it('GCRA with burst 1 spaces requests evenly', () => {
    const counter = new Counter({ id: 'g', algorithm: 'gcra', limit: 4, windowMs: 1000, burst: 1 });
    assert.equal(counter.hit(T0, 1).allowed, true);
    const second = counter.hit(T0, 1);
    assert.deepEqual([second.allowed, second.retryAfterMs], [false, 250]);
    assert.equal(counter.hit(T0 + 250, 1).allowed, true);
  });
});
