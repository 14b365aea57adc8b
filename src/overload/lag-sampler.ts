/**
 * Measures event-loop delay with a short repeating timer: each tick notes how
 * much later than scheduled it ran. `perf_hooks.monitorEventLoopDelay` was
 * the first choice, but its native timer misses a block that ends just
 * before it is read (measured: a 300 ms block read 15 ms later shows as
 * 10 ms), which is exactly when a shedding decision is made.
 *
 * One timer per process (every 20 ms, unref'ed, ~50 callbacks a second)
 * serves every sampler; each sampler keeps its own window.
 */
const RESOLUTION_MS = 20;

const samplers = new Set<LagSampler>();
let timer: NodeJS.Timeout | undefined;
let last = 0;

function tick(): void {
  const now = performance.now();
  const lag = now - last - RESOLUTION_MS;
  last = now;
  if (lag <= 0) return;
  for (const sampler of samplers) sampler.record(lag);
}

export class LagSampler {
  #max = 0;

  constructor() {
    samplers.add(this);
    if (timer === undefined) {
      last = performance.now();
      timer = setInterval(tick, RESOLUTION_MS);
      timer.unref();
    }
  }

  /** @internal Called by the shared timer. */
  record(lag: number): void {
    if (lag > this.#max) this.#max = lag;
  }

  /** The longest delay since the previous call (a block still in progress or just ended included), in ms; resets the window. */
  takeMax(): number {
    const pending = performance.now() - last - RESOLUTION_MS;
    const max = Math.max(0, this.#max, pending);
    this.#max = 0;
    return Math.round(max);
  }

  close(): void {
    samplers.delete(this);
    if (samplers.size === 0 && timer !== undefined) {
      clearInterval(timer);
      timer = undefined;
    }
  }
}
