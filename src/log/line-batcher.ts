import type { DestinationStream } from 'pino';

/** Live batchers, flushed if the process exits (`process.exit()` skips pending timers). */
const live = new Set<WeakRef<LineBatcher>>();
let exitHookInstalled = false;

function flushAllOnExit(): void {
  // Held lines too: the old file is a better place for them than nowhere.
  for (const ref of live) ref.deref()?.flush(true);
}

/** How long a line may wait for company before it is handed on. */
export const LOG_BATCH_INTERVAL_MS = 20;
/** A batch this large is handed on at once. */
export const LOG_BATCH_MAX_CHARS = 64 * 1024;

/**
 * Gathers log lines for up to 20 ms (or 64 KiB) and hands them to the
 * destination as one string.
 *
 * Why: every chunk handed to sonic-boom (pino's destination) becomes an
 * asynchronous `fs.write`, a hand-off to libuv's thread pool that cost the
 * event loop about 2 µs per request when chunks were one event-loop turn's
 * lines, and 0.3 µs gathered for 20 ms (`writeString` in
 * `npm run bench:profile -- fastify-rampart`).
 * Gathering also spares sonic-boom's per-`write()` scan of its pending
 * buffer (`npm run bench:logging`: 2 µs a line written directly, 0.1 µs
 * batched). A line reaches the file within 20 ms; `flush()` writes out at
 * once for shutdown, and an exiting process flushes every batcher before the
 * destination's own exit flush runs.
 */
export class LineBatcher implements DestinationStream {
  #pending = '';
  #scheduled = false;
  #held = false;
  readonly #target: DestinationStream;
  readonly #maxPending: number;
  readonly #drain = (): void => {
    this.#scheduled = false;
    this.flush();
  };

  constructor(target: DestinationStream, maxPending = LOG_BATCH_MAX_CHARS) {
    this.#target = target;
    this.#maxPending = maxPending;
    for (const ref of live) if (ref.deref() === undefined) live.delete(ref);
    live.add(new WeakRef(this));
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      // Prepended: it must hand the lines over before sonic-boom's exit flush runs.
      process.prependListener('exit', flushAllOnExit);
    }
  }

  write(line: string): void {
    this.#pending += line;
    if (this.#pending.length >= this.#maxPending) this.flush();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      setTimeout(this.#drain, LOG_BATCH_INTERVAL_MS).unref();
    }
  }

  /**
   * Keeps lines here until `release()`: while a log file is being reopened,
   * a line handed on would be written to the file being rotated away.
   */
  hold(): void {
    this.#held = true;
  }

  release(): void {
    this.#held = false;
    this.flush();
  }

  /** Hands every pending line to the destination now (unless held; `force` hands them on anyway). */
  flush(force = false): void {
    if (this.#pending === '' || (this.#held && !force)) return;
    const chunk = this.#pending;
    this.#pending = '';
    this.#target.write(chunk);
  }
}
