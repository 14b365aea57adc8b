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

/** Float slack for comparisons: window fractions and emission intervals are not exact in binary. */
export const EPSILON = 1e-6;

export function emptyVerdict(): Verdict {
  return { allowed: false, remaining: 0, resetMs: 0, retryAfterMs: 0, s0: 0, s1: 0, s2: 0, expiresAt: 0 };
}
