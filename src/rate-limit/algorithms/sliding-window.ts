import type { LimitSpec } from '../store.js';
import { COUNT_EPSILON, type Verdict } from './verdict.js';

/**
 * Sliding-window counter (the default): the count of the current
 * clock-aligned window plus the previous window's count weighted by how much
 * of it still overlaps the sliding window. Two counters per key instead of
 * a timestamp per request (a sliding log). It assumes the previous window's
 * requests were spread evenly; Cloudflare measured 0.003 % of requests
 * wrongly allowed or limited on real traffic with this estimate.
 * State: s0 = current window start, s1 = previous count, s2 = current count.
 */
export function slidingWindow(state: ArrayLike<number> | undefined, offset: number, now: number, spec: LimitSpec, cost: number, out: Verdict): void {
  const windowMs = spec.windowMs;
  const limit = spec.limit;
  let start: number;
  let previous = 0;
  let current = 0;
  const stored = state === undefined ? -1 : (state[offset] as number);
  if (stored >= 0 && now >= stored && now - stored < windowMs) {
    // Still the stored window: skip the floating-point modulo, the costliest step.
    start = stored;
    previous = (state as ArrayLike<number>)[offset + 1] as number;
    current = (state as ArrayLike<number>)[offset + 2] as number;
  } else {
    start = now - (now % windowMs);
    if (stored === start - windowMs) previous = (state as ArrayLike<number>)[offset + 2] as number;
  }
  const elapsed = now - start;
  const weighted = previous === 0 ? 0 : (previous * (windowMs - elapsed)) / windowMs;
  if (weighted + current + cost <= limit + COUNT_EPSILON) {
    current += cost;
    out.allowed = true;
    out.retryAfterMs = 0;
  } else {
    out.allowed = false;
    out.retryAfterMs = retryAfter(previous, current, cost, elapsed, windowMs, limit);
  }
  out.remaining = Math.max(0, Math.floor(limit - weighted - current + COUNT_EPSILON));
  // Empty once the current count has slid out completely (end of the next window).
  out.resetMs = current > 0 ? start + 2 * windowMs - now : previous > 0 ? start + windowMs - now : 0;
  out.s0 = start;
  out.s1 = previous;
  out.s2 = current;
  out.expiresAt = now + out.resetMs;
}

/** The first moment the weighted estimate leaves room for `cost` again, assuming no other requests. */
function retryAfter(previous: number, current: number, cost: number, elapsed: number, windowMs: number, limit: number): number {
  if (cost > limit) return windowMs;
  let wait: number;
  if (current + cost <= limit) {
    // Still this window: wait until the previous window's weight has decayed enough.
    wait = windowMs * (1 - (limit - current - cost) / previous) - elapsed;
  } else {
    // Next window: today's count becomes the previous one and starts to decay.
    const intoNext = current > 0 ? Math.max(0, windowMs * (1 - (limit - cost) / current)) : 0;
    wait = windowMs - elapsed + intoNext;
  }
  return Math.max(1, Math.ceil(wait - COUNT_EPSILON));
}
