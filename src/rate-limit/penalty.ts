import type { PenaltySpec } from './store.js';

/**
 * The block that follows the `failures`-th consecutive failure: nothing
 * below the threshold, then `blockMs`, doubling with each further failure,
 * capped at `maxBlockMs`. Stores (including the Redis script) use this rule.
 */
export function penaltyBlockMs(spec: PenaltySpec, failures: number): number {
  if (failures < spec.threshold) return 0;
  return Math.min(spec.maxBlockMs, spec.blockMs * 2 ** (failures - spec.threshold));
}
