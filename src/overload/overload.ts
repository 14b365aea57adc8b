import { performance as perf, type EventLoopUtilization } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { ServiceUnavailableError } from '../errors/app-error.js';
import { invalidOption } from '../errors/option-error.js';
import type { ProblemResponse } from '../errors/problem.js';
import type { RequestState } from '../pipeline/request-state.js';
import { LagSampler } from './lag-sampler.js';

export interface OverloadOptions {
  /** Shed when the longest event-loop delay since the last sample exceeds this many ms. Default 1000; 0 turns it off. */
  maxEventLoopDelayMs?: number;
  /** Shed when V8's used heap exceeds this fraction of its limit (`--max-old-space-size`). Default 0.95; 0 turns it off. */
  maxHeapUsedRatio?: number;
  /** Shed when the resident set exceeds this many bytes (container memory limits). Default 0 (off). */
  maxRssBytes?: number;
  /** Shed when event-loop utilization (0–1) over the last sample exceeds this. Default 0 (off). */
  maxEventLoopUtilization?: number;
  /** How often the readings are taken, in ms; requests only read a flag. Default 1000. */
  sampleIntervalMs?: number;
  /** `Retry-After` of shed requests, in seconds. Default 10. */
  retryAfterSeconds?: number;
}

/** One sample of the process' load. */
export interface OverloadReadings {
  readonly eventLoopDelayMs: number;
  readonly heapUsedRatio: number;
  readonly rssBytes: number;
  readonly eventLoopUtilization: number;
}

/**
 * Production defaults: shed only when the process is clearly in trouble. A
 * p99 loop delay of a second means every request already waits a second;
 * a heap at 95% of its limit means the GC is thrashing and an OOM kill is
 * near. Both are far above what a healthy service shows, so shedding never
 * triggers on ordinary bursts.
 */
export const DEFAULT_OVERLOAD = Object.freeze({
  maxEventLoopDelayMs: 1000,
  maxHeapUsedRatio: 0.95,
  maxRssBytes: 0,
  maxEventLoopUtilization: 0,
  sampleIntervalMs: 1000,
  retryAfterSeconds: 10,
} satisfies Required<OverloadOptions>);

const RESOLUTION_MS = 20;

/**
 * Samples event-loop delay, heap, RSS and loop utilization on an unref'ed
 * timer and keeps one boolean; the gate reads it, so shedding costs a
 * request one property read. Health and metrics endpoints are answered by
 * an earlier gate and are never shed.
 */
export class OverloadMonitor {
  readonly #limits: Required<OverloadOptions>;
  readonly #lag: LagSampler;
  readonly #timer: NodeJS.Timeout;
  readonly #onChange: (overloaded: boolean, readings: OverloadReadings, exceeded: string | undefined) => void;
  #elu: EventLoopUtilization;
  #overloaded = false;
  #last: OverloadReadings = { eventLoopDelayMs: 0, heapUsedRatio: 0, rssBytes: 0, eventLoopUtilization: 0 };

  constructor(options: OverloadOptions, onChange: (overloaded: boolean, readings: OverloadReadings, exceeded: string | undefined) => void = () => undefined) {
    if (typeof options !== 'object' || options === null) throw invalidOption('overload', 'an object or false', options);
    const limits = { ...DEFAULT_OVERLOAD, ...options };
    for (const key of Object.keys(DEFAULT_OVERLOAD) as (keyof typeof DEFAULT_OVERLOAD)[]) {
      const value = limits[key];
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw invalidOption(`overload.${key}`, 'a non-negative number', value);
    }
    for (const key of ['maxHeapUsedRatio', 'maxEventLoopUtilization'] as const) {
      if (limits[key] > 1) throw invalidOption(`overload.${key}`, 'a fraction from 0 to 1', limits[key]);
    }
    if (limits.sampleIntervalMs < RESOLUTION_MS) throw invalidOption('overload.sampleIntervalMs', `at least ${RESOLUTION_MS} ms`, limits.sampleIntervalMs);
    this.#limits = Object.freeze(limits);
    this.#onChange = onChange;
    this.#lag = new LagSampler();
    this.#elu = perf.eventLoopUtilization();
    this.#timer = setInterval(() => this.sample(), limits.sampleIntervalMs);
    this.#timer.unref();
  }

  get overloaded(): boolean {
    return this.#overloaded;
  }

  get readings(): OverloadReadings {
    return this.#last;
  }

  get retryAfterSeconds(): number {
    return this.#limits.retryAfterSeconds;
  }

  /** Takes a sample now (the timer calls this; tests may too) and returns whether the process is overloaded. */
  sample(readings: OverloadReadings = this.#read()): boolean {
    this.#last = readings;
    const exceeded = this.#exceeded(readings);
    const overloaded = exceeded !== undefined;
    if (overloaded !== this.#overloaded) {
      this.#overloaded = overloaded;
      this.#onChange(overloaded, readings, exceeded);
    }
    return overloaded;
  }

  #read(): OverloadReadings {
    const delay = this.#lag.takeMax();
    const heap = getHeapStatistics();
    const elu = perf.eventLoopUtilization(this.#elu);
    this.#elu = perf.eventLoopUtilization();
    const rss = this.#limits.maxRssBytes > 0 ? process.memoryUsage.rss() : 0;
    return { eventLoopDelayMs: delay, heapUsedRatio: heap.used_heap_size / heap.heap_size_limit, rssBytes: rss, eventLoopUtilization: elu.utilization };
  }

  #exceeded(readings: OverloadReadings): string | undefined {
    const limits = this.#limits;
    if (limits.maxEventLoopDelayMs > 0 && readings.eventLoopDelayMs > limits.maxEventLoopDelayMs) return 'eventLoopDelay';
    if (limits.maxHeapUsedRatio > 0 && readings.heapUsedRatio > limits.maxHeapUsedRatio) return 'heapUsed';
    if (limits.maxRssBytes > 0 && readings.rssBytes > limits.maxRssBytes) return 'rss';
    if (limits.maxEventLoopUtilization > 0 && readings.eventLoopUtilization > limits.maxEventLoopUtilization) return 'eventLoopUtilization';
    return undefined;
  }

  close(): void {
    clearInterval(this.#timer);
    this.#lag.close();
  }
}

/** Stage 4: a 503 with `Retry-After` while the monitor says the process is overloaded. */
export function createOverloadGate(monitor: OverloadMonitor, problem: (error: unknown, state: RequestState) => ProblemResponse): (state: RequestState) => ProblemResponse | undefined {
  const retryAfter = monitor.retryAfterSeconds;
  const detail = `The server is overloaded. Try again in ${retryAfter} second${retryAfter === 1 ? '' : 's'}.`;
  return function shedLoad(state) {
    if (!monitor.overloaded) return undefined;
    return problem(new ServiceUnavailableError({ detail, expose: true }, retryAfter), state);
  };
}
