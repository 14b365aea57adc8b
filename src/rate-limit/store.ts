import type { Logger } from 'pino';

/** The counting algorithms; see `docs/rate-limiting.md` for their memory and accuracy. */
export type AlgorithmName = 'sliding-window' | 'fixed-window' | 'gcra';

/**
 * What a store needs to know about a rule: its limits, compiled once. The
 * `id` (the rule's name) is part of every storage key, so two rules never
 * share a counter.
 */
export interface LimitSpec {
  readonly id: string;
  readonly algorithm: AlgorithmName;
  /** Requests (cost units) allowed per window. */
  readonly limit: number;
  readonly windowMs: number;
  /** GCRA only: how many cost units may arrive at once. Equals `limit` for the window algorithms. */
  readonly burst: number;
}

/** One rule applied to one client for one request. */
export interface Hit {
  readonly spec: LimitSpec;
  /**
   * Who is counted: an IP prefix, a user id, a hashed API key… Opaque to the
   * store. Stores that leave the process (`shared: true`) are given a keyed
   * hash, never the raw value.
   */
  readonly key: string;
  /** Cost units this request weighs; 0 checks without counting. */
  readonly cost: number;
}

/** A store's verdict on one hit. */
export interface HitResult {
  readonly allowed: boolean;
  /** Units left after this request, or -1 when the store did not look (another rule already rejected, from a local cache). */
  readonly remaining: number;
  /** Milliseconds until the counter is back to empty. */
  readonly resetMs: number;
  /** When rejected: milliseconds until a request of the same cost would be allowed. 0 when allowed. */
  readonly retryAfterMs: number;
}

/**
 * The verdict on all the hits of one request. `allowed` is true only when
 * every hit is allowed, and then every hit was counted; when false, none was.
 */
export interface StoreDecision {
  readonly allowed: boolean;
  /** In the order of the hits given. */
  readonly results: readonly HitResult[];
}

/** Brute-force penalty settings for one kind of key (username + IP, or username alone). */
export interface PenaltySpec {
  readonly id: string;
  /** Consecutive failures that start the first block. */
  readonly threshold: number;
  /** The first block; each further failure doubles it. */
  readonly blockMs: number;
  readonly maxBlockMs: number;
  /** Failures are forgotten after this long without a new one. */
  readonly forgetAfterMs: number;
}

export interface PenaltyKey {
  readonly spec: PenaltySpec;
  readonly key: string;
}

/** Given to a store by the limiter it serves. */
export interface StoreContext {
  readonly logger: Logger;
}

/**
 * Where counters live. Rampart ships a memory store (the default, one
 * process) and a Redis / Valkey store (`rampart/redis`, many instances).
 * A store either answers or fails (throws or rejects) quickly; the limiter
 * applies each rule's failure policy.
 */
export interface RateLimitStore {
  /** `memory`, `redis`: the `store` label on failure metrics. */
  readonly name: string;
  /** Whether counters leave the process: then keys are hashed before the store sees them. */
  readonly shared: boolean;
  /**
   * Decides all hits together, atomically: if any is rejected, none is
   * counted. May answer synchronously (the memory store does, so the
   * pipeline stays synchronous).
   */
  consume(hits: readonly Hit[]): StoreDecision | Promise<StoreDecision>;
  /** Forgets the counters of `key` under these specs. */
  reset(specs: readonly LimitSpec[], key: string): void | Promise<void>;
  /** Milliseconds the longest of these keys is still blocked for; 0 when none is. */
  penaltyStatus(keys: readonly PenaltyKey[]): number | Promise<number>;
  /** Records one failure on each key; resolves to the longest block now in force (0 when none). */
  penaltyFailure(keys: readonly PenaltyKey[]): number | Promise<number>;
  /** Clears the failures of these keys. */
  penaltyClear(keys: readonly PenaltyKey[]): void | Promise<void>;
  /** Called once by the limiter that uses the store. */
  bind?(context: StoreContext): void;
  /** Stops timers; closes connections the store opened itself. */
  close(): Promise<void>;
}
