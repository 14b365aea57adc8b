import type { RequestState } from '../pipeline/request-state.js';
import type { HitResult, LimitSpec } from './store.js';

/**
 * Which revision of the IETF RateLimit header fields draft
 * (draft-ietf-httpapi-ratelimit-headers) to speak.
 * - `draft-11` (default; the current revision): `RateLimit-Policy: "auth";q=5;w=60`
 *   and `RateLimit: "auth";r=4;t=60`, one list item per rule. Drafts 08 to 11
 *   serialize these fields identically, so `draft-8` is accepted as an alias.
 * - `draft-7`: `RateLimit-Policy: 5;w=60` and `RateLimit: limit=5, remaining=4, reset=60`.
 * - `draft-6`: `RateLimit-Policy` plus `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset`.
 * - `false`: none.
 */
export type HeaderDraft = 'draft-11' | 'draft-8' | 'draft-7' | 'draft-6';
export const HEADER_DRAFTS: readonly HeaderDraft[] = ['draft-11', 'draft-8', 'draft-7', 'draft-6'];

/** The current draft revision at the time of this release. */
export const DEFAULT_HEADER_DRAFT: HeaderDraft = 'draft-11';

/** A rule's half of the headers, computed once. */
export interface PolicyHeader {
  readonly spec: LimitSpec;
  /** This rule's item of `RateLimit-Policy`. */
  readonly policy: string;
  /** Prefix of this rule's item of `RateLimit` (draft-8+): `"auth";r=`. */
  readonly itemPrefix: string;
  readonly limitText: string;
}

export function policyHeader(draft: HeaderDraft | false, spec: LimitSpec): PolicyHeader {
  const windowSeconds = Math.max(1, Math.ceil(spec.windowMs / 1000));
  const structured = draft === 'draft-11' || draft === 'draft-8';
  // Draft-08+ §3: a list of quota policy items, each an sf-string naming the policy with q (quota) and w (window, seconds).
  const policy = structured ? `"${spec.id}";q=${spec.limit};w=${windowSeconds}` : `${spec.limit};w=${windowSeconds}`;
  return { spec, policy, itemPrefix: `"${spec.id}";r=`, limitText: String(spec.limit) };
}

/** The settings `queueRateLimitHeaders` reads. */
export interface HeaderSettings {
  readonly draft: HeaderDraft | false;
  readonly legacy: boolean;
}

/**
 * Queues the RateLimit fields for the rules a request was decided on.
 * Results with `remaining < 0` (not looked at) are skipped. Draft-7, draft-6
 * and the legacy `X-RateLimit-*` fields describe one limit only: the most
 * restrictive (fewest remaining, then the longest wait).
 */
export function queueRateLimitHeaders(
  state: RequestState,
  settings: HeaderSettings,
  policies: readonly PolicyHeader[],
  results: readonly HitResult[],
): void {
  const draft = settings.draft;
  if (draft === false && !settings.legacy) return;
  let policyList = '';
  let itemList = '';
  let tightest = -1;
  for (let i = 0; i < results.length; i++) {
    const result = results[i] as HitResult;
    if (result.remaining < 0) continue;
    const header = policies[i] as PolicyHeader;
    policyList = policyList === '' ? header.policy : `${policyList}, ${header.policy}`;
    if (draft === 'draft-11' || draft === 'draft-8') {
      const item = `${header.itemPrefix}${result.remaining};t=${Math.ceil(result.resetMs / 1000)}`;
      itemList = itemList === '' ? item : `${itemList}, ${item}`;
    }
    if (tightest === -1 || tighter(result, results[tightest] as HitResult)) tightest = i;
  }
  if (tightest === -1) return;
  const limit = (policies[tightest] as PolicyHeader).limitText;
  const result = results[tightest] as HitResult;
  const resetSeconds = Math.ceil(result.resetMs / 1000);
  switch (draft) {
    case 'draft-11':
    case 'draft-8':
      state.addResponseHeader('ratelimit-policy', policyList);
      state.addResponseHeader('ratelimit', itemList);
      break;
    case 'draft-7':
      state.addResponseHeader('ratelimit-policy', policyList);
      state.addResponseHeader('ratelimit', `limit=${limit}, remaining=${result.remaining}, reset=${resetSeconds}`);
      break;
    case 'draft-6':
      state.addResponseHeader('ratelimit-policy', policyList);
      state.addResponseHeader('ratelimit-limit', limit);
      state.addResponseHeader('ratelimit-remaining', String(result.remaining));
      state.addResponseHeader('ratelimit-reset', String(resetSeconds));
      break;
    case false:
      break;
    default: {
      const never: never = draft;
      throw new TypeError(`unknown header draft ${String(never)}`);
    }
  }
  if (settings.legacy) {
    // The de facto convention (GitHub, Twitter): X-RateLimit-Reset is the reset time in epoch seconds.
    state.addResponseHeader('x-ratelimit-limit', limit);
    state.addResponseHeader('x-ratelimit-remaining', String(result.remaining));
    state.addResponseHeader('x-ratelimit-reset', String(Math.ceil((Date.now() + result.resetMs) / 1000)));
  }
}

function tighter(a: HitResult, b: HitResult): boolean {
  if (a.remaining !== b.remaining) return a.remaining < b.remaining;
  if (a.retryAfterMs !== b.retryAfterMs) return a.retryAfterMs > b.retryAfterMs;
  return a.resetMs > b.resetMs;
}
