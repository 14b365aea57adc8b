import type { LimitSpec } from '../store.js';
import { TIME_EPSILON, type Verdict } from './verdict.js';

/**
 * GCRA (generic cell rate algorithm), the token bucket in one number: the
 * theoretical arrival time (TAT) of the next request. Requests are spaced by
 * the emission interval T = window / limit, and up to `burst` of them may
 * arrive at once. Exact, smooth (no window edges), one number per key.
 * In any span t it admits at most burst + limit × t / window.
 * State: s0 = TAT.
 */
export function gcra(state: ArrayLike<number> | undefined, offset: number, now: number, spec: LimitSpec, cost: number, out: Verdict): void {
  const interval = spec.windowMs / spec.limit;
  const capacity = spec.burst * interval;
  const stored = state === undefined ? now : (state[offset] as number);
  const tat = stored > now ? stored : now;
  const next = tat + cost * interval;
  let kept: number;
  if (next - now <= capacity + TIME_EPSILON) {
    kept = next;
    out.allowed = true;
    out.retryAfterMs = 0;
  } else {
    kept = tat;
    out.allowed = false;
    out.retryAfterMs = cost > spec.burst ? spec.windowMs : Math.max(1, Math.ceil(next - capacity - now - TIME_EPSILON));
  }
  out.remaining = Math.max(0, Math.floor((capacity - (kept - now) + TIME_EPSILON) / interval));
  out.resetMs = Math.max(0, Math.ceil(kept - now - TIME_EPSILON));
  out.s0 = kept;
  out.s1 = 0;
  out.s2 = 0;
  out.expiresAt = kept;
}
