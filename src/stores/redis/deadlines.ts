/** One call under a deadline: answered (`settle`) or abandoned when the deadline passes first. */
export interface Pending {
  readonly at: number;
  abandoned: boolean;
  readonly expire: () => void;
  /** Neighbours in the in-flight list; null at its ends and once the call left it. */
  previous: Pending | null;
  next: Pending | null;
}

/**
 * Deadlines for in-flight Redis calls with one timer instead of one per
 * call. Every call gets the same timeout, so deadlines arrive in the order
 * calls were made: a list in call order has the next to expire first.
 *
 * The list is intrusive (each call holds its neighbours): an answered call
 * unlinks itself in O(1) and nothing it holds (its promise, its arguments)
 * outlives it. The queue cleaned lazily that came before kept a timeout's
 * worth of answered calls alive under load, long enough for the garbage
 * collector to promote them: with 32 callers the store ran at 0.77× of
 * rate-limiter-flexible instead of about 1× (`npm run bench:ratelimit --
 * --only redis`). The timer is `unref()`ed and runs only while calls are in
 * flight.
 */
export class Deadlines {
  readonly #timeoutMs: number;
  #oldest: Pending | null = null;
  #newest: Pending | null = null;
  #timer: NodeJS.Timeout | undefined;

  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
  }

  /** Registers a call; `expire` runs if the call has not settled `timeoutMs` from now. */
  start(expire: () => void): Pending {
    const pending: Pending = { at: Date.now() + this.#timeoutMs, abandoned: false, expire, previous: this.#newest, next: null };
    if (this.#newest === null) this.#oldest = pending;
    else this.#newest.next = pending;
    this.#newest = pending;
    if (this.#timer === undefined) this.#arm(this.#timeoutMs);
    return pending;
  }

  /** The call answered. False when its deadline had already passed: its caller was told it failed. */
  settle(pending: Pending): boolean {
    if (pending.abandoned) return false;
    // Settled once already: unlinking it again would cut the list.
    if (pending.previous === null && this.#oldest !== pending) return true;
    this.#unlink(pending);
    return true;
  }

  #unlink(pending: Pending): void {
    if (pending.previous === null) this.#oldest = pending.next;
    else pending.previous.next = pending.next;
    if (pending.next === null) this.#newest = pending.previous;
    else pending.next.previous = pending.previous;
    pending.previous = null;
    pending.next = null;
  }

  #arm(ms: number): void {
    this.#timer = setTimeout(() => this.#fire(), Math.max(1, ms));
    this.#timer.unref();
  }

  #fire(): void {
    this.#timer = undefined;
    const now = Date.now();
    while (this.#oldest !== null) {
      if (this.#oldest.at > now) {
        this.#arm(this.#oldest.at - now);
        return;
      }
      this.#abandon(this.#oldest);
    }
  }

  #abandon(pending: Pending): void {
    this.#unlink(pending);
    pending.abandoned = true;
    pending.expire();
  }

  /** Stops the timer; calls still in flight are abandoned now. */
  clear(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    while (this.#oldest !== null) this.#abandon(this.#oldest);
  }
}
