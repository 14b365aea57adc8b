import { ipPrefixKey } from '../client-ip/ip-address.js';
import { invalidOption } from '../errors/option-error.js';
import type { RequestState, RequestView } from '../pipeline/request-state.js';
import { ALGORITHM_NAMES } from './algorithms/index.js';
import { parseDuration } from './duration.js';
import { policyHeader, type HeaderDraft, type PolicyHeader } from './headers.js';
import { compilePathPatterns, type PathMatcher } from './path-pattern.js';
import type { AlgorithmName, LimitSpec } from './store.js';

/**
 * Who a rule counts:
 * - `'ip'` (default): the client IP, IPv6 masked to its /64 (`ipv6Prefix`);
 * - `'user'`: `state.userId`, known only after authentication, so such rules
 *   are consumed by the application (`rampart.rateLimit.consume`);
 * - `'route'`: everyone together, one counter per path pattern (a global cap);
 * - `{ header }`: the value of a request header (an API key), keyed-hashed, never stored;
 *   requests without it are counted by IP;
 * - a function: any key you compute; `undefined` skips the rule for that request.
 */
export type RateLimitKey =
  | 'ip'
  | 'user'
  | 'route'
  | { readonly header: string }
  | ((state: RequestState, view: RequestView | undefined) => string | undefined);

/**
 * What to do with a rule when its store fails (Redis down, timed out):
 * `open` admits, `closed` answers 503, `fallback` decides with a memory
 * store in this process (per-instance limits until the store is back).
 */
export type FailurePolicy = 'open' | 'closed' | 'fallback';
export const FAILURE_POLICIES: readonly FailurePolicy[] = ['open', 'closed', 'fallback'];

export type PathPattern = string | RegExp;

export interface RateLimitRule {
  /**
   * Names the rule in headers (`RateLimit-Policy: "auth";q=5;w=60`), logs,
   * metrics, storage keys and its environment override `RATE_LIMIT_<NAME>`.
   * Letters, digits, `-` and `_`, up to 64.
   */
  readonly name: string;
  /** Requests (cost units) allowed per `window`. Overridable by `RATE_LIMIT_<NAME>=<limit>[/<window>]`. */
  readonly limit: number;
  /** Milliseconds, or text: `'30s'`, `'1m'`, `'1h'`, `'1d'`. */
  readonly window: number | string;
  /** Default `'sliding-window'`. See docs/rate-limiting.md for each one's memory and accuracy. */
  readonly algorithm?: AlgorithmName;
  /** GCRA only: requests that may arrive at once. Default `limit`. */
  readonly burst?: number;
  /** What one request weighs. Default 1. A function returning more than `limit` is always rejected. */
  readonly cost?: number | ((state: RequestState, view: RequestView | undefined) => number);
  /** Default `'ip'`. */
  readonly key?: RateLimitKey;
  /** Prefix length IPv6 clients are counted under. Default 64 (one subscriber's allocation). */
  readonly ipv6Prefix?: number;
  /** Paths the rule covers: templates (`/api/notes/:id`), prefixes (`/api/*`, `/health*`), RegExps. Default: every path. */
  readonly paths?: PathPattern | readonly PathPattern[];
  /** Methods the rule covers (a GET rule covers HEAD). Default: every method. */
  readonly methods?: readonly string[];
  /**
   * Consumed only when the application calls `rampart.rateLimit.consume()`,
   * never by the pipeline gate. Default false; always true for `key: 'user'`.
   */
  readonly manual?: boolean;
  /** Default: the `onStoreFailure` of the rate-limit options. */
  readonly onStoreFailure?: FailurePolicy;
}

/** A rule compiled once: everything a request needs, precomputed. */
export interface CompiledRule {
  readonly name: string;
  readonly spec: LimitSpec;
  readonly header: PolicyHeader;
  /** `[header]`, made once: the headers of a request only this rule covers. */
  readonly headers: readonly PolicyHeader[];
  readonly manual: boolean;
  readonly failure: FailurePolicy;
  /** The pattern that covers `path` (null: not covered; `ALL_PATHS` when the rule has no paths). */
  match(method: string, path: string): PathMatcher | null;
  /** The raw counter key, or undefined to skip the rule; `matched` names the pattern for `'route'` keys. */
  keyOf(state: RequestState, view: RequestView | undefined, matched: PathMatcher | null): string | undefined;
  costOf(state: RequestState, view: RequestView | undefined): number;
}

export const ALL_PATHS: PathMatcher = Object.freeze({ source: '*', test: () => true });
const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const MAX_HEADER_KEY_LENGTH = 512;

export interface RuleDefaults {
  readonly failure: FailurePolicy;
  readonly draft: HeaderDraft | false;
  /** Turns a header value into the key stored (a keyed hash: API keys are secrets). */
  readonly hashSecret: (value: string) => string;
}

export function compileRule(rule: RateLimitRule, index: number, defaults: RuleDefaults): CompiledRule {
  const at = `rateLimit.rules[${index}]`;
  if (typeof rule !== 'object' || rule === null) throw invalidOption(at, 'a rule object', rule);
  if (typeof rule.name !== 'string' || !NAME.test(rule.name)) throw invalidOption(`${at}.name`, 'letters, digits, "-" and "_" (at most 64)', rule.name);
  const name = rule.name;
  const where = `rateLimit.rules["${name}"]`;
  if (!Number.isInteger(rule.limit) || rule.limit < 1 || rule.limit > 1e9) throw invalidOption(`${where}.limit`, 'a positive integer', rule.limit);
  const windowMs = parseDuration(`${where}.window`, rule.window);
  const algorithm = rule.algorithm ?? 'sliding-window';
  if (!ALGORITHM_NAMES.includes(algorithm)) throw invalidOption(`${where}.algorithm`, ALGORITHM_NAMES.join(', '), algorithm);
  if (rule.burst !== undefined && algorithm !== 'gcra') throw invalidOption(`${where}.burst`, "nothing unless algorithm is 'gcra'", rule.burst);
  const burst = rule.burst ?? rule.limit;
  if (!Number.isInteger(burst) || burst < 1 || burst > 1e9) throw invalidOption(`${where}.burst`, 'a positive integer', burst);
  const failure = rule.onStoreFailure ?? defaults.failure;
  if (!FAILURE_POLICIES.includes(failure)) throw invalidOption(`${where}.onStoreFailure`, FAILURE_POLICIES.join(', '), failure);
  const key = rule.key ?? 'ip';
  if (rule.manual !== undefined && typeof rule.manual !== 'boolean') throw invalidOption(`${where}.manual`, 'a boolean', rule.manual);
  if (key === 'user' && rule.manual === false) {
    throw invalidOption(`${where}.manual`, "true or unset for key 'user' (the user is known only after authentication, which runs after the gate)", rule.manual);
  }
  const spec: LimitSpec = Object.freeze({ id: name, algorithm, limit: rule.limit, windowMs, burst });
  const header = policyHeader(defaults.draft, spec);
  return Object.freeze({
    name,
    spec,
    header,
    headers: Object.freeze([header]),
    manual: rule.manual ?? key === 'user',
    failure,
    match: compileMatch(where, rule),
    keyOf: compileKey(where, key, rule.ipv6Prefix ?? 64, defaults.hashSecret),
    costOf: compileCost(where, rule.cost ?? 1),
  });
}

function compileMatch(where: string, rule: RateLimitRule): CompiledRule['match'] {
  let methods: Set<string> | undefined;
  if (rule.methods !== undefined) {
    if (!Array.isArray(rule.methods) || rule.methods.some((method) => typeof method !== 'string' || !/^[A-Za-z]+$/.test(method))) {
      throw invalidOption(`${where}.methods`, 'a list of HTTP methods', rule.methods);
    }
    methods = new Set(rule.methods.map((method) => method.toUpperCase()));
    // A router answers HEAD with the GET handler, so HEAD spends the GET budget.
    if (methods.has('GET')) methods.add('HEAD');
  }
  const patterns = rule.paths === undefined ? undefined : compilePathPatterns(`${where}.paths`, rule.paths);
  if (patterns !== undefined && patterns.length === 0) throw invalidOption(`${where}.paths`, 'at least one pattern (omit it to cover every path)', rule.paths);
  return function matchRule(method, path) {
    if (methods !== undefined && !methods.has(method)) return null;
    if (patterns === undefined) return ALL_PATHS;
    for (let i = 0; i < patterns.length; i++) if ((patterns[i] as PathMatcher).test(path)) return patterns[i] as PathMatcher;
    return null;
  };
}

function compileKey(where: string, key: RateLimitKey, ipv6Prefix: number, hashSecret: (value: string) => string): CompiledRule['keyOf'] {
  if (!Number.isInteger(ipv6Prefix) || ipv6Prefix < 16 || ipv6Prefix > 128) throw invalidOption(`${where}.ipv6Prefix`, 'an integer from 16 to 128', ipv6Prefix);
  const byIp = (state: RequestState): string => ipPrefixKey(state.clientIp, ipv6Prefix);
  if (typeof key === 'function') {
    return function customKey(state, view) {
      const value = key(state, view);
      if (value !== undefined && typeof value !== 'string') throw invalidOption(`${where}.key()`, 'a function returning a string or undefined', value);
      return value;
    };
  }
  if (typeof key === 'object' && key !== null && typeof key.header === 'string' && /^[A-Za-z0-9-]{1,64}$/.test(key.header)) {
    const name = key.header.toLowerCase();
    return function headerKey(state, view) {
      const value = view?.header(name);
      // No value: count the caller by IP, so leaving the header out is no way around the rule.
      if (value === undefined || value === '' || value.length > MAX_HEADER_KEY_LENGTH) return byIp(state);
      // `k:` keeps header values apart from IPs: a client cannot send another client's IP as its "key".
      return `k:${hashSecret(value)}`;
    };
  }
  switch (key) {
    case 'ip':
      return byIp;
    case 'user':
      return (state) => state.userId;
    case 'route':
      return (state, _view, matched) => (matched === null || matched === ALL_PATHS ? (state.route ?? '*') : matched.source);
    default:
      throw invalidOption(`${where}.key`, "'ip', 'user', 'route', { header: name } or a function", key);
  }
}

function compileCost(where: string, cost: NonNullable<RateLimitRule['cost']>): CompiledRule['costOf'] {
  if (typeof cost === 'function') {
    return function requestCost(state, view) {
      const value = cost(state, view);
      if (!Number.isInteger(value) || value < 0) throw invalidOption(`${where}.cost()`, 'a function returning a non-negative integer', value);
      return value;
    };
  }
  if (!Number.isInteger(cost) || cost < 0) throw invalidOption(`${where}.cost`, 'a non-negative integer or a function', cost);
  return () => cost;
}
