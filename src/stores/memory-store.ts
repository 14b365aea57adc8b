import type { Logger } from 'pino';
import { RAMPART_CODES } from '../errors/codes.js';
import { invalidOption } from '../errors/option-error.js';
import { decideFor, emptyVerdict, type Decide, type Verdict } from '../rate-limit/algorithms/index.js';
import { penaltyBlockMs } from '../rate-limit/penalty.js';
import type { Hit, HitResult, LimitSpec, PenaltyKey, PenaltySpec, RateLimitStore, StoreContext, StoreDecision } from '../rate-limit/store.js';

export interface MemoryStoreOptions {
  /**
   * Most counters held at once, across all rules. Default 100 000, about
   * 11 MB (`npm run bench:ratelimit` measures the bytes per key). When every
   * slot holds a live counter, new keys share one overflow counter per rule
   * until slots expire; live counters are never evicted.
   */
  maxKeys?: number;
  /** The clock, in epoch milliseconds. Default `Date.now`; tests pass a fake one. */
  now?: () => number;
  /** How often a background pass reclaims expired slots. Default 1000 ms; the timer is `unref()`ed. */
  sweepIntervalMs?: number;
}

/** 100k keys ≈ 11 MB: room for a busy public service without surprising a small container. */
export const DEFAULT_MEMORY_MAX_KEYS = 100_000;
const DEFAULT_SWEEP_INTERVAL_MS = 1000;
const INITIAL_CAPACITY = 1024;
/** Slots inspected (and freed if expired) on every new key: keeps reclaiming in step with churn, O(1). */
const SWEEP_PER_INSERT = 2;
/** Slots inspected for an expired one before a new key falls back to the overflow counter. */
const PROBES_WHEN_FULL = 64;
/** Slots the background pass inspects per tick: bounded work, never a full scan of a large table. */
const SWEEP_PER_TICK = 16_384;
const OVERFLOW_WARNING_INTERVAL_MS = 60_000;
/** Per slot: three numbers of counter state, then the expiry, side by side so one cache line holds a counter. */
const STATE_WIDTH = 4;
const EXPIRY = 3;

/** The counters of one rule (or one penalty kind): key → slot. */
interface Table {
  readonly index: number;
  readonly map: Map<string, number>;
  readonly decide: Decide | undefined;
  /** The shared counter for keys that arrive while every slot is live. */
  readonly overflow: Float64Array;
}

export interface MemoryStoreStats {
  /** Slots holding a counter (live or expired but not yet reclaimed). */
  readonly keys: number;
  readonly capacity: number;
  readonly maxKeys: number;
  /** Decisions made on an overflow counter because the store was full. */
  readonly overflowed: number;
}

/**
 * The embedded store: counters in one process. O(1) per decision, no
 * allocation per counter (state lives in typed arrays indexed from a Map),
 * bounded by `maxKeys`, expired counters reclaimed incrementally.
 *
 * Under a flood of new keys (a botnet, rotating IPv6 /64s) it never evicts a
 * live counter, the failure of LRU-based stores that lets a flood reset
 * everyone's limits. New keys that find no free slot are counted together,
 * per rule, on one overflow counter: the flood limits itself, existing
 * clients keep their own counters, and a warning is logged.
 */
export class MemoryStore implements RateLimitStore {
  readonly name = 'memory';
  readonly shared = false;
  readonly maxKeys: number;

  /** A test clock; undefined for the real one, called directly below so the JIT can inline `Date.now()`. */
  readonly #clock: (() => number) | undefined;
  readonly #tables = new Map<string, Table>();
  readonly #penaltyTables = new Map<string, Table>();
  readonly #byIndex: Table[] = [];
  #state: Float64Array;
  #tableOf: Uint16Array;
  #keys: (string | undefined)[];
  #free: number[] = [];
  #top = 0;
  #capacity: number;
  #cursor = 0;
  #overflowed = 0;
  #lastWarning = -Infinity;
  #logger: Logger | undefined;
  #lastSpec: LimitSpec | undefined;
  #lastTable: Table | undefined;
  readonly #verdicts: Verdict[] = [emptyVerdict(), emptyVerdict(), emptyVerdict(), emptyVerdict()];
  readonly #timer: NodeJS.Timeout;

  constructor(options: MemoryStoreOptions = {}) {
    const maxKeys = options.maxKeys ?? DEFAULT_MEMORY_MAX_KEYS;
    if (!Number.isInteger(maxKeys) || maxKeys < 1 || maxKeys > 2 ** 31 - 1) throw invalidOption('maxKeys', 'a positive integer', maxKeys);
    const sweepMs = options.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS;
    if (!Number.isInteger(sweepMs) || sweepMs < 10) throw invalidOption('sweepIntervalMs', 'an integer of at least 10 (ms)', sweepMs);
    if (options.now !== undefined && typeof options.now !== 'function') throw invalidOption('now', 'a function returning epoch ms', options.now);
    this.maxKeys = maxKeys;
    this.#clock = options.now;
    this.#capacity = Math.min(INITIAL_CAPACITY, maxKeys);
    this.#state = new Float64Array(this.#capacity * STATE_WIDTH);
    this.#tableOf = new Uint16Array(this.#capacity);
    this.#keys = new Array<string | undefined>(this.#capacity);
    this.#byIndex.push(undefined as unknown as Table); // index 0: free slot
    this.#timer = setInterval(() => this.#sweep(SWEEP_PER_TICK), sweepMs);
    this.#timer.unref();
  }

  #now(): number {
    return this.#clock === undefined ? Date.now() : this.#clock();
  }

  bind(context: StoreContext): void {
    this.#logger ??= context.logger;
  }

  consume(hits: readonly Hit[]): StoreDecision {
    const now = this.#now();
    const count = hits.length;
    if (count === 1) return this.#consumeOne(hits[0] as Hit, now);
    while (this.#verdicts.length < count) this.#verdicts.push(emptyVerdict());
    const slots: number[] = new Array<number>(count);
    let allowed = true;
    for (let i = 0; i < count; i++) {
      const hit = hits[i] as Hit;
      const table = this.#tableFor(hit.spec);
      const slot = this.#locate(table, hit.key, now);
      slots[i] = slot;
      if (!this.#decide(table, slot, hit, now, this.#verdicts[i] as Verdict)) allowed = false;
    }
    const results = new Array<HitResult>(count);
    for (let i = 0; i < count; i++) {
      const verdict = this.#verdicts[i] as Verdict;
      const table = this.#tableFor((hits[i] as Hit).spec);
      if (allowed) this.#commit(table, slots[i] as number, verdict);
      else this.#unreserve(slots[i] as number);
      results[i] = { allowed: verdict.allowed, remaining: verdict.remaining, resetMs: verdict.resetMs, retryAfterMs: verdict.retryAfterMs };
    }
    return { allowed, results };
  }

  /** The common case, one rule: the same steps as `consume`, without the per-batch arrays. */
  #consumeOne(hit: Hit, now: number): StoreDecision {
    const table = this.#tableFor(hit.spec);
    const slot = this.#locate(table, hit.key, now);
    const verdict = this.#verdicts[0] as Verdict;
    const allowed = this.#decide(table, slot, hit, now, verdict);
    if (allowed) this.#commit(table, slot, verdict);
    else this.#unreserve(slot);
    return { allowed, results: [{ allowed, remaining: verdict.remaining, resetMs: verdict.resetMs, retryAfterMs: verdict.retryAfterMs }] };
  }

  /** Decides one hit on its slot (or the table's overflow counter for slot -1). */
  #decide(table: Table, slot: number, hit: Hit, now: number, verdict: Verdict): boolean {
    const state = slot === -1 ? table.overflow : this.#state;
    const base = slot === -1 ? 0 : slot * STATE_WIDTH;
    // No counter yet when the expiry is past, or NaN (a slot reserved in this batch).
    (table.decide as Decide)((state[base + EXPIRY] as number) > now ? state : undefined, base, now, hit.spec, hit.cost, verdict);
    return verdict.allowed;
  }

  reset(specs: readonly LimitSpec[], key: string): void {
    for (const spec of specs) {
      const table = this.#tables.get(spec.id);
      const slot = table?.map.get(key);
      if (slot !== undefined) this.#release(slot);
    }
  }

  penaltyStatus(keys: readonly PenaltyKey[]): number {
    const now = this.#now();
    let longest = 0;
    for (const { spec, key } of keys) {
      const slot = this.#penaltyTable(spec).map.get(key);
      if (slot === undefined) continue;
      const base = slot * STATE_WIDTH;
      if ((this.#state[base + EXPIRY] as number) > now) longest = Math.max(longest, (this.#state[base + 1] as number) - now);
    }
    return longest;
  }

  /** Penalty state: s0 = consecutive failures, s1 = blocked until (epoch ms). */
  penaltyFailure(keys: readonly PenaltyKey[]): number {
    const now = this.#now();
    let longest = 0;
    for (const { spec, key } of keys) {
      const table = this.#penaltyTable(spec);
      const slot = this.#locate(table, key, now);
      const state = slot === -1 ? table.overflow : this.#state;
      const base = slot === -1 ? 0 : slot * STATE_WIDTH;
      const failures = ((state[base + EXPIRY] as number) > now ? (state[base] as number) : 0) + 1;
      const block = penaltyBlockMs(spec, failures);
      state[base] = failures;
      state[base + 1] = now + block;
      state[base + EXPIRY] = now + Math.max(block, spec.forgetAfterMs);
      longest = Math.max(longest, block);
    }
    return longest;
  }

  penaltyClear(keys: readonly PenaltyKey[]): void {
    for (const { spec, key } of keys) {
      const slot = this.#penaltyTables.get(spec.id)?.map.get(key);
      if (slot !== undefined) this.#release(slot);
    }
  }

  stats(): MemoryStoreStats {
    return { keys: this.#top - this.#free.length, capacity: this.#capacity, maxKeys: this.maxKeys, overflowed: this.#overflowed };
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
  }

  #tableFor(spec: LimitSpec): Table {
    if (spec === this.#lastSpec) return this.#lastTable as Table;
    let table = this.#tables.get(spec.id);
    if (table === undefined) {
      table = this.#newTable(decideFor(spec.algorithm));
      this.#tables.set(spec.id, table);
    }
    this.#lastSpec = spec;
    this.#lastTable = table;
    return table;
  }

  #penaltyTable(spec: PenaltySpec): Table {
    let table = this.#penaltyTables.get(spec.id);
    if (table === undefined) {
      table = this.#newTable(undefined);
      this.#penaltyTables.set(spec.id, table);
    }
    return table;
  }

  #newTable(decide: Decide | undefined): Table {
    if (this.#byIndex.length > 0xffff) throw invalidOption('rules', 'at most 65535 rules per memory store', this.#byIndex.length);
    const table: Table = { index: this.#byIndex.length, map: new Map(), decide, overflow: new Float64Array(STATE_WIDTH) };
    this.#byIndex.push(table);
    return table;
  }

  /**
   * The key's slot, a new one, or -1 when the store is full of live counters
   * (use the overflow counter). A slot without a live counter comes back
   * reserved (expiry NaN) so sweeps during the rest of the batch leave it alone.
   */
  #locate(table: Table, key: string, now: number): number {
    const existing = table.map.get(key);
    if (existing !== undefined) {
      if (!((this.#state[existing * STATE_WIDTH + EXPIRY] as number) > now)) this.#state[existing * STATE_WIDTH + EXPIRY] = Number.NaN;
      return existing;
    }
    const slot = this.#allocate(now);
    if (slot === -1) {
      this.#overflowed++;
      this.#warnFull(now);
      return -1;
    }
    table.map.set(key, slot);
    this.#tableOf[slot] = table.index;
    this.#keys[slot] = key;
    this.#state[slot * STATE_WIDTH + EXPIRY] = Number.NaN;
    return slot;
  }

  #allocate(now: number): number {
    this.#sweepAt(now, SWEEP_PER_INSERT);
    if (this.#free.length > 0) return this.#free.pop() as number;
    if (this.#top === this.#capacity && this.#capacity < this.maxKeys) this.#grow();
    if (this.#top < this.#capacity) return this.#top++;
    this.#sweepAt(now, PROBES_WHEN_FULL);
    return this.#free.length > 0 ? (this.#free.pop() as number) : -1;
  }

  #commit(table: Table, slot: number, verdict: Verdict): void {
    const state = slot === -1 ? table.overflow : this.#state;
    const base = slot === -1 ? 0 : slot * STATE_WIDTH;
    state[base] = verdict.s0;
    state[base + 1] = verdict.s1;
    state[base + 2] = verdict.s2;
    state[base + EXPIRY] = verdict.expiresAt;
  }

  /** A rejected batch leaves its reserved slots free for the sweep. */
  #unreserve(slot: number): void {
    if (slot !== -1 && Number.isNaN(this.#state[slot * STATE_WIDTH + EXPIRY])) this.#state[slot * STATE_WIDTH + EXPIRY] = 0;
  }

  #release(slot: number): void {
    const table = this.#byIndex[this.#tableOf[slot] as number];
    const key = this.#keys[slot];
    if (table === undefined || key === undefined) return;
    table.map.delete(key);
    this.#keys[slot] = undefined;
    this.#tableOf[slot] = 0;
    this.#state[slot * STATE_WIDTH + EXPIRY] = 0;
    this.#free.push(slot);
  }

  #sweep(budget: number): void {
    this.#sweepAt(this.#now(), budget);
  }

  /** Inspects up to `budget` slots round-robin and frees the expired ones. */
  #sweepAt(now: number, budget: number): void {
    const top = this.#top;
    if (top === 0) return;
    const steps = Math.min(budget, top);
    let cursor = this.#cursor;
    for (let i = 0; i < steps; i++) {
      if (cursor >= top) cursor = 0;
      if (this.#tableOf[cursor] !== 0 && (this.#state[cursor * STATE_WIDTH + EXPIRY] as number) <= now) this.#release(cursor);
      cursor++;
    }
    this.#cursor = cursor;
  }

  #grow(): void {
    const capacity = Math.min(this.maxKeys, this.#capacity * 2);
    const state = new Float64Array(capacity * STATE_WIDTH);
    state.set(this.#state);
    const tableOf = new Uint16Array(capacity);
    tableOf.set(this.#tableOf);
    this.#state = state;
    this.#tableOf = tableOf;
    this.#keys.length = capacity;
    this.#capacity = capacity;
  }

  #warnFull(now: number): void {
    if (this.#logger === undefined || now - this.#lastWarning < OVERFLOW_WARNING_INTERVAL_MS) return;
    this.#lastWarning = now;
    this.#logger.warn(
      { code: 'RAMPART_RATE_LIMIT_STORE_FULL', maxKeys: this.maxKeys, overflowed: this.#overflowed },
      RAMPART_CODES.RAMPART_RATE_LIMIT_STORE_FULL.message,
    );
  }
}

/**
 * The embedded store with explicit settings (the default is `new MemoryStore()`).
 *
 * @example
 * createRampart({ rateLimit: { store: memoryStore({ maxKeys: 500_000 }), rules } });
 */
export function memoryStore(options?: MemoryStoreOptions): MemoryStore {
  return new MemoryStore(options);
}
