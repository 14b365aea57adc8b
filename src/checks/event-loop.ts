import { invalidOption } from '../errors/option-error.js';
import { LagSampler } from '../overload/lag-sampler.js';
import type { Check, CheckResult } from './check.js';

export interface EventLoopCheckOptions {
  /** Fail (warn, when not critical) when the longest delay since the last run exceeds this many ms. Default 500. */
  maxDelayMs?: number;
  /** Warn above this many ms. Default 100. */
  warnDelayMs?: number;
  /** Default `eventloop:delay`. */
  name?: string;
  /** Default false: a slow loop degrades the service, restarting it rarely helps. */
  critical?: boolean;
}

/**
 * The longest event-loop delay since the previous run of the check. The
 * sampler starts on the first run, so a check never run costs nothing; the
 * first run reports what one short wait shows.
 */
export function eventLoopCheck(options: EventLoopCheckOptions = {}): Check {
  const maxDelay = options.maxDelayMs ?? 500;
  const warnDelay = options.warnDelayMs ?? 100;
  if (!(maxDelay > 0) || !(warnDelay > 0) || warnDelay > maxDelay) throw invalidOption('eventLoopCheck', 'warnDelayMs ≤ maxDelayMs, both positive', { warnDelay, maxDelay });
  let sampler: LagSampler | undefined;
  return {
    name: options.name ?? 'eventloop:delay',
    critical: options.critical ?? false,
    async run(): Promise<CheckResult> {
      if (sampler === undefined) {
        sampler = new LagSampler();
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      const delay = sampler.takeMax();
      const status = delay > maxDelay ? 'fail' : delay > warnDelay ? 'warn' : 'pass';
      return status === 'pass' ? { status, observedValue: delay, observedUnit: 'ms' } : { status, observedValue: delay, observedUnit: 'ms', output: `event loop delay ${delay} ms` };
    },
  };
}
