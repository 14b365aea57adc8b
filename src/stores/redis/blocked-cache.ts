import type { Hit, HitResult, StoreDecision } from '../../rate-limit/store.js';

const NOT_LOOKED_AT: HitResult = Object.freeze({ allowed: true, remaining: -1, resetMs: 0, retryAfterMs: 0 });

interface Entry {
  /** Local epoch ms until which the counter rejects. */
  readonly until: number;
  /** The cost that was rejected: a lighter request may fit sooner, so it is not answered from here. */
  readonly cost: number;
}

/**
 * Counters Redis said are blocked, and until when, so a client hammering
 * past its limit costs no round trip until its Retry-After has passed.
 * Safe under all-or-nothing: a request with one blocked rule is rejected
 * whatever its other rules say, and nothing is counted. Bounded: when full,
 * the oldest entry goes (it is only a cache; Redis stays the truth).
 */
export class BlockedCache {
  readonly #entries = new Map<string, Entry>();
  readonly #max: number;
  readonly #now: () => number;
  hits = 0;

  constructor(max: number, now: () => number = Date.now) {
    this.#max = max;
    this.#now = now;
  }

  /** A rejection decided locally, or undefined to ask Redis. */
  check(hits: readonly Hit[]): StoreDecision | undefined {
    if (this.#entries.size === 0) return undefined;
    const now = this.#now();
    let results: HitResult[] | undefined;
    for (let i = 0; i < hits.length; i++) {
      const hit = hits[i] as Hit;
      const id = entryKey(hit.spec.id, hit.key);
      const entry = this.#entries.get(id);
      if (entry === undefined) continue;
      if (entry.until <= now) {
        this.#entries.delete(id);
        continue;
      }
      if (hit.cost < entry.cost) continue;
      results ??= hits.map(() => NOT_LOOKED_AT);
      const wait = entry.until - now;
      results[i] = { allowed: false, remaining: 0, resetMs: wait, retryAfterMs: wait };
    }
    if (results === undefined) return undefined;
    this.hits++;
    return { allowed: false, results };
  }

  remember(hits: readonly Hit[], results: readonly HitResult[]): void {
    const now = this.#now();
    for (let i = 0; i < hits.length; i++) {
      const result = results[i] as HitResult;
      if (result.allowed || result.retryAfterMs <= 0) continue;
      const hit = hits[i] as Hit;
      const id = entryKey(hit.spec.id, hit.key);
      this.#entries.delete(id);
      if (this.#entries.size >= this.#max) this.#entries.delete(this.#entries.keys().next().value as string);
      this.#entries.set(id, { until: now + result.retryAfterMs, cost: hit.cost });
    }
  }

  forget(ids: readonly string[], key: string): void {
    for (const id of ids) this.#entries.delete(entryKey(id, key));
  }
}

function entryKey(id: string, key: string): string {
  return `${id}\n${key}`;
}
