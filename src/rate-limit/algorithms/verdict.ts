import type { LimitSpec } from '../store.js';

/**
 * The outcome of deciding one hit against one counter, written into a
 * reused object so the hot path allocates nothing. The `s0..s2` fields are
 * the counter's next state, stored only when the whole batch is allowed.
 */
export interface Verdict {
  allowed: boolean;
  remaining: number;
  resetMs: number;
  retryAfterMs: number;
  s0: number;
  s1: number;
  s2: number;
  /** Epoch ms after which the next state is empty and may be dropped. */
  expiresAt: number;
}

/**
 * Decides a hit of `cost` at `now` (epoch ms) against the counter stored at
 * `state[offset..offset + 2]`, or a fresh counter when `state` is undefined.
 * Pure: reads the state, writes only `out`.
 */
export type Decide = (state: ArrayLike<number> | undefined, offset: number, now: number, spec: LimitSpec, cost: number, out: Verdict) => void;

/**
 * Float slack for comparisons of counts (cost units): window fractions are
 * not exact in binary, but counts are small numbers, so the slack is tiny.
 */
export const COUNT_EPSILON = 1e-9;

/**
 * Float slack for comparisons of times, in milliseconds. Epoch milliseconds
 * (~1.8e12) carry only about 2.4e-4 ms of precision in a double, so sums
 * like TAT + interval − now are off by that much.
 */
export const TIME_EPSILON = 1e-3;

export function emptyVerdict(): Verdict {
  return { allowed: false, remaining: 0, resetMs: 0, retryAfterMs: 0, s0: 0, s1: 0, s2: 0, expiresAt: 0 };
}
