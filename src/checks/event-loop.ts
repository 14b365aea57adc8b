import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { invalidOption } from '../errors/option-error.js';
import type { Check, CheckResult } from './check.js';

export interface EventLoopCheckOptions {
  /** Fail (warn, when not critical) when the p99 delay since the last run exceeds this many ms. Default 500. */
  maxDelayMs?: number;
  /** Warn above this many ms. Default 100. */
  warnDelayMs?: number;
  /** Default `eventloop:delay`. */
  name?: string;
  /** Default false: a slow loop degrades the service, restarting it rarely helps. */
  critical?: boolean;
}

const RESOLUTION_MS = 10;

/**
 * The event loop's p99 delay since the previous run of the check, from
 * `perf_hooks.monitorEventLoopDelay` (no timer of ours). The histogram is
 * made on the first run, so a check never run costs nothing.
 */
export function eventLoopCheck(options: EventLoopCheckOptions = {}): Check {
  const maxDelay = options.maxDelayMs ?? 500;
  const warnDelay = options.warnDelayMs ?? 100;
  if (!(maxDelay > 0) || !(warnDelay > 0) || warnDelay > maxDelay) throw invalidOption('eventLoopCheck', 'warnDelayMs ≤ maxDelayMs, both positive', { warnDelay, maxDelay });
  let histogram: IntervalHistogram | undefined;
  return {
    name: options.name ?? 'eventloop:delay',
    critical: options.critical ?? false,
    async run(): Promise<CheckResult> {
      if (histogram === undefined) {
        histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
        histogram.enable();
        // Nothing measured yet: give the monitor one tick of data.
        await new Promise((resolve) => setTimeout(resolve, RESOLUTION_MS * 2));
      }
      const delay = Math.max(0, Math.round(histogram.percentile(99) / 1e6 - RESOLUTION_MS));
      histogram.reset();
      const status = delay > maxDelay ? 'fail' : delay > warnDelay ? 'warn' : 'pass';
      return status === 'pass' ? { status, observedValue: delay, observedUnit: 'ms' } : { status, observedValue: delay, observedUnit: 'ms', output: `event loop p99 delay ${delay} ms` };
    },
  };
}
