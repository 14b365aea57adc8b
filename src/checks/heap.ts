import { getHeapStatistics } from 'node:v8';
import { invalidOption } from '../errors/option-error.js';
import type { Check, CheckResult } from './check.js';

export interface HeapCheckOptions {
  /** Fail (warn, when not critical) above this fraction of V8's heap limit. Default 0.95. */
  maxUsedRatio?: number;
  /** Warn above this fraction. Default 0.85. */
  warnUsedRatio?: number;
  /** Default `memory:heap`. */
  name?: string;
  /** Default false. */
  critical?: boolean;
}

/** V8 heap in use as a fraction of its limit (`--max-old-space-size`), observed in percent. */
export function heapCheck(options: HeapCheckOptions = {}): Check {
  const maxRatio = options.maxUsedRatio ?? 0.95;
  const warnRatio = options.warnUsedRatio ?? 0.85;
  if (!(maxRatio > 0 && maxRatio <= 1) || !(warnRatio > 0 && warnRatio <= maxRatio)) {
    throw invalidOption('heapCheck', 'fractions with 0 < warnUsedRatio ≤ maxUsedRatio ≤ 1', { warnRatio, maxRatio });
  }
  return {
    name: options.name ?? 'memory:heap',
    critical: options.critical ?? false,
    async run(): Promise<CheckResult> {
      const heap = getHeapStatistics();
      const ratio = heap.used_heap_size / heap.heap_size_limit;
      const percent = Math.round(ratio * 1000) / 10;
      const status = ratio > maxRatio ? 'fail' : ratio > warnRatio ? 'warn' : 'pass';
      return status === 'pass' ? { status, observedValue: percent, observedUnit: 'percent' } : { status, observedValue: percent, observedUnit: 'percent', output: `heap ${percent}% of limit` };
    },
  };
}
