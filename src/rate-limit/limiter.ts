import type { Logger } from 'pino';
import { rateLimitDecisionChannel } from '../diagnostics/channels.js';
import { RateLimitedError, withoutStack } from '../errors/app-error.js';
import { RAMPART_CODES } from '../errors/codes.js';
import { RampartError, invalidOption } from '../errors/option-error.js';
import type { Answer } from '../pipeline/answer.js';
import type { Gate } from '../pipeline/rampart.js';
import type { RequestState, RequestView } from '../pipeline/request-state.js';
import { isProductionLike, type Profile } from '../profile/profile.js';
import type { Keyring } from '../secrets/keyring.js';
import { MemoryStore, type MemoryStoreOptions } from '../stores/memory-store.js';
import { BruteForceGuard, type BruteForceOptions } from './brute-force.js';
import { DRY_RUN_VARIABLE, ENABLED_VARIABLE, applyRuleOverrides, booleanVariable } from './env.js';
import { compileExemptions, type IsExempt, type RateLimitExemptions } from './exemptions.js';
import { DEFAULT_HEADER_DRAFT, HEADER_DRAFTS, queueRateLimitHeaders, type HeaderDraft, type HeaderSettings, type PolicyHeader } from './headers.js';
import { normalizePath } from './path-pattern.js';
import { compileRule, FAILURE_POLICIES, type CompiledRule, type FailurePolicy, type RateLimitRule } from './rules.js';
import { ClosedFailure, StoreGuard } from './store-guard.js';
import type { Hit, HitResult, RateLimitStore, StoreDecision } from './store.js';

export interface RateLimitOptions {
  /** The limits. Every rule that covers a request is decided together: if one rejects, none is counted. */
  readonly rules?: readonly RateLimitRule[];
  /** Where counters live. Default: a `MemoryStore` in this process. Use `redisStore()` from `rampart/redis` for several instances. */
  readonly store?: RateLimitStore;
  /** The global switch. Default true; `RATE_LIMIT_ENABLED` overrides it. */
  readonly enabled?: boolean;
  /** Decide, log and count, but never reject. Default false; `RATE_LIMIT_DRY_RUN` overrides it. */
  readonly dryRun?: boolean;
  /** Paths and client addresses no rule counts. Default: the health probes and `/metrics`. */
  readonly exempt?: RateLimitExemptions;
  /** Which IETF RateLimit header draft to send, or false for none. Default `'draft-11'` (the current one). */
  readonly headers?: HeaderDraft | false;
  /** Also send `X-RateLimit-Limit`, `-Remaining`, `-Reset` (epoch seconds). Default false. */
  readonly legacyHeaders?: boolean;
  /** Failure policy for rules that set none. Default `'fallback'`: per-process limits while the store is down. */
  readonly onStoreFailure?: FailurePolicy;
  /** The memory store used by the `fallback` policy. Default: 10 000 keys. */
  readonly fallback?: MemoryStoreOptions;
  /** Where `RATE_LIMIT_*` overrides are read. Default `process.env`; false ignores the environment. */
  readonly env?: Readonly<Record<string, string | undefined>> | false;
}

/** What the limiter needs from the engine that owns it. */
export interface RateLimiterContext {
  /** The engine's token (`RequestState.owner`), carried on store-failure events. */
  readonly owner: object;
  readonly keyring: Keyring;
  readonly logger: Logger;
  readonly profile: Profile;
  /** Renders a rejection as the problem+json answer every stage uses. */
  render(error: unknown, state: RequestState): Answer;
}

/** One rule's verdict, as `consume()` reports it. */
export interface RuleDecision {
  readonly rule: string;
  readonly allowed: boolean;
  /** Units left, or -1 when unknown (another rule rejected first, or the store failed open). */
  readonly remaining: number;
  readonly resetMs: number;
  readonly retryAfterMs: number;
}

export interface ConsumeOptions {
  /** Cost units for this call, instead of the rules' own. */
  readonly cost?: number;
  /** Count under this key instead of the rules' own (e.g. an API key you have verified). */
  readonly key?: string;
}

const DEFAULT_FALLBACK_KEYS = 10_000;
/** 128 bits of the keyed hash: collisions are out of reach, and Redis keys stay short. */
const HASHED_KEY_LENGTH = 22;
/**
 * Keyed hashes remembered per process, so a returning client costs a Map
 * lookup instead of an HMAC (about 2 µs hot, ten times that on a cold CPU
 * after waiting on I/O). Cleared wholesale when full: bounded, no LRU upkeep.
 */
const HASH_CACHE_SIZE = 10_000;

type Mode = 'answer' | 'throw';

/**
 * The rate-limit stage (pipeline stage 6) and the API handlers call after
 * authentication. Rules, exemptions and header values are compiled once.
 */
export class RateLimiter {
  readonly enabled: boolean;
  readonly dryRun: boolean;
  readonly store: RateLimitStore;
  /** The pipeline gate, or undefined when no rule runs at the gate (or rate limiting is off). */
  readonly gate: Gate | undefined;

  readonly #rules = new Map<string, CompiledRule>();
  readonly #gateRules: CompiledRule[];
  readonly #exempt: IsExempt;
  readonly #headers: HeaderSettings;
  readonly #guard: StoreGuard;
  readonly #context: RateLimiterContext;
  readonly #hashes = new Map<string, string>();

  constructor(options: RateLimitOptions, context: RateLimiterContext) {
    if (typeof options !== 'object' || options === null) throw invalidOption('rateLimit', 'an object', options);
    const env = options.env === false ? {} : (options.env ?? process.env);
    this.#context = context;
    this.enabled = booleanVariable(env, ENABLED_VARIABLE) ?? bool('rateLimit.enabled', options.enabled, true);
    this.dryRun = booleanVariable(env, DRY_RUN_VARIABLE) ?? bool('rateLimit.dryRun', options.dryRun, false);
    const draft = options.headers ?? DEFAULT_HEADER_DRAFT;
    if (draft !== false && !HEADER_DRAFTS.includes(draft)) throw invalidOption('rateLimit.headers', `${HEADER_DRAFTS.join(', ')} or false`, draft);
    this.#headers = Object.freeze({ draft, legacy: bool('rateLimit.legacyHeaders', options.legacyHeaders, false) });
    const failure = options.onStoreFailure ?? 'fallback';
    if (!FAILURE_POLICIES.includes(failure)) throw invalidOption('rateLimit.onStoreFailure', FAILURE_POLICIES.join(', '), failure);
    this.store = options.store ?? new MemoryStore();
    if (typeof this.store?.consume !== 'function') throw invalidOption('rateLimit.store', 'a RateLimitStore (memoryStore(), redisStore())', options.store);
    this.store.bind?.({ logger: context.logger });

    const rules = options.rules ?? [];
    if (!Array.isArray(rules)) throw invalidOption('rateLimit.rules', 'a list of rules', rules);
    // API keys are secrets: hashed every time, never kept in the cache of client identities.
    const hashSecret = (value: string): string => this.#hashUncached(value);
    for (const [index, rule] of applyRuleOverrides(rules, env).entries()) {
      const compiled = compileRule(rule, index, { failure, draft, hashSecret });
      if (this.#rules.has(compiled.name)) throw invalidOption(`rateLimit.rules[${index}].name`, 'a name no other rule uses', compiled.name);
      this.#rules.set(compiled.name, compiled);
    }
    this.#gateRules = [...this.#rules.values()].filter((rule) => !rule.manual);
    this.#exempt = compileExemptions(options.exempt);
    const usesFallback = [...this.#rules.values()].some((rule) => rule.failure === 'fallback') || failure === 'fallback';
    const fallback = this.store.shared && usesFallback ? new MemoryStore({ maxKeys: DEFAULT_FALLBACK_KEYS, ...options.fallback }) : undefined;
    fallback?.bind({ logger: context.logger });
    this.#guard = new StoreGuard(this.store, fallback, context.logger, context.owner);

    if (!this.enabled && isProductionLike(context.profile) && this.#rules.size > 0) {
      context.logger.warn({ code: 'RAMPART_RATE_LIMIT_DISABLED' }, RAMPART_CODES.RAMPART_RATE_LIMIT_DISABLED.message);
    }
    this.gate = this.enabled && this.#gateRules.length > 0 ? this.#createGate() : undefined;
  }

  /** Names of the configured rules (after environment overrides). */
  get rules(): readonly string[] {
    return [...this.#rules.keys()];
  }

  /**
   * Spends the named rules for this request, all or nothing, as the gate
   * does: for limits the gate cannot apply, like per-user limits after
   * authentication. Rejects with `RateLimitedError` (429, with `Retry-After`)
   * or, when the store fails under a `closed` policy, `ServiceUnavailableError`
   * (503). Queues the RateLimit headers either way.
   *
   * @example
   * app.post('/api/reports', async (request) => {
   *   await app.rampart.rateLimit.consume(request.rampart, 'expensive');
   *   return buildReport();
   * });
   */
  async consume(state: RequestState, rules: string | readonly string[], options: ConsumeOptions = {}): Promise<RuleDecision[]> {
    const names = typeof rules === 'string' ? [rules] : [...new Set(rules)];
    const compiled = names.map((name) => {
      const rule = this.#rules.get(name);
      if (rule === undefined) throw invalidOption('rule', `one of the configured rules (${this.rules.join(', ') || 'none'})`, name);
      return rule;
    });
    if (!this.enabled || compiled.length === 0 || this.#exempt.ip(state.clientIp)) return [];
    if (options.cost !== undefined && (!Number.isInteger(options.cost) || options.cost < 0)) throw invalidOption('cost', 'a non-negative integer', options.cost);
    if (options.key !== undefined && (typeof options.key !== 'string' || options.key === '')) throw invalidOption('key', 'a non-empty string', options.key);
    const hits: Hit[] = [];
    let lastRaw: string | undefined;
    let lastKey = '';
    for (const rule of compiled) {
      const raw = options.key ?? rule.keyOf(state, undefined, null);
      if (raw === undefined) {
        throw new RampartError('RAMPART_RATE_LIMIT_NO_KEY', `Rate-limit rule "${rule.name}" has no key for this request: call setUser() first, or pass { key }.`);
      }
      if (raw !== lastRaw) lastKey = this.#storeKey((lastRaw = raw));
      hits.push({ spec: rule.spec, key: lastKey, cost: options.cost ?? rule.costOf(state, undefined) });
    }
    // In 'throw' mode a rejection throws, so what comes back is always the decisions.
    const outcome = await this.#decide(state, compiled, hits, 'throw');
    return Array.isArray(outcome) ? outcome : [];
  }

  /** Forgets one client's counters under a rule (support tooling, tests). `identity` is what the rule keys on: an IP, a user id… */
  async reset(rule: string, identity: string): Promise<void> {
    const compiled = this.#rules.get(rule);
    if (compiled === undefined) throw invalidOption('rule', `one of the configured rules (${this.rules.join(', ') || 'none'})`, rule);
    await this.store.reset([compiled.spec], this.#storeKey(identity));
  }

  /**
   * A brute-force guard for a login form: blocks a username + IP, and a
   * username from anywhere, after consecutive failures, with blocks that
   * double on each further failure; a success clears both. Shares this
   * limiter's store and failure policy.
   */
  bruteForceGuard(options: BruteForceOptions = {}): BruteForceGuard {
    return new BruteForceGuard(options, { enabled: this.enabled, guard: this.#guard, hashKey: (raw) => this.#hashUncached(raw) });
  }

  /**
   * The keyed hash a shared store is given instead of an identity (HMAC
   * under the keyring's `rate-limit` key), remembered for the last 10 000
   * identities. API keys and usernames are hashed without the cache.
   */
  hashKey(value: string): string {
    let hashed = this.#hashes.get(value);
    if (hashed === undefined) {
      hashed = this.#hashUncached(value);
      if (this.#hashes.size >= HASH_CACHE_SIZE) this.#hashes.clear();
      this.#hashes.set(value, hashed);
    }
    return hashed;
  }

  #hashUncached(value: string): string {
    return this.#context.keyring.hash('rate-limit', value).slice(0, HASHED_KEY_LENGTH);
  }

  async close(): Promise<void> {
    await this.#guard.close();
  }

  #storeKey(raw: string): string {
    return this.store.shared ? this.hashKey(raw) : raw;
  }

  #createGate(): Gate {
    const rules = this.#gateRules;
    const exempt = this.#exempt;
    return (state: RequestState, view: RequestView) => {
      const path = normalizePath(state.path);
      if (exempt(path, state.clientIp)) return undefined;
      let hits: Hit[] | undefined;
      let matched: CompiledRule[] | undefined;
      let lastRaw: string | undefined;
      let lastKey = '';
      for (let i = 0; i < rules.length; i++) {
        const rule = rules[i] as CompiledRule;
        const pattern = rule.match(state.method, path);
        if (pattern === null) continue;
        const raw = rule.keyOf(state, view, pattern);
        if (raw === undefined) continue;
        // Rules keyed alike (all by IP, say) share one hash per request.
        if (raw !== lastRaw) lastKey = this.#storeKey((lastRaw = raw));
        (hits ??= []).push({ spec: rule.spec, key: lastKey, cost: rule.costOf(state, view) });
        (matched ??= []).push(rule);
      }
      if (hits === undefined) return undefined;
      return this.#decide(state, matched as CompiledRule[], hits, 'answer') as Answer | undefined | Promise<Answer | undefined>;
    };
  }

  /** Asks the store (through the failure policies) and concludes: headers, events, and the rejection if any. */
  #decide(state: RequestState, rules: readonly CompiledRule[], hits: readonly Hit[], mode: Mode): Verdict | Promise<Verdict> {
    const decided = this.#guard.consume(rules, hits);
    if (decided instanceof Promise) return decided.then((decision) => this.#conclude(state, rules, decision, mode));
    return this.#conclude(state, rules, decided, mode);
  }

  #conclude(state: RequestState, rules: readonly CompiledRule[], decision: StoreDecision | ClosedFailure, mode: Mode): Verdict {
    if (decision instanceof ClosedFailure) {
      if (mode === 'throw') throw decision.error;
      return this.#context.render(decision.error, state);
    }
    const results = decision.results;
    if (rateLimitDecisionChannel.hasSubscribers) publishDecisions(state, rules, decision, this.dryRun);
    if (this.dryRun) {
      if (!decision.allowed) {
        state.log.warn(
          { code: 'RAMPART_RATE_LIMIT_DRY_RUN', rules: rejectedNames(rules, results), retryAfterSeconds: Math.ceil(longestWait(results) / 1000) },
          RAMPART_CODES.RAMPART_RATE_LIMIT_DRY_RUN.message,
        );
      }
      return mode === 'answer' ? undefined : toDecisions(rules, results);
    }
    queueRateLimitHeaders(state, this.#headers, headersOf(rules), results);
    // The gate needs no report of an admitted request: nothing is allocated for it.
    if (decision.allowed) return mode === 'answer' ? undefined : toDecisions(rules, results);
    const error = withoutStack(() => new RateLimitedError(longestWait(results) / 1000));
    if (mode === 'throw') throw error;
    return this.#context.render(error, state);
  }
}

/** What a decision concludes to: the rejection to answer (gate), the decisions (consume), or nothing (an admitted gate request). */
type Verdict = RuleDecision[] | Answer | undefined;

function bool(option: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw invalidOption(option, 'a boolean', value);
  return value;
}

function headersOf(rules: readonly CompiledRule[]): readonly PolicyHeader[] {
  return rules.length === 1 ? (rules[0] as CompiledRule).headers : rules.map((rule) => rule.header);
}

/** Retry-After covers every rejecting rule: the longest wait among them. */
function longestWait(results: readonly HitResult[]): number {
  let wait = 0;
  for (const result of results) if (!result.allowed && result.retryAfterMs > wait) wait = result.retryAfterMs;
  return wait;
}

function rejectedNames(rules: readonly CompiledRule[], results: readonly HitResult[]): string[] {
  return rules.filter((_rule, i) => results[i]?.allowed === false).map((rule) => rule.name);
}

function toDecisions(rules: readonly CompiledRule[], results: readonly HitResult[]): RuleDecision[] {
  return rules.map((rule, i) => {
    const result = results[i] as HitResult;
    return { rule: rule.name, allowed: result.allowed, remaining: result.remaining, resetMs: result.resetMs, retryAfterMs: result.retryAfterMs };
  });
}

function publishDecisions(state: RequestState, rules: readonly CompiledRule[], decision: StoreDecision, dryRun: boolean): void {
  for (let i = 0; i < rules.length; i++) {
    const result = decision.results[i] as HitResult;
    if (result.remaining < 0 && result.allowed) continue;
    const outcome = result.allowed ? 'allowed' : dryRun ? 'dry-run-rejected' : 'rejected';
    rateLimitDecisionChannel.publish(
      result.allowed
        ? { state, rule: (rules[i] as CompiledRule).name, outcome }
        : { state, rule: (rules[i] as CompiledRule).name, outcome, retryAfterSeconds: Math.ceil(result.retryAfterMs / 1000) },
    );
  }
}
