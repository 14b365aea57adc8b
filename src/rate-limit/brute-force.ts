import { ipPrefixKey } from '../client-ip/ip-address.js';
import { rateLimitDecisionChannel } from '../diagnostics/channels.js';
import { RateLimitedError } from '../errors/app-error.js';
import { invalidOption } from '../errors/option-error.js';
import type { RequestState } from '../pipeline/request-state.js';
import { parseDuration } from './duration.js';
import { FAILURE_POLICIES, type FailurePolicy } from './rules.js';
import { ClosedFailure, type StoreGuard } from './store-guard.js';
import type { PenaltyKey, PenaltySpec, RateLimitStore } from './store.js';

export interface BruteForceLimits {
  /** Consecutive failures that start the first block. */
  readonly failures?: number;
  /** The first block (ms or `'1m'`); each further failure doubles it. */
  readonly block?: number | string;
  /** The longest block. */
  readonly maxBlock?: number | string;
}

export interface BruteForceOptions {
  /** Names the guard in logs, metrics and storage keys. Default `'login'`. */
  readonly name?: string;
  /** One username from one client (IPv6 by /64). Default: 5 failures, then 1 min, doubling up to 1 h. */
  readonly perUserAndIp?: BruteForceLimits;
  /**
   * One username from anywhere: stops a distributed guess at one account.
   * Looser by default (20 failures, 1 min doubling up to 15 min) because an
   * attacker can trigger it to lock the real user out; false turns it off.
   */
  readonly perUser?: BruteForceLimits | false;
  /** Failures are forgotten after this long without a new one. Default 1 day. */
  readonly forgetAfter?: number | string;
  /** When the store fails. Default `'fallback'` (this process's memory). */
  readonly onStoreFailure?: FailurePolicy;
}

/** OWASP Authentication Cheat Sheet: lock out after a handful of failures, with growing delays rather than for good. */
export const DEFAULT_PER_USER_AND_IP: Required<BruteForceLimits> = Object.freeze({ failures: 5, block: 60_000, maxBlock: 3_600_000 });
export const DEFAULT_PER_USER: Required<BruteForceLimits> = Object.freeze({ failures: 20, block: 60_000, maxBlock: 900_000 });
const DEFAULT_FORGET_AFTER_MS = 86_400_000;
const MAX_USERNAME_LENGTH = 1024;

/** What a guard needs from its limiter. */
export interface BruteForceContext {
  readonly enabled: boolean;
  readonly guard: StoreGuard;
  /** The keyed hash stored instead of a username (usernames are personal data). */
  readonly hashKey: (raw: string) => string;
}

/**
 * Login brute-force protection. Call `check` before verifying a password,
 * then `failure` or `success`. Blocked callers get the same 429 problem as
 * any rate limit, whether or not the account exists.
 *
 * @example
 * const guard = rampart.rateLimit.bruteForceGuard();
 * await guard.check(state, username);            // throws 429 while blocked
 * if (!(await verify(username, password))) {
 *   await guard.failure(state, username);
 *   throw new UnauthorizedError('Wrong username or password.');
 * }
 * await guard.success(state, username);
 */
export class BruteForceGuard {
  readonly name: string;
  readonly #perUserAndIp: PenaltySpec;
  readonly #perUser: PenaltySpec | undefined;
  readonly #policy: FailurePolicy;
  readonly #context: BruteForceContext;

  constructor(options: BruteForceOptions, context: BruteForceContext) {
    if (typeof options !== 'object' || options === null) throw invalidOption('bruteForceGuard', 'an object', options);
    const name = options.name ?? 'login';
    if (typeof name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(name)) throw invalidOption('bruteForceGuard.name', 'letters, digits, "-" and "_"', name);
    this.name = name;
    const forgetAfterMs = options.forgetAfter === undefined ? DEFAULT_FORGET_AFTER_MS : parseDuration('bruteForceGuard.forgetAfter', options.forgetAfter);
    this.#perUserAndIp = penaltySpec(`${name}:user-ip`, 'bruteForceGuard.perUserAndIp', options.perUserAndIp, DEFAULT_PER_USER_AND_IP, forgetAfterMs);
    this.#perUser = options.perUser === false ? undefined : penaltySpec(`${name}:user`, 'bruteForceGuard.perUser', options.perUser, DEFAULT_PER_USER, forgetAfterMs);
    this.#policy = options.onStoreFailure ?? 'fallback';
    if (!FAILURE_POLICIES.includes(this.#policy)) throw invalidOption('bruteForceGuard.onStoreFailure', FAILURE_POLICIES.join(', '), this.#policy);
    this.#context = context;
  }

  /** Rejects with `RateLimitedError` (429, `Retry-After`) while this username, or this username from this client, is blocked. */
  async check(state: RequestState, username: string): Promise<void> {
    if (!this.#context.enabled) return;
    const blockedMs = await this.#run((store, keys) => store.penaltyStatus(keys), state, username, 0);
    const outcome = blockedMs > 0 ? 'rejected' : 'allowed';
    if (rateLimitDecisionChannel.hasSubscribers) {
      // kind: the security log records these blocks as auth.brute_force.block, not as a rate limit.
      rateLimitDecisionChannel.publish(
        blockedMs > 0
          ? { state, rule: this.name, outcome, retryAfterSeconds: Math.ceil(blockedMs / 1000), kind: 'brute-force' }
          : { state, rule: this.name, outcome, kind: 'brute-force' },
      );
    }
    if (blockedMs > 0) throw new RateLimitedError(blockedMs / 1000);
  }

  /** Records a failed attempt. Resolves to the seconds the caller is now blocked for (0 when not yet). */
  async failure(state: RequestState, username: string): Promise<number> {
    if (!this.#context.enabled) return 0;
    const blockedMs = await this.#run((store, keys) => store.penaltyFailure(keys), state, username, 0);
    return Math.ceil(blockedMs / 1000);
  }

  /** Clears the failures of this username (from this client and from anywhere). */
  async success(state: RequestState, username: string): Promise<void> {
    if (!this.#context.enabled) return;
    await this.#run((store, keys) => store.penaltyClear(keys), state, username, undefined);
  }

  async #run<T>(operation: (store: RateLimitStore, keys: PenaltyKey[]) => T | Promise<T>, state: RequestState, username: string, onOpen: T): Promise<T> {
    if (typeof username !== 'string' || username.length > MAX_USERNAME_LENGTH) throw invalidOption('username', `a string of at most ${MAX_USERNAME_LENGTH} characters`, username);
    // One account, however it is typed: NFKC folds look-alike forms, then case.
    const user = username.normalize('NFKC').trim().toLowerCase();
    const keys: PenaltyKey[] = [{ spec: this.#perUserAndIp, key: this.#context.hashKey(`${user}\u0000${ipPrefixKey(state.clientIp)}`) }];
    if (this.#perUser !== undefined) keys.push({ spec: this.#perUser, key: this.#context.hashKey(user) });
    const result = await this.#context.guard.penalty(this.#policy, (store) => operation(store, keys), onOpen);
    if (result instanceof ClosedFailure) throw result.error;
    return result;
  }
}

function penaltySpec(id: string, option: string, limits: BruteForceLimits | undefined, defaults: Required<BruteForceLimits>, forgetAfterMs: number): PenaltySpec {
  if (limits !== undefined && (typeof limits !== 'object' || limits === null)) throw invalidOption(option, '{ failures?, block?, maxBlock? }', limits);
  const threshold = limits?.failures ?? defaults.failures;
  if (!Number.isInteger(threshold) || threshold < 1) throw invalidOption(`${option}.failures`, 'a positive integer', threshold);
  const blockMs = parseDuration(`${option}.block`, limits?.block ?? defaults.block);
  const maxBlockMs = parseDuration(`${option}.maxBlock`, limits?.maxBlock ?? defaults.maxBlock);
  if (maxBlockMs < blockMs) throw invalidOption(`${option}.maxBlock`, 'at least the first block', limits?.maxBlock);
  return Object.freeze({ id, threshold, blockMs, maxBlockMs, forgetAfterMs });
}
