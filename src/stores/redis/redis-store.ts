import { createRequire } from 'node:module';
import type { Cluster, Redis, RedisOptions } from 'ioredis';
import { invalidOption } from '../../errors/option-error.js';
import type { Hit, HitResult, LimitSpec, PenaltyKey, RateLimitStore, StoreDecision } from '../../rate-limit/store.js';
import { BlockedCache } from './blocked-cache.js';
import { Deadlines } from './deadlines.js';
import { SCRIPTS, type Script } from './scripts.js';

export interface RedisStoreOptions {
  /** A client you made (`new Redis(…)` or `new Cluster(…)`); Rampart never quits it. */
  readonly client?: Redis | Cluster;
  /** Or a URL (`redis://…`, `rediss://…`): Rampart connects with fail-fast settings and quits on close. */
  readonly url?: string;
  /** Prefix of every key. Default `'rampart:rl:'`. */
  readonly prefix?: string;
  /** Longest wait for one call before the rule's failure policy decides. Default 200 ms. */
  readonly timeoutMs?: number;
  /** After a failure, calls skip Redis (failing at once) for this long. Default 1000 ms. */
  readonly pauseAfterFailureMs?: number;
  /** Keys known to be blocked, remembered locally so blocked clients cost no round trip. Default 10 000; 0 turns it off. */
  readonly blockedCacheSize?: number;
  /** Decide with this clock (epoch ms) instead of Redis `TIME`. For tests with a fake clock. */
  readonly now?: () => number;
}

/**
 * Well above a healthy same-region round trip (under 5 ms), low enough that
 * an outage costs the first requests at most a fifth of a second before the
 * pause makes failures immediate.
 */
export const DEFAULT_REDIS_TIMEOUT_MS = 200;
const DEFAULT_PAUSE_MS = 1000;
const DEFAULT_BLOCKED_CACHE_SIZE = 10_000;
const DEFAULT_PREFIX = 'rampart:rl:';

/** A Redis call that did not answer in time, or was not sent because Redis is away. */
export class RedisUnavailableError extends Error {
  override readonly name = 'RedisUnavailableError';
}

/** Counters for tests and benchmarks: how the store talked to Redis. */
export interface RedisStoreStats {
  /** Commands sent (each one round trip). */
  readonly calls: number;
  readonly failures: number;
  /** Times a script was sent in full after `NOSCRIPT` (a restarted or flushed Redis). */
  readonly scriptLoads: number;
  /** Rejections answered from the local blocked cache, with no round trip. */
  readonly cacheHits: number;
}

type Client = Redis | Cluster;

/**
 * Rate-limit counters in Redis or Valkey, shared by every instance.
 * One round trip per request for all the rules that share a key (one Lua
 * script, EVALSHA, re-sent on `NOSCRIPT` after a restart); keys are keyed
 * hashes (no raw IP or API key reaches Redis) wrapped in a hash tag, so all
 * of one client's counters sit in one Redis Cluster slot. A per-call
 * timeout, a short pause after failures and a readiness check keep requests
 * out of the client's offline queue: when Redis is away, the store fails
 * fast and the rule's failure policy decides.
 */
export class RedisStore implements RateLimitStore {
  readonly name = 'redis';
  readonly shared = true;
  readonly client: Client;

  readonly #owned: boolean;
  readonly #prefix: string;
  readonly #timeoutMs: number;
  readonly #pauseMs: number;
  readonly #now: (() => number) | undefined;
  readonly #cluster: boolean;
  readonly #blocked: BlockedCache | undefined;
  readonly #deadlines: Deadlines;
  #pausedUntil = 0;
  #closed = false;
  #calls = 0;
  #failures = 0;
  #scriptLoads = 0;

  constructor(options: RedisStoreOptions) {
    if (typeof options !== 'object' || options === null) throw invalidOption('redisStore', '{ client } or { url }', options);
    if ((options.client === undefined) === (options.url === undefined)) throw invalidOption('redisStore', 'exactly one of client or url', options);
    this.#prefix = options.prefix ?? DEFAULT_PREFIX;
    if (typeof this.#prefix !== 'string' || /[{}]/.test(this.#prefix) || this.#prefix.length > 128) {
      throw invalidOption('redisStore.prefix', 'a string without braces (they would break the hash tag)', this.#prefix);
    }
    this.#timeoutMs = positiveInteger('redisStore.timeoutMs', options.timeoutMs, DEFAULT_REDIS_TIMEOUT_MS);
    this.#deadlines = new Deadlines(this.#timeoutMs);
    this.#pauseMs = positiveInteger('redisStore.pauseAfterFailureMs', options.pauseAfterFailureMs, DEFAULT_PAUSE_MS, 0);
    const cacheSize = positiveInteger('redisStore.blockedCacheSize', options.blockedCacheSize, DEFAULT_BLOCKED_CACHE_SIZE, 0);
    if (options.now !== undefined && typeof options.now !== 'function') throw invalidOption('redisStore.now', 'a function returning epoch ms', options.now);
    this.#now = options.now;
    this.#blocked = cacheSize === 0 ? undefined : new BlockedCache(cacheSize, options.now);
    if (options.client !== undefined) {
      if (typeof (options.client as { evalsha?: unknown }).evalsha !== 'function') throw invalidOption('redisStore.client', 'an ioredis Redis or Cluster', options.client);
      this.client = options.client;
      this.#owned = false;
    } else {
      this.client = connect(options.url as string);
      this.#owned = true;
    }
    this.#cluster = (this.client as { isCluster?: boolean }).isCluster === true;
  }

  consume(hits: readonly Hit[]): Promise<StoreDecision> {
    const cached = this.#blocked?.check(hits);
    if (cached !== undefined) return Promise.resolve(cached);
    const groups = this.#cluster ? groupByKey(hits) : undefined;
    return groups === undefined || groups.length === 1 ? this.#consumeGroup(hits) : this.#consumeGroups(hits, groups);
  }

  async reset(specs: readonly LimitSpec[], key: string): Promise<void> {
    const keys = specs.map((spec) => this.#limitKey(spec.id, key));
    this.#blocked?.forget(
      specs.map((spec) => spec.id),
      key,
    );
    // One tag, so one slot: a single DEL works on Cluster too.
    if (keys.length > 0) await this.#call(() => this.client.del(...keys), ignoreReply);
  }

  async penaltyStatus(keys: readonly PenaltyKey[]): Promise<number> {
    return this.#penalty('s', keys);
  }

  async penaltyFailure(keys: readonly PenaltyKey[]): Promise<number> {
    return this.#penalty('f', keys);
  }

  async penaltyClear(keys: readonly PenaltyKey[]): Promise<void> {
    const groups = this.#cluster ? groupByKey(keys) : [keys];
    await Promise.all(groups.map((group) => this.#call(() => this.client.del(...group.map(({ spec, key }) => this.#penaltyKey(spec.id, key))), ignoreReply)));
  }

  stats(): RedisStoreStats {
    return { calls: this.#calls, failures: this.#failures, scriptLoads: this.#scriptLoads, cacheHits: this.#blocked?.hits ?? 0 };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#deadlines.clear();
    if (!this.#owned || this.client.status === 'end') return;
    const ended = new Promise<void>((resolve) => this.client.once('end', resolve));
    if (this.client.status === 'ready') await this.client.quit().catch(() => this.client.disconnect());
    else this.client.disconnect();
    await ended;
  }

  /** The hits of one hash tag in one script call; a rejection is remembered so the client's next requests cost no round trip. */
  #consumeGroup(hits: readonly Hit[]): Promise<StoreDecision> {
    const keys = hits.length === 1 ? [this.#limitKey((hits[0] as Hit).spec.id, (hits[0] as Hit).key)] : hits.map((hit) => this.#limitKey(hit.spec.id, hit.key));
    return this.#eval(SCRIPTS.consume, keys, consumeArgs(hits, this.#now), (reply) => {
      const decision = decisionOf(hits.length, reply as number[]);
      if (!decision.allowed) this.#blocked?.remember(hits, decision.results);
      return decision;
    });
  }

  async #consumeGroups(hits: readonly Hit[], groups: readonly (readonly Hit[])[]): Promise<StoreDecision> {
    const decisions = await Promise.all(groups.map((group) => this.#consumeGroup(group)));
    return this.#merge(hits, groups, decisions);
  }

  /**
   * Cluster only, when a request's rules key on different identities (IP and
   * API key) and so live in different slots: each slot decided on its own,
   * and if any rejected, the slots that counted are refunded. Never admits
   * more than a limit; a concurrent request may briefly see the refunded units.
   */
  async #merge(hits: readonly Hit[], groups: readonly (readonly Hit[])[], decisions: readonly StoreDecision[]): Promise<StoreDecision> {
    const allowed = decisions.every((decision) => decision.allowed);
    if (!allowed) {
      const refunds = groups.filter((_group, i) => decisions[i]?.allowed === true);
      await Promise.all(refunds.map((group) => this.#eval(SCRIPTS.refund, group.map((hit) => this.#limitKey(hit.spec.id, hit.key)), consumeArgs(group, this.#now), ignoreReply)));
    }
    const byHit = new Map<Hit, HitResult>();
    groups.forEach((group, i) => group.forEach((hit, j) => byHit.set(hit, (decisions[i] as StoreDecision).results[j] as HitResult)));
    return { allowed, results: hits.map((hit) => byHit.get(hit) as HitResult) };
  }

  async #penalty(op: 's' | 'f', keys: readonly PenaltyKey[]): Promise<number> {
    const groups = this.#cluster ? groupByKey(keys) : [keys];
    const replies = await Promise.all(
      groups.map((group) => {
        const args: (string | number)[] = [this.#now === undefined ? '' : this.#now(), op];
        for (const { spec } of group) args.push(spec.threshold, spec.blockMs, spec.maxBlockMs, spec.forgetAfterMs);
        return this.#eval(SCRIPTS.penalty, group.map(({ spec, key }) => this.#penaltyKey(spec.id, key)), args, Number);
      }),
    );
    return Math.max(0, ...replies);
  }

  #limitKey(id: string, key: string): string {
    return `${this.#prefix}{${key}}:${id}`;
  }

  #penaltyKey(id: string, key: string): string {
    return `${this.#prefix}{${key}}:p:${id}`;
  }

  /** EVALSHA, and EVAL once when Redis lost the script (restart, SCRIPT FLUSH, a failover to a new node). */
  #eval<T>(script: Script, keys: readonly string[], args: readonly (string | number)[], map: (reply: unknown) => T): Promise<T> {
    return this.#call(
      () => this.client.evalsha(script.sha, keys.length, ...keys, ...args),
      map,
      (error) => {
        if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) return undefined;
        this.#scriptLoads++;
        this.#calls++;
        return this.client.eval(script.source, keys.length, ...keys, ...args);
      },
    );
  }

  /**
   * One call under the timeout, its reply turned into the result by `map`
   * (in the same step, not a further `then`: every step is a turn of the
   * microtask queue on the hot path). `retry` may answer a failure with a
   * second command under the same deadline. Fails at once, sending nothing,
   * when the client is not connected or a recent failure paused the store:
   * a request never waits in the client's offline queue for a Redis that is
   * not there.
   */
  #call<R, T>(send: () => Promise<R>, map: (reply: R) => T, retry?: (error: unknown) => Promise<R> | undefined): Promise<T> {
    if (this.#closed) return Promise.reject(new RedisUnavailableError('the store is closed'));
    if (this.client.status !== 'ready') {
      // A lazyConnect client waits for its first command; start it, but do not queue this one behind the handshake.
      if (this.client.status === 'wait') this.client.connect().catch(() => undefined);
      return this.#fail(new RedisUnavailableError(`Redis is not connected (${this.client.status})`));
    }
    if (this.#pausedUntil > 0 && Date.now() < this.#pausedUntil) return this.#fail(new RedisUnavailableError('Redis failed recently; paused'));
    this.#calls++;
    return new Promise<T>((resolve, reject) => {
      const call = this.#deadlines.start(() => {
        this.#pause();
        reject(new RedisUnavailableError(`Redis did not answer within ${this.#timeoutMs} ms`));
      });
      const answered = (reply: R): void => {
        if (!this.#deadlines.settle(call)) return;
        this.#pausedUntil = 0;
        try {
          resolve(map(reply));
        } catch (error) {
          reject(error);
        }
      };
      const failed = (error: unknown): void => {
        // A late failure of a call already given up on says nothing about Redis now.
        if (!this.#deadlines.settle(call)) return;
        this.#pause();
        reject(error);
      };
      send().then(
        answered,
        retry === undefined
          ? failed
          : (error: unknown) => {
              // A call the request stopped waiting for is not retried: it would count a request already answered.
              const again = call.abandoned ? undefined : retry(error);
              if (again === undefined) failed(error);
              else again.then(answered, failed);
            },
      );
    });
  }

  #fail(error: Error): Promise<never> {
    this.#failures++;
    return Promise.reject(error);
  }

  #pause(): void {
    this.#failures++;
    this.#pausedUntil = Date.now() + this.#pauseMs;
  }
}

const ignoreReply = (): void => undefined;

function decisionOf(count: number, reply: readonly number[]): StoreDecision {
  const results: HitResult[] = new Array<HitResult>(count);
  for (let i = 0; i < count; i++) {
    const at = 1 + i * 4;
    results[i] = { allowed: reply[at] === 1, remaining: reply[at + 1] as number, resetMs: reply[at + 2] as number, retryAfterMs: reply[at + 3] as number };
  }
  return { allowed: reply[0] === 1, results };
}

function consumeArgs(hits: readonly Hit[], now: (() => number) | undefined): (string | number)[] {
  const args: (string | number)[] = [now === undefined ? '' : now()];
  for (const { spec, cost } of hits) args.push(spec.algorithm === 'sliding-window' ? 1 : spec.algorithm === 'fixed-window' ? 2 : 3, spec.limit, spec.windowMs, spec.burst, cost);
  return args;
}

/** Hits (or penalty keys) by identity: one identity, one hash tag, one Cluster slot. */
function groupByKey<T extends { readonly key: string }>(items: readonly T[]): T[][] {
  const first = items[0];
  if (first === undefined || items.every((item) => item.key === first.key)) return [[...items]];
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(item.key);
    if (group === undefined) groups.set(item.key, [item]);
    else group.push(item);
  }
  return [...groups.values()];
}

function positiveInteger(option: string, value: unknown, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) throw invalidOption(option, `an integer of at least ${min}`, value);
  return value;
}

/**
 * A client that fails fast: no offline queue (a command while disconnected
 * errors at once), one retry per command, reconnecting in the background.
 */
function connect(url: string): Redis {
  if (typeof url !== 'string' || !/^rediss?:\/\//.test(url)) throw invalidOption('redisStore.url', 'a redis:// or rediss:// URL', url);
  const require = createRequire(import.meta.url);
  const { Redis: RedisClient } = require('ioredis') as { Redis: new (url: string, options: RedisOptions) => Redis };
  const client = new RedisClient(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(times * 100, 2000),
  });
  // Failures surface through the calls and the failure policy; without a listener ioredis prints each one.
  client.on('error', () => undefined);
  return client;
}
