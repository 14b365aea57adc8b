import type { LimitSpec } from '../store.js';
import type { Verdict } from './verdict.js';

/**
 * Fixed window: one counter per key, reset `windowMs` after the key's first
 * request (windows start per key, so clients do not all reset at once).
 * State: s0 = window start, s1 = count. Exact within a window, but a client
 * can spend a full window's limit at the end of one window and again at the
 * start of the next: up to 2 × limit in any `windowMs` span.
 */
export function fixedWindow(state: ArrayLike<number> | undefined, offset: number, now: number, spec: LimitSpec, cost: number, out: Verdict): void {
  const windowMs = spec.windowMs;
  const limit = spec.limit;
  let start = now;
  let count = 0;
  if (state !== undefined && now < (state[offset] as number) + windowMs) {
    start = state[offset] as number;
    count = state[offset + 1] as number;
  }
  if (count + cost <= limit) {
    count += cost;
    out.allowed = true;
    out.retryAfterMs = 0;
  } else {
    out.allowed = false;
    // A request heavier than the whole limit never fits; tell the client to wait a window.
    out.retryAfterMs = cost > limit ? windowMs : Math.max(1, start + windowMs - now);
  }
  out.remaining = Math.max(0, limit - count);
  out.resetMs = count > 0 ? start + windowMs - now : 0;
  out.s0 = start;
  out.s1 = count;
  out.s2 = 0;
  out.expiresAt = start + windowMs;
}
