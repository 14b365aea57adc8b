/** One call under a deadline: settled when it answers, abandoned when the deadline passes first. */
export interface Pending {
  readonly at: number;
  settled: boolean;
  abandoned: boolean;
  readonly expire: () => void;
}

/**
 * Deadlines for in-flight Redis calls with one timer instead of one per
 * call. Every call gets the same timeout, so deadlines arrive in the order
 * calls were made: a FIFO whose head is the next to expire. Settled calls
 * are skipped lazily. The timer is `unref()`ed and exists only while calls
 * are in flight.
 */
export class Deadlines {
  readonly #timeoutMs: number;
  #queue: Pending[] = [];
  #head = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
  }

  /** Registers a call; `expire` runs if the call has not settled `timeoutMs` from now. */
  start(expire: () => void): Pending {
    const pending: Pending = { at: Date.now() + this.#timeoutMs, settled: false, abandoned: false, expire };
    this.#queue.push(pending);
    if (this.#timer === undefined) this.#arm(this.#timeoutMs);
    return pending;
  }

  #arm(ms: number): void {
    this.#timer = setTimeout(() => this.#fire(), Math.max(1, ms));
    this.#timer.unref();
  }

  #fire(): void {
    this.#timer = undefined;
    const now = Date.now();
    const queue = this.#queue;
    while (this.#head < queue.length) {
      const pending = queue[this.#head] as Pending;
      if (!pending.settled) {
        if (pending.at > now) break;
        pending.settled = true;
        pending.abandoned = true;
        pending.expire();
      }
      this.#head++;
    }
    if (this.#head === queue.length) {
      this.#queue = [];
      this.#head = 0;
      return;
    }
    if (this.#head > 1024) {
      this.#queue = queue.slice(this.#head);
      this.#head = 0;
    }
    this.#arm((this.#queue[this.#head] as Pending).at - now);
  }

  /** Stops the timer; calls still in flight are abandoned now. */
  clear(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (let i = this.#head; i < this.#queue.length; i++) {
      const pending = this.#queue[i] as Pending;
      if (pending.settled) continue;
      pending.settled = true;
      pending.abandoned = true;
      pending.expire();
    }
    this.#queue = [];
    this.#head = 0;
  }
}
