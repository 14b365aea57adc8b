import type { Logger } from 'pino';
import { rateLimitStoreFailureChannel } from '../diagnostics/channels.js';
import { ServiceUnavailableError } from '../errors/app-error.js';
import { RAMPART_CODES } from '../errors/codes.js';
import type { MemoryStore } from '../stores/memory-store.js';
import type { FailurePolicy } from './rules.js';
import type { Hit, HitResult, PenaltyKey, RateLimitStore, StoreDecision } from './store.js';

/** A store failure under the `closed` policy: the request is answered with this 503. */
export class ClosedFailure {
  constructor(readonly error: ServiceUnavailableError) {}
}

/** Safe for clients: says what happened, names no host, library or error. */
export const STORE_UNAVAILABLE_DETAIL = 'Rate limiting is temporarily unavailable, so the request was not admitted. Try again shortly.';
/** Seconds a client is asked to wait after a closed-policy 503. */
const CLOSED_RETRY_AFTER_SECONDS = 1;
/** The first failure of an outage is logged at once; later ones are summed into one line per interval. */
const FAILURE_LOG_INTERVAL_MS = 10_000;

const NOT_LOOKED_AT: HitResult = Object.freeze({ allowed: true, remaining: -1, resetMs: 0, retryAfterMs: 0 });

/**
 * Applies each rule's failure policy around a store: `open` admits,
 * `closed` answers 503, `fallback` asks a memory store in this process.
 * Every failure is published on `rampart:rate-limit:store-failure` (the
 * metrics counter) and logged, the first at once and the rest summed every
 * ten seconds, so an outage cannot flood the log.
 */
export class StoreGuard {
  readonly #store: RateLimitStore;
  readonly #fallback: MemoryStore | undefined;
  readonly #logger: Logger;
  readonly #owner: object;
  #unlogged = 0;
  #lastLog = -Infinity;

  constructor(store: RateLimitStore, fallback: MemoryStore | undefined, logger: Logger, owner: object) {
    this.#store = store;
    this.#fallback = fallback;
    this.#logger = logger;
    this.#owner = owner;
  }

  get store(): RateLimitStore {
    return this.#store;
  }

  consume(policies: readonly { readonly failure: FailurePolicy }[], hits: readonly Hit[]): StoreDecision | ClosedFailure | Promise<StoreDecision | ClosedFailure> {
    let pending: StoreDecision | Promise<StoreDecision>;
    try {
      pending = this.#store.consume(hits);
    } catch (error) {
      return this.#consumeFailed(policies, hits, error);
    }
    if (pending instanceof Promise) return pending.catch((error: unknown) => this.#consumeFailed(policies, hits, error));
    return pending;
  }

  /** Runs a penalty operation with one policy; `onOpen` is the answer when the store fails open. */
  async penalty<T>(policy: FailurePolicy, run: (store: RateLimitStore) => T | Promise<T>, onOpen: T): Promise<T | ClosedFailure> {
    try {
      return await run(this.#store);
    } catch (error) {
      const applied = policy === 'fallback' && this.#fallback === undefined ? 'open' : policy;
      this.#failed(applied, error);
      switch (applied) {
        case 'closed':
          return closed(error);
        case 'fallback':
          return run(this.#fallback as MemoryStore);
        case 'open':
          return onOpen;
        default: {
          const never: never = applied;
          throw new TypeError(`unknown policy ${String(never)}`, { cause: error });
        }
      }
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.#store.close(), this.#fallback?.close()]);
  }

  #consumeFailed(policies: readonly { readonly failure: FailurePolicy }[], hits: readonly Hit[], error: unknown): StoreDecision | ClosedFailure {
    let applied: FailurePolicy = 'open';
    for (const { failure } of policies) {
      if (failure === 'closed') applied = 'closed';
      else if (failure === 'fallback' && applied === 'open' && this.#fallback !== undefined) applied = 'fallback';
    }
    this.#failed(applied, error);
    if (applied === 'closed') return closed(error);
    const results: HitResult[] = hits.map(() => NOT_LOOKED_AT);
    if (applied === 'open') return { allowed: true, results };
    const local: Hit[] = [];
    const where: number[] = [];
    for (let i = 0; i < hits.length; i++) {
      if (policies[i]?.failure !== 'fallback') continue;
      local.push(hits[i] as Hit);
      where.push(i);
    }
    const decision = (this.#fallback as MemoryStore).consume(local);
    for (let i = 0; i < where.length; i++) results[where[i] as number] = decision.results[i] as HitResult;
    return { allowed: decision.allowed, results };
  }

  #failed(policy: FailurePolicy, error: unknown): void {
    if (rateLimitStoreFailureChannel.hasSubscribers) rateLimitStoreFailureChannel.publish({ store: this.#store.name, policy, error, owner: this.#owner });
    this.#unlogged++;
    const now = Date.now();
    if (now - this.#lastLog < FAILURE_LOG_INTERVAL_MS) return;
    this.#logger.error(
      { code: 'RAMPART_RATE_LIMIT_STORE_FAILURE', store: this.#store.name, policy, failures: this.#unlogged, err: error },
      RAMPART_CODES.RAMPART_RATE_LIMIT_STORE_FAILURE.message,
    );
    this.#unlogged = 0;
    this.#lastLog = now;
  }
}

function closed(cause: unknown): ClosedFailure {
  return new ClosedFailure(new ServiceUnavailableError({ detail: STORE_UNAVAILABLE_DETAIL, expose: true, cause }, CLOSED_RETRY_AFTER_SECONDS));
}

export type { PenaltyKey };
